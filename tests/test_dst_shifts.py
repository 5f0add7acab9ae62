"""Relative times whose wall clock lands in a daylight-saving gap or overlap
(docs/language.md "Relative times"). A calendar shift (``d``, ``w``,
``mo``, ``y``) moves the wall clock; the time it lands on is read as a
datetime typed in the zone is (the offset before the change), except that
in a repeated hour it keeps the pass of the time it moved from. So a shift
by zero never moves ``now``, and days and months that land on the same
wall clock land on the same instant. They used to differ: with ``now`` in
the second pass of New York's repeated hour, ``now - 0d`` was an hour
before ``now`` (days lost the pass) while ``now + 0mo`` was ``now``
(months kept it), and ``now - 11y`` and ``now - 574w``, the same wall
clock, were an hour apart."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache

import pytest
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

import cqlang
from cqlang import timeexpr
from cqlang.cli import main
from cqlang.timeexpr import from_epoch, relative_interval, to_epoch, zone

#: Zones with daylight saving (north and south, a 30-minute change at Lord
#: Howe, changes at midnight in Santiago, Dublin's negative one), a zone
#: whose offset moved by 15 minutes once (Kathmandu, 1986) and one that
#: skipped a whole day (Apia, 2011).
ZONES = (
    "America/New_York",
    "Europe/Warsaw",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/Santiago",
    "Europe/Dublin",
    "Pacific/Apia",
)
YEARS = (1986, 1990, 2011, 2015, 2026, 2027, 2040, 2116)
UNITS = ("s", "m", "h", "d", "w", "mo", "y")


@cache
def transitions(name: str, year: int) -> tuple[int, ...]:
    """The epoch seconds at which ``name``'s offset changes in ``year``
    (UTC), found day by day, then to the second."""
    tz = zone(name)
    start = to_epoch(datetime(year, 1, 1, tzinfo=UTC))

    def offset(sec: int) -> timedelta | None:
        return from_epoch(sec).astimezone(tz).utcoffset()

    found = []
    for day in range(366):
        lo, hi = start + day * 86400, start + (day + 1) * 86400
        if offset(lo) != offset(hi):
            while hi - lo > 1:  # offset(lo) differs from offset(hi)
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset(mid) == offset(lo) else (lo, mid)
            found.append(hi)
    return tuple(found)


def walls(sec: int, tz: tzinfo) -> datetime:
    """The wall clock (naive) of the instant ``sec`` in ``tz``."""
    return from_epoch(sec).astimezone(tz).replace(tzinfo=None)


def instants_of(wall: datetime, tz: tzinfo) -> list[int]:
    """Every instant whose wall clock in ``tz`` is ``wall``: none in a gap,
    two in a repeated hour (found by trying each offset, then checked)."""
    out = set()
    for fold in (0, 1):
        sec = to_epoch(wall.replace(tzinfo=tz, fold=fold))
        if walls(sec, tz) == wall:
            out.add(sec)
    return sorted(out)


def expected(wall: datetime, tz: tzinfo, second_pass: bool) -> int:
    """The instant the landing wall clock names, by the rule of
    docs/language.md: in a gap the offset before the change; in a repeated
    hour the pass the shifted time was in; else the one instant."""
    found = instants_of(wall, tz)
    if not found:
        return to_epoch(wall.replace(tzinfo=tz, fold=0))
    return found[-1] if second_pass else found[0]


@st.composite
def clocks(draw: st.DrawFn) -> tuple[str, datetime]:
    """A zone and an instant in it: anywhere, near one of its offset
    changes (either pass of a repeated hour), or a wall clock typed near one
    (in a gap too) and read as ``--now`` reads it."""
    name = draw(st.sampled_from(ZONES))
    tz = zone(name)
    kind = draw(st.integers(0, 2))
    changes = transitions(name, draw(st.sampled_from(YEARS)))
    if kind == 0 or not changes:
        sec = draw(st.integers(to_epoch(datetime(1900, 1, 1, tzinfo=UTC)), 2**32))
        return name, from_epoch(sec)
    near = draw(st.sampled_from(changes)) + draw(st.integers(-7200, 7200))
    if kind == 1:
        return name, from_epoch(near)
    typed = walls(near, tz) + timedelta(minutes=draw(st.integers(-90, 90)))
    now = timeexpr.clock_in(typed, tz)
    assert now is not None
    return name, now


def at(name: str, now: datetime, *shifts: tuple[int, str]) -> int:
    lo, hi = relative_interval("now", shifts, zone(name), now)
    assert lo == hi
    return lo


def clamped(day: date, months: int) -> date:
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


@given(clocks(), st.sampled_from(UNITS))
@example(("America/New_York", datetime(2026, 11, 1, 6, 30, tzinfo=UTC)), "d")
@example(("America/New_York", datetime(2026, 11, 1, 6, 30, tzinfo=UTC)), "w")
@example(("Europe/Warsaw", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)), "d")
def test_a_shift_by_zero_never_moves_now(clock: tuple[str, datetime], unit: str) -> None:
    name, now = clock
    sec = to_epoch(now)
    assert at(name, now, (0, unit)) == sec
    assert at(name, now, (0, unit), (0, "d"), (0, "mo")) == sec


@given(clocks(), st.integers(-3000, 3000))
@example(("America/New_York", datetime(2026, 11, 1, 6, 30, tzinfo=UTC)), 1)
def test_days_there_and_back_return_to_now(clock: tuple[str, datetime], days: int) -> None:
    name, now = clock
    sec = to_epoch(now)
    assert at(name, now, (-days, "d"), (days, "d")) == sec
    assert at(name, now, (days, "w"), (-7 * days, "d")) == sec


@given(clocks(), st.integers(-2400, 2400))
@example(("America/New_York", datetime(2026, 11, 1, 6, 30, tzinfo=UTC)), -132)  # - 11y
@example(("Europe/Warsaw", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)), 1080)  # + 90y
@example(("Europe/Warsaw", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)), 1080)
def test_days_and_months_landing_on_one_wall_clock_agree(
    clock: tuple[str, datetime], months: int
) -> None:
    name, now = clock
    tz = zone(name)
    sec = to_epoch(now)
    wall = walls(sec, tz)
    landing = clamped(wall.date(), months)
    days = (landing - wall.date()).days
    target = datetime.combine(landing, wall.time())
    second_pass = len(instants_of(wall, tz)) == 2 and instants_of(wall, tz)[-1] == sec
    want = expected(target, tz, second_pass)
    assert at(name, now, (months, "mo")) == want
    assert at(name, now, (days, "d")) == want
    if days % 7 == 0:
        assert at(name, now, (days // 7, "w")) == want
    if months % 12 == 0:
        assert at(name, now, (months // 12, "y")) == want


# (zone, now, query's relative time, the instant sent): the reviewer's cases.
CASES = [
    ("America/New_York", "2026-11-01T06:30:00Z", "now - 0d", "2026-11-01 06:30:00"),
    ("America/New_York", "2026-11-01T06:30:00Z", "now + 0mo", "2026-11-01 06:30:00"),
    ("America/New_York", "2026-11-01T06:30:00Z", "now - 1d + 1d", "2026-11-01 06:30:00"),
    ("America/New_York", "2026-11-01T06:30:00Z", "now - 11y", "2015-11-01 06:30:00"),
    ("America/New_York", "2026-11-01T06:30:00Z", "now - 574w", "2015-11-01 06:30:00"),
    # The first pass of the same hour stays in the first pass.
    ("America/New_York", "2026-11-01T05:30:00Z", "now - 574w", "2015-11-01 05:30:00"),
    ("America/New_York", "2026-11-01T05:30:00Z", "now - 11y", "2015-11-01 05:30:00"),
    ("Europe/Warsaw", "2026-10-25T01:30:00Z", "now + 90y", "2116-10-25 01:30:00"),
    ("Europe/Warsaw", "2026-10-25T00:30:00Z", "now + 90y", "2116-10-25 00:30:00"),
    # Into a gap: the offset before the change (02:30 EST is 07:30 UTC).
    ("America/New_York", "2026-03-07T07:30:00Z", "now + 1d", "2026-03-08 07:30:00"),
    ("America/New_York", "2026-11-01T06:30:00Z", "now - 238d", "2026-03-08 06:30:00"),
]


@pytest.mark.parametrize(("tz", "now", "text", "sent"), CASES)
def test_every_path_reads_the_landing_alike(tz: str, now: str, text: str, sent: str) -> None:
    want = [{"property": "created_date", "operator": "gte", "value": sent}]
    clock = datetime.fromisoformat(now)
    assert cqlang.compile(f"created_date >= {text}", tz=tz, now=clock) == want
    by_param = cqlang.compile("created_date >= $t", tz=tz, params={"t": text}, now=clock)
    assert by_param == want
    runner = CliRunner()
    for args in (
        [f"created_date >= {text}"],
        ["created_date >= $t", "--param", f"t={text}"],
    ):
        result = runner.invoke(main, ["compile", "--tz", tz, "--now", now, *args])
        assert result.exit_code == 0, result.output
        assert f'"value": "{sent}"' in result.output, result.output
