"""The compile-time inputs of a query, as one frozen value: :class:`Env`.

What a query means depends on more than its text: the schema (declared
custom fields, strictness), the parameters bound, the time zone, the clock,
the named queries ``@name`` may refer to, and the bound on requests. An
``Env`` holds them all, built once and passed whole::

    env = cqlang.Env(params={"min": 3}, tz="Europe/Warsaw")
    cqlang.plan("priority >= $min and created_date >= today", env)
    env.replace(max_branches=64)

It is a value: immutable (its mappings and lists are frozen copies), equal to
any ``Env`` of the same inputs, and hashable (the hash is worked out once),
which makes ``(text, env)`` the key of the plan cache (cqlang/api.py). The
checker and the planner read their inputs from it (cel-python's
Environment, from which programs are made, is the model).

Inputs of the wrong kind (``params`` that is not a mapping, ``schema`` that
is not a :class:`~cqlang.schema.Schema`, a named query that is neither text
nor has one) are the calling program's mistake and raise ``TypeError`` here.
Values of the right kind that mean nothing (an unknown zone, a ``now`` that
is no datetime, a parameter of the wrong type) are the query's mistakes: the
checker reports them as diagnostics (CQL108, CQL117, CQL113). An input that
cannot be hashed (a parameter value of an unhashable type) still makes an
``Env``; only its plans are not cached.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo

from . import argcheck
from .node import Node
from .node import field as attr
from .schema import DEFAULT_SCHEMA, Schema

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any, NoReturn, TypeVar

    _Zone = TypeVar("_Zone", bound="str | tzinfo")
    _Dict = dict[str, Any]
    _Tuple = tuple[Any, ...]
else:  # the same classes, without typing's subscripts at run time
    _Dict, _Tuple = dict, tuple

__all__ = [
    "DEFAULT_ENV",
    "DEFAULT_MAX_BRANCHES",
    "Env",
    "FrozenDict",
    "FrozenList",
    "NamedText",
    "Queries",
    "chosen_zone",
    "freeze",
    "freeze_queries",
]

#: The bound on requests of one query when nothing else sets it.
DEFAULT_MAX_BRANCHES = 32

_set = object.__setattr__


# ----------------------------------------------------------- frozen data


def _immutable(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError(f"a {type(self).__name__} cannot be changed")


class FrozenDict(_Dict):
    """A dict that cannot be changed, hashed by value (once): parameters and
    their defaults inside an :class:`Env`, the filter objects of a
    ``Plan.filters``. Its repr is a dict's."""

    __slots__ = ("_hash",)

    def __hash__(self) -> int:  # type: ignore[override]
        h: int | None = getattr(self, "_hash", None)
        if h is None:
            h = self._hash = hash(frozenset(self.items()))
        return h

    def __eq__(self, other: object) -> bool:
        # Equal as values *and* as types, deeply: `True == 1` and `3.0 == 3`
        # in Python, but a parameter of `True` is refused where `1` is an
        # integer, so an Env with one must never find the plan made with
        # the other in the plan cache.
        return _Dict.__eq__(self, other) is True and same_types(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))

    __setitem__ = __delitem__ = __ior__ = _immutable
    clear = pop = popitem = setdefault = update = _immutable


def moment(value: Any) -> Any:
    """What tells datetimes apart for the plan cache: the type, the zone,
    the wall time and ``fold``. Python's ``==`` ignores ``fold`` between
    datetimes of one zone, so 02:30 of the night clocks go back (twice,
    an hour apart: ``fold=0`` and ``fold=1``) would share a plan; and it
    takes the same instant in two zones for equal. Anything else is
    itself."""
    if isinstance(value, datetime):
        return (type(value), value.tzinfo, value.replace(tzinfo=None, fold=0), value.fold)
    return value


