"""README.md is the markdown of nbs/index.ipynb. `python .ci/make_readme.py` writes it; `--check` fails if it is stale.

Both refuse prose lines that look like pasted debug output (`name = 15.654397979132652`: a bare assignment of a number
outside a code block), as two lines under the speed table once were; a number in the README comes from a table or a
sentence that says what it is."""
import json, pathlib, re, sys
root = pathlib.Path(__file__).resolve().parents[1]
nb = json.loads((root/'nbs'/'index.ipynb').read_text())
md = '\n\n'.join(''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'markdown')
prose = re.sub(r'```.*?```', '', md, flags=re.S)
debug = [l for l in prose.splitlines() if re.fullmatch(r'[\w /.-]+ = -?[\d.]+(e-?\d+)?', l.strip())]
if debug: sys.exit("nbs/index.ipynb has lines that look like pasted debug output:\n" + '\n'.join(debug))
text = "<!-- generated from nbs/index.ipynb: edit the notebook, not this file -->\n\n" + md + "\n"
readme = root/'README.md'
if '--check' in sys.argv:
    if readme.read_text() != text: sys.exit("README.md is stale: run python .ci/make_readme.py")
else: readme.write_text(text)
