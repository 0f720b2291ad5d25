"""The pass/fail count of one `nbdev_test` run, read from its output; exits 1 unless every notebook passed.

    nbdev_test --n_workers 2 --flags slow --timing 2>&1 | tee log; rc=${PIPESTATUS[0]}
    python .ci/count_tests.py log --rc $rc --seconds S --flags slow      # the line CI ends on

nbdev_test prints "Success." and, with --timing, one "<notebook>: N secs" line per notebook when all pass; otherwise it
prints "nbdev Tests Failed On The Following Notebooks:", a fence and one tab-indented name per failed notebook, and exits 1.
The notebooks it ran are those of `nbs/` that nbdev_test itself selects (nbdev's nbglob, without `.notest` folders)."""
import argparse, os, re, sys
from pathlib import Path

def tested_notebooks() -> list[str]:
    "Names of the notebooks `nbdev_test` selects: nbdev's own nbglob and `.notest` rule, from the repository root."
    from nbdev.doclinks import nbglob
    from nbdev.test import _keep_file
    return sorted(f.name for f in nbglob(as_path=True) if _keep_file(f.absolute(), '.notest'))

def count(text: str, rc: int, names: list[str]) -> tuple[int, list[str], str]:
    "(passed, failed names, problem or '') from nbdev_test's output `text` and exit status `rc`."
    if 'nbdev Tests Failed On The Following Notebooks:' in text:
        tail = text.split('nbdev Tests Failed On The Following Notebooks:', 1)[1]
        failed = re.findall(r'^\t(\S+\.ipynb)\s*$', tail, flags=re.M)
        unknown = sorted(set(failed) - set(names))
        if not failed or unknown: return 0, failed, f"cannot read the failed notebooks from the output ({unknown or 'none listed'})"
        return len(names) - len(failed), failed, ''
    if rc != 0: return 0, [], f"nbdev_test exited {rc} without a list of failed notebooks (it did not finish)"
    if not re.search(r'^Success\.\s*$', text, flags=re.M): return 0, [], "no 'Success.' line in the output"
    timed = re.findall(r'^(\S+\.ipynb): \d+ secs\s*$', text, flags=re.M)
    if timed and sorted(timed) != names:
        return 0, [], f"--timing lists {len(timed)} notebooks, nbs/ has {len(names)}: {sorted(set(names) ^ set(timed))}"
    return len(names), [], ''

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('log', help="nbdev_test's stdout and stderr, as one file")
    ap.add_argument('--rc', type=int, required=True, help="nbdev_test's exit status")
    ap.add_argument('--seconds', type=int, help='wall-clock seconds of the run')
    ap.add_argument('--flags', default='', help='the --flags nbdev_test ran with')
    a = ap.parse_args()
    text = Path(a.log).read_text(errors='replace')
    os.chdir(Path(__file__).resolve().parents[1])
    passed, failed, problem = count(text, a.rc, tested_notebooks())
    cells = 'slow cells included' if 'slow' in a.flags.split() else 'slow cells skipped'
    took = f' in {a.seconds} s' if a.seconds is not None else ''
    if problem: print(f"nbdev_test: not counted ({problem}){took}"); sys.exit(1)
    print(f"nbdev_test: {passed} notebooks passed, {len(failed)} failed ({cells}){took}"
          + (f": {', '.join(failed)}" if failed else ''))
    sys.exit(1 if failed else 0)
