"""Records as typed Arrow data: the :class:`Converter` of records to record
batches (:mod:`cqlang.output.arrow` is the Python API over it, and
:mod:`cqlang.output.arrowfile` writes its batches to Parquet or Arrow IPC files).

Needs pyarrow (the extra ``cqlang[arrow]``); :func:`require` says so in a
usage error when it is missing. Columns come from :mod:`cqlang.output.columns`:

* ``datetime`` as ``timestamp[s, tz=UTC]`` (Parquet has no seconds unit: a
  Parquet file stores them as milliseconds, whole seconds all);
* ``integer`` as ``int64``; ``enum`` (closed: the schema's values) as a
  dictionary of strings whose dictionary is the declared values;
* ``string`` as ``string``; a field the layout does not know, and a value
  that is not a string in a string column, as its JSON text;
* ``custom.KEY`` for each custom field, typed by its declaration (a key not
  declared is a string); a record whose ``custom`` is missing or ``null``
  has ``null`` in all of them;
* ``history``, ``call_history``, ``dialogs`` as lists of structs
  (:data:`cqlang.output.columns.LIST_SHAPES`); ``process_days`` as a list of int64.

A value that does not fit its column (``"abc"`` for an integer, a datetime
that does not parse, a word outside a closed enum, an entry of a list that
is not an object) becomes ``null`` and is counted: :meth:`Converter.notes`
words the counts (the command line prints them as warnings) and a file
records them in its metadata (``cqlang.misfits``). Keys of list entries
that their shape does not know are counted likewise, and left out. A lone
surrogate, which Arrow's UTF-8 cannot hold, is written as U+FFFD and
counted apart (``cqlang.replaced``; :mod:`cqlang.output.surrogates`).

Without a fixed list of columns the layout does not depend on the order
the records come in: the record's fields in the API's order, the fields it
does not know sorted by code point, the declared custom fields in their
declared order, then the other custom keys sorted by code point
(:meth:`Converter.columns`). A key first seen after the first batch adds a
column, in its sorted place, to the batches from then on; a file written
by :class:`cqlang.output.arrowfile.FileSink` (and
:meth:`cqlang.Client.to_arrow`'s table) gets the final layout in every row
(earlier rows ``null``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..errors import MissingExtra
from ..jsonlimit import dumps
from ..schema import DEFAULT_SCHEMA, Schema
from .arrowtime import parse_datetimes
from .columns import (
    LIST_SHAPES,
    Column,
    custom_column,
    decode_custom,
    default_columns,
    extra_column,
    known_fields,
    transpose,
)

__all__ = [
    "BATCH_RECORDS",
    "Converter",
    "MissingExtra",
    "batches_of",
    "require",
]

#: Records converted at a time (one record batch).
BATCH_RECORDS = 4096
_INT64 = (-(2**63), 2**63 - 1)


def require(what: str = "the parquet format") -> Any:
    """The ``pyarrow`` module, or :class:`MissingExtra` saying how to get it."""
    try:
        import pyarrow
        import pyarrow.compute
    except ImportError:
        raise MissingExtra(
            f"{what} needs pyarrow, which is not installed: pip install 'cqlang[arrow]'", "arrow"
        ) from None
    return pyarrow


def _json(value: Any) -> str:
    """Compact JSON text, a number read from JSON as it was sent (``12.50``:
    :func:`cqlang.jsonlimit.dumps`); a float NaN or infinity (no JSON) is a
    ValueError."""
    return dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _shown(value: Any) -> str:
    from ..visible import visible

    text = repr(value)
    return visible(text if len(text) <= 40 else text[:39] + "…")


class Converter:
    """Records to :class:`pyarrow.RecordBatch`es of typed columns.

    ``columns``: the columns, fixed (``--columns``); ``None``: the record's
    fields less ``exclude`` and the declared custom fields, then any other
    field or custom key as it turns up, each in its place of the stable
    layout (:attr:`columns`). ``metadata`` goes into every batch's schema.
    """

    def __init__(
        self,
        columns: Sequence[Column] | None = None,
        *,
        schema: Schema = DEFAULT_SCHEMA,
        exclude: Iterable[str] | None = (),
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        self.pa = pa = require()
        self.pc = pa.compute
        self.schema = schema
        self.fixed = columns is not None
        gone = set(exclude or ())
        if columns is not None:
            self._plain = [c for c in columns if c.key is None]
            self._custom = {c.key: c for c in columns if c.key is not None}
            self._order = list(columns)
        else:
            self._plain = [c for c in default_columns(schema, gone) if c.key is None]
            self._custom = {c.key: c for c in default_columns(schema, gone) if c.key is not None}
            self._order = []
        #: The declared custom keys, in their declared order (the rest sort).
        self._declared = tuple(self._custom)
        self._declared_set = frozenset(self._declared)
        self._decode = bool(self._custom) or (not self.fixed and "custom" not in gone)
        self._extra: dict[str, Column] = {}
        self._known = frozenset(known_fields(schema))
        self._known_custom = frozenset(self._custom)
        self.metadata = {k.encode(): v.encode() for k, v in (metadata or {}).items()}
        self.misfits: dict[str, list[Any]] = {}  # column: [count, example]
        self.unknown_keys: dict[str, list[Any]] = {}  # list column: [count, example key]
        self.bad_custom = 0
        self.mended: dict[str, int] = {}  # column: values with a lone surrogate, mended
        self._schema_cache: Any = None

    # ------------------------------------------------------------ columns

    @property
    def columns(self) -> list[Column]:
        """The columns of the batches so far, in order: the fixed ones as
        given; else the stable layout of the module's docstring, which
        depends on which keys were seen, never on when."""
        if self.fixed:
            return self._order
        custom = self._custom
        declared = self._declared_set
        others = (
            sorted(k for k in custom if k not in declared) if len(custom) > len(declared) else ()
        )
        return [
            *self._plain,
            *(self._extra[name] for name in sorted(self._extra)),
            *(custom[k] for k in self._declared),
            *(custom[k] for k in others),
        ]

    def arrow_type(self, col: Column) -> Any:
        pa = self.pa
        typ = col.type
        if typ == "integer":
            return pa.int64()
        if typ == "datetime":
            return pa.timestamp("s", tz="UTC")
        if typ == "enum":
            return pa.dictionary(pa.int32(), pa.string())
        if typ == "integer_list":
            return pa.list_(pa.int64())
        shape = LIST_SHAPES.get(typ)
        if shape is not None:
            fields = [pa.field(k, self.arrow_type(Column(k, k, t))) for k, t in shape]
            return pa.list_(pa.struct(fields))
        return pa.string()

    @property
    def arrow_schema(self) -> Any:
        """The Arrow schema of the batches so far (with the metadata)."""
        if self._schema_cache is None:
            fields = [self.pa.field(c.name, self.arrow_type(c)) for c in self.columns]
            self._schema_cache = self.pa.schema(fields, metadata=self.metadata or None)
        return self._schema_cache

    def _discover(self, records: Sequence[Mapping[str, Any]], customs: list[Any]) -> None:
        """New fields and custom keys become columns (not with fixed columns)."""
        known = self._known
        for rec in records:
            if not known.issuperset(rec):
                for name in rec:
                    if name not in known and name not in self._extra:
                        self._extra[name] = extra_column(name)
                        self._schema_cache = None
        if not self._decode:
            return
        known_custom = self._known_custom
        for fields in customs:
            if fields and not known_custom.issuperset(fields):
                for key in fields:
                    if key not in self._custom:
                        self._custom[key] = custom_column(str(key), self.schema)
                        self._schema_cache = None
                known_custom = self._known_custom = frozenset(self._custom)

    # --------------------------------------------------------- converting

    def convert(self, records: Sequence[Mapping[str, Any]]) -> Any:
        """One record batch of ``records``. A text holding a lone surrogate,
        which UTF-8 (and so Arrow) cannot hold, fails the batch; it is then
        converted again with U+FFFD in place of each one
        (:mod:`cqlang.output.surrogates`), the counts of the failed try
        undone: clean batches pay nothing."""
        state = self._counts()
        try:
            return self._convert(records, False)
        except UnicodeEncodeError:
            self._restore(state)
            return self._convert(records, True)

    def _counts(self) -> tuple[Any, ...]:
        """What converting a batch counts or adds, to undo a failed try."""
        return (
            {k: list(v) for k, v in self.misfits.items()},
            {k: list(v) for k, v in self.unknown_keys.items()},
            self.bad_custom,
            dict(self._extra),
            dict(self._custom),
        )

    def _restore(self, state: tuple[Any, ...]) -> None:
        self.misfits, self.unknown_keys, self.bad_custom, self._extra, self._custom = state
        self._known_custom = frozenset(self._custom)
        self._schema_cache = None

    def _convert(self, records: Sequence[Mapping[str, Any]], mend: bool) -> Any:
        from .surrogates import mend_record

        custom_counts: dict[str, int] = {}
        if mend:
            records = [mend_record(rec, self.mended) for rec in records]
        customs: list[Any] = []
        if self._decode:
            for rec in records:
                fields, ok = decode_custom(rec)
                if not ok:
                    self.bad_custom += 1
                if mend and fields:
                    fields = mend_record(fields, custom_counts)
                customs.append(fields)
        for key, n in custom_counts.items():
            self.mended[f"custom.{key}"] = self.mended.get(f"custom.{key}", 0) + n
        if not self.fixed:
            self._discover(records, customs)
        columns = self.columns
        plain = self._plain_arrays([c for c in columns if c.key is None], records)
        arrays = []
        for col in columns:
            if col.key is None:
                arrays.append(plain[col.name])
                continue
            key = col.key
            values = [None if c is None else c.get(key) for c in customs]
            arrays.append(self._array(col.name, col.type, col.values, values, True))
        return self.pa.RecordBatch.from_arrays(arrays, schema=self.arrow_schema)

    def _raw_type(self, col: Column) -> Any:
        """The type pyarrow reads a field's JSON value as, before the
        datetimes are parsed and the enums encoded."""
        pa = self.pa
        if col.type in ("integer", "integer_list"):
            return self.arrow_type(col)
        shape = LIST_SHAPES.get(col.type)
        if shape is not None:
            kinds = [(k, "string" if t == "datetime" else t) for k, t in shape]
            return pa.list_(
                pa.struct([pa.field(k, self.arrow_type(Column(k, k, t))) for k, t in kinds])
            )
        return pa.string()

    def _plain_arrays(
        self, columns: Sequence[Column], records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any]:
        """The record's own fields, by column name. Each column is read by
        pyarrow's C++ from its values; a column with a value that does not
        fit its raw type goes the careful way, value by value, counting
        misfits."""
        pa = self.pa
        out = {}
        for col, values in zip(
            columns, transpose(records, [c.field for c in columns]), strict=True
        ):
            if values is None:  # no record has the field
                out[col.name] = self._nulls(col, len(records))
                continue
            try:
                raw = self._raw_type(col)
                arr = (
                    self._whole_ints(values, raw)
                    if col.type in ("integer", "integer_list")
                    else pa.array(values, raw)
                )
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
                out[col.name] = self._array(col.name, col.type, col.values, list(values), False)
                continue
            if col.type == "datetime":
                arr = self._parse_datetimes(col.name, arr)
            elif col.type == "enum":
                arr = self._encode(col.name, col.values, arr)
            elif col.type in LIST_SHAPES:
                arr = self._finish_entries(col.name, col.type, arr, values)
                if arr is None:
                    arr = self._array(col.name, col.type, col.values, list(values), False)
            out[col.name] = arr
        return out

    def _nulls(self, col: Column, n: int) -> Any:
        pa = self.pa
        if col.type == "enum":  # the same dictionary in every batch
            dictionary = pa.array(list(col.values), pa.string())
            return pa.DictionaryArray.from_arrays(pa.nulls(n, pa.int32()), dictionary)
        return pa.nulls(n, self.arrow_type(col))

    def _finish_entries(self, name: str, typ: str, arr: Any, values: Sequence[Any]) -> Any:
        """A list of structs read with its datetimes as text: the datetimes
        parsed, and the entries' keys that the shape does not know counted
        (pyarrow leaves them out); ``None`` (read it the careful way) for an
        entry that is not an object or an integer written as a float, which
        pyarrow would take as a null entry and an integer."""
        pa = self.pa
        shape = LIST_SHAPES[typ]
        keyset = frozenset(k for k, _ in shape)
        ints = [k for k, t in shape if t == "integer"]
        unknown: list[Any] = [0, None]
        for entries in values:
            for entry in entries or ():
                if entry.__class__ is not dict:
                    return None
                for k in ints:
                    if isinstance(entry.get(k), float):  # jsonlimit.Number is one too
                        return None
                if not keyset.issuperset(entry):
                    unknown[0] += 1
                    if unknown[1] is None:
                        unknown[1] = _shown(next(k for k in entry if k not in keyset))
        if unknown[0]:
            self.unknown_keys.setdefault(name, [0, unknown[1]])[0] += unknown[0]
        structs = arr.values
        children = []
        for i, (key, t) in enumerate(shape):
            child = structs.field(i)
            if t == "datetime":
                child = self._parse_datetimes(f"{name}.{key}", child)
            children.append(child)
        fields = [pa.field(k, c.type) for (k, _), c in zip(shape, children, strict=True)]
        mask = structs.is_null() if structs.null_count else None
        rebuilt = pa.StructArray.from_arrays(children, fields=fields, mask=mask)
        lmask = arr.is_null() if arr.null_count else None
        return pa.ListArray.from_arrays(arr.offsets, rebuilt, mask=lmask)

    def empty(self) -> Any:
        """A batch of no rows, of the columns so far."""
        return self.convert([])

    def _misfit(self, column: str, value: Any) -> None:
        entry = self.misfits.get(column)
        if entry is None:
            self.misfits[column] = [1, _shown(value)]
        else:
            entry[0] += 1

    def _array(
        self, name: str, typ: str, values_of_enum: tuple[str, ...], values: list[Any], custom: bool
    ) -> Any:
        pa = self.pa
        bad = (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError)
        if typ == "integer":
            try:
                return self._whole_ints(values, pa.int64())
            except bad:
                return pa.array([self._int(name, v, custom) for v in values], pa.int64())
        if typ == "datetime":
            return self._parse_datetimes(name, self._text_only(name, values), not custom)
        if typ == "enum":
            return self._enum(name, values_of_enum, values)
        if typ == "integer_list":
            try:
                return self._whole_ints(values, pa.list_(pa.int64()))
            except bad:
                return pa.array([self._int_list(name, v) for v in values], pa.list_(pa.int64()))
        shape = LIST_SHAPES.get(typ)
        if shape is not None:
            return self._entries(name, shape, values)
        return self._strings(name, values)

    def _whole_ints(self, values: Sequence[Any], typ: Any) -> Any:
        """``values`` as ``typ`` (``int64`` or a list of them) when each is a
        JSON integer (a list of them) or ``null``; else ``ArrowInvalid``.
        pyarrow's conversion to ``int64`` takes ``3.0`` as 3, the evaluator
        (and so a file) takes it as no integer: the type pyarrow infers
        tells them apart (``double``)."""
        pa = self.pa
        arr = pa.array(values)
        if arr.type == typ:
            return arr
        if pa.types.is_null(arr.type):
            return pa.nulls(len(arr), typ)
        if pa.types.is_list(typ) and arr.type == pa.list_(pa.null()):
            return arr.cast(typ)
        raise pa.ArrowInvalid(f"not integers: {arr.type}")

    def _strings(self, name: str, values: list[Any]) -> Any:
        """Text as it is; any other value as its JSON text (integers and
        booleans cast in pyarrow, whose text is JSON's); a value that has
        none (a float NaN or infinity, which only records made in Python
        hold) is a misfit."""
        pa = self.pa
        try:
            arr = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            arr = None
        if arr is not None:
            if arr.type == pa.string():
                return arr
            if pa.types.is_null(arr.type) or arr.type in (pa.int64(), pa.bool_()):
                return arr.cast(pa.string())
        try:
            texts = [v if v is None or type(v) is str else _json(v) for v in values]
        except ValueError:
            texts = [self._json_or_null(name, v) for v in values]
        return pa.array(texts, pa.string())

    def _json_or_null(self, name: str, value: Any) -> str | None:
        if value is None or type(value) is str:
            return value
        try:
            return _json(value)
        except ValueError:
            self._misfit(name, value)
            return None

    def _int(self, name: str, v: Any, custom: bool) -> int | None:
        if v is None:
            return None
        if type(v) is int and _INT64[0] <= v <= _INT64[1]:
            return v
        if custom and type(v) is str:
            from ..evaluator import as_int

            number = as_int(v)  # a custom field compares as text: "5" is 5
            if number is not None:
                return number
        self._misfit(name, v)
        return None

    def _int_list(self, name: str, v: Any) -> list[int] | None:
        if v is None:
            return None
        if type(v) is list and all(type(x) is int and _INT64[0] <= x <= _INT64[1] for x in v):
            return v
        self._misfit(name, v)
        return None

    def _text_only(self, name: str, values: list[Any]) -> Any:
        """``values`` as a string array, a value that is not a string being a
        misfit (``null``)."""
        pa = self.pa
        try:
            return pa.array(values, pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            cleaned = []
            for v in values:
                if v is None or type(v) is str:
                    cleaned.append(v)
                else:
                    self._misfit(name, v)
                    cleaned.append(None)
            return pa.array(cleaned, pa.string())

    def _count_lost(self, name: str, before: Any, after: Any) -> None:
        """Count the values valid in ``before`` and null in ``after``."""
        lost = after.null_count - before.null_count
        if lost <= 0:
            return
        pc = self.pc
        where = pc.and_(before.is_valid(), after.is_null())
        first = pc.index(where, True).as_py()
        entry = self.misfits.setdefault(name, [0, _shown(before[first].as_py())])
        entry[0] += lost

    def _parse_datetimes(self, name: str, text: Any, record: bool = True) -> Any:
        """A string array of datetimes as ``timestamp[s, UTC]``, read as the
        evaluator reads a record's own datetime (``record``) or a declared
        custom one (:mod:`cqlang.output.arrowtime`); a text it reads as
        missing is a misfit."""
        stamps = parse_datetimes(self.pa, text, record=record)
        self._count_lost(name, text, stamps)
        return stamps.cast(self.pa.timestamp("s", tz="UTC"))

    def _enum(self, name: str, allowed: tuple[str, ...], values: list[Any]) -> Any:
        return self._encode(name, allowed, self._text_only(name, values))

    def _encode(self, name: str, allowed: tuple[str, ...], text: Any) -> Any:
        """A string array as a dictionary whose dictionary is ``allowed``
        (the same in every batch); a word outside it is a misfit."""
        pa, pc = self.pa, self.pc
        dictionary = pa.array(list(allowed), pa.string())
        indices = pc.index_in(text, value_set=dictionary).cast(pa.int32())
        self._count_lost(name, text, indices)
        return pa.DictionaryArray.from_arrays(indices, dictionary)

    def _entries(self, name: str, shape: tuple[tuple[str, str], ...], values: list[Any]) -> Any:
        """A list field as a list of structs of ``shape``."""
        pa = self.pa
        keys = [k for k, _ in shape]
        keyset = frozenset(keys)
        children: dict[str, list[Any]] = {k: [] for k in keys}
        offsets = [0]
        list_null: list[bool] = []
        entry_null: list[bool] = []
        total = 0
        for v in values:
            if type(v) is not list:
                if v is not None:
                    self._misfit(name, v)
                list_null.append(True)
                offsets.append(total)
                continue
            list_null.append(False)
            for entry in v:
                if type(entry) is dict:
                    if not keyset.issuperset(entry):
                        extra = next(k for k in entry if k not in keyset)
                        slot = self.unknown_keys.setdefault(name, [0, _shown(extra)])
                        slot[0] += 1
                    for k in keys:
                        children[k].append(entry.get(k))
                    entry_null.append(False)
                else:
                    self._misfit(name, entry)
                    for k in keys:
                        children[k].append(None)
                    entry_null.append(True)
                total += 1
            offsets.append(total)
        arrays = [self._array(f"{name}.{k}", t, (), children[k], False) for k, t in shape]
        fields = [pa.field(k, a.type) for (k, _), a in zip(shape, arrays, strict=True)]
        mask = pa.array(entry_null, pa.bool_()) if any(entry_null) else None
        structs = pa.StructArray.from_arrays(arrays, fields=fields, mask=mask)
        lmask = pa.array(list_null, pa.bool_()) if any(list_null) else None
        return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), structs, mask=lmask)

    # -------------------------------------------------------------- notes

    def notes(self) -> list[str]:
        """What did not fit, in words (empty when everything did)."""
        from .misfits import misfit_notes

        return misfit_notes(self.misfits, self.unknown_keys, self.mended, self.bad_custom)

    def final_schema(self) -> Any:
        """The schema of the whole output, once every record is converted:
        every column seen, in the stable layout (:attr:`columns`), and the
        metadata with the misfit and replacement counts
        (:meth:`misfit_metadata`) added: what a file and
        :meth:`cqlang.Client.to_arrow`'s table get."""
        schema = self.arrow_schema
        extra = self.misfit_metadata()
        if not extra:
            return schema
        added = {k.encode(): v.encode() for k, v in extra.items()}
        return schema.with_metadata({**(schema.metadata or {}), **added})

    def misfit_metadata(self) -> dict[str, str]:
        """The counts for a file's metadata (``cqlang.misfits``,
        ``cqlang.replaced``), if any."""
        from .misfits import misfit_metadata

        return misfit_metadata(self.misfits, self.unknown_keys, self.mended, self.bad_custom)


def batches_of(
    records: Iterable[Mapping[str, Any]], converter: Converter, size: int = BATCH_RECORDS
) -> Iterator[Any]:
    """``records`` converted ``size`` at a time."""
    chunk: list[Mapping[str, Any]] = []
    for rec in records:
        chunk.append(rec)
        if len(chunk) >= size:
            batch = converter.convert(chunk)
            chunk = []
            yield batch
    if chunk:
        yield converter.convert(chunk)
