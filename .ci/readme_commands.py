"""Run every command of the README's "Quick start", "Train", "Figures" and "Reproduce the study" bash blocks, as written, in a fresh clone of this repository.

Each must exit 0 and print no warning (no line with "warning" in any case, on stdout or stderr); the notebook a papermill
command writes must hold no warning in its outputs either (e.g. tqdm's "IProgress not found", papermill's parse notes)."""
import json, os, re, shlex, subprocess, sys, tempfile, time
from pathlib import Path
root = Path(__file__).resolve().parents[1]
text = (root/'README.md').read_text()
sections = re.split(r'^## ', text, flags=re.M)
cmds = []
for sec in sections:
    if sec.split('\n', 1)[0].strip() not in ('Quick start', 'Train', 'Figures', 'Reproduce the study'): continue
    for block in re.findall(r'```bash\n(.*?)```', sec, flags=re.S):
        cmds += [l.split('  #')[0].strip() for l in block.splitlines() if l.strip() and not l.startswith('#')]
WARNING = re.compile('warning', re.I)
if not cmds: sys.exit("no commands found in the README's Train/Figures sections")
with tempfile.TemporaryDirectory() as d:
    clone = Path(d)/'clone'
    subprocess.run(['git', 'clone', '-q', str(root), str(clone)], check=True)
    env = {**os.environ, 'PYTHONPATH': str(clone)}
    mirror = root.parent/'shared'/'data'           # offline: the published files from the local mirror beside the checkout
    if mirror.is_dir() and 'HBA_PERTURB_DATA' not in env: env['HBA_PERTURB_DATA'] = str(mirror)
    for c in cmds:
        t0 = time.time()
        r = subprocess.run(c, shell=True, cwd=clone, env=env, capture_output=True, text=True)
        print(f"{'ok  ' if r.returncode == 0 else 'FAIL'} {time.time() - t0:6.1f} s  {c}", flush=True)
        if r.returncode: sys.exit(f"README command failed (exit {r.returncode}): {c}\n{r.stderr[-2000:]}")
        warned = [l for l in (r.stdout + r.stderr).splitlines() if WARNING.search(l)]
        if warned: sys.exit(f"README command printed a warning: {c}\n" + '\n'.join(warned[:5]))
        if c.startswith('papermill '):
            out = Path(shlex.split(c)[2]); out = out if out.is_absolute() else clone/out
            texts = [json.dumps(o) for cell in json.loads(out.read_text())['cells'] for o in cell.get('outputs', [])]
            warned = [t[:300] for t in texts if WARNING.search(t) or 'IProgress' in t]
            if warned: sys.exit(f"the notebook written by `{c}` holds a warning in its outputs:\n" + '\n'.join(warned[:3]))
    dirty = subprocess.run(['git', 'status', '--porcelain'], cwd=clone, capture_output=True, text=True, check=True).stdout
    if dirty.strip(): sys.exit(f"README commands left files in the clone that git sees (write them elsewhere or ignore them):\n{dirty}")
    print(f"{len(cmds)} README commands ran as written in a fresh clone, which git status still finds clean")
