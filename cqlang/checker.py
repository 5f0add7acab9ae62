"""AST to IR against a schema, collecting every diagnostic on the way.

The checker resolves each field against the schema (property names are
case-insensitive, custom fields are ``custom.KEY``), checks the operator is
available for the field's type, gives every value the field's type (enum
values upper-cased, datetimes and relative times turned into UTC intervals,
parameters bound, digits kept as typed where a string is expected) and
inlines ``@name`` references to named queries. It never stops at the first
mistake: every error in the query is reported, each with its span.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, tzinfo

from . import ast, timeexpr
from .diagnostics import ERROR, WARNING, Diagnostic, make, param_hint, suggest
from .digits import ascii_int
from .env import DEFAULT_ENV, Env
from .ir import TRUE, Atom, FieldRef, IAnd, IExpr, INot, IOr
from .params import split_list
from .parser import parse_diagnostics
from .refs import Expansion
from .schema import LANGUAGE_OPERATORS, MAX_INT, Property

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .diagnostics import FactValue
    from .types import Op, Severity, ValueType

_OP_ATOM: dict[str, Op] = {"=": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_ORDERING = frozenset({"<", "<=", ">", ">="})
_KIND_WORDS = {
    "datetime": "a datetime",
    "integer": "an integer",
    "enum": "an enum",
    "string": "a string",
}
_TYPE_WORDS = {
    "datetime": "a datetime",
    "integer": "an integer",
    "enum": "one of its values",
    "string": "a string",
}


class Checked:
    """The checker's result: the IR (``None`` when there are errors) and
    every diagnostic found."""

    # A plain slotted record: the checker fills it in as it goes.
    __slots__ = ("diagnostics", "ir", "params_used", "uses_clock")

    def __init__(
        self,
        ir: IExpr | None,
        diagnostics: list[Diagnostic],
        uses_clock: bool = False,
        params_used: set[str] | None = None,
    ) -> None:
        self.ir = ir
        self.diagnostics = diagnostics
        self.uses_clock = uses_clock
        self.params_used: set[str] = set() if params_used is None else params_used

    def __repr__(self) -> str:
        return (
            f"Checked(ir={self.ir!r}, diagnostics={self.diagnostics!r}, "
            f"uses_clock={self.uses_clock!r}, params_used={self.params_used!r})"
        )

    @property
    def ok(self) -> bool:
        return self.ir is not None


class _Error(Exception):
    """Raised inside the checker to abandon one predicate (already reported)."""


#: The most name comparisons one check spends on did-you-mean suggestions
#: (14 properties: about 7,000 misspelt names; 8,000 declared custom
#: fields: a dozen).
SUGGEST_BUDGET = 100_000

# The steps of the checker's walk (_Checker.expr).
_VISIT, _BUILD, _LEAVE = 0, 1, 2
_PREDICATES = frozenset({ast.Compare, ast.In, ast.Between, ast.IsNull})


_Scalar = int | str
_Resolved = _Scalar | tuple[int, int]


class _Checker:
    def __init__(self, text: str, env: Env, tz: tzinfo) -> None:
        self.text = text
        self.schema = env.schema
        # Undeclared custom fields are errors (not warnings).
        self.strict = env.strict or env.schema.strict
        # The parameters in scope: the query's, with a named query's
        # defaults under them while its tree is walked.
        self.params: Mapping[str, Any] = env.params
        self.tz = tz
        self.now = env.now
        self.queries = env.queries
        self.diags: list[Diagnostic] = []
        self.uses_clock = False
        self.params_used: set[str] = set()
        self.ref_stack: list[str] = []
        # Inside an inlined named query, every span is that of the reference.
        self.span_override: tuple[int, int] | None = None
        self.ref_name: str | None = None
        # The named queries the query reaches, parsed and measured once.
        self.expansion: Expansion | None = None
        # Did-you-mean answers, by (choices, word); the comparisons left.
        self._suggested: dict[tuple[int, str], str | None] = {}
        self._suggest_budget = SUGGEST_BUDGET
        # Fields resolved without a diagnostic, by (name, key): one
        # FieldRef each, however often the query names them.
        self._fields: dict[tuple[str, str | None], tuple[FieldRef, Property]] = {}

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

    def span(self, node: Any) -> tuple[int, int]:
        if self.span_override is not None:
            return self.span_override
        return node.start, node.end

    # -------------------------------------------------------- connectives
    def expr(self, root: ast.Expr) -> IExpr | None:
        """The IR of ``root``, inlining named queries, with an explicit stack
        (post-order): neither deep nesting nor long chains of references
        can exhaust Python's. ``None`` when some part has an error."""
        values: list[IExpr | None] = []
        # Steps: (_VISIT, node, None); (_BUILD, node, its span, taken when it
        # was visited, inside the named query it belongs to); (_LEAVE, None,
        # the state to restore after a named query's tree).
        todo: list[tuple[int, Any, Any]] = [(_VISIT, root, None)]
        while todo:
            step, node, extra = todo.pop()
            if step == _VISIT:
                kind = type(node)
                if kind is ast.And or kind is ast.Or:
                    items = node.items
                    if all(type(x) in _PREDICATES for x in items):
                        # A chain of predicates (most queries): no steps.
                        values.append(self.chain(node))
                        continue
                    todo.append((_BUILD, node, self.span(node)))
                    todo.extend((_VISIT, x, None) for x in reversed(items))
                elif kind is ast.Not:
                    todo.append((_BUILD, node, self.span(node)))
                    todo.append((_VISIT, node.expr, None))
                elif isinstance(node, ast.Ref):
                    entered = self.enter_ref(node)
                    if isinstance(entered, tuple):
                        inner, saved = entered
                        todo.append((_LEAVE, None, saved))
                        todo.append((_VISIT, inner, None))
                    else:
                        values.append(entered)
                else:
                    try:
                        values.append(self.predicate(node))
                    except _Error:
                        values.append(None)
            elif step == _BUILD:
                s, e = extra
                if isinstance(node, ast.Not):
                    inner_ir = values.pop()
                    values.append(None if inner_ir is None else INot(inner_ir, s, e))
                    continue
                n = len(node.items)
                kids = tuple(x for x in values[-n:] if x is not None)
                del values[-n:]
                if len(kids) != n:  # some part has an error
                    values.append(None)
                else:
                    cls = IAnd if isinstance(node, ast.And) else IOr
                    values.append(cls(kids, s, e))
            else:  # _LEAVE: back out of a named query
                self.ref_stack.pop()
                self.span_override, self.ref_name, self.params = extra
        return values[0]

    def chain(self, node: ast.And | ast.Or) -> IExpr | None:
        """The IR of an ``and``/``or`` of predicates alone (none a
        connective or a reference): what the walk of :meth:`expr` gives."""
        s, e = self.span(node)
        kids: list[IExpr] = []
        failed = False
        predicate = self.predicate
        for x in node.items:
            try:
                kids.append(predicate(x))  # type: ignore[arg-type]  # all predicates
            except _Error:
                failed = True
        if failed:
            return None
        return (IAnd if type(node) is ast.And else IOr)(tuple(kids), s, e)

    def enter_ref(self, node: ast.Ref) -> IExpr | tuple[ast.Expr, Any] | None:
        """A reference: its value when there is nothing to walk (an error,
        reported, is ``None``; an empty named query is true), or the named
        query's tree to walk and the state to restore after it."""
        name = node.name
        expansion = self.expansion
        if expansion is not None and id(node) in expansion.refused:
            return None  # a cycle or a limit, reported before the walk
        if name not in self.queries:
            close = self.suggest(name, self.queries)
            hint = f"did you mean '@{close}'?" if close else None
            if not self.queries:
                hint = "named queries come from a config file (see docs/config.md)"
            self.report(
                "CQL115",
                f"unknown named query '@{name}'",
                node.start,
                node.end,
                hint,
                suggestion=f"@{close}" if close and self.queries else None,
            )
            return None
        if name in self.ref_stack or expansion is None:  # pragma: no cover - found before
            cycle = " -> ".join(f"@{n}" for n in [*self.ref_stack, name])
            self.report(
                "CQL116",
                f"named queries refer to each other in a cycle: {cycle}",
                node.start,
                node.end,
            )
            return None
        named = expansion.named[name]
        if named.query is None:  # a syntax error, reported on the reference
            d = named.diagnostics[0]
            outer = (self.span_override, self.ref_name)
            if self.span_override is None:
                self.span_override, self.ref_name = (node.start, node.end), name
            self.report(d.code, d.message, node.start, node.end)
            self.span_override, self.ref_name = outer
            return None
        if named.query.expr is None:
            return TRUE
        saved = (self.span_override, self.ref_name, self.params)
        if self.span_override is None:
            self.span_override = (node.start, node.end)
            self.ref_name = name
        self.ref_stack.append(name)
        # The caller's parameters win over the named query's defaults.
        self.params = {**named.defaults, **self.params}
        return named.query.expr, saved

    # --------------------------------------------------------- predicates
    def predicate(self, node: ast.Predicate) -> IExpr:
        fref, _ = self.field(node.field)
        if isinstance(node, ast.IsNull):
            s, e = self.span(node)
            return Atom(fref, "notnull" if node.negated else "null", None, s, e)
        if isinstance(node, ast.Compare):
            self.check_op(node.op, fref, node)
            value = self.value(fref, node.value, node.op)
            return self.compare(fref, node.op, value, node)
        if isinstance(node, ast.In):
            self.check_op("not in" if node.negated else "in", fref, node)
            values = self.list_values(fref, node)
            s, e = self.span(node)
            if fref.type == "datetime":
                ranges = tuple(self.compare(fref, "=", v, node) for v in values)
                inner: IExpr = IOr(ranges, s, e) if len(ranges) != 1 else ranges[0]
                return INot(inner, s, e) if node.negated else inner
            unique = tuple(dict.fromkeys(values))
            return Atom(fref, "nin" if node.negated else "in", unique, s, e)  # type: ignore[arg-type]
        # Between
        self.check_op("not between" if node.negated else "between", fref, node)
        low = self.value(fref, node.low, ">=")
        high = self.value(fref, node.high, "<=")
        s, e = self.span(node)
        lo = low[0] if isinstance(low, tuple) else low
        hi = high[1] if isinstance(high, tuple) else high
        both = IAnd((Atom(fref, "ge", lo, s, e), Atom(fref, "le", hi, s, e)), s, e)
        return INot(both, s, e) if node.negated else both

    def compare(self, fref: FieldRef, op: str, value: _Resolved, node: Any) -> IExpr:
        s, e = self.span(node)
        if isinstance(value, tuple):  # a datetime interval
            lo, hi = value
            if op == "=":
                return IAnd((Atom(fref, "ge", lo, s, e), Atom(fref, "le", hi, s, e)), s, e)
            if op == "!=":
                inner = IAnd((Atom(fref, "ge", lo, s, e), Atom(fref, "le", hi, s, e)), s, e)
                return INot(inner, s, e)
            bound = {"<": lo, "<=": hi, ">": hi, ">=": lo}[op]
            return Atom(fref, _OP_ATOM[op], bound, s, e)
        return Atom(fref, _OP_ATOM[op], value, s, e)

    # -------------------------------------------------------------- fields
    def field(self, f: ast.Field) -> tuple[FieldRef, Property]:
        """The field ``f`` names, resolved (a diagnostic and :class:`_Error`
        when it is not a field). A field resolved with no diagnostic is
        remembered for the rest of the query, by its name or key."""
        key = (f.name, f.key)
        known = self._fields.get(key)
        if known is not None:
            return known
        count = len(self.diags)
        resolved = self._field(f)
        if len(self.diags) == count:
            self._fields[key] = resolved
        return resolved

    def _field(self, f: ast.Field) -> tuple[FieldRef, Property]:
        if f.key is not None:
            prop = self.schema.keyed
            if prop is None:
                self.report("CQL101", "this endpoint has no custom fields", f.start, f.end)
                raise _Error
            if not f.key.strip():
                what = "empty" if not f.key else "only blanks"
                self.report(
                    "CQL119",
                    f"a custom field's key cannot be {what}",
                    f.start,
                    f.end,
                    'write the key between the quotes: custom["lead source"]',
                )
                raise _Error
            declared = self.schema.custom_field(f.key)
            typ: ValueType = "string"
            values: tuple[str, ...] = ()
            if declared is not None:
                typ, values = declared.type, declared.values
            elif self.schema.custom_fields or self.strict:
                close = self.suggest(f.key, self.schema.custom_fields)
                hint = (
                    f"did you mean '{_custom_text(close)}'?"
                    if close
                    else "declare it under [schema.custom_fields] in a config file"
                )
                severity = ERROR if self.strict else WARNING
                self.report(
                    "CQL102",
                    f"custom field {f.key!r} is not declared",
                    f.start,
                    f.end,
                    hint,
                    severity,
                    suggestion=_custom_text(close) if close else None,
                )
                if severity == ERROR:
                    raise _Error
            return FieldRef(prop.name, f.key, typ, prop.record_field, values), prop
        prop = self.schema.lookup(f.name)
        if prop is None or prop.keyed:
            if prop is not None:
                self.report(
                    "CQL101",
                    f"{prop.name} needs a key",
                    f.start,
                    f.end,
                    'write custom.KEY or custom["KEY"]',
                )
                raise _Error
            close = self.suggest(f.name, self.schema.properties)
            if close:
                hint = f"did you mean '{close}'?"
            else:
                hint = f"a custom field is written custom.{f.name}"
            self.report(
                "CQL101", f"unknown property '{f.name}'", f.start, f.end, hint, suggestion=close
            )
            raise _Error
        return FieldRef(prop.name, None, prop.type, prop.record_field, prop.values), prop

    def check_op(self, op: str, fref: FieldRef, node: Any) -> None:
        ops = _language_ops(fref.type)
        if op not in ops:
            where = fref.display
            # The operator itself: what stands between the field and the value.
            s = node.field.end
            e = node.value.start if isinstance(node, ast.Compare) else node.end
            between = self.text[s:e]
            if self.span_override is None and between.strip():
                s += len(between) - len(between.lstrip())
                e -= len(between) - len(between.rstrip())
            self.report(
                "CQL103",
                f"'{op}' is not available for {where}, which is {_KIND_WORDS[fref.type]}",
                s,
                max(e, s + 1),
                "use one of " + ", ".join(ops),
            )
            raise _Error

    # -------------------------------------------------------------- values
    def list_values(self, fref: FieldRef, node: ast.In) -> list[_Resolved]:
        if isinstance(node.values, ast.Param):
            p = node.values
            raw = self.param(p)
            if isinstance(raw, str):
                try:
                    items: Any = split_list(raw)
                except ValueError as exc:
                    self.report(
                        "CQL113",
                        f"parameter ${p.name}: {exc}",
                        p.start,
                        p.end,
                        'items are separated by commas; "double quotes" keep commas '
                        'and blanks in an item, "" is a quote inside them',
                    )
                    raise _Error from None
            else:
                items = raw
            if not isinstance(items, list | tuple | set | frozenset):
                items = [items]
            out = [self.coerce_param(fref, p, v) for v in items]
            if not out:
                self.report("CQL110", f"parameter ${p.name} is an empty list", p.start, p.end)
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
                self.report(
                    "CQL113",
                    f"parameter ${v.name} is a list; a list goes with 'in'",
                    v.start,
                    v.end,
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
                return self.enum_value(fref, word, v)
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
            hint = "use one of " + ", ".join(fref.values)
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
            self.report(
                "CQL111",
                "integer out of the API's range",
                *self.span(v),
                hint=f"integers go from -{MAX_INT} to {MAX_INT}",
            )
            raise _Error
        return value

    def enum_value(self, fref: FieldRef, word: str, v: Any) -> str:
        # Case-insensitive; written back in the declared spelling (upper case
        # for the API's own enums).
        for value in fref.values:
            if value.casefold() == word.casefold():
                return value
        close = self.suggest(word, fref.values)
        hint = f"did you mean '{close}'?" if close else "use one of " + ", ".join(fref.values)
        where = fref.display
        s, e = self.span(v)
        # A quoted value is replaced by the value quoted again.
        fix = close if close is None or not getattr(v, "quoted", False) else _quoted(close)
        self.report("CQL105", f"{word!r} is not a value of {where}", s, e, hint, suggestion=fix)
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
        try:
            if typ == "integer":
                if isinstance(raw, bool):
                    raise ValueError
                # ASCII digits only: int() would take '٣' (cqlang.digits).
                value = raw if isinstance(raw, int) else ascii_int(str(raw))
                if value is None:
                    raise ValueError
                return self.int_value(value, p)
            if typ == "datetime":
                if isinstance(raw, datetime):
                    dt = raw if raw.tzinfo else raw.replace(tzinfo=self.tz)
                    sec = timeexpr.to_epoch(dt)
                    return timeexpr.within_range((sec, sec), f"datetime {raw.isoformat()}")
                if isinstance(raw, date):
                    return timeexpr.literal_interval(raw.isoformat(), self.tz)
                if not isinstance(raw, str):
                    raise ValueError
                if self.now is None and raw.strip()[:1].isalpha():
                    self.uses_clock = True
                return timeexpr.parse_time_value(raw, self.tz, timeexpr.resolve_now(self.now))
            if isinstance(raw, bool) or not isinstance(raw, str | int):
                raise ValueError
            text = str(raw)
            if typ == "enum":
                return self.enum_value(fref, text.strip(), p)
            return text
        except timeexpr.TimeError as exc:
            self.report("CQL113", f"parameter ${p.name}: {exc}", p.start, p.end, exc.hint)
            raise _Error from None
        except (ValueError, TypeError):
            self.report(
                "CQL113",
                f"parameter ${p.name} should be {_TYPE_WORDS[typ]}, got {raw!r}",
                p.start,
                p.end,
            )
            raise _Error from None


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _quoted(value: str) -> str:
    """``value`` as a double-quoted literal (the formatter's rules, which
    this hot path does not import)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def _custom_text(key: str) -> str:
    return f"custom.{key}" if _IDENT.match(key) else f"custom[{_quoted(key)}]"


def _language_ops(typ: str) -> tuple[str, ...]:
    return LANGUAGE_OPERATORS[typ]


def check_query(query: ast.Query, env: Env = DEFAULT_ENV) -> Checked:
    """Check a parsed query with the inputs ``env``; return its IR and every
    diagnostic."""
    text = query.text
    diags: list[Diagnostic] = []
    tz, now = env.tz, env.now
    try:
        zone = tz if isinstance(tz, tzinfo) else timeexpr.zone(tz)
    except timeexpr.TimeError as exc:
        diags.append(make(text, exc.code, str(exc), 0, len(text), hint=exc.hint))
        return Checked(None, diags)
    if now is not None and not isinstance(now, datetime):
        diags.append(make(text, "CQL117", f"now must be a datetime, not {now!r}", 0, 0))
        return Checked(None, diags)
    checker = _Checker(text, env, zone)
    if env.queries and "@" in text:
        checker.expansion = Expansion(query, env.queries)
    ir: IExpr | None = TRUE if query.expr is None else checker.expr(query.expr)
    found = checker.diags
    if checker.expansion is not None and checker.expansion.diagnostics:
        # In the order of the text, as the walk finds the others.
        found = sorted([*checker.expansion.diagnostics, *found], key=lambda d: d.start)
    diags.extend(found)
    unused = set(env.params) - checker.params_used
    # A parameter used only inside a predicate that failed to check is still
    # used: no second finding piled on the first. A "$name" in a string is
    # text, not a use (the tree knows which is which).
    if unused:
        unused -= set(ast.parameters(query))
    for name in sorted(unused):
        diags.append(
            make(
                text,
                "CQL114",
                f"parameter ${name} is not used by the query",
                0,
                len(text),
                severity=WARNING,
            )
        )
    if any(d.severity == ERROR for d in diags):
        ir = None
    return Checked(ir, diags, checker.uses_clock, checker.params_used)


def check_text(text: str, env: Env = DEFAULT_ENV) -> Checked:
    """Parse and check ``text`` with the inputs ``env``."""
    query, diags = parse_diagnostics(text)
    if query is None:
        return Checked(None, diags)
    return check_query(query, env)


__all__ = ["Checked", "check_query", "check_text"]
