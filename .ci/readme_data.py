"""Follow the README's data section word for word in a fresh clone, on stand-ins of every file it names, up to
`hba-study configs/study_paper.yaml --dry-run`.

The stand-ins are what a researcher downloads by hand: THINGS as osf.io/jum2f ships it (`THINGS/Images/
object_images_A-C.zip` ... with `password.txt`, tiny JPEGs of the 1854 names of `things1854_image_names.csv` and of
the 720 THINGS-fMRI stimuli; unpacked folders when the `zip` command is missing), the THINGS-fMRI `betas_csv` files of
subjects 1-3 (synthetic, in the published layout), and, in a local mirror (`$HBA_PERTURB_DATA`), the registry's files
(from ../shared/data) and the ViT-L/14 weights as `hba-data weights` places them (zeros with the model's tensor names
and shapes, a sparse file). Then the README's bash block runs as one script, unchanged, in the clone.
"""
import os, re, shutil, subprocess, sys, tempfile
from pathlib import Path

root = Path(__file__).resolve().parents[1]
shared = Path(os.environ.get('HBA_PERTURB_DATA') or root.parent/'shared'/'data')
if not (shared/'things'/'things1854_image_names.csv').is_file():
    print(f"SKIP: the registry's files are needed from a local mirror ({shared}); set HBA_PERTURB_DATA"); sys.exit(0)
text = (root/'README.md').read_text()
sec = next((s for s in re.split(r'^## ', text, flags=re.M) if s.startswith('Real THINGS data and CLIP weights')), None)
if sec is None: sys.exit("README: no section 'Real THINGS data and CLIP weights'")
blocks = re.findall(r'```bash\n(.*?)```', sec, flags=re.S)
if len(blocks) != 1: sys.exit(f"README's data section: expected one bash block, found {len(blocks)}")
block = blocks[0]
if 'hba-study configs/study_paper.yaml --dry-run' not in block: sys.exit("README's data section does not reach hba-study --dry-run")

with tempfile.TemporaryDirectory() as d:
    d = Path(d); clone = d/'clone'
    subprocess.run(['git', 'clone', '-q', str(root), str(clone)], check=True)
    sys.path.insert(0, str(clone))
    import numpy as np, pandas as pd
    from hba_perturb.study import synthetic_things_tree, standin_weights
    from hba_perturb.neural import write_things_fmri, THINGS_FMRI_ROIS
    # the registry's files and the placed weights, in a local mirror
    mirror = d/'mirror'; mirror.mkdir(); (mirror/'things').symlink_to(shared/'things')
    standin_weights('ViT-L-14', 'openai', mirror/'weights')
    # THINGS as downloaded: the 1854 images and the 720 THINGS-fMRI stimuli
    names = list(pd.read_csv(shared/'things'/'things1854_image_names.csv').image_name)
    stim720 = pd.read_csv(shared/'things'/'things_fmri_stimulus_metadata_720_images.csv', index_col=0)
    zipped = shutil.which('zip') is not None
    synthetic_things_tree(clone/'THINGS', names + list(stim720.stimulus), zipped=zipped)
    print(f"stand-in THINGS: {len(names)} + {len(stim720)} images, {'password-protected zips' if zipped else 'unpacked folders (no zip command)'}")
    # THINGS-fMRI betas_csv of subjects 1-3: the study's 720 concepts, its ROIs, 500 voxels outside every ROI
    betas = clone/'data'/'things_fmri'/'betas_csv'; betas.mkdir(parents=True)
    concepts, g = list(stim720.concept), np.random.default_rng(0)
    for s in (1, 2, 3):
        w = d/f'fmri{s}'
        write_things_fmri(w, {r: g.normal(size=(len(concepts), 20)) for r in THINGS_FMRI_ROIS}, concepts, images_per_concept=1,
                          repetitions=1, seed=s, extra_voxels=500, dtype='float32')
        st = pd.read_csv(w/'sub-01_StimulusMetadata.csv')
        st['stimulus'] = st.stimulus.str.replace(r'_01s\.jpg$', '', regex=True).map(dict(zip(stim720.concept, stim720.stimulus)))
        st.to_csv(w/'sub-01_StimulusMetadata.csv', index=False)
        for f in w.glob('sub-01_*'): f.rename(betas/f.name.replace('sub-01', f'sub-{s:02d}'))
    # the README's block, word for word, as one script in the clone
    env = {k: v for k, v in os.environ.items() if k not in ('HBA_PERTURB_WEIGHTS',)}
    env.update(PYTHONPATH=str(clone), HBA_PERTURB_DATA=str(mirror), MPLBACKEND='Agg')
    r = subprocess.run(['bash', '-e', '-c', block], cwd=clone, env=env, capture_output=True, text=True)
    print(r.stdout[-6000:]); print(r.stderr[-3000:], file=sys.stderr)
    if r.returncode: sys.exit(f"the README's data section failed (exit {r.returncode})")
    for want in ('1854 THINGS images in data/Things1854', '720 THINGS images in data/things_fmri_images',
                 'ViT-L-14 openai weights placed', 'study paper: 220 conditions',
                 'THINGS-fMRI: reading a subject needs', 'from its files in data/things_fmri/betas_csv'):
        if want not in r.stdout: sys.exit(f"the README's data section ran, but its output lacks {want!r}")
    if 'PROBLEM' in r.stdout: sys.exit("hba-train --check reported a problem")
    warned = [l for l in (r.stdout + r.stderr).splitlines() if 'warning' in l.lower()]
    if warned: sys.exit("the README's data section printed a warning:\n" + '\n'.join(warned[:5]))
    print(f"the README's data section ran word for word in a fresh clone, on stand-ins of every file, up to hba-study --dry-run")
