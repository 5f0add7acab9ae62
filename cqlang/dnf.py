"""Disjunctive normal form with merging: the planner's steps 2 and 3.

A query in negation normal form becomes an ``or`` of *branches*; a branch is
a conjunction, a map from field to the :class:`~cqlang.constraints.Constraint`
the field must meet. It is built bottom up: ``and`` intersects constraints
(an empty one proves a contradiction and drops the branch), ``or`` adds
branches, dropping one implied by another (``a or (a and b)`` is ``a``) and
merging two that differ on one field when the union is one constraint
(``state = OPEN or state = CLOSED`` is one ``in``).

Merging is indexed, so that it scales with the number of branches rather than
with its square (:class:`_Or`):

* by the branch's constraints on every field but one (a hash), which finds
  the identical branches and the ones differing on one field at once;
* by the set of fields a branch constrains (:class:`FieldSets`: a set trie for
  subsets, an inverted index for supersets), which finds the branches whose
  fields are a subset or a superset of a new branch's (only those can imply
  it or be implied by it) without looking at the others, nor at the many
  that share one field with it (``(custom.kN != "v" and priority > N) or
  ...``: every branch has ``priority``, no two the same custom field).

Two internal limits keep a query from taking unbounded time or memory; they
are not the user's request bound (``max_branches``, applied by the planner to
the requests actually sent, after merging):

* :data:`MAX_ALTERNATIVES`: the most branches an ``or`` may hold, or an
  ``and`` may produce from the branches of its parts in one step. Past it
  planning stops with :class:`TooComplex` (CQL205), before building the step.
* :data:`COMPARE_BUDGET`: the most branch comparisons spent looking for
  implications beyond the hash lookups. Past it merging goes on with the hash
  lookups alone: a branch implied by another may then be kept, which costs a
  request but never changes which records a plan returns.
"""

from __future__ import annotations

from .constraints import (
    Constraint,
    Discrete,
    Null,
    Ordered,
    Span,
    constraint_of,
    intersect,
    intersect_all,
    spans,
    subset,
    union,
    union_all,
)
from .ir import Atom, FieldRef, IAnd, IExpr, IOr

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

Ident = tuple[str, str | None]
Branch = dict[Ident, tuple[FieldRef, Constraint]]
Fields = tuple[int, ...]  # the fields of a branch, as ordinals, ascending
Rest = tuple[Fields, int, int]  # fields, a position, the hash of the other constraints

#: The most alternatives (branches) planning builds at once: see the module
#: docstring. docs/planning.md documents it.
MAX_ALTERNATIVES = 65_536
#: The most branch comparisons spent on implications beyond hash lookups.
COMPARE_BUDGET = 2_000_000


class PlanLimit(Exception):
    """Planning stopped at a limit; ``count`` says how far past it, ``span``
    where in the query."""

    def __init__(self, count: int, span: Span) -> None:
        super().__init__(count)
        self.count = count
        self.span = span


class TooManyBranches(PlanLimit):
    """The plan needs more requests than ``max_branches`` (CQL204)."""


class TooComplex(PlanLimit):
    """Expanding the query passes :data:`MAX_ALTERNATIVES` (CQL205)."""

    def __init__(self, count: int, span: Span, limit: int) -> None:
        super().__init__(count, span)
        self.limit = limit


# ----------------------------------------------------------- branch algebra


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


def _clash(a: Branch, b: Branch) -> Span | None:
    """Where ``a and b`` is empty: the span of the first field's constraints
    that share no value (``None`` when they all do)."""
    for ident, (f, c) in b.items():
        have = a.get(ident)
        universe = f.values if f.type == "enum" else None
        if have is not None and intersect(have[1], c, universe) is None:
            return spans([have[1], c])
    return None


def implies(a: Branch, b: Branch) -> bool:
    """Whether branch ``a`` implies branch ``b`` (``a`` is narrower)."""
    if len(b) > len(a):
        return False
    for ident, (_, cb) in b.items():
        have = a.get(ident)
        if have is None or not subset(have[1], cb):
            return False
    return True


