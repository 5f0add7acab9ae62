"""The columns of fetched records: what every output format is made of.

A record of ``GET /voice_campaign/{id}/request`` is a JSON object (the API
facts, docs/client.md). For the columnar formats (CSV, Parquet, Arrow) and
for ``--columns`` it is seen as a row of typed columns:

* the record's fields in the order the API writes them
  (:data:`RECORD_LAYOUT`), each with a type: the schema's type for a filter
  property (``created_date`` a datetime, ``state`` an enum, ...), else the
  type the API facts give it; then the schema's properties the layout does
  not place (a property added to the schema is a column at once);
* ``custom``, a JSON object inside a string, decoded into one column per
  key, ``custom.KEY``: typed by the declared custom fields
  (``[schema.custom_fields]``), a key not declared as a string;
* the lists ``history``, ``call_history`` and ``dialogs`` with the shapes of
  their entries (:data:`LIST_SHAPES`).

:func:`default_columns` is the set a CSV header or a Parquet file starts
with; :func:`parse_columns` reads ``--columns``; :func:`fetch_exclude` says
which heavy fields a fetch of some columns can leave out. Nothing here
imports pyarrow: :mod:`cqlang.output.arrow` turns these columns into Arrow types.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from ..errors import ColumnError
from ..evaluator import decode_custom_exact as decode_custom
from ..schema import DEFAULT_SCHEMA, Schema

__all__ = [
    "HEAVY_FIELDS",
    "LIST_SHAPES",
    "RECORD_LAYOUT",
    "Column",
    "ColumnError",
    "ColumnWarning",
    "custom_column",
    "decode_custom",
    "default_columns",
    "fetch_exclude",
    "parse_columns",
    "project",
    "split_columns",
    "transpose",
]

#: The fields the API's ``exclude`` is for: lists, the heavy part of a record.
HEAVY_FIELDS = ("history", "call_history", "dialogs")

#: The fields of a record in the order the API writes them, each with its
#: type; a filter property's field (``None`` here) is placed here only: its
#: type is the schema's. A property of the schema that this layout does not
#: place is a column all the same, after the fields placed here (a property
#: added to the schema is a column before it is placed: docs/architecture.md,
#: "Adding a record property"); one placed here that the schema given lacks
#: is kept as JSON text, as an undocumented field is. ``custom`` stands for
#: the custom fields' columns.
#: Types: ``string``, ``integer``, ``datetime``, ``enum``, ``integer_list``,
#: and a key of :data:`LIST_SHAPES` (a list of objects of that shape).
RECORD_LAYOUT: tuple[tuple[str, str | None], ...] = (
    ("id", "string"),
    ("name", "string"),
    ("contact_number", None),
    ("current_contact_number", "string"),
    ("contact_identifier", "string"),
    ("case_id", "string"),
    ("case_group", "string"),
    ("state", None),
    ("application_state", None),
    ("call_state", "string"),
    ("call_state_reason", "string"),
    ("priority", None),
    ("consultant_try", None),
    ("contact_try", None),
    ("user_reservation_try", "integer"),
    ("created_date", None),
    ("process_not_before", None),
    ("closed_date", None),
    ("dialing_method", None),
    ("tenant_user_id", None),
    ("assigned_tenant_user_id", None),
    ("project_id", "integer"),
    ("voice_campaign_id", "string"),
    ("close_reason", None),
    ("custom", "custom"),
    # Scheduling: the API facts name them; the format of the dates and
    # hours is not documented, so they are kept as text.
    ("process_date", "string"),
    ("process_from_date", "string"),
    ("process_to_date", "string"),
    ("process_days", "integer_list"),
    ("process_time", "string"),
    ("process_from_time", "integer"),
    ("process_to_time", "integer"),
    ("process_hours", "string"),
    ("history", "history"),
    ("call_history", "call_history"),
    ("dialogs", "dialogs"),
)

#: The entries of the list fields: (key, type) in order.
LIST_SHAPES: dict[str, tuple[tuple[str, str], ...]] = {
    "history": (("date", "datetime"), ("state", "string"), ("tenant_user_id", "integer")),
    "call_history": (("start_time", "datetime"), ("duration", "integer"), ("result", "string")),
    "dialogs": (("id", "string"), ("direction", "string"), ("talking_time", "integer")),
}

_CUSTOM_PREFIX = "custom."
# ``decode_custom`` here is the evaluator's exact reading: the same fields
# and refusals (NaN, Infinity, numbers beyond a double) as a query's, but a
# number with a fraction keeps its text (jsonlimit.Number) for the writers.


@dataclass(frozen=True, slots=True)
class Column:
    """One output column.

    ``name`` is what the column is called (``state``, ``custom.region``);
    ``field`` the record field it reads (``custom`` for a custom field);
    ``key`` the custom key, for ``custom.KEY``; ``type`` one of the types
    of :data:`RECORD_LAYOUT` (``json``: any value, kept as JSON text;
    ``custom``: the ``custom`` field itself, as the API sent it);
    ``values`` an enum's values.
    """

    name: str
    field: str
    type: str
    key: str | None = None
    values: tuple[str, ...] = ()

    def get(self, record: Mapping[str, Any], custom: Mapping[str, Any] | None) -> Any:
        """This column's value in ``record`` (``custom``: its decoded custom
        fields, ``None`` when it has none); ``None`` when absent."""
        if self.key is not None:
            return None if custom is None else custom.get(self.key)
        return record.get(self.field)


def _layout(schema: Schema) -> list[Column]:
    """Every field of a record as a column, in order (``custom`` the field
    as sent): the layout's, typed by the schema where it declares the field,
    then the schema's properties the layout does not place."""
    props = {p.record_field or p.name: p for p in schema.properties.values() if not p.keyed}
    out = []
    for name, typ in RECORD_LAYOUT:
        prop = props.pop(name, None)
        if prop is not None:
            out.append(Column(name, name, prop.type, None, prop.values))
        else:
            out.append(Column(name, name, typ or "json"))
    out += [Column(name, name, p.type, None, p.values) for name, p in props.items()]
    return out


