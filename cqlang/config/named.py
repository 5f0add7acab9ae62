"""Named queries: :class:`NamedQuery` (a query saved under a name, with
its defaults, runnable), :class:`Finding` (one diagnostic of one, placed in
its file) and :func:`resolve_query` (a lone ``@NAME``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .. import argcheck
from ..diagnostics import Diagnostic, line_col, render
from ..env import Env, FrozenDict, chosen_zone, freeze
from .fetchspec import DEFAULT_MAX_BRANCHES, Settings, alias_chain, inherited, inherited_params
from .fetchspec import lone_reference as lone_reference_in
from .model import QueryTable

if TYPE_CHECKING:
    from ..env import Queries
    from ..planner import Plan
    from ..schema import Schema
    from ..types import Filter
    from .files import ConfigFile
    from .tomlscan import Located

__all__ = ["Finding", "NamedQuery", "QuerySource", "resolve_query"]


class QuerySource(Protocol):
    """What a named query reads of the :class:`~.core.Config` it belongs
    to: the other named queries, the schema, the connection's settings."""

    @property
    def queries(self) -> Mapping[str, NamedQuery]: ...
    @property
    def env_queries(self) -> Queries: ...
    @property
    def timezone(self) -> str | None: ...
    def schema_for(self, strict: bool | None = None) -> Schema: ...
    def settings(self, profile: str | None = None) -> Settings: ...


