"""The REPL's session state, status line, statement splitting, dispatcher
and piped mode, without a terminal."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from repl_support import FakeClient

from cqlang.cli import main
from cqlang.config import Config, NamedQuery
from cqlang.repl import Dispatcher, Session, integrations, run, run_script
from cqlang.repl.commands import COMMANDS, describe, render_table
from cqlang.repl.session import needs_more_input, split_statements, statement_spans


@pytest.fixture(autouse=True)
def _no_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No config file of the machine, and saves go to a temporary file."""
    (tmp_path / "cqlang.toml").write_text("")
    monkeypatch.setenv("CQLANG_CONFIG", str(tmp_path / "cqlang.toml"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("CONPEEK_URL", raising=False)
    monkeypatch.delenv("CONPEEK_KEY", raising=False)
    monkeypatch.chdir(tmp_path)


def records(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"r{i:03d}",
            "state": "OPEN",
            "priority": i,
            "created_date": "2021-08-10 10:00:00",
            "custom": json.dumps({"region": "PL", "lead source": "web", f"k{i % 2}": i}),
            "history": [],
        }
        for i in range(n)
    ]


def dispatcher(**session: Any) -> tuple[Dispatcher, FakeClient]:
    fake = FakeClient(records(30))
    return Dispatcher(Session(**session), client_factory=lambda url, key: fake), fake


# ------------------------------------------------------------ statements


def test_statements_split_on_semicolons_outside_strings_and_comments() -> None:
    text = "state = OPEN; custom.a = \"x;y\"; custom.b = 'p;q' # c;d\npriority > 1;"
    assert split_statements(text) == [
        "state = OPEN",
        'custom.a = "x;y"',
        "custom.b = 'p;q' # c;d\npriority > 1",
    ]
    assert statement_spans("a;b") == [(0, 1), (2, 3)]
    assert split_statements('x = "a\\";b"') == ['x = "a\\";b"']
    assert split_statements("  ;; ") == []


def test_enter_continues_only_an_unfinished_query() -> None:
    assert needs_more_input("state = OPEN and")
    assert needs_more_input("(state = OPEN")
    assert needs_more_input("priority between 1")
    assert needs_more_input("state = OPEN; priority >")
    assert not needs_more_input("state = OPEN")
    assert not needs_more_input("prioirty > 3")  # an error: submit and show it
    assert not needs_more_input('x = "open')  # an unclosed string is CQL003
    assert not needs_more_input("state = OPEN and ; ")
    assert not needs_more_input("\\fetch")
    assert not needs_more_input("")


# ---------------------------------------------------------- status line


def test_status_line() -> None:
    s = Session()
    status = Dispatcher(s).status
    assert status("") == "type a query, or \\help"
    assert status("state = OPEN") == "ok: 1 request"
    assert status("state = OPEN or priority > 5") == "ok: 2 requests"
    assert status("state = OPEN and close_reason != X") == (
        "ok: 1 request, then checked on the client"
    )
    # A query the server cannot narrow at all says so (CQL206), as explain does.
    assert status("close_reason != X").startswith("warning[CQL206] 1:1: the server narrows nothing")
    assert status("state = OPEN and state = CLOSED").startswith("warning[CQL201]")
    line = status("state = OPEN and prioirty >= 3")
    assert line == "error[CQL101] 1:18: unknown property 'prioirty' (did you mean 'priority'?)"
    assert status("state = OPEN and").startswith("error[CQL004] 1:17: the query ends too early")
    assert status("\\fet") == "unknown command \\fet; did you mean \\fetch?"
    assert status("\\fetch 3").startswith("\\fetch [N|all]: fetch N records")
    assert status("state = OPEN; prioirty = 1").startswith("error[CQL101] 1:2")


def test_status_uses_the_session_inputs() -> None:
    s = Session()
    status = Dispatcher(s).status
    assert status("priority > $p").startswith("error[CQL109]")
    s.params["p"] = "3"
    assert status("priority > $p") == "ok: 1 request"
    s.params["unused"] = "1"
    assert status("state = OPEN") == "ok: 1 request"  # no "unused parameter" nagging
    assert status("@hot").startswith("error[CQL115]")
    s.queries["hot"] = "priority > 5"
    assert status("@hot") == "ok: 1 request"


# ----------------------------------------------------------- dispatcher


def test_query_prints_its_filter() -> None:
    d, _ = dispatcher()
    r = d.handle("state in (OPEN, CLOSED) and priority >= 3")
    assert r.ok and not r.quit
    assert json.loads(r.text) == [
        {"property": "state", "value": ["OPEN", "CLOSED"]},
        {"property": "priority", "operator": "gte", "value": 3},
    ]
    assert d.session.last_query == "state in (OPEN, CLOSED) and priority >= 3"


def test_query_needing_a_plan_prints_the_plan() -> None:
    d, _ = dispatcher()
    r = d.handle("state = OPEN or priority > 5")
    assert r.ok and r.text.startswith("2 requests, records merged by id:")
    r = d.handle("close_reason != X")
    assert r.ok and 'Then kept on the client when: close_reason != "X"' in r.text


def test_invalid_query_prints_carets() -> None:
    d, _ = dispatcher()
    r = d.handle("state = OPEN and prioirty >= 3")
    assert not r.ok
    assert "error[CQL101]: unknown property 'prioirty'" in r.text
    assert "  |                  ^^^^^^^^ did you mean 'priority'?" in r.text
    assert d.session.last_query is None


def test_never_matching_query_shows_plan_and_warning() -> None:
    d, _ = dispatcher()
    r = d.handle("state = OPEN and state = CLOSED")
    assert r.ok
    assert r.text.startswith("The query never matches")
    assert "warning[CQL201]" in r.text


def test_several_queries_on_one_line() -> None:
    d, _ = dispatcher()
    r = d.handle("state = OPEN; prioirty = 1; priority = 2")
    assert not r.ok
    assert r.text.count("[{") == 2 and "CQL101" in r.text
    assert d.session.last_query == "priority = 2"


def test_help_lists_every_command_once() -> None:
    d, _ = dispatcher()
    text = d.handle("\\help").text
    lines = [line for line in text.splitlines() if line.startswith("\\")]
    assert [line.split()[0] for line in lines] == [f"\\{n}" for n in COMMANDS]
    for name in (
        "compile",
        "explain",
        "fetch",
        "campaign",
        "tz",
        "param",
        "params",
        "save",
        "queries",
        "format",
        "quit",
    ):
        assert name in COMMANDS


def test_compile_explain_format_default_to_the_last_query() -> None:
    d, _ = dispatcher()
    assert not d.handle("\\compile").ok
    d.handle("state=OPEN AND (priority>=3)")
    assert d.handle("\\compile").text.startswith('[{"property": "state"')
    assert d.handle("\\explain").text.startswith("1 request:")
    assert d.handle("\\format").text == "state = OPEN and priority >= 3"
    r = d.handle("\\compile state = OPEN or priority > 1")
    assert not r.ok and "CQL202" in r.text and "explain" in r.text
    assert d.handle("\\format  priority>1").text == "priority > 1"


def test_campaign_tz_and_params() -> None:
    d, _ = dispatcher()
    assert d.handle("\\campaign").text.startswith("campaign: none")
    assert d.handle("\\campaign abc123").text == "campaign: abc123"
    assert d.session.campaign == "abc123"
    assert d.handle("\\tz").text == "time zone: UTC"
    bad = d.handle("\\tz Mars/Olympus")
    assert not bad.ok and "unknown time zone" in bad.text
    assert d.handle("\\tz Europe/Warsaw").ok
    r = d.handle("created_date = 2021-08-10")
    assert "2021-08-09 22:00:00" in r.text
    assert d.handle("\\params").text.startswith("no parameters")
    assert d.handle("\\param $p = 3").text == '$p = "3"'
    assert (
        d.handle("priority > $p").text == '[{"property": "priority", "operator": "gt", "value": 3}]'
    )
    assert d.handle("\\params").text == '$p = "3"'
    # A list, split and trimmed as --param does (issue 11, item 4).
    assert d.handle('\\param r = done, "no answer, later"').ok
    assert d.handle("close_reason in $r").text == (
        '[{"property": "close_reason", "value": ["done", "no answer, later"]}]'
    )
    assert d.handle("\\param -r").ok
    assert not d.handle("\\param nonsense").ok
    assert d.handle("\\param -p").ok and d.session.params == {}
    assert not d.handle("\\param -p").ok


def test_unknown_command_suggests() -> None:
    d, _ = dispatcher()
    r = d.handle("\\explian")
    assert not r.ok and r.text == "unknown command \\explian; did you mean \\explain?"
    assert describe("\\zzz") == "unknown command \\zzz"


def test_quit_and_aliases() -> None:
    d, _ = dispatcher()
    assert d.handle("\\quit").quit
    assert d.handle("\\q").quit
    assert d.handle("\\EXIT").quit


def test_fetch_shows_a_table_and_learns_custom_keys() -> None:
    d, fake = dispatcher(tz="Europe/Warsaw")
    assert "no query" in d.handle("\\fetch").text
    d.handle("state = OPEN")
    r = d.handle("\\fetch 5")
    assert not r.ok and "\\campaign" in r.text
    d.handle("\\campaign c1")
    r = d.handle("\\fetch 5")
    assert r.ok, r.text
    lines = r.text.splitlines()
    assert lines[0].split() == ["id", "created_date", "state", "priority", "custom"]
    assert "r004" in r.text and "r005" not in r.text
    assert lines[-1] == "5 records shown; more match (\\fetch 25 shows more)"
    assert fake.calls[-1] == {
        "campaign": "c1",
        "filters": [[{"property": "state", "value": ["OPEN"]}]],
        "exclude": None,
        "page_size": 1000,
        "limit": 6,
    }
    assert d.session.custom_keys == {"region", "lead source", "k0", "k1"}
    assert d.handle("\\fetch 100").text.endswith("30 records")
    assert not d.handle("\\fetch x").ok


def test_fetch_without_connection_says_what_is_missing() -> None:
    d = Dispatcher(Session(campaign="c1", last_query="state = OPEN"))
    r = d.handle("\\fetch")
    assert not r.ok
    # In the words of the CLI and Python (why_not), without the CLI's --base-url.
    assert r.text == (
        "cannot fetch: no API base URL: set $CONPEEK_URL, or set base_url in the config "
        "([connection], or the table of the --profile given)"
    )
    d.session.base_url = "http://127.0.0.1:9"
    r = d.handle("\\fetch")
    assert r.text == "cannot fetch: no API key: set $CONPEEK_KEY, or api_key_env in the config"


def test_fetch_from_the_emulator() -> None:
    pytest.importorskip("requests")
    try:
        from cqlang.client import Client  # noqa: F401
    except ImportError:  # pragma: no cover - the client is someone else's module
        pytest.skip("no cqlang.client")
    from cqlang.emulator import DEFAULT_API_KEY, DEFAULT_CAMPAIGN, Emulator

    with Emulator(records=60, seed=3) as emu:
        session = Session(campaign=DEFAULT_CAMPAIGN, base_url=emu.url, api_key=DEFAULT_API_KEY)
        d = Dispatcher(session, width=160)
        assert d.handle("state = CLOSED or priority >= 50").ok
        r = d.handle("\\fetch 4")
    assert r.ok, r.text
    assert r.text.splitlines()[0].split()[:3] == ["id", "created_date", "state"]
    assert "region" in session.custom_keys


def test_fetch_fills_the_terminal_as_wide_as_it_is_at_each_fetch(
    emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """width=None (what `cqlang repl` uses): the terminal's width is read at
    each \\fetch, so a window resized between two fetches is filled."""
    from cqlang.emulator import DEFAULT_API_KEY, DEFAULT_CAMPAIGN

    session = Session(campaign=DEFAULT_CAMPAIGN, base_url=emulator.url, api_key=DEFAULT_API_KEY)
    d = Dispatcher(session, width=None)
    assert d.handle("state = CLOSED or priority >= 50").ok
    widths = []
    for columns in (70, 150, 90):
        monkeypatch.setenv("COLUMNS", str(columns))
        for expanded in ("off", "on"):
            assert d.handle(f"\\x {expanded}").ok
            r = d.handle("\\fetch 4")
            assert r.ok, r.text
            widest = max(len(line) for line in r.text.splitlines())
            assert widest <= columns
            widths.append(widest)
    assert widths[2] > widths[0] and widths[2] > widths[4]  # the table grew, then shrank


@pytest.mark.parametrize("columns", [80, 60, 200])
def test_help_fits_the_terminal(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    for d in (Dispatcher(Session(), width=columns), Dispatcher(Session(), width=None)):
        lines = d.handle("\\help").text.splitlines()
        assert max(len(line) for line in lines) <= columns
        assert lines[0].startswith("\\help ") and lines[-1].endswith("on one line.")
        if columns >= 80:  # every command's help on its one line
            assert not [line for line in lines if line.startswith(" ")]


def test_an_unknown_command_says_where_the_commands_are_listed() -> None:
    d = Dispatcher(Session())
    r = d.handle("\\profile")
    assert not r.ok and r.text == "unknown command \\profile (\\help lists the commands)"
    close = d.handle("\\fetc")
    assert close.text == "unknown command \\fetc; did you mean \\fetch?"


def test_save_says_what_a_name_is_as_the_config_check_does() -> None:
    from cqlang.diagnostics import NAME_CHARS

    d = Dispatcher(Session())
    assert d.handle("state = OPEN").ok
    r = d.handle("\\save 9bad")
    assert not r.ok
    assert r.text == "usage: \\save NAME [--force] (NAME: " + NAME_CHARS + ")"
    assert "not starting with a digit" in NAME_CHARS


def test_render_table_truncates_and_flattens() -> None:
    text = render_table([{"id": "x", "custom": {"a": "b" * 80}, "dialogs": [1]}], width=60)
    assert text.splitlines()[0].split() == ["id", "custom"]
    assert "a=bbbb" in text and "…" in text
    other = render_table([{"foo": 1, "bar": None, "baz": [1, 2]}]).splitlines()
    assert other[0].split() == ["foo", "bar", "baz"]
    assert other[-1].split() == ["1", "1,", "2"]


def test_save_writes_the_config_file(tmp_path: Path) -> None:
    d, _ = dispatcher()
    assert not d.handle("\\save hot").ok  # nothing to save yet
    d.handle("priority > 5")
    r = d.handle("\\save hot")
    assert r.ok and r.text == "saved @hot: priority > 5 (in cqlang.toml)"
    assert "query = 'priority > 5'" in (tmp_path / "cqlang.toml").read_text()
    assert d.handle("\\queries").text == "@hot  priority > 5"
    assert d.handle("@hot and state = OPEN").ok
    d.handle("priority > 6")
    again = d.handle("\\save hot")
    assert not again.ok and "exists already" in again.text
    assert d.handle("\\save hot --force").ok
    assert "priority > 6" in (tmp_path / "cqlang.toml").read_text()
    assert not d.handle("\\save 9lives").ok


def test_save_after_a_refused_query_says_what_it_saved(tmp_path: Path) -> None:
    """\\save after a refused query saves the last valid one, and says so
    (it used to say only "@y saved in cqlang.toml")."""
    d, _ = dispatcher()
    d.handle("state = OPEN")
    assert not d.handle("state = OPNE").ok
    r = d.handle("\\save y")
    assert r.ok and r.text == (
        "saved @y: state = OPEN (in cqlang.toml)\n"
        "the last query typed was refused: this is the last valid one"
    )
    assert "query = 'state = OPEN'" in (tmp_path / "cqlang.toml").read_text()
    # After a valid one again, no word about refusals; a long query is cut.
    long = " or ".join(f"priority = {i}" for i in range(20))
    assert d.handle(long).ok
    r = d.handle("\\save z")
    assert r.text.startswith("saved @z: priority = 0 or priority = 1") and "\n" not in r.text
    assert "…" in r.text


def test_unreadable_config_is_a_note_unless_a_profile_is_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CQLANG_CONFIG", str(tmp_path / "missing.toml"))
    env = integrations.load_environment()
    assert len(env.notes) == 1 and env.notes[0].startswith("config not loaded: ")
    with pytest.raises(integrations.Unavailable):
        integrations.load_environment("work")


def test_profile_from_the_config(tmp_path: Path) -> None:
    (tmp_path / "cqlang.toml").write_text(
        "[profiles.work]\nbase_url = 'http://127.0.0.1:9'\ncampaign = 'c9'\n"
        "timezone = 'Europe/Warsaw'\n\n[schema.custom_fields]\nregion = 'string'\n\n"
        "[queries.hot]\nquery = 'priority > 5'\n"
    )
    env = integrations.load_environment("work")
    assert (env.base_url, env.campaign, env.tz) == ("http://127.0.0.1:9", "c9", "Europe/Warsaw")
    assert list(env.queries) == ["hot"]
    assert isinstance(env.config, Config) and isinstance(env.queries["hot"], NamedQuery)
    assert "region" in env.schema.custom_fields
    with pytest.raises(integrations.Unavailable, match="unknown profile"):
        integrations.load_environment("home")


# ------------------------------------------------------------ piped mode


def test_run_script_prints_results_and_fails_on_an_invalid_query() -> None:
    d, _ = dispatcher()
    out, err = io.StringIO(), io.StringIO()
    lines = ["state = OPEN\n", "\n", "\\tz Europe/Warsaw\n", "prioirty > 3; priority > 3\n"]
    assert run_script(lines, d, out, err) == 1
    assert out.getvalue().splitlines() == [
        '[{"property": "state", "value": ["OPEN"]}]',
        "time zone: Europe/Warsaw",
        '[{"property": "priority", "operator": "gt", "value": 3}]',
    ]
    assert "^^^^^^^^ did you mean 'priority'?" in err.getvalue()


def test_run_script_stops_at_quit() -> None:
    d, _ = dispatcher()
    out, err = io.StringIO(), io.StringIO()
    assert run_script(["state = OPEN\n", "\\quit\n", "prioirty\n"], d, out, err) == 0
    assert err.getvalue() == ""


def test_cli_repl_piped(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["repl", "--tz", "Europe/Warsaw"], input="created_date = 2021-08-10\n\\tz\n"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        '[{"property": "created_date", "operator": "gte", "value": "2021-08-09 22:00:00"}, '
        '{"property": "created_date", "operator": "lte", "value": "2021-08-10 21:59:59"}]',
        "time zone: Europe/Warsaw",
    ]
    bad = runner.invoke(main, ["repl"], input="state = OPEN\nstate = OPNE\n")
    assert bad.exit_code == 1
    assert "did you mean 'OPEN'?" in bad.stderr
    assert not (tmp_path / "state").exists()


def test_cli_repl_usage_errors() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["repl", "--tz", "Nowhere/Land"], input="")
    assert result.exit_code == 2 and "--tz" in result.stderr
    result = runner.invoke(main, ["repl", "--profile", "nope"], input="")
    assert result.exit_code == 2 and "unknown profile 'nope'" in result.stderr
    # A --campaign that \campaign would refuse: refused at the start, not
    # once for every query typed (each query is prepared with it).
    result = runner.invoke(main, ["repl", "--campaign", ".."], input="state = OPEN\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("cqlang: --campaign: '..' cannot be a campaign id")
    assert "repl" in runner.invoke(main, ["--help"]).stdout


def test_run_writes_no_history_when_piped(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run(stdin=io.StringIO("state = OPEN\n"), stdout=out, stderr=err) == 0
    assert out.getvalue().startswith('[{"property": "state"')
    assert not (tmp_path / "state").exists()


def test_run_with_a_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "team.toml"
    cfg.write_text("[queries.hot]\nquery = 'priority > 5'\n\n[profiles.w]\ntimezone = 'UTC'\n")
    out, err = io.StringIO(), io.StringIO()
    script = "@hot and state = OPEN\n\\save hot_open\n\\queries\n"
    status = run(
        config_file=str(cfg), profile="w", stdin=io.StringIO(script), stdout=out, stderr=err
    )
    assert status == 0, err.getvalue()
    assert out.getvalue().splitlines()[1] == "saved @hot_open: @hot and state = OPEN (in team.toml)"
    assert "[queries.hot_open]" in cfg.read_text()
    err = io.StringIO()
    missing = str(tmp_path / "missing.toml")
    assert run(config_file=missing, stdin=io.StringIO(""), stdout=out, stderr=err) == 2
    assert "no such config file" in err.getvalue()


def test_narrow_tables_keep_the_most_useful_columns() -> None:
    rec = {
        "id": "6a740417a375b6be01234567",
        "created_date": "2026-08-06 10:00:00",
        "state": "OPEN",
        "application_state": "RECALL",
        "priority": 100,
        "contact_try": 2,
        "contact_number": "48202600823",
        "close_reason": None,
        "custom": json.dumps({"region": "PL", "segment": "SMB", "lead source": "web"}),
    }
    narrow = render_table([rec], 60).splitlines()
    assert narrow[0].split() == ["id", "state", "priority", "custom"]
    assert max(len(line) for line in narrow) <= 60
    wide = render_table([rec], 200).splitlines()
    assert wide[0].split() == [
        "id",
        "created_date",
        "state",
        "application_state",
        "priority",
        "contact_try",
        "contact_number",
        "close_reason",
        "custom",
    ]
    assert wide[-1].endswith("region=PL, segment=SMB, lead source=web")
    cut = render_table([rec], 125).splitlines()
    assert cut[0].split()[-1] == "custom" and cut[-1].endswith("…")
    assert max(len(line) for line in cut) <= 125


def test_a_failing_client_does_not_end_the_session() -> None:
    class Broken:
        def voice_campaign_requests(self, *a: Any, **kw: Any) -> Iterator[dict[str, Any]]:
            raise ConnectionResetError("peer went away")

    d = Dispatcher(
        Session(campaign="c1", last_query="state = OPEN"), client_factory=lambda u, k: Broken()
    )
    r = d.handle("\\fetch 3")
    assert not r.ok and r.text == "error: peer went away"  # the system's, not a bug
    assert d.handle("state = OPEN").ok


def test_cli_config_and_profile_reach_the_repl(tmp_path: Path) -> None:
    cfg = tmp_path / "team.toml"
    cfg.write_text(
        "[queries.hot]\nquery = 'priority > 5'\n\n[profiles.w]\ntimezone = 'Asia/Tokyo'\n"
    )
    runner = CliRunner()
    for args in (
        ["--config", str(cfg), "--profile", "w", "repl"],
        ["repl", "--config", str(cfg), "--profile", "w"],
    ):
        result = runner.invoke(main, args, input="\\tz\n\\queries\n")
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == ["time zone: Asia/Tokyo", "@hot  priority > 5"]


def test_the_table_shows_record_text_as_it_is_never_as_markup() -> None:
    from cqlang.repl.commands import render_table

    record = {"id": "1", "state": "[bold]OPEN[/bold]", "custom": '{"k": "[/x] [red]vip"}'}
    text = render_table([record], width=200)
    assert "[bold]OPEN[/bold]" in text and "[/x] [red]vip" in text


@pytest.mark.parametrize("bad", ["a\x07b", "a\x1b[2Jb", "ab\u202e"])
def test_campaign_refuses_a_control_character_and_never_echoes_it(bad: str) -> None:
    d, _ = dispatcher()
    reply = d.handle(f"\\campaign {bad}")
    assert not reply.ok and reply.text.startswith(
        "a campaign id cannot hold a control character (U+"
    )
    assert bad not in reply.text and "\x1b" not in reply.text and "\x07" not in reply.text
    assert d.session.campaign is None


def test_piped_notes_and_and_lines_read_as_a_paste_is_read() -> None:
    """A line of only a comment is a note (it used to run as an empty
    query: every record current); a line starting with `and`/`or` goes on
    with the query before it; the same reading as a paste's."""
    d = Dispatcher(Session())
    out, err = io.StringIO(), io.StringIO()
    lines = ["state = CLOSED\n", "# closed ones\n", "  and priority >= 60\n"]
    assert run_script(lines, d, out, err) == 0, err.getvalue()
    assert d.session.last_query == "state = CLOSED\n# closed ones\n  and priority >= 60"
    assert out.getvalue().splitlines()[0] == (
        '[{"property": "state", "value": ["CLOSED"]}, '
        '{"property": "priority", "operator": "gte", "value": 60}]'
    )
    d = Dispatcher(Session())
    assert run_script(["state = OPEN\n", "# a note\n"], d, out, err) == 0
    assert d.session.last_query == "state = OPEN\n# a note"  # the note belongs to it
    assert split_statements("state = OPEN; # only a note") == ["state = OPEN"]
