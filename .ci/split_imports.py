"""Give every import its own cell, as nbdev's docs processing needs: each non-export code cell that mixes top-level
import statements with other code is split, in order, into import-only cells and the code between them.

    python .ci/split_imports.py                  # rewrite every notebook under nbs/ that needs it
    python .ci/split_imports.py nbs/05_train.ipynb
    python .ci/split_imports.py --check          # list the cells that would be split; exit 1 if any
    python .ci/split_imports.py --nested         # also imports inside `if`/`with` blocks (see below)

Why: `nbdev_proc_nbs` (the first step of `nbdev_docs`) executes every cell that contains an import, so that the
names the docs need exist; a test cell that also imports is executed out of its context and fails, and nbdev warns
"Found cells containing imports and other code". Rules:

- Only top-level `import`/`from ... import` statements move. Imports inside `if`/`with`/`try`/functions/classes stay
  where they are (they belong to that block); they are reported, because nbdev still executes such cells (a cell
  `if run_tests:` + `import x` fails in the docs build: `run_tests` is not defined there). With `--nested`, imports
  that stand alone on their lines directly inside top-level `if`/`with` blocks (and `if`/`with` blocks within those)
  move up too, under the same safety rule as below, unless that would leave a block empty; imports inside
  `try`/`for`/`while`/functions/classes never move.
- Imports move up into one import cell before the code when that is safe: when no code before an import sets up
  imports (`sys.path`, `sys.modules`, `os.environ`, `importlib`, `chdir`) or uses a name the import binds. Otherwise
  the order is kept: `a = 1; import b; b.f(a)` becomes three cells. Comments go with the statement that follows
  them; `import x; y()` on one line is split too.
- Directives: `#| hide`, `#| eval: ...` and the test flags of settings.ini (`#| slow`, `#| gpu`) go on every part.
  A flag says when the cell's code runs under `nbdev_test`; the imports of a slow cell are needed only by that slow
  code, so they keep the flag (the fast suite does not import what only slow tests use; with the flag the cells run
  exactly as before, together). Note that nbdev's docs processing executes import cells whatever their flags, which
  is harmless for a cell that only imports. Other directives (`#| echo`, `#| output`, `#| label`, `#| fig-cap`, ...)
  describe the cell's code or output and stay with the code; so do the cell's metadata (tags) and outputs.
- Cells with `#| export`, `#| exports`, `#| exporti`, `#| exec_doc` or `#| eval: false` are left alone (nbdev runs or
  skips them as a whole), and so are cells that are not plain Python (magics, shell escapes).
- New import cells get a cell id derived from the split cell's id, so running the script twice changes nothing.
"""
import argparse, ast, configparser, hashlib, json, re, sys, textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIRECTIVE = re.compile(r'^\s*#\s*\|\s*([\w-]+):?\s*(.*)$')
KEEP_WHOLE = {'export', 'exports', 'exporti', 'exec_doc'}

def test_flags() -> set[str]:
    "The test flags of settings.ini (`tst_flags`), e.g. {'slow', 'gpu'}."
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    return set(cfg['DEFAULT'].get('tst_flags', '').split())

def directives(lines: list[str]) -> tuple[list[str], list[str]]:
    "The leading `#|` directive lines of a cell and the lines after them."
    n = 0
    while n < len(lines) and DIRECTIVE.match(lines[n]): n += 1
    return lines[:n], lines[n:]

def _name(d: str) -> str: return DIRECTIVE.match(d).group(1)

UNSAFE = ('sys.path', 'sys.modules', 'os.environ', 'putenv', 'importlib', 'chdir', 'site.')

def _segments(body: str, stmts: list, kinds: list[str]) -> list[tuple[str, list, str]]:
    "(kind, statements, source) of each run of top-level statements of one kind; comments go with the run after them."
    lines = body.splitlines(keepends=True)
    offs = [0]
    for l in lines: offs.append(offs[-1] + len(l))
    def at(line, col): return offs[line - 1] + len(lines[line - 1].encode()[:col].decode())
    runs = []
    for s, k in zip(stmts, kinds):
        if runs and runs[-1][0] == k: runs[-1][1].append(s)
        else: runs.append((k, [s]))
    starts = [0]
    for (_, a), (_, b) in zip(runs, runs[1:]):
        a, b = a[-1], b[0]
        starts.append(at(b.lineno, b.col_offset) if b.lineno <= a.end_lineno else offs[a.end_lineno])
    texts = [body[s:e].rstrip().rstrip(';').rstrip() + '\n' for s, e in zip(starts, starts[1:] + [len(body)])]
    return [(k, ss, t) for (k, ss), t in zip(runs, texts)]

def _bound(s) -> set[str]:
    "The names an import statement binds."
    return {(a.asname or a.name.split('.')[0]) for a in s.names}

def _hoistable(runs) -> bool:
    "Can every import move above the code before it? Not when that code sets up imports or uses/binds their names."
    before = []
    for k, ss, text in runs:
        if k == 'code': before.append(text); continue
        if not before: continue
        if any(u in t for t in before for u in UNSAFE): return False
        used = {n.id for t in before for n in ast.walk(ast.parse(t)) if isinstance(n, ast.Name)}
        if set().union(*map(_bound, ss)) & used: return False
    return True

