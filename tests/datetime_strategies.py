"""Text a record may hold in a datetime field, for the properties that the
evaluator, its generated matchers and the Arrow writer read it alike."""

from __future__ import annotations

from hypothesis import strategies as st

from cqlang import timeexpr

BLANKS = (" ", "\t", "\n", "\x1c", "\x85", "\xa0", "\u2003", "\u3000")

#: Calendar fields past their ends, as (start, end) slices of the API's
#: text and the values put there: Feb 29 to 31, day 31 of any month (30-day
#: ones included), month 00/13, day 00, hour 24, minute and second 60.
_OVERFLOWS = (
    ((8, 10), ("29", "30", "31", "00", "32")),
    ((5, 7), ("00", "13", "02", "04", "06", "09", "11")),
    ((11, 13), ("24", "99")),
    ((14, 16), ("60",)),
    ((17, 19), ("60", "61")),
    ((0, 4), ("0000", "2024", "2100", "2000", "1900")),
)


@st.composite
def record_datetimes(draw: st.DrawFn, around: int) -> str:
    """Text a record may hold in a datetime field, near ``around`` (epoch
    seconds) or far from it: the API's shape, other ISO 8601 forms (``T``,
    offsets up to 23:59, ``Z``, no seconds, a date alone), blanks around
    them, text of the API's shape that is no date, calendar fields past
    their ends (Feb 29 in leap and other years, day 31 of 30-day months,
    second 60), one-digit fields, and any text at all."""
    seconds = around + draw(st.integers(-5 * 86400, 5 * 86400) | st.integers(-(10**9), 10**9))
    seconds = max(timeexpr.CAL_MIN, min(timeexpr.CAL_MAX, seconds))
    text = timeexpr.format_utc(seconds)
    kind = draw(st.integers(0, 10))
    if kind == 1:
        h, m = draw(st.integers(0, 23)), draw(st.integers(0, 59))
        sign = draw(st.sampled_from("+-"))
        text = text.replace(" ", draw(st.sampled_from("Tt "))) + f"{sign}{h:02d}:{m:02d}"
    elif kind == 2:
        text = text[:10] + draw(st.sampled_from(["", "Z", "+23:59", "-23:59", "+0530"]))
    elif kind == 3:
        text = text.replace(" ", "T")[:16] + draw(st.sampled_from(["", "Z", "z"]))
    elif kind == 4:
        text = draw(st.sampled_from(BLANKS)) + text + draw(st.sampled_from(("", *BLANKS)))
    elif kind == 5:  # the API's shape, but no date
        chars = list(text)
        chars[draw(st.sampled_from([0, 1, 2, 3, 5, 6, 8, 9, 11, 12]))] = draw(
            st.sampled_from("x9:/ ")
        )
        text = "".join(chars)
    elif kind == 6:
        text = text[: draw(st.integers(0, 19))] + draw(st.text(max_size=4))
    elif kind == 7:
        text = draw(st.text(max_size=25))
    elif kind == 8:  # calendar fields past their ends, one or more
        for _ in range(draw(st.integers(1, 3))):
            (start, end), values = draw(st.sampled_from(_OVERFLOWS))
            text = text[:start] + draw(st.sampled_from(values)) + text[end:]
        if draw(st.booleans()):
            text = text.replace(" ", "T") + draw(st.sampled_from(["", "Z", "+01:00"]))
    elif kind == 9:  # one-digit fields
        y, mo, d, h, mi, s = (int(p) for p in text.replace(":", "-").replace(" ", "-").split("-"))
        text = f"{y}-{mo}-{d} {h}:{mi}:{s}"
    elif kind == 10:  # the API's shape once blanks after a shorter form are stripped
        short = draw(st.sampled_from([text[:16], text[:10], text[:16] + "Z"]))
        text = short + "".join(draw(st.lists(st.sampled_from(BLANKS), min_size=1, max_size=4)))
        text = text.ljust(19) if draw(st.booleans()) else text
    return text
