"""The outputs a reader sees in the notebooks: made by one command, never by hand, and checked to be current.

    python .ci/outputs.py                       # run the notebooks that have marked cells; save those cells' outputs
    python .ci/outputs.py nbs/05_train.ipynb    # some of them
    python .ci/outputs.py --check               # regenerate in memory; exit 1 if a saved output is stale or missing

A cell keeps its output when its metadata tags include `keep-output` (settings.ini keeps `tags`, and nbdev_clean keeps
outputs: `clear_all = False`); every other cell of the notebook is saved without outputs, and a marked cell without what it wrote to
stderr (progress bars with their timings, warnings). A notebook runs as
`nbdev_test` runs it (`IN_TEST=1`, execnb's shell, cells flagged `slow`/`gpu` skipped), except that a marked cell runs
even when flagged. The real-data cells read the shared data folder as the tests do (`../shared/data` beside the
repository; run this in a checkout that has it, or the figures of the published results are left out); torch uses one
thread, so numbers do not depend on the machine's core count. Figures are PNG at `--dpi` (default 60). The notebook is written
cleaned as `nbdev_clean` writes it, so `nbdev_clean` changes nothing afterwards.

`--check` fails when a marked cell's text (printed lines, tables) differs from what is saved, when a marked cell has
no saved output, or when the number of figures of a cell or their pixel size differs by more than 10%; figures are
not compared byte by byte (PNG bytes change with library versions). A marked cell should therefore print what it
draws in words or numbers (07_figures prints a fingerprint of each figure's values), so that changed values show up
as changed text. Keep marked outputs deterministic: no timings, temporary paths or memory addresses."""
import argparse, base64, json, os, struct, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TAG = 'keep-output'
TEXT_KEYS = ('text/plain', 'text/markdown', 'text/html', 'text/latex')

def marked(cell: dict) -> bool: return TAG in cell.get('metadata', {}).get('tags', [])

def marked_notebooks() -> list[Path]:
    "The notebooks of nbs/ with at least one marked cell."
    return [p for p in sorted((ROOT/'nbs').glob('*.ipynb'))
            if any(marked(c) for c in json.loads(p.read_text(encoding='utf-8'))['cells'])]

def execute(path: Path, dpi: int) -> dict[str, list]:
    "Run `path` as nbdev_test does (marked cells always) and return the outputs of its marked cells by cell id."
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    from nbdev.config import get_config
    from nbdev.frontmatter import FrontmatterProc
    from nbdev.process import NBProcessor
    from hba_perturb.testing import skipped_by
    os.environ['IN_TEST'] = '1'
    flags = set(get_config().tst_flags.split())
    raw = {c['id']: c for c in json.loads(path.read_text(encoding='utf-8'))['cells']}
    nb = NBProcessor(path, procs=FrontmatterProc, process=True).nb
    def _no_eval(cell):                                            # nbdev_test's rule, except that marked cells run
        why = skipped_by(cell, flags)
        return why is True or (bool(why) and not marked(raw.get(cell.get('id'), {})))
    k = CaptureShell(path, mpl_format='png')
    k.run_cell(f"set_matplotlib_formats('png', dpi={dpi})")
    with working_directory(path.parent): k.run_all(nb, exc_stop=True, preproc=_no_eval)
    return {c['id']: list(c.get('outputs', [])) for c in nb.cells if marked(raw.get(c.get('id'), {}))}

def clean(nb: dict) -> dict:
    "The notebook as nbdev_clean leaves it (settings.ini's metadata keys and clean_ids)."
    from nbdev.clean import clean_nb
    from nbdev.config import get_config
    cfg = get_config()
    clean_nb(nb, clear_all=False, allowed_metadata_keys=cfg.get('allowed_metadata_keys', '').split(),
             allowed_cell_metadata_keys=cfg.get('allowed_cell_metadata_keys', '').split(), clean_ids=cfg.clean_ids)
    return nb

def with_outputs(path: Path, outputs: dict[str, list]) -> dict:
    "The notebook at `path` with `outputs` in its marked cells and no outputs elsewhere, cleaned."
    nb = json.loads(path.read_text(encoding='utf-8'))
    for c in nb['cells']:
        if c['cell_type'] == 'code':                                   # stderr (progress bars, warnings) is not kept
            c['outputs'] = [dict(o) for o in outputs.get(c['id'], []) if o.get('name') != 'stderr'] if marked(c) else []
    return clean(json.loads(json.dumps(nb)))

