"""A record's value as the text of a CSV cell, fast: :class:`CellText`.

The text is the one :func:`cqlang.output.writers.json_of` writes
(compact JSON by :func:`cqlang.visible.json_text`, never NaN or Infinity),
byte for byte; only the way there is shorter. ``json.dumps`` builds a new
encoder for every call, which cost a CSV fetch most of its time (a record
has a dozen integers and lists); here an integer or a boolean is written
as JSON writes it, and a list or an object by one C encoder made once.
Anything that path cannot write as ``json_of`` would (a number read with
its text, :class:`cqlang.jsonlimit.Number`; a float; text JSON writes
with an escape the screen rule adds to; a value that fails) goes to
``json_of`` itself, which also words the errors.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from typing import Any

from ..jsonlimit import holds_number

__all__ = ["CellText"]

_Encode = Callable[[Any, int], Any]


def _c_encoder() -> _Encode | None:
    """The C encoder of ``json.dumps(..., ensure_ascii=False,
    allow_nan=False, separators=(",", ":"))``, or ``None`` where the C
    accelerator is missing (then every value goes the slow way)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    strings = getattr(json.encoder, "c_encode_basestring", None)
    if make is None or strings is None:
        return None
    default = json.JSONEncoder().default  # a TypeError naming the type
    encode: _Encode = make({}, default, strings, None, ":", ",", False, False, False)
    return encode


class CellText:
    """``cell(value, number, column)``: ``value`` (of record ``number``,
    in ``column``) as a CSV cell's text: text as it is, ``None`` for
    ``null`` (an empty cell), anything else as compact JSON, exactly as
    ``json_of(value, number, column, separators=(",", ":"))``. ``json_of``
    is given (the writers' own), so that this module imports no writer."""

    def __init__(self, json_of: Callable[..., str]) -> None:
        self.json_of = json_of
        self.encode = _c_encoder()

    def __call__(self, value: Any, number: int, column: str) -> str | None:
        kind = type(value)
        if value is None or kind is str:
            return value  # type: ignore[no-any-return]
        if kind is int:
            return int.__repr__(value)  # as json writes an int (too long: the same ValueError)
        if kind is bool:
            return "true" if value else "false"
        encode = self.encode
        if encode is not None and (kind is list or kind is dict) and not holds_number(value):
            try:
                text = "".join(encode(value, 0))
            except (ValueError, TypeError, RecursionError):
                # NaN, a circle, a value JSON has no spelling for: json_of
                # says which. The C encoder keeps the containers it was in
                # (for circles): a fresh one for the next value.
                self.encode = _c_encoder()
            else:
                if text.isprintable():  # else json_text escapes some of it
                    return text
        return self.json_of(value, number, column, separators=(",", ":"))
