"""Build hook: generate the parser's LALR tables into the wheel.

cqlang/_tablegen.py asks Lark for the LALR tables of grammar/cqlang.lark and
writes them as a module of plain data, ``cqlang/_parse_tables.py``, which
cqlang/parser/lalr.py runs with its own small driver: the installed command never
imports Lark to compile a query, which keeps its cold start short. The module
is generated here, at build time: the repository holds only code written for
the project. Editable installs skip this and compute the same tables from
Lark at their first start, then read them from a cache file kept under the
grammar's hash (cqlang/_tablecache.py).
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def generate(root: Path) -> str:
    """The source of ``cqlang/_parse_tables.py`` for the grammar under ``root``."""
    # Loaded by path: importing the cqlang package would need its dependencies.
    spec = importlib.util.spec_from_file_location(
        "_cqlang_tablegen", root / "cqlang" / "_tablegen.py"
    )
    assert spec is not None and spec.loader is not None
    tablegen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tablegen)
    grammar = (root / "grammar" / "cqlang.lark").read_text(encoding="utf-8")
    return str(tablegen.module_source(grammar))


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        self._tmp = Path(tempfile.mkdtemp(prefix="cqlang-build-"))
        target = self._tmp / "_parse_tables.py"
        target.write_text(generate(Path(self.root)), encoding="utf-8")
        build_data["force_include"][str(target)] = "cqlang/_parse_tables.py"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        tmp = getattr(self, "_tmp", None)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
