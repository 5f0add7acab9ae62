"""Datetime text as Arrow timestamps, read as the evaluator reads it.

One rule for a datetime, whether a query tests it or a file holds it
(docs/language.md, "Missing fields and null"): a record's own datetime is
what :func:`cqlang.evaluator.as_datetime` reads (the API's
``YYYY-MM-DD HH:mm:ss``, or ISO 8601 with a ``T`` and an offset, blanks
around it ignored), and a declared custom datetime only the API's text.
Text in the API's shape that names no second of the calendar
(``2026-02-30 10:00:00``, ``2026-01-01 10:00:60``) is compared as text by
a query, as the API compares it, but is no instant: a file holds null.

pyarrow's ``strptime`` is not that rule: it carries a day past the month's
end into the next month, a second 60 into the next minute, and takes
one-digit fields and blanks. So a batch is read in one of two ways:

* every value the API's 19 characters (the common case): pyarrow's strict
  ISO 8601 cast, which refuses any value past the calendar, and of 19
  characters takes only ``YYYY-MM-DD HH:MM:SS`` and the same with ``T``
  (which :func:`~cqlang.timeexpr.parse_utc` reads as the same instant);
* otherwise, in bulk: the values of the API's shape through ``strptime``,
  kept where the fields parsed are the fields written (no carrying) and
  within the calendar; then, for a record's own datetime, the few values
  left (other ISO forms, blanks) one by one through the evaluator's
  :func:`~cqlang.evaluator.as_datetime`.
"""

from __future__ import annotations

from typing import Any

from .. import timeexpr
from ..evaluator import as_datetime

__all__ = ["DATETIME_FORMAT", "parse_datetimes"]

#: How the API writes datetimes (UTC).
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_API_SHAPE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
#: The fields of the API's text that a parse may carry, by position.
_FIELDS = (
    (5, 7, "month"),
    (8, 10, "day"),
    (11, 13, "hour"),
    (14, 16, "minute"),
    (17, 19, "second"),
)


def parse_datetimes(pa: Any, text: Any, *, record: bool) -> Any:
    """``text`` (a string array) as ``timestamp[s]`` (UTC, no zone): each
    value as the evaluator reads a record's own datetime (``record``) or a
    declared custom one, ``null`` where it reads none."""
    stamps = _all_api_text(pa, text, record)
    if stamps is None:
        stamps = _value_by_value(pa, text, record)
    return stamps


def _all_api_text(pa: Any, text: Any, record: bool) -> Any:
    """The timestamps when every value is one the strict cast reads as the
    evaluator does, else ``None``."""
    pc = pa.compute
    if text.null_count == len(text):
        return pa.nulls(len(text), pa.timestamp("s"))
    lengths = pc.min_max(pc.binary_length(text))
    if lengths["min"].as_py() != 19 or lengths["max"].as_py() != 19:
        return None
    if not record and pc.any(pc.match_substring(text, "T")).as_py():
        return None  # a custom datetime is the API's text only
    try:
        stamps = text.cast(pa.timestamp("s"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if pc.min(stamps.cast(pa.int64())).as_py() < timeexpr.CAL_MIN:  # year 0000
        return None
    return stamps


def _value_by_value(pa: Any, text: Any, record: bool) -> Any:
    pc = pa.compute
    ts = pa.timestamp("s")
    shaped = pc.if_else(
        pc.match_substring_regex(text, _API_SHAPE), text, pa.scalar(None, pa.string())
    )
    stamps = pc.strptime(shaped, format=DATETIME_FORMAT, unit="s", error_is_null=True)
    seconds = stamps.cast(pa.int64())
    exact = pc.and_(
        pc.greater_equal(seconds, timeexpr.CAL_MIN), pc.less_equal(seconds, timeexpr.CAL_MAX)
    )
    for start, end, part in _FIELDS:
        written = pc.utf8_slice_codeunits(shaped, start, end).cast(pa.int64())
        exact = pc.and_(exact, pc.equal(written, getattr(pc, part)(stamps)))
    exact = pc.fill_null(exact, False)
    out = pc.if_else(exact, stamps, pa.scalar(None, ts))
    if not record:
        return out
    left = pc.and_(text.is_valid(), pc.invert(exact))
    if not pc.any(left).as_py():
        return out
    rest = text.filter(left).to_pylist()
    return pc.replace_with_mask(out, left, pa.array([_instant(t) for t in rest], ts))


def _instant(text: str) -> int | None:
    """The evaluator's reading of a record's datetime as epoch seconds, or
    ``None``: also for text in the API's shape that the calendar lacks,
    which a query compares as text (:func:`~cqlang.evaluator.as_datetime`)."""
    read = as_datetime(text)
    if read is None or not timeexpr.is_api_text(read):
        return None
    return timeexpr.parse_utc(read)