def record_columns(schema: Schema = DEFAULT_SCHEMA) -> list[Column]:
    """The record's own fields as columns (``custom`` left out), typed."""
    return [c for c in _layout(schema) if c.field != "custom"]


def custom_column(key: str, schema: Schema = DEFAULT_SCHEMA) -> Column:
    """The column ``custom.KEY``, typed by the declared custom field (a key
    not declared is a string)."""
    declared = schema.custom_fields.get(key)
    if declared is None:
        return Column(_CUSTOM_PREFIX + key, "custom", "string", key)
    return Column(_CUSTOM_PREFIX + key, "custom", declared.type, key, declared.values)


def extra_column(name: str) -> Column:
    """A field the layout does not know (a server's newer field): kept, as
    JSON text."""
    return Column(name, name, "json")


def default_columns(
    schema: Schema = DEFAULT_SCHEMA, exclude: Iterable[str] | None = ()
) -> list[Column]:
    """The columns a CSV header or a Parquet file starts with: the record's
    fields in the API's order, then ``custom.KEY`` for each declared custom
    field; less the excluded fields."""
    gone = set(exclude or ())
    cols = [c for c in record_columns(schema) if c.field not in gone]
    if "custom" not in gone:
        cols += [custom_column(key, schema) for key in schema.custom_fields]
    return cols


def known_fields(schema: Schema = DEFAULT_SCHEMA) -> list[str]:
    """Every field name ``--columns`` takes besides ``custom.KEY``: the
    record's fields, the schema's properties among them."""
    return [c.field for c in _layout(schema)]


def split_columns(text: str) -> list[str]:
    """A column list's text split into its items, read with the rules of
    the field syntax: a comma ends an item only outside brackets and quotes
    (``id,custom["a,b"]`` is two items; ``custom['x, y']`` too, a quote
    inside the brackets is the query language's string, backslash escapes
    and all), and an item wholly in double quotes is taken as written
    between them, ``""`` standing for one quote (``"custom.a,b"``). Blanks
    around an item go. Raises ValueError, in words, for an empty item, an
    unclosed quote or bracket, text after a closing quote."""
    if not text.strip():
        return []
    items: list[str] = []
    i, n = 0, len(text)
    while True:
        number = len(items) + 1
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] == '"':  # the whole item quoted, as in CSV
            from ..params import split_list

            j = i + 1
            while True:
                close = text.find('"', j)
                if close < 0:
                    raise ValueError(f"the quote that opens item {number} is never closed")
                if not text.startswith('"', close + 1):
                    break
                j = close + 2
            items.append(split_list(text[i : close + 1])[0])
            i = close + 1
            while i < n and text[i].isspace():
                i += 1
            if i < n and text[i] != ",":
                raise ValueError(f"item {number} has text after its closing quote")
        else:
            j, depth, quote = i, 0, ""
            while j < n:
                c = text[j]
                if quote:
                    if c == "\\":
                        j += 1
                    elif c == quote:
                        quote = ""
                elif c in "\"'" and depth:
                    quote = c
                elif c == "[":
                    depth += 1
                elif c == "]" and depth:
                    depth -= 1
                elif c == "," and not depth:
                    break
                j += 1
            if quote:
                raise ValueError(f"the quote inside item {number} is never closed")
            if depth:
                raise ValueError(f"the [ of item {number} is never closed")
            item = text[i:j].strip()
            if not item:
                raise ValueError(f"item {number} is empty (leave out the extra comma)")
            items.append(item)
            i = j
        if i >= n:
            return items
        i += 1  # the comma


