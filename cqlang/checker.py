"""AST to IR against a schema, collecting every diagnostic on the way.

The checker resolves each field against the schema (property names are
case-insensitive, custom fields are ``custom.KEY``), checks the operator is
available for the field's type, gives every value the field's type (enum
values upper-cased, datetimes and relative times turned into UTC intervals,
parameters bound, digits kept as typed where a string is expected: that is
cqlang/checkvalues.py) and inlines ``@name`` references to named queries.
It never stops at the first mistake: every error in the query is reported,
each with its span.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from . import ast, timeexpr
from .checkvalues import RefParam, _Error, _Resolved, _ValueChecker
from .diagnostics import ERROR, WARNING, Diagnostic, make
from .env import DEFAULT_ENV, Env
from .ir import COMPARE_OPS, TRUE, Atom, FieldRef, IAnd, IExpr, INot, IOr
from .parser import custom_text, parse_diagnostics
from .refs import Expansion
from .schema import LANGUAGE_OPERATORS, Property

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .types import ValueType

_ORDERING = frozenset({"<", "<=", ">", ">="})
_KIND_WORDS = {
    "datetime": "a datetime",
    "integer": "an integer",
    "enum": "an enum",
    "string": "a string",
}


class Checked:
    """The checker's result: the IR (``None`` when there are errors), every
    diagnostic found, whether it read the clock, the parameters it bound,
    and (``ref_params``) for each named query inlined, in the order the
    walk entered them, where each of its defaults' parameters got its value
    (:class:`RefParam`; ``queries show`` reads them)."""

    # A plain slotted record: the checker fills it in as it goes.
    __slots__ = ("diagnostics", "instants", "ir", "params_used", "ref_params", "uses_clock")

    def __init__(
        self,
        ir: IExpr | None,
        diagnostics: list[Diagnostic],
        uses_clock: bool = False,
        params_used: set[str] | None = None,
        ref_params: list[RefParam] | None = None,
        instants: tuple[tuple[int, int, int], ...] = (),
    ) -> None:
        self.ir = ir
        #: Where a datetime parameter is an instant with a fraction of a
        #: second, and the whole second before it: ``(start, end, second)``
        #: (for the planner's CQL201 hint).
        self.instants = instants
        self.diagnostics = diagnostics
        self.uses_clock = uses_clock
        self.params_used: set[str] = set() if params_used is None else params_used
        self.ref_params: list[RefParam] = [] if ref_params is None else ref_params

    def __repr__(self) -> str:
        return (
            f"Checked(ir={self.ir!r}, diagnostics={self.diagnostics!r}, "
            f"uses_clock={self.uses_clock!r}, params_used={self.params_used!r}, "
            f"ref_params={self.ref_params!r})"
        )

    @property
    def ok(self) -> bool:
        return self.ir is not None


# The steps of the checker's walk (_Checker.expr).
_VISIT, _BUILD, _LEAVE = 0, 1, 2
#: CQL119's hint: how a custom field's key is written.
EMPTY_KEY_HINT = 'write the key between the quotes: custom["lead source"]'


def empty_key(key: str) -> str:
    """CQL119's message for a key that is empty or only blanks: the words
    of the query language, and of ``--columns`` (cqlang.output.columns)."""
    what = "empty" if not key else "only blanks"
    return f"a custom field's key cannot be {what}"


def undeclared(key: str, close: str | None) -> tuple[str, str]:
    """CQL102's message and hint for the custom field ``key`` that the
    schema does not declare, ``close`` the declared key to suggest: the
    words of the query language, and of ``--columns``."""
    hint = (
        f"did you mean '{custom_text(close)}'?"
        if close
        else "declare it under [schema.custom_fields] in a config file"
    )
    return f"{custom_text(key)} is not a declared custom field", hint


_PREDICATES = frozenset({ast.Compare, ast.In, ast.Between, ast.IsNull})


class _Checker(_ValueChecker):
    """The walk over the query: connectives, named queries, predicates,
    fields and operators; the values are :class:`_ValueChecker`'s."""

    def __init__(self, text: str, env: Env, tz: tzinfo) -> None:
        super().__init__(text, env, tz)
        self.schema = env.schema
        # Undeclared custom fields are errors (not warnings).
        self.strict = env.strict or env.schema.strict
        self.queries = env.queries
        self.ref_stack: list[str] = []
        # The named queries the query reaches, parsed and measured once.
        self.expansion: Expansion | None = None
        # Fields resolved without a diagnostic, by (name, key): one
        # FieldRef each, however often the query names them.
        self._fields: dict[tuple[str, str | None], tuple[FieldRef, Property]] = {}

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
                self._restore_scope(extra)
        return values[0]

    def _scope(self) -> tuple[Any, ...]:
        """What a named query's inlining changes, saved on entering it;
        :meth:`_restore_scope` puts it back on leaving."""
        return (
            self.span_override,
            self.ref_name,
            self.params,
            self.origins,
            self.tz,
            self.tz_set,
            self.source,
        )

    def _restore_scope(self, saved: tuple[Any, ...]) -> None:
        (
            self.span_override,
            self.ref_name,
            self.params,
            self.origins,
            self.tz,
            self.tz_set,
            self.source,
        ) = saved

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
                facts=(("query", name),),
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
        zone: tzinfo | None = None
        own = named.timezone
        if own is not None and not self.tz_set:
            try:
                zone = own if isinstance(own, tzinfo) else timeexpr.zone(own)
            except timeexpr.TimeError as exc:
                self.report(exc.code, f"in @{name}: {exc}", node.start, node.end, exc.hint)
                return None
        saved = self._scope()
        self.source = named.query.text
        if self.span_override is None:
            self.span_override = (node.start, node.end)
            self.ref_name = name
        self.ref_stack.append(name)
        # The caller's parameters win over the named query's defaults; and
        # the zone set nearest the top (the caller's, else that of the
        # outermost named query with a timezone) over a named query's own.
        defaults = named.defaults
        if defaults:
            params, origins = self.params, self.origins
            self.params = {**defaults, **params}
            own = {k: name for k in defaults if k not in params}
            if own:
                self.origins = {**origins, **own}
            # Where each default's parameter gets its value in here.
            self.ref_params.extend(
                RefParam(name, k, self.params[k], self.origins.get(k)) for k in defaults
            )
        if zone is not None:
            self.tz, self.tz_set = zone, True
        return named.query.expr, saved

    # --------------------------------------------------------- predicates
    def predicate(self, node: ast.Predicate) -> IExpr:
        fref, _ = self.field(node.field)
        if isinstance(node, ast.IsNull):
            s, e = self.span(node)
            return Atom(fref, "notnull" if node.negated else "null", None, s, e)
        if isinstance(node, ast.Compare):
            if node.op not in LANGUAGE_OPERATORS[fref.type]:
                self.check_op(node.op, fref, node)  # reports, raises
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
        if self.span_override is None:  # self.span(node), inline: once per predicate
            s, e = node.start, node.end
        else:
            s, e = self.span_override
        if isinstance(value, tuple):  # a datetime interval
            lo, hi = value
            if op == "=":
                return IAnd((Atom(fref, "ge", lo, s, e), Atom(fref, "le", hi, s, e)), s, e)
            if op == "!=":
                inner = IAnd((Atom(fref, "ge", lo, s, e), Atom(fref, "le", hi, s, e)), s, e)
                return INot(inner, s, e)
            bound = {"<": lo, "<=": hi, ">": hi, ">=": lo}[op]
            return Atom(fref, COMPARE_OPS[op], bound, s, e)
        return Atom(fref, COMPARE_OPS[op], value, s, e)

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
                self.report("CQL119", empty_key(f.key), f.start, f.end, EMPTY_KEY_HINT)
                raise _Error
            declared = self.schema.custom_field(f.key)
            typ: ValueType = "string"
            values: tuple[str, ...] = ()
            if declared is not None:
                typ, values = declared.type, declared.values
            elif self.schema.custom_fields or self.strict:
                close = self.suggest(f.key, self.schema.custom_fields)
                message, hint = undeclared(f.key, close)
                severity = ERROR if self.strict else WARNING
                self.report(
                    "CQL102",
                    message,
                    f.start,
                    f.end,
                    hint,
                    severity,
                    suggestion=custom_text(close) if close else None,
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
    # A parameter used only inside a predicate that failed to check is still
    # used: no second finding piled on the first. A "$name" in a string is
    # text, not a use (the tree knows which is which).
    unused = set(env.params) - checker.params_used if env.params else None
    if unused:
        unused -= set(ast.parameters(query))
    for name in sorted(unused) if unused else ():
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
    if diags and any(d.severity == ERROR for d in diags):
        ir = None
    return Checked(
        ir,
        diags,
        checker.uses_clock,
        checker.params_used,
        checker.ref_params,
        tuple(checker.instants),
    )


def check_text(text: str, env: Env = DEFAULT_ENV) -> Checked:
    """Parse and check ``text`` with the inputs ``env``."""
    query, diags = parse_diagnostics(text)
    if query is None:
        return Checked(None, diags)
    return check_query(query, env)


__all__ = ["Checked", "RefParam", "check_query", "check_text", "empty_key", "undeclared"]