@dataclass(frozen=True, eq=False)
class NamedQuery:
    """A query saved under a name, with its defaults.

    ``text`` and ``params`` are what ``@NAME`` composition uses (the checker
    reads them); ``plan``/``check``/``compile`` run it with the schema and the
    other queries of the config it came from.

    A value: ``params`` is frozen (a :class:`~cqlang.env.FrozenDict`, its
    lists frozen too); two named queries are equal, and hash alike, when
    their name, settings and file (:attr:`path`) are; the config they
    belong to is not compared. It pickles with its config.
    """

    name: str
    text: str
    description: str | None = None
    campaign: str | None = None
    params: Mapping[str, Any] = field(default_factory=FrozenDict)
    exclude: tuple[str, ...] | None = None
    timezone: str | None = None
    limit: int | None = None
    max_branches: int | None = None
    source: ConfigFile | None = field(default=None, repr=False)
    config: QuerySource | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if type(self.params) is not FrozenDict:
            argcheck.mapping("params", self.params, names="parameter names")
            object.__setattr__(self, "params", freeze(self.params))

    def _key(self) -> tuple[Any, ...]:
        return (
            self.name,
            self.text,
            self.description,
            self.campaign,
            self.params,
            self.exclude,
            self.timezone,
            self.limit,
            self.max_branches,
            self.path,
        )

    def __eq__(self, other: object) -> bool:
        if other is self:
            return True
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, NamedQuery)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    @classmethod
    def from_table(
        cls,
        name: str,
        spec: QueryTable,
        *,
        source: ConfigFile | None = None,
        config: QuerySource | None = None,
    ) -> NamedQuery:
        """A named query from its (validated) table."""
        return cls(
            name=name,
            text=spec.query,
            description=spec.description,
            campaign=spec.campaign,
            params=freeze(spec.params or {}),
            exclude=spec.exclude,
            timezone=spec.timezone,
            limit=spec.limit,
            max_branches=spec.max_branches,
            source=source,
            config=config,
        )

    @property
    def query(self) -> str:
        """The query's text (the TOML key's name)."""
        return self.text

    @property
    def path(self) -> Path | None:
        """The file that defines it."""
        return self.source.path if self.source is not None else None

    def bind(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The query's parameters: its defaults (and, for an alias, those of
        the query it stands for), overridden by ``params``."""
        return {**inherited_params(self.chain()), **(params or {})}

    def chain(self) -> tuple[Any, ...]:
        """This query, then the queries it is an alias of (its text a lone
        ``@OTHER``, see :func:`cqlang.config.fetchspec.alias_chain`), whose settings
        it inherits where it sets none."""
        queries = self.config.queries if self.config is not None else None
        return alias_chain(self, queries) if queries else (self,)

    def env(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        tz: str | tzinfo | None = None,
        now: datetime | None = None,
        strict: bool | None = None,
        max_branches: int | None = None,
    ) -> Env:
        """The compile-time inputs the query runs with: its defaults under
        ``params``, its zone (else the connection's), the config's schema
        and named queries, its bound on requests (:meth:`_bound`). The
        arguments are checked as ``cqlang.Env`` checks its own (a
        ``max_branches`` below 1 is refused, not taken for "not given")."""
        argcheck.zone("tz", tz)
        argcheck.flag("strict", strict, optional=True)
        argcheck.count("max_branches", max_branches, least=1, optional=True)
        cfg = self.config
        bound = self._bound(max_branches)
        # An alias (its text a lone @OTHER) has OTHER's zone where it sets none.
        own_zone = inherited(self.chain(), "timezone")
        fallback = cfg.timezone if cfg is not None else None
        zone, on_purpose = chosen_zone(tz, own_zone, fallback=fallback)
        bound_params = self.bind(params)
        # The defaults the caller did not override: worded as TOML in messages.
        toml = [k for k in bound_params if params is None or k not in params]
        if cfg is None:
            queries = {self.name: self}
            return Env(
                None,
                bound_params,
                zone,
                now,
                queries,
                bound,
                override_tz=on_purpose,
                toml_params=toml,
            )
        schema = cfg.schema_for(strict)
        env_queries = cfg.env_queries
        return Env(
            schema,
            bound_params,
            zone,
            now,
            env_queries,
            bound,
            override_tz=on_purpose,
            toml_params=toml,
        )

    def _bound(self, given: int | None) -> int:
        """The bound on requests: ``given``, else its own ``max_branches``
        (or that of the query it is an alias of), else the connection's,
        else 32."""
        own = given if given is not None else inherited(self.chain(), "max_branches")
        if own:
            return int(own)
        conn = self.config.settings().max_branches if self.config is not None else None
        return conn or DEFAULT_MAX_BRANCHES

    def plan(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        tz: str | tzinfo | None = None,
        now: datetime | None = None,
        max_branches: int | None = None,
    ) -> Plan:
        """The query's plan (raises a ``CqlError`` for an invalid query)."""
        from .. import api

        return api.plan(self.text, self.env(params, tz=tz, now=now, max_branches=max_branches))

    def check(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        tz: str | tzinfo | None = None,
        now: datetime | None = None,
        strict: bool | None = None,
        max_branches: int | None = None,
    ) -> list[Diagnostic]:
        """Every diagnostic of the query (positions inside ``text``)."""
        from .. import api

        env = self.env(params, tz=tz, now=now, strict=strict, max_branches=max_branches)
        return api.check(self.text, env)

    def compile(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        tz: str | tzinfo | None = None,
        now: datetime | None = None,
    ) -> list[Filter]:
        """The one filter list of the query (strict, as ``cqlang.compile``)."""
        from .. import api

        return api.compile(self.text, self.env(params, tz=tz, now=now))

    def location(self) -> tuple[int, int] | None:
        """The 1-based line and column in its file where the query's text starts."""
        span = self._span()
        if span is None or self.source is None:
            return None
        return line_col(self.source.text, span.offsets[0])

    def default_owner(self, diag: Diagnostic) -> NamedQuery | None:
        """The named query whose own default ``diag`` is a mistake in: the
        nearest of this query's chain of aliases that sets the parameter
        (``value_from`` ``default``), or of NAME's (``@NAME``, a query it
        refers to); ``None`` for any other diagnostic."""
        found = _default_of(diag)
        if found is None:
            return None
        name, source = found
        start: object = self
        if source.startswith("@"):
            start = self.config.queries.get(source[1:]) if self.config is not None else None
        if not isinstance(start, NamedQuery):
            return None
        return next(
            (q for q in start.chain() if isinstance(q, NamedQuery) and name in q.params), None
        )

    def at_default(self, diag: Diagnostic, message: str) -> tuple[Diagnostic, str] | None:
        """``diag`` (a mistake in this query's own default of a parameter)
        with ``message``, moved to where that value is written in the file
        (``params = { p = "abc" }``: under ``"abc"``), and its rendering;
        ``None`` when it cannot be located."""
        found = _default_of(diag)
        src = self.source
        if found is None or src is None or found[0] not in self.params:
            return None
        path = (*src.prefix, "queries", self.name, "params", found[0])
        start, end = src.layout.values.get(path), src.layout.value_ends.get(path)
        if start is None or end is None:
            return None
        line, col = line_col(src.text, start)
        moved = Diagnostic(diag.code, diag.severity, message, start, end, line, col, diag.hint)
        return moved, render(moved, src.shown_text, source=src.display())

    def _span(self) -> Located | None:
        if self.source is None:
            return None
        for path in (("queries", self.name, "query"), ("queries", self.name)):
            span = self.source.locate(*path)
            if span is not None and span.value == self.text:
                return span
        return None

    def render(self, diag: Diagnostic, *, origin: object = None) -> str:
        """``diag`` (a diagnostic of ``text``) drawn at its place in the file:
        ``FILE:LINE:COL``, the file's line and a caret under the mistake
        (``origin``: as for :meth:`in_file`)."""
        return self.in_file(diag, origin=origin)[1]

    def in_file(self, diag: Diagnostic, *, origin: object = None) -> tuple[Diagnostic | None, str]:
        """``diag`` moved to its place in the file (``None`` when the query's
        text cannot be located there), and its rendering. A mistake in a
        parameter's default (its ``value_from`` fact ``default`` or
        ``@NAME``) is placed at that value where it is written, in the
        table of the query that sets it (:meth:`default_owner`, or
        ``origin``, the named query a caller knows sets it)."""
        message = f"{diag.message} (query '{self.name}')"
        owner = origin if isinstance(origin, NamedQuery) else self.default_owner(diag)
        at_value = owner.at_default(diag, message) if owner is not None else None
        if at_value is not None:
            return at_value
        span = self._span()
        if span is None or self.source is None:
            moved = Diagnostic(
                diag.code,
                diag.severity,
                message,
                diag.start,
                diag.end,
                diag.line,
                diag.column,
                diag.hint,
            )
            where = self.source.display() if self.source is not None else None
            source = f"{where} @{self.name}" if where else f"@{self.name}"
            return None, render(moved, self.text, source=source)
        last = len(span.offsets) - 1
        start = span.offsets[min(diag.start, last)]
        end = max(start, span.offsets[min(diag.end, last)])
        line, col = line_col(self.source.text, start)
        moved = Diagnostic(diag.code, diag.severity, message, start, end, line, col, diag.hint)
        return moved, render(moved, self.source.shown_text, source=self.source.display())


def _default_of(diag: Diagnostic) -> tuple[str, str] | None:
    """The parameter whose default ``diag`` is a mistake in, and where
    that default is from (``default``, ``@NAME``), else ``None``."""
    name, source = diag.fact("param"), diag.fact("value_from")
    if isinstance(name, str) and isinstance(source, str) and source != "caller":
        return name, source
    return None


def resolve_query(text: str, config: QuerySource | None) -> tuple[str, NamedQuery | None]:
    """A query that is only ``@NAME`` (comments and blanks around it
    allowed) becomes that named query's text, through any aliases (and the
    query whose text it is is returned, for its place in the file). Any
    other text is returned as is; ``@NAME`` inside it is inlined by the
    checker. An unknown name is left for the checker to report (with a
    did-you-mean). See :func:`cqlang.config.fetchspec.lone_reference`."""
    if config is None:
        return text, None
    text, named = lone_reference_in(text, config.queries)
    return text, named if isinstance(named, NamedQuery) else None


@dataclass(frozen=True)
class Finding:
    """One diagnostic of a named query, for ``cqlang queries check``:
    ``diagnostic`` is inside the query's text, ``placed`` the same moved to
    the file (``None`` when the text could not be located in the file);
    ``file`` names the file it is placed in where that is not the query's
    ``source``: a query file (``.cql``, checked by ``queries check
    FILES``), or the file of another query whose parameter default it is
    a mistake in (placed at that value)."""

    query: NamedQuery
    diagnostic: Diagnostic
    placed: Diagnostic | None
    rendered: str
    file: str | None = None

    @property
    def severity(self) -> str:
        return self.diagnostic.severity

    def to_dict(self) -> dict[str, Any]:
        d = self.diagnostic.to_dict()
        src = self.query.source
        file = self.file if self.file is not None else str(src.path) if src is not None else None
        d.update(
            query=self.query.name,
            file=file,
            file_line=self.placed.line if self.placed else None,
            file_column=self.placed.column if self.placed else None,
        )
        return d
