"""REPL habits that must match docs/repl.md: `\\fetch N` is for that fetch
only, its "shows more" hint respects a named query's limit, `quit # bye`
leaves, and a connection that cannot fetch says why in the resolver's words."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from repl_support import FakeClient

from cqlang.config.fetchspec import Settings
from cqlang.repl import Dispatcher, Session, run, run_script
from cqlang.repl.session import bare_command, needs_more_input

QUERIES_TOML = """
[queries.capped]
query = "state = OPEN"
limit = 30
"""


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "cqlang.toml"
    path.write_text(QUERIES_TOML, encoding="utf-8")
    monkeypatch.setenv("CQLANG_CONFIG", str(path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("CONPEEK_URL", raising=False)
    monkeypatch.delenv("CONPEEK_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    return path


def dispatcher() -> tuple[Dispatcher, FakeClient]:
    from cqlang.repl.integrations import load_environment

    env = load_environment()
    # A campaign of 500 matching records.
    client = FakeClient([{"id": f"r{i:03}", "state": "OPEN"} for i in range(500)])
    session = Session(campaign="c", queries=env.queries, schema=env.schema)
    return Dispatcher(session, client_factory=lambda url, key: client), client


def tail(text: str) -> str:
    return text.splitlines()[-1]


# -------------------------------------------------------------- \fetch N


def test_fetch_n_is_for_that_fetch_only() -> None:
    d, client = dispatcher()
    assert d.handle("state = OPEN").ok
    assert tail(d.handle("\\fetch 5").text) == "5 records shown; more match (\\fetch 25 shows more)"
    # \fetch alone is back to the documented default of 20.
    assert tail(d.handle("\\fetch").text) == "20 records shown; more match (\\fetch 100 shows more)"
    assert client.limits == [6, 21]


def test_the_more_hint_respects_a_named_querys_limit() -> None:
    d, _ = dispatcher()
    assert d.handle("@capped").ok
    assert (
        tail(d.handle("\\fetch 10").text) == "10 records shown; more match (\\fetch 30 shows more)"
    )
    assert tail(d.handle("\\fetch 30").text) == "30 records (the limit of @capped)"


# ------------------------------------------------------------ quit # bye


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("quit # bye", "quit"),
        ("exit  #", "quit"),
        ("help # what now?", "help"),
        ("QUIT;  # done", "quit"),
        ("  quit\n# bye\n", "quit"),
        ("quit", "quit"),
        ("quit;", "quit"),
    ],
)
def test_a_comment_after_quit_exit_help_is_still_the_command(text: str, word: str) -> None:
    assert bare_command(text) == word
    assert not needs_more_input(text)


@pytest.mark.parametrize(
    "text", ["quit now", "quit # bye\nstate = OPEN", "state = OPEN # quit", "# quit", "quitter"]
)
def test_anything_more_is_not_a_bare_command(text: str) -> None:
    assert bare_command(text) is None


def test_quit_with_a_comment_leaves_in_piped_mode() -> None:
    d, _ = dispatcher()
    out, err = io.StringIO(), io.StringIO()
    status = run_script(io.StringIO("quit # bye\nstate = OPNE\n"), d, out, err)
    assert status == 0  # the invalid query after it never ran
    assert err.getvalue() == ""
    assert d.handle("help # please").text.startswith("\\help")


# ------------------------------------------------ why fetching cannot start


def test_a_bad_conpeek_key_is_reported_in_the_resolvers_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONPEEK_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CONPEEK_KEY", "SECRET\nKEY")
    out, err = io.StringIO(), io.StringIO()
    status = run(stdin=io.StringIO("state = OPEN\n\\fetch\n"), stdout=out, stderr=err, campaign="c")
    assert status == 1
    said = err.getvalue()
    assert "SECRET" not in said
    assert "no API key" not in said  # it is set: the key is at fault
    assert "the API key from $CONPEEK_KEY holds a control character" in said
    assert "no API key" not in said  # it is there; it cannot be sent


def test_a_profile_without_a_key_is_reported_in_the_resolvers_words(
    monkeypatch: pytest.MonkeyPatch, _isolated: Path
) -> None:
    _isolated.write_text(
        "[profiles.staging]\nbase_url = 'http://127.0.0.1:9'\n" + QUERIES_TOML, encoding="utf-8"
    )
    monkeypatch.setenv("CONPEEK_KEY", "demo-key")
    out, err = io.StringIO(), io.StringIO()
    status = run(
        stdin=io.StringIO("state = OPEN\n\\fetch\n"),
        stdout=out,
        stderr=err,
        campaign="c",
        profile="staging",
    )
    assert status == 1
    said = err.getvalue()
    assert "cannot fetch: no API key: [profiles.staging] sets base_url but no key" in said
    assert "[profiles.staging] sets base_url but no key" in said


def test_nothing_set_still_names_the_variables() -> None:
    d = Dispatcher(Session(campaign="c", defaults=Settings()))
    d.handle("state = OPEN")
    r = d.handle("\\fetch")
    assert not r.ok and r.text.startswith("cannot fetch: no API base URL: set $CONPEEK_URL")
    assert "--base-url" not in r.text  # the REPL has no such option


def test_a_bad_base_url_says_cannot_fetch_as_a_bad_key_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONPEEK_URL", "ftp://127.0.0.1:9")
    monkeypatch.setenv("CONPEEK_KEY", "demo-key")
    out, err = io.StringIO(), io.StringIO()
    status = run(stdin=io.StringIO("state = OPEN\n\\fetch\n"), stdout=out, stderr=err, campaign="c")
    assert status == 1
    said = err.getvalue()
    assert "cannot fetch: the base URL must be http(s)://HOST[:PORT][/PATH]" in said
    assert "not 'ftp://127.0.0.1:9'" in said
