"""click parameter types that read numbers as :mod:`cqlang.digits` does.

``click.IntRange`` and ``click.FloatRange`` convert with ``int()`` and
``float()``, which take Unicode digits (``--limit ١`` was 1); these refuse
anything but ASCII digits, with click's own range checks and messages
otherwise. Every number option of the ``cqlang`` command uses them.
"""

from __future__ import annotations

from typing import Any

import click

from ..digits import ascii_float, ascii_int


class IntRange(click.IntRange):
    """``click.IntRange``, in ASCII digits only."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            number = ascii_int(value)
            if number is None:
                self.fail(f"{value!r} is not a whole number in the digits 0-9", param, ctx)
            value = number
        return super().convert(value, param, ctx)


class FloatRange(click.FloatRange):
    """``click.FloatRange``, in ASCII digits only."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            number = ascii_float(value)
            if number is None:
                self.fail(f"{value!r} is not a number in the digits 0-9", param, ctx)
            value = number
        if isinstance(value, float) and value != value:  # NaN: every range check passes it
            self.fail(f"{value!r} is not a number (NaN)", param, ctx)
        return super().convert(value, param, ctx)
