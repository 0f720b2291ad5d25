"""Give every import its own cell, as nbdev's docs processing needs: each non-export code cell that mixes top-level
import statements with other code is split, in order, into import-only cells and the code between them.

    python .ci/split_imports.py                  # rewrite every notebook under nbs/ that needs it
    python .ci/split_imports.py nbs/05_train.ipynb
    python .ci/split_imports.py --check          # list the cells that would be split; exit 1 if any

Why: `nbdev_proc_nbs` (the first step of `nbdev_docs`) executes every cell that contains an import, so that the
names the docs need exist; a test cell that also imports is executed out of its context and fails, and nbdev warns
"Found cells containing imports and other code". Rules:

- Only top-level `import`/`from ... import` statements move. Imports inside `if`/`with`/`try`/functions/classes stay
  where they are (they belong to that block); they are reported, because nbdev still executes such cells.
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
import argparse, ast, configparser, hashlib, json, re, sys
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

def split_source(src: str, flags: set[str]) -> list[tuple[str, str]] | None:
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
    stmts = tree.body
    kinds = ['import' if isinstance(s, (ast.Import, ast.ImportFrom)) else 'code' for s in stmts]
    if 'import' not in kinds or 'code' not in kinds: return None
    if 'nbdev_export()' in body: return None                      # nbdev skips this cell anyway
    runs = _segments(body, stmts, kinds)
    if _hoistable(runs):                                          # one import cell, then the code
        runs = [(k, [t for kk, _, t in runs if kk == k]) for k in ('import', 'code')]
    else: runs = [(k, [t]) for k, _, t in runs]                   # in order: import runs between code runs
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

def split_notebook(nb: dict, flags: set[str]) -> tuple[int, list[int]]:
    "Split `nb`'s mixed cells in place; (cells split, indices of cells left alone that import inside a block)."
    out, n, nested = [], 0, []
    for idx, c in enumerate(nb['cells']):
        src = ''.join(c['source']) if c['cell_type'] == 'code' else ''
        parts = split_source(src, flags) if src else None
        if not parts:
            out.append(c)
            if src and _nested_import(src): nested.append(idx)
            continue
        n += 1
        codes = [i for i, (k, _) in enumerate(parts) if k == 'code']
        for i, (k, s) in enumerate(parts):
            if i == codes[-1]: out.append({**c, 'source': _lines(s)})   # the last code part keeps id, tags, outputs
            else:
                new = {'cell_type': 'code', 'execution_count': None, 'metadata': {}, 'outputs': [], 'source': _lines(s)}
                if 'id' in c: new['id'] = _cell_id(c['id'], i)
                out.append(new)
    nb['cells'] = out
    return n, nested

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

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('notebooks', nargs='*', help='notebooks (default: every notebook under nbs/)')
    ap.add_argument('--check', action='store_true', help='change nothing; exit 1 if a cell would be split')
    ap.add_argument('--quiet', action='store_true', help='do not list the cells that import inside a block')
    a = ap.parse_args()
    paths = [Path(p) for p in a.notebooks] or sorted(p for p in (ROOT/'nbs').rglob('*.ipynb')
                                                      if not any(q.startswith('.') or q == '_proc' for q in p.parts))
    flags, total, changed, nested_total = test_flags(), 0, [], 0
    for p in paths:
        nb = json.loads(p.read_text(encoding='utf-8'))
        n, nested = split_notebook(nb, flags)
        nested_total += len(nested)
        if nested and not a.quiet:
            print(f"{p.name}: cells {', '.join(map(str, nested))} import inside a block (left as they are)")
        if not n: continue
        total += n; changed.append(p)
        print(f"{p.name}: {n} cell{'s' * (n != 1)} mix imports with other code" + ('' if a.check else ': split'))
        if not a.check: write_nb(nb, p)
    verb = 'to split' if a.check else 'split'
    print(f"{total} cells {verb} in {len(changed)} of {len(paths)} notebooks; {nested_total} cells import inside a block")
    sys.exit(1 if a.check and total else 0)
