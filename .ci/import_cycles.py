"""Fail when hba_perturb's modules import each other in a cycle (imports inside functions count too)."""
import ast, pathlib, sys
pkg = pathlib.Path(__file__).resolve().parents[1]/'hba_perturb'
mods = {p.stem for p in pkg.glob('*.py') if not p.stem.startswith('_')}

def deps(m: str) -> set:
    out = set()
    for n in ast.walk(ast.parse((pkg/f'{m}.py').read_text())):
        if isinstance(n, ast.ImportFrom) and n.module and n.level == 0 and n.module.startswith('hba_perturb'):
            out |= {n.module.split('.')[1]} if '.' in n.module else {a.name for a in n.names}
        elif isinstance(n, ast.ImportFrom) and n.level == 1: out |= {n.module.split('.')[0]} if n.module else {a.name for a in n.names}
        elif isinstance(n, ast.Import): out |= {a.name.split('.')[1] for a in n.names if a.name.startswith('hba_perturb.')}
    return (out & mods) - {m}

graph = {m: deps(m) for m in sorted(mods)}
state, cycles = {}, []
def visit(m, path):
    state[m] = 'open'
    for d in sorted(graph[m]):
        if state.get(d) == 'open': cycles.append(' -> '.join(path[path.index(d):] + [d]))
        elif d not in state: visit(d, path + [d])
    state[m] = 'done'
for m in graph:
    if m not in state: visit(m, [m])
for m, d in graph.items(): print(f"{m:>14} imports {', '.join(sorted(d)) or '-'}")
if cycles: sys.exit("import cycles:\n  " + "\n  ".join(cycles))
print(f"no import cycle among {len(graph)} modules")
