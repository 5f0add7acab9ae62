"""Checking a config's named queries: :func:`check_query` (one query, with
the settings it runs with; what ``queries save`` checks) and :func:`lint`
(every query of every file read, each finding placed in its file; what
``queries check`` prints).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from ..diagnostics import Diagnostic, for_front_end
from ..env import Env, Queries, chosen_zone, freeze_queries
from .fetchspec import DEFAULT_MAX_BRANCHES, alias_chain, inherited, inherited_params
from .named import Finding, NamedQuery, QuerySource

if TYPE_CHECKING:
    from ..schema import Schema
    from .files import ConfigFile

__all__ = ["Checked", "check_query", "lint"]


class Checked(QuerySource, Protocol):
    """What the checks read of a :class:`~.core.Config`: besides a named
    query's needs, the files read and the schema."""

    @property
    def files(self) -> tuple[ConfigFile, ...]: ...
    @property
    def schema(self) -> Schema: ...


def check_query(
    config: Checked,
    named: NamedQuery,
    queries: Mapping[str, Any] | None = None,
    *,
    schema: Schema | None = None,
    now: datetime | None = None,
    frozen: Queries | None = None,
) -> list[Diagnostic]:
    """Every diagnostic of the named query's own text, with the settings
    it runs with: its parameter defaults, ``timezone`` and
    ``max_branches`` (for an alias, a text that is a lone ``@OTHER``,
    OTHER's where it sets none), else the connection's. ``queries``: the
    named queries it may refer to (default: the config's); ``frozen``:
    the same, frozen once by a caller that checks many."""
    from .. import api

    queries = config.queries if queries is None else queries
    chain = alias_chain(named, queries)
    bound = (
        inherited(chain, "max_branches") or config.settings().max_branches or DEFAULT_MAX_BRANCHES
    )
    zone, on_purpose = chosen_zone(inherited(chain, "timezone"), fallback=config.timezone)
    defaults = inherited_params(chain)
    env = Env(
        schema if schema is not None else config.schema,
        defaults,
        zone,
        now,
        frozen if frozen is not None else freeze_queries(queries),
        int(bound),
        override_tz=on_purpose,
        toml_params=defaults,
    )
    return api.check(named.text, env)


def lint(
    config: Checked, *, strict: bool | None = None, now: datetime | None = None
) -> list[Finding]:
    """Check every named query of every file read (each with its own
    parameter defaults), in file order; every finding is placed in its
    file."""
    schema = config.schema_for(strict)
    findings: list[Finding] = []
    # A cycle is reported once, on its first member: each other member would
    # repeat it (a query outside it that refers into it still says so).
    cycles: set[object] = set()
    members: dict[str, frozenset[str]] = {}  # a cycle's text: its names, split once
    for f in config.files:
        own: dict[str, NamedQuery] = {}
        for name, spec in f.queries.items():
            winner = config.queries.get(name)
            if winner is not None and winner.source is f:
                own[name] = winner
            else:
                own[name] = NamedQuery.from_table(name, spec, source=f, config=config)
        # The file's own queries over the winners, frozen once for all.
        mapping = {**config.queries, **own}
        queries = freeze_queries(mapping)
        for q in own.values():
            diags = check_query(config, q, mapping, schema=schema, now=now, frozen=queries)
            # Hints as a config file's reader acts on them: the bound is
            # the query's max_branches key (or the connection's), and an
            # unbound parameter gets a default in the query's params.
            diags = for_front_end(diags, "config")
            for d in diags:
                cycle = d.fact("cycle") if d.code == "CQL116" else None
                if isinstance(cycle, str):
                    names = members.get(cycle)
                    if names is None:
                        names = members[cycle] = frozenset(cycle.split(" "))
                    if q.name in names:
                        if cycle in cycles:
                            continue
                        cycles.add(cycle)
                moved, shown = q.in_file(d)
                # A default's mistake is placed at its value, which may be
                # in another file (the query that sets it is written there).
                owner = q.default_owner(d) if moved is not None else None
                there = owner.source if owner is not None else None
                file = str(there.path) if there is not None and there is not q.source else None
                findings.append(Finding(q, d, moved, shown, file))
    return findings
