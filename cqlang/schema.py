"""Properties as data: what the endpoint's ``filter`` accepts.

:data:`VOICE_CAMPAIGN_REQUEST_SPEC` is the one declaration of the filter
properties of ``GET /voice_campaign/{id}/request`` (from the API page): each
property's value type, how the API tests it and which operators it takes.
The checker, the compiler, the evaluator, the completion engine and the
property table in docs/language.md are all derived from it. A caller extends
it with :meth:`Schema.with_custom_fields` (typed custom fields) or builds a
schema for another endpoint with :meth:`Schema.from_dict`.

Value types: ``datetime`` (UTC ``YYYY-MM-DD HH:mm:ss``), ``integer``,
``enum`` (a closed set of upper-case words) and ``string``.

How the API tests a property (``api``):

* ``range``: ``{"operator": op, "value": scalar}`` with ``operators`` listing
  the API operators it takes (``gte``, ``lte``, ``gt``, ``lt``, ``eq``, ``ne``);
* ``membership``: ``{"value": [v1, v2, ...]}``, "any of";
* ``equality``: ``{"value": scalar}``; with ``keyed`` also ``"key"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from . import argcheck
from .errors import SchemaError
from .node import Node
from .node import field as attr

_set = object.__setattr__  # how __post_init__ fills in what it works out

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any, TypeGuard

    from .types import ApiKind, ApiOperator, Op, ValueType

TYPES = ("datetime", "integer", "enum", "string")
API_KINDS = ("range", "membership", "equality")

#: The operators of the API's filter objects (``types.ApiOperator``), each
#: with the atom of the checked form (cqlang/ir.py) that means the same:
#: the evaluator reads a filter list through it.
API_OPERATOR_ATOMS: dict[str, Op] = {
    "gt": "gt",
    "gte": "ge",
    "lte": "le",
    "lt": "lt",
    "eq": "eq",
    "ne": "ne",
}
API_OPERATORS = tuple(API_OPERATOR_ATOMS)
ORDERED_TYPES = frozenset({"datetime", "integer"})

#: The comparison operators of the language, by value type: ordering only
#: where values are ordered. ``is null`` is available on every property.
LANGUAGE_OPERATORS: dict[str, tuple[str, ...]] = {
    "datetime": ("=", "!=", "<", "<=", ">", ">=", "in", "not in", "between", "not between"),
    "integer": ("=", "!=", "<", "<=", ">", ">=", "in", "not in", "between", "not between"),
    "enum": ("=", "!=", "in", "not in"),
    "string": ("=", "!=", "in", "not in"),
}

#: Integers the API accepts: JSON-safe, magnitude at most 2**53 - 1.
MAX_INT = 2**53 - 1

VOICE_CAMPAIGN_REQUEST_SPEC: dict[str, Any] = {
    "endpoint": "/voice_campaign/{voice_campaign_id}/request",
    "properties": {
        "created_date": {
            "type": "datetime",
            "api": "range",
            "operators": ["gte", "lte"],
            "description": "when the request was created (UTC)",
        },
        "closed_date": {
            "type": "datetime",
            "api": "range",
            "operators": ["gte", "lte"],
            "description": "when the request was closed (UTC; null while open)",
        },
        "process_not_before": {
            "type": "datetime",
            "api": "range",
            "operators": ["gte", "lte"],
            "description": "not to be processed before this time (UTC)",
        },
        "state": {
            "type": "enum",
            "api": "membership",
            "values": ["OPEN", "PROCESSING", "CLOSED"],
            "description": "the request's state",
        },
        "application_state": {
            "type": "enum",
            "api": "membership",
            "values": ["NEW", "RECALL", "RETRY", "CLOSED"],
            "description": "the request's state in the dialing application",
        },
        "contact_number": {
            "type": "string",
            "api": "equality",
            "description": "the number to call (digits, sent as a string)",
        },
        "dialing_method": {
            "type": "string",
            "api": "equality",
            "description": "PREVIEW, PREDICTIVE, PROGRESSIVE or manual",
        },
        "tenant_user_id": {
            "type": "integer",
            "api": "membership",
            "description": "the user who owns the request",
        },
        "assigned_tenant_user_id": {
            "type": "integer",
            "api": "membership",
            "description": "the user the request is assigned to",
        },
        "close_reason": {
            "type": "string",
            "api": "membership",
            "description": "why the request was closed (an open set of words)",
        },
        "custom_fields": {
            "type": "string",
            "api": "equality",
            "keyed": True,
            "record_field": "custom",
            "description": 'a custom field, written custom.KEY or custom["KEY"]',
        },
        "priority": {
            "type": "integer",
            "api": "range",
            "operators": ["gt", "gte", "lte", "lt", "eq", "ne"],
            "description": "the request's priority",
        },
        "consultant_try": {
            "type": "integer",
            "api": "range",
            "operators": ["gt", "gte", "lte", "lt", "eq", "ne"],
            "description": "attempts by a consultant",
        },
        "contact_try": {
            "type": "integer",
            "api": "range",
            "operators": ["gt", "gte", "lte", "lt", "eq", "ne"],
            "description": "attempts to reach the contact",
        },
    },
}


def is_value_type(name: object) -> TypeGuard[ValueType]:
    """Whether ``name`` is one of :data:`TYPES`."""
    return name in TYPES


class Property(Node):
    """One filter property of the endpoint."""

    name: str
    type: ValueType
    api: ApiKind
    operators: tuple[ApiOperator, ...] = ()
    values: tuple[str, ...] = ()
    keyed: bool = False
    record_field: str = ""
    description: str = ""

    @property
    def ordered(self) -> bool:
        return self.type in ORDERED_TYPES

    def language_operators(self) -> tuple[str, ...]:
        return LANGUAGE_OPERATORS[self.type]


class CustomField(Node):
    """A declared custom field: its key and the type of its values."""

    key: str
    type: ValueType = "string"
    values: tuple[str, ...] = ()


_NO_FIELDS: Mapping[str, CustomField] = MappingProxyType({})


class Schema(Node):
    """The properties of one endpoint, plus declared custom fields.

    A value: equal to, and hashed as, any schema declaring the same (the
    hash is computed once), so that equal schemas share compiled plans
    (the plan cache is keyed by the compile inputs, the schema among them).
    """

    endpoint: str
    properties: Mapping[str, Property]
    custom_fields: Mapping[str, CustomField] = _NO_FIELDS
    strict: bool = False
    # Worked out once: the properties by lower-case name, the keyed one, the hash.
    _lower: dict[str, Property] = attr(init=False, compare=False, repr=False)
    _keyed: Property | None = attr(init=False, compare=False, repr=False)
    _hash: int | None = attr(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Copies, read-only: nobody can change a schema after its hash is taken.
        _set(self, "properties", MappingProxyType(dict(self.properties)))
        if self.custom_fields is not _NO_FIELDS:
            _set(self, "custom_fields", MappingProxyType(dict(self.custom_fields)))
        _set(self, "_lower", {k.lower(): p for k, p in self.properties.items()})
        _set(self, "_keyed", next((p for p in self.properties.values() if p.keyed), None))
        _set(self, "_hash", None)

    def __reduce__(self) -> tuple[Any, ...]:
        # The read-only mappings are given as plain ones (a mappingproxy
        # does not pickle).
        fields = (self.endpoint, dict(self.properties), dict(self.custom_fields), self.strict)
        return (Schema, fields)

    def __hash__(self) -> int:
        h = self._hash
        if h is None:
            h = hash(
                (
                    self.endpoint,
                    frozenset(self.properties.items()),
                    frozenset(self.custom_fields.items()),
                    self.strict,
                )
            )
            _set(self, "_hash", h)
        return h

    def lookup(self, name: str) -> Property | None:
        """The property called ``name`` (case-insensitive), or ``None``."""
        return self._lower.get(name.lower())

    @property
    def keyed(self) -> Property | None:
        """The property that holds custom fields (``custom_fields``), if any."""
        return self._keyed

    def custom_field(self, key: str) -> CustomField | None:
        return self.custom_fields.get(key)

    def with_custom_fields(
        self, fields: Mapping[str, Any] | Iterable[CustomField], *, strict: bool | None = None
    ) -> Schema:
        """A copy with custom fields declared, as ``CustomField`` objects or as
        ``{key: "integer"}`` / ``{key: {"type": "enum", "values": [...]}}``.
        Arguments of the wrong type (``fields`` neither, a key that is no
        ``str``, ``strict`` no ``bool``) raise ``TypeError``; a declaration
        that makes no sense (an unknown type, a blank key) a
        :class:`SchemaError`."""
        argcheck.flag("strict", strict, optional=True)
        declared = dict(self.custom_fields)
        if isinstance(fields, Mapping):
            items: Iterable[tuple[Any, Any]] = argcheck.mapping(
                "fields", fields, names="custom field keys"
            ).items()
        elif isinstance(fields, Iterable) and not isinstance(fields, str | bytes):
            fields = list(fields)
            for f in fields:
                argcheck.instance("each of fields", f, CustomField, "a CustomField")
            items = ((f.key, f) for f in fields)
        else:
            takes = "a mapping of keys to declarations, or CustomField objects"
            raise argcheck.wrong_type("fields", takes, fields)
        for key, spec in items:
            declared[key] = spec if isinstance(spec, CustomField) else _custom_field(key, spec)
        return self.replace(
            custom_fields=declared, strict=self.strict if strict is None else strict
        )

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Schema:
        """Build a schema from plain data (the shape of the spec above):
        ``spec`` that is no mapping is a ``TypeError``; data of the wrong
        shape inside it (no ``properties``, a property that is no table or
        has no valid ``type``, a custom field key that is no ``str``...) a
        :class:`SchemaError`, naming the property, as for any declaration
        that makes no sense: the spec is data, read from a file or JSON
        (:meth:`with_custom_fields`, called from Python, keeps ``TypeError``
        for an argument of the wrong type)."""
        argcheck.instance("spec", spec, Mapping, "a mapping (the shape of the schema's spec)")
        properties = spec.get("properties")
        if not isinstance(properties, Mapping) or not properties:
            raise SchemaError("a schema's properties are a non-empty table: name -> table")
        props: dict[str, Property] = {}
        for name, p in properties.items():
            if not isinstance(name, str) or not isinstance(p, Mapping):
                raise SchemaError(f"property {name!r}: a property is a table (type, api...)")
            typ: Any = p.get("type")  # checked below, for what it is
            api: Any = p.get("api")
            for key, want in (("operators", list), ("values", list)):
                if not isinstance(p.get(key, []), want | tuple):
                    raise SchemaError(f"{name}: {key} is a list", name)
            for key, kind in (("keyed", bool), ("record_field", str), ("description", str)):
                if key in p and not isinstance(p[key], kind):
                    raise SchemaError(f"{name}: {key} is a {kind.__name__}", name)
            if not is_value_type(typ):
                raise SchemaError(f"{name}: type {typ!r} is not one of {', '.join(TYPES)}", name)
            if api not in API_KINDS:
                raise SchemaError(f"{name}: api {api!r} is not one of {', '.join(API_KINDS)}", name)
            ops = tuple(p.get("operators", ()))
            bad = [o for o in ops if o not in API_OPERATORS]
            if bad:
                raise SchemaError(f"{name}: unknown API operators {bad}", name)
            values = tuple(str(v).upper() for v in p.get("values", ()))
            if typ == "enum" and not values:
                raise SchemaError(f"{name}: an enum needs values", name)
            props[name] = Property(
                name=name,
                type=typ,
                api=api,
                operators=ops,
                values=values,
                keyed=bool(p.get("keyed", False)),
                record_field=p.get("record_field", name),
                description=p.get("description", ""),
            )
        endpoint = spec.get("endpoint", "")
        if not isinstance(endpoint, str):
            raise SchemaError("a schema's endpoint is a str")
        schema = cls(endpoint, MappingProxyType(props))
        custom = spec.get("custom_fields")
        if custom is not None and not isinstance(custom, Mapping):
            raise SchemaError("a schema's custom_fields are a table: key -> declaration")
        for key in custom or ():  # data, not a call: a wrong shape is no TypeError here
            if not isinstance(key, str):
                raise SchemaError(
                    f"custom field {key!r}: a custom field's key is text, not {argcheck.kind(key)}"
                )
        if custom:
            schema = schema.with_custom_fields(custom)
        return schema


def _custom_field(key: str, spec: Any) -> CustomField:
    if not key.strip():
        # A query could never name it: custom[""] is CQL119.
        raise SchemaError(f"custom field {key!r}: a custom field's key cannot be empty or blank")
    values: tuple[str, ...] = ()
    if isinstance(spec, str):
        typ = spec
    elif isinstance(spec, Mapping):
        typ = spec.get("type", "string")
        listed = spec.get("values", ())
        if not isinstance(listed, list | tuple):
            raise SchemaError(f"custom field {key!r}: values is a list", key)
        values = tuple(str(v) for v in listed)
    else:
        raise SchemaError(f"custom field {key!r}: expected a type name or a table", key)
    if not is_value_type(typ):
        raise SchemaError(
            f"custom field {key!r}: type {typ!r} is not one of {', '.join(TYPES)}", key
        )
    if typ == "enum" and not values:
        raise SchemaError(f"custom field {key!r}: an enum needs values", key)
    if typ == "enum":
        _one_spelling(key, values)
    # Declared values keep their spelling: the API compares custom fields as
    # case-sensitive strings. Queries may write them in any case.
    return CustomField(key, typ, values)


def _one_spelling(key: str, values: tuple[str, ...]) -> None:
    """Refuse enum values that differ only in case (``gold`` and ``GOLD``):
    a query writes a value in any case, so ``custom.tier = gold`` could not
    say which one it means (and ``!=`` would pick one silently)."""
    seen: dict[str, str] = {}
    for value in values:
        folded = value.casefold()
        first = seen.setdefault(folded, value)
        if first != value:
            raise SchemaError(
                f"custom field {key!r}: the enum values {first!r} and {value!r} differ only "
                "in case, and a query's value is matched in any case: keep one of them "
                "(or declare the field a string, compared exactly)",
                key,
                shape=False,
            )


#: The schema of ``GET /voice_campaign/{id}/request``.
VOICE_CAMPAIGN_REQUESTS = Schema.from_dict(VOICE_CAMPAIGN_REQUEST_SPEC)

DEFAULT_SCHEMA = VOICE_CAMPAIGN_REQUESTS


def property_table(schema: Schema = DEFAULT_SCHEMA) -> str:
    """The Markdown table of properties that docs/language.md shows."""
    rows = [
        "| property | type | operators in cqlang | sent to the API as |",
        "|---|---|---|---|",
    ]
    for p in schema.properties.values():
        typ = "enum: " + ", ".join(p.values) if p.type == "enum" else p.type
        ops = ", ".join(f"`{o}`" for o in p.language_operators()) + ", `is [not] null`"
        if p.api == "range":
            api = "operator " + ", ".join(f"`{o}`" for o in p.operators)
        elif p.api == "membership":
            api = "a list of values (any of)"
        else:
            api = "one value" + (" and `key`" if p.keyed else "")
        name = '`custom.KEY`, `custom["KEY"]`' if p.keyed else f"`{p.name}`"
        rows.append(f"| {name} | {typ} | {ops} | {api} |")
    return "\n".join(rows)
