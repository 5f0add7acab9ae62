"""A review: a mistake in a parameter's value is said where the value
comes from. Before, a named query's bad default was drawn at the `$p`
that uses it (`cqlang.toml:5:22`), not at the value (line 6), and a bad
`--param` value was drawn at the same place in the config file with no
word of `--param`; the REPL's `\\param` and Python's `params=` alike."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st
from lsp_support import SyncClient, position_of, temp_root, uri_of

import cqlang
from cqlang.cli import main
from cqlang.config import Config
from cqlang.diagnostics import Diagnostic, for_front_end
from cqlang.paramsource import GIVEN_SETTINGS
from cqlang.repl import Dispatcher, Session

# The reviewer's file: the query on line 5, its default on line 6.
CONFIG = """[connection]
campaign = "5b7c389fe8df7b60af688989"

[queries.q1]
query = "priority >= $p"
params = { p = "abc" }

[queries.alias]
query = "@q1"
params.p = "zz"

[queries.around]
query = "@q1 and state = OPEN"

[queries.states]
query = "state in $s"

[queries.states.params]
s = "OPEN, OPNE"
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    config = tmp_path / "cqlang.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the file is named as cqlang.toml
    return {"CONPEEK_URL": "", "CONPEEK_KEY": "", "CQLANG_CONFIG": str(config)}


def run(env: dict[str, str], *args: str, code: int = 1) -> Result:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == code, result.output
    return result


def drawn(err: str) -> list[str]:
    """The lines of the first diagnostic drawn: message, -->, gutter, line, caret."""
    return err.split("\n\n")[0].splitlines()


# ------------------------------------------------ a default: at its value


@pytest.mark.parametrize("command", ["fetch", "check", "compile", "explain"])
def test_a_bad_default_is_drawn_at_its_value(env: dict[str, str], command: str) -> None:
    lines = drawn(run(env, command, "@q1").stderr)
    assert lines[0] == "error[CQL113]: parameter $p should be an integer, got \"abc\" (query 'q1')"
    assert lines[1] == " --> cqlang.toml:6:16"
    assert lines[3] == '6 | params = { p = "abc" }'
    assert lines[4] == "  |                ^^^^^"  # the value, its quotes included


def test_a_default_is_drawn_where_the_query_that_sets_it_writes_it(env: dict[str, str]) -> None:
    # An alias's own default (a dotted key) wins over the query it stands for.
    lines = drawn(run(env, "fetch", "@alias").stderr)
    assert lines[1] == "  --> cqlang.toml:10:12"
    assert lines[3] == '10 | params.p = "zz"'
    # A default of a query inlined into another, or into the text typed.
    for query in ("@around", "@q1 or state = CLOSED"):
        lines = drawn(run(env, "check", query).stderr)
        assert lines[0].startswith("error[CQL113]: in @q1: parameter $p should be an integer")
        assert lines[1] == " --> cqlang.toml:6:16", query
    # A list default (a [queries.NAME.params] table): the did-you-mean stays.
    lines = drawn(run(env, "check", "@states").stderr)
    assert lines[1] == "  --> cqlang.toml:19:5"
    assert lines[4] == "   |     ^^^^^^^^^^^^ did you mean 'OPEN'?"


def test_queries_check_and_its_json_place_a_default_at_its_value(env: dict[str, str]) -> None:
    out = run(env, "queries", "check")
    assert " --> cqlang.toml:6:16" in out.stderr
    assert "cqlang.toml:5:22" not in out.stderr
    found = json.loads(run(env, "queries", "check", "--json").stdout)
    q1 = next(f for f in found if f["query"] == "q1")
    assert (q1["file_line"], q1["file_column"]) == (6, 16)
    assert q1["facts"] == {"param": "p", "value_from": "default", "value": "abc"}
    assert q1["hint"] is None  # no word of params=: the value is the file's


def test_python_named_query_lint_places_it_too(env: dict[str, str]) -> None:
    cfg = Config.load(env["CQLANG_CONFIG"])
    finding = next(f for f in cfg.lint() if f.query.name == "q1")
    assert finding.placed is not None
    assert (finding.placed.line, finding.placed.column) == (6, 16)


# ------------------------------------------------ a caller's value: said so


