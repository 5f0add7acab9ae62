"""The package's own shape: no module imports a name of the package
``cqlang`` itself (``from . import __version__`` is an import cycle: the
package imports its modules), and the version is pyproject's."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import cqlang

ROOT = Path(cqlang.__file__).resolve().parent
GENERATED = {"_parse_tables"}  # written into the wheel at build time


def test_no_module_imports_a_name_of_the_package_itself() -> None:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path == ROOT / "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level == 0 and node.module != "cqlang":
                continue
            base = path.parent
            for _ in range(node.level - 1):
                base = base.parent
            if node.level == 0:
                base = ROOT
            elif node.module is not None:
                continue  # from .x import y: a module's name
            for alias in node.names:  # from . import x: x must be a module
                module = (base / f"{alias.name}.py").exists() or (base / alias.name).is_dir()
                if not module and alias.name not in GENERATED:
                    found.append(f"{path.relative_to(ROOT)}: imports {alias.name} of {base.name}")
    assert found == []


def test_the_version_is_pyprojects() -> None:
    pyproject = ROOT.parent / "pyproject.toml"
    if pyproject.is_file():  # a source tree
        version = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
        assert cqlang.__version__ == version
