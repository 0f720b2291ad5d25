"""README.md is the markdown of nbs/index.ipynb. `python .ci/make_readme.py` writes it; `--check` fails if it is stale."""
import json, pathlib, sys
root = pathlib.Path(__file__).resolve().parents[1]
nb = json.loads((root/'nbs'/'index.ipynb').read_text())
md = '\n\n'.join(''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'markdown')
text = "<!-- generated from nbs/index.ipynb: edit the notebook, not this file -->\n\n" + md + "\n"
readme = root/'README.md'
if '--check' in sys.argv:
    if readme.read_text() != text: sys.exit("README.md is stale: run python .ci/make_readme.py")
else: readme.write_text(text)
