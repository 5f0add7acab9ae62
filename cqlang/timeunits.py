"""The units of a relative time (``now - 7d``) and what a word that is no
unit was probably meant as (``days``: ``d``): data and wording, no I/O;
:mod:`cqlang.timeexpr` reads relative times with them."""

from __future__ import annotations

__all__ = ["UNITS", "UNIT_DAYS", "UNIT_MONTHS", "UNIT_SECONDS", "meant_unit", "unit_hint"]

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
UNIT_DAYS = {"d": 1, "w": 7}
UNIT_MONTHS = {"mo": 1, "y": 12}
#: Every unit, in the order the docs list them.
UNITS = ("s", "m", "h", "d", "w", "mo", "y")

# What a unit that is not one was probably meant as (keys lower-cased, but
# the case as written decides first: `M` is a month, `m` a minute).
_MEANT = {
    "M": "mo",
    "MO": "mo",
    "Mo": "mo",
    "mO": "mo",
    "S": "s",
    "H": "h",
    "D": "d",
    "W": "w",
    "Y": "y",
}
_MEANT_WORDS = {
    "s": ("sec", "secs", "second", "seconds"),
    "m": ("min", "mins", "minute", "minutes", "mi"),
    "h": ("hr", "hrs", "hour", "hours"),
    "d": ("day", "days"),
    "w": ("wk", "wks", "week", "weeks"),
    "mo": ("mon", "mons", "mth", "mths", "month", "months"),
    "y": ("yr", "yrs", "year", "years", "yy", "yyyy"),
}
_UNIT_NAMES = {
    "s": "seconds",
    "m": "minutes",
    "h": "hours",
    "d": "days",
    "w": "weeks",
    "mo": "months",
    "y": "years",
}


def meant_unit(unit: str) -> str | None:
    """The unit ``unit`` is or was probably meant as (``D``: ``d``), if any."""
    if unit in UNITS:
        return unit
    meant = _MEANT.get(unit)
    if meant is None:
        low = unit.lower()
        meant = next((u for u, words in _MEANT_WORDS.items() if low in words), None)
    return meant


def unit_hint(unit: str) -> str:
    """What to write instead of ``unit``, which is not a unit."""
    meant = meant_unit(unit)
    if meant is None:
        return "the units are s, m (minutes), h, d, w, mo (months) and y (years)"
    hint = f"{_UNIT_NAMES[meant]} are `{meant}`"
    if meant == "mo":
        hint += "; `m` is minutes"
    elif meant == "m":
        hint += "; `mo` is months"
    return hint
