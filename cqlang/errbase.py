"""The root of cqlang's errors, below the diagnostics that raise them.

:class:`CqlError` (the one root), the query's errors and :func:`raise_for`,
and :class:`SettingError` (a value that cannot work, which
``Diagnostic.replace`` raises too) live here, at the
bottom layer, so that :mod:`cqlang.diagnostics` imports them as plainly as
every other module does; :mod:`cqlang.errors` defines the rest of the tree
and is their documented address (``cqlang.SettingError``,
``cqlang.errors.SettingError``: the same classes, their ``__module__`` that
address). A ``CqlError`` draws its diagnostics by asking them
(``Diagnostic.render``, ``Diagnostic.worded_for``), so this module imports
nothing of cqlang.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from .diagnostics import Diagnostic

__all__ = [
    "MAX_RENDERED",
    "CqlError",
    "CqlPlanError",
    "CqlSyntaxError",
    "CqlValidationError",
    "SettingError",
    "raise_for",
    "render_capped",
]

#: The most diagnostics drawn in full in one message; the rest are counted
#: in one closing line. The data (``check``, ``check --json``,
#: ``CqlError.diagnostics``) always holds every one.
MAX_RENDERED = 100


def render_capped(
    items: Sequence[Any],
    draw: Callable[[Any], str],
    *,
    severity: Callable[[Any], str] = lambda d: d.severity,
    limit: int = MAX_RENDERED,
    sep: str = "\n\n",
) -> str:
    """The first ``limit`` of ``items`` (diagnostics, or anything ``draw``
    and ``severity`` read) drawn, then "and 49,900 more errors"; ``sep``
    between them."""
    shown = [draw(item) for item in items[:limit]]
    rest = items[limit:]
    if rest:
        errors = sum(severity(item) == "error" for item in rest)
        parts = []
        if errors:
            parts.append(f"{errors:,} more error{'s' if errors != 1 else ''}")
        if len(rest) - errors:
            warnings = len(rest) - errors
            parts.append(f"{warnings:,} more warning{'s' if warnings != 1 else ''}")
        shown.append("and " + " and ".join(parts))
    return sep.join(shown)


class CqlError(Exception):
    """Base of every error cqlang raises for something a user supplied.

    ``diagnostics`` holds the findings as data; ``str()`` renders them with
    carets under the query text (``text``; ``source`` names where it is).
    """

    __module__ = "cqlang.errors"

    def __init__(
        self,
        message: str,
        diagnostics: Sequence[Diagnostic] = (),
        text: str = "",
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        self.text = text
        self.source = source

    def __str__(self) -> str:
        if not self.diagnostics:
            return self.message
        return self._drawn(self.diagnostics)

    def rendered_for(self, front: str) -> str:
        """``str(self)`` with the hints worded for a front end
        (:func:`cqlang.diagnostics.for_front_end`)."""
        if not self.diagnostics:
            return str(self)
        return self._drawn([d.worded_for(front) for d in self.diagnostics])

    def _drawn(self, diags: Sequence[Diagnostic]) -> str:
        text, source = self.text, self.source
        return render_capped(diags, lambda d: d.render(text, source=source))


class CqlSyntaxError(CqlError):
    """The text is not a query: it does not follow the grammar."""

    __module__ = "cqlang.errors"


class CqlValidationError(CqlError):
    """The query parses but means nothing valid for the schema."""

    __module__ = "cqlang.errors"


class CqlPlanError(CqlError):
    """The query is valid but cannot be planned or compiled as asked."""

    __module__ = "cqlang.errors"


def raise_for(diags: Sequence[Diagnostic], text: str, *, source: str | None = None) -> None:
    """Raise the fitting error for the error-severity diagnostics, if any
    (the class is the first one's: CQL0xx syntax, CQL2xx plan, else
    validation)."""
    errors = [d for d in diags if d.severity == "error"]
    if not errors:
        return
    first = errors[0].code
    cls: type[CqlError]
    if first < "CQL100":
        cls = CqlSyntaxError
    elif first < "CQL200" or first >= "CQL300":
        cls = CqlValidationError
    else:
        cls = CqlPlanError
    raise cls(errors[0].message, errors, text, source)


class SettingError(CqlError, ValueError):
    """A setting that cannot work, such as an ``exclude`` that holds ``id``
    or a fetch without a campaign: the command line's usage error (exit 2).
    ``setting`` names it: the parameter (``exclude``, ``campaign``), as
    the Python API spells it."""

    __module__ = "cqlang.errors"

    def __init__(self, message: str, setting: str) -> None:
        super().__init__(message)
        self.setting: str = setting
        self.args = (message, setting)  # what a copy or a pickle is made again from
