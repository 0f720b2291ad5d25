"""`nbdev_test` that says what it did: one line per notebook as it finishes, every check it skipped and why, and a
count at the end.

    python .ci/test.py                        # every notebook (cells flagged slow or gpu are not run)
    python .ci/test.py --flags slow           # slow cells too, as CI does
    python .ci/test.py --path nbs/05_train.ipynb

Each notebook runs exactly as `nbdev_test` runs it (nbdev's `NBProcessor`, execnb's `CaptureShell`, the same cells
skipped, `IN_TEST=1`, the notebooks in parallel, one worker per core up to 8). A check that cannot run here says so
in a line starting with `SKIP` (the shared-data lookup of `97_test_utils` prints one when ../shared/data is absent);
those lines are collected from the cells' outputs. The last line is the count, in the form CI reads:
`nbdev_test: N notebooks passed, N failed (...)`; the exit status is 1 when a notebook failed."""
import argparse, os, sys, time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def _texts(cell) -> list[str]:
    "The text a cell printed (streams and plain-text results)."
    out = []
    for o in cell.get('outputs', []):
        t = o.get('text') if o.get('output_type') == 'stream' else (o.get('data') or {}).get('text/plain')
        if t: out.append(''.join(t))
    return out

def run_notebook(fn: str, skip_flags: list[str], force_flags: list[str]) -> dict:
    "Test one notebook as nbdev's `test_nb` does; also return the flagged cells not run and the SKIP lines printed."
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    from nbdev.frontmatter import FrontmatterProc
    from nbdev.process import NBProcessor
    os.environ['IN_TEST'] = '1'
    if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))
    fn, flags, not_run = Path(fn), set(skip_flags) - set(force_flags), Counter()
    nb = NBProcessor(fn, procs=FrontmatterProc, process=True).nb
    def _no_eval(cell):
        if cell.cell_type != 'code' or 'nbdev_export' + '(' in cell.source: return True
        d = getattr(cell, 'directives_', {}) or {}
        if d.get('eval:', [''])[0].lower() == 'false': return True
        hit = flags & d.keys()
        not_run.update(hit)
        return hit
    k, start, err = CaptureShell(fn), time.time(), ''
    try:
        with working_directory(fn.parent): k.run_all(nb, exc_stop=True, preproc=_no_eval)
        ok = True
    except Exception:
        ok, err = False, k.prettytb(fname=fn)
    skips = [l.strip() for c in nb.cells for t in _texts(c) for l in t.splitlines() if l.strip().startswith('SKIP')]
    return dict(name=fn.name, ok=ok, seconds=time.time() - start, not_run=dict(not_run), skips=skips, error=err)

def notebooks(path: str | None) -> list[Path]:
    "The notebooks nbdev_test would test (nbdev's nbglob, without `.notest` folders)."
    from nbdev.doclinks import nbglob
    from nbdev.test import _keep_file
    return [f.absolute() for f in sorted(nbglob(path, as_path=True)) if _keep_file(f.absolute(), '.notest')]

def line(r: dict) -> str:
    "The line of one finished notebook."
    extra = ', '.join(f"{n} {f} cell{'s' * (n != 1)} not run" for f, n in sorted(r['not_run'].items()))
    return f"{'ok  ' if r['ok'] else 'FAIL'} {r['name']:<28} {r['seconds']:6.0f} s" + (f"  ({extra})" if extra else '')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--path', help='a notebook or glob (default: every notebook)')
    ap.add_argument('--flags', default='', help='flags of cells to run that are normally skipped, e.g. "slow"')
    ap.add_argument('--n_workers', type=int, help='parallel notebooks (default: one per core, at most 8)')
    a = ap.parse_args()
    os.chdir(ROOT)
    from nbdev.config import get_config
    skip_flags, force_flags = get_config().tst_flags.split(), a.flags.split()
    files = notebooks(a.path)
    if not files: sys.exit('no notebooks to test')
    n = a.n_workers if a.n_workers is not None else (0 if len(files) == 1 else min(os.cpu_count() or 1, 8))
    print(f"testing {len(files)} notebooks, {max(n, 1)} at a time"
          f" ({'flags run: ' + a.flags if a.flags else 'cells flagged ' + ' or '.join(skip_flags) + ' are not run'})", flush=True)
    start, results = time.time(), []
    os.chdir(get_config().nbs_path)                      # as nbdev_test: the notebooks' folder is the working directory
    if n == 0: results = [run_notebook(str(f), skip_flags, force_flags) for f in files]; print(line(results[0]))
    else:
        with ProcessPoolExecutor(n) as ex:
            for fut in as_completed([ex.submit(run_notebook, str(f), skip_flags, force_flags) for f in files]):
                results.append(fut.result()); print(line(results[-1]), flush=True)
    failed = sorted(r['name'] for r in results if not r['ok'])
    for r in sorted(results, key=lambda r: r['name']):
        if r['error']: print(f"\n{r['name']}:\n{r['error']}", file=sys.stderr)
    skips = [(r['name'], s) for r in sorted(results, key=lambda r: r['name']) for s in r['skips']]
    if skips:
        print(f"\n{len(skips)} checks skipped:")
        for name, s in skips: print(f"  {name}: {s}")
    not_run = sum((Counter(r['not_run']) for r in results), Counter())
    cells = ', '.join(f"{k} {f} cells not run" for f, k in sorted(not_run.items())) or 'every cell run'
    print(f"nbdev_test: {len(results) - len(failed)} notebooks passed, {len(failed)} failed"
          f" ({cells}; {len(skips)} checks skipped) in {time.time() - start:.0f} s" + (f": {', '.join(failed)}" if failed else ''))
    sys.exit(1 if failed else 0)
