"""The checker's values: each value of a predicate given its field's type
(enum values in their declared spelling, integers in the API's range,
datetimes and relative times as UTC intervals, digits kept as typed where a
string is expected), parameters bound and coerced, and how the checker
reports what it finds (:class:`_ValueChecker`, which the walk over the
query in cqlang/checker.py extends).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from datetime import date, datetime, tzinfo

from . import argcheck, ast, kinds, timeexpr
from .diagnostics import ERROR, Diagnostic, make, param_hint, suggest
from .digits import ascii_int, too_many_digits
from .ir import FieldRef
from .node import Node
from .params import not_utf8_value, split_list
from .paramsource import given_hint
from .parser import quote, value_text
from .schema import MAX_INT

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .diagnostics import FactValue
    from .env import Env
    from .types import Severity

_TYPE_WORDS = {
    "datetime": "a datetime",
    "integer": "an integer",
    "enum": "one of its values",
    "string": "a string",
}


class _Error(Exception):
    """Raised inside the checker to abandon one predicate (already reported)."""


#: The most name comparisons one check spends on did-you-mean suggestions:
#: thousands of misspelt names against the API's properties, a dozen
#: against 8,000 declared custom fields (each name costs one comparison per
#: candidate).
SUGGEST_BUDGET = 100_000

_Scalar = int | str
_Resolved = _Scalar | tuple[int, int]


class RefParam(Node):
    """What the checker decided for one default of a named query it
    inlined: inside the reference to ``ref``, the parameter ``param`` (which
    ``ref`` gives a default) holds ``value``, which comes from ``source``:
    ``None`` when the caller gave it (the ``Env``'s params), ``ref`` when it
    is ``ref``'s own default, else the name of the named query around it
    whose default wins (the referring side wins, as it does in the plan)."""

    ref: str
    param: str
    value: Any
    source: str | None


class _ValueChecker:
    """The state every part of the check shares, the reporting, and the
    values and parameters of predicates."""

    def __init__(self, text: str, env: Env, tz: tzinfo) -> None:
        self.text = text
        # The text the walked tree's positions are in: the query's, a named
        # query's own while its tree is walked (a value shown as typed).
        self.source = text
        # The parameters in scope: the query's, with a named query's
        # defaults under them while its tree is walked.
        self.params: Mapping[str, Any] = env.params
        # Which named query's default each parameter in scope is (one the
        # caller gave is not here), and what the checker decided for each
        # default of the named queries inlined (checker.RefParam).
        self.origins: Mapping[str, str] = {}
        # The parameters a config file gave (worded as TOML, not Python).
        self.toml_params = env.toml_params
        self.ref_params: list[RefParam] = []
        self.tz = tz
        # Whether the zone was set on purpose (``Env.override_tz``, or by a
        # named query's own timezone around the part walked): then it holds
        # inside the named queries below too, over their own.
        self.tz_set = env.override_tz
        self.now = env.now
        self.diags: list[Diagnostic] = []
        self.uses_clock = False
        # Where a parameter is an instant with a fraction of a second (an
        # empty interval of seconds): CQL201's hint when `=` it never matches.
        self.instants: list[tuple[int, int, int]] = []
        self.params_used: set[str] = set()
        # Inside an inlined named query, every span is that of the reference.
        self.span_override: tuple[int, int] | None = None
        self.ref_name: str | None = None
        # Did-you-mean answers, by (choices, word); the comparisons left.
        self._suggested: dict[tuple[int, str], str | None] = {}
        self._suggest_budget = SUGGEST_BUDGET

    # ---------------------------------------------------------- reporting
    def suggest(self, word: str, choices: Any) -> str | None:
        """The did-you-mean for ``word`` among ``choices``: once per distinct
        word, and only while :data:`SUGGEST_BUDGET` comparisons last, so
        that 50,000 misspelt names cost seconds, not minutes (past it a
        diagnostic keeps its plain hint)."""
        key = (id(choices), word)
        if key in self._suggested:
            return self._suggested[key]
        close = None
        if self._suggest_budget >= len(choices):
            self._suggest_budget -= len(choices)
            close = suggest(word, choices)
        self._suggested[key] = close
        return close

    def report(
        self,
        code: str,
        message: str,
        start: int,
        end: int,
        hint: str | None = None,
        severity: Severity = ERROR,
        suggestion: str | None = None,
        facts: tuple[tuple[str, FactValue], ...] = (),
    ) -> None:
        if self.span_override is not None:
            # The span is the reference: a replacement for the named query's
            # own text does not belong there.
            start, end = self.span_override
            message = f"in @{self.ref_name}: {message}"
            suggestion = None
        self.diags.append(
            make(
                self.text,
                code,
                message,
                start,
                end,
                hint=hint,
                severity=severity,
                suggestion=suggestion,
                facts=facts,
            )
        )

    def report_value(
        self,
        code: str,
        message: str,
        p: ast.Param,
        hint: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        """A mistake in the value of the parameter ``p`` (reported at the
        ``$p`` that uses it), with facts that say where the value came from
        (``value_from``): ``caller`` (``params=``, ``--param``, ``\\param``:
        the hint says so, in Python's words until a front end words it,
        :func:`cqlang.paramsource.given_hint`), ``default`` (the default of
        the named query whose text this is, in a config file: a front end
        draws the mistake at that value) or ``@NAME`` (the default of the
        named query NAME, inlined)."""
        name = p.name
        ref = self.origins.get(name)
        source = (
            f"@{ref}" if ref is not None else "default" if name in self.toml_params else "caller"
        )
        facts: tuple[tuple[str, FactValue], ...] = (("param", name), ("value_from", source))
        raw = self.params.get(name)
        if isinstance(raw, str):
            text = str.__str__(raw)
            facts += (
                ("value", text if len(text) <= kinds.LONGEST else text[: kinds.LONGEST] + "…"),
            )
        if source == "caller":
            hint = given_hint("python", name, None, hint)
        self.report(code, message, p.start, p.end, hint, suggestion=suggestion, facts=facts)

    def note_instant(self, interval: tuple[int, int], p: Any) -> None:
        """Remember where a parameter is an instant between two seconds, and
        the second before it (its interval is the empty ``(s + 1, s)``)."""
        if interval[0] > interval[1]:
            self.instants.append((*self.span(p), interval[1]))

    def span(self, node: Any) -> tuple[int, int]:
        if self.span_override is not None:
            return self.span_override
        return node.start, node.end

    # -------------------------------------------------------------- values
    def list_values(self, fref: FieldRef, node: ast.In) -> list[_Resolved]:
        if isinstance(node.values, ast.Param):
            p = node.values
            raw = self.param(p)
            if isinstance(raw, str):
                try:
                    items: Any = split_list(raw)
                except ValueError as exc:
                    self.report_value(
                        "CQL113",
                        f"parameter ${p.name}: {exc}",
                        p,
                        'items are separated by commas; "double quotes" keep commas '
                        'and blanks in an item, "" is a quote inside them',
                    )
                    raise _Error from None
            else:
                items = raw
            # A list is any sequence (a range too) or set; text and bytes
            # are one value (a str given in Python is split above).
            if not isinstance(items, Sequence | Set) or isinstance(items, str | bytes | bytearray):
                items = [items]
            out = [self.coerce_param(fref, p, v) for v in items]
            if not out:
                self.report_value("CQL110", f"parameter ${p.name} is an empty list", p)
                raise _Error
            return out
        if not node.values:
            self.report(
                "CQL110",
                "an empty list matches nothing",
                node.field.end,
                node.end,
                "give at least one value, or drop the predicate",
            )
            raise _Error
        results: list[_Resolved] = []
        failed = False
        for v in node.values:
            try:
                results.append(self.value(fref, v, "in"))
            except _Error:
                failed = True
        if failed:
            raise _Error
        return results

    def value(self, fref: FieldRef, v: ast.Value, op: str) -> _Resolved:
        if isinstance(v, ast.Param):
            raw = self.param(v)
            if isinstance(raw, list | tuple | set | frozenset):
                self.report_value(
                    "CQL113", f"parameter ${v.name} is a list; a list goes with 'in'", v
                )
                raise _Error
            return self.coerce_param(fref, v, raw)
        typ = fref.type
        if isinstance(v, ast.Str) and not v.quoted and v.value.lower() == "null":
            self.report(
                "CQL112",
                "null is not a value to compare with",
                v.start,
                v.end,
                "write 'is null' or 'is not null'",
            )
            raise _Error
        if typ == "datetime":
            return self.datetime_value(v)
        if typ == "integer":
            if isinstance(v, ast.Int):
                return self.int_value(v.value, v)
            self.wrong_type(fref, v)
        if typ == "enum":
            if isinstance(v, ast.Str | ast.Int):
                word = v.value if isinstance(v, ast.Str) else v.text
                return self.enum_value(fref, word, v, _as_typed(v, self.source))
            self.wrong_type(fref, v)
        # string
        if isinstance(v, ast.Str):
            return v.value
        if isinstance(v, ast.Int):
            return v.text
        if isinstance(v, ast.DateTime):
            return v.text
        self.wrong_type(fref, v)
        raise AssertionError  # pragma: no cover

    def wrong_type(self, fref: FieldRef, v: ast.Value) -> None:
        where = fref.display
        got = {
            ast.Str: "a word" if isinstance(v, ast.Str) and not v.quoted else "a string",
            ast.Int: "an integer",
            ast.DateTime: "a datetime",
            ast.RelTime: "a relative time",
        }.get(type(v), "a value")
        hint = None
        digits = isinstance(v, ast.Str) and v.value.isascii() and v.value.lstrip("-").isdigit()
        if fref.type == "integer" and digits:
            hint = "write the number without quotes"
        elif fref.type == "enum":
            hint = "use one of " + ", ".join(map(value_text, fref.values))
        elif fref.type == "string" and isinstance(v, ast.RelTime) and not v.shifts:
            hint = f'to mean the word, quote it: "{v.base}"'
        self.report(
            "CQL104",
            f"{where} takes {_TYPE_WORDS[fref.type]}, not {got}",
            v.start,
            v.end,
            hint,
        )
        raise _Error

    def int_value(self, value: int, v: Any) -> int:
        if abs(value) > MAX_INT:
            hint = f"integers go from -{MAX_INT} to {MAX_INT}"
            if isinstance(v, ast.Param):
                self.report_value("CQL111", "integer out of the API's range", v, hint)
            else:
                self.report("CQL111", "integer out of the API's range", *self.span(v), hint=hint)
            raise _Error
        return value

    def enum_value(self, fref: FieldRef, word: str, v: Any, shown_word: str) -> str:
        """The declared value that ``word`` is (case-insensitive: written
        back in the declared spelling, upper case for the API's own enums),
        else CQL105, naming the value as ``shown_word`` (how it was written
        where it came from: the query's literal, a parameter's value)."""
        for value in fref.values:
            if value.casefold() == word.casefold():
                return value
        close = self.suggest(word, fref.values)
        # The value as it is typed (quoted when it is no plain word); a
        # quoted value is replaced by the value quoted again.
        shown = value_text(close) if close is not None else None
        hint = (
            f"did you mean '{shown}'?"
            if close
            else "use one of " + ", ".join(map(value_text, fref.values))
        )
        where = fref.display
        s, e = self.span(v)
        fix = shown if close is None or not getattr(v, "quoted", False) else quote(close)
        if isinstance(v, ast.Param):
            # The span is the parameter's name in the query: a fix there would
            # put a literal in the place of ``$p``; the value to change is
            # where it was given (the hint names the close one).
            fix = None
        if len(word) > kinds.LONGEST:  # cut, its length said
            shown_word = kinds.given(word, kinds.JSON)
        message = f"{shown_word} is not a value of {where}"
        if isinstance(v, ast.Param):
            self.report_value("CQL105", f"parameter ${v.name}: {message}", v, hint, fix)
            raise _Error
        self.report("CQL105", message, s, e, hint, suggestion=fix)
        raise _Error

    def datetime_value(self, v: ast.Value) -> tuple[int, int]:
        try:
            if isinstance(v, ast.DateTime):
                return timeexpr.literal_interval(v.text, self.tz)
            if isinstance(v, ast.Str) and v.quoted:
                return timeexpr.literal_interval(v.value.strip(), self.tz)
            if isinstance(v, ast.RelTime):
                for (_, unit), (s, e) in zip(v.shifts, v.unit_spans, strict=False):
                    try:
                        timeexpr.check_unit(unit)
                    except timeexpr.TimeError as exc:
                        if self.span_override is None:
                            start, end = s, e
                        else:
                            start, end = v.start, v.end
                        self.report(exc.code, str(exc), start, end, exc.hint)
                        raise _Error from None
                if self.now is None:
                    self.uses_clock = True
                now = timeexpr.resolve_now(self.now)
                return timeexpr.relative_interval(v.base, v.shifts, self.tz, now)
        except timeexpr.TimeError as exc:
            self.report(exc.code, str(exc), v.start, v.end, exc.hint)
            raise _Error from None
        got = "an integer" if isinstance(v, ast.Int) else "a word"
        self.report(
            "CQL104",
            f"a datetime is expected here, not {got}",
            v.start,
            v.end,
            "write 2021-08-10, '2021-08-10 14:30', or a relative time such as today - 7d",
        )
        raise _Error

    # ---------------------------------------------------------- parameters
    def param(self, p: ast.Param) -> Any:
        if p.name not in self.params:
            close = self.suggest(p.name, self.params)
            self.report(
                "CQL109",
                f"parameter ${p.name} is not bound",
                p.start,
                p.end,
                f"did you mean '${close}'?" if close else param_hint("python", p.name),
                suggestion=f"${close}" if close else None,
                # How to bind it is the front end's to say (for_front_end).
                facts=() if close else (("param", p.name),),
            )
            raise _Error
        self.params_used.add(p.name)
        return self.params[p.name]

    def coerce_param(self, fref: FieldRef, p: ast.Param, raw: Any) -> _Resolved:
        typ = fref.type
        given = raw
        # A named query's default is worded as TOML writes it (where named
        # queries are written), a value the caller bound as Python does
        # (the command line's and the REPL's are text: "abc" in both).
        toml = p.name in self.origins or p.name in self.toml_params
        audience = kinds.TOML if toml else kinds.PYTHON
        if raw.__class__ is not str and raw.__class__ is not int:
            number = argcheck.integer(raw)  # any integer type (numpy's) is its int, as a count is
            if number is not None:
                raw = number
        if isinstance(raw, str):
            # The text it holds: a str subclass's own str() may say
            # something else (a (str, Enum) member says 'E.A').
            raw = str.__str__(raw)
            problem = not_utf8_value(raw)  # a lone surrogate cannot be sent
            if problem is not None:
                self.report_value("CQL113", f"parameter ${p.name}: {problem}", p)
                raise _Error
        try:
            if typ == "integer":
                if isinstance(raw, bool):
                    raise ValueError
                # ASCII digits only: int() would take '٣' (cqlang.digits).
                value = raw if isinstance(raw, int) else ascii_int(str(raw))
                if value is None and too_many_digits(str(raw)):
                    value = MAX_INT + 1  # thousands of digits: out of range, said so
                if value is None:
                    raise ValueError
                return self.int_value(value, p)
            if typ == "datetime":
                if isinstance(raw, datetime):
                    dt = raw if raw.tzinfo else raw.replace(tzinfo=self.tz)
                    interval = timeexpr.instant_interval(dt, f"datetime {raw.isoformat()}")
                    self.note_instant(interval, p)
                    return interval
                if isinstance(raw, date):
                    return timeexpr.literal_interval(raw.isoformat(), self.tz)
                if not isinstance(raw, str):
                    raise ValueError
                if self.now is None and raw.strip()[:1].isalpha():
                    self.uses_clock = True
                interval = timeexpr.parse_param_time(raw, self.tz, timeexpr.resolve_now(self.now))
                self.note_instant(interval, p)
                return interval
            if isinstance(raw, bool) or not isinstance(raw, str | int):
                raise ValueError
            text = raw if isinstance(raw, str) else int.__repr__(raw)
            if typ == "enum":
                return self.enum_value(fref, text.strip(), p, kinds.written(raw, audience))
            return text
        except timeexpr.TimeError as exc:
            self.report_value("CQL113", f"parameter ${p.name}: {exc}", p, exc.hint)
            raise _Error from None
        except (ValueError, TypeError):
            got = kinds.given(given, audience)
            self.report_value(
                "CQL113", f"parameter ${p.name} should be {_TYPE_WORDS[typ]}, got {got}", p
            )
            raise _Error from None


def _as_typed(v: ast.Str | ast.Int, source: str) -> str:
    """A value of the query as it was typed: a bare word bare, a number as
    its digits, a quoted string as it is in ``source`` (the text ``v`` was
    parsed from: ``'OP"NE'`` in single quotes stays so), else as the
    formatter quotes it (:func:`quote`)."""
    if isinstance(v, ast.Int):
        return v.text
    if not v.quoted:
        return v.value
    typed = source[v.start : v.end]
    if len(typed) >= 2 and typed[0] in "'\"" and typed[-1] == typed[0]:
        return typed
    return quote(v.value)