def merge(a: Branch, b: Branch) -> Branch | None:
    """``a or b`` as one branch when that is exact, else ``None``. Returns
    ``b`` itself when ``a`` implies it, ``a`` itself when ``b`` implies it."""
    if implies(a, b):
        return b
    if implies(b, a):
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


# ---------------------------------------------------------------- set trie

_END = -1  # the key under which a trie node holds the set that ends there


class SetTrie:
    """Sets of small non-negative integers (as sorted tuples), answering
    "which stored sets are subsets of this one" by walking only the paths
    made of its elements. At a node with more children than the set has
    elements left, those elements are looked up rather than the children
    scanned, so that a node with thousands of children (a field every
    branch has, next to one of its own) costs no more than the set's length.

    Two counts of the work: ``visits``, the trie nodes walked (what the
    comparison budget is charged), and ``looked``, the children and
    elements looked at there (at most the set's length per node)."""

    __slots__ = ("looked", "root", "visits")

    def __init__(self) -> None:
        self.root: dict[int, Any] = {}
        self.visits = 0
        self.looked = 0

    def add(self, key: tuple[int, ...]) -> None:
        node = self.root
        for x in key:
            node = node.setdefault(x, {})
        node[_END] = key

    def subsets(self, key: tuple[int, ...]) -> list[tuple[int, ...]]:
        """The stored sets contained in ``key`` (``key`` itself included)."""
        out: list[tuple[int, ...]] = []
        stack: list[tuple[dict[int, Any], int]] = [(self.root, 0)]
        push, pop = stack.append, stack.pop
        where = {x: j for j, x in enumerate(key)}
        n = len(key)
        visits = looked = 0
        while stack:
            node, i = pop()
            visits += 1
            end = node.get(_END)
            if end is not None:
                out.append(end)
            size = len(node)
            if size > n - i:  # more children than elements left: look those up
                looked += n - i
                for j in range(i, n):
                    child = node.get(key[j])
                    if child is not None:
                        push((child, j + 1))
            else:
                looked += size
                for x, child in node.items():
                    j = where.get(x, -1)  # -1 for _END too
                    if j >= i:  # x is in key, after the elements this path took
                        push((child, j + 1))
        self.visits += visits
        self.looked += looked
        return out

    def has_proper_subset(self, key: tuple[int, ...]) -> bool:
        """Whether a stored set other than ``key`` is contained in it."""
        stack: list[tuple[dict[int, Any], int, int]] = [(self.root, 0, 0)]
        push, pop = stack.append, stack.pop
        where = {x: j for j, x in enumerate(key)}
        n = len(key)
        visits = looked = 0
        found = False
        while stack:
            node, i, depth = pop()
            visits += 1
            if depth < n and _END in node:
                found = True
                break
            depth += 1
            size = len(node)
            if size > n - i:  # as in subsets
                looked += n - i
                for j in range(i, n):
                    child = node.get(key[j])
                    if child is not None:
                        push((child, j + 1, depth))
            else:
                looked += size
                for x, child in node.items():
                    j = where.get(x, -1)
                    if j >= i:
                        push((child, j + 1, depth))
        self.visits += visits
        self.looked += looked
        return found


