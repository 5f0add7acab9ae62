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
  has ``null`` in all of them. A field of the record itself named
  ``custom.KEY`` would take that name too: it is left out, and said so;
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

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..errors import MissingExtra
from ..schema import DEFAULT_SCHEMA, Schema
from .arrowarrays import ArrayMaker
from .columns import (
    Column,
    custom_column,
    decode_custom,
    default_columns,
    extra_column,
    known_fields,
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


class Converter:
    """Records to :class:`pyarrow.RecordBatch`es of typed columns.

    ``columns``: the columns, fixed (``--columns``); ``None``: the record's
    fields less ``exclude`` and the declared custom fields, then any other
    field or custom key as it turns up, each in its place of the stable
    layout (:attr:`columns`). ``metadata`` goes into every batch's schema;
    ``ending()``, what is known only at the end (whether a limit stopped
    the fetch), into :meth:`final_schema` alone.
    """

    def __init__(
        self,
        columns: Sequence[Column] | None = None,
        *,
        schema: Schema = DEFAULT_SCHEMA,
        exclude: Iterable[str] | None = (),
        metadata: Mapping[str, str] | None = None,
        ending: Callable[[], Mapping[str, str]] | None = None,
    ) -> None:
        self.pa = pa = require()
        self.ending = ending
        #: Each column's values as an Arrow array; what did not fit, counted.
        self.arrays = ArrayMaker(pa)
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
        #: Fields named as custom keys' columns are (``custom.KEY``), left out.
        self.clashing: set[str] = set()
        self._known = frozenset(known_fields(schema))
        self._known_custom = frozenset(self._custom)
        self.metadata = {k.encode(): v.encode() for k, v in (metadata or {}).items()}
        self.bad_custom = 0
        self.mended: dict[str, int] = {}  # column: values with a lone surrogate, mended
        self._schema_cache: Any = None

    # ------------------------------------------------------------ counts

    @property
    def misfits(self) -> dict[str, list[Any]]:
        """Column -> ``[count, example]`` of the values written as ``null``."""
        return self.arrays.misfits

    @property
    def unknown_keys(self) -> dict[str, list[Any]]:
        """List column -> ``[count, example key]`` of entries' keys left out."""
        return self.arrays.unknown_keys

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
        """The Arrow type of ``col`` (:meth:`ArrayMaker.arrow_type`)."""
        return self.arrays.arrow_type(col)

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
                        if name.startswith("custom."):  # a custom key's column is named so
                            self.clashing.add(name)
                            continue
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
        self.arrays.misfits, self.arrays.unknown_keys = state[:2]
        self.bad_custom, self._extra, self._custom = state[2:]
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
        plain = self.arrays.plain_arrays([c for c in columns if c.key is None], records)
        arrays = []
        for col in columns:
            if col.key is None:
                arrays.append(plain[col.name])
                continue
            key = col.key
            values = [None if c is None else c.get(key) for c in customs]
            arrays.append(self.arrays.array(col.name, col.type, col.values, values, True))
        return self.pa.RecordBatch.from_arrays(arrays, schema=self.arrow_schema)

    def empty(self) -> Any:
        """A batch of no rows, of the columns so far."""
        return self.convert([])

    # -------------------------------------------------------------- notes

    def notes(self) -> list[str]:
        """What did not fit, in words (empty when everything did)."""
        from .misfits import misfit_notes

        notes = misfit_notes(self.misfits, self.unknown_keys, self.mended, self.bad_custom)
        if self.clashing:
            names = ", ".join(sorted(self.clashing))
            notes.append(
                "fields whose names are those of custom fields' columns (custom.KEY "
                f"is custom field KEY) were left out: {names} (JSON Lines keeps them)"
            )
        return notes

    def final_schema(self) -> Any:
        """The schema of the whole output, once every record is converted:
        every column seen, in the stable layout (:attr:`columns`), and the
        metadata with the misfit and replacement counts
        (:meth:`misfit_metadata`) and the ending's added: what a file and
        :meth:`cqlang.Client.to_arrow`'s table get."""
        schema = self.arrow_schema
        extra = self.misfit_metadata()
        if self.ending is not None:
            extra.update(self.ending())
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
