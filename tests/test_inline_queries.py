"""Named queries written in an inline table (`queries = { x = "..." }`)
cannot be edited in place: `queries rm` said "no query named 'x' in this
file (did you mean 'x'?)" (exit 1), and `save` "editing it would break it".
Both now say where the inline table is and what to do by hand (exit 2);
and no did-you-mean ever offers the very word typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from cqlang.cli import main
from cqlang.config import ConfigError, remove_query, save_query
from cqlang.diagnostics import suggest

INLINE = 'queries = { x = "state = OPEN" }\n'


@pytest.fixture(autouse=True)
def isolated(config_home: Path) -> Path:
    return config_home


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result


def test_rm_says_the_query_is_in_an_inline_table(isolated: Path) -> None:
    path = isolated / "b.toml"
    path.write_text(INLINE)
    result = run("--config", "b.toml", "queries", "rm", "x")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "cqlang: b.toml:1:13: @x is defined in an inline table (queries = { ... }), "
        "which cqlang does not edit: remove it by hand\n"
    )
    assert path.read_text() == INLINE


def test_save_says_the_queries_are_in_an_inline_table(isolated: Path) -> None:
    path = isolated / "b.toml"
    path.write_text("# mine\n" + INLINE)
    result = run("--config", "b.toml", "queries", "save", "y", "state = CLOSED")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "cqlang: b.toml:2:1: the named queries are in an inline table (queries = { ... }), "
        "which cqlang does not edit: add @y by hand, or write them as [queries.NAME] tables\n"
    )
    forced = run("--config", "b.toml", "queries", "save", "x", "state = CLOSED", "--force")
    assert forced.exit_code == 2
    assert "b.toml:2:13: @x is defined in an inline table" in forced.stderr
    assert "change it by hand" in forced.stderr
    assert path.read_text() == "# mine\n" + INLINE


def test_pyproject_with_an_inline_cqlang_table(isolated: Path) -> None:
    text = '[tool]\ncqlang = { queries = { x = "state = OPEN" } }\n'
    path = isolated / "pyproject.toml"
    path.write_text(text)
    removed = run("--config", "pyproject.toml", "queries", "rm", "x")
    assert removed.exit_code == 2
    assert "pyproject.toml:2:24: @x is defined in an inline table (tool.cqlang = { ... })" in (
        removed.stderr
    )
    saved = run("--config", "pyproject.toml", "queries", "save", "y", "state = OPEN")
    assert saved.exit_code == 2 and "[tool.cqlang.queries.NAME]" in saved.stderr
    assert path.read_text() == text


def test_the_python_api_says_it_too(isolated: Path) -> None:
    path = isolated / "b.toml"
    path.write_text(INLINE)
    with pytest.raises(ConfigError) as removed:
        remove_query(path, "x")
    problem = removed.value.problems[0]
    assert (problem.line, problem.column) == (1, 13) and "inline table" in problem.message
    with pytest.raises(ConfigError, match="inline table"):
        save_query(path, "y", "state = OPEN")
    assert path.read_text() == INLINE


def test_inline_values_of_a_query_table_are_edited_as_before(isolated: Path) -> None:
    """`x = { query = ... }` under [queries] is one key: removed whole."""
    path = isolated / "b.toml"
    path.write_text('[queries]\nx = { query = "state = OPEN" }\nz = "priority > 1"\n')
    assert run("--config", "b.toml", "queries", "save", "y", "state = CLOSED").exit_code == 0
    assert run("--config", "b.toml", "queries", "rm", "x").exit_code == 0
    assert "x = {" not in path.read_text() and "[queries.y]" in path.read_text()


def test_rm_of_a_missing_name_suggests_another_one(isolated: Path) -> None:
    (isolated / "b.toml").write_text('[queries.hot]\nquery = "priority > 5"\n')
    result = run("--config", "b.toml", "queries", "rm", "hto")
    assert result.exit_code == 1
    assert "no query named 'hto' in this file (did you mean 'hot'?)" in result.stderr


names = st.text(alphabet="abcxyzXYZ_", min_size=1, max_size=6)


@given(names, st.lists(names, max_size=6))
def test_a_suggestion_is_never_the_word_itself(word: str, choices: list[str]) -> None:
    assert suggest(word, choices) != word
    assert suggest(word, [*choices, word]) != word


def test_a_suggestion_may_fix_the_case() -> None:
    assert suggest("Hot", ["hot"]) == "hot"
    assert suggest("hot", ["hot"]) is None
    assert suggest("hot", ["hot", "HOT"]) == "HOT"
