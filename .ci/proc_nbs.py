"""nbdev's docs processing (`nbdev_proc_nbs`, the step `nbdev_docs` runs before Quarto), failing on any error or warning.

    python .ci/proc_nbs.py                         # every notebook, into _proc/ (ignored by git)
    python .ci/proc_nbs.py --file_glob '05_*'      # some of them

`nbdev_proc_nbs` first makes sure Quarto is installed and, when it is not, installs it with `sudo` and then runs
`pip install -e .` (nbdev's `install`). Quarto cannot be installed from the package registries, and processing the
notebooks does not need it, so this runs the same steps (`refresh_quarto_yml`, the module index, `sidebar.yml`,
`proc_nbs`) without that one. Everything is rebuilt (no cache). It exits 1, printing what nbdev said, when a
notebook fails to process or nbdev prints a warning (such as "Found cells containing imports and other code").
Afterwards `git status` must be clean: the generated `nbs/_quarto.yml`, `nbs/nbdev.yml`, `nbs/sidebar.yml` are
committed, so a stale one shows up as a change."""
import os, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN = """
import sys, warnings
import nbdev.quarto as q
q._ensure_quarto = lambda: None                      # processing needs no Quarto; never install it here
q.nbdev_proc_nbs.__wrapped__(force=True, **dict(a.split('=', 1) for a in sys.argv[1:]))
"""
BAD = re.compile(r'warn|error|traceback|exception', re.I)

if __name__ == '__main__':
    args = [a.lstrip('-').replace('-', '_', 0) for a in sys.argv[1:]]
    kw = [f'{k}={v}' for k, v in zip(args[::2], args[1::2])]
    r = subprocess.run([sys.executable, '-W', 'always', '-c', RUN, *kw], cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, 'PYTHONWARNINGS': 'always', 'MPLBACKEND': 'Agg'})
    out = (r.stdout + r.stderr).strip()
    bad = [l for l in out.splitlines() if BAD.search(l)]
    if r.returncode or bad:
        print(out[-20000:])
        sys.exit(f"nbdev_proc_nbs: {'failed (exit %d)' % r.returncode if r.returncode else 'warnings'}: "
                 f"{len(bad)} lines name a warning or an error (above)")
    n = len(list((ROOT/'_proc').rglob('*.ipynb')))
    print(f"nbdev_proc_nbs: {n} notebooks processed into _proc/, no error, no warning")
