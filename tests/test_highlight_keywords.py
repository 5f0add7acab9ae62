"""The highlighter's keywords are the grammar's, and it claims the
project's query files (``*.cql``) for ``pygmentize``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pygments.lexers import get_lexer_for_filename
from pygments.token import Keyword, Name

from cqlang.highlight import CONSTANTS, OPERATOR_WORDS, CqlangLexer
from cqlang.parser.grammar import lark_parser


def grammar_keywords() -> set[str]:
    """The grammar's case-insensitive word terminals (AND: "and"i, ...)."""
    return {
        t.pattern.value
        for t in lark_parser().terminals
        if t.pattern.type == "str" and "i" in t.pattern.flags
    }


def test_the_highlighters_keywords_are_the_grammars() -> None:
    # `custom` is the grammar's too: the highlighter gives it its own type.
    assert set(CONSTANTS) | set(OPERATOR_WORDS) | {"custom"} == grammar_keywords()
    kinds = {value: kind for kind, value in CqlangLexer().get_tokens("a and b") if value.strip()}
    assert kinds["and"] is Keyword
    found = list(CqlangLexer().get_tokens("custom.x is null"))
    assert (Name.Builtin, "custom") in found and (Keyword.Constant, "null") in found


def test_a_cql_file_is_found_by_its_extension(tmp_path: Path) -> None:
    assert isinstance(get_lexer_for_filename("q.cql"), CqlangLexer)
    assert isinstance(get_lexer_for_filename("q.cqlang"), CqlangLexer)
    query = tmp_path / "q.cql"
    query.write_text("state = OPEN and priority > 3\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pygments", "-f", "text", str(query)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "state = OPEN" in run.stdout
