"""IR to a plan: which requests to send and what to check on the client.

1. Negation normal form (what a query means, see evaluator.py).
   From there on, "the query is true" distributes over ``and``/``or``, and an
   atom is true only on a present field, so planning works with plain sets.
2. Disjunctive normal form, bottom up, with merging (cqlang/dnf.py): each
   conjunction ("branch") maps a field to a :class:`Constraint`, the set of
   values it may take; implied branches are dropped and branches differing on
   one field merged, through indexes rather than pairwise comparisons. An
   internal limit on the alternatives built (``dnf.MAX_ALTERNATIVES``) stops a
   query that would explode, before the step that would pass it.
3. Each branch's constraints go to the compiler, which says what the API can
   express for each (possibly as several requests, possibly only part of it).
4. Requests whose filter lists are identical are one; a request whose filter
   objects include all of another's asks for a subset of its records and is
   dropped. The user's bound (``max_branches``) applies to what remains: the
   requests actually sent.
5. What the API cannot say becomes the residual predicate, evaluated on the
   client: the unexpressed constraints of a single-request plan, or the
   whole query when there are several requests (or a request was dropped
   for a wider one).

The plan's contract: a record is in the result when it matches at least one
branch (under the API's semantics) and the residual.
"""

from __future__ import annotations

from . import compiler
from .constraints import Ordered, Span
from .diagnostics import (
    CODES,
    NARROWS_NOTHING,
    NARROWS_NOTHING_HINT,
    NEVER_MATCHES,
    Diagnostic,
    make,
)
from .dnf import DNF, PlanLimit, SetTrie, TooComplex, TooManyBranches
from .ir import Atom, IAnd, IExpr, to_nnf
from .node import Node
from .node import field as attr
from .timeexpr import WHOLE_SECONDS_HINT

_set = object.__setattr__  # how a node fills in what it works out

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any

    from .env import Env
    from .evaluator import Matcher
    from .types import Filter, FrozenFilter

    # One way to say a field's constraint: filter objects, what is left to
    # the client, and an id per filter object.
    _Option = tuple[list[Filter], list[IExpr], list[int]]


# ------------------------------------------------------------------- plan


