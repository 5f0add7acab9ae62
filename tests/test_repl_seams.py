"""Where the REPL meets the rest (issue 11, items 1, 9, 13, 14; issue 16,
item 12): named queries keep what they declare in `\\fetch` and `\\save`,
`\\set max_branches`, psql's habits, piped input read as the terminal reads
it, and no internal error for what a user can type."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from repl_support import FakeClient

from cqlang.cli import main
from cqlang.config.fetchspec import Settings
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.repl import Dispatcher, Session, run, run_script

THREE = "priority = 1 or state = OPEN or custom.a = b"

CONFIG = f"""
[connection]
page_size = 77
max_branches = 2

[queries.hot]
query = "priority >= $min and state = OPEN"
params = {{ min = 50 }}
exclude = ["history", "custom"]
limit = 3
campaign = "{DEFAULT_CAMPAIGN}"
timezone = "Asia/Tokyo"

[queries.not_pl]
query = 'custom.region != "PL"'
exclude = ["custom"]
"""


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "cqlang.toml"
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("CQLANG_CONFIG", str(path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("CONPEEK_URL", raising=False)
    monkeypatch.delenv("CONPEEK_KEY", raising=False)
    monkeypatch.chdir(tmp_path)


def piped(script: str, **options: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(stdin=io.StringIO(script), stdout=out, stderr=err, **options)
    return status, out.getvalue(), err.getvalue()


def configured(**session: Any) -> tuple[Dispatcher, FakeClient]:
    """A dispatcher with the session `cqlang repl` makes from the config."""
    from cqlang.repl.integrations import load_environment

    env = load_environment()
    fake = FakeClient([{"id": f"r{i}", "state": "OPEN", "priority": 60 + i} for i in range(50)])
    s = Session(
        queries=env.queries,
        schema=env.schema,
        defaults=Settings(page_size=env.page_size, max_branches=env.max_branches),
        **session,
    )
    return Dispatcher(s, client_factory=lambda url, key: fake), fake


# ------------------------------------------------- named queries (item 13)


def test_fetch_of_a_named_query_keeps_what_it_declares() -> None:
    d, fake = configured()
    assert d.handle("@hot").ok
    r = d.handle("\\fetch 10")
    assert r.ok, r.text
    assert fake.calls[-1] == {
        "campaign": DEFAULT_CAMPAIGN,
        "filters": [
            [
                {"property": "priority", "operator": "gte", "value": 50},
                {"property": "state", "value": ["OPEN"]},
            ]
        ],
        "exclude": ["history", "custom"],
        "page_size": 77,  # the config's
        "limit": 3,  # the query's own limit caps the fetch
    }
    assert r.text.splitlines()[-1] == "3 records (the limit of @hot)"
    # What the session sets wins over the named query's own settings.
    d.handle("\\campaign c-mine")
    d.handle("\\param min=70")
    d.handle("\\set page_size 5")
    assert d.handle("\\fetch 2").ok
    call = fake.calls[-1]
    assert (call["campaign"], call["page_size"], call["limit"]) == ("c-mine", 5, 3)
    assert call["filters"][0][0]["value"] == 70
    assert d.handle("\\fetch 2").text.splitlines()[-1].startswith("2 records shown; more match")


def test_a_named_querys_time_zone_applies_in_the_repl() -> None:
    d, _ = configured()
    d.session.queries["day"] = type(
        "Q", (), {"text": "created_date = 2021-08-10", "params": {}, "timezone": "Asia/Tokyo"}
    )()
    tokyo = d.handle("@day").text
    assert '"value": "2021-08-09 15:00:00"' in tokyo
    d.handle("\\tz UTC")
    assert '"value": "2021-08-10 00:00:00"' in d.handle("@day").text


def test_save_keeps_the_bound_parameters_and_the_time_zone(tmp_path: Path) -> None:
    script = (
        "\\param min=7\n"
        "\\param unused=1\n"
        "\\tz Europe/Warsaw\n"
        "priority >= $min and created_date >= 2026-01-01\n"
        "\\save recent\n"
        "priority >= $min\n"
        "\\save plain\n"
    )
    status, _, err = piped(script)
    assert status == 0, err
    text = (tmp_path / "cqlang.toml").read_text(encoding="utf-8")
    assert "[queries.recent]" in text and "params = { min = 7 }" in text
    assert 'timezone = "Europe/Warsaw"' in text
    plain = text.split("[queries.plain]")[1]
    assert "params = { min = 7 }" in plain and "timezone" not in plain and "unused" not in text
    result = CliRunner().invoke(main, ["queries", "check"])
    assert result.exit_code == 0, result.output
    assert run_with_saved_query(tmp_path)


def run_with_saved_query(tmp_path: Path) -> bool:
    """The saved query compiles on the command line with its defaults."""
    result = CliRunner().invoke(main, ["compile", "@plain"])
    return result.exit_code == 0 and '"value": 7' in result.stdout


@pytest.mark.emulator(records=300, seed=1)
def test_fetch_in_the_repl_of_a_named_exclude_keeps_the_records(emulator: Emulator) -> None:
    """Item 1 through the REPL: @not_pl excludes `custom`, which its check reads."""
    from cqlang.repl.integrations import load_environment

    env = load_environment()
    for script, want_custom in (
        ("@not_pl\n\\fetch 500\n", False),
        ('custom.region != "PL"\n\\fetch 500\n', True),
    ):
        s = Session(
            campaign=DEFAULT_CAMPAIGN,
            queries=env.queries,
            base_url=emulator.url,
            api_key="demo-key",
        )
        d = Dispatcher(s, width=400)
        out, err = io.StringIO(), io.StringIO()
        assert run_script(io.StringIO(script), d, out, err) == 0, err.getvalue()
        tail = out.getvalue().splitlines()[-1]
        assert tail == "170 records", tail
        header = next(line for line in out.getvalue().splitlines() if line.startswith("id "))
        assert ("custom" in header.split()) is want_custom


# ------------------------------------------------------ max_branches (item 9)


def test_set_max_branches() -> None:
    d, _ = configured()
    refused = d.handle(THREE)
    assert not refused.ok and "error[CQL204]" in refused.text
    assert "raise the limit with \\set max_branches N" in refused.text
    assert d.status(THREE).endswith(
        "(narrow the 'or's, or raise the limit with \\set max_branches N)"
    )
    assert d.handle("\\set max_branches 3").text == "max_branches = 3"
    assert d.handle(THREE).ok
    assert d.status(THREE) == "ok: 3 requests"
    assert d.handle("\\set").text == "max_branches = 3\npage_size = 77 (from the config)"
    assert d.handle("\\set max_branches default").text == "max_branches = 2 (from the config)"
    assert d.handle("\\set page_size").text == "page_size = 77 (from the config)"
    for bad in (
        "\\set max_branches 0",
        "\\set max_branches x",
        "\\set max_branches ²",
        "\\set page_size 10001",
    ):
        r = d.handle(bad)
        assert not r.ok and r.text.startswith("usage: \\set"), (bad, r.text)
    assert (
        d.handle("\\set max_branch 3").text
        == "unknown setting 'max_branch'; did you mean max_branches?"
    )
    assert d.handle("\\set max_branches=4").text == "max_branches = 4"


def test_fetch_count_in_unicode_digits_is_a_usage_error() -> None:
    d, _ = configured()
    d.handle("state = OPEN")
    for arg in ("²", "١٢", "5²", "-1", "0", "10001", "99999999999999999999"):
        r = d.handle(f"\\fetch {arg}")
        assert not r.ok and r.text.startswith("usage: \\fetch [N], N from 1 to 10000"), (
            arg,
            r.text,
        )


# ------------------------------------------------------- habits (item 14)


@pytest.mark.parametrize("word", ["quit", "exit", "QUIT", "  exit  ", "quit;"])
def test_quit_and_exit_alone_leave(word: str) -> None:
    d, _ = configured()
    assert d.handle(word).quit
    assert d.status(word) == "\\quit: leave (also quit or exit alone, Ctrl-D)"
    status, out, err = piped(f"state = OPEN\n{word}\nprioirty > 1\n")
    assert (status, err) == (0, "")
    assert out.splitlines() == ['[{"property": "state", "value": ["OPEN"]}]']


def test_help_alone_shows_the_help() -> None:
    d, _ = configured()
    assert d.handle("help").text == d.handle("\\help").text
    status, out, _ = piped("help\n")
    assert status == 0 and out.startswith("\\help ")
    # Inside a query they are words of the query, as ever.
    assert not d.handle("state = OPEN and help").ok


def test_the_terminal_submits_quit_and_help_at_once() -> None:
    from cqlang.repl.session import needs_more_input

    for word in ("quit", "exit", "help", "Help;"):
        assert not needs_more_input(word)
    assert needs_more_input("state = OPEN and")


def test_piped_input_joins_a_line_that_cannot_end_a_query() -> None:
    script = (
        "state = OPEN and\n"
        "  priority >\n"
        "3\n"
        "custom.region in (PL,\n"
        "\n"
        "DE)\n"
        "priority >= 1; state in (\n"
        "OPEN)\n"
    )
    status, out, err = piped(script)
    assert status == 0, err
    assert out.splitlines() == [
        '[{"property": "state", "value": ["OPEN"]}, '
        '{"property": "priority", "operator": "gt", "value": 3}]',
        "2 requests, records merged by id:",
        *out.splitlines()[2:6],
        '[{"property": "priority", "operator": "gte", "value": 1}]',
        '[{"property": "state", "value": ["OPEN"]}]',
    ]


def test_piped_input_never_swallows_a_meta_command() -> None:
    status, out, err = piped("state = OPEN and\n\\tz Europe/Warsaw\nstate = OPEN and\n")
    assert status == 1
    assert out.splitlines() == ["time zone: Europe/Warsaw"]
    assert err.count("error[CQL004]") == 2


def test_a_byte_order_mark_before_piped_input_is_skipped() -> None:
    status, out, err = piped("\ufeffstate = OPEN\n")
    assert (status, err) == (0, "")
    assert out == '[{"property": "state", "value": ["OPEN"]}]\n'
    status, out, _ = piped("\ufeff\\tz\n")
    assert status == 0 and out == "time zone: UTC\n"
    result = CliRunner().invoke(main, ["repl"], input="\ufeffquit\n")
    assert result.exit_code == 0 and result.output == ""
    # The commands' `-` reads stdin without its mark too.
    compiled = CliRunner().invoke(main, ["compile", "-"], input="\ufeffstate = OPEN\n")
    assert compiled.stdout == '[{"property": "state", "value": ["OPEN"]}]\n'


def test_the_bottom_bar_is_an_empty_prompts_after_a_submission() -> None:
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from cqlang.repl.app import Repl

    bars: list[str] = []  # the bar as each new prompt starts
    with create_pipe_input() as inp:
        r = Repl(
            Dispatcher(Session()),
            input=inp,
            output=DummyOutput(),
            stdout=io.StringIO(),
            history=InMemoryHistory(),
            debounce=0,
        )
        prompt = r.prompt.prompt

        def prompting(*args: Any, **kw: Any) -> str:
            bars.append(r.live.line)
            return prompt(*args, **kw)

        r.prompt.prompt = prompting  # type: ignore[method-assign]
        for line in ("state = OPEN", "\\tz Europe/Warsaw", "prioirty > 1", "help"):
            inp.send_text(line + "\r")
        inp.send_text("prio\x03")  # Ctrl-C abandons the input
        inp.send_text("quit\r")
        done: list[int] = []
        loop = threading.Thread(target=lambda: done.append(r.run()), daemon=True)
        loop.start()
        loop.join(20)  # bounded: `quit` must end the loop by itself
        assert done == [0], "the REPL did not leave on `quit`"
    # Six prompts; `quit` left at once (Enter did not continue it).
    assert bars == ["type a query, or \\help"] * 6
