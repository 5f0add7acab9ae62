"""The grammar file, and a plain Lark parser of it for tools (grammar
fuzzing, differential tests). The parser itself never reads the grammar:
it runs the tables of :mod:`.lalr`."""

from __future__ import annotations

from functools import lru_cache

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


def grammar_path() -> Path:
    """The grammar file: inside the package (wheel) or in the source tree.
    Only an editable install's parser and tools read it."""
    from pathlib import Path

    here = Path(__file__).resolve().parent.parent  # the package cqlang
    packaged = here / "grammar" / "cqlang.lark"
    if packaged.is_file():
        return packaged
    return here.parent / "grammar" / "cqlang.lark"


def grammar_text() -> str:
    return grammar_path().read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def lark_parser() -> Any:
    """A plain Lark LALR parser of the grammar (trees, no AST), for tools such
    as grammar fuzzers (tests/test_properties.py) and differential tests."""
    import lark

    # No grammar cache here: a Lark object loaded from the cache has no
    # ``.grammar``, which grammar fuzzers (hypothesis.extra.lark) read.
    return lark.Lark(grammar_text(), parser="lalr", lexer="contextual")