def same_types(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b``, already equal, hold values of the same
    types throughout (``{"p": True}`` and ``{"p": 1}`` do not), and
    datetimes the same instant in the same zone (:func:`moment`); a
    mapping, a list and a set are compared as such, frozen or not."""
    if isinstance(a, datetime) or isinstance(b, datetime):
        return bool(moment(a) == moment(b))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return all(same_types(v, b[k]) for k, v in a.items())
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return all(same_types(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, frozenset | set) and isinstance(b, frozenset | set):
        return {(type(x), moment(x)) for x in a} == {(type(y), moment(y)) for y in b}
    return type(a) is type(b)


class FrozenList(_Tuple):
    """A list value frozen: a tuple (which the checker reads as it reads a
    list) whose repr is a list's, so that messages quote what was given."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(list(self))

    def __eq__(self, other: object) -> bool:
        # Equal to the list it was made from, as its repr says it is.
        if isinstance(other, list):
            return list(self) == other
        return tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = tuple.__hash__


def freeze(value: Any) -> Any:
    """``value`` with its mappings, lists and sets made immutable (deeply):
    :class:`FrozenDict`, :class:`FrozenList`, ``tuple``, ``frozenset``.
    Anything else is returned as it is (hashable or not)."""
    kind = type(value)
    if kind in (str, int, FrozenDict, FrozenList) or value is None:
        return value
    if isinstance(value, Mapping):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return FrozenList(freeze(v) for v in value)
    if isinstance(value, tuple):
        return tuple(freeze(v) for v in value)
    if isinstance(value, set | frozenset):
        return frozenset(freeze(v) for v in value)
    return value


_EMPTY = FrozenDict()


# ------------------------------------------------------- named queries


class NamedText(Node):
    """A named query as a query referring to it (``@name``) needs it: its
    text, its parameter defaults and its own time zone (``None``: the zone
    of the query it is inlined into)."""

    text: str
    params: Mapping[str, Any] = _EMPTY
    timezone: str | tzinfo | None = None


class Queries(FrozenDict):
    """Named queries, frozen: name -> :class:`NamedText`. Made by
    :func:`freeze_queries`; an :class:`Env` takes one as it is. ``graph``
    (set on first use by :mod:`cqlang.refs`) keeps each named query parsed
    and the references between them judged, once for every query checked
    against these."""

    __slots__ = ("graph",)


def freeze_queries(queries: Mapping[str, Any]) -> Queries:
    """Named queries as an :class:`Env` holds them. Each entry is the query's
    text, a :class:`NamedText`, or an object with ``.text`` (and, for its
    defaults, ``.params``; for its own zone, ``.timezone``), such as a
    config file's ``NamedQuery``.
    A caller that makes many ``Env`` of the same queries freezes them once."""
    if type(queries) is Queries:
        return queries
    argcheck.mapping("queries", queries, names="named query names")
    frozen: dict[str, NamedText] = {}
    for name, entry in queries.items():
        if type(entry) is NamedText:
            frozen[name] = entry
        elif isinstance(entry, str):
            frozen[name] = NamedText(entry)
        elif isinstance(getattr(entry, "text", None), str):
            defaults = getattr(entry, "params", None) or {}
            zone = argcheck.zone(f"the timezone of @{name}", getattr(entry, "timezone", None))
            frozen[name] = NamedText(
                entry.text, _params(defaults, f"the params of @{name}"), zone or None
            )
        else:
            raise TypeError(
                f"named query {name!r} is its text or an object with .text, "
                f"not {type(entry).__name__}"
            )
    return Queries(frozen)


def _params(params: Any, what: str = "params") -> FrozenDict:
    if type(params) is FrozenDict:
        return params
    argcheck.mapping(what, params, names="parameter names")
    frozen: FrozenDict = freeze(params)
    return frozen


# ----------------------------------------------------------------- Env


class Env(Node):
    """The compile-time inputs of a query (module docstring): every field
    optional, each default the default of ``cqlang.compile``.

    ``schema``: a :class:`~cqlang.schema.Schema` (declared custom fields);
    ``params``: parameter name (without ``$``) -> value; ``tz``: the IANA
    zone of naive datetimes and of ``today`` (``None``: UTC); ``now``: the
    clock (``None``: the current time, and plans are then not cached);
    ``queries``: named queries for ``@name`` (see :func:`freeze_queries`);
    ``max_branches``: the most requests a plan may need; ``strict``:
    undeclared custom fields are errors (as in a strict schema);
    ``override_tz``: ``tz`` holds inside the named queries too, over their
    own ``timezone`` (what ``--tz`` does, and running a named query that
    sets one). Without it a named query with its own ``timezone`` reads its
    datetimes in that zone, and ``tz`` is the zone of the rest.
    ``toml_params``: the names of ``params`` whose values a config file
    gave (a named query's defaults, as ``NamedQuery.env`` binds them): a
    message words those values as TOML writes them, the others as Python
    does (cqlang.kinds).
    """

    schema: Schema = DEFAULT_SCHEMA
    params: Mapping[str, Any] = _EMPTY
    tz: str | tzinfo | None = None
    now: datetime | None = None
    queries: Mapping[str, NamedText] = _EMPTY
    max_branches: int = DEFAULT_MAX_BRANCHES
    strict: bool = False
    override_tz: bool = False
    toml_params: frozenset[str] = frozenset()
    _hash: int | None = attr(init=False, compare=False, repr=False)

    def __init__(
        self,
        schema: Schema | None = None,
        params: Mapping[str, Any] | None = None,
        tz: str | tzinfo | None = None,
        now: datetime | None = None,
        queries: Mapping[str, Any] | None = None,
        max_branches: int = DEFAULT_MAX_BRANCHES,
        strict: bool = False,
        override_tz: bool = False,
        toml_params: Iterable[str] = (),
    ) -> None:
        if schema is None:
            schema = DEFAULT_SCHEMA
        else:
            argcheck.instance("schema", schema, Schema, "a cqlang.Schema")
        argcheck.zone("tz", tz)
        argcheck.instance("now", now, datetime, "a datetime", optional=True)
        # Every query needs a request: below 1, the bound could never be met.
        max_branches = argcheck.count("max_branches", max_branches, least=1)
        argcheck.flag("strict", strict)
        argcheck.flag("override_tz", override_tz)
        if isinstance(toml_params, str) or not isinstance(toml_params, Iterable):
            raise argcheck.wrong_type("toml_params", "a collection of parameter names", toml_params)
        toml = frozenset(toml_params)
        if not all(isinstance(n, str) for n in toml):
            raise TypeError("toml_params holds parameter names (str)")
        _set(self, "schema", schema)
        _set(self, "params", _EMPTY if params is None else _params(params))
        _set(self, "tz", tz)
        _set(self, "now", now)
        _set(self, "queries", _EMPTY if queries is None else freeze_queries(queries))
        _set(self, "max_branches", max_branches)
        _set(self, "strict", strict)
        _set(self, "override_tz", override_tz)
        _set(self, "toml_params", toml)
        _set(self, "_hash", None)

    def _key(self) -> tuple[Any, ...]:
        """What an Env is compared and hashed by: every input (one list of
        them, held to ``__node_init__`` by tests/test_env.py), ``now`` (and,
        through :class:`FrozenDict`, the parameters) as an instant in its
        zone (:func:`moment`), so that a cached plan is reused only for
        the same instant and zone."""
        return (
            self.schema,
            self.params,
            self.tz,
            moment(self.now),
            self.queries,
            self.max_branches,
            self.strict,
            self.override_tz,
            self.toml_params,
        )

    def __hash__(self) -> int:
        h = self._hash
        if h is None:
            try:
                h = hash(self._key())
            except TypeError:
                raise TypeError("an Env with an unhashable input cannot be hashed") from None
            _set(self, "_hash", h)
        return h

    def __eq__(self, other: object) -> bool:
        if type(other) is not Env:
            return NotImplemented
        return self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __repr__(self) -> str:
        shown = []
        for name in self.__node_repr__:
            value = getattr(self, name)
            if value != getattr(DEFAULT_ENV, name, None):
                if name == "schema":
                    value = _Shown(_schema_words(value))
                elif name == "queries":
                    value = _Shown("{" + ", ".join(f"{n!r}: ..." for n in value) + "}")
                shown.append(f"{name}={value!r}")
        return f"Env({', '.join(shown)})"


class _Shown(str):
    def __repr__(self) -> str:
        return str(self)


def _schema_words(schema: Schema) -> str:
    default = DEFAULT_SCHEMA
    if schema.endpoint == default.endpoint and schema.properties == default.properties:
        base = "DEFAULT_SCHEMA"
    else:
        base = f"Schema({schema.endpoint!r})"
    declared = ", ".join(schema.custom_fields)
    if declared:
        base += f" with custom fields {declared}"
    return f"<{base}{', strict' if schema.strict else ''}>"


def chosen_zone(
    *on_purpose: _Zone | None, fallback: _Zone | None = None
) -> tuple[_Zone | None, bool]:
    """The zone a query runs in, and whether it was set on purpose (what
    :attr:`Env.override_tz` takes): the first of ``on_purpose`` that is set
    (the caller's ``--tz``, ``\\tz`` or ``tz=``, then the named query's own
    ``timezone``, or its alias chain's), else ``fallback`` (the connection's,
    the profile's), which does not hold inside a named query with its own
    ``timezone``. The one statement of the rule: the CLI, the REPL, the
    language server, ``NamedQuery.env`` and ``queries check`` all ask it."""
    for zone in on_purpose:
        if zone:
            return zone, True
    return fallback, False


#: The inputs of a query given none: ``Env()``.
DEFAULT_ENV = Env()
