"""Datetimes and relative times as UTC intervals.

A datetime literal denotes the whole interval of its precision: a date is its
day, a minute its sixty seconds, a second itself. Intervals are pairs of UTC
epoch seconds, both ends inclusive (the API's resolution is one second).
Naive datetimes are read in the query's time zone; ``d`` and ``w`` shifts are
calendar days in that zone (23 or 25 hours across a DST change) and ``mo`` and
``y`` calendar months and years (the day of the month kept, or the month's
last day when it has fewer), while ``s``, ``m`` and ``h`` are exact. Units are
lower case only: ``M`` is not minutes (nor months), and any other unit is an
error that names it (:func:`check_unit`, CQL118). In a DST gap or fold, a wall-clock time is taken
with ``fold=0`` (the offset in force before the change), as ``zoneinfo`` does,
except that a calendar shift keeps the pass of a repeated hour that the time
it shifts is in (:func:`_instant`): a shift by zero never moves ``now``.

An instant with a fraction of a second (a parameter's value: a Python or
TOML datetime, or text such as ``2026-10-25T00:30:00.5Z``) lies between two
whole seconds, and a record's datetime is a whole second: it is the empty
interval ``(ceil, floor)`` (:func:`instant_interval`), so ``>=`` it is
``>=`` the next second, ``<=`` it is ``<=`` the second before, and ``=`` it
matches nothing.

The clock is injectable: every function takes ``now`` explicitly.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from .errors import CqlError
from .timeunits import UNIT_DAYS, UNIT_MONTHS, UNIT_SECONDS, UNITS, meant_unit, unit_hint
from .visible import shorten

Interval = tuple[int, int]

# re.ASCII: \d is 0-9 only (a datetime in Arabic-Indic digits is no datetime,
# as everywhere in cqlang: cqlang.digits).
_DT_RE = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:[Tt ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?"
    r"(?P<tz>[Zz]|[+-]\d{2}:?\d{2})?",
    re.ASCII,
)
#: The blanks of query text (grammar/cqlang.lark's ``%ignore``), which may
#: stand between the parts of a relative time; a value holds no comments.
_BLANK = "[ \t\r\n\f]*"
#: A relative time as the grammar reads one (its ``reltime`` rule, and the
#: tokens ``NOW``/``TODAY``/``YESTERDAY``, ``PLUS``/``MINUS`` and
#: ``DURATION``): a base word, then shifts, each a sign and a duration whose
#: amount and unit are written together.
_REL_BASE_RE = re.compile(_BLANK + r"(now|today|yesterday)(?![A-Za-z0-9_])", re.I | re.ASCII)
_REL_SHIFT_RE = re.compile(
    _BLANK + r"([+-])" + _BLANK + r"([0-9]+)([A-Za-z]+)(?![A-Za-z0-9_])", re.ASCII
)
_REL_END_RE = re.compile(_BLANK + r"\Z")
#: A duration's amount written apart from its unit (``today - 7 d``).
_SIGN_RE = re.compile(r"[+-][ \t\r\n\f]*")
_APART_RE = re.compile(r"([0-9]+)[ \t\r\n\f]+([A-Za-z]+)(?![A-Za-z0-9_])", re.ASCII)
#: The most significant digits of a shift's amount kept as its value: a
#: larger amount (no calendar holds it) is ``10**31``, out of range.
MAX_AMOUNT_DIGITS = 30
#: Durations written together in such a value (``now - 7d12h``).
_JOINED_RE = re.compile(r"([+-])\s*((?:\d+[A-Za-z]+){2,})(?![A-Za-z0-9_])", re.ASCII)
_PART_RE = re.compile(r"(\d+)([A-Za-z]+)", re.ASCII)


def check_unit(unit: str) -> None:
    """Raise TimeError (CQL118) unless ``unit`` is one of :data:`UNITS`."""
    if unit not in UNIT_SECONDS and unit not in UNIT_DAYS and unit not in UNIT_MONTHS:
        raise TimeError(f"unknown time unit '{shorten(unit)}'", "CQL118", unit_hint(unit))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class TimeError(CqlError, ValueError):
    """A datetime that is malformed (``code`` CQL106) or impossible (CQL107),
    an unknown time zone (CQL108) or an unknown time unit (CQL118): the
    checker makes a diagnostic of it; given outside a query (``--now``), it
    is the error itself."""

    def __init__(self, message: str, code: str = "CQL106", hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.hint = hint


def zone(name: str | None) -> tzinfo:
    """The IANA zone called ``name``; UTC for ``None``."""
    if name is not None and not isinstance(name, str):
        raise TimeError(f"unknown time zone {name!r}", "CQL108")
    return _zone(name)


@lru_cache(maxsize=64)
def _zone(name: str | None) -> tzinfo:
    if name is None:
        return UTC
    if not name or ".." in name or name.startswith("/"):
        raise TimeError(f"unknown time zone {name!r}", "CQL108")
    if name.upper() in ("UTC", "Z"):
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # only when a zone is named

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise TimeError(
            f"unknown time zone {name!r}",
            "CQL108",
            hint="use an IANA name such as Europe/Warsaw or UTC",
        ) from exc


def to_epoch(dt: datetime) -> int:
    """An aware datetime as whole epoch seconds (a fraction is dropped: floor)."""
    delta = dt - _EPOCH
    return delta.days * 86400 + delta.seconds


#: What CQL201 adds when an instant with a fraction of a second is why a
#: query never matches.
WHOLE_SECONDS_HINT = (
    "a record's datetime is a whole second, so it never equals an instant with a "
    "fraction of one; compare with >= or <=, or give the whole second"
)


def instant_interval(dt: datetime, what: str) -> Interval:
    """An aware datetime as the seconds it is: ``(s, s)`` for a whole
    second ``s``, and for an instant with a fraction, between ``s`` and
    ``s + 1``, the empty ``(s + 1, s)``: ``>=`` it is ``>= s + 1``, ``<=``
    it is ``<= s``, ``=`` it holds for no second (module docstring).
    CQL107 past the calendar's last second."""
    try:
        sec = to_epoch(dt)
    except OverflowError as exc:
        raise TimeError(f"{what} is out of range", "CQL107", _RANGE_HINT) from exc
    if dt.microsecond and sec >= CAL_MAX:
        raise TimeError(f"{what} is out of range", "CQL107", _RANGE_HINT)
    return within_range((sec + 1, sec) if dt.microsecond else (sec, sec), what)


