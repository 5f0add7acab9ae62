"""Datetime literals and relative times as UTC intervals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from cqlang import timeexpr
from cqlang.timeexpr import (
    TimeError,
    format_utc,
    literal_interval,
    parse_now,
    parse_time_value,
    parse_utc,
    relative_interval,
    resolve_now,
    to_epoch,
    zone,
)

WARSAW = zone("Europe/Warsaw")


def utc(text: str) -> int:
    seconds = parse_utc(text)
    assert seconds is not None
    return seconds


def interval(text: str, tz: str | None = None) -> tuple[str, str]:
    lo, hi = literal_interval(text, zone(tz))
    return format_utc(lo), format_utc(hi)


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("2021-08-10", "2021-08-10 00:00:00", "2021-08-10 23:59:59"),
        ("2021-08-10T14:30", "2021-08-10 14:30:00", "2021-08-10 14:30:59"),
        ("2021-08-10 14:30", "2021-08-10 14:30:00", "2021-08-10 14:30:59"),
        ("2021-08-10 14:30:05", "2021-08-10 14:30:05", "2021-08-10 14:30:05"),
        ("2021-08-10t14:30:05z", "2021-08-10 14:30:05", "2021-08-10 14:30:05"),
        ("2021-08-10T14:30:05+02:00", "2021-08-10 12:30:05", "2021-08-10 12:30:05"),
        ("2021-08-10T14:30-0130", "2021-08-10 16:00:00", "2021-08-10 16:00:59"),
        ("2021-12-31", "2021-12-31 00:00:00", "2021-12-31 23:59:59"),
        ("2024-02-29", "2024-02-29 00:00:00", "2024-02-29 23:59:59"),
    ],
)
def test_a_literal_denotes_the_interval_of_its_precision(text: str, lo: str, hi: str) -> None:
    assert interval(text) == (lo, hi)


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("2021-08-10", "2021-08-09 22:00:00", "2021-08-10 21:59:59"),
        ("2021-01-10", "2021-01-09 23:00:00", "2021-01-10 22:59:59"),
        ("2021-03-28", "2021-03-27 23:00:00", "2021-03-28 21:59:59"),  # 23 hours
        ("2021-10-31", "2021-10-30 22:00:00", "2021-10-31 22:59:59"),  # 25 hours
        # In the spring gap and the autumn fold, the offset before the change.
        ("2021-03-28 02:30", "2021-03-28 01:30:00", "2021-03-28 01:30:59"),
        ("2021-10-31 02:30", "2021-10-31 00:30:00", "2021-10-31 00:30:59"),
        ("2021-08-10T14:30Z", "2021-08-10 14:30:00", "2021-08-10 14:30:59"),
    ],
)
def test_naive_literals_are_in_the_query_zone(text: str, lo: str, hi: str) -> None:
    assert interval(text, "Europe/Warsaw") == (lo, hi)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2021-8-10", "CQL106"),
        ("10.08.2021", "CQL106"),
        ("2021-08-10 1430", "CQL106"),
        ("2021-02-29", "CQL107"),
        ("2021-04-31", "CQL107"),
        ("2021-00-10", "CQL107"),
        ("2021-08-10 23:60", "CQL107"),
        ("2021-08-10T10:00+99:00", "CQL107"),
    ],
)
def test_bad_literals(text: str, code: str) -> None:
    with pytest.raises(TimeError) as info:
        literal_interval(text, UTC)
    assert info.value.code == code
    assert isinstance(info.value, ValueError)


def test_zone_lookup() -> None:
    assert zone(None) is UTC and zone("UTC") is UTC and zone("z") is UTC
    assert zone("Europe/Warsaw").utcoffset(datetime(2021, 8, 10)) == timedelta(hours=2)
    for bad in ["Mars/Base", "", "/etc/localtime", "../x", "Europe/../../etc"]:
        with pytest.raises(TimeError) as info:
            zone(bad)
        assert info.value.code == "CQL108"


NOW = datetime(2021, 8, 10, 14, 30, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("base", "shifts", "lo", "hi"),
    [
        ("now", (), "2021-08-10 14:30:30", "2021-08-10 14:30:30"),
        ("today", (), "2021-08-10 00:00:00", "2021-08-10 23:59:59"),
        ("yesterday", (), "2021-08-09 00:00:00", "2021-08-09 23:59:59"),
        ("today", ((-7, "d"),), "2021-08-03 00:00:00", "2021-08-03 23:59:59"),
        ("today", ((1, "w"),), "2021-08-17 00:00:00", "2021-08-17 23:59:59"),
        ("now", ((-90, "m"),), "2021-08-10 13:00:30", "2021-08-10 13:00:30"),
        ("now", ((2, "h"), (-30, "s")), "2021-08-10 16:30:00", "2021-08-10 16:30:00"),
        ("today", ((-1, "h"),), "2021-08-09 23:00:00", "2021-08-10 22:59:59"),
    ],
)
def test_relative_times_in_utc(
    base: str, shifts: tuple[tuple[int, str], ...], lo: str, hi: str
) -> None:
    a, b = relative_interval(base, shifts, UTC, NOW)
    assert (format_utc(a), format_utc(b)) == (lo, hi)


def test_days_are_calendar_days_across_dst_and_hours_are_exact() -> None:
    # 2021-03-28 12:00 UTC is 14:00 CEST; a day earlier it was 13:00 CET.
    now = datetime(2021, 3, 28, 12, 0, tzinfo=UTC)
    one_day, _ = relative_interval("now", ((-1, "d"),), WARSAW, now)
    hours, _ = relative_interval("now", ((-24, "h"),), WARSAW, now)
    assert format_utc(one_day) == "2021-03-27 13:00:00"
    assert format_utc(hours) == "2021-03-27 12:00:00"
    assert one_day - hours == 3600  # a 23-hour day
    # yesterday in Warsaw, seen on 2021-03-29: the short day.
    lo, hi = relative_interval("yesterday", (), WARSAW, datetime(2021, 3, 29, 10, tzinfo=UTC))
    assert (format_utc(lo), format_utc(hi)) == ("2021-03-27 23:00:00", "2021-03-28 21:59:59")
    assert hi - lo + 1 == 23 * 3600
    # today - 1d across the autumn change: the long day.
    lo, hi = relative_interval("today", ((-1, "d"),), WARSAW, datetime(2021, 11, 1, 10, tzinfo=UTC))
    assert hi - lo + 1 == 25 * 3600


def test_today_depends_on_the_zone() -> None:
    late = datetime(2021, 8, 10, 23, 30, tzinfo=UTC)
    lo, _ = relative_interval("today", (), WARSAW, late)
    assert format_utc(lo) == "2021-08-10 22:00:00"  # already the 11th in Warsaw
    lo, _ = relative_interval("today", (), zone("America/New_York"), late)
    assert format_utc(lo) == "2021-08-10 04:00:00"


def test_huge_shifts_are_impossible_not_crashes() -> None:
    with pytest.raises(TimeError) as info:
        relative_interval("now", ((10**31, "d"),), UTC, NOW)
    assert info.value.code == "CQL107"
    with pytest.raises(TimeError):
        relative_interval("today", ((-(10**12), "s"),), WARSAW, NOW)


def test_time_values_for_parameters_and_options() -> None:
    assert parse_time_value(" today - 7d ", UTC, NOW) == relative_interval(
        "today", ((-7, "d"),), UTC, NOW
    )
    assert parse_time_value("NOW-90m", UTC, NOW) == relative_interval(
        "now", ((-90, "m"),), UTC, NOW
    )
    assert parse_time_value("today - 1mo", UTC, NOW) == relative_interval(
        "today", ((-1, "mo"),), UTC, NOW
    )
    with pytest.raises(TimeError) as apart:  # as in query text, a duration is one word
        parse_time_value("today - 1 mo", UTC, NOW)
    assert apart.value.hint == "write 'today - 1mo'"
    with pytest.raises(TimeError) as info:  # `M` is not minutes (nor months)
        parse_time_value("NOW-90M", UTC, NOW)
    assert info.value.code == "CQL118" and "'M'" in str(info.value)
    assert info.value.hint == "months are `mo`; `m` is minutes"
    assert parse_time_value("2021-08-10", UTC, NOW) == literal_interval("2021-08-10", UTC)
    with pytest.raises(TimeError):
        parse_time_value("today or priority > 1", UTC, NOW)


def test_parse_now_and_resolve_now() -> None:
    assert parse_now("2021-08-10 14:30:30") == NOW
    assert parse_now("2021-08-10T16:30:30+02:00") == NOW
    assert resolve_now(datetime(2021, 8, 10, 14, 30, 30, 999)) == NOW
    assert resolve_now(NOW.astimezone(timezone(timedelta(hours=5)))) == NOW
    assert resolve_now(None).tzinfo is not None
    with pytest.raises(TimeError):
        parse_now("tomorrow")


def test_record_datetimes() -> None:
    assert parse_utc("2021-08-10 14:30:30") == timeexpr.to_epoch(NOW)
    assert parse_utc("2021-08-10T16:30:30+02:00") == timeexpr.to_epoch(NOW)
    assert parse_utc("garbage") is None
    assert parse_utc("2021-02-30 00:00:00") is None
    assert format_utc(utc("1970-01-01 00:00:00")) == "1970-01-01 00:00:00"
    assert format_utc(0) == "1970-01-01 00:00:00"


def run_compile(*args: str) -> Any:
    from click.testing import CliRunner

    from cqlang.cli import main

    return CliRunner().invoke(main, ["--config", "/dev/null", "compile", *args])


@pytest.mark.parametrize(
    ("args", "query"),
    [
        (["--tz", "Etc/GMT+12"], "created_date > 9999-12-31T23:59"),
        (["--now", "9999-12-31T23:59:59Z", "--tz", "Pacific/Kiritimati"], "created_date > now"),
        (["--now", "2021-01-01"], "created_date > now + 3000000d"),
        (["-p", "d=0000-12-31T23:00-02:00"], "created_date = $d"),
    ],
)
def test_datetimes_past_the_calendar_are_cql107_not_a_crash(args: list[str], query: str) -> None:
    result = run_compile(*args, query)
    assert result.exit_code == 1, result.output
    assert "[CQL107]" in result.stderr or "[CQL113]" in result.stderr
    assert "out of range" in result.stderr


@pytest.mark.parametrize(
    "query",
    [
        "created_date > 9999-12-31T23:59:59Z",
        "created_date < 0001-01-01",
        "not created_date <= 9999-12-31T23:59:59Z",
    ],
)
def test_nothing_lies_past_the_calendar(query: str) -> None:
    result = run_compile(query)
    assert result.exit_code == 1
    assert "[CQL201]" in result.stderr  # never matches


def test_the_calendar_edges_compile() -> None:
    result = run_compile(
        "created_date >= 0001-01-01T00:00:00Z and created_date <= 9999-12-31T23:59:59Z"
    )
    assert result.exit_code == 0, result.stderr
    assert "9999-12-31 23:59:59" in result.stdout
    result = run_compile("created_date = 9999-12-31")
    assert result.exit_code == 0, result.stderr
    assert "9999-12-31 00:00:00" in result.stdout


@pytest.mark.parametrize("now", ["0001-01-01T00:00+01:00", "9999-12-31T23:59-01:00"])
def test_a_clock_past_the_calendar_is_a_usage_error(now: str) -> None:
    result = run_compile("--now", now, "state = OPEN")
    assert result.exit_code == 2
    assert (
        "falls " in result.stderr
        and "0001-01-01 00:00:00 to 9999-12-31 23:59:59 UTC" in result.stderr
    )


def test_a_clock_past_the_calendar_in_python_is_a_diagnostic() -> None:
    import cqlang

    edge = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    (d,) = cqlang.check("created_date > now", now=edge)
    assert d.code == "CQL107"
    (d,) = cqlang.check("created_date > $d", now=edge, params={"d": "now"})
    assert d.code == "CQL113"


def test_epoch_seconds_drop_the_fraction() -> None:
    for dt in (
        datetime(9999, 12, 30, 23, 59, 59, 999999, UTC),
        datetime(2024, 1, 1, 0, 0, 0, 500000, UTC),
        datetime(1969, 12, 31, 23, 59, 59, 500000, UTC),
    ):
        assert to_epoch(dt) == to_epoch(dt.replace(microsecond=0))


def test_a_record_datetime_past_the_calendar_is_not_a_datetime() -> None:
    from cqlang.evaluator import as_datetime

    assert parse_utc("9999-12-31T23:59:59-01:00") is None
    assert as_datetime("0001-01-01T00:00:00+01:00") is None
    assert as_datetime("9999-12-31T22:59:59-01:00") == "9999-12-31 23:59:59"


@pytest.mark.parametrize(
    "name",
    ["Asia/Beirut", "America/Nuuk", "America/Santiago", "Africa/Cairo", "Europe/Warsaw"],
)
def test_each_day_ends_where_the_next_begins(name: str) -> None:
    """Days of 23 or 25 hours, with DST changes at midnight too, tile time."""
    tz = zone(name)
    day = datetime(2023, 1, 1)
    for _ in range(2 * 366):
        nxt = day + timedelta(days=1)
        _, end = literal_interval(day.strftime("%Y-%m-%d"), tz)
        start, _ = literal_interval(nxt.strftime("%Y-%m-%d"), tz)
        assert end + 1 == start, day
        day = nxt


def test_a_day_that_falls_back_at_midnight_keeps_its_last_hour() -> None:
    beirut = zone("Asia/Beirut")  # 2023-10-29 00:00 was 2023-10-28 23:00 again
    start, end = literal_interval("2023-10-28", beirut)
    assert (format_utc(start), format_utc(end)) == ("2023-10-27 21:00:00", "2023-10-28 21:59:59")
    now = datetime(2023, 10, 28, 12, tzinfo=UTC)
    assert relative_interval("today", (), beirut, now) == (start, end)
    assert relative_interval("yesterday", ((1, "d"),), beirut, now) == (start, end)


def test_a_datetime_property_with_only_gt_and_lt_at_the_calendar_edges() -> None:
    import cqlang
    from cqlang.schema import Schema

    schema = Schema.from_dict(
        {
            "endpoint": "/x",
            "properties": {"t": {"type": "datetime", "api": "range", "operators": ["gt", "lt"]}},
        }
    )
    assert cqlang.compile("t = 9999-12-31", schema=schema) == [
        {"property": "t", "operator": "gt", "value": "9999-12-30 23:59:59"}
    ]
    p = cqlang.plan("t >= 0001-01-01T00:00:00Z", schema=schema)
    assert p.branches == [[]] and p.residual is not None  # "a datetime": checked on the client
    # No error; only the note that no filter narrows the fetch (CQL206).
    found = cqlang.check("t <= 9999-12-31T23:59:59Z", schema=schema)
    assert [d.code for d in found] == ["CQL206"]


# ------------------------------------------------------- months and years


def _day(base: str, shifts: tuple[tuple[int, str], ...], now: datetime, tz: Any = UTC) -> str:
    lo, hi = relative_interval(base, shifts, tz, now)
    return f"{format_utc(lo)} .. {format_utc(hi)}"


@pytest.mark.parametrize(
    ("today", "shifts", "day"),
    [
        # the day of the month clamped to the month's end
        (datetime(2021, 1, 31), ((1, "mo"),), "2021-02-28"),
        (datetime(2024, 1, 31), ((1, "mo"),), "2024-02-29"),  # a leap year
        (datetime(2021, 3, 31), ((-1, "mo"),), "2021-02-28"),
        (datetime(2021, 3, 30), ((-1, "mo"),), "2021-02-28"),
        (datetime(2021, 5, 31), ((-1, "mo"),), "2021-04-30"),
        (datetime(2021, 1, 15), ((-1, "mo"),), "2020-12-15"),  # across the year
        (datetime(2021, 1, 31), ((-13, "mo"),), "2019-12-31"),
        # years: 12 months, Feb 29 clamped in a common year
        (datetime(2024, 2, 29), ((-1, "y"),), "2023-02-28"),
        (datetime(2024, 2, 29), ((4, "y"),), "2028-02-29"),
        (datetime(2021, 8, 10), ((-1, "y"), (1, "mo")), "2020-09-10"),
        # months then days, in the order written
        (datetime(2021, 3, 31), ((-1, "mo"), (1, "d")), "2021-03-01"),
    ],
)
def test_months_and_years_are_calendar_months(
    today: datetime, shifts: tuple[tuple[int, str], ...], day: str
) -> None:
    now = today.replace(hour=12, tzinfo=UTC)
    # The whole day moves: one whole day, even when its date was clamped.
    assert _day("today", shifts, now) == f"{day} 00:00:00 .. {day} 23:59:59"


def test_a_month_is_a_calendar_month_in_the_query_zone_across_dst() -> None:
    # 2021-04-15 in Warsaw (CEST, UTC+2) minus one month is 2021-03-15 (CET,
    # UTC+1): the wall clock keeps its day, the UTC offset follows the zone.
    now = datetime(2021, 4, 15, 10, 0, tzinfo=UTC)
    assert _day("today", ((-1, "mo"),), now, WARSAW) == (
        "2021-03-14 23:00:00 .. 2021-03-15 22:59:59"
    )
    # `now` keeps its wall-clock time: 12:00 CEST a month later is 12:00 CET.
    lo, hi = relative_interval("now", ((-1, "mo"),), WARSAW, now)
    assert lo == hi and format_utc(lo) == "2021-03-15 11:00:00"
    # The short day: 2021-03-28 (23 hours) reached from April 28 is whole.
    lo, hi = relative_interval(
        "today", ((-1, "mo"),), WARSAW, datetime(2021, 4, 28, 10, tzinfo=UTC)
    )
    assert hi - lo + 1 == 23 * 3600
    # Clamped into a zone's date: today is already March 31 in Warsaw.
    late = datetime(2021, 3, 30, 22, 30, tzinfo=UTC)
    assert _day("today", ((-1, "mo"),), late, WARSAW) == (
        "2021-02-27 23:00:00 .. 2021-02-28 22:59:59"
    )


def test_month_shifts_past_the_calendar_are_cql107() -> None:
    with pytest.raises(TimeError) as info:
        relative_interval("now", ((-12 * 3000, "mo"),), UTC, NOW)
    assert info.value.code == "CQL107"
    with pytest.raises(TimeError) as info:
        relative_interval("today", ((10**31, "y"),), UTC, NOW)
    assert info.value.code == "CQL107"


@pytest.mark.parametrize(
    ("unit", "hint"),
    [
        ("M", "months are `mo`; `m` is minutes"),
        ("Y", "years are `y`"),
        ("min", "minutes are `m`; `mo` is months"),
        ("D", "days are `d`"),
        ("H", "hours are `h`"),
        ("W", "weeks are `w`"),
        ("S", "seconds are `s`"),
        ("MO", "months are `mo`; `m` is minutes"),
        ("months", "months are `mo`; `m` is minutes"),
        ("yrs", "years are `y`"),
        ("q", "the units are s, m (minutes), h, d, w, mo (months) and y (years)"),
    ],
)
def test_any_other_unit_is_cql118_naming_it(unit: str, hint: str) -> None:
    import cqlang

    text = f"created_date >= today - 1{unit}"
    (diag,) = cqlang.check(text, now=NOW)
    assert diag.code == "CQL118"
    assert diag.message == f"unknown time unit {unit!r}"
    assert diag.hint == hint
    assert text[diag.start : diag.end] == unit  # the caret under the unit


def test_units_in_a_query_and_a_parameter_agree() -> None:
    import cqlang

    for text in ("today - 1mo", "now - 1y + 2mo", "yesterday + 3w"):
        in_query = cqlang.compile(f"created_date >= {text}", now=NOW, tz="Europe/Warsaw")
        as_param = cqlang.compile(
            "created_date >= $t", params={"t": text}, now=NOW, tz="Europe/Warsaw"
        )
        assert in_query == as_param
    (diag,) = cqlang.check("created_date >= $t", params={"t": "today - 1M"}, now=NOW)
    assert diag.code == "CQL113" and "unknown time unit 'M'" in diag.message
    assert diag.hint == "months are `mo`; `m` is minutes (the value comes from params={'t': ...})"
