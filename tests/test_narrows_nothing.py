"""One finding, one source: the planner's warnings (CQL206, "the server
narrows nothing", and CQL201's words) reach every front end as
``plan.warnings``, never as text a front end writes itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import cqlang
from cqlang.cli import main
from cqlang.diagnostics import NEVER_MATCHES, no_campaign
from cqlang.emulator import DEFAULT_API_KEY, DEFAULT_CAMPAIGN, Emulator
from cqlang.repl.commands import Dispatcher
from cqlang.repl.session import Session

NOTHING = 'custom.region != "PL"'  # no filter can say it: every record comes down


@pytest.fixture(autouse=True)
def no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    for var in ("CQLANG_CONFIG", "CONPEEK_URL", "CONPEEK_KEY", "CQLANG_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


def codes(diags: object) -> list[str]:
    return [d.code for d in diags]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("query", "warned"),
    [
        (NOTHING, True),
        ("close_reason != X", True),
        ('state = OPEN or custom.region != "PL"', True),  # the one request has no filter
        ('state = OPEN and custom.region != "PL"', False),  # the server narrows by state
        ("state = OPEN", False),
        ("state = OPEN or priority > 5", False),
    ],
)
def test_the_planner_warns_when_no_request_narrows(query: str, warned: bool) -> None:
    plan = cqlang.plan(query)
    assert ("CQL206" in codes(plan.warnings)) is warned
    assert ("CQL206" in codes(cqlang.check(query))) is warned
    if warned:
        (d,) = [d for d in plan.warnings if d.code == "CQL206"]
        assert d.severity == "warning" and (d.start, d.end) == (0, len(query))
        assert d.hint and d.fact("requests") == plan.requests


def test_explain_json_carries_the_warning() -> None:
    """It used to say "warnings": [] while the text mode warned."""
    result = CliRunner().invoke(main, ["explain", "--json", NOTHING])
    assert result.exit_code == 0, result.output
    assert codes_of(json.loads(result.stdout)["warnings"]) == ["CQL206"]


def codes_of(dicts: list[dict[str, object]]) -> list[object]:
    return [d["code"] for d in dicts]


def test_explain_text_draws_the_warning_once() -> None:
    result = CliRunner().invoke(main, ["explain", NOTHING])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("warning[CQL206]") == 1
    assert result.stderr.count("narrows nothing") == 1


def test_repl_explain_and_fetch_show_the_warning(emulator: Emulator) -> None:
    """The REPL's \\explain used to be silent, \\fetch too."""
    session = Session(campaign=DEFAULT_CAMPAIGN, base_url=emulator.url, api_key=DEFAULT_API_KEY)
    d = Dispatcher(session, width=160)
    assert "warning[CQL206]" in d.handle("\\explain " + NOTHING).text
    assert "warning[CQL206]" in d.handle(NOTHING).text
    fetched = d.handle("\\fetch 3")
    assert fetched.ok and fetched.text.startswith("warning[CQL206]")
    quiet = d.handle('state = OPEN and custom.region != "PL"')
    assert "CQL206" not in quiet.text
    assert "CQL206" not in d.handle("\\fetch 3").text


def test_cli_fetch_warns_before_it_sends(emulator: Emulator) -> None:
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": DEFAULT_API_KEY}
    args = ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--limit", "2", NOTHING]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("warning[CQL206]") == 1


def test_never_matches_is_worded_once() -> None:
    plan = cqlang.plan("priority > 5 and priority < 3")
    assert NEVER_MATCHES in plan.explain().lower()
    result = CliRunner().invoke(
        main, ["fetch", "--campaign", "c1", "priority > 5 and priority < 3"]
    )
    assert result.exit_code == 0 and NEVER_MATCHES in result.stderr
    d = Dispatcher(Session())
    assert d.status("priority > 5 and priority < 3").startswith("warning[CQL201]")


def test_no_campaign_is_worded_per_front_end() -> None:
    d = Dispatcher(Session(last_query="state = OPEN"))
    reply = d.handle("\\fetch")
    assert not reply.ok and reply.text == no_campaign("repl")
    assert "\\campaign ID" in reply.text
    result = CliRunner().invoke(main, ["fetch", "state = OPEN"], env={"CONPEEK_KEY": "k"})
    assert result.exit_code == 2 and no_campaign("cli") in result.stderr