def _nested_imports(tree, lines: list[str]) -> list:
    "Imports directly inside top-level `if`/`with` blocks (nested ones too) that stand alone on their lines."
    found = []
    def body_imports(body):
        imps = [s for s in body if isinstance(s, (ast.Import, ast.ImportFrom))]
        if len(imps) == len(body): imps = []                      # the block would be left empty: keep them
        for k, s in enumerate(body):
            if isinstance(s, (ast.If, ast.With)): visit(s)
            if s not in imps: continue
            before = body[k - 1].end_lineno if k else 0
            after = body[k + 1].lineno if k + 1 < len(body) else 10**9
            tail = lines[s.end_lineno - 1].encode()[s.end_col_offset:].decode().strip()
            if before < s.lineno and after > s.end_lineno and (not tail or tail.startswith('#')): found.append(s)
    def visit(block):
        body_imports(block.body)
        if isinstance(block, ast.If) and block.orelse: body_imports(block.orelse)
    for s in tree.body:
        if isinstance(s, (ast.If, ast.With)): visit(s)
    return found

def _hoist_nested(body: str, tree) -> tuple[str, list[str]]:
    "(the body without the nested imports that can move up safely, those imports' sources)."
    lines = body.split('\n')
    moved = []
    for s in _nested_imports(tree, lines):
        before = '\n'.join(lines[:s.lineno - 1])
        if any(u in before for u in UNSAFE): continue
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.lineno < s.lineno}
        if _bound(s) & used: continue
        moved.append(s)
    if not moved: return body, []
    drop = {l for s in moved for l in range(s.lineno, s.end_lineno + 1)}
    srcs = [textwrap.dedent('\n'.join(lines[s.lineno - 1:s.end_lineno])).strip() for s in moved]
    return '\n'.join(l for k, l in enumerate(lines, 1) if k not in drop), srcs

def split_source(src: str, flags: set[str], nested: bool = False) -> list[tuple[str, str]] | None:
    "The parts of one cell's source as [('import'|'code', source)], or None when the cell stays as it is."
    lines = src.splitlines()
    dirs, body = directives(lines)
    names = {_name(d) for d in dirs}
    if names & KEEP_WHOLE: return None
    if any(_name(d) == 'eval' and 'false' in d.lower() for d in dirs): return None
    if any(l.lstrip().startswith(('%', '!')) for l in body): return None
    body = '\n'.join(body)
    try: tree = ast.parse(body)
    except SyntaxError: return None
    if 'nbdev_export()' in body: return None                      # nbdev skips this cell anyway
    extra = []
    if nested:
        body, extra = _hoist_nested(body, tree)
        tree = ast.parse(body)
    stmts = tree.body
    kinds = ['import' if isinstance(s, (ast.Import, ast.ImportFrom)) else 'code' for s in stmts]
    if 'code' not in kinds or ('import' not in kinds and not extra): return None
    runs = _segments(body, stmts, kinds)
    if _hoistable(runs):                                          # one import cell, then the code
        runs = [('import', [t + '\n' for t in extra] + [t for kk, _, t in runs if kk == 'import']),
                ('code', [t for kk, _, t in runs if kk == 'code'])]
    else:                                                         # in order: import runs between code runs
        runs = ([('import', [t + '\n' for t in extra])] if extra else []) + [(k, [t]) for k, _, t in runs]
    both = [d for d in dirs if _name(d) in flags | {'hide', 'eval'}]
    parts = []
    for k, gs in runs:
        text = ''.join(gs).strip('\n')
        if not text.strip(): continue
        parts.append((k, '\n'.join((both if k == 'import' else dirs) + [text])))
    return parts

def _cell_id(old: str, i: int) -> str:
    return hashlib.sha1(f'{old}-imports-{i}'.encode()).hexdigest()[:8]

def _lines(src: str) -> list[str]:
    return src.splitlines(keepends=True)

def split_notebook(nb: dict, flags: set[str], nested: bool = False) -> tuple[int, list[int]]:
    "Split `nb`'s mixed cells in place; (cells split, indices of the resulting cells that still import inside a block)."
    out, n = [], 0
    for c in nb['cells']:
        src = ''.join(c['source']) if c['cell_type'] == 'code' else ''
        parts = split_source(src, flags, nested) if src else None
        if not parts: out.append(c); continue
        n += 1
        codes = [i for i, (k, _) in enumerate(parts) if k == 'code']
        for i, (k, s) in enumerate(parts):
            if i == codes[-1]: out.append({**c, 'source': _lines(s)})   # the last code part keeps id, tags, outputs
            else:
                new = {'cell_type': 'code', 'execution_count': None, 'metadata': {}, 'outputs': [], 'source': _lines(s)}
                if 'id' in c: new['id'] = _cell_id(c['id'], i)
                out.append(new)
    nb['cells'] = out
    return n, [i for i, c in enumerate(out) if c['cell_type'] == 'code' and _nested_import(''.join(c['source']))]