class Residual(Node):
    """The part of a query the client evaluates on each fetched record."""

    expr: IExpr
    text: str
    # The matcher, compiled at the first record (the evaluator is loaded then).
    _matcher: Matcher | None = attr(init=False, compare=False, repr=False)
    _decoded: Matcher | None = attr(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        _set(self, "_matcher", None)
        _set(self, "_decoded", None)

    @property
    def record_fields(self) -> frozenset[str]:
        """The record fields the check reads (``custom`` for a custom field):
        a fetch must not ask the API to leave them out."""
        from .ir import record_fields

        return record_fields(self.expr)

    @property
    def matches(self) -> Matcher:
        """The check itself, ``residual.matches(record) -> bool``: the
        compiled matcher (cqlang.evaluator), made at the first access. A
        caller that checks many records takes it once (``check =
        residual.matches``) and calls it with no layer in between."""
        return self._matcher or self._compile("_matcher", plain_dicts=False)

    @property
    def matches_decoded(self) -> Matcher:
        """:attr:`matches` for records that are plain ``dict``s, as
        ``json`` decodes them: what the client calls on each record of a
        page. It skips the class check that :attr:`matches` makes so that
        any other mapping is read with ``get``; given a mapping that is no
        plain dict it may answer wrongly."""
        return self._decoded or self._compile("_decoded", plain_dicts=True)

    def _compile(self, slot: str, *, plain_dicts: bool) -> Matcher:
        from .evaluator import compile_matcher

        matcher = compile_matcher(self.expr, plain_dicts=plain_dicts)
        _set(self, slot, matcher)
        return matcher


class _Owned(tuple):  # type: ignore[type-arg]
    """The filter lists of a plan as the planner makes them: fresh objects
    that nothing else holds. A plan keeps them as they are and never hands
    them out (:attr:`Plan.filters` is a read-only copy, made at the first
    access; :attr:`Plan.branches` copies); any other lists given to
    :class:`Plan` are copied first."""

    __slots__ = ()


def _frozen_lists(lists: Any) -> tuple[tuple[FrozenFilter, ...], ...]:
    """``lists`` (filter lists) as read-only copies, deeply: each object a
    :class:`~cqlang.env.FrozenDict` (a ``dict`` whose changes raise
    ``TypeError``), each list value a :class:`~cqlang.env.FrozenList` (a
    tuple whose repr and ``==`` are a list's)."""
    from .env import freeze

    return tuple(tuple(freeze(obj) for obj in objects) for objects in lists)


class Plan(Node):
    """What to send and what to check: see the module docstring.

    Frozen, deeply, and shared: ``cqlang.plan`` hands out the plan it
    caches, so that nothing a caller can reach of it may change what
    another caller gets. ``filters`` gives the filter lists read-only
    (tuples of read-only objects, made at the first access: the hot path,
    ``compile``, never pays for them); ``branches`` gives them as the
    documented lists, a fresh copy at each access, the caller's to change.
    """

    # The filter lists, private: the planner's own objects, never handed
    # out (see _Owned). ``filters`` is the first argument of ``__init__``.
    _lists: tuple[tuple[Filter, ...], ...]
    residual: Residual | None = None
    never_matches: bool = False
    # Why the plan needs more than one request / a residual, for messages.
    reasons: tuple[tuple[str, str, Span], ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    #: The query text the plan was made from and the parameter values it
    #: was given (as given, before they are typed; ``None``: none), as
    #: ``cqlang.plan`` records them: what a file made with the plan says of
    #: its fetch. Not compared: equal requests make equal plans.
    query: str = attr(default="", compare=False, repr=False)
    params: Any = attr(default=None, compare=False, repr=False)
    # The read-only copy of the lists (``filters``), made at the first access.
    _frozen: tuple[tuple[FrozenFilter, ...], ...] | None = attr(
        init=False, compare=False, repr=False
    )

    __match_args__ = ("filters", "residual", "never_matches", "reasons", "warnings")

    def __init__(
        self,
        filters: Iterable[Iterable[Mapping[str, Any]]],
        residual: Residual | None = None,
        never_matches: bool = False,
        reasons: Iterable[tuple[str, str, Span]] = (),
        warnings: Iterable[Diagnostic] = (),
        query: str = "",
        params: Any = None,
    ) -> None:
        frozen = None
        if type(filters) is not _Owned:  # given from outside: copied, read-only
            frozen = _frozen_lists(filters)
            filters = _Owned(frozen)
        _set(self, "_lists", filters)
        _set(self, "residual", residual)
        _set(self, "never_matches", never_matches)
        _set(self, "reasons", reasons if type(reasons) is tuple else tuple(reasons))
        _set(self, "warnings", warnings if type(warnings) is tuple else tuple(warnings))
        _set(self, "query", query)
        _set(self, "params", params)
        _set(self, "_frozen", frozen)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__node_repr__[1:])
        return f"Plan(filters={self.filters!r}, {shown})"

    def replace(self, **changes: Any) -> Plan:
        """A copy with ``changes`` (``filters``, ``residual``, ...)."""
        names = ("filters", *self.__node_init__[1:])
        unknown = set(changes) - set(names)
        if unknown:
            raise TypeError(f"Plan has no field {sorted(unknown)[0]!r}")
        values = {name: getattr(self, name) for name in names[1:]}
        values.update(changes)
        filters = values.pop("filters", self._lists)  # its own lists: shared, never changed
        return Plan(filters, **values)

    @property
    def filters(self) -> tuple[tuple[FrozenFilter, ...], ...]:
        """One filter list per request, read-only: tuples of objects that
        cannot be changed (a ``dict`` whose changes raise ``TypeError``, a
        list value as a tuple), equal to the lists :attr:`branches` gives."""
        frozen = self._frozen
        if frozen is None:
            frozen = _frozen_lists(self._lists)
            _set(self, "_frozen", frozen)
        return frozen

    @property
    def branches(self) -> list[list[Filter]]:
        """One filter list per request: a fresh copy (lists down to the
        value lists) that the caller may change."""
        return [self.branch(i) for i in range(len(self._lists))]

    def branch(self, i: int) -> list[Filter]:
        """The filter list of request ``i`` alone, a fresh copy as in
        :attr:`branches` (what ``compile`` returns: one request)."""
        out: list[Any] = []
        for f in self._lists[i]:
            copied = f.copy()  # a plain dict, of a FrozenDict too
            value = copied.get("value")
            if type(value) is list:
                copied["value"] = value.copy()
            elif isinstance(value, tuple):  # a FrozenList, of a plan made from given lists
                copied["value"] = list(value)
            out.append(copied)
        return out

    @property
    def requests(self) -> int:
        return len(self._lists)

    def to_json(self) -> dict[str, Any]:
        from .encoding import encode_json

        return {
            "requests": [
                {"filter": b, "encoded": encode_json(b) if b else None} for b in self.branches
            ],
            "residual": self.residual.text if self.residual else None,
            "never_matches": self.never_matches,
        }

    def explain(self) -> str:
        """The plan in words."""
        from .encoding import encode_json
        from .visible import json_text

        if self.never_matches:
            return NEVER_MATCHES[:1].upper() + NEVER_MATCHES[1:] + "."
        lines = []
        n = len(self._lists)
        lines.append(
            f"{n} request{'s' if n != 1 else ''}" + (", records merged by id:" if n > 1 else ":")
        )
        for i, b in enumerate(self._lists, 1):
            if b:
                lines.append(f"  {i}. filter={json_text(b)}")
                lines.append(f"     encoded: {encode_json(b)}")
            else:
                lines.append(f"  {i}. no filter (every record of the campaign)")
        if self.residual is not None:
            lines.append(f"Then kept on the client when: {self.residual.text}")
        return "\n".join(lines)


def plan_ir(
    ir: IExpr, env: Env, text: str = "", instants: tuple[tuple[int, int, int], ...] = ()
) -> Plan:
    """Plan a checked query (of ``text``) with the inputs ``env``: its
    schema and bound on requests. ``instants``: where a datetime parameter
    is an instant with a fraction of a second, with the second before it
    (the checker's), which CQL201 names as the reason when it is what
    leaves the query nothing (:func:`_whole_second_clash`). Raises
    :class:`TooManyBranches` when it needs more than ``env.max_branches``
    requests, :class:`TooComplex` when planning it passes the internal limit
    on alternatives."""
    properties = env.schema.properties
    nnf = to_nnf(ir)
    dnf = DNF()
    branches = dnf.run(nnf)
    if not branches:
        span = dnf.contradiction_span or (0, len(text))
        hint: str | None = None
        if instants:
            anyway, clash = _whole_second_clash(nnf, instants)
            if not anyway:
                hint = WHOLE_SECONDS_HINT
            elif clash is not None:
                span = clash
        warn = make(
            text,
            "CQL201",
            f"{CODES['CQL201']}: its conditions contradict each other",
            span[0],
            span[1],
            hint=hint,
            severity="warning",
        )
        return Plan((), None, True, (("CQL201", warn.message, span),), (warn,))
    reasons: list[tuple[str, str, Span]] = []
    if len(branches) > 1 and dnf.split_span:
        reasons.append(("CQL202", "this 'or' needs one request per side", dnf.split_span))
    whole_span = (0, len(text))
    if len(branches) == 1:
        one = _one_branch(branches[0], properties, reasons)
        if one is not None:
            return _finish(ir, [one], False, env, reasons, text)
    # What the compiler says for one field's constraint, worked out once per
    # distinct constraint: its alternatives, each as filter objects (with an
    # id per distinct object) and the constraint left to the client, if any.
    emitted_for: dict[Any, list[_Option]] = {}
    object_ids: dict[tuple[Any, ...], int] = {}
    object_field: list[int] = []  # an object's field, by the order fields came up in planning
    out: list[tuple[list[Filter], list[IExpr], list[int]]] = []
    many = len(branches) > 1
    for branch in branches:
        # Fields with one way to say them extend every alternative in place;
        # only a field that splits multiplies the alternatives.
        filters: list[Filter] = []
        rest: list[IExpr] = []
        ids: list[int] = []
        splits: list[list[_Option]] = []
        for f, c in branch.values():
            key = (f, c, c.gt, c.lt, c.left_out) if isinstance(c, Ordered) else (f, c)
            options = emitted_for.get(key)
            if options is None:
                options = emitted_for[key] = []
                emitted = compiler.emit(f, c, properties[f.prop])
                if len(emitted) > 1:
                    reasons.append(("CQL202", compiler.split_reason(f), c.span))
                field_no = dnf.ordinal(f.ident)
                for em in emitted:
                    extra = [] if em.exact else [compiler.constraint_ir(f, c)]
                    if not em.exact:
                        reasons.append(("CQL203", compiler.residual_reason(f), c.span))
                    em_ids = []
                    # With one branch, the objects of a field said one way are
                    # in every alternative: leaving them out of the ids changes
                    # no comparison between alternatives, and saves the work.
                    for obj in em.filters if many or len(emitted) > 1 else ():
                        okey = _object_key(obj)
                        oid = object_ids.get(okey)
                        if oid is None:
                            oid = object_ids[okey] = len(object_field)
                            object_field.append(field_no)
                        em_ids.append(oid)
                    options.append((em.filters, extra, em_ids))
            if len(options) == 1:
                filters.extend(options[0][0])
                rest.extend(options[0][1])
                ids.extend(options[0][2])
            else:
                splits.append(options)
        alternatives = [(filters, rest, ids)]
        for options in splits:
            if len(alternatives) * len(options) > dnf.limit:
                raise TooComplex(len(alternatives) * len(options), whole_span, dnf.limit)
            alternatives = [
                (fs + ofs, rs + ors, ids_ + oids)
                for fs, rs, ids_ in alternatives
                for ofs, ors, oids in options
            ]
        out.extend(alternatives)
        if len(out) > dnf.limit:
            raise TooComplex(len(out), whole_span, dnf.limit)
    kept, whole = _requests(out, object_field)
    # Alternatives share the compiler's objects: each request gets its own.
    kept = [([o.copy() for o in fs], rest) for fs, rest in kept]
    return _finish(ir, kept, whole, env, reasons, text)


def _whole_second_clash(
    nnf: IExpr, instants: tuple[tuple[int, int, int], ...]
) -> tuple[bool, Span | None]:
    """For a query that never matches, with an instant between two seconds:
    whether it would match nothing with each such instant read as a whole
    second, and then where its conditions clash. An instant is then not what
    leaves it nothing, and the clash it has anyway is the one to show.

    An instant between ``s`` and ``s + 1`` is, in the atoms the checker made
    of it (checker.compare), the bound ``s + 1`` of a ``>=`` or ``<`` and
    the bound ``s`` of a ``<=`` or ``>``; a whole second ``t`` is ``t`` in
    all four. Read as ``s`` its ``>=``/``<`` atoms move down a second, read
    as ``s + 1`` its ``<=``/``>`` atoms move up one; the query matches
    nothing either way before an instant is ruled out as the reason. An atom
    is the instant's when it is on a datetime, its span holds the
    parameter's and its bound is the instant's."""

    def reading(up: bool) -> Callable[[Atom], Atom]:
        ops = ("le", "gt") if up else ("ge", "lt")

        def read(a: Atom) -> Atom:
            if a.op not in ops or a.field.type != "datetime" or type(a.value) is not int:
                return a
            for start, end, second in instants:
                bound = second if up else second + 1
                if a.value == bound and a.start <= start and end <= a.end:
                    return Atom(a.field, a.op, bound + (1 if up else -1), a.start, a.end)
            return a

        return read

    span: Span | None = None
    for up in (False, True):
        dnf = DNF(reading=reading(up))
        try:
            if dnf.run(nnf):
                return False, None
        except PlanLimit:  # more alternatives than planning builds: not nothing
            return False, None
        span = span or dnf.contradiction_span
    return True, span


def _one_branch(
    branch: Any, properties: Any, reasons: list[tuple[str, str, Span]]
) -> tuple[list[Filter], list[IExpr]] | None:
    """The request of a plan of one branch whose every field the API says in
    one way (the common case: a query with no `or` that needs no split),
    with what is left to the client; ``None`` when a field splits."""
    filters: list[Filter] = []
    rest: list[IExpr] = []
    emit = compiler.emit
    for f, c in branch.values():
        emitted = emit(f, c, properties[f.prop])
        if len(emitted) != 1:
            return None
        em = emitted[0]
        filters.extend(em.filters)
        if not em.exact:
            rest.append(compiler.constraint_ir(f, c))
            reasons.append(("CQL203", compiler.residual_reason(f), c.span))
    return filters, rest


def _finish(
    ir: IExpr,
    kept: list[tuple[list[Filter], list[IExpr]]],
    whole: bool,
    env: Env,
    reasons: list[tuple[str, str, Span]],
    text: str,
) -> Plan:
    """The plan of the requests ``kept`` (each with its rest for the client):
    the bound on requests, the residual, CQL206 when no request narrows."""
    if len(kept) > env.max_branches:
        raise TooManyBranches(len(kept), (0, len(text)))
    residual_ir: IExpr | None = None
    if whole or (len(kept) > 1 and any(rest for _, rest in kept)):
        residual_ir = ir
    elif len(kept) == 1 and kept[0][1]:
        rest = kept[0][1]
        residual_ir = rest[0] if len(rest) == 1 else IAnd(tuple(rest))
    residual = None
    if residual_ir is not None:
        from .formatter import format_ir  # the formatter is loaded only for a residual

        residual = Residual(residual_ir, format_ir(residual_ir))
    warnings: tuple[Diagnostic, ...] = ()
    if residual is not None and all(not f for f, _ in kept):
        # Every record of the campaign comes down to be checked here.
        warnings = (
            make(
                text,
                "CQL206",
                NARROWS_NOTHING,
                0,
                len(text),
                hint=NARROWS_NOTHING_HINT,
                severity="warning",
                facts=(("requests", len(kept)),),
            ),
        )
    return Plan(_Owned(tuple(f) for f, _ in kept), residual, False, tuple(reasons), warnings)


def made_from(plan: Plan, text: str, params: Any) -> Plan:
    """``plan``, just made and not yet shared, given the query text and
    parameters it was made from (:attr:`Plan.query`, :attr:`Plan.params`,
    which are not compared): filled in place, as a node fills in what it
    works out, rather than copied (a copy cost 4% of a short compile)."""
    _set(plan, "query", text)
    _set(plan, "params", params)
    return plan


def _object_key(obj: Filter) -> tuple[Any, ...]:
    """A filter object as a hashable value (its lists as tuples)."""
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(obj.items()))


