"""IR to a plan: which requests to send and what to check on the client.

1. Negation normal form (exact under three-valued logic, see evaluator.py).
   From there on, "the query is true" distributes over ``and``/``or``, and an
   atom is true only on a present field, so planning works with plain sets.
2. Disjunctive normal form, bottom up. Each conjunction ("branch") is a map
   from field to a :class:`Constraint`: the set of values the field may take.
   ``and`` intersects constraints (an empty one proves a contradiction);
   ``or`` adds branches, dropping one implied by another (``a or (a and b)``
   is ``a``) and merging two that differ on one field when the union is one
   constraint (``state = OPEN or state = CLOSED`` is one ``in``). The number
   of branches an ``and`` would produce is counted before it is built, so a
   query that would explode fails at once with the count.
3. Each branch's constraints go to the compiler, which says what the API can
   express for each (possibly as several requests, possibly only part of it).
4. What the API cannot say becomes the residual predicate, evaluated on the
   client: the unexpressed constraints of a single-request plan, or the
   whole query when there are several requests.

The plan's contract: a record is in the result when it matches at least one
branch (under the API's semantics) and the residual.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import compiler
from .diagnostics import Diagnostic, make
from .frozen import Frozen, _set
from .ir import Atom, FieldRef, IAnd, IExpr, IOr, to_nnf
from .schema import Schema
from .timeexpr import CAL_MAX, CAL_MIN

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .evaluator import Matcher

NEG = -(1 << 62)
POS = 1 << 62

Span = tuple[int, int]


# ------------------------------------------------------------ constraints


# Frozen value classes (cqlang/frozen.py says why they are not dataclasses);
# spans and the remembered bounds take no part in equality.


class Ordered(Frozen):
    """Integers or datetimes (epoch seconds): a union of closed intervals,
    sorted, disjoint and not adjacent. ``gt``/``lt`` remember the bounds the
    user wrote as ``>``/``<``, so the compiler can keep their operator."""

    __slots__ = ("gt", "ivs", "lt", "span")
    __match_args__ = ("ivs", "gt", "lt", "span")
    ivs: tuple[tuple[int, int], ...]
    gt: frozenset[int]
    lt: frozenset[int]
    span: Span

    def __init__(
        self,
        ivs: tuple[tuple[int, int], ...],
        gt: frozenset[int] = frozenset(),
        lt: frozenset[int] = frozenset(),
        span: Span = (0, 0),
    ) -> None:
        _set(self, "ivs", ivs)
        _set(self, "gt", gt)
        _set(self, "lt", lt)
        _set(self, "span", span)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self.ivs == other.ivs

    def __hash__(self) -> int:
        return hash(self.ivs)

    @property
    def full(self) -> bool:
        return self.ivs == ((NEG, POS),)


class Discrete(Frozen):
    """Enum or string values: ``pos`` the allowed values (``None``: any value
    but not null) minus ``neg``. Order of ``pos`` is first appearance."""

    __slots__ = ("neg", "pos", "span")
    __match_args__ = ("pos", "neg", "span")
    pos: tuple[Any, ...] | None
    neg: frozenset[Any]
    span: Span

    def __init__(
        self, pos: tuple[Any, ...] | None, neg: frozenset[Any] = frozenset(), span: Span = (0, 0)
    ) -> None:
        _set(self, "pos", pos)
        _set(self, "neg", neg)
        _set(self, "span", span)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self.pos == other.pos and self.neg == other.neg

    def __hash__(self) -> int:
        return hash((self.pos, self.neg))

    @property
    def full(self) -> bool:
        return self.pos is None and not self.neg


class Null(Frozen):
    """``is null``: the field is missing or null."""

    __slots__ = ("span",)
    __match_args__ = ("span",)
    span: Span

    def __init__(self, span: Span = (0, 0)) -> None:
        _set(self, "span", span)

    def __eq__(self, other: object) -> bool:
        return True if other.__class__ is self.__class__ else NotImplemented

    def __hash__(self) -> int:
        return hash(Null)


Constraint = Ordered | Discrete | Null


def _norm_ivs(ivs: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[list[int]] = []
    for lo, hi in sorted(ivs):
        if lo > hi:
            continue
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((a, b) for a, b in out)


def _points(values: Iterable[int]) -> tuple[tuple[int, int], ...]:
    return _norm_ivs((v, v) for v in values)


def _complement(ivs: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    out = []
    prev = NEG
    for lo, hi in ivs:
        if lo > prev:
            out.append((prev, lo - 1))
        prev = hi + 1
    if prev <= POS:
        out.append((prev, POS))
    return tuple(out)


def constraint_of(atom: Atom) -> Constraint:
    """The set of values an atom (on a present field) allows."""
    op, v, f = atom.op, atom.value, atom.field
    span = (atom.start, atom.end)
    if op == "null":
        return Null(span)
    if f.type in ("integer", "datetime"):
        gt: frozenset[int] = frozenset()
        lt: frozenset[int] = frozenset()
        if op == "notnull":
            ivs: tuple[tuple[int, int], ...] = ((NEG, POS),)
        elif op == "eq":
            ivs = ((v, v),)  # type: ignore[assignment]
        elif op == "ne":
            ivs = ((NEG, v - 1), (v + 1, POS))  # type: ignore[operator]
        elif op == "lt":
            ivs, lt = ((NEG, v - 1),), frozenset({v})  # type: ignore[operator,arg-type]
        elif op == "le":
            ivs = ((NEG, v),)  # type: ignore[assignment]
        elif op == "gt":
            ivs, gt = ((v + 1, POS),), frozenset({v})  # type: ignore[operator,arg-type]
        elif op == "ge":
            ivs = ((v, POS),)  # type: ignore[assignment]
        elif op == "in":
            ivs = _points(v)  # type: ignore[arg-type]
        else:  # nin
            ivs = _complement(_points(v))  # type: ignore[arg-type]
        if f.type == "datetime":  # no datetime lies outside the calendar
            ivs = tuple((lo, hi) for lo, hi in ivs if lo <= CAL_MAX and hi >= CAL_MIN)
        return Ordered(ivs, gt, lt, span)
    universe = f.values if f.type == "enum" else None
    pos: tuple[Any, ...] | None
    neg: frozenset[Any]
    if op == "notnull":
        pos, neg = None, frozenset()
    elif op == "eq":
        pos, neg = (v,), frozenset()
    elif op == "in":
        pos, neg = tuple(dict.fromkeys(v)), frozenset()  # type: ignore[arg-type]
    elif op == "ne":
        pos, neg = None, frozenset({v})
    else:  # nin
        pos, neg = None, frozenset(v)  # type: ignore[arg-type]
    return _discrete(pos, neg, span, universe)


def _discrete(
    pos: tuple[Any, ...] | None,
    neg: frozenset[Any],
    span: Span,
    universe: tuple[str, ...] | None,
) -> Discrete:
    if pos is None and universe:
        pos = universe  # a closed enum: "any value" is its whole list
    if pos is not None:
        if universe:
            allowed = set(pos) - neg
            pos = tuple(u for u in universe if u in allowed)  # schema order
        else:
            pos = tuple(p for p in pos if p not in neg)
        neg = frozenset()
    return Discrete(pos, neg, span)


def intersect(a: Constraint, b: Constraint, universe: tuple[str, ...] | None) -> Constraint | None:
    """``a and b``; ``None`` when nothing satisfies both."""
    return intersect_all([a, b], universe)


def union(a: Constraint, b: Constraint) -> Constraint | None:
    """``a or b`` as one constraint, or ``None`` when it is not one."""
    return union_all([a, b])


def _spans(cs: list[Constraint]) -> Span:
    return (min(c.span[0] for c in cs), max(c.span[1] for c in cs))


def intersect_all(cs: list[Constraint], universe: tuple[str, ...] | None) -> Constraint | None:
    """``c1 and c2 and ...`` at once, in time linear in the input (up to a
    sort): what folding :func:`intersect` gives, without its quadratic cost
    on long chains (``priority != 0 and priority != 2 and ...``)."""
    if len(cs) == 1:
        return cs[0]
    span = _spans(cs)
    if any(isinstance(c, Null) for c in cs):
        return Null(span) if all(isinstance(c, Null) for c in cs) else None
    if isinstance(cs[0], Ordered):
        ordered = [c for c in cs if isinstance(c, Ordered)]
        # The intersection is the complement of the union of complements.
        outside = _norm_ivs(iv for c in ordered for iv in _complement(c.ivs))
        ivs = _complement(outside)
        if not ivs:
            return None
        gt = frozenset().union(*(c.gt for c in ordered))
        lt = frozenset().union(*(c.lt for c in ordered))
        return Ordered(ivs, gt, lt, span)
    discrete = [c for c in cs if isinstance(c, Discrete)]
    pos: tuple[Any, ...] | None = None
    for c in discrete:
        if c.pos is None:
            continue
        if pos is None:
            pos = c.pos
        else:
            allowed = set(c.pos)
            pos = tuple(p for p in pos if p in allowed)
    neg = frozenset().union(*(c.neg for c in discrete))
    d = _discrete(pos, neg, span, universe)
    if d.pos is not None and not d.pos:
        return None
    return d


def union_all(cs: list[Constraint]) -> Constraint | None:
    """``c1 or c2 or ...`` as one constraint (what folding :func:`union`
    gives, in linear time up to a sort), or ``None`` when it is not one."""
    if len(cs) == 1:
        return cs[0]
    span = _spans(cs)
    if any(isinstance(c, Null) for c in cs):
        return Null(span) if all(isinstance(c, Null) for c in cs) else None
    if isinstance(cs[0], Ordered):
        ordered = [c for c in cs if isinstance(c, Ordered)]
        ivs = _norm_ivs(iv for c in ordered for iv in c.ivs)
        gt = frozenset().union(*(c.gt for c in ordered))
        lt = frozenset().union(*(c.lt for c in ordered))
        return Ordered(ivs, gt, lt, span)
    discrete = [c for c in cs if isinstance(c, Discrete)]
    if all(c.pos is not None for c in discrete):
        return Discrete(tuple(dict.fromkeys(p for c in discrete for p in c.pos or ())), span=span)
    neg = frozenset.intersection(*(c.neg for c in discrete if c.pos is None))
    allowed = {p for c in discrete for p in c.pos or ()}
    return Discrete(None, neg - allowed, span)


def subset(a: Constraint, b: Constraint) -> bool:
    """Whether every value ``a`` allows ``b`` allows too."""
    if isinstance(a, Null) or isinstance(b, Null):
        return isinstance(a, Null) and isinstance(b, Null)
    if isinstance(a, Ordered) and isinstance(b, Ordered):
        j = 0
        for lo, hi in a.ivs:
            while j < len(b.ivs) and b.ivs[j][1] < lo:
                j += 1
            if j == len(b.ivs) or not (b.ivs[j][0] <= lo and hi <= b.ivs[j][1]):
                return False
        return True
    assert isinstance(a, Discrete) and isinstance(b, Discrete)
    if b.pos is None:
        if a.pos is None:
            return b.neg <= a.neg
        return not (set(a.pos) & b.neg)
    if a.pos is None:
        return False
    return set(a.pos) <= set(b.pos)


# --------------------------------------------------------------- branches

Branch = dict[tuple[str, str | None], tuple[FieldRef, Constraint]]


class TooManyBranches(Exception):
    def __init__(self, count: int, span: Span) -> None:
        super().__init__(count)
        self.count = count
        self.span = span


def _and(a: Branch, b: Branch) -> Branch | None:
    out = dict(a)
    for ident, (f, c) in b.items():
        have = out.get(ident)
        if have is None:
            out[ident] = (f, c)
            continue
        both = intersect(have[1], c, f.values if f.type == "enum" else None)
        if both is None:
            return None
        out[ident] = (f, both)
    return out


def _implies(a: Branch, b: Branch) -> bool:
    """Whether branch ``a`` implies branch ``b`` (``a`` is narrower)."""
    if len(b) > len(a):
        return False
    for ident, (_, cb) in b.items():
        have = a.get(ident)
        if have is None or not subset(have[1], cb):
            return False
    return True


def _merge(a: Branch, b: Branch) -> Branch | None:
    """``a or b`` as one branch when that is exact, else ``None``."""
    if _implies(a, b):
        return b
    if _implies(b, a):
        return a
    if a.keys() != b.keys():
        return None
    differing = [k for k in a if a[k][1] != b[k][1]]
    if len(differing) != 1:
        return None
    k = differing[0]
    merged = union(a[k][1], b[k][1])
    if merged is None:
        return None
    out = dict(a)
    out[k] = (a[k][0], merged)
    return out


def _add_or(acc: list[Branch], new: Branch) -> None:
    """Add ``new`` to the disjunction ``acc``, merging where exact."""
    while True:
        for i, b in enumerate(acc):
            m = _merge(b, new)
            if m is not None:
                del acc[i]
                new = m
                break
        else:
            acc.append(new)
            return


def _unite_single(acc: list[Branch], f: FieldRef, more: list[Constraint]) -> None:
    """Unite ``more`` constraints on ``f`` into the one-field branch on it in
    ``acc`` (in place), then drop the branches that union implies."""
    ident = f.ident
    at = next(
        (i for i, b in enumerate(acc) if b.keys() == {ident} and not isinstance(b[ident][1], Null)),
        None,
    )
    first = [] if at is None else [acc[at][ident][1]]
    united = union_all([*first, *more])
    assert united is not None  # one kind of constraint per field
    merged: Branch = {ident: (f, united)}
    if at is None:  # it was absorbed (by a branch with no constraint)
        _add_or(acc, merged)
        return
    acc[at] = merged
    acc[:] = [b for i, b in enumerate(acc) if i == at or not _implies(b, merged)]


class _DNF:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        # The first `or` that left more than one branch (for error messages).
        self.split_span: Span | None = None
        self.contradiction_span: Span | None = None

    def run(self, node: IExpr) -> list[Branch]:
        if isinstance(node, Atom):
            c = constraint_of(node)
            if (isinstance(c, Discrete) and c.pos == ()) or (isinstance(c, Ordered) and not c.ivs):
                # `state not in (OPEN, PROCESSING, CLOSED)`, `created_date >
                # 9999-12-31T23:59:59Z`: no value is left.
                if self.contradiction_span is None:
                    self.contradiction_span = c.span
                return []
            return [{node.field.ident: (node.field, c)}]
        if isinstance(node, IOr):
            acc: list[Branch] = []
            # A branch on one field (`x = 1 or x = 2 or ...`) takes its place
            # in `acc` when it first comes; later ones on that field are
            # collected and united with it at the end, all at once: merging
            # them one by one is quadratic.
            later: dict[tuple[str, str | None], tuple[FieldRef, list[Constraint]]] = {}
            for item in node.items:
                for b in self.run(item):
                    if len(b) == 1:
                        ((ident, (f, c)),) = b.items()
                        if not isinstance(c, Null):
                            if ident in later:
                                later[ident][1].append(c)
                                continue
                            later[ident] = (f, [])
                    _add_or(acc, b)
                if len(acc) > self.limit:
                    raise TooManyBranches(len(acc), (node.start, node.end))
            for f, more in later.values():
                if more:
                    _unite_single(acc, f, more)
            if len(acc) > 1 and self.split_span is None:
                self.split_span = (node.start, node.end)
            return acc
        assert isinstance(node, IAnd)
        lists = [self.run(item) for item in node.items]
        count = 1
        for lst in lists:
            count *= len(lst)
            if count == 0:
                return []
        if count > self.limit:
            raise TooManyBranches(count, (node.start, node.end))
        if all(len(lst) == 1 for lst in lists):
            # The common case, linear: one conjunction, each field's
            # constraints intersected at once.
            grouped: dict[tuple[str, str | None], tuple[FieldRef, list[Constraint]]] = {}
            for (b,) in lists:
                for ident, (f, c) in b.items():
                    grouped.setdefault(ident, (f, []))[1].append(c)
            out: Branch = {}
            for ident, (f, cs) in grouped.items():
                both = intersect_all(cs, f.values if f.type == "enum" else None)
                if both is None:
                    if self.contradiction_span is None:
                        self.contradiction_span = _spans(cs)
                    return []
                out[ident] = (f, both)
            return [out]
        acc = [{}]
        for lst in lists:
            nxt: list[Branch] = []
            for a in acc:
                for b in lst:
                    m = _and(a, b)
                    if m is not None:
                        _add_or(nxt, m)
            acc = nxt
            if not acc:
                return []
        return acc


# ------------------------------------------------------------------- plan


@dataclass
class Residual:
    """The part of a query the client evaluates on each fetched record."""

    expr: IExpr
    text: str
    _matcher: Matcher | None = field(default=None, repr=False)

    @property
    def record_fields(self) -> frozenset[str]:
        """The record fields the check reads (``custom`` for a custom field):
        a fetch must not ask the API to leave them out."""
        from .ir import record_fields

        return record_fields(self.expr)

    def matches(self, record: Any) -> bool:
        if self._matcher is None:
            from .evaluator import compile_matcher

            self._matcher = compile_matcher(self.expr)
        return self._matcher(record)


@dataclass
class Plan:
    """What to send and what to check: see the module docstring."""

    branches: list[list[dict[str, Any]]]
    residual: Residual | None = None
    never_matches: bool = False
    # Why the plan needs more than one request / a residual, for messages.
    reasons: list[tuple[str, str, Span]] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)

    def copy(self) -> Plan:
        """A copy whose filter lists (and their value lists) are its own."""
        branches = [
            [{k: list(v) if isinstance(v, list) else v for k, v in f.items()} for f in b]
            for b in self.branches
        ]
        return Plan(
            branches, self.residual, self.never_matches, list(self.reasons), list(self.warnings)
        )

    @property
    def requests(self) -> int:
        return len(self.branches)

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

        if self.never_matches:
            return "The query never matches: no request is sent."
        lines = []
        n = len(self.branches)
        lines.append(
            f"{n} request{'s' if n != 1 else ''}" + (", records merged by id:" if n > 1 else ":")
        )
        for i, b in enumerate(self.branches, 1):
            if b:
                lines.append(f"  {i}. filter={json.dumps(b, ensure_ascii=False)}")
                lines.append(f"     encoded: {encode_json(b)}")
            else:
                lines.append(f"  {i}. no filter (every record of the campaign)")
        if self.residual is not None:
            lines.append(f"Then kept on the client when: {self.residual.text}")
        return "\n".join(lines)


def plan_ir(
    ir: IExpr,
    *,
    text: str = "",
    schema: Schema,
    max_branches: int = 32,
) -> Plan:
    """Plan a checked query. Raises :class:`TooManyBranches`."""
    nnf = to_nnf(ir)
    dnf = _DNF(max_branches * 4)
    branches = dnf.run(nnf)
    if not branches:
        span = dnf.contradiction_span or (0, len(text))
        warn = make(
            text,
            "CQL201",
            "the query never matches: its conditions contradict each other",
            span[0],
            span[1],
            severity="warning",
        )
        return Plan([], None, True, [("CQL201", warn.message, span)], [warn])
    reasons: list[tuple[str, str, Span]] = []
    if len(branches) > 1 and dnf.split_span:
        reasons.append(("CQL202", "this 'or' needs one request per side", dnf.split_span))
    out: list[tuple[list[dict[str, Any]], list[IExpr]]] = []
    for branch in branches:
        # Fields with one way to say them extend every alternative in place;
        # only a field that splits multiplies the alternatives.
        filters: list[dict[str, Any]] = []
        rest: list[IExpr] = []
        splits: list[list[tuple[list[dict[str, Any]], list[IExpr]]]] = []
        for f, c in branch.values():
            emitted = compiler.emit(f, c, schema.properties[f.prop])
            if len(emitted) > 1:
                reasons.append(("CQL202", compiler.split_reason(f), c.span))
            options = []
            for em in emitted:
                extra = [] if em.exact else [compiler.constraint_ir(f, c)]
                if not em.exact:
                    reasons.append(("CQL203", compiler.residual_reason(f), c.span))
                options.append((em.filters, extra))
            if len(options) == 1:
                filters.extend(options[0][0])
                rest.extend(options[0][1])
            else:
                splits.append(options)
        alternatives = [(filters, rest)]
        for options in splits:
            alternatives = [(fs + ofs, rs + ors) for fs, rs in alternatives for ofs, ors in options]
            if len(alternatives) > max_branches:
                raise TooManyBranches(len(alternatives), (0, len(text)))
        out.extend(alternatives)
    if len(out) > max_branches:
        raise TooManyBranches(len(out), (0, len(text)))
    # Identical filter lists are one request. A request with no filter at
    # all fetches everything, so beside it the others add nothing.
    unique: dict[str, tuple[list[dict[str, Any]], list[IExpr]]] = {}
    whole = False  # must the residual be the whole query?
    for filters, rest in out:
        key = json.dumps(filters, sort_keys=True) if len(out) > 1 else ""
        if key in unique:
            whole = whole or bool(rest) or bool(unique[key][1])
            continue
        unique[key] = (filters, rest)
    kept = list(unique.values())
    if len(kept) > 1 and any(not f for f, _ in kept):
        whole = whole or not any(not f and not rest for f, rest in kept)
        kept = [([], [])]
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
    return Plan([f for f, _ in kept], residual, False, reasons)
