"""What running a query needs, resolved once: :class:`FetchSpec`.

A query given to ``cqlang fetch``/``compile``/``explain``/``check``, typed
in the REPL or passed to ``Config.prepare`` in Python may be a lone
``@NAME`` (blanks, comments and parentheses around it allowed: the parse
tree says so, :func:`cqlang.refs.lone_reference`); then it runs that named query
with everything it declares. A named query whose own text is a lone
``@OTHER`` is an alias: it runs ``OTHER``'s text, and each setting it does
not set itself comes from ``OTHER`` (and so on down the chain,
:func:`alias_chain`). Every setting resolves the same way on every path,
the first that gives a value winning:

1. what the caller gives (a command-line option, a REPL setting such as
   ``\\campaign`` or ``\\set max_branches``, a keyword argument);
2. the named query's own key (``campaign``, ``exclude``, ``limit``,
   ``timezone``, ``max_branches``, and its ``params`` as defaults), then
   those of the queries it is an alias of, nearest first;
3. the connection (``[connection]`` and the chosen profile: ``campaign``,
   ``timezone``, ``page_size``, ``max_branches``);
4. the built-in default (``max_branches`` 32, ``page_size`` 1000).

:func:`prepare` does this; :class:`FetchSpec` carries the result and runs
it (``plan``, ``check``, ``fetch``, ``request_url``), so the CLI, the REPL
and Python cannot drift apart. This module reads no config file (the REPL
runs queries through it when no config file could be read);
:meth:`cqlang.Config.prepare` feeds it a config's queries, schema and
connection.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, Protocol, cast

from .. import argcheck
from ..diagnostics import Diagnostic, no_campaign, render
from ..digits import CANONICAL_INT
from ..encoding import MAX_PAGE_SIZE  # cqlang's bound per request, defined once
from ..env import DEFAULT_MAX_BRANCHES, Env, FrozenDict, chosen_zone, freeze
from ..errors import SettingError
from ..refs import lone_reference as lone_reference_name
from ..schema import DEFAULT_SCHEMA, Schema

if TYPE_CHECKING:
    from ..planner import Plan

__all__ = [
    "DEFAULT_MAX_BRANCHES",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "FetchSpec",
    "SettingError",
    "Settings",
    "alias_chain",
    "lone_reference",
    "prepare",
    "stored_param",
]


class SavedQuery(Protocol):
    """What a fetch reads of a named query (a
    :class:`~cqlang.config.named.NamedQuery` is one, and so is an
    :class:`~cqlang.env.NamedText`): its text; its ``name`` and settings
    (``limit``, ``exclude``, ``params``...) are read by name, an object
    without one counting as not setting it (see :func:`owner_name`)."""

    @property
    def text(self) -> str: ...


def owner_name(query: SavedQuery | None) -> str | None:
    """The name of a named query that has one (``NamedText`` has none)."""
    name = getattr(query, "name", None)
    return name if isinstance(name, str) else None


#: Records per request when nothing else sets it.
DEFAULT_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Settings:
    """The connection's defaults (``[connection]`` with the profile over it);
    every one optional."""

    campaign: str | None = None
    timezone: str | None = None
    page_size: int | None = None
    max_branches: int | None = None


@dataclass(frozen=True)
class FetchSpec:
    """A query with every input resolved: what ``fetch`` and friends run.

    ``text`` is the query itself (a lone ``@NAME`` replaced by that query's
    text, through any aliases); ``named`` the named query whose text it is,
    if any (for its place in the config file), and ``chain`` every named
    query the lone reference led through, the one named first and
    ``named`` last. ``exclude`` and ``limit`` are ``None`` when nothing set
    them; ``page_size`` ``None`` means the default (1000).

    A value: ``params`` and ``queries`` are frozen
    (:class:`~cqlang.env.FrozenDict`), so a spec is hashed and compared by
    value, and pickles (to another process, say) with what it runs.
    """

    text: str
    named: SavedQuery | None
    params: Mapping[str, Any]
    tz: str | tzinfo | None
    campaign: str | None
    exclude: tuple[str, ...] | None
    limit: int | None
    schema: Schema
    queries: Mapping[str, object]
    page_size: int | None = None
    max_branches: int = DEFAULT_MAX_BRANCHES
    chain: tuple[SavedQuery, ...] = ()
    #: The file the text was read from (``-f FILE``), named in diagnostics.
    source: str | None = None
    #: Whether ``tz`` was set on purpose (by the caller, or by the named
    #: query run): then it holds inside the named queries the text refers
    #: to, over their own ``timezone`` (:attr:`cqlang.Env.override_tz`).
    override_tz: bool = False
    #: The names of :attr:`params` whose value is a named query's default
    #: (no value the caller gave): messages word them as TOML
    #: (:attr:`cqlang.Env.toml_params`).
    toml_params: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Frozen as Env freezes its own: a spec is hashable and pickles.
        if type(self.params) is not FrozenDict:
            object.__setattr__(self, "params", freeze(self.params))
        if type(self.queries) is not FrozenDict:
            object.__setattr__(self, "queries", FrozenDict(self.queries))

    def origin(self, key: str) -> SavedQuery | None:
        """The named query of :attr:`chain` whose own ``key`` (``limit``,
        ``exclude``...) is in effect when no option set it: the nearest that
        sets it, else ``None``."""
        return next((q for q in self.chain if getattr(q, key, None) is not None), None)

    def param_origin(self, name: str) -> SavedQuery | None:
        """The named query of :attr:`chain` whose default of the parameter
        ``name`` is in :attr:`params` (the nearest that sets one, as
        :func:`inherited_params` merges them), else ``None``; a value the
        caller gave is in ``params`` whatever this says."""
        return next((q for q in self.chain if name in (getattr(q, "params", None) or {})), None)

    def env(self, *, now: datetime | None = None, max_branches: int | None = None) -> Env:
        """The compile-time inputs of the query: its parameters, zone,
        schema, named queries and bound on requests (``max_branches`` here
        overrides it), with the clock ``now``."""
        bound = self.max_branches if max_branches is None else max_branches
        return Env(
            self.schema,
            self.params,
            self.tz,
            now,
            self.queries,
            bound,
            override_tz=self.override_tz,
            toml_params=self.toml_params,
        )

    def inputs(self) -> dict[str, Any]:
        """Keyword arguments for ``cqlang.plan``/``check``/``compile`` (of
        old: :meth:`env` gives them as one value)."""
        return {
            "params": dict(self.params),
            "tz": self.tz,
            "schema": self.schema,
            "queries": self.queries,
        }

    def plan(self, *, now: datetime | None = None, max_branches: int | None = None) -> Plan:
        """The query's plan (a ``CqlError`` for an invalid one)."""
        from .. import api

        return api.plan(self.text, self.env(now=now, max_branches=max_branches))

    def check(
        self, *, now: datetime | None = None, max_branches: int | None = None
    ) -> list[Diagnostic]:
        """Every diagnostic of the query; never raises for a bad query."""
        from .. import api

        return api.check(self.text, self.env(now=now, max_branches=max_branches))

    def render(self, diag: Diagnostic) -> str:
        """``diag`` drawn with its caret: in the config file for a named
        query, else in the text, its ``-->`` line naming :attr:`source`. A
        mistake in a named query's default is drawn at that value in its
        file (the query of :attr:`chain` that sets it, or the one referred
        to: the diagnostic's ``value_from`` fact)."""
        name, source = diag.fact("param"), diag.fact("value_from")
        if self.named is not None and hasattr(self.named, "render"):
            origin = (
                self.param_origin(name) if source == "default" and isinstance(name, str) else None
            )
            return str(self.named.render(diag, origin=origin))
        if isinstance(source, str) and source.startswith("@"):
            ref = self.queries.get(source[1:])
            owner = ref.default_owner(diag) if hasattr(ref, "default_owner") else None
            placed = owner.at_default(diag, diag.message) if owner is not None else None
            if placed is not None:
                return str(placed[1])
        return render(diag, self.text, source=self.source)

    def check_exclude(self) -> None:
        """Raise :class:`SettingError` when ``exclude`` holds ``id`` (the
        client pages and merges records by it) or a name that is no field
        name (:func:`cqlang.encoding.exclude_problem`)."""
        from ..argcheck import exclude_message

        for name in self.exclude or ():
            owner = owner_name(self.origin("exclude"))
            where = f" (the exclude of @{owner})" if owner is not None else ""
            problem = exclude_message("exclude", name, where)
            if problem is not None:
                raise SettingError(problem, "exclude")

    def check_campaign(self) -> str:
        """The campaign, or :class:`SettingError` when there is none or it
        cannot be a campaign id (``.``, ``..``: see
        :func:`cqlang.encoding.campaign_problem`)."""
        from ..encoding import campaign_problem

        if not self.campaign:
            raise SettingError(no_campaign("python"), "campaign")
        problem = campaign_problem(self.campaign)
        if problem is not None:
            raise SettingError(problem, "campaign")
        return self.campaign

    def with_(self, **changes: Any) -> FetchSpec:
        """A copy with ``changes`` (field names of this class)."""
        return replace(self, **changes)

    def fetch(
        self,
        client: Any,
        *,
        plan: Plan | None = None,
        now: datetime | None = None,
        limit: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """The matching records, streamed by ``client`` (a
        :class:`cqlang.Client`): this spec's campaign, exclude, page size
        and limit (``limit`` here lowers it further). ``plan``: a plan of
        this spec made already."""
        from ..planner import Plan

        if not callable(getattr(client, "voice_campaign_requests", None)):
            raise argcheck.wrong_type("client", "a cqlang.Client", client)
        argcheck.instance("plan", plan, Plan, "a cqlang.Plan", optional=True)
        argcheck.instance("now", now, datetime, "a datetime", optional=True)
        limit = argcheck.count("limit", limit, least=0, optional=True)
        campaign = self.check_campaign()
        self.check_exclude()
        if plan is None:
            plan = self.plan(now=now)
        lim = self.limit_with(limit)
        records: Iterator[dict[str, Any]] = client.voice_campaign_requests(
            campaign,
            plan=plan,
            exclude=list(self.exclude) if self.exclude else None,
            page_size=self.page_size or DEFAULT_PAGE_SIZE,
            limit=lim,
        )
        return records

    def limit_with(self, limit: int | None) -> int | None:
        """The limit in effect: this spec's, lowered by ``limit``."""
        if limit is None or self.limit is None:
            return self.limit if limit is None else limit
        return min(limit, self.limit)

    def file_metadata(
        self,
        plan: Plan,
        fetched_at: datetime | None = None,
        *,
        now: datetime | None = None,
        columns: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> dict[str, str]:
        """What a Parquet or Arrow file of this spec's fetch records
        (:func:`cqlang.output.filemeta.file_metadata`): its text, ``plan``,
        the time the fetch began (``fetched_at``, default now), its
        campaign, named query, parameters, zone and exclude; the clock the
        plan was made with (``now``), the columns' names (``columns``) and
        the limit in effect (``limit`` lowering this spec's). ``fetch -o``,
        the REPL's ``\\o`` and :meth:`iter_batches` all record it through here."""
        from ..output.filemeta import file_metadata

        if fetched_at is None:
            from datetime import UTC

            fetched_at = datetime.now(UTC)
        return file_metadata(
            self.text,
            plan,
            fetched_at,
            self.campaign,
            named=self.named,
            params=self.params,
            tz=self.tz,
            now=now,
            limit=self.limit_with(limit),
            columns=columns,
            exclude=self.exclude,
        )

    def writer_options(
        self,
        fmt: str,
        plan: Plan,
        *,
        columns: Sequence[Any] | None = None,
        now: datetime | None = None,
        limit: int | None = None,
    ) -> dict[str, Any]:
        """The options of :func:`cqlang.output.writers.make_writer` for
        writing this spec's records as ``fmt``: ``columns`` (``--columns``,
        parsed; ``None``: every field), this spec's schema and exclude, and
        for a binary format (Parquet, Arrow) :meth:`file_metadata` of
        ``plan`` (made with the clock ``now``; ``limit`` lowering this
        spec's), the fetch beginning now. The one recipe of ``fetch -o``
        and the REPL's ``\\o``."""
        from ..output.formats import BINARY_FORMATS

        options: dict[str, Any] = {
            "columns": columns,
            "schema": self.schema,
            "exclude": self.exclude,
        }
        if fmt in BINARY_FORMATS:
            names = None if columns is None else [c.name for c in columns]
            options["metadata"] = self.file_metadata(plan, now=now, columns=names, limit=limit)
        return options

    def iter_batches(
        self,
        client: Any,
        *,
        columns: str | Iterable[str] | None = None,
        batch_size: int = 4096,
        now: datetime | None = None,
        limit: int | None = None,
    ) -> Iterator[Any]:
        """The matching records as ``pyarrow.RecordBatch``es (needs
        ``cqlang[arrow]``), as ``cqlang fetch -o FILE.parquet`` makes them
        of this spec: its campaign, exclude, limit, page size and schema;
        the batches' metadata records the query, its parameters and, for a
        named query, its name. ``columns``, ``batch_size``: as
        :meth:`cqlang.Client.iter_batches`; ``limit`` lowers the spec's."""
        from ..output.arrow import spec_batches

        return spec_batches(
            self, client, columns=columns, batch_size=batch_size, now=now, limit=limit
        )

    def to_arrow(
        self,
        client: Any,
        *,
        columns: str | Iterable[str] | None = None,
        now: datetime | None = None,
        limit: int | None = None,
    ) -> Any:
        """The batches of :meth:`iter_batches` as one ``pyarrow.Table``,
        every column in the stable layout, the misfit counts in its
        metadata: what ``cqlang fetch @NAME -o FILE.arrow`` writes."""
        from ..output.arrow import spec_batches, table_of

        return table_of(spec_batches(self, client, columns=columns, now=now, limit=limit))

    def request_url(self, base_url: str, filters: Sequence[Mapping[str, Any]]) -> str:
        """The URL of the first page of the one request that ``filters`` (a
        one-request plan's filter list) makes, exactly as :meth:`fetch`
        sends it (the client's own builder,
        :func:`cqlang.client.urls.first_page_url`): ``limit`` (this spec's
        page size, or no more than its ``limit`` when every record the
        request brings is delivered), ``offset=0``, ``filter`` and this
        spec's ``exclude`` less the fields the client reads of each record
        (those of an ``ne`` guard): what ``compile --format url`` prints.
        ``base_url`` is read as every base URL is
        (:func:`cqlang.encoding.base_url`: ``http(s)://HOST[:PORT][/PATH]``,
        else a :class:`SettingError`); a ``limit`` of 0 is a
        :class:`SettingError` too (the client sends no request)."""
        from ..client.urls import first_page_url
        from ..encoding import base_url as checked_base_url
        from ..encoding import encode, refuse_filters
        from ..filterlists import FilterError

        try:
            base_url = checked_base_url(argcheck.text("base_url", base_url))
        except ValueError as exc:
            raise SettingError(str(exc), "base_url") from None
        encode(filters)  # checked as encode checks every filter list
        campaign = self.check_campaign()
        self.check_exclude()
        try:
            url = first_page_url(
                filters,
                base_url=base_url,
                campaign=campaign,
                exclude=self.exclude,
                page_size=self.page_size or DEFAULT_PAGE_SIZE,
                limit=self.limit,
            )
        except FilterError as exc:  # an `ne` object its guard cannot read
            refuse_filters(filters, str(exc))
        if url is None:
            raise SettingError("limit is 0: no request is sent, so there is no URL", "limit")
        return url


def lone_reference(
    text: str, queries: Mapping[str, object] | None
) -> tuple[str, SavedQuery | None]:
    """A text that is only ``@NAME`` (blanks, comments and parentheses
    around it allowed) naming a query object of ``queries`` (one with
    ``.text``): the text that runs (through any aliases, see
    :func:`alias_chain`) and the named query it belongs to. Anything else:
    ``text`` itself and ``None`` (``@NAME`` inside a larger query is inlined
    by the checker, and an unknown name is left for it to report)."""
    chain = _lone_chain(text, queries)
    if not chain:
        return text, None
    return str(chain[-1].text), chain[-1]


def _named_object(queries: Mapping[str, object] | None, name: str | None) -> SavedQuery | None:
    if name is None or queries is None:
        return None
    named = queries.get(name)
    if named is None or isinstance(named, str) or not hasattr(named, "text"):
        return None
    return cast("SavedQuery", named)


def _lone_chain(text: str, queries: Mapping[str, object] | None) -> tuple[SavedQuery, ...]:
    if not queries:
        return ()
    first = _named_object(queries, lone_reference_name(text))
    return alias_chain(first, queries) if first is not None else ()


def alias_chain(named: SavedQuery, queries: Mapping[str, object] | None) -> tuple[SavedQuery, ...]:
    """``named`` and the named queries it is an alias of: while a query's
    text is a lone reference to a query object of ``queries``, that query
    follows (``x = "@nr"`` gives ``(x, nr)``). The chain stops at a name
    met twice (a cycle: the checker reports it on the text that is run) or
    past :data:`cqlang.refs.MAX_REF_DEPTH` names (likewise)."""
    from ..refs import MAX_REF_DEPTH

    chain = [named]
    seen = {id(named)}
    while len(chain) <= MAX_REF_DEPTH:
        nxt = _named_object(queries, lone_reference_name(str(chain[-1].text)))
        if nxt is None or id(nxt) in seen:
            break
        seen.add(id(nxt))
        chain.append(nxt)
    return tuple(chain)


def inherited(chain: Sequence[SavedQuery], key: str) -> Any:
    """The value of ``key`` that a chain of aliases (:func:`alias_chain`)
    gives: the nearest query's that sets it, else ``None``."""
    for q in chain:
        value = getattr(q, key, None)
        if value is not None:
            return value
    return None


def inherited_params(chain: Sequence[SavedQuery]) -> dict[str, Any]:
    """The parameter defaults of a chain of aliases, the nearest query's
    winning."""
    out: dict[str, Any] = {}
    for q in reversed(chain):
        out.update(getattr(q, "params", None) or {})
    return out


def prepare(
    text: str,
    *,
    queries: Mapping[str, Any] | None = None,
    schema: Schema | None = None,
    defaults: Settings = Settings(),
    params: Mapping[str, Any] | None = None,
    tz: str | tzinfo | None = None,
    campaign: str | None = None,
    exclude: str | Iterable[str] | None = None,
    limit: int | None = None,
    page_size: int | None = None,
    max_branches: int | None = None,
) -> FetchSpec:
    """Resolve ``text`` and its settings in the order of the module
    docstring: the arguments, then a lone ``@NAME``'s own keys (and those of
    the queries it is an alias of), then ``defaults`` (the connection), then
    the built-in defaults. The arguments are checked here, before
    anything is planned or sent (:mod:`cqlang.argcheck`): one of the wrong
    type is a ``TypeError`` (``limit=1.5``, ``tz=3``, ``max_branches=True``);
    a value that cannot work a :class:`SettingError`, as the command line
    and the config files refuse it: a ``page_size`` or ``max_branches``
    below 1 or a negative ``limit`` (not taken for "not given"), an unknown
    zone, a campaign that cannot be an id (:meth:`FetchSpec.check_campaign`), an
    ``exclude`` holding ``id``. ``exclude`` may be one text, read as
    ``--exclude`` reads it (``"history,dialogs"``)."""
    argcheck.query(text)
    params = argcheck.mapping("params", params, names="parameter names", optional=True)
    tz = _zone_name(tz)
    campaign = argcheck.campaign("campaign", campaign, optional=True)
    exclude = argcheck.exclude_names("exclude", exclude)
    limit = argcheck.count("limit", limit, least=0, optional=True)
    page_size = argcheck.count("page_size", page_size, least=1, optional=True)
    max_branches = argcheck.count("max_branches", max_branches, least=1, optional=True)
    chain = _lone_chain(text, queries)
    named = chain[-1] if chain else None
    body = str(named.text) if named is not None else text

    def own(key: str) -> Any:
        return inherited(chain, key)

    defaults_params: Mapping[str, Any] = inherited_params(chain)
    excl = exclude if exclude is not None else own("exclude")
    zone, on_purpose = chosen_zone(tz, own("timezone"), fallback=defaults.timezone)
    return FetchSpec(
        text=body,
        named=named,
        params=freeze({**defaults_params, **(params or {})}),
        tz=zone,
        override_tz=on_purpose,
        campaign=campaign or own("campaign") or defaults.campaign,
        exclude=tuple(excl) if excl is not None else None,
        limit=limit if limit is not None else own("limit"),
        schema=schema if schema is not None else DEFAULT_SCHEMA,
        queries=queries if queries is not None else FrozenDict(),
        page_size=page_size or own("page_size") or defaults.page_size,
        max_branches=(
            max_branches or own("max_branches") or defaults.max_branches or DEFAULT_MAX_BRANCHES
        ),
        chain=chain,
        toml_params=frozenset(k for k in defaults_params if k not in (params or {})),
    )


def _zone_name(tz: Any) -> str | tzinfo | None:
    """A ``tz`` argument: a zone name (``Europe/Warsaw``, an unknown one a
    :class:`SettingError`), a ``tzinfo`` or ``None``."""
    from ..timeexpr import TimeError, zone

    if not isinstance(argcheck.zone("tz", tz), str):
        return cast("tzinfo | None", tz)
    try:
        zone(tz)
    except TimeError as exc:
        raise SettingError(f"tz: {exc}" + (f" ({exc.hint})" if exc.hint else ""), "tz") from None
    return str(tz)


def stored_param(value: Any) -> Any:
    """A parameter value as a config file stores it (``queries save
    --param``, the REPL's ``\\save``): text of digits without a leading zero
    is an integer; anything else is kept as it is."""
    if isinstance(value, str) and CANONICAL_INT.match(value):
        return int(value)
    return value


def bound_params(names: Sequence[str], params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` restricted to ``names``, in the order of ``names``, as
    stored in a config file."""
    return {n: stored_param(params[n]) for n in names if n in params}
