"""A clock past the calendar cqlang handles (0001-01-01 00:00:00 to
9999-12-31 23:59:59 UTC), given as ``--now`` (every command that takes it,
the launcher's fast path too), to the LSP's ``now`` option (tests in
test_lsp_lifecycle.py) or as ``now=`` in Python, is one message on every
path: the clock, how it was taken (at its offset, or in the zone of the
run), the side it falls on and the range, with a hint; a usage error (2)
on the command line, never a traceback. Before, ``--now`` said ``datetime
'...' is out of range`` (or ``the clock (now) is out of range``) with no
range and no hint."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

import cqlang
from cqlang import timeexpr
from cqlang.cli import main
from cqlang.errors import CqlError

RANGE = "0001-01-01 00:00:00 to 9999-12-31 23:59:59 UTC"
CLOCKS = [
    # (--now, --tz or None, how it is taken, side)
    ("9999-12-31T23:59:59-05:00", None, "at its offset -05:00", "after"),
    ("0001-01-01T00:00+05:00", None, "at its offset +05:00", "before"),
    ("0001-01-01 00:00", "Asia/Tokyo", "in Asia/Tokyo, as it gives no offset", "before"),
    ("9999-12-31 23:59:59", "Etc/GMT+12", "in Etc/GMT+12, as it gives no offset", "after"),
]
COMMANDS = [
    ["compile", "state = OPEN"],
    ["check", "state = OPEN"],
    ["explain", "state = OPEN"],
    ["fetch", "--dry-run", "--campaign", "c", "state = OPEN"],
    ["queries", "show", "nr"],
]


@pytest.fixture(autouse=True)
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "cqlang.toml"
    toml.write_text('[queries.nr]\nquery = "state = OPEN"\n')
    monkeypatch.setenv("CQLANG_CONFIG", str(toml))
    monkeypatch.chdir(tmp_path)


def said(now: str, tz: str | None, how: str, side: str) -> str:
    return f"the clock '{now}', taken {how}, falls {side} the calendar cqlang handles, {RANGE}"


@pytest.mark.parametrize(("now", "tz", "how", "side"), CLOCKS)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_command_says_the_range_and_how_the_clock_was_taken(
    command: list[str], now: str, tz: str | None, how: str, side: str
) -> None:
    zone = ["--tz", tz] if tz else []
    result = CliRunner().invoke(main, [*command, "--now", now, *zone])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith(f"cqlang: --now: {said(now, tz, how, side)} (give a clock")
    assert result.stdout == ""


@pytest.mark.parametrize(("now", "tz", "how", "side"), CLOCKS[::3])
def test_the_console_script_says_it_too(now: str, tz: str | None, how: str, side: str) -> None:
    """`cqlang compile` (the launcher's fast path, which leaves a bad --now
    to click) and `cqlang check`, as a user runs them: no traceback."""
    zone = ["--tz", tz] if tz else []
    for command in (["compile", "state = OPEN"], ["check", "state = OPEN"]):
        run = subprocess.run(
            [sys.executable, "-m", "cqlang", *command, "--now", now, *zone],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert run.returncode == 2, run.stderr
        assert said(now, tz, how, side) in run.stderr and "Traceback" not in run.stderr


def test_a_clock_in_range_for_its_zone_is_taken() -> None:
    """The calendar's edges in UTC hold where the zone keeps them inside
    (Kiritimati is UTC+14: its last second of 9999 is 09:59:59 UTC)."""
    late = timeexpr.parse_now("9999-12-31 23:59:59", "Pacific/Kiritimati")
    assert late == datetime(9999, 12, 31, 9, 59, 59, tzinfo=UTC)
    assert timeexpr.parse_now("0001-01-01 00:00") == datetime(1, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(("now", "tz", "how", "side"), CLOCKS)
def test_parse_now_in_python(now: str, tz: str | None, how: str, side: str) -> None:
    with pytest.raises(timeexpr.TimeError) as caught:
        timeexpr.parse_now(now, tz)
    assert str(caught.value) == said(now, tz, how, side)
    assert caught.value.code == "CQL107" and caught.value.hint


def test_now_given_as_a_datetime_in_python() -> None:
    """``now=`` an aware datetime past the calendar: CQL107 at the query's
    ``now``, in the same words (it said ``the clock (now) is out of
    range``)."""
    late = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5, minutes=-30)))
    with pytest.raises(CqlError) as caught:
        cqlang.compile("created_date > now", now=late)
    (diag,) = caught.value.diagnostics
    assert diag.code == "CQL107" and diag.hint == "give a clock inside that range"
    assert diag.message == said("9999-12-31 23:00:00-05:30", None, "at its offset -05:30", "after")
