"""Record writers: each format of ``cqlang fetch`` (and the REPL's ``\\o``),
one record at a time.

* ``jsonl``: one record per line, as the API sent it (``--columns``: an
  object of those columns, in their order, custom fields decoded);
* ``json``: the same as one JSON list;
* ``csv``: a header row first, from the schema (:func:`csv_columns`) or
  ``--columns``, then one row per record as it arrives; custom fields as
  ``custom.KEY`` columns (the declared ones), and the field ``custom``
  itself, exactly as it came, in a last column ``custom``; lists and
  objects as JSON text; ``null`` an empty cell and an empty string ``""``
  (PostgreSQL's ``COPY ... CSV`` rule: :class:`CsvWriter`);
* ``table``: the REPL's table (collected: it is sized to its rows);
* ``parquet`` and ``arrow`` (Arrow IPC file, ``.arrow``/``.feather``):
  typed columns (:mod:`cqlang.output.arrow`), streamed in row groups.

Every writer streams except ``table``: memory does not grow with the
number of records. None writes anything before the first record arrives
(the CSV header, JSON's ``[``): a fetch that fails before it leaves its
output empty; an empty success still gets the header, or ``[]``, when the
output is finished. Nothing that is not JSON is written as JSON: a float
NaN or infinity (which only a record made in Python can hold: cqlang reads
none) is an :class:`~cqlang.errors.OutputError` naming the record.
:meth:`Writer.notes` says what a format could not keep (values that did
not fit a Parquet column, fields a CSV has no column for, lone surrogates
written as U+FFFD in a CSV, Parquet or Arrow file:
:mod:`cqlang.output.surrogates`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..errors import OutputError
from ..schema import DEFAULT_SCHEMA, Schema
from ..visible import json_text, visible
from .columns import (
    Column,
    decode_custom,
    default_columns,
    known_fields,
    needs_custom,
    project,
)
from .formats import BINARY_FORMATS, FORMATS

__all__ = ["BINARY_FORMATS", "FORMATS", "Writer", "csv_columns", "make_writer", "write_all"]


def json_of(value: Any, number: int, at: str = "", **options: Any) -> str:
    """``value`` (of record ``number``, counted from 1; ``at``: the field it
    is, if not the record) as JSON text (:func:`cqlang.visible.json_text`),
    never with ``NaN`` or ``Infinity`` in it: a float NaN or infinity is an
    :class:`OutputError` naming the record and where in it."""
    try:
        return json_text(value, allow_nan=False, **options)
    except ValueError:
        from ..jsonlimit import non_finite

        found = non_finite(value)
        if found is None:
            raise
        path = found[1]
        if at:
            path = at + (path if not path or path.startswith("[") else "." + path)
        where = f" at {path}" if path else ""
        raise OutputError(
            f"record {number:,} holds {found[0]!r}{where}, which JSON cannot hold "
            "(no JSON reader takes NaN or Infinity); nothing of it was written"
        ) from None


#: What a spreadsheet reads a cell starting with as a formula (OWASP's
#: "CSV injection" list: = + - @, a tab, a carriage return).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _escape_formulas(row: list[Any]) -> None:
    """``--csv-escape-formulas``: each text value of ``row`` that starts as
    a formula does gets a ``'`` before it, which a spreadsheet takes as
    "text" and hides (OWASP's advice); numbers, lists and objects are not
    text a spreadsheet reads as a formula, and are left as they are."""
    for i, value in enumerate(row):
        if value.__class__ is str and value.startswith(FORMULA_STARTS):
            row[i] = "'" + value


#: What makes a CSV cell quoted (RFC 4180; what the csv module's
#: QUOTE_MINIMAL quotes with its default dialect).
_QUOTE = re.compile('[",\r\n]').search


def _csv_line(row: Sequence[str | None]) -> str:
    """A row with an empty string in it, as the csv module would write it
    but with ``""`` for the empty string (``None``, null, stays empty)."""
    cells = []
    for cell in row:
        if cell is None:
            cells.append("")
        elif cell == "" or _QUOTE(cell) is not None:
            cells.append('"' + cell.replace('"', '""') + '"')
        else:
            cells.append(cell)
    return ",".join(cells) + "\r\n"


def csv_columns(schema: Schema = DEFAULT_SCHEMA, exclude: Iterable[str] | None = ()) -> list[str]:
    """The header of a CSV without ``--columns``: the record's fields in the
    API's order, ``custom.KEY`` for each declared custom field, then
    ``custom`` (the field as the API sent it); less the excluded fields."""
    names = [c.name for c in default_columns(schema, exclude)]
    if "custom" not in set(exclude or ()):
        names.append("custom")
    return names


class Writer:
    """Writes records to a stream; :meth:`close` finishes the output."""

    count = 0

    def write(self, record: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Finish the output (a closing bracket, a file's footer)."""

    def abort(self) -> None:
        """Give up: remove what only this writer made (spool files)."""

    def notes(self) -> list[str]:
        """What the format could not keep, in words."""
        return []


class JsonLinesWriter(Writer):
    def __init__(self, out: Any, columns: Sequence[Column] | None) -> None:
        self.out = out
        self.columns = columns
        self.count = 0

    def write(self, record: Mapping[str, Any]) -> None:
        rec = record if self.columns is None else project(record, self.columns)
        self.out.write(json_of(rec, self.count + 1) + "\n")
        self.count += 1


class JsonWriter(JsonLinesWriter):
    """One JSON list; its ``[`` comes with the first record (``[]`` at the
    end when there is none), so a fetch that fails first writes nothing."""

    def write(self, record: Mapping[str, Any]) -> None:
        rec = record if self.columns is None else project(record, self.columns)
        text = json_of(rec, self.count + 1)
        self.out.write(("," if self.count else "[") + "\n" + text)
        self.count += 1

    def close(self) -> None:
        self.out.write("\n]\n" if self.count else "[]\n")


class CsvWriter(Writer):
    """Streams rows: the header with the first record (or at the end, for
    none), each record as it comes. On a ``terminal``, each cell is drawn
    visible (:func:`cqlang.visible.visible`); to a file or a pipe, written
    exactly.

    ``null`` is an empty cell and the empty string ``""``, as PostgreSQL's
    ``COPY ... CSV`` writes them (Python 3.11's csv module has no
    ``QUOTE_NOTNULL``): a row with an empty string is written here
    (:func:`_csv_line`), the others by the csv module, the same way. A row
    of one column whose value is null is ``""`` too: the csv module's rule,
    since an empty line is no row to most readers."""

    def __init__(
        self,
        out: Any,
        columns: Sequence[Column] | None,
        schema: Schema,
        exclude: Iterable[str] | None,
        terminal: bool = False,
        escape_formulas: bool = False,
    ) -> None:
        import csv

        from .cells import CellText

        self.out = out
        self.writer = csv.writer(out)
        self.cell = CellText(json_of)
        self.drawn = terminal
        self.escape_formulas = escape_formulas
        self.mended: dict[str, int] = {}  # column: values with a lone surrogate
        self.count = 0
        gone = set(exclude or ())
        self.rest = columns is None and "custom" not in gone  # the last column `custom`
        self.columns = list(columns) if columns is not None else default_columns(schema, gone)
        self.decode = needs_custom(self.columns)
        self.fields = [c.field for c in self.columns]
        self.known = frozenset(known_fields(schema))
        self.left_out: dict[str, int] = {}
        header = [c.name for c in self.columns] + (["custom"] if self.rest else [])
        self.header = header
        self.started = False

    def write(self, record: Mapping[str, Any]) -> None:
        if not self.started:
            self._start()
        if self.decode:
            custom = decode_custom(record)[0]
            row = [c.get(record, custom) for c in self.columns]
        else:  # every column a field of the record: read in C
            row = list(map(record.get, self.fields))
        if self.rest:
            row.append(record.get("custom"))  # as the API sent it
        if self.escape_formulas:
            _escape_formulas(row)
        # Text and null as they are; anything else (a number, a list) as JSON.
        n = self.count + 1
        for i, value in enumerate(row):
            if value is not None and value.__class__ is not str:
                row[i] = self.cell(value, n, self.header[i])
        if self.rest and not self.known.issuperset(record):
            for name in record:
                if name not in self.known:
                    self.left_out[name] = self.left_out.get(name, 0) + 1
        self._writerow(row)
        self.count += 1

    def close(self) -> None:
        if not self.started:  # no records: the header alone
            self._start()

    def _start(self) -> None:
        self.started = True
        self._writerow(list(self.header))

    def _writerow(self, row: list[str | None]) -> None:
        """Write ``row``; a cell holding a lone surrogate, which UTF-8
        cannot hold, with U+FFFD in its place, counted by column. The row's
        text is checked at once, in C (ASCII text is known at a glance);
        only a row that fails is mended cell by cell."""
        if self.drawn:
            row = [visible(cell) if cell else cell for cell in row]
        else:
            line = "".join(filter(None, row))
            if not line.isascii():
                try:
                    line.encode("utf-8")
                except UnicodeEncodeError:
                    row = self._mend(row)
        if "" in row:
            self.out.write(_csv_line(row))
        else:
            self.writer.writerow(row)

    def _mend(self, row: list[str | None]) -> list[str | None]:
        from .surrogates import LONE, mend_text

        out = []
        for name, cell in zip(self.header, row, strict=True):
            if cell and LONE.search(cell) is not None:
                cell = mend_text(cell)
                self.mended[name] = self.mended.get(name, 0) + 1
            out.append(cell)
        return out

    def notes(self) -> list[str]:
        from .surrogates import note

        out = note(self.mended)
        if self.left_out:
            names = ", ".join(
                f"{n} ({c:,} record{'' if c == 1 else 's'})" for n, c in self.left_out.items()
            )
            one = len(self.left_out) == 1
            fields = "a field" if one else "fields"
            was, them = ("was", "it") if one else ("were", "them")
            said = (
                f"{fields} the CSV has no column for {was} left out: {names} "
                f"(JSON Lines keeps {them})"
            )
            out.append(said)
        return out


class TableWriter(Writer):
    """The REPL's table: collected, then drawn to fit ``width``."""

    def __init__(self, out: Any, columns: Sequence[Column] | None, width: int) -> None:
        self.out = out
        self.columns = columns
        self.width = width
        self.rows: list[Mapping[str, Any]] = []
        self.count = 0

    def write(self, record: Mapping[str, Any]) -> None:
        self.rows.append(record)
        self.count += 1

    def close(self) -> None:
        from .display import render_table

        if not self.rows:  # a table is for reading: say so rather than print nothing
            self.out.write("no records match\n")
            return
        if self.columns is None:
            text = render_table(list(self.rows), width=self.width)
        else:
            projected = [project(r, self.columns) for r in self.rows]
            text = render_table(projected, width=self.width, columns=[c.name for c in self.columns])
        self.out.write(text + "\n")


class ArrowFileWriter(Writer):
    """Parquet or Arrow IPC: records converted a batch at a time, written in
    row groups through :class:`cqlang.output.arrowfile.FileSink`."""

    def __init__(
        self,
        out: Any,
        kind: str,
        columns: Sequence[Column] | None,
        schema: Schema,
        exclude: Iterable[str] | None,
        metadata: Mapping[str, str] | None,
        spool_dir: str | None,
        spool_prefix: str,
        ending: Callable[[], Mapping[str, str]] | None = None,
    ) -> None:
        from .arrowconvert import BATCH_RECORDS, Converter
        from .arrowfile import FileSink

        self.converter = Converter(
            columns, schema=schema, exclude=exclude, metadata=metadata, ending=ending
        )
        self.sink = FileSink(out, kind, spool_dir=spool_dir, spool_prefix=spool_prefix)
        self.size = BATCH_RECORDS
        self.chunk: list[Mapping[str, Any]] = []
        self.count = 0

    def write(self, record: Mapping[str, Any]) -> None:
        self.chunk.append(record)
        self.count += 1
        if len(self.chunk) >= self.size:
            self._convert()

    def _convert(self) -> None:
        if self.chunk:
            batch = self.converter.convert(self.chunk)
            self.chunk = []
            self.sink.write(batch)

    def close(self) -> None:
        self._convert()
        self.sink.close(self.converter.empty(), self.converter.final_schema())

    def abort(self) -> None:
        self.sink.abort()

    def notes(self) -> list[str]:
        return self.converter.notes()


def make_writer(
    fmt: str,
    out: Any,
    *,
    columns: Sequence[Column] | None = None,
    schema: Schema = DEFAULT_SCHEMA,
    exclude: Iterable[str] | None = (),
    width: int = 200,
    metadata: Mapping[str, str] | None = None,
    spool_dir: str | None = None,
    spool_prefix: str = ".cqlang-spool-",
    terminal: bool = False,
    ending: Callable[[], Mapping[str, str]] | None = None,
    escape_formulas: bool = False,
) -> Writer:
    """A writer of ``fmt`` on ``out`` (a text stream; a binary one for
    :data:`BINARY_FORMATS`). ``columns``: ``--columns`` (``None``: every
    field); ``exclude``: the fields left out (not in a CSV header or a
    Parquet schema); ``width``: the table's; ``metadata``: a file's
    (:func:`cqlang.output.filemeta.file_metadata`), and ``ending()``, what
    it learns at the end (:meth:`cqlang.output.counted.Counted.ending`);
    ``spool_dir``/``spool_prefix``:
    where Parquet and Arrow spool their row groups; ``terminal``: ``out``
    is one, so a CSV is drawn visible (JSON writes escapes and the table
    draws, wherever they go: docs/cli.md, "Text from outside");
    ``escape_formulas``: a CSV's text values that a spreadsheet would run
    as a formula get a ``'`` before them (``--csv-escape-formulas``; other
    formats ignore it)."""
    if fmt == "jsonl":
        return JsonLinesWriter(out, columns)
    if fmt == "json":
        return JsonWriter(out, columns)
    if fmt == "csv":
        return CsvWriter(out, columns, schema, exclude, terminal, escape_formulas)
    if fmt == "table":
        return TableWriter(out, columns, width)
    if fmt in BINARY_FORMATS:
        return ArrowFileWriter(
            out, fmt, columns, schema, exclude, metadata, spool_dir, spool_prefix, ending
        )
    raise ValueError(f"unknown format {fmt!r}")


def write_all(records: Iterable[Mapping[str, Any]], writer: Writer) -> int:
    """Write every record and finish; returns how many. On any failure the
    writer's own leftovers (spool files) are removed."""
    try:
        for rec in records:
            writer.write(rec)
        writer.close()
    except BaseException:
        writer.abort()
        raise
    return writer.count
