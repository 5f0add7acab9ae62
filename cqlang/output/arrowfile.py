"""Parquet and Arrow IPC files of record batches, streamed in row groups:
:class:`FileSink` (see :mod:`cqlang.output.arrow` for the batches)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

from .arrowconvert import require

__all__ = ["ROW_GROUP_ROWS", "FileSink", "conform"]

#: Rows of a Parquet row group (and of an IPC file's record batch).
ROW_GROUP_ROWS = 16384


def conform(batch: Any, schema: Any) -> Any:
    """``batch`` with the columns of ``schema`` (a superset of its own):
    the missing ones null."""
    import pyarrow as pa

    have = set(batch.schema.names)
    arrays = [
        batch.column(f.name) if f.name in have else pa.nulls(batch.num_rows, type=f.type)
        for f in schema
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


class FileSink:
    """Record batches into a Parquet (``kind="parquet"``) or Arrow IPC file
    (``kind="arrow"``) on the binary stream ``out``, in row groups of
    :data:`ROW_GROUP_ROWS`: memory holds one row group, whatever the number
    of records.

    A file has one schema, and a later batch may bring a new column; so the
    row groups go to a spool file (in ``spool_dir``, named with
    ``spool_prefix``) and a new one starts when the columns grow. On
    :meth:`close` one spool file whose schema is the final one is copied to
    ``out`` as it is; otherwise (several, or metadata known only at the
    end: the misfit counts) they are written again, row group by row
    group, with the final schema. :meth:`abort` removes the spool files.
    """

    def __init__(
        self,
        out: Any,
        kind: str,
        *,
        spool_dir: str | None = None,
        spool_prefix: str = ".cqlang-spool-",
        row_group_rows: int = ROW_GROUP_ROWS,
    ) -> None:
        self.pa = require(f"the {kind} format")
        self.out = out
        self.kind = kind
        self.spool_dir = spool_dir
        self.spool_prefix = spool_prefix
        self.row_group_rows = row_group_rows
        self._segments: list[str] = []
        self._writer: Any = None
        self._schema: Any = None
        self._pending: list[Any] = []
        self._rows = 0

    def _open(self, path_or_stream: Any, schema: Any) -> Any:
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetWriter(path_or_stream, schema, compression="snappy")
        return self.pa.ipc.new_file(path_or_stream, schema)

    def _write_table(self, writer: Any, table: Any) -> None:
        if self.kind == "parquet":
            writer.write_table(table, row_group_size=max(1, table.num_rows))
        else:
            writer.write_table(table, max_chunksize=max(1, table.num_rows))

    def write(self, batch: Any) -> None:
        if self._schema is None or not batch.schema.equals(self._schema, check_metadata=True):
            self._flush()
            self._close_writer()
            fd, path = tempfile.mkstemp(dir=self.spool_dir, prefix=self.spool_prefix, suffix=".tmp")
            os.close(fd)
            self._segments.append(path)
            self._schema = batch.schema
            self._writer = self._open(path, batch.schema)
        self._pending.append(batch)
        self._rows += batch.num_rows
        if self._rows >= self.row_group_rows:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            table = self.pa.Table.from_batches(self._pending, schema=self._schema)
            self._pending, self._rows = [], 0
            self._write_table(self._writer, table)

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def close(self, empty: Any = None, final: Any = None) -> None:
        """Finish the file on ``out``. ``empty``: the batch of no rows whose
        schema a file of no records gets. ``final``: the schema of the
        whole file (:meth:`cqlang.output.arrowconvert.Converter.final_schema`:
        every column in the stable layout, the misfit counts in its
        metadata), known only now; by default the last batch's. One spool
        file of that very schema is copied to ``out`` as it is; otherwise
        the spool files are written again, row group by row group, with
        ``final``'s columns and metadata (a column a row group lacks is
        ``null`` there)."""
        try:
            if self._schema is None and empty is not None:
                self.write(empty)
            self._flush()
            if final is None:
                final = self._schema
            stamped = self._stamp(final)
            self._close_writer()
            if len(self._segments) == 1 and (
                stamped or final.equals(self._schema, check_metadata=True)
            ):
                with open(self._segments[0], "rb") as src:
                    shutil.copyfileobj(src, self.out, 1024 * 1024)
            elif self._segments:
                self._merge(final)
        finally:
            self.abort()

    def _stamp(self, final: Any) -> bool:
        """Give the one Parquet spool file, still open, the metadata of
        ``final`` when its columns are already ``final``'s, so that it is
        copied as it is rather than written again: the footer's key-value
        metadata, ``ARROW:schema`` included (the Arrow schema a Parquet file
        carries, base64 of its IPC form: what readers take the schema's
        metadata from), replaced before the footer is written. Whether it
        was done (not for an Arrow IPC file, whose schema leads the file,
        nor with a pyarrow without ``add_key_value_metadata``)."""
        if (
            self.kind != "parquet"
            or len(self._segments) != 1
            or self._writer is None
            or final.equals(self._schema, check_metadata=True)
            or not final.equals(self._schema, check_metadata=False)
        ):
            return False
        add = getattr(self._writer, "add_key_value_metadata", None)
        if add is None:
            return False
        import base64

        arrow_schema = base64.b64encode(final.serialize().to_pybytes())
        add({**(final.metadata or {}), b"ARROW:schema": arrow_schema})
        return True

    def _merge(self, final: Any) -> None:
        writer = self._open(self.out, final)
        try:
            for path in self._segments:
                for batch in self._read(path):
                    self._write_table(writer, self.pa.Table.from_batches([conform(batch, final)]))
        finally:
            writer.close()

    def _read(self, path: str) -> Iterator[Any]:
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            pf = pq.ParquetFile(path)
            for i in range(pf.num_row_groups):
                yield from pf.read_row_group(i).to_batches()
            pf.close()
            return
        with self.pa.memory_map(path) as source:
            reader = self.pa.ipc.open_file(source)
            for i in range(reader.num_record_batches):
                yield reader.get_batch(i)

    def abort(self) -> None:
        """Remove the spool files (the output stream is the caller's)."""
        if self._writer is not None:
            with contextlib.suppress(OSError, self.pa.ArrowException):  # a failure is under way
                self._writer.close()
            self._writer = None
        for path in self._segments:
            with contextlib.suppress(OSError):
                os.unlink(path)
        self._segments = []