def test_a_bad_param_value_names_the_param_option(env: dict[str, str]) -> None:
    lines = drawn(run(env, "fetch", "@q1", "-p", "p=x").stderr)
    assert lines[0] == "error[CQL113]: parameter $p should be an integer, got \"x\" (query 'q1')"
    assert lines[1] == " --> cqlang.toml:5:22"  # where $p is used, and says why an integer
    assert lines[4].endswith("^^ the value comes from --param p=x")
    # A hint of its own comes first.
    lines = drawn(run(env, "check", "state = $s", "-p", "s=OPNE").stderr)
    assert lines[4].endswith("^^ did you mean 'OPEN'? (the value comes from --param s=OPNE)")
    # (The launcher's fast path prints what click prints: tests/test_launch.py.)


def test_the_repl_names_its_param_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cqlang.toml").write_text("")
    monkeypatch.setenv("CQLANG_CONFIG", str(tmp_path / "cqlang.toml"))
    d = Dispatcher(Session())
    assert d.handle("\\param p = x").ok
    reply = d.handle("priority >= $p")
    assert not reply.ok
    assert "^^ the value comes from \\param p=x" in reply.text


def test_python_names_params() -> None:
    with pytest.raises(cqlang.CqlError) as info:
        cqlang.plan("state = $p", params={"p": "OPNE"})
    d = info.value.diagnostics[0]
    assert d.hint == "did you mean 'OPEN'? (the value comes from params={'p': ...})"
    assert dict(d.facts) == {"param": "p", "value_from": "caller", "value": "OPNE"}
    assert "(the value comes from params={'p': ...})" in str(info.value)
    plain = cqlang.check("priority >= $p", params={"p": True})[0]
    assert plain.hint == "the value comes from params={'p': ...}"
    assert dict(plain.facts) == {"param": "p", "value_from": "caller"}  # no text to name


# ------------------------------------------------ the wording is data


@given(
    front=st.sampled_from(sorted(GIVEN_SETTINGS)),
    again=st.sampled_from(["python", "cli", "repl", "config"]),
    value=st.text(max_size=8),
    hint=st.none() | st.text(min_size=1, max_size=12),
)
def test_wording_for_a_front_end_is_the_same_whatever_came_before(
    front: str, again: str, value: str, hint: str | None
) -> None:
    """A caller's value is worded from the facts: wording a diagnostic for
    one front end after another gives what wording it once does."""
    d = Diagnostic(
        "CQL113",
        "error",
        "parameter $p should be an integer",
        0,
        2,
        1,
        1,
        hint,
        facts=(("param", "p"), ("value_from", "caller"), ("value", value)),
    )
    once = for_front_end([d], again)[0]
    twice = for_front_end(for_front_end([d], front), again)[0]
    assert twice == once
    if again == "config":
        assert once.hint == hint


# ------------------------------------------------ the language server


@pytest.fixture(scope="module")
def lsp() -> Iterator[tuple[SyncClient, Path]]:
    root = temp_root()
    ws = root / "ws"
    ws.mkdir()
    (root / "home").mkdir()
    (ws / "cqlang.toml").write_text(CONFIG, encoding="utf-8")
    client = SyncClient(ws, root / "home")
    try:
        yield client, ws
    finally:
        client.close()


def test_the_language_server_marks_a_bad_default_at_its_value(
    lsp: tuple[SyncClient, Path],
) -> None:
    c, ws = lsp
    uri = uri_of(ws / "cqlang.toml")
    c.open(uri, CONFIG, "toml")
    diags = [d for d in c.diagnostics_for(uri, 1) if d.code == "CQL113"]
    value = position_of(CONFIG, '"abc"')
    # q1's and around's at q1's default; alias's at its own.
    starts = sorted((d.range.start.line, d.range.start.character) for d in diags)
    zz = position_of(CONFIG, '"zz"')
    assert starts == [(value.line, value.character)] * 2 + [(zz.line, zz.character)]
    assert diags[0].range.end.character == value.character + len('"abc"')
    assert not any(d.related_information for d in diags)  # no word of params=
    listed = [d for d in c.diagnostics_for(uri, 1) if d.code == "CQL105"]
    assert [d.range.start for d in listed] == [position_of(CONFIG, '"OPEN, OPNE"')]