def _text(o: dict) -> str:
    if o.get('output_type') == 'stream': return f"[{o.get('name')}] " + ''.join(o.get('text', ''))
    d = o.get('data', {})
    if o.get('output_type') == 'error': return f"[error] {o.get('ename')}: {o.get('evalue')}"
    return '\n'.join(f"[{k}] " + ''.join(d[k]) for k in TEXT_KEYS if k in d and not any(i.startswith('image/') for i in d))

def _png_size(b64) -> tuple[int, int]:
    b = base64.b64decode(''.join(b64))
    return struct.unpack('>II', b[16:24])

def summary(outputs: list) -> tuple[list[str], list[tuple[int, int]]]:
    "(the texts, the pixel sizes of the PNG figures) of one cell's outputs."
    texts = [t for t in map(_text, outputs) if t]
    return texts, [_png_size(o['data']['image/png']) for o in outputs if 'image/png' in o.get('data', {})]

def compare(saved: list, fresh: list) -> str:
    "Why the saved outputs of one cell are stale ('' when they are current)."
    (st, sp), (ft, fp) = summary(saved), summary(fresh)
    if not saved: return 'no saved output'
    if st != ft:
        a, b = '\n'.join(st), '\n'.join(ft)
        i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        return f"text differs at character {i}: saved {a[max(0, i - 40):i + 60]!r}, now {b[max(0, i - 40):i + 60]!r}"
    if len(sp) != len(fp): return f"{len(sp)} figures saved, {len(fp)} now"
    for (w0, h0), (w1, h1) in zip(sp, fp):
        if abs(w0 - w1) > 0.1 * w1 or abs(h0 - h1) > 0.1 * h1: return f"a figure is {w0}x{h0} px saved, {w1}x{h1} now"
    return ''

def write_nb(nb: dict, path: Path):
    path.write_text(json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('notebooks', nargs='*', help='notebooks (default: every notebook with a marked cell)')
    ap.add_argument('--check', action='store_true', help='change nothing; exit 1 if a saved output is stale')
    ap.add_argument('--dpi', type=int, default=60, help='resolution of saved figures (default 60)')
    a = ap.parse_args()
    os.environ.setdefault('OMP_NUM_THREADS', '1'); os.environ.setdefault('MPLBACKEND', 'Agg')
    mirror = ROOT.parent/'shared'/'data'
    if 'HBA_PERTURB_DATA' not in os.environ and mirror.is_dir(): os.environ['HBA_PERTURB_DATA'] = str(mirror)
    sys.path.insert(0, str(ROOT)); os.chdir(ROOT)
    paths = [Path(p).resolve() for p in a.notebooks] or marked_notebooks()
    problems, total = [], 0
    for p in paths:
        t0 = time.time()
        fresh = execute(p, a.dpi)
        total += len(fresh)
        if a.check:
            saved = {c['id']: c.get('outputs', []) for c in json.loads(p.read_text(encoding='utf-8'))['cells'] if marked(c)}
            nb = with_outputs(p, fresh)
            now = {c['id']: c.get('outputs', []) for c in nb['cells'] if marked(c)}
            bad = [(i, why) for i in saved if (why := compare(saved[i], now.get(i, [])))]
            problems += [f"{p.name} cell {i}: {why}" for i, why in bad]
            print(f"{'ok   ' if not bad else 'STALE'} {p.name}: {len(fresh)} marked cells ({time.time() - t0:.0f} s)", flush=True)
        else:
            write_nb(with_outputs(p, fresh), p)
            kb = sum(len(json.dumps(o)) for os_ in fresh.values() for o in os_) / 1024
            print(f"wrote {p.name}: {len(fresh)} marked cells, {kb:.0f} kB of outputs ({time.time() - t0:.0f} s)", flush=True)
    for x in problems: print(x)
    if a.check and problems: sys.exit(f"{len(problems)} saved outputs are stale: run python .ci/outputs.py and commit the notebooks")
    print(f"{total} marked cells in {len(paths)} notebooks " + ('are current' if a.check else 'saved'))
