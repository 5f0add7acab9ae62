"""The typed model of a config file's cqlang table: what :mod:`.validate`
produces and the rest of the package reads.

Every class is a frozen, hashable value (:class:`cqlang.node.Node`); a key
the file does not set is ``None`` (an empty mapping for the tables of
tables), so that files merge key by key (:meth:`CqlangTable.over`, the
earlier file winning):

- :class:`ConnectionTable`: what ``[connection]`` or one profile sets
  (``base_url``, ``api_key_env``, ``api_key``, ``campaign``, ``timezone``,
  ``page_size``, ``max_branches``);
- :class:`Profile`: a ``[profiles.NAME]`` table, its name and settings;
- :class:`QueryTable`: a ``[queries.NAME]`` table (or ``NAME = "..."``);
- :class:`SchemaTable`: ``[schema]``, the declared custom fields and
  ``strict``;
- :class:`CqlangTable`: one file's whole cqlang table.

:meth:`CqlangTable.to_table` gives the table back as TOML data (what
``cqlang config`` prints). The connection a command uses, resolved from
these with the environment and the options, is
:class:`~.connection.ConnectionSettings`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, ClassVar

from ..env import FrozenDict, freeze
from ..node import Node, field
from ..schema import DEFAULT_SCHEMA, Schema

__all__ = [
    "ConnectionTable",
    "CqlangTable",
    "Profile",
    "QueryTable",
    "SchemaTable",
    "merged",
    "schema_for",
    "thaw",
]

_NO_TABLES = FrozenDict()


def thaw(value: Any) -> Any:
    """A value frozen by :func:`cqlang.env.freeze` as TOML data again
    (dicts and lists)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):  # FrozenList, exclude
        return [thaw(v) for v in value]
    return value


class _Table(Node):
    """A table whose keys are the fields; a key not set is ``None``. Each
    subclass ends with ``order``: the keys in the order they were written
    (merged tables: as :meth:`over` keeps them), which is the order they are
    shown in; it is left out of comparisons."""

    #: The keys, in the order a table is shown.
    KEYS: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Any:
        """The table from checked values (key -> value, unknown keys left
        out), in their order."""
        given = {k: freeze(v) for k, v in values.items() if k in cls.KEYS}
        make: Any = cls  # each subclass has the fields KEYS names, and order
        return make(**given, order=tuple(given))

    def set_keys(self) -> tuple[str, ...]:
        """The keys set, in the order they were written (then those of
        :data:`KEYS`)."""
        first = [k for k in getattr(self, "order", ()) if k in self]
        return (*first, *(k for k in self.KEYS if k in self and k not in first))

    def _order_over(self, other: _Table) -> tuple[str, ...]:
        """The order of this table merged over ``other``: ``other``'s keys,
        then those only this one sets (a TOML table updated in place)."""
        below = other.set_keys()
        return (*below, *(k for k in self.set_keys() if k not in below))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self.KEYS and getattr(self, key) is not None

    def get(self, key: str) -> Any:
        """The value of ``key``, ``None`` when not set."""
        return getattr(self, key) if key in self.KEYS else None

    def over(self, other: Any) -> Any:
        """This table, each key it does not set taken from ``other``."""
        values = {k: getattr(self, k) if k in self else getattr(other, k) for k in self.KEYS}
        make: Any = type(self)
        return make(**values, order=self._order_over(other))

    def to_table(self) -> dict[str, Any]:
        """The keys set and their values, as TOML data."""
        return {k: thaw(getattr(self, k)) for k in self.set_keys()}


class ConnectionTable(_Table):
    """What ``[connection]`` or a profile sets (docs/config.md). The repr
    leaves ``api_key`` out and masks ``base_url`` (a ``user:password@`` in
    it: :func:`cqlang.encoding.masked_url`)."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "base_url",
        "api_key_env",
        "api_key",
        "campaign",
        "timezone",
        "page_size",
        "max_branches",
    )

    base_url: str | None = None
    api_key_env: str | None = None
    api_key: str | None = field(default=None, repr=False)
    campaign: str | None = None
    timezone: str | None = None
    page_size: int | None = None
    max_branches: int | None = None
    order: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def __repr__(self) -> str:
        from ..encoding import masked_repr

        return masked_repr(self, self.__node_repr__)

    @property
    def own_connection(self) -> bool:
        """Whether it names a host or a key of its own (a profile that does
        reads no ``CONPEEK_URL``/``CONPEEK_KEY``)."""
        return self.base_url is not None or self.api_key is not None or self.api_key_env is not None


class Profile(Node):
    """A ``[profiles.NAME]`` table: its name and its settings."""

    name: str
    settings: ConnectionTable = ConnectionTable()


class QueryTable(_Table):
    """A ``[queries.NAME]`` table as written: the query's text and the
    settings it runs with (``params``: its parameter defaults, frozen).
    :class:`~.named.NamedQuery` is the query made of it, runnable."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "query",
        "description",
        "campaign",
        "params",
        "exclude",
        "timezone",
        "limit",
        "max_branches",
    )

    query: str
    description: str | None = None
    campaign: str | None = None
    params: Mapping[str, Any] | None = None
    exclude: tuple[str, ...] | None = None
    timezone: str | None = None
    limit: int | None = None
    max_branches: int | None = None
    order: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> QueryTable:
        exclude = values.get("exclude")
        table: QueryTable = super().of(values)
        return table.replace(exclude=tuple(exclude)) if exclude is not None else table


