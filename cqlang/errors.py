"""Every error cqlang raises for something a user supplied, under one root.

::

    CqlError                      .message; .diagnostics, .text, .source
    ├── CqlSyntaxError            the text is not a query (CQL0xx)
    ├── CqlValidationError        the query means nothing valid (CQL1xx, CQL3xx)
    ├── CqlPlanError              valid, but cannot be planned as asked (CQL2xx)
    ├── SchemaError               a schema declaration that makes no sense (.field)
    ├── SettingError              a setting that cannot work, such as exclude = ["id"] (.setting)
    │   ├── ColumnError           a --columns that cannot work
    │   └── OutputSettingError    an --output (\\o) or --format that cannot work
    ├── QueryFileError            a query file that cannot be read (.path)
    ├── MissingExtra              an optional dependency not installed (.extra)
    ├── OutputError               the records could not be written (.path)
    ├── ConfigError               a config file that cannot be used (.problems, .path, .key)
    │   ├── InsecureConfigError   an api_key that others can read
    │   ├── UntrustedConfigError  a discovered file others could have written (.skipped)
    │   ├── QueryExistsError      saving a name that exists, without force
    │   ├── UnknownQueryError     no named query of that name
    │   └── ConfigurationError    the client has no base URL or no key
    └── ApiError                  the API or the network failed (.status, .url, .body)
        ├── BadRequestError       400
        ├── AuthError             401, 403
        ├── NotFoundError         404
        ├── RateLimitError        429 through the retries
        ├── ServerError           5xx through the retries
        ├── TransportError        the connection failed, timed out or broke off
        ├── ResponseFormatError   a 200 that is not the documented envelope
        │   └── ResponseTooLargeError  a body past the size a page may have
        └── ResultSetChangedError the pages moved in a way the client cannot follow

Each error is data first: a query's errors carry :class:`Diagnostic` objects
(code, span, hint), a config file's its :class:`ConfigProblem` objects
(file, line, column, key), the API's the status, URL and body excerpt; ``str()``
renders them. ``cqlang.timeexpr.TimeError`` (a datetime or zone given outside
a query, such as ``--now``) is a ``CqlError`` too.

The old addresses still work: ``cqlang.diagnostics`` (the query errors),
``cqlang.config`` (the config errors) and ``cqlang.client`` (the API errors)
re-export these classes.

The exit status each ends a command with is in one table,
:func:`cqlang.status.exit_statuses` (docs/errors.md lists it).
"""

from __future__ import annotations

from .errbase import (
    CqlError,
    CqlPlanError,
    CqlSyntaxError,
    CqlValidationError,
    SettingError,
    raise_for,
)
from .node import Node

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from collections.abc import Sequence
    from os import PathLike
    from pathlib import Path
    from typing import Any


__all__ = [
    "ApiError",
    "AuthError",
    "BadRequestError",
    "ColumnError",
    "ConfigError",
    "ConfigProblem",
    "ConfigurationError",
    "CqlError",
    "CqlPlanError",
    "CqlSyntaxError",
    "CqlValidationError",
    "InsecureConfigError",
    "MissingExtra",
    "NotFoundError",
    "OutputError",
    "OutputSettingError",
    "QueryExistsError",
    "QueryFileError",
    "RateLimitError",
    "ResponseFormatError",
    "ResponseTooLargeError",
    "ResultSetChangedError",
    "SchemaError",
    "ServerError",
    "SettingError",
    "SkippedFile",
    "TransportError",
    "UnknownQueryError",
    "UntrustedConfigError",
    "display_path",
    "raise_for",
]


# ----------------------------------------------------------------- queries


class SchemaError(CqlError, ValueError):
    """A schema declaration that does not make sense; ``field`` names the
    property or custom field it is about (``None``: the schema as a whole);
    ``shape`` is false when the declaration is well formed but its values
    cannot be told apart (enum values that differ only in case)."""

    def __init__(self, message: str, field: str | None = None, *, shape: bool = True) -> None:
        super().__init__(message)
        self.field = field
        self.shape = shape


