"""Named query references (``@name``): the graph, walked once, never recursively.

Before the checker inlines the named queries a query refers to, this module
parses each of them once and looks at the whole graph of references:

* a **cycle** (``@a`` → ``@b`` → ``@a``) is one error (CQL116) naming its
  members;
* the query **with its named queries inlined** keeps the limits of a query
  typed by hand: at most :data:`~cqlang.parser.MAX_QUERY_CHARS` characters
  (counted as if each reference were replaced by its query's text) and
  :data:`~cqlang.parser.MAX_DEPTH` levels of nesting (CQL120);
* references may chain at most :data:`MAX_REF_DEPTH` deep (CQL121).

Sizes and depths are computed per name, bottom up and remembered, so a file
where each query is the one before it twice is judged in time linear in its
size, not in the size of its expansion. Every walk uses an explicit stack: a
chain of thousands of references cannot exhaust Python's.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from . import ast
from .diagnostics import Diagnostic
from .parser import MAX_DEPTH, MAX_QUERY_CHARS, parse_diagnostics

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

#: How many named queries deep references may chain (``@a`` whose text holds
#: ``@b`` is two deep).
MAX_REF_DEPTH = 32
#: How many members of a cycle a message names before it elides the middle.
_SHOWN_MEMBERS = 12


class Named:
    """One named query, parsed: its text, its tree (``None`` when it does not
    parse, then ``diagnostics`` say why), its parameter defaults, its own
    time zone (``None``: the zone where it is inlined), and each reference
    it holds with the nesting depth it stands at."""

    __slots__ = ("defaults", "depth", "diagnostics", "name", "query", "refs", "text", "timezone")

    def __init__(self, name: str, entry: Any) -> None:
        self.name = name
        self.text: str = entry if isinstance(entry, str) else entry.text
        self.defaults: dict[str, Any] = (
            {} if isinstance(entry, str) else dict(getattr(entry, "params", None) or {})
        )
        self.timezone: Any = None if isinstance(entry, str) else getattr(entry, "timezone", None)
        query, diags = parse_diagnostics(self.text)
        self.query = query
        self.diagnostics = diags
        self.refs, self.depth = refs_of(query.expr if query is not None else None)


def refs_of(expr: ast.Expr | None) -> tuple[list[tuple[ast.Ref, int]], int]:
    """The references in ``expr`` (in text order) with the nesting depth each
    stands at, and the depth of ``expr`` itself (the root is level 1, as the
    parser counts)."""
    found: list[tuple[ast.Ref, int]] = []
    deepest = 0
    if expr is None:
        return found, deepest
    stack: list[tuple[ast.Expr, int]] = [(expr, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(node, ast.And | ast.Or):
            stack.extend((x, d + 1) for x in reversed(node.items))
        elif isinstance(node, ast.Not):
            stack.append((node.expr, d + 1))
        elif isinstance(node, ast.Ref):
            found.append((node, d))
    return found, deepest


def references_in(text: str) -> tuple[str, ...]:
    """The named queries the query ``text`` refers to itself (``@name``), in
    text order, each once: from its tree (a ``"@name"`` inside a string is
    text); for a text that does not parse, from its tokens before the
    mistake."""
    if "@" not in text:
        return ()
    query, _ = parse_diagnostics(text)
    if query is not None:
        return ast.references(query)
    from .parser import trivia

    found = (text[s + 1 : e] for kind, s, e in trivia(text).tokens if kind == "QUERYREF")
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=4096)
def lone_reference(text: str) -> str | None:
    """The name when the query ``text`` is one reference and nothing else
    (``@hot``; blanks, comments and parentheses around it allowed), else
    ``None``."""
    if "@" not in text:
        return None
    query, _ = parse_diagnostics(text)
    if query is not None and isinstance(query.expr, ast.Ref):
        return query.expr.name
    return None


class _Measure:
    """What inlining one named query makes: characters, nesting levels, and
    how deep its references chain."""

    __slots__ = ("chain", "chars", "depth")

    def __init__(self, chars: int, depth: int, chain: int) -> None:
        self.chars = chars
        self.depth = depth
        self.chain = chain


class Expansion:
    """The named queries a query reaches, checked as a whole.

    ``named`` holds each one parsed; ``diagnostics`` the errors found
    (CQL116, CQL120, CQL121), each placed on a reference of the query;
    ``refused`` the references of the query not to inline (their error is
    reported)."""

    def __init__(self, query: ast.Query, queries: Mapping[str, Any]) -> None:
        from .diagnostics import make

        self.text = query.text
        self.named: Mapping[str, Named] = {}
        self.diagnostics: list[Diagnostic] = []
        self.refused: set[int] = set()  # id() of the query's refused Ref nodes
        top, top_depth = refs_of(query.expr)
        if not top:
            return
        graph = _graph_of(queries)
        self.named = graph.named
        cyclic = graph.reaches
        reported: set[int] = set()
        for ref, _ in top:
            graph.walk(ref.name, queries)
            cycle = graph.cycle_of.get(ref.name)
            if cycle is None:
                continue
            self.refused.add(id(ref))
            key = id(cycle)  # one list per cycle, shared by its members
            if key in reported:
                continue
            reported.add(key)
            self.diagnostics.append(
                make(
                    self.text,
                    "CQL116",
                    "named queries refer to each other in a cycle: " + _cycle_words(cycle),
                    ref.start,
                    ref.end,
                    hint="a named query cannot contain itself, directly or through others",
                    # Which cycle, the same for each of its members wherever
                    # it is entered: `queries check` reports a cycle once.
                    facts=(("cycle", graph.cycle_key(cycle)),),
                )
            )
        measures = graph.measure([r.name for r, _ in top if r.name not in cyclic])
        text = self.text
        total = len(text)
        deepest = top_depth
        for ref, d in top:
            if ref.name in cyclic or ref.name not in measures:
                continue  # unknown (the checker says so) or already reported
            m = measures[ref.name]
            total += m.chars - (ref.end - ref.start)
            deepest = max(deepest, d - 1 + m.depth)
            problem: tuple[str, str, str | None] | None = None
            if m.chain > MAX_REF_DEPTH:
                problem = (
                    "CQL121",
                    f"@{ref.name} refers to named queries {m.chain} deep; "
                    f"the limit is {MAX_REF_DEPTH}",
                    f"the chain: {self._chain(ref.name, measures)}",
                )
            elif m.chars > MAX_QUERY_CHARS:
                problem = (
                    "CQL120",
                    f"@{ref.name} expands to {m.chars:,} characters with the named queries "
                    f"it refers to; the limit is {MAX_QUERY_CHARS:,}",
                    "a named query used twice is inlined twice: refer to it once",
                )
            elif d - 1 + m.depth > MAX_DEPTH:
                problem = (
                    "CQL120",
                    f"@{ref.name} nests {d - 1 + m.depth} levels deep where it stands, "
                    f"with the named queries it refers to; the limit is {MAX_DEPTH}",
                    None,
                )
            if problem is not None:
                code, message, hint = problem
                self.diagnostics.append(make(text, code, message, ref.start, ref.end, hint=hint))
                self.refused.add(id(ref))
        if self.diagnostics or not (total > MAX_QUERY_CHARS or deepest > MAX_DEPTH):
            return
        # Each reference is within the limits, but not all of them together.
        first, last = top[0][0], top[-1][0]
        if total > MAX_QUERY_CHARS:
            message = (
                f"with its named queries inlined the query is {total:,} characters "
                f"long; the limit is {MAX_QUERY_CHARS:,}"
            )
        else:
            message = (
                f"with its named queries inlined the query nests {deepest} levels deep; "
                f"the limit is {MAX_DEPTH}"
            )
        self.diagnostics.append(make(text, "CQL120", message, first.start, last.end))
        self.refused.update(id(ref) for ref, _ in top)

    def _chain(self, name: str, measures: dict[str, _Measure]) -> str:
        """The longest chain of references from ``name``, in words, walked
        no further than one past the limit (a chain of thousands would cost
        thousands of steps for each query that reaches it)."""
        members = [name]
        while len(members) <= MAX_REF_DEPTH:
            refs = [r.name for r, _ in self.named[members[-1]].refs if r.name in measures]
            if not refs:
                return _cycle_words(members, closed=False)
            members.append(max(refs, key=lambda n: measures[n].chain))
        return _cycle_words(members, closed=False, more=True)


class _Graph:
    """The named queries of one :class:`~cqlang.env.Queries`, parsed and
    judged once for every query checked against it (``queries check`` of
    2,000 queries parses each once, not once per query reaching it): each
    one parsed as first reached; the names from which a cycle is reachable
    (``reaches``), each with the first cycle it reaches (``cycle_of``); the
    measures of the others. Every walk uses an explicit stack."""

    __slots__ = ("cycle_keys", "cycle_of", "measures", "named", "reaches", "state")

    def __init__(self) -> None:
        self.named: dict[str, Named] = {}
        self.state: dict[str, int] = {}  # 1: on the path, 2: done
        self.reaches: set[str] = set()
        self.cycle_of: dict[str, list[str]] = {}
        self.measures: dict[str, _Measure] = {}
        self.cycle_keys: dict[int, str] = {}  # id() of a cycle: its members, sorted

    def cycle_key(self, cycle: list[str]) -> str:
        """The members of ``cycle`` sorted, one text for every query that
        reaches it (made once: a cycle of 2,000 queries is reported by
        each, and sorting it for each cost time squared)."""
        key = self.cycle_keys.get(id(cycle))
        if key is None:
            key = self.cycle_keys[id(cycle)] = " ".join(sorted(set(cycle)))
        return key

    def _get(self, name: str, queries: Mapping[str, Any]) -> Named | None:
        named = self.named.get(name)
        if named is None and name in queries:
            named = self.named[name] = Named(name, queries[name])
        return named

    def walk(self, start: str, queries: Mapping[str, Any]) -> None:
        """Parse every named query reachable from ``start`` (each once, ever)
        and find the cycles it reaches: depth first, each name done once."""
        if self.state.get(start) == 2 or self._get(start, queries) is None:
            return
        state, reaches, cycle_of = self.state, self.reaches, self.cycle_of
        path: list[str] = [start]
        stack: list[tuple[str, int]] = [(start, 0)]  # (name, next reference to follow)
        state[start] = 1
        while stack:
            name, i = stack[-1]
            refs = self.named[name].refs
            if i == len(refs):
                stack.pop()
                path.pop()
                state[name] = 2
                if name not in cycle_of:
                    for r, _ in refs:
                        if r.name in cycle_of:
                            cycle_of[name] = cycle_of[r.name]
                            reaches.add(name)
                            break
                continue
            stack[-1] = (name, i + 1)
            nxt = refs[i][0].name
            s = state.get(nxt)
            if s is None:
                if self._get(nxt, queries) is None:
                    continue  # unknown: the checker says so
                state[nxt] = 1
                stack.append((nxt, 0))
                path.append(nxt)
            elif s == 1:  # back to a query on the path: a cycle
                members = path[path.index(nxt) :]
                for m in members:
                    reaches.add(m)
                    cycle_of.setdefault(m, members)

    def measure(self, starts: list[str]) -> dict[str, _Measure]:
        """The measures of the named queries reachable from ``starts`` (that
        reach no cycle, and were walked), bottom up, each computed once."""
        named, out = self.named, self.measures
        for start in starts:
            if start in out or start not in named:
                continue
            stack = [(start, False)]
            while stack:
                name, ready = stack.pop()
                if name in out:
                    continue
                n = named[name]
                if not ready:
                    stack.append((name, True))
                    stack.extend((r.name, False) for r, _ in n.refs if r.name in named)
                    continue
                chars, depth, chain = len(n.text), n.depth, 0
                for r, d in n.refs:
                    m = out.get(r.name)
                    if m is None:  # unknown: left as written (the checker reports it)
                        continue
                    chars += m.chars - (r.end - r.start)
                    depth = max(depth, d - 1 + m.depth)
                    chain = max(chain, m.chain)
                out[name] = _Measure(chars, depth, chain + 1)
        return out


def _graph_of(queries: Mapping[str, Any]) -> _Graph:
    """The graph kept with ``queries`` when it is a frozen
    :class:`~cqlang.env.Queries` (what an ``Env`` holds; it cannot change),
    else a new one."""
    from .env import Queries

    if type(queries) is not Queries:
        return _Graph()
    graph: _Graph | None = getattr(queries, "graph", None)
    if graph is None:
        graph = _Graph()
        object.__setattr__(queries, "graph", graph)
    return graph


def _cycle_words(members: list[str], *, closed: bool = True, more: bool = False) -> str:
    """``@a -> @b -> @a`` (a cycle) or ``@a -> @b`` (a chain), the middle of
    a long one elided with its count."""
    if len(members) > _SHOWN_MEMBERS:
        half = _SHOWN_MEMBERS // 2
        middle = f"… {len(members) - 2 * half} more …"
        shown = [*(f"@{m}" for m in members[:half]), middle]
        shown += (f"@{m}" for m in members[-half:])
    else:
        shown = [f"@{m}" for m in members]
    if closed:
        shown.append(f"@{members[0]}")
    if more:  # a chain cut at the limit
        shown.append("…")
    words = " -> ".join(shown)
    if more:
        words += f" (its first {len(members)} named queries)"
    elif len(members) > _SHOWN_MEMBERS:
        words += f" ({len(members)} named queries)"
    return words