class FieldSets(SetTrie):
    """A :class:`SetTrie` that also answers "which stored sets are
    supersets of this one", through an inverted index (element -> the
    stored sets holding it): the sets holding every element of the key are
    the intersection of those, which costs the smallest of them, however
    many sets a walk of the trie would pass. ``visits`` counts the stored
    sets examined there too."""

    __slots__ = ("having", "sets")

    def __init__(self) -> None:
        super().__init__()
        self.sets: dict[tuple[int, ...], None] = {}  # every stored set, in insertion order
        self.having: dict[int, set[tuple[int, ...]]] = {}  # element -> the stored sets with it

    def add(self, key: tuple[int, ...]) -> None:
        if key in self.sets:
            return
        super().add(key)
        self.sets[key] = None
        having = self.having
        for x in key:
            holding = having.get(x)
            if holding is None:
                having[x] = {key}
            else:
                holding.add(key)

    def supersets(self, key: tuple[int, ...]) -> list[tuple[int, ...]]:
        """The stored sets containing ``key`` (``key`` itself included), in
        no particular order."""
        if not key:
            self.visits += len(self.sets)
            return list(self.sets)
        having = self.having
        holding = []
        self.looked += len(key)
        for x in key:
            sets = having.get(x)
            if sets is None:
                return []
            holding.append(sets)
        holding.sort(key=len)
        self.visits += len(holding[0])
        return list(holding[0].intersection(*holding[1:]))


# ------------------------------------------------------- indexed disjunction


class _Or:
    """A disjunction of branches under construction: adding a branch merges
    it with the first (oldest) branch it merges with, as comparing it with
    every branch in order would, but finds that branch through the indexes
    (module docstring). Branches keep the order in which they were added; a
    merged branch counts as added last."""

    __slots__ = ("dnf", "items", "keysets", "next_id", "rest", "rests_of", "shape", "trie")

    def __init__(self, dnf: DNF) -> None:
        self.dnf = dnf
        self.items: dict[int, Branch] = {}
        self.next_id = 0
        self.shape: dict[int, tuple[int, ...]] = {}  # branch id -> its fields, as ordinals
        self.keysets: dict[tuple[int, ...], dict[int, None]] = {}  # fields -> branch ids
        self.trie = FieldSets()
        # (fields, position, hash of the other constraints) -> branch ids.
        self.rest: dict[Rest, dict[int, None]] = {}
        self.rests_of: dict[int, list[Rest]] = {}  # branch id -> its keys in `rest`

    def __len__(self) -> int:
        return len(self.items)

    def branches(self) -> list[Branch]:
        return list(self.items.values())

    def _signature(self, b: Branch) -> tuple[Fields, list[Rest]]:
        ordinal = self.dnf.ordinal
        pairs = sorted((ordinal(ident), c) for ident, (_, c) in b.items())  # ordinals are unique
        keys = tuple(o for o, _ in pairs)
        hashes = [hash(c) for _, c in pairs]
        rests = [(keys, i, hash((*hashes[:i], *hashes[i + 1 :]))) for i in range(len(keys))]
        return keys, rests

    def _remove(self, i: int) -> None:
        del self.items[i]
        del self.keysets[self.shape.pop(i)][i]
        for r in self.rests_of.pop(i):
            del self.rest[r][i]

    def _insert(self, b: Branch, keys: Fields, rests: list[Rest]) -> None:
        i = self.next_id
        self.next_id += 1
        self.items[i] = b
        self.shape[i] = keys
        bucket = self.keysets.get(keys)
        if bucket is None:
            bucket = self.keysets[keys] = {}
            self.trie.add(keys)
        bucket[i] = None
        for r in rests:
            self.rest.setdefault(r, {})[i] = None
        self.rests_of[i] = rests

    def _candidates(self, keys: Fields, rests: list[Rest]) -> list[int]:
        """The ids of the branches that may merge with a branch of these
        fields (ascending): all of them while the comparison budget lasts,
        then those the hash index finds."""
        found: set[int] = set()
        for r in rests:
            found.update(self.rest.get(r, ()))
        dnf = self.dnf
        if dnf.budget > 0:
            trie = self.trie
            before = trie.visits
            for ks in (*trie.subsets(keys), *trie.supersets(keys)):
                bucket = self.keysets[ks]
                dnf.budget -= len(bucket)
                found.update(bucket)
            dnf.budget -= trie.visits - before
        return sorted(found)

    def add(self, new: Branch) -> None:
        """Add ``new``, merging where exact (see the class docstring)."""
        while True:
            keys, rests = self._signature(new)
            for i in self._candidates(keys, rests):
                b = self.items.get(i)
                if b is None:
                    continue
                m = merge(b, new)
                if m is None:
                    continue
                self._remove(i)
                if m is new:  # new implies b: b goes, new looks on
                    continue
                if m is b:  # b implies new: b moves to the end, nothing else changes
                    keys, rests = self._signature(b)
                    self._insert(b, keys, rests)
                    return
                new = m  # a new union: look again from the start
                break
            else:
                self._insert(new, keys, rests)
                return

    def unite_single(self, f: FieldRef, more: list[Constraint]) -> None:
        """Unite ``more`` constraints on ``f`` into the one-field branch on it
        (in its place), then drop the branches that union implies."""
        ident = f.ident
        keys = (self.dnf.ordinal(ident),)
        items = self.items
        at = next(
            (i for i in self.keysets.get(keys, ()) if not isinstance(items[i][ident][1], Null)),
            None,
        )
        first = [] if at is None else [self.items[at][ident][1]]
        united = union_all([*first, *more])
        assert united is not None  # one kind of constraint per field
        merged: Branch = {ident: (f, united)}
        if at is None:  # it was absorbed (by a branch with no constraint)
            self.add(merged)
            return
        self.items[at] = merged  # its signature's hashes leave the constraint out
        for ks in self.trie.supersets(keys):
            for i in list(self.keysets[ks]):
                if i != at and implies(self.items[i], merged):
                    self._remove(i)