class ColumnError(SettingError):
    """A ``--columns`` that cannot work: an unknown field (with a
    suggestion), no column at all, a column the exclude leaves out."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "columns")
        self.args = (message,)


class OutputSettingError(SettingError):
    """An ``--output`` (the REPL's ``\\o``) or ``--format`` that cannot work,
    found before any request: a missing or read-only folder, an extension
    that names no format, a binary format for a terminal. ``setting`` is
    ``output`` or ``format``."""


# ------------------------------------------------------------ front ends


class QueryFileError(CqlError):
    """A query file (``--file/-f FILE``) that cannot be read: missing, a
    folder, too large, not UTF-8. ``path`` is FILE as given (``-``: standard
    input)."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class MissingExtra(CqlError):
    """An optional dependency that is not installed (pyarrow, for Parquet
    and Arrow; pygls, for the language server); the message names the
    extra to install (``extra``: ``arrow`` or ``lsp``)."""

    def __init__(self, message: str, extra: str) -> None:
        super().__init__(message)
        self.extra = extra


class OutputError(CqlError):
    """The records could not be written where they go: a full disk, a
    closed stream, a file that cannot be replaced. ``path`` is the output
    as given (``None``: standard output)."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


# ----------------------------------------------------------- config files


def display_path(path: Path | str) -> str:
    """``path`` relative to the working directory when below it."""
    from pathlib import Path

    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class ConfigProblem(Node):
    """One mistake in a config file, placed: the file, the 1-based line and
    column where it is written (when known), the key path as shown
    (``connection.page_size``) and what is wrong."""

    message: str
    path: Path | None = None
    key: str | None = None
    line: int | None = None
    column: int | None = None
    #: Where it is written, as 0-based offsets into the file's text (``end``
    #: exclusive): the rest of the line from the place (for editors).
    start: int = 0
    end: int = 0
    #: Whether the file cannot be read as a config file at all (not there,
    #: not a file, too large, not UTF-8, not TOML, nested too deep), rather
    #: than holding a setting that makes no sense: what ``fmt`` and
    #: ``queries save``/``rm`` also refuse, so ``fmt`` reports it for a file
    #: among its FILES without reading the file again to find out.
    unreadable: bool = False

    def __str__(self) -> str:
        where = display_path(self.path) if self.path is not None else ""
        if where and self.line is not None:
            where += f":{self.line}:{self.column}"
        return ": ".join(w for w in (where, self.key or "", self.message) if w)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path) if self.path is not None else None,
            "line": self.line,
            "column": self.column,
            "key": self.key,
            "message": self.message,
        }


class ConfigError(CqlError):
    """A config file that cannot be used: missing, unreadable, not TOML, or
    holding settings that make no sense. ``problems`` lists every mistake
    found (each a :class:`ConfigProblem`, placed at FILE:LINE:COL when it
    is in a file's text); the command line prints them all and exits 2."""

    def __init__(
        self,
        message: str,
        path: PathLike[str] | str | None = None,
        key: str | None = None,
        *,
        line: int | None = None,
        column: int | None = None,
        problems: Sequence[ConfigProblem] = (),
        unreadable: bool = False,
    ) -> None:
        if not problems:
            where = None
            if path is not None:
                from pathlib import Path

                where = Path(path)
            problems = [ConfigProblem(message, where, key, line, column, unreadable=unreadable)]
        super().__init__(message)
        self.problems: list[ConfigProblem] = list(problems)
        first = self.problems[0]
        self.path = first.path
        self.key = first.key

    def __str__(self) -> str:
        """The message and every mistake, one a line: the first
        :data:`~cqlang.diagnostics.MAX_RENDERED` (100), then "and 29,900
        more mistakes", as a query's diagnostics are capped (``problems``
        keeps them all, for ``--json`` and programs)."""
        from .diagnostics import MAX_RENDERED

        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [str(p) for p in self.problems[:MAX_RENDERED]]
        rest = len(self.problems) - len(lines)
        if rest:
            lines.append(f"and {rest:,} more mistake{'' if rest == 1 else 's'}")
        return self.message + ":\n" + "\n".join(lines)

    @classmethod
    def of(cls, problems: Sequence[ConfigProblem]) -> ConfigError:
        """One error for every problem found (at least one)."""
        if len(problems) == 1:
            return cls(problems[0].message, problems=problems)
        files = list(dict.fromkeys(display_path(p.path) for p in problems if p.path))
        return cls(
            f"{len(problems):,} mistakes in {', '.join(files) or 'the configuration'}",
            problems=problems,
        )


class InsecureConfigError(ConfigError):
    """A file holding an ``api_key`` that others than its owner can read."""


class QueryExistsError(ConfigError):
    """``save`` of a name that exists already, without ``force``."""


class UnknownQueryError(ConfigError):
    """No named query of that name (``rm``, ``show``)."""


class SkippedFile(Node):
    """A config file found but not read, and why (it is not trusted)."""

    path: Path
    origin: str
    reason: str

    def __str__(self) -> str:
        shown = display_path(self.path)
        return (
            f"skipped {shown} ({self.origin}): {self.reason}; if it is yours, fix its "
            f"owner or mode (chmod go-w {shown}), or name it with --config to read it anyway"
        )

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "origin": self.origin, "reason": self.reason}


class UntrustedConfigError(ConfigError):
    """A discovered file that someone else could have written (see
    :mod:`cqlang.config.discovery`): ``Config.load`` skips it with a warning
    (``skipped`` says which and why)."""

    def __init__(self, path: Path, origin: str, reason: str) -> None:
        super().__init__(reason, path)
        self.skipped = SkippedFile(path, origin, reason)


class ConfigurationError(ConfigError):
    """The client has no base URL, no API key, or a key that cannot be sent
    (it holds a control character): a setting missing or wrong, not an API
    failure. ``status`` is ``None``, ``url`` and
    ``body`` empty, as the API errors have them."""

    status: int | None = None
    url = ""
    body = ""


# -------------------------------------------------------------------- API


class ApiError(CqlError):
    """An API or network failure. ``status`` (or ``None``), ``url`` (with
    no secrets) and ``body`` (a short excerpt) say what happened."""

    def __init__(
        self, message: str, *, status: int | None = None, url: str = "", body: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.url = url
        self.body = body


class BadRequestError(ApiError):
    """400: the API refused the request (its message is quoted)."""


class AuthError(ApiError):
    """401 or 403: a missing, wrong or insufficient API key."""


class NotFoundError(ApiError):
    """404: no such campaign (or endpoint)."""


class RateLimitError(ApiError):
    """429 that persisted through the retries."""


class ServerError(ApiError):
    """5xx that persisted through the retries."""


class TransportError(ApiError):
    """The connection failed, timed out, or kept breaking off."""


class ResponseFormatError(ApiError):
    """A 200 that is not ``{"data": [...]}`` of records with ids."""


class ResponseTooLargeError(ResponseFormatError):
    """A body larger than the page may be (``max_record_size`` per record
    asked for, plus ``PAGE_OVERHEAD``): not read past the cap."""


class ResultSetChangedError(ApiError):
    """The results moved under the pages in a way the client cannot follow
    without skipping or repeating a record."""