#: An ISO 8601 datetime to the second with a fraction (``.5``, ``,25``):
#: what a parameter's text may be besides a literal.
_FRACTION_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2})[.,](\d{1,9})([Zz]|[+-]\d{2}:?\d{2})?",
    re.ASCII,
)
#: :data:`_FRACTION_RE` with a fraction of any length: past 9 digits (a
#: nanosecond) it is said so, not "not a datetime".
_LONG_FRACTION_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}[.,](\d+)(?:[Zz]|[+-]\d{2}:?\d{2})?", re.ASCII
)
#: What a datetime typed in a query is written as (CQL106's hint).
_DATETIME_HINT = "write YYYY-MM-DD, 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD HH:MM:SS'"
#: A parameter's: a fraction of a second too (:func:`parse_param_time`).
PARAM_DATETIME_HINT = (
    "write YYYY-MM-DD, 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD HH:MM:SS', the seconds "
    "with a fraction of 1 to 9 digits if need be (2026-10-25T00:30:00.5Z), or a "
    "relative time such as 'today - 7d'"
)


def from_epoch(seconds: int) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


def format_utc(seconds: int) -> str:
    """Epoch seconds as the API writes datetimes: ``YYYY-MM-DD HH:mm:ss``."""
    d = from_epoch(seconds)
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d}:{d.second:02d}"


def is_api_text(text: str) -> bool:
    """Whether ``text`` is a second of the calendar exactly as the API writes
    it (what :func:`format_utc` gives): ``2026-02-30 10:00:00``,
    ``2026-01-01 10:00:60`` and ``2026-1-1 1:2:3`` are not."""
    if len(text) != 19:
        return False
    try:
        return datetime.fromisoformat(text).isoformat(" ") == text
    except ValueError:
        return False


