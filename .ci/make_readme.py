"""README.md is the markdown of nbs/index.ipynb. `python .ci/make_readme.py` writes it; `--check` fails if it is stale.

Both refuse prose lines that look like pasted debug output (`name = 15.654397979132652`: a bare assignment of a number
outside a code block), as two lines under the speed table once were; a number in the README comes from a table or a
sentence that says what it is.

Links and images are absolute: the README is shown on GitHub, on PyPI and, as the docs site's home page, rendered from
nbs/index.ipynb, where a relative path such as `figures/x.png` would point into nbs/. A link into this repository
(github.com/<user>/<repo>/blob/<branch>/PATH, raw.githubusercontent.com/<user>/<repo>/<branch>/PATH, from settings.ini)
must name a file git tracks."""
import configparser, json, pathlib, re, subprocess, sys
root = pathlib.Path(__file__).resolve().parents[1]
nb = json.loads((root/'nbs'/'index.ipynb').read_text())
md = '\n\n'.join(''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'markdown')
prose = re.sub(r'```.*?```', '', md, flags=re.S)
debug = [l for l in prose.splitlines() if re.fullmatch(r'[\w /.-]+ = -?[\d.]+(e-?\d+)?', l.strip())]
if debug: sys.exit("nbs/index.ipynb has lines that look like pasted debug output:\n" + '\n'.join(debug))
cfg = configparser.ConfigParser(); cfg.read(root/'settings.ini'); cfg = cfg['DEFAULT']
links = re.findall(r'\]\(([^)\s]+)', prose)
relative = [l for l in links if not re.match(r'(https?:|mailto:|#)', l)]
if relative: sys.exit("nbs/index.ipynb links relative paths, which break on the docs site (use the GitHub URLs): " + ', '.join(relative))
tracked = set(subprocess.run(['git', 'ls-files'], cwd=root, capture_output=True, text=True, check=True).stdout.split())
ours = rf"https://(?:github\.com/{cfg['user']}/{cfg['repo']}/blob|raw\.githubusercontent\.com/{cfg['user']}/{cfg['repo']})/{cfg['branch']}/(.+)"
missing = [l for l in links if (m := re.fullmatch(ours, l)) and m.group(1) not in tracked]
if missing: sys.exit("nbs/index.ipynb links files of this repository that git does not track: " + ', '.join(missing))
text = "<!-- generated from nbs/index.ipynb: edit the notebook, not this file -->\n\n" + md + "\n"
readme = root/'README.md'
if '--check' in sys.argv:
    if readme.read_text() != text: sys.exit("README.md is stale: run python .ci/make_readme.py")
else: readme.write_text(text)