def _requests(
    out: list[tuple[list[Filter], list[IExpr], list[int]]],
    object_field: list[int],
) -> tuple[list[tuple[list[Filter], list[IExpr]]], bool]:
    """The requests to send, from each alternative's filters, unexpressed
    rest and filter-object ids, and whether the residual must then be the
    whole query.

    Requests with the same filter objects (in any order) are one. A request
    whose objects include all of another's (a request with no filter at all
    included) fetches a subset of that one's records and is dropped. Both
    keep the result exact as long as the residual covers what the dropped
    request's branch needed: when a request kept has a rest of its own (so
    the plan's residual would be only that), the residual becomes the
    whole query."""
    if len(out) == 1:
        return [(out[0][0], out[0][1])], False
    # The set trie below walks fewer paths when the objects of one field sit
    # side by side in its order: objects are ranked by field first.
    rank = sorted(range(len(object_field)), key=lambda oid: (object_field[oid], oid))
    ordinal = [0] * len(rank)
    for n, oid in enumerate(rank):
        ordinal[oid] = n
    unique: dict[tuple[int, ...], tuple[list[Filter], list[IExpr]]] = {}
    whole = False
    for filters, rest, ids in out:
        key = tuple(sorted({ordinal[oid] for oid in ids}))
        have = unique.get(key)
        if have is not None:
            whole = whole or bool(rest) or bool(have[1])
            continue
        unique[key] = (filters, rest)
    if len(unique) == 1:
        return list(unique.values()), whole
    trie = SetTrie()
    for key in unique:
        trie.add(key)
    kept = []
    dropped = False
    for key, request in unique.items():
        if trie.has_proper_subset(key):  # a narrower request than another: dropped
            dropped = True
        else:
            kept.append(request)
    if dropped and any(rest for _, rest in kept):
        whole = True
    return kept, whole


__all__ = [
    "Plan",
    "Residual",
    "TooComplex",
    "TooManyBranches",
    "plan_ir",
]
