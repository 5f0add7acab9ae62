"""Diagnostics: errors and warnings as data first, rendered second.

A :class:`Diagnostic` names a span of the query (0-based character offsets,
``end`` exclusive, plus the 1-based line and column of ``start``), a stable
code from :data:`CODES`, a message in plain words and an optional hint.
:func:`render` draws it the way compilers do, with the query line and a caret
under the span. The exceptions live in :mod:`cqlang.errors` (their old
names here still work; the root of them, :mod:`cqlang.errbase`, is below
this module, which imports it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# The exceptions and raise_for are at their old address here too (their
# home is cqlang.errors; they are defined below this module, in errbase).
from .errbase import MAX_RENDERED as MAX_RENDERED
from .errbase import CqlError as CqlError
from .errbase import CqlPlanError as CqlPlanError
from .errbase import CqlSyntaxError as CqlSyntaxError
from .errbase import CqlValidationError as CqlValidationError
from .errbase import SettingError
from .errbase import raise_for as raise_for
from .errbase import render_capped as render_capped
from .node import Node
from .visible import json_text, visible

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any, Self

    from .types import Severity

#: What a name (``$param``, ``@query``, a query's name in a config file) is
#: made of, as every message about one words it (the parser's hints, the
#: config's check, ``queries save``, the REPL's ``\\save``).
NAME_CHARS = "ASCII letters, digits and _, not starting with a digit"

#: That rule as a pattern: the one definition of an identifier (a name, a
#: ``custom.KEY`` written dotted, a value written bare), for every module
#: that tells one: the config's check, ``\\save``, completion, the formatter.
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# Stable codes. Never renumber: tools match on them. docs/errors.md documents
# every one (a test keeps the two in step).
CODES: dict[str, str] = {
    # syntax
    "CQL001": "unexpected token",
    "CQL002": "unexpected character",
    "CQL003": "unterminated string",
    "CQL004": "unexpected end of query",
    "CQL005": "invalid escape in a string",
    "CQL006": "query too large",
    "CQL007": "nesting too deep",
    # meaning
    "CQL101": "unknown property",
    "CQL102": "undeclared custom field",
    "CQL103": "operator not available for the property",
    "CQL104": "value of the wrong type",
    "CQL105": "unknown enum value",
    "CQL106": "malformed datetime",
    "CQL107": "impossible datetime",
    "CQL108": "unknown time zone",
    "CQL109": "unbound parameter",
    "CQL110": "empty list",
    "CQL111": "integer out of range",
    "CQL112": "comparison with null",
    "CQL113": "parameter value of the wrong type",
    "CQL114": "unused parameter",
    "CQL115": "unknown named query",
    "CQL116": "named queries refer to each other in a cycle",
    "CQL117": "invalid compile-time input",
    "CQL118": "unknown time unit",
    "CQL119": "empty custom field key",
    "CQL120": "the query is too large with its named queries inlined",
    "CQL121": "named queries nested too deep",
    # planning
    "CQL201": "the query never matches",
    "CQL202": "the query needs more than one request",
    "CQL203": "the query needs client-side evaluation",
    "CQL204": "too many requests",
    "CQL205": "the query is too complex to plan",
    "CQL206": "the server narrows nothing",
    # decompiling
    "CQL301": "not a filter list",
    "CQL302": "unknown property in a filter",
    "CQL303": "unknown operator in a filter",
    "CQL304": "bad value in a filter",
}

#: What a diagnostic's code is: CQL and three digits.
_CODE_RE = re.compile(r"CQL[0-9]{3}")

#: The fields a diagnostic is made of, as its ``__post_init__`` checks them.
_FIELDS = (
    "code",
    "severity",
    "message",
    "start",
    "end",
    "line",
    "column",
    "hint",
    "suggestion",
    "facts",
)

ERROR: Severity = "error"
WARNING: Severity = "warning"

#: A fact's value: a number (CQL204's ``limit``) or a name (CQL109's ``param``).
FactValue = int | str


class Diagnostic(Node):
    """One finding about a query.

    ``start``/``end`` are 0-based character offsets (``end`` exclusive);
    ``line``/``column`` are 1-based and locate ``start``. ``suggestion``,
    when set, is the text that the hint's "did you mean" proposes to put in
    place of the span (an editor offers it as a quick fix). ``facts`` holds
    what a front end words its own hint from, as ``(name, value)`` pairs:
    CQL204's ``limit`` (the bound on requests that applied) and
    ``requests`` (how many the query needs), CQL109's ``param`` (the
    parameter not bound), a strict CQL202's or CQL203's ``reason`` (what in
    the query needs more than one filter); see :func:`for_front_end`.
    """

    code: str
    severity: Severity
    message: str
    start: int
    end: int
    line: int
    column: int
    hint: str | None = None
    suggestion: str | None = None
    facts: tuple[tuple[str, FactValue], ...] = ()

    def __post_init__(self) -> None:
        """Every field checked as :meth:`replace` checks a new value (a
        ``TypeError`` or ``SettingError`` naming the field), and the span
        and code for what they must be: ``end`` not before ``start``, a
        code of the form ``CQLnnn`` (:data:`CODES` is the list cqlang
        uses; a tool may make its own). A diagnostic is made only for a
        mistake, so the check costs a valid query nothing."""
        _check_changes({name: getattr(self, name) for name in _FIELDS})
        if not _CODE_RE.fullmatch(self.code):
            raise _setting_error(f"code is CQL and three digits, not {self.code!r}", "code")
        if self.end < self.start:
            raise _setting_error(
                f"end must be at least start ({self.start}), not {self.end}", "end"
            )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "column": self.column,
            "hint": self.hint,
            "suggestion": self.suggestion,
        }
        if self.facts:
            out["facts"] = dict(self.facts)
        return out

    def fact(self, name: str) -> FactValue | None:
        """The value of one of ``facts``, or ``None``."""
        return next((v for k, v in self.facts if k == name), None)

    def replace(self, *, text: str | None = None, **changes: Any) -> Self:
        """A copy with ``changes`` (field names and their new values), each
        checked as the entry points check theirs: a value of the wrong type
        is a ``TypeError`` naming the field (``hint=3``, ``code=['a']``,
        ``severity='fatal'``), a span that cannot be one (``end`` before
        ``start``, an offset below 0) a ``SettingError`` (a
        ``ValueError``) naming the field in ``.setting``.

        ``line`` and ``column`` always locate ``start``: moving ``start``
        (into a longer document, say) takes ``text``, the text the new
        offsets are in, and computes them from it; without ``text`` give
        both ``line`` and ``column`` (then they are yours to get right),
        else it is a ``TypeError``. With ``text``, a ``line`` or ``column``
        given that is not where ``start`` is is a ``SettingError``."""
        _check_changes(changes)
        if text is not None and not isinstance(text, str):
            kind = type(text).__name__
            raise TypeError(f"text is a str (the text start is in) or None, not {kind}")
        start = changes.get("start", self.start)
        end = changes.get("end", self.end)
        if end < start:
            raise _setting_error(f"end must be at least start ({start}), not {end}", "end")
        if text is not None:
            if start > len(text) or end > len(text):
                at = "start" if start > len(text) else "end"
                raise _setting_error(
                    f"{at} ({changes.get(at, getattr(self, at))}) is past the end of text "
                    f"({len(text)} characters)",
                    at,
                )
            line, column = line_col(text, start)
            for name, value in (("line", line), ("column", column)):
                if name in changes and changes[name] != value:
                    raise _setting_error(
                        f"{name} {changes[name]} is not where start ({start}) is in text "
                        f"(line {line}, column {column})",
                        name,
                    )
            changes.update(line=line, column=column)
        elif start != self.start and ("line" not in changes or "column" not in changes):
            raise TypeError(
                "replace(start=...) needs text=, the text the new start is in (line and "
                "column are computed from it), or both line= and column="
            )
        return super().replace(**changes)

    def worded_for(self, front: str) -> Diagnostic:
        """This diagnostic with a hint that names a setting worded for
        ``front`` (:func:`for_front_end`, which calls this for each)."""
        if not isinstance(front, str) or front not in BOUND_SETTINGS:
            shown = ", ".join(map(repr, BOUND_SETTINGS))
            raise TypeError(f"front is one of {shown}, not {front!r}")
        reason = self.fact("reason") if self.code in ("CQL202", "CQL203") else None
        if isinstance(reason, str):
            return self.replace(hint=plan_hint(front, reason))
        if self.code == "CQL204" and self.facts:
            return self.replace(hint=bound_hint(front))
        if self.code == "CQL109" and self.facts:
            name = self.fact("param")
            if isinstance(name, str):
                return self.replace(hint=param_hint(front, name))
        return self

    def render(self, text: str, *, source: str | None = None) -> str:
        """The diagnostic drawn under ``text``, the query it is about (with
        ``source``, the file it came from, in the ``-->`` line). It is
        placed by ``start`` in ``text``: the line and column shown are
        those of ``start`` in the text given."""
        if not isinstance(text, str):
            raise TypeError(f"text is a str (the query), not {type(text).__name__}")
        if source is not None and not isinstance(source, str):
            raise TypeError(f"source is a str or None, not {type(source).__name__}")
        return render(self, text, source=source)


def _setting_error(message: str, setting: str) -> SettingError:
    """A ``cqlang.errors.SettingError``: a value that cannot work is a
    CqlError, never a bare ValueError (docs/python-api.md, "Arguments")."""
    return SettingError(message, setting)


def _wrong_type(name: str, takes: str, value: object) -> TypeError:
    """``NAME is TAKES, not TYPE``: :func:`cqlang.argcheck.wrong_type`'s
    wording (argcheck imports :mod:`cqlang.errors`, which imports this
    module, so it cannot be called from here)."""
    return TypeError(f"{name} is {takes}, not {type(value).__name__}")


def _check_changes(changes: dict[str, Any]) -> None:
    """The new values of :meth:`Diagnostic.replace`, checked as
    :mod:`cqlang.argcheck` checks every argument: a ``TypeError`` naming
    the field; an offset below 0, a line or column below 1, a
    :func:`_setting_error`. An offset is an ``int`` (only argcheck reads
    ``__index__``: a diagnostic's offsets come from cqlang, not numpy)."""
    for name, value in changes.items():
        if name in ("code", "message"):
            if not isinstance(value, str):
                raise _wrong_type(name, "a str", value)
        elif name == "severity":
            if not isinstance(value, str):
                raise _wrong_type(name, "'error' or 'warning'", value)
            if value not in (ERROR, WARNING):  # a Literal type: another str is a TypeError
                raise TypeError(f"severity is 'error' or 'warning', not {value!r}")
        elif name in ("start", "end", "line", "column"):
            if not isinstance(value, int) or isinstance(value, bool):
                raise _wrong_type(name, "an int", value)
            least = 0 if name in ("start", "end") else 1
            if value < least:
                raise _setting_error(f"{name} must be at least {least}, not {value}", name)
        elif name in ("hint", "suggestion"):
            if value is not None and not isinstance(value, str):
                raise _wrong_type(name, "a str or None", value)
        elif name == "facts":
            pairs = isinstance(value, tuple) and all(
                isinstance(p, tuple)
                and len(p) == 2
                and isinstance(p[0], str)
                and isinstance(p[1], int | str)
                and not isinstance(p[1], bool)
                for p in value
            )
            if not pairs:
                raise _wrong_type(
                    name, "a tuple of (name, value) pairs, each a str and an int or a str", value
                )


# The line starts of the last few texts seen (by identity: a query's text
# is one object for all its diagnostics), so that placing and drawing N
# diagnostics costs one pass over the text, not N.
_LINE_STARTS: list[tuple[str, list[int]]] = []
#: A line break: "\r\n", a lone "\r" or "\n" (one each), as editors and the
#: language server (cqlang.lsp.documents) count lines, and as a ``#``
#: comment ends (cqlang.parser.lexer.COMMENT).
_BREAK = re.compile(r"\r\n|\r|\n")
_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")


def _line_starts(text: str) -> list[int]:
    """The offset where each line of ``text`` starts."""
    for i, (seen, starts) in enumerate(_LINE_STARTS):
        if seen is text:
            if i:  # the most recently used first: a config file's text, placing
                # the findings of its 2,000 queries, stays among the few kept
                _LINE_STARTS.insert(0, _LINE_STARTS.pop(i))
            return starts
    starts = [0]
    if "\r" in text:  # a line ends at "\r\n", "\r" or "\n", as the LSP counts
        starts.extend(m.end() for m in _BREAK.finditer(text))
    else:
        at = text.find("\n")
        while at >= 0:
            starts.append(at + 1)
            at = text.find("\n", at + 1)
    _LINE_STARTS.insert(0, (text, starts))
    del _LINE_STARTS[4:]
    return starts


#: What every front end says of a plan that never matches (CQL201): explain,
#: the REPL's status line, the editors' summary, fetch and its dry run.
NEVER_MATCHES = "the query never matches: no request is sent"

#: CQL206's message and hint: a plan whose every request has no filter.
NARROWS_NOTHING = (
    "the server narrows nothing: every record of the campaign is fetched and checked on the client"
)
NARROWS_NOTHING_HINT = (
    "a condition the API filters on (state, priority, created_date, ...) added "
    "with 'and' narrows the fetch"
)

#: How each front end names the campaign to fetch, for the error of a fetch
#: without one (:func:`no_campaign`).
CAMPAIGN_SETTINGS: dict[str, str] = {
    "python": "campaign=ID",
    "cli": "--campaign ID",
    "repl": "\\campaign ID",
    "config": 'campaign = "ID" in the query\'s table',
}


def no_campaign(front: str) -> str:
    """The error of a fetch with no campaign, worded for a front end (a
    key of :data:`CAMPAIGN_SETTINGS`)."""
    return f"no campaign: give one with {CAMPAIGN_SETTINGS[front]} (or set campaign in the config)"


#: How each front end names the bound on requests, for CQL204's hint: the
#: setting that applies where the error is shown.
BOUND_SETTINGS: dict[str, str] = {
    "python": "max_branches=N",
    "cli": "--max-branches N",
    "repl": "\\set max_branches N",
    "config": "max_branches = N in the query's table",
}


def bound_hint(front: str) -> str:
    """CQL204's hint for a front end (a key of :data:`BOUND_SETTINGS`)."""
    return f"narrow the 'or's, or raise the limit with {BOUND_SETTINGS[front]}"


#: How each front end binds a parameter, for CQL109's hint (``{name}``: the
#: parameter's name).
PARAM_SETTINGS: dict[str, str] = {
    "python": "bind it: params={{{name!r}: ...}}",
    "cli": "bind it: --param {name}=VALUE",
    "repl": "bind it: \\param {name}=VALUE",
    "config": "give it a default: params = {{ {name} = ... }}",
}


def param_hint(front: str, name: str) -> str:
    """CQL109's hint for a front end, when there is no parameter of a close
    name to suggest."""
    return PARAM_SETTINGS[front].format(name=name)


#: How each front end shows a query's plan, for the hint of a strict
#: compile's CQL201 to CQL203.
PLAN_SETTINGS: dict[str, str] = {
    "python": "cqlang.plan()",
    "cli": "`cqlang explain`",
    "repl": "\\explain",
    "config": "`cqlang explain @NAME`",
}


def plan_hint(front: str, reason: str) -> str:
    """The hint of a query one filter cannot express (CQL202, CQL203) for a
    front end: ``reason``, and where to see the plan."""
    return f"{reason}; see the plan with {PLAN_SETTINGS[front]}"


def for_front_end(diags: Iterable[Diagnostic], front: str) -> list[Diagnostic]:
    """``diags`` with the hints that name a setting worded for ``front``
    (``"python"``, ``"cli"``, ``"repl"`` or ``"config"``): CQL204's bound
    on requests, CQL109's way to bind a parameter, CQL202's and CQL203's
    way to see the plan. The words come from the diagnostic's ``facts``,
    never from its message. Another ``front`` is a ``TypeError`` (the four
    names are the type of the argument)."""
    if not isinstance(front, str) or front not in BOUND_SETTINGS:
        shown = ", ".join(map(repr, BOUND_SETTINGS))
        raise TypeError(f"front is one of {shown}, not {front!r}")
    return [d.worded_for(front) for d in _diagnostics(diags)]


def _line_end(text: str, starts: list[int], line_no: int) -> int:
    """Past the last character of line ``line_no`` (1-based), before its
    line break."""
    if line_no >= len(starts):
        return len(text)
    end = starts[line_no] - 1
    if end > starts[line_no - 1] and text[end - 1 : end + 1] == "\r\n":
        end -= 1
    return end


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a 0-based offset."""
    from bisect import bisect_right

    offset = max(0, min(offset, len(text)))
    starts = _line_starts(text)
    line = bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1


def make(
    text: str,
    code: str,
    message: str,
    start: int,
    end: int,
    *,
    hint: str | None = None,
    severity: Severity = ERROR,
    suggestion: str | None = None,
    facts: tuple[tuple[str, FactValue], ...] = (),
) -> Diagnostic:
    """Build a diagnostic, computing line and column from ``text``."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    line, col = line_col(text, start)
    return Diagnostic(code, severity, message, start, end, line, col, hint, suggestion, facts)


#: The most characters of a query line a rendered diagnostic shows.
SHOWN_WIDTH = 100


def _columns(text: str) -> int:
    """How many terminal columns ``text`` takes: wide (East Asian, most
    emoji) characters take two, combining marks none."""
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(
        0
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf")
        else 2
        if unicodedata.east_asian_width(c) in "WF"
        else 1
        for c in text
    )


def render(diag: Diagnostic, text: str, *, source: str | None = None) -> str:
    """Render one diagnostic with the query line and a caret under its span.
    Only the part of the line shown is read: drawing is as fast on a line
    of a million characters as on a short one."""
    # Placed by start in this text (not by the line and column it holds,
    # which locate start in the text it was made for).
    line_no, column = line_col(text, diag.start)
    starts = _line_starts(text)
    first = starts[line_no - 1]
    length = _line_end(text, starts, line_no) - first
    where = f"{source}:{line_no}:{column}" if source else f"{line_no}:{column}"
    gutter = " " * len(str(line_no))
    col0 = column - 1
    # A span that runs past its line is underlined to the end of the line.
    width = max(1, min(diag.end - diag.start, length - col0) if col0 < length else 1)
    col = col0
    if length > SHOWN_WIDTH:  # a long line: the part around the span
        start = max(0, min(col0 - SHOWN_WIDTH // 3, length - SHOWN_WIDTH))
        end = start + SHOWN_WIDTH
        lead = "…" if start else ""
        shown = lead + text[first + start : first + end] + ("…" if end < length else "")
        col = col0 - start + len(lead)
        width = max(1, min(width, end - col0))
    else:
        shown = text[first : first + length]
    shown = shown.replace("\t", " ")  # a tab takes one column (expandtabs(1))
    # A control character is drawn (cqlang.visible: ESC as ␛, U+202E as
    # <U+202E>), so the caret line counts the columns of what is drawn.
    caret = " " * _columns(visible(shown[:col]))
    caret += "^" * max(1, _columns(visible(shown[col : col + width])))
    tail = f" {visible(diag.hint)}" if diag.hint else ""
    return (
        f"{diag.severity}[{diag.code}]: {visible(diag.message)}\n"
        f"{gutter}--> {where}\n"
        f"{gutter} |\n"
        f"{line_no} | {visible(shown)}\n"
        f"{gutter} | {caret}{tail}"
    )


def render_all(
    diags: Iterable[Diagnostic],
    text: str,
    *,
    source: str | None = None,
    limit: int = MAX_RENDERED,
) -> str:
    """Diagnostics drawn one after another, at most ``limit`` of them in full
    (:func:`render_capped`)."""
    return render_capped(list(diags), lambda d: render(d, text, source=source), limit=limit)


def not_utf8(data: bytes, exc: UnicodeDecodeError) -> tuple[str, int, int]:
    """What is wrong with ``data`` that ``exc`` says is not UTF-8, and where:
    ``("not UTF-8 text (byte 0xFF)", line, column)``, the line and column
    (from 1, in characters) of the first byte that is not, as an editor
    shows them (a byte order mark at the start, skipped when the text is
    read, is not counted). One wording for config files and the language
    server's reader; query text that is not UTF-8 is no such file but the
    parser's CQL002 at the byte (cqlang.queryfile)."""
    at = exc.start
    breaks = list(_BREAK_BYTES.finditer(data, 0, at))
    line_start = breaks[-1].end() if breaks else 0
    line = len(breaks) + 1
    before = data[line_start:at]
    if line_start == 0:
        before = before.removeprefix(b"\xef\xbb\xbf")
    column = len(before.decode("utf-8", "replace")) + 1
    return f"not UTF-8 text (byte 0x{data[at]:02X})", line, column


def to_json(diags: Sequence[Diagnostic], file: str | None = None) -> str:
    """The diagnostics as a JSON list; with ``file`` (the ``-f FILE`` the
    query came from), each object names it first, as ``"file"``."""
    diags = list(_diagnostics(diags))
    if file is not None and not isinstance(file, str):
        raise TypeError(f"file is a str or None, not {type(file).__name__}")
    if file is None:
        return json_text([d.to_dict() for d in diags])
    return json_text([{"file": file, **d.to_dict()} for d in diags])


def _diagnostics(diags: Iterable[Diagnostic]) -> Iterable[Diagnostic]:
    """``diags``, each checked to be a :class:`Diagnostic` (``TypeError``)."""
    if not isinstance(diags, Iterable) or isinstance(diags, str | bytes):
        raise TypeError(f"diags is a list of Diagnostic, not {type(diags).__name__}")
    for d in diags:
        if not isinstance(d, Diagnostic):
            raise TypeError(f"diags holds Diagnostic objects, not {type(d).__name__}")
        yield d


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest of ``choices`` to ``word`` (case-insensitive), if any is
    close; never ``word`` itself ("did you mean 'x'?" for x would say
    nothing), though the same word in another case may be the fix."""
    import difflib  # only when there is a mistake to suggest a fix for

    lowered = {c.lower(): c for c in choices if c != word}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None
