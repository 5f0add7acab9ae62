"""The front ends import one way (issue 12): no import cycle runs through
cqlang/cli/, cqlang/repl/, cqlang/output/, cqlang/term/, cqlang/status.py
or cqlang/launch.py, the lower ones never import the upper ones, and no
module of those packages is over 600 lines.

Imports are read from the source with ``ast`` (lazy imports inside
functions and ``TYPE_CHECKING`` blocks included: each is a dependency all
the same), and so is a module named in a string to be imported by name,
``"cqlang.cli.queries:queries_group"`` (the commands of cli/group.py's
``COMMANDS``): lint-imports cannot see those edges, this test does."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cqlang"

FRONT_PACKAGES = ("cqlang.cli", "cqlang.repl", "cqlang.output", "cqlang.term")
FRONT_MODULES = ("cqlang.status", "cqlang.launch")
#: Generated into the wheel at build time (hatch_build.py): not in the tree.
GENERATED = {"_parse_tables"}
#: A module named to be imported by name: ``module:object`` (click's lazy
#: commands).
LOADED_BY_NAME = re.compile(r"(cqlang(?:\.\w+)+):\w+")


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The cqlang modules ``name`` imports anywhere in its code (``from
    pkg import x`` is the module ``pkg.x`` when there is one, else ``pkg``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            named = LOADED_BY_NAME.fullmatch(node.value)
            if named:
                found.add(named.group(1))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                if alias.name in GENERATED:
                    continue
                sub = f"{module}.{alias.name}"
                found.add(sub if sub in known else module)
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def is_front(name: str) -> bool:
    return name in FRONT_MODULES or any(within(name, p) for p in FRONT_PACKAGES)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan,
    with an explicit stack)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_a_module_loaded_by_name_is_an_import() -> None:
    """cli/group.py imports its commands through strings in COMMANDS: those
    are edges of the graph (a command module importing group.py would be
    a cycle, ``cqlang queries`` once was one)."""
    edges = graph()
    assert "cqlang.cli.queries" in edges["cqlang.cli.group"]
    assert "cqlang.cli.fetch" in edges["cqlang.cli.group"]
    assert "cqlang.cli.group" not in edges["cqlang.cli.queries"]


def test_no_import_cycle_runs_through_a_front_end_module() -> None:
    through = [c for c in cycles(graph()) if any(is_front(m) for m in c)]
    assert through == []


def test_the_lower_front_end_modules_never_import_the_upper_ones() -> None:
    """status is below everything that ends a run; output and term below
    the command line and the REPL; the REPL never imports the command line
    (the command line starts the REPL: ``cqlang repl``)."""
    upper = {
        "cqlang.status": ("cqlang.cli", "cqlang.repl", "cqlang.output", "cqlang.term"),
        "cqlang.output": ("cqlang.cli", "cqlang.repl", "cqlang.launch", "cqlang.lsp"),
        "cqlang.term": ("cqlang.cli", "cqlang.repl", "cqlang.launch", "cqlang.lsp"),
        "cqlang.repl": ("cqlang.cli", "cqlang.launch", "cqlang.lsp"),
    }
    wrong = {}
    for name, targets in graph().items():
        for lower, banned in upper.items():
            if within(name, lower):
                bad = sorted(t for t in targets if any(within(t, b) for b in banned))
                if bad:
                    wrong[name] = bad
    assert wrong == {}


def test_the_repl_meta_registry_imports_no_command() -> None:
    """cqlang/repl/meta.py knows no command: every module of the REPL can
    use it (the session's, the records' and the dispatcher's)."""
    assert {m for m in graph()["cqlang.repl.meta"] if m.startswith("cqlang.repl")} <= {
        "cqlang.repl.session"
    }


def test_no_front_end_module_is_over_600_lines() -> None:
    long = {}
    for name, path in modules().items():
        if is_front(name):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > 600:
                long[name] = lines
    assert long == {}
