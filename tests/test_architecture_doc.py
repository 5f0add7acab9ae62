"""docs/architecture.md names every module of the package, so a newcomer
finds each one's job there: a module is named by its path
(`cqlang/client/guards.py`), or by its file name in its package's row
(`cqlang/repl/`: ... `lines.py` ...). And its layer table names every
layer of the import-linter contract that `make lint` checks."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
#: Made at build time (hatch_build.py), never committed.
GENERATED = {"cqlang/_parse_tables.py"}


def package_rows() -> dict[str, str]:
    """The text of each table row, by the path it starts with."""
    rows: dict[str, str] = {}
    for line in DOC.splitlines():
        found = re.match(r"\| `(cqlang/[^`]*)` \|", line)
        if found:
            rows[found.group(1)] = rows.get(found.group(1), "") + line
    return rows


def test_every_module_is_named_in_the_architecture() -> None:
    rows = package_rows()
    missing = []
    for path in sorted((ROOT / "cqlang").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in GENERATED or path.name in ("__init__.py", "__main__.py"):
            continue
        if f"`{name}`" in DOC:
            continue
        package = name.rsplit("/", 1)[0] + "/"
        row = rows.get(package, "")
        if f"`{path.name}`" in row or f"`{path.stem}`" in row:
            continue
        missing.append(name)
    assert missing == [], f"docs/architecture.md does not name {missing}"


def test_the_layer_table_names_every_layer_of_the_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = config["tool"]["importlinter"]["contracts"][0]
    table = DOC.split("## Layers", 1)[1].split("\n\n", 3)[2]
    for layer in contract["layers"]:
        for module in re.split(r"[|:]", layer):
            short = module.strip().removeprefix("cqlang.")
            assert f"`{short}`" in table or f"`{short}/`" in table, short


def test_module_tables_live_in_the_architecture_alone() -> None:
    """Other docs link to the module table instead of keeping a copy that
    drifts (docs/repl.md's "How it is built" had lost `args.py` and
    `lines.py`, and described `Reply` by half of its fields)."""
    for doc in sorted((ROOT / "docs").glob("*.md")):
        if doc.name == "architecture.md":
            continue
        rows = [
            line
            for line in doc.read_text(encoding="utf-8").splitlines()
            if re.match(r"\| `cqlang/[^`]*` \| ", line)
        ]
        assert rows == [], f"{doc.name} copies rows of the module table: {rows[:2]}"


def test_adding_an_operator_does_not_send_you_to_derived_tables() -> None:
    """The highlighter's keywords are derived from the lexer's KEYWORDS, so
    the steps must not ask for them to be edited by hand."""
    from cqlang.highlight import CONSTANTS, OPERATOR_WORDS
    from cqlang.parser.lexer import KEYWORDS

    assert set(OPERATOR_WORDS) == set(KEYWORDS) - set(CONSTANTS)
    section = DOC.split("## Adding an operator", 1)[1].split("\n## ", 1)[0]
    assert "Pygments lexer's keywords" not in section
    assert "`highlight.OPERATOR_WORDS` is\n   derived from `parser.KEYWORDS`" in section