def _nested_import(src: str) -> bool:
    "Does a cell without top-level imports import inside a block (nbdev executes it in the docs build)?"
    dirs, body = directives(src.splitlines())
    if {_name(d) for d in dirs} & KEEP_WHOLE: return False
    try: tree = ast.parse('\n'.join(body))
    except SyntaxError: return False
    top = any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in tree.body)
    deep = any(isinstance(n, (ast.Import, ast.ImportFrom)) for s in tree.body for n in ast.walk(s)
               if not isinstance(s, (ast.Import, ast.ImportFrom)))
    return deep and not (top and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in tree.body))

def write_nb(nb: dict, path: Path):
    "Write as nbdev does (sorted keys, indent 1, UTF-8)."
    path.write_text(json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')

CASES = [   # (source, nested, expected parts or None): the rules above, checked by --self-test
    ("import os\nx = 1", False, [('import', 'import os'), ('code', 'x = 1')]),
    ("#| slow\n#| hide\nimport shutil; shutil.rmtree(tmp)  # done", False,
     [('import', '#| slow\n#| hide\nimport shutil'), ('code', '#| slow\n#| hide\nshutil.rmtree(tmp)  # done')]),
    ("import os\nos.environ['A'] = '1'\nimport torch\ntorch.x()", False,
     [('import', 'import os'), ('code', "os.environ['A'] = '1'"), ('import', 'import torch'), ('code', 'torch.x()')]),
    ("#| echo: false\nfrom a import (b,\n   c)\n# note\nb(c)", False,
     [('import', 'from a import (b,\n   c)'), ('code', '#| echo: false\n# note\nb(c)')]),
    ("x = 1\nwith f() as g:\n    import y\n", False, None),
    ("#| export\nimport os\nx = 1", False, None),
    ("def f():\n    import os\n    return os\nf()", False, None),
    ("y = np.zeros(2)\nimport numpy as np", False, [('code', 'y = np.zeros(2)'), ('import', 'import numpy as np')]),
    ("a = 1; b = 2\nfrom m import f\nf(a)", False, [('import', 'from m import f'), ('code', 'a = 1; b = 2\nf(a)')]),
    ("#| slow\nif run_tests:\n    import scipy.io\n    x = scipy.io.loadmat(f)", True,
     [('import', '#| slow\nimport scipy.io'), ('code', '#| slow\nif run_tests:\n    x = scipy.io.loadmat(f)')]),
    ("if run_tests:\n    import scipy.io\n    x = scipy.io.loadmat(f)", False, None),
    ("if a:\n    import x\n", True, None),
    ("try:\n    import x\n    y = 1\nexcept ImportError: pass", True, None),
    ("if a:\n    with g():\n        import x, y\n        x.f()\nimport z\nz()", True,
     [('import', 'import x, y\nimport z'), ('code', 'if a:\n    with g():\n        x.f()\nz()')]),
    ("y = x.f()\nif a:\n    import x\n    x.g()", True, None),
    ("if a:\n    import x; x.g()\n    x.h()", True, None),
]

def self_test():
    "Check the rules on CASES, and that splitting a second time changes nothing."
    flags = {'slow', 'gpu'}
    for src, nested, want in CASES:
        got = split_source(src, flags, nested)
        assert got == want, f"{src!r}: {got} != {want}"
        for _, part in got or []: assert split_source(part, flags, nested) is None, f"{part!r} would be split again"
    print(f"split_imports: {len(CASES)} cases as expected")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('notebooks', nargs='*', help='notebooks (default: every notebook under nbs/)')
    ap.add_argument('--check', action='store_true', help='change nothing; exit 1 if a cell would be split')
    ap.add_argument('--nested', action='store_true', help='also move imports out of `if`/`with` blocks (see above)')
    ap.add_argument('--self-test', action='store_true', help='check the rules on examples and exit')
    ap.add_argument('--quiet', action='store_true', help='do not list the cells that import inside a block')
    a = ap.parse_args()
    if a.self_test: self_test(); sys.exit(0)
    paths = [Path(p) for p in a.notebooks] or sorted(p for p in (ROOT/'nbs').rglob('*.ipynb')
                                                      if not any(q.startswith('.') or q == '_proc' for q in p.parts))
    flags, total, changed, nested_total = test_flags(), 0, [], 0
    for p in paths:
        nb = json.loads(p.read_text(encoding='utf-8'))
        n, nested = split_notebook(nb, flags, a.nested)
        nested_total += len(nested)
        if nested and not a.quiet:
            print(f"{p.name}: cells {', '.join(map(str, nested))} import inside a block (nbdev's docs build executes them)")
        if not n: continue
        total += n; changed.append(p)
        print(f"{p.name}: {n} cell{'s' * (n != 1)} mix imports with other code" + ('' if a.check else ': split'))
        if not a.check: write_nb(nb, p)
    verb = 'to split' if a.check else 'split'
    print(f"{total} cells {verb} in {len(changed)} of {len(paths)} notebooks; {nested_total} cells import inside a block")
    sys.exit(1 if a.check and total else 0)
