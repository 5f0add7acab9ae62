"""One column's values as a typed Arrow array, for the
:class:`~cqlang.output.arrowconvert.Converter` (which decides the columns
and puts the arrays together into record batches): the Arrow type of each
column type (:meth:`ArrayMaker.arrow_type`), the fast way (pyarrow's C++
reads a column's values at once: :meth:`ArrayMaker.plain_arrays`) and the
careful way, value by value (:meth:`ArrayMaker.array`), taken for a column
with a value that does not fit. What does not fit becomes ``null`` and is
counted here: :attr:`ArrayMaker.misfits` (per column, with an example) and
:attr:`ArrayMaker.unknown_keys` (the keys of list entries that their shape
does not know). Needs pyarrow, handed in by the converter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..jsonlimit import dumps
from .arrowtime import parse_datetimes
from .columns import LIST_SHAPES, Column, transpose

__all__ = ["ArrayMaker"]

_INT64 = (-(2**63), 2**63 - 1)


def _json(value: Any) -> str:
    """Compact JSON text, a number read from JSON as it was sent (``12.50``:
    :func:`cqlang.jsonlimit.dumps`); a float NaN or infinity (no JSON) is a
    ValueError."""
    return dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _shown(value: Any) -> str:
    from ..visible import visible

    text = repr(value)
    return visible(text if len(text) <= 40 else text[:39] + "…")


class ArrayMaker:
    """Column values to typed Arrow arrays, counting what does not fit.

    ``pa``: the pyarrow module. ``misfits``: column -> ``[count, example]``
    of values written as ``null``; ``unknown_keys``: list column ->
    ``[count, example key]`` of entries' keys left out. The converter saves
    and puts back both when it converts a batch again (mended)."""

    def __init__(self, pa: Any) -> None:
        self.pa = pa
        self.pc = pa.compute
        self.misfits: dict[str, list[Any]] = {}
        self.unknown_keys: dict[str, list[Any]] = {}

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

    def plain_arrays(
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
                out[col.name] = self.array(col.name, col.type, col.values, list(values), False)
                continue
            if col.type == "datetime":
                arr = self._parse_datetimes(col.name, arr)
            elif col.type == "enum":
                arr = self._encode(col.name, col.values, arr)
            elif col.type in LIST_SHAPES:
                arr = self._finish_entries(col.name, col.type, arr, values)
                if arr is None:
                    arr = self.array(col.name, col.type, col.values, list(values), False)
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

    def _misfit(self, column: str, value: Any) -> None:
        entry = self.misfits.get(column)
        if entry is None:
            self.misfits[column] = [1, _shown(value)]
        else:
            entry[0] += 1

    def array(
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
        arrays = [self.array(f"{name}.{k}", t, (), children[k], False) for k, t in shape]
        fields = [pa.field(k, a.type) for (k, _), a in zip(shape, arrays, strict=True)]
        mask = pa.array(entry_null, pa.bool_()) if any(entry_null) else None
        structs = pa.StructArray.from_arrays(arrays, fields=fields, mask=mask)
        lmask = pa.array(list_null, pa.bool_()) if any(list_null) else None
        return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), structs, mask=lmask)