#: The first and last second the calendar has, in UTC: every interval this
#: module returns lies between them (a query's datetimes, the clock, and a
#: record's datetime to be read as one).
CAL_MIN = int((datetime(1, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds())
CAL_MAX = int((datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC) - _EPOCH).total_seconds())
_RANGE_HINT = "datetimes run from 0001-01-01 to 9999-12-31 (UTC)"


def within_range(interval: Interval, what: str) -> Interval:
    """``interval`` (of ``what``), if the calendar holds it; TimeError CQL107
    otherwise."""
    if interval[0] < CAL_MIN or interval[1] > CAL_MAX:
        raise TimeError(f"{what} is out of range", "CQL107", hint=_RANGE_HINT)
    return interval


def parse_utc(text: str) -> int | None:
    """A record's datetime (``YYYY-MM-DD HH:mm:ss`` UTC, or ISO 8601 with an
    offset) as epoch seconds; ``None`` if it is not one."""
    m = _DT_RE.fullmatch(text.strip())
    if not m:
        return None
    try:
        start, _ = literal_interval(text.strip(), UTC)
    except TimeError:  # not a datetime, or one past the calendar
        return None
    return start


def resolve_now(now: datetime | None) -> datetime:
    """The clock: ``now`` if given (naive means UTC), else the current time."""
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    try:
        return now.astimezone(UTC).replace(microsecond=0)
    except OverflowError:
        minutes = int((now.utcoffset() or timedelta()).total_seconds()) // 60
        offset = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        shown = now.isoformat(" ", "seconds")
        raise clock_out_of_range(shown, f"at its offset {offset}", now.year) from None


def _offset(text: str) -> tzinfo:
    if text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise TimeError(f"impossible UTC offset {_quoted(text)}", "CQL107")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def literal_interval(text: str, tz: tzinfo) -> Interval:
    """The UTC interval a datetime literal denotes (precision-wide)."""
    m = _DT_RE.fullmatch(text)
    if not m:
        raise TimeError(
            f"{_quoted(text)} is not a datetime",
            "CQL106",
            hint=_DATETIME_HINT,
        )
    g = m.groupdict()
    zone_ = _offset(g["tz"]) if g["tz"] else tz
    try:
        local = datetime(
            int(g["y"]),
            int(g["mo"]),
            int(g["d"]),
            int(g["h"] or 0),
            int(g["mi"] or 0),
            int(g["s"] or 0),
        )
    except ValueError as exc:
        raise TimeError(f"impossible datetime {_quoted(text)}: {exc}", "CQL107") from exc
    what = f"datetime {_quoted(text)}"
    try:
        start = local.replace(tzinfo=zone_)
        if g["h"] is None:
            interval = to_epoch(start), _day_end(start)
        elif g["s"] is None:
            interval = to_epoch(start), to_epoch(start + timedelta(seconds=59))
        else:
            interval = to_epoch(start), to_epoch(start)
    except OverflowError as exc:
        raise TimeError(f"{what} is out of range", "CQL107", _RANGE_HINT) from exc
    return within_range(interval, what)


def _day_end(midnight: datetime) -> int:
    """The last second (epoch) of the local day that starts at ``midnight``:
    the second before the next day starts. Counted in UTC, so a day of 23 or
    25 hours (a DST change, even one at midnight) ends where the next begins."""
    if midnight.year == 9999 and midnight.month == 12 and midnight.day == 31:
        return to_epoch(midnight.replace(hour=23, minute=59, second=59))  # no next day
    return to_epoch(_add_days(midnight, 1)) - 1


def _add_days(dt: datetime, days: int) -> datetime:
    """Shift by calendar days on the wall clock of ``dt``'s zone, keeping
    its ``fold`` (which pass of a repeated hour it is: :func:`_instant`)."""
    naive = dt.replace(tzinfo=None) + timedelta(days=days)
    return naive.replace(tzinfo=dt.tzinfo, fold=dt.fold)


def _add_months(dt: datetime, months: int) -> datetime:
    """Shift by calendar months on the wall clock of ``dt``'s zone, the day
    clamped to the last of the month (Jan 31 + 1 month is Feb 28 or 29),
    keeping its ``fold`` as :func:`_add_days` does."""
    from calendar import monthrange

    year, month0 = divmod(dt.month - 1 + months, 12)
    year += dt.year
    if not 1 <= year <= 9999:
        raise OverflowError("year out of range")
    day = min(dt.day, monthrange(year, month0 + 1)[1])
    return dt.replace(year=year, month=month0 + 1, day=day)


def _instant(dt: datetime) -> datetime:
    """The instant a shifted wall clock ``dt`` names: in a repeated hour
    (an overlap) the pass its ``fold`` says, the pass of the time it was
    shifted from (``now`` in the second pass of an hour that repeats stays
    in the second pass, so a shift by zero never moves it); in a gap, the
    offset in force before the change whatever its ``fold`` (``fold=0``),
    as a datetime typed in the zone is read (docs/language.md)."""
    if dt.fold:
        first = dt.replace(fold=0)
        before, after = first.utcoffset(), dt.utcoffset()
        if before is not None and after is not None and before < after:  # a gap
            return first
    return dt


def shift_amount(sign: str, digits: str) -> int:
    """The signed amount of a relative time's shift (``-`` and ``7`` of
    ``- 7d``), the one reading of query text and of values: its value,
    leading zeros aside (``007`` is 7); one of more than
    :data:`MAX_AMOUNT_DIGITS` significant digits is ``10**31``, with its
    sign, which every base shifts out of the calendar (CQL107)."""
    significant = digits.lstrip("0")
    if len(significant) > MAX_AMOUNT_DIGITS:
        amount = 10**31
    else:
        amount = int(significant) if significant else 0
    return -amount if sign == "-" else amount


def duration(sign: str, text: str) -> tuple[int, str]:
    """The signed amount and the unit (kept as written: :func:`check_unit`
    judges it) of the duration ``text`` (``7d``) after ``sign``."""
    unit = text.lstrip("0123456789")
    return shift_amount(sign, text[: len(text) - len(unit)]), unit


def relative_interval(
    base: str, shifts: tuple[tuple[int, str], ...], tz: tzinfo, now: datetime
) -> Interval:
    """The UTC interval of ``now``/``today``/``yesterday`` shifted."""
    what = "the relative time"
    try:
        interval = _relative_interval(base, shifts, tz, now)
    except TimeError:
        raise
    except (OverflowError, ValueError) as exc:
        raise TimeError(f"{what} is out of range", "CQL107", _RANGE_HINT) from exc
    return within_range(interval, what)


def _relative_interval(
    base: str, shifts: tuple[tuple[int, str], ...], tz: tzinfo, now: datetime
) -> Interval:
    for _, unit in shifts:  # every unit first, as the checker does: CQL118 before CQL107
        check_unit(unit)
    local_now = resolve_now(now).astimezone(tz)
    # [start, stop): the instant `now`, or a whole local day up to the next one.
    start = local_now
    stop: datetime | None = None
    if base != "now":
        start = datetime(local_now.year, local_now.month, local_now.day, tzinfo=tz)
        if base == "yesterday":
            start = _add_days(start, -1)
        stop = _add_days(start, 1)
    for amount, unit in shifts:
        if unit in UNIT_DAYS:
            days = amount * UNIT_DAYS[unit]
            start = _add_days(start, days)
            stop = _add_days(stop, days) if stop is not None else None
        elif unit in UNIT_MONTHS:
            # The whole interval moves: its start by calendar months, its end
            # as far after the new start, on the wall clock, as it was after
            # the old one (a day stays a day, even when the start was clamped).
            before = start.replace(tzinfo=None)
            start = _add_months(start, amount * UNIT_MONTHS[unit])
            if stop is not None:
                length = stop.replace(tzinfo=None) - before
                wall = start.replace(tzinfo=None) + length
                stop = wall.replace(tzinfo=tz, fold=stop.fold)
        else:
            # Exact shifts run on UTC, not on the wall clock.
            delta = timedelta(seconds=amount * UNIT_SECONDS[unit])
            start = (_instant(start).astimezone(UTC) + delta).astimezone(tz)
            if stop is not None:
                stop = (_instant(stop).astimezone(UTC) + delta).astimezone(tz)
    first = to_epoch(_instant(start))
    return first, (to_epoch(_instant(stop)) - 1 if stop is not None else first)


def read_relative(text: str) -> tuple[str, tuple[tuple[int, str], ...]] | None:
    """The base (lower case) and the shifts of ``text``, a value (a
    parameter's) read as a relative time exactly as the grammar reads one
    in query text (the same words, blanks, amounts and limits:
    :func:`duration`); ``None`` if ``text`` does not start as one (a
    datetime, say); TimeError CQL106 if it starts as one but is none."""
    m = _REL_BASE_RE.match(text)
    if m is None:
        return None
    shifts: list[tuple[int, str]] = []
    pos = m.end()
    while (s := _REL_SHIFT_RE.match(text, pos)) is not None:
        shifts.append(duration(s[1], s[2] + s[3]))
        pos = s.end()
    if _REL_END_RE.match(text, pos) is None:
        raise _not_relative(text.strip())
    return m[1].lower(), tuple(shifts)


def parse_param_time(text: str, tz: tzinfo, now: datetime) -> Interval:
    """A parameter's datetime given as text (``--param``, ``\\param``, a
    ``str`` from Python or a config): what :func:`parse_time_value` reads,
    and an instant with a fraction of a second (1 to 9 digits), as a Python
    or TOML datetime may be (:func:`instant_interval`). A text that is none
    of them gets a hint that says so (:data:`PARAM_DATETIME_HINT`)."""
    m = _FRACTION_RE.fullmatch(text.strip())
    if m is None:
        long = _LONG_FRACTION_RE.fullmatch(text.strip())
        if long is not None:  # more digits than a nanosecond
            raise TimeError(
                f"datetime {_quoted(text.strip())}: a fraction of a second has 1 to 9 "
                f"digits, not {len(long[1]):,}",
                "CQL106",
                PARAM_DATETIME_HINT,
            )
        try:
            return parse_time_value(text, tz, now)
        except TimeError as exc:
            if exc.hint != _DATETIME_HINT:
                raise
            # A parameter may hold what a query's datetime may not.
            raise TimeError(str(exc), exc.code, PARAM_DATETIME_HINT) from None
    whole, fraction, offset = m.groups()
    start, _ = literal_interval(whole + (offset or ""), tz)
    if not fraction.strip("0"):
        return start, start
    if start >= CAL_MAX:
        raise TimeError(f"datetime {_quoted(text.strip())} is out of range", "CQL107", _RANGE_HINT)
    return start + 1, start


def parse_time_value(text: str, tz: tzinfo, now: datetime) -> Interval:
    """A datetime given as a value (a parameter or an option): a datetime
    literal or a relative time such as ``today - 7d`` (:func:`read_relative`).
    Never query text."""
    relative = read_relative(text)
    if relative is not None:
        return relative_interval(*relative, tz, now)
    return literal_interval(text.strip(), tz)


def apart(text: str, pos: int) -> tuple[str, str, int] | None:
    """A duration written apart from its unit at ``pos`` of ``text``
    (``7 d``, where a duration was expected): the message, the duration
    written together (``7d``; ``7 days`` too, in the unit meant) and where
    the words end; ``None`` when there is none, or the word after the
    amount is no unit nor a word for one (``7 and``). The one wording for
    the parser (CQL001) and a value."""
    m = _APART_RE.match(text, pos)
    meant = None if m is None else meant_unit(m[2])
    if m is None or meant is None:
        return None
    shown = shorten(f"{m[1]} {m[2]}")
    return f"'{shown}': a duration's amount and unit are written together", m[1] + meant, m.end()


#: What a duration is, said when durations are written together.
JOINED_UNITS_HINT = (
    f"a duration has one unit, one of {', '.join(UNITS)} (lower case), and its own + or -"
)


def joined_durations(parts: list[tuple[str, str]], sign: str | None) -> tuple[str, str | None]:
    """Durations written together (``7d12h``: ``parts`` ``[("7", "d"),
    ("12", "h")]``) after ``sign`` (``+``/``-``, ``None`` when unknown):
    the message, and the fix (``7d - 12h``) when the sign is known and
    every unit is one, else ``None`` (:data:`JOINED_UNITS_HINT` then). The
    one wording for the parser (CQL001) and for a value (a parameter)."""
    run = "".join(a + u for a, u in parts)
    message = f"'{shorten(run)}' is {len(parts)} durations written together"
    if sign is None or any(u not in UNITS for _, u in parts):
        return message, None
    return message, f" {sign} ".join(a + u for a, u in parts)


def _not_relative(text: str) -> TimeError:
    """Why ``text``, which starts as a relative time, is not one: durations
    written together (``now - 7d12h``, with the fix when every unit is
    one), an amount apart from its unit (``today - 7 d``), or any other
    shape. What ``text`` holds is echoed shortened."""
    joined = _JOINED_RE.search(text)
    if joined is not None:
        message, fix = joined_durations(_PART_RE.findall(joined.group(2)), joined.group(1))
        if fix is None:
            return TimeError(message, "CQL106", JOINED_UNITS_HINT)
        fixed = text[: joined.start(2)] + fix + text[joined.end(2) :]
        return TimeError(message, "CQL106", f"a duration has one unit: write '{shorten(fixed)}'")
    for sign in _SIGN_RE.finditer(text):
        split = apart(text, sign.end())
        if split is not None:
            message, together, end = split
            fixed = text[: sign.end()] + together + text[end:]
            return TimeError(message, "CQL106", f"write '{shorten(fixed)}'")
    return TimeError(
        f"{_quoted(text)} is not a relative time",
        "CQL106",
        "write now, today or yesterday, then + or - an amount and a unit for each shift, "
        "as in 'today - 7d'",
    )


def parse_clock(text: str) -> datetime:
    """A clock given as text (``--now``, the LSP's ``now`` option): an
    aware datetime when the text gives an offset (``Z``, ``+02:00``), else
    a naive one, its wall time, for :func:`clock_in` to read in the zone of
    the query it is the clock of (as every datetime typed without an offset
    is read: docs/language.md). One whose offset puts it past the calendar
    is a :class:`TimeError` saying so (:func:`clock_out_of_range`)."""
    text = text.strip()
    m = _DT_RE.fullmatch(text)
    try:
        start, _ = literal_interval(text, UTC)  # refuses what is no datetime
    except TimeError as exc:
        if m is None or not m["tz"] or exc.hint != _RANGE_HINT:
            raise
        raise clock_out_of_range(text, f"at its offset {m['tz']}", int(m["y"])) from None
    instant = from_epoch(start)
    return instant if m is not None and m["tz"] else instant.replace(tzinfo=None)


#: The calendar cqlang handles, as a clock's message states it.
CALENDAR = "0001-01-01 00:00:00 to 9999-12-31 23:59:59 UTC"


def clock_out_of_range(text: str, how: str, year: int) -> TimeError:
    """The error of a clock (``--now``, the LSP's ``now``) that falls
    outside :data:`CALENDAR`: the text, how it was taken (``at its offset
    -05:00``, ``in Asia/Tokyo, as it gives no offset``), the side it falls
    on and the range, the same words on every path."""
    side = "before" if year < 5000 else "after"
    hint = "give a clock inside that range"
    if how.startswith("in "):  # read in a zone: the same wall time with an offset may fit
        hint += ", or give it an offset (Z, +02:00), which no zone moves"
    return TimeError(
        f"the clock {text!r}, taken {how}, falls {side} the calendar cqlang handles, {CALENDAR}",
        "CQL107",
        hint=hint,
    )


def clock_in(
    now: datetime | None, tz: tzinfo | str | None, *, text: str | None = None
) -> datetime | None:
    """A clock from :func:`parse_clock` as an instant: a naive one is wall
    time in ``tz`` (a zone or its name; UTC for ``None``), read as a
    datetime literal in that zone is; an aware one is left as it is. One
    that zone puts past the calendar is :func:`clock_out_of_range` (``text``:
    the clock as it was given, else its wall time)."""
    if now is None or now.tzinfo is not None:
        return now
    zone_ = tz if isinstance(tz, tzinfo) else zone(tz)
    try:
        return from_epoch(to_epoch(now.replace(tzinfo=zone_)))
    except OverflowError:
        name = tz if isinstance(tz, str) else getattr(zone_, "key", None) or str(zone_)
        shown = text if text is not None else now.isoformat(" ")
        how = f"in {name}, as it gives no offset"
        raise clock_out_of_range(shown, how, now.year) from None


def parse_now(text: str, tz: tzinfo | str | None = None) -> datetime:
    """A clock given as text, read as a datetime typed in a query in the
    zone ``tz`` is (``--now 2026-10-25 23:30 --tz Europe/Warsaw`` is 22:30
    UTC); an offset in the text wins."""
    now = clock_in(parse_clock(text), tz, text=text.strip())
    assert now is not None
    return now


def _quoted(text: str) -> str:
    """Text that should have been a datetime or relative time, shown in
    double quotes (JSON's escapes): as a query, a config file (TOML) and
    the command line all write it, never as Python's repr; cut after 60
    characters (:func:`cqlang.visible.shorten`), as a message is a line."""
    from .kinds import JSON, written

    return written(shorten(text), JSON)
