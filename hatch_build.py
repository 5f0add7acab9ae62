"""Build hook: generate the standalone LALR parser into the wheel.

Lark's standalone tool writes a module that parses the grammar without
importing Lark, which keeps `cqlang compile`'s cold start short. It is
generated here, at build time, from grammar/cqlang.lark: the repository holds
only code written for the project. Editable installs skip this and fall back
to Lark with its grammar cache (see cqlang/parser.py).
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def generate(grammar: Path) -> str:
    """The source of the standalone parser for ``grammar``."""
    from lark import Lark
    from lark.tools.standalone import gen_standalone

    parser = Lark(
        grammar.read_text(encoding="utf-8"),
        parser="lalr",
        # cqlang/parser.py replaces the lexer with its own one-pass lexer, so
        # the cheapest of Lark's lexers is built: the tables are the same.
        lexer="basic",
        maybe_placeholders=False,
    )
    out = io.StringIO()
    gen_standalone(parser, out=out)
    header = "# Generated at build time from grammar/cqlang.lark by hatch_build.py.\n"
    header += "# mypy: ignore-errors\n# ruff: noqa\n"
    return header + out.getvalue()


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        grammar = Path(self.root) / "grammar" / "cqlang.lark"
        tmp = Path(tempfile.mkdtemp(prefix="cqlang-build-"))
        target = tmp / "_lark_parser.py"
        target.write_text(generate(grammar), encoding="utf-8")
        build_data["force_include"][str(target)] = "cqlang/_lark_parser.py"