# ---------------------------------------------------------------- the walk


class DNF:
    """Turns an expression in negation normal form into branches."""

    def __init__(
        self,
        limit: int | None = None,
        budget: int | None = None,
        reading: Callable[[Atom], Atom] | None = None,
    ) -> None:
        # Read at call time, so that tests can lower them.
        self.limit = MAX_ALTERNATIVES if limit is None else limit
        self.budget = COMPARE_BUDGET if budget is None else budget
        #: Another reading of each atom, for a walk of "what if" (the
        #: planner's CQL201 hint reads an instant as a whole second).
        self.reading = reading
        self.ordinals: dict[Ident, int] = {}
        # The first `or` that left more than one branch (for error messages).
        self.split_span: Span | None = None
        self.contradiction_span: Span | None = None

    def ordinal(self, ident: Ident) -> int:
        o = self.ordinals.get(ident)
        if o is None:
            o = self.ordinals[ident] = len(self.ordinals)
        return o

    def run(self, node: IExpr) -> list[Branch]:
        if isinstance(node, Atom):
            fc = self._atom(node)
            return [] if fc is None else [{fc[0].ident: fc}]
        if isinstance(node, IOr):
            return self._or(node)
        assert isinstance(node, IAnd)
        return self._and(node)

    def _or(self, node: IOr) -> list[Branch]:
        acc = _Or(self)
        # A branch on one field (`x = 1 or x = 2 or ...`) takes its place in
        # `acc` when it first comes; later ones on that field are collected
        # and united with it at the end, all at once: merging them one by
        # one is quadratic.
        later: dict[Ident, tuple[FieldRef, list[Constraint]]] = {}
        for item in node.items:
            for b in self.run(item):
                if len(b) == 1:
                    ((ident, (f, c)),) = b.items()
                    if not isinstance(c, Null):
                        if ident in later:
                            later[ident][1].append(c)
                            continue
                        later[ident] = (f, [])
                acc.add(b)
            if len(acc) > self.limit:
                raise TooComplex(len(acc), (node.start, node.end), self.limit)
        for f, more in later.values():
            if more:
                acc.unite_single(f, more)
        if len(acc) > 1 and self.split_span is None:
            self.split_span = (node.start, node.end)
        return acc.branches()

    def _atom(self, node: Atom) -> tuple[FieldRef, Constraint] | None:
        """An atom's field and constraint; ``None`` when no value is left."""
        c = constraint_of(node if self.reading is None else self.reading(node))
        if (isinstance(c, Discrete) and c.pos == ()) or (isinstance(c, Ordered) and not c.ivs):
            # `state not in (OPEN, PROCESSING, CLOSED)`, `created_date >
            # 9999-12-31T23:59:59Z`: no value is left.
            if self.contradiction_span is None:
                self.contradiction_span = c.span
            return None
        return node.field, c

    def _and(self, node: IAnd) -> list[Branch]:
        if all(type(x) is Atom for x in node.items):
            return self._and_atoms(node.items)  # type: ignore[arg-type]  # all atoms
        lists = [self.run(item) for item in node.items]
        if any(not lst for lst in lists):
            return []
        if all(len(lst) == 1 for lst in lists):
            # The common case, linear: one conjunction, each field's
            # constraints intersected at once.
            grouped: dict[Ident, tuple[FieldRef, list[Constraint]]] = {}
            for (b,) in lists:
                for ident, (f, c) in b.items():
                    grouped.setdefault(ident, (f, []))[1].append(c)
            out: Branch = {}
            for ident, (f, cs) in grouped.items():
                both = intersect_all(cs, f.values if f.type == "enum" else None)
                if both is None:
                    if self.contradiction_span is None:
                        self.contradiction_span = spans(cs)
                    return []
                out[ident] = (f, both)
            return [out]
        # Parts on fields no other part constrains multiply without merging:
        # two products of reduced lists on disjoint fields could merge only
        # if two branches of one list could. Their count is then exact, and
        # a query made only of such parts fails before anything is built.
        fields = [{ident for b in lst for ident in b} for lst in lists]
        for lst in lists:  # fields get their ordinals in the query's order
            for b in lst:
                for ident in b:
                    self.ordinal(ident)
        total = 1
        for lst in lists:
            total *= len(lst)
        if total > self.limit and _disjoint(fields):
            raise TooComplex(total, (node.start, node.end), self.limit)
        acc: list[Branch] = [{}]
        seen: set[Ident] = set()
        for n, lst in enumerate(lists):
            if len(acc) * len(lst) > self.limit:
                # Counted before the step is built; the count is what the
                # rest would make without merging.
                count = len(acc)
                for rest in lists[n:]:
                    count *= len(rest)
                raise TooComplex(count, (node.start, node.end), self.limit)
            if seen.isdisjoint(fields[n]):
                acc = [{**a, **b} for a in acc for b in lst]
            else:
                nxt = _Or(self)
                for a in acc:
                    for b in lst:
                        m = _and(a, b)
                        if m is not None:
                            nxt.add(m)
                        elif self.contradiction_span is None:
                            self.contradiction_span = _clash(a, b)
                acc = nxt.branches()
                if not acc:
                    return []
            seen |= fields[n]
        return acc

    def _and_atoms(self, atoms: tuple[Atom, ...]) -> list[Branch]:
        """``and`` of atoms (the most common query): one branch, each
        field's constraints intersected at once (what the general case
        does, without a list of branches per atom)."""
        out: Branch = {}
        more: dict[Ident, list[Constraint]] | None = None
        for a in atoms:
            fc = self._atom(a)
            if fc is None:
                return []
            ident = fc[0].ident
            have = out.get(ident)
            if have is None:
                out[ident] = fc
            else:
                if more is None:
                    more = {}
                more.setdefault(ident, [have[1]]).append(fc[1])
        if more is not None:
            for ident, (f, _) in out.items():  # in the order fields first came
                cs = more.get(ident)
                if cs is None:
                    continue
                both = intersect_all(cs, f.values if f.type == "enum" else None)
                if both is None:
                    if self.contradiction_span is None:
                        self.contradiction_span = spans(cs)
                    return []
                out[ident] = (f, both)
        return [out]


def _disjoint(sets: list[set[Ident]]) -> bool:
    """Whether no element is in two of ``sets``."""
    seen: set[Ident] = set()
    for s in sets:
        if not seen.isdisjoint(s):
            return False
        seen |= s
    return True
