"""The package's layers import one way: core <- rules <- the PyTorch-style
surface <- func, optim and the package's entry points. Every import of
every module is read from its source (imports inside functions included);
nothing is imported to find them."""

import ast
import builtins
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dualrev"

#: Layer ranks: a module may import modules of its own rank or lower.
CORE, RULES, SURFACE, TOP = range(4)
TOP_MODULES = {"dualrev", "dualrev.__main__", "dualrev._unified", "dualrev.optim",
               "dualrev.optim.base", "dualrev.optim.first_order", "dualrev.optim.lbfgs",
               "dualrev.stubs",
               # torch.autograd's namespace: its functional API is built on dr.func
               "dualrev.autograd", "dualrev.autograd.functional"}


def layer(module):
    if module.startswith("dualrev.core.") or module == "dualrev.core":
        return CORE
    if module.startswith("dualrev.rules.") or module == "dualrev.rules":
        return RULES
    if module in TOP_MODULES or module.startswith("dualrev.func.") or module == "dualrev.func":
        return TOP
    return SURFACE


def modules():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = modules()


class Import:
    def __init__(self, importer, target, names, node, in_function, lines):
        self.importer, self.target, self.names, self.node = importer, target, names, node
        self.in_function = in_function
        line = node.lineno
        self.comment = "#" in lines[line - 1] or lines[line - 2].strip().startswith("#")

    def __repr__(self):
        return f"{self.importer}:{self.node.lineno} imports {self.target}"


def _resolve(importer, path, node):
    """The dualrev modules an import statement reaches, each with the names
    taken from it."""
    if isinstance(node, ast.Import):
        return [(a.name, ()) for a in node.names if a.name.startswith("dualrev")]
    package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    base = node.module if node.level == 0 else (
        package + "." + node.module if node.module else package)
    if not base.startswith("dualrev"):
        return []
    reached = []
    for alias in node.names:
        sub = base + "." + alias.name
        reached.append((sub, ()) if sub in MODULES else (base, (alias.name,)))
    return reached


def imports():
    found = []
    for name, path in MODULES.items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        in_function = set()
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                in_function.update(id(n) for n in ast.walk(fn))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target, names in _resolve(name, path, node):
                    if target in MODULES and target != name:
                        found.append(Import(name, target, names, node, id(node) in in_function,
                                            lines))
    return found


IMPORTS = imports()


def test_the_layers_are_packages_and_the_walk_sees_them():
    """A test that finds nothing checks nothing: each layer has modules and
    the walk finds imports into core and rules from above."""
    for rank in (CORE, RULES, SURFACE, TOP):
        assert any(layer(m) == rank for m in MODULES)
    assert any(layer(i.importer) == SURFACE and layer(i.target) == CORE for i in IMPORTS)
    assert any(layer(i.importer) == SURFACE and layer(i.target) == RULES for i in IMPORTS)


def test_imports_point_down_the_layers():
    against = [i for i in IMPORTS if layer(i.target) > layer(i.importer)]
    assert not against, f"imports against the layers: {against}"


def test_no_module_imports_itself_round_a_circle():
    graph = {m: set() for m in MODULES}
    for i in IMPORTS:
        graph[i.importer].add(i.target)
    # Tarjan's strongly connected components
    index, low, on, stack, cycles = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    assert not cycles, f"import cycles: {cycles}"


def test_imports_inside_functions_say_why():
    """An import inside a function hides a dependency; where one is needed,
    the reason is written beside it (on its line or the line above)."""
    silent = [i for i in IMPORTS if i.in_function and not i.comment]
    assert not silent, f"imports inside functions without a reason beside them: {silent}"


def test_no_module_imports_by_a_name_computed_at_run_time():
    """Imports the walk above cannot see (``importlib.import_module``,
    ``__import__``, ``sys.modules``) would hide a dependency from it."""
    hidden = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("import_module", "modules") \
                    or isinstance(node, ast.Name) and node.id == "__import__":
                hidden.append(f"{name}:{node.lineno}")
    assert not hidden, hidden


def test_no_private_name_is_imported_across_layers():
    crossing = [(i, n) for i in IMPORTS if layer(i.target) != layer(i.importer)
                for n in i.names if n.startswith("_")]
    assert not crossing, f"private names imported across layers: {crossing}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer(m) == CORE))
def test_core_imports_nothing_else_of_dualrev(module):
    assert all(layer(i.target) == CORE for i in IMPORTS if i.importer == module)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer(m) == RULES))
def test_rules_import_only_core(module):
    assert all(layer(i.target) in (CORE, RULES) for i in IMPORTS if i.importer == module)


def _calls_of_shadowed_builtins(path):
    """Calls, in one module, of a function the module defines under a
    builtin's name (``abs(x)`` meaning ``dr.abs``: a reader takes it for
    Python's). A primitive of the rule table (``sum = defprim("sum", ...)``)
    called in the rules is the table's own name and is not counted."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    own |= {target.id for node in tree.body if isinstance(node, ast.Assign)
            and not (isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "")
                     == "defprim")
            for target in node.targets if isinstance(target, ast.Name)}
    shadowing = own & set(dir(builtins))
    return sorted({node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call)
                   and isinstance(node.func, ast.Name) and node.func.id in shadowing})


def test_no_module_calls_its_own_function_by_a_builtins_name():
    found = {name: calls for name, path in MODULES.items()
             if (calls := _calls_of_shadowed_builtins(path))}
    assert not found, found


def test_the_shadowing_check_sees_a_call(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def abs(x):\n    return x\n\n\ndef f(w):\n    return abs(w)\n")
    assert _calls_of_shadowed_builtins(module) == ["abs"]


def test_no_two_modules_have_names_a_letter_apart():
    stems = sorted({path.stem.strip("_") for path in MODULES.values()} - {""})
    close = [(a, b) for i, a in enumerate(stems) for b in stems[i + 1:] if _one_edit(a, b)]
    assert not close, close


def _one_edit(a, b):
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    return any(b[:i] + b[i + 1:] == a for i in range(len(b)))