class ColumnWarning(UserWarning):
    """A column of ``columns=`` that may be a misspelling: a custom field
    the schema does not declare (where it declares some), a field cqlang
    does not know (the message says which, with a did-you-mean). In strict
    mode (``Schema.strict``, ``[schema] strict = true``) each is a
    :class:`ColumnError` instead."""


def parse_columns(
    spec: str | Sequence[str],
    schema: Schema = DEFAULT_SCHEMA,
    *,
    warn: Callable[[str], None] | None = None,
) -> list[Column]:
    """The columns that ``--columns`` (``columns=`` in Python) names, in
    its order: record fields, ``custom`` (the field as sent), ``custom.KEY``
    or ``custom["KEY"]`` (any key: ``custom.lead source`` is the key ``lead
    source``). Text is split by :func:`split_columns` (commas inside
    brackets or quotes belong to the item).

    A name is read by the query language's rules for a field: a custom
    field the schema does not declare, where it declares some, is a
    warning with the closest declared key (CQL102's words), and so is a
    field the schema does not know (its column is the field as the API
    sends it, JSON text: a newer API's field); in strict mode
    (``schema.strict``) both are errors. A warning goes to ``warn`` (each
    as one line of text), by default to Python's :mod:`warnings` as a
    :class:`ColumnWarning`; it is given only when the whole list is good.

    Raises :class:`ColumnError` for an empty list, an empty custom key
    (``custom.``, ``custom[""]``: CQL119's words), a column named twice
    (``id,id``, ``custom.a,custom["a"]``: both spellings said), and in
    strict mode an unknown field; its message names no option (each front
    end says where the list came from: the CLI adds ``--columns:``)."""
    if isinstance(spec, str):
        try:
            items = split_columns(spec)
        except ValueError as exc:
            raise ColumnError(str(exc)) from None
    else:
        items = [str(s) for s in spec]
    if not items:
        raise ColumnError("name at least one column (e.g. id,state,priority)")
    fields = {c.field: c for c in record_columns(schema)}
    out: dict[str, tuple[str, Column]] = {}
    notes: list[str] = []
    for item in items:
        name = item.strip()
        key = _custom_key(name)
        if key is not None:
            col = _custom(name, key, schema, notes)
        elif name == "custom":
            col = Column("custom", "custom", "custom")
        elif name in fields:
            col = fields[name]
        else:
            col = _unknown(name, fields, schema, notes)
        first = out.get(col.name)
        if first is not None:
            both = f" ({first[0]}, {name})" if first[0] != name else ""
            raise ColumnError(f"{col.name} is named twice{both}; name each column once")
        out[col.name] = (name, col)
    for note in notes:
        if warn is not None:
            warn(note)
        else:
            import warnings

            warnings.warn(note, ColumnWarning, stacklevel=_caller_level())
    return [col for _, col in out.values()]


def _custom(name: str, key: str, schema: Schema, notes: list[str]) -> Column:
    """The column of the custom field ``key`` (written ``name``), read by
    the query language's rules: an empty key refused (CQL119), an
    undeclared one a note where fields are declared, an error in strict
    mode (CQL102)."""
    from ..checker import EMPTY_KEY_HINT, empty_key, undeclared
    from ..diagnostics import suggest

    if not key.strip():
        raise ColumnError(f"{name!r}: {empty_key(key)}; {EMPTY_KEY_HINT}")
    if key not in schema.custom_fields and (schema.custom_fields or schema.strict):
        message, hint = undeclared(key, suggest(key, schema.custom_fields))
        if schema.strict:
            raise ColumnError(f"{message}; {hint} (strict: only declared custom fields)")
        notes.append(f"{message}; {hint}")
    return custom_column(key, schema)


def _unknown(name: str, fields: Mapping[str, Column], schema: Schema, notes: list[str]) -> Column:
    """The column of a field the schema does not know: the field as the
    API sends it, with a note (a did-you-mean, else how a custom field is
    written); in strict mode an error naming the fields."""
    from ..diagnostics import suggest

    close = suggest(name, [*fields, "custom"])
    hint = f"did you mean '{close}'?" if close else f"a custom field is written custom.{name}"
    if schema.strict:
        known = "" if close else f": {', '.join(known_fields(schema))}, and custom.KEY"
        raise ColumnError(
            f"unknown field {name!r}; {hint} (strict: only the fields the schema knows{known})"
        )
    notes.append(
        f"unknown field {name!r}, kept as the API sends it (JSON text, null where a "
        f"record lacks it); {hint}"
    )
    return extra_column(name)


