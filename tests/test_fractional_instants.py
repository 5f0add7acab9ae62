"""A datetime parameter with a fraction of a second is that instant: a
record's datetime is a whole second, so ``>=``/``>`` it is ``>=`` the next
second, ``<=``/``<`` it is ``<=`` the second before, and ``=`` or ``in`` it
matches nothing (CQL201, with a hint). One reading for a Python datetime,
a TOML datetime, and text (``--param``, ``\\param``, a ``str``) alike
(docs/language.md "Parameters")."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cqlang
from cqlang.cli import main
from cqlang.filterlists import compile_filters
from cqlang.repl import Dispatcher, Session
from cqlang.timeexpr import WHOLE_SECONDS_HINT

INSTANT = datetime(2026, 10, 25, 0, 30, 0, 500_000, tzinfo=UTC)
#: The same instant in every form a parameter takes.
FORMS: list[Any] = [
    INSTANT,
    INSTANT.astimezone(timezone(timedelta(hours=2))),
    "2026-10-25T00:30:00.5Z",
    "2026-10-25 02:30:00,5+02:00",
    " 2026-10-25T00:30:00.500000Z ",
]


def gte(v: str) -> dict[str, Any]:
    return {"property": "created_date", "operator": "gte", "value": v}


def lte(v: str) -> dict[str, Any]:
    return {"property": "created_date", "operator": "lte", "value": v}


@pytest.mark.parametrize("value", FORMS)
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("created_date >= $d", [gte("2026-10-25 00:30:01")]),
        ("created_date > $d", [gte("2026-10-25 00:30:01")]),
        ("created_date <= $d", [lte("2026-10-25 00:30:00")]),
        ("created_date < $d", [lte("2026-10-25 00:30:00")]),
        (
            "created_date between $d and 2026-10-25T01:00:00Z",
            [gte("2026-10-25 00:30:01"), lte("2026-10-25 01:00:00")],
        ),
    ],
)
def test_bounds_hold_the_instant_exactly(value: Any, query: str, expected: Any) -> None:
    assert cqlang.compile(query, params={"d": value}) == expected


@pytest.mark.parametrize("value", FORMS)
@pytest.mark.parametrize("query", ["created_date = $d", "created_date in ($d)"])
def test_equal_to_an_instant_between_seconds_never_matches(value: Any, query: str) -> None:
    plan = cqlang.plan(query, params={"d": value})
    assert plan.never_matches and plan.branches == []
    (warning,) = cqlang.check(query, params={"d": value})
    assert warning.code == "CQL201" and warning.hint == WHOLE_SECONDS_HINT


def test_a_whole_second_is_unchanged_and_has_no_hint() -> None:
    whole = INSTANT.replace(microsecond=0)
    for value in (whole, "2026-10-25T00:30:00.000Z", "2026-10-25T00:30:00Z"):
        assert cqlang.compile("created_date = $d", params={"d": value}) == [
            gte("2026-10-25 00:30:00"),
            lte("2026-10-25 00:30:00"),
        ]
    # A contradiction of the user's own gets no word about seconds.
    (warning,) = cqlang.check("created_date between 2026-10-26 and 2026-10-25")
    assert warning.code == "CQL201" and warning.hint is None


def test_the_second_before_is_not_after_it() -> None:
    """The record a second before the instant is not >= it."""
    plan = cqlang.plan("created_date >= $d or priority = 9", params={"d": INSTANT})
    records = [
        {"id": "a", "created_date": "2026-10-25 00:30:00", "priority": 1},
        {"id": "b", "created_date": "2026-10-25 00:30:01", "priority": 1},
    ]
    branches = [compile_filters(b) for b in plan.branches]
    assert [r["id"] for r in records if any(b(r) for b in branches)] == ["b"]


def test_past_the_calendars_last_second() -> None:
    diags = cqlang.check("created_date <= $d", params={"d": "9999-12-31T23:59:59.5Z"})
    assert [d.code for d in diags] == ["CQL113"]


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "cqlang.toml"
    config.write_text(
        "[queries.late]\n"
        'query = "created_date >= $d"\n'
        "params = { d = 2026-10-25T00:30:00.5Z }\n"
        "[queries.at]\n"
        'query = "created_date = $d"\n'
        "params = { d = 2026-10-25T00:30:00.5Z }\n",
        encoding="utf-8",
    )
    return {"CQLANG_CONFIG": str(config), "CQLANG_DEBUG": ""}


def test_command_line_and_named_query_read_it_alike(cli_env: dict[str, str]) -> None:
    runner = CliRunner()
    toml = runner.invoke(main, ["compile", "@late"], env=cli_env)
    param = runner.invoke(
        main,
        ["compile", "created_date >= $d", "--param", "d=2026-10-25T00:30:00.5Z"],
        env=cli_env,
    )
    assert toml.exit_code == 0 and param.exit_code == 0, (toml.output, param.output)
    assert json.loads(toml.stdout) == json.loads(param.stdout) == [gte("2026-10-25 00:30:01")]
    checked = runner.invoke(main, ["check", "@at"], env=cli_env)
    assert "CQL201" in checked.output and "whole second" in checked.output


def test_repl_param_reads_it_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cqlang.toml").write_text("")
    monkeypatch.setenv("CQLANG_CONFIG", str(tmp_path / "cqlang.toml"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    d = Dispatcher(Session())
    assert d.handle("\\param d = 2026-10-25T00:30:00.5Z").ok
    assert json.loads(d.handle("created_date >= $d").text) == [gte("2026-10-25 00:30:01")]


def _cql201(query: str, value: Any = INSTANT) -> tuple[str, str | None]:
    (warning,) = [d for d in cqlang.check(query, params={"d": value}) if d.code == "CQL201"]
    return query[warning.start : warning.end], warning.hint


@pytest.mark.parametrize(
    "query",
    [
        "(created_date >= $d or state = OPEN) and priority > 5 and priority < 3",
        "created_date = $d and priority > 5 and priority < 3",
        "(created_date in ($d) or state = OPEN) and priority > 5 and priority < 3",
    ],
)
def test_a_contradiction_the_instant_did_not_cause_gets_no_hint(query: str) -> None:
    """The query matches nothing with the instant read as either whole
    second beside it: the hint about seconds would blame the wrong part, and
    the span points at the part that clashes anyway."""
    for value in (INSTANT, "2026-10-25T00:30:00.5Z"):
        assert _cql201(query, value) == ("priority > 5 and priority < 3", None)


@pytest.mark.parametrize(
    "query",
    [
        "created_date >= $d and created_date <= 2026-10-24",
        "created_date > $d and created_date < 2026-10-25T00:30:01Z",
    ],
)
def test_a_clash_of_bounds_of_its_own_gets_no_hint(query: str) -> None:
    # Empty with the instant read as 00:30:00 and as 00:30:01 alike.
    assert _cql201(query)[1] is None


@pytest.mark.parametrize(
    "query",
    [
        "created_date = $d",
        "created_date in ($d) and priority = 1",
        "created_date >= $d and created_date < 2026-10-25T00:30:01Z",
        "created_date between $d and 2026-10-25T00:30:00Z",
        "not (created_date != $d) and state = OPEN",
        "(created_date = $d or created_date = $d) and priority = 2",
    ],
)
def test_the_instant_that_empties_the_query_gets_the_hint(query: str) -> None:
    assert _cql201(query)[1] == WHOLE_SECONDS_HINT


@pytest.mark.parametrize(
    ("value", "digits"),
    [
        ("2026-03-01T10:00:00.1234567891Z", "10"),
        ("2026-03-01 10:00:00,1234567891+02:00", "10"),
        ("2026-03-01T10:00:00." + "1" * 5000, "5,000"),
    ],
)
def test_a_fraction_past_nine_digits_is_said_so(value: str, digits: str) -> None:
    """It was "is not a datetime", with the hint of a query's datetime,
    which says nothing of a parameter's fraction."""
    (d,) = cqlang.check("created_date >= $d", params={"d": value})
    assert d.code == "CQL113"
    assert d.message.endswith(f"a fraction of a second has 1 to 9 digits, not {digits}")
    assert len(d.message) < 200
    assert d.hint is not None and "1 to 9 digits" in d.hint


def test_a_parameter_that_is_no_datetime_is_told_of_fractions() -> None:
    (d,) = cqlang.check("created_date >= $d", params={"d": "10:00"})
    assert d.hint is not None and "fraction of 1 to 9 digits" in d.hint
    # A datetime typed in the query takes no fraction: its hint says none.
    (q,) = cqlang.check('created_date >= "10:00"')
    assert q.hint is not None and "fraction" not in q.hint
