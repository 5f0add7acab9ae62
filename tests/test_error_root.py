"""The errors' root sits below the diagnostics that raise them: the
diagnostics import SettingError plainly (it was looked up by name through
cqlang._lazy, hiding an upward import from lint-imports), and the public
addresses name the same classes."""

from __future__ import annotations

import ast
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import cqlang
import cqlang.config
import cqlang.diagnostics
import cqlang.errbase
import cqlang.errors

ROOT = Path(cqlang.__file__).parent


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_the_diagnostics_import_the_root_plainly_and_nothing_lazily() -> None:
    imported = _imports(ROOT / "diagnostics.py")
    assert ".errbase" in imported
    assert "._lazy" not in imported and ".errors" not in imported
    assert not hasattr(cqlang.diagnostics, "__getattr__")


def test_the_root_imports_nothing_of_cqlang() -> None:
    """At run time (its annotations name Diagnostic for type checkers only)."""
    code = "import sys, cqlang.errbase; print('cqlang.diagnostics' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "False"


def test_the_public_names_are_the_same_classes() -> None:
    for name in ("CqlError", "CqlSyntaxError", "CqlValidationError", "CqlPlanError"):
        cls = getattr(cqlang.errors, name)
        assert cls is getattr(cqlang.diagnostics, name) is getattr(cqlang.errbase, name)
        assert cls.__module__ == "cqlang.errors"
    assert cqlang.CqlError is cqlang.errors.CqlError
    setting = cqlang.errors.SettingError
    assert setting is cqlang.config.SettingError is cqlang.errbase.SettingError
    assert setting.__module__ == "cqlang.errors"
    again = pickle.loads(pickle.dumps(setting("bad", "end")))
    assert type(again) is setting and again.setting == "end"


def test_replace_raises_the_public_setting_error_in_a_fresh_process() -> None:
    """Diagnostic.replace's SettingError is the public class even when
    nothing else has imported cqlang.errors yet."""
    code = (
        "import sys\n"
        "from cqlang.diagnostics import Diagnostic\n"
        "d = Diagnostic('CQL101', 'error', 'm', 0, 1, 1, 1)\n"
        "try:\n"
        "    d.replace(end=-1)\n"
        "except Exception as exc:\n"
        "    import cqlang.errors\n"
        "    assert type(exc) is cqlang.errors.SettingError, type(exc)\n"
        "    print(exc.setting)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "end"


def test_rendering_for_a_front_end_still_checks_the_front() -> None:
    with pytest.raises(cqlang.CqlError) as info:
        cqlang.compile("state = $p")
    assert "--param p=VALUE" in info.value.rendered_for("cli")
    with pytest.raises(TypeError, match="front is one of"):
        info.value.rendered_for("gui")