def _caller_level() -> int:
    """The ``stacklevel`` of a warning given in :func:`parse_columns` that
    names the first caller outside cqlang (``client.to_arrow(...)``, not
    the module that reads the columns)."""
    import sys

    frame = sys._getframe(2)  # parse_columns' caller
    level = 2
    while (
        frame.f_back is not None
        and str(frame.f_globals.get("__name__", "")).split(".")[0] == "cqlang"
    ):
        frame = frame.f_back
        level += 1
    return level


def _custom_key(name: str) -> str | None:
    """The key of ``custom.KEY`` or ``custom["KEY"]`` (the key a string of
    the query language, in double or single quotes; JSON's escapes read
    too), else ``None``."""
    if name.startswith(_CUSTOM_PREFIX):
        return name[len(_CUSTOM_PREFIX) :]
    if name.startswith("custom[") and name.endswith("]"):
        from ..parser.lexer import EscapeError, unescape

        inner = name[len("custom[") : -1].strip()
        key: Any = None
        if len(inner) >= 2 and inner[0] in "\"'" and inner[-1] == inner[0]:
            try:
                key = unescape(inner, 0)
            except EscapeError:  # an escape the language lacks: JSON's, as before
                try:
                    key = json.loads(inner)
                except ValueError:
                    key = None
        if not isinstance(key, str):
            raise ColumnError(f'{name!r}: write custom["KEY"] with a quoted key')
        return key
    return None


def fields_read(columns: Iterable[Column]) -> set[str]:
    """The record fields ``columns`` read."""
    return {c.field for c in columns}


def fetch_exclude(
    columns: Sequence[Column] | None,
    exclude: Sequence[str] | None,
    *,
    named: str | None = None,
    option: bool = False,
) -> list[str] | None:
    """What a fetch of ``columns`` asks the API to leave out: ``exclude``,
    plus the heavy fields (:data:`HEAVY_FIELDS`) no column reads. A column
    that reads an excluded field is a :class:`ColumnError`, which says how
    to fix it: when the exclude is the named query ``named``'s own, that
    ``--exclude ''`` overrides it; when it is the ``--exclude`` given
    (``option``), to name the field in only one of the two. ``None`` when
    nothing is to be left out."""
    given = list(exclude or ())
    if columns is None:
        return given or None
    read = fields_read(columns)
    clash = [c.name for c in columns if c.field in given]
    if clash:
        if named is None and not option:  # Python's columns= and exclude=, worded as the CLI's
            raise ColumnError(
                f"columns= asks for {', '.join(clash)}, which exclude= leaves out: "
                "name it in only one of them"
            )
        asked = f"--columns asks for {', '.join(clash)}"
        if named is not None:
            raise ColumnError(
                f"{asked}, which the exclude of @{named} leaves out; give --exclude '' to "
                "fetch with nothing left out (or --exclude FIELDS to leave out others)"
            )
        if option:
            raise ColumnError(f"{asked}, which --exclude leaves out: name it in only one of them")
    out = list(dict.fromkeys([*given, *(f for f in HEAVY_FIELDS if f not in read)]))
    return out or None


def needs_custom(columns: Iterable[Column]) -> bool:
    return any(c.key is not None for c in columns)


def project(record: Mapping[str, Any], columns: Sequence[Column]) -> dict[str, Any]:
    """``record`` as an object of ``columns``, in their order: what JSON
    Lines and JSON write under ``--columns`` (a custom field decoded; a
    field the record lacks is ``null``)."""
    custom = decode_custom(record)[0] if needs_custom(columns) else None
    return {c.name: c.get(record, custom) for c in columns}


def transpose(
    records: Sequence[Mapping[str, Any]], names: Sequence[str]
) -> list[Sequence[Any] | None]:
    """The values of each field of ``names`` in ``records`` (``None`` for a
    field no record has). Records with the same keys, as a server writes
    them, are read with one ``itemgetter`` each and transposed by ``zip``,
    in C; others field by field."""
    if not records:
        return [[] for _ in names]
    first = records[0].keys()
    if all(r.keys() == first for r in records):
        present = [n for n in names if n in first]
        if not present:
            return [None for _ in names]
        getter = itemgetter(*present)
        found: dict[str, Sequence[Any]]
        if len(present) == 1:
            found = {present[0]: [getter(r) for r in records]}
        else:
            rows: Iterable[Sequence[Any]] = zip(*map(getter, records), strict=True)
            found = dict(zip(present, rows, strict=True))
        return [found.get(n) for n in names]
    seen: set[str] = set()
    for rec in records:
        seen.update(rec)
    return [[r.get(n) for r in records] if n in seen else None for n in names]