class SchemaTable(_Table):
    """``[schema]``: the declared custom fields (name -> ``"integer"`` or
    ``{type = "enum", values = [...]}``, frozen) and ``strict``."""

    KEYS: ClassVar[tuple[str, ...]] = ("custom_fields", "strict")

    custom_fields: Mapping[str, Any] | None = None
    strict: bool | None = None
    order: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def schema(self) -> Schema:
        """The default schema with these custom fields declared."""
        return schema_for(self.custom_fields or {}, bool(self.strict))

    def over(self, other: Any) -> SchemaTable:
        """Key by key, but each custom field's declaration taken whole from
        the one table that declares it first (this one before ``other``)."""
        fields = {**(other.custom_fields or {}), **(self.custom_fields or {})}
        return SchemaTable(
            FrozenDict(fields) if fields or self.custom_fields is not None else other.custom_fields,
            self.strict if self.strict is not None else other.strict,
            self._order_over(other),
        )


class CqlangTable(Node):
    """One file's cqlang table, checked (:func:`.validate.validate`):
    ``connection``, the profiles by name, ``schema`` and the named queries
    by name (a table with a mistake is left out)."""

    connection: ConnectionTable = ConnectionTable()
    profiles: Mapping[str, Profile] = _NO_TABLES
    schema: SchemaTable = SchemaTable()
    queries: Mapping[str, QueryTable] = _NO_TABLES
    #: Which of the four tables the file has (for :meth:`to_table`).
    given: tuple[str, ...] = field(default=(), compare=False)

    def over(self, other: CqlangTable) -> CqlangTable:
        """This file's table merged over ``other``'s (an earlier file's over
        a later one): key by key, but a named query and a custom field's
        declaration are each taken whole from the file that wins."""
        profiles = dict(other.profiles)
        for name, p in self.profiles.items():
            below = profiles.get(name)
            settings = p.settings.over(below.settings) if below is not None else p.settings
            profiles[name] = Profile(name, settings)
        return CqlangTable(
            self.connection.over(other.connection),
            FrozenDict(profiles),
            self.schema.over(other.schema),
            FrozenDict({**other.queries, **self.queries}),
            (*other.given, *(t for t in self.given if t not in other.given)),
        )

    def connection_table(self, profile: str | None = None) -> ConnectionTable:
        """``[connection]``, or the table of ``profile`` (empty when there
        is none)."""
        if profile is None:
            return self.connection
        p = self.profiles.get(profile)
        return p.settings if p is not None else ConnectionTable()

    def defines(self, *path: str) -> bool:
        """Whether the file sets what ``path`` names: a table
        (``("connection",)``, ``("profiles", NAME)``, ``("queries", NAME)``)
        or a key of one (``("profiles", NAME, "base_url")``,
        ``("schema", "custom_fields", NAME)``)."""
        if not path or path[0] not in self.given:
            return False
        head, rest = path[0], path[1:]
        if not rest:
            return True
        if head == "connection":
            return len(rest) == 1 and rest[0] in self.connection
        if head in ("profiles", "queries"):
            entry: Any = (self.profiles if head == "profiles" else self.queries).get(rest[0])
            if entry is None:
                return False
            table = entry.settings if isinstance(entry, Profile) else entry
            return len(rest) == 1 or (len(rest) == 2 and rest[1] in table)
        if len(rest) == 1:
            return rest[0] in self.schema
        fields = self.schema.custom_fields or {}
        return len(rest) == 2 and rest[0] == "custom_fields" and rest[1] in fields

    def to_table(self) -> dict[str, Any]:
        """The table as TOML data: the tables the file has, each key set."""
        out: dict[str, Any] = {}
        for name in self.given:
            if name == "connection":
                out[name] = self.connection.to_table()
            elif name == "profiles":
                out[name] = {n: p.settings.to_table() for n, p in self.profiles.items()}
            elif name == "schema":
                out[name] = self.schema.to_table()
            else:
                out[name] = {n: q.to_table() for n, q in self.queries.items()}
        return out


def merged(tables: Iterable[CqlangTable]) -> CqlangTable:
    """Files' tables merged, the earlier winning (:meth:`CqlangTable.over`)."""
    out: CqlangTable | None = None
    for table in reversed(tuple(tables)):
        out = table if out is None else table.over(out)
    return out if out is not None else CqlangTable()


def schema_for(custom_fields: Mapping[str, Any], strict: bool) -> Schema:
    """The default schema with ``custom_fields`` declared. Schemas are values
    (equal declarations make equal schemas, which share compiled plans); the
    last few made are kept, so that a config read again makes no new one."""
    if not custom_fields and not strict:
        return DEFAULT_SCHEMA
    return _schema_of(freeze(custom_fields), strict)


@lru_cache(maxsize=16)
def _schema_of(declared: FrozenDict, strict: bool) -> Schema:
    return DEFAULT_SCHEMA.with_custom_fields(declared, strict=strict)
