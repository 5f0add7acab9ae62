"""Records as Arrow data from Python: :meth:`cqlang.Client.iter_batches`
(:func:`record_batches`) and :meth:`cqlang.Client.to_arrow` (:func:`to_table`).

Needs pyarrow (the extra ``cqlang[arrow]``). The records are converted by
:class:`cqlang.output.arrowconvert.Converter` (how each field becomes a
column, and what a value that does not fit becomes, is described there);
what did not fit is reported as a :class:`MisfitWarning`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from .. import argcheck
from ..errors import ColumnError
from ..schema import DEFAULT_SCHEMA, Schema
from ..timeexpr import resolve_now
from .arrowconvert import (
    BATCH_RECORDS,
    Converter,
    MissingExtra,
    batches_of,
    require,
)
from .counted import Counted, fetch_counted
from .filemeta import file_metadata
from .misfits import shown_by

__all__ = [
    "BATCH_RECORDS",
    "Batches",
    "Converter",
    "MisfitWarning",
    "MissingExtra",
    "record_batches",
    "require",
    "spec_batches",
    "table_of",
    "to_table",
]


# -------------------------------------------------------------- Python API


def record_batches(
    client: Any,
    campaign_id: str,
    query: str = "",
    *,
    columns: str | Iterable[str] | None = None,
    batch_size: int = BATCH_RECORDS,
    schema: Schema | None = None,
    exclude: str | Iterable[str] | None = None,
    plan: Any = None,
    params: Mapping[str, Any] | None = None,
    tz: str | tzinfo | None = None,
    now: datetime | None = None,
    page_size: int = 1000,
    limit: int | None = None,
) -> Batches:
    """What :meth:`cqlang.Client.iter_batches` does: the query planned now
    (errors raised here), the records fetched as the batches are consumed."""
    require("Client.iter_batches")
    # Checked before anything is planned or sent, as voice_campaign_requests
    # checks the rest (cqlang.argcheck).
    argcheck.campaign("campaign_id", campaign_id)
    argcheck.query(query)
    names = _check_columns(columns)
    batch_size = argcheck.count("batch_size", batch_size, least=1)
    exclude = argcheck.exclude_names("exclude", exclude)
    argcheck.instance("schema", schema, Schema, "a cqlang.Schema", optional=True)
    schema = schema if schema is not None else DEFAULT_SCHEMA

    clock = now if now is not None or plan is not None else resolve_now(None)

    def planned() -> Any:
        if plan is not None:
            return plan
        from ..api import plan as make_plan

        return make_plan(query, params=params, tz=tz, now=clock, schema=schema)

    return _batches(
        names,
        batch_size,
        schema,
        exclude,
        plan=planned,
        fetch=lambda plan, sent: Counted(
            client.voice_campaign_requests(
                campaign_id, plan=plan, exclude=sent, page_size=page_size, limit=limit
            ),
            limit,
        ),
        metadata=lambda plan, at, cols: file_metadata(
            query,
            plan,
            at,
            campaign_id,
            params=params,
            tz=tz,
            now=clock,
            limit=limit,
            columns=cols,
            exclude=exclude,
        ),
        client=client,
    )


def spec_batches(
    spec: Any,
    client: Any,
    *,
    columns: str | Iterable[str] | None = None,
    batch_size: int = BATCH_RECORDS,
    now: datetime | None = None,
    limit: int | None = None,
) -> Batches:
    """What :meth:`cqlang.config.FetchSpec.iter_batches` does: the batches
    of ``spec`` (a prepared query: its campaign, exclude, limit, page size
    and schema) as ``cqlang fetch -o FILE.parquet`` makes them, its
    metadata naming the named query and the parameters."""
    require("FetchSpec.iter_batches")
    names = _check_columns(columns)
    batch_size = argcheck.count("batch_size", batch_size, least=1)
    owner = getattr(spec.origin("exclude"), "name", None)
    clock = now if now is not None else resolve_now(None)
    return _batches(
        names,
        batch_size,
        spec.schema,
        spec.exclude,
        owner=owner if isinstance(owner, str) else None,
        plan=lambda: spec.plan(now=clock),
        fetch=lambda plan, sent: fetch_counted(
            spec.with_(exclude=tuple(sent) if sent else None), client, plan=plan, limit=limit
        ),
        metadata=lambda plan, at, cols: spec.file_metadata(
            plan, at, now=clock, columns=cols, limit=limit
        ),
        client=client,
    )


def _batches(
    columns: str | tuple[str, ...] | None,
    batch_size: int,
    schema: Schema,
    exclude: Sequence[str] | None,
    *,
    plan: Callable[[], Any],
    fetch: Callable[[Any, list[str] | None], Counted],
    metadata: Callable[[Any, datetime, list[str] | None], dict[str, str]],
    owner: str | None = None,
    client: object = None,
) -> Batches:
    """The one way a fetch becomes batches, for the client and for a
    prepared query (their arguments checked already): the columns read,
    the exclude sent (the heavy fields no column reads added), the plan
    made, the records fetched and counted (``fetch(plan, sent)``) as the
    batches are consumed, converted with the metadata of the fetch
    (``metadata(plan, fetched_at, column_names)``; whether a limit stopped
    it, in the final schema). ``owner``: the named query whose own exclude
    a column may ask for (said so, with how to fetch it); ``client``: the
    one that fetches, whose secrets the notes hide."""
    from .columns import fetch_exclude, parse_columns

    cols = parse_columns(columns, schema) if columns is not None else None
    clash = [c.name for c in cols or () if c.field in (exclude or ())]
    if clash and owner is not None:  # the named query's own exclude
        raise ColumnError(
            f"columns= asks for {', '.join(clash)}, which the exclude of @{owner} leaves out; "
            "prepare the query with exclude=() to fetch with nothing left out"
        )
    sent = fetch_exclude(cols, exclude)
    planned = plan()
    fetched_at = datetime.now(UTC)
    records = fetch(planned, sent)
    names = None if cols is None else [c.name for c in cols]
    converter = Converter(
        cols,
        schema=schema,
        exclude=exclude,
        metadata=metadata(planned, fetched_at, names),
        ending=records.ending,
    )
    return Batches(records, converter, batch_size, client)


def _check_columns(columns: Any) -> str | tuple[str, ...] | None:
    """``columns`` as given (one ``str``, or ``None``) or its names as a
    tuple: any iterable of ``str`` (a generator too, read once here), as
    ``exclude=`` takes one; ``bytes`` or a mapping is no list of names."""
    if columns is None or isinstance(columns, str):
        return columns
    if not isinstance(columns, Iterable) or isinstance(columns, bytes | bytearray | Mapping):
        raise argcheck.wrong_type(
            "columns", "a list of column names, one str of them, or None", columns
        )
    names = tuple(columns)
    for item in names:
        if not isinstance(item, str):
            kind = type(item).__name__
            raise TypeError(f"columns holds column names (str), not {kind}: {item!r}")
    return names


class MisfitWarning(UserWarning):
    """Values that did not fit their column were written as null (the
    message says which and how many)."""


class Batches:
    """The record batches of a fetch (an iterator), with the
    :class:`Converter` that makes them: ``schema`` is the Arrow schema of
    the batches so far. A fetch of no records yields one batch of no rows,
    with the columns known before any record (as :func:`to_table` gives an
    empty table), so that a caller always has a schema. At the end, what
    did not fit is reported as a :class:`MisfitWarning`, with the secrets
    of ``client`` (the one that fetched) hidden in it."""

    def __init__(
        self,
        records: Iterable[Mapping[str, Any]],
        converter: Converter,
        size: int,
        client: object = None,
    ) -> None:
        self.converter = converter
        self._client = client
        self._batches = batches_of(records, converter, size)
        self._yielded = False
        self._done = False

    def __iter__(self) -> Batches:
        return self

    def __next__(self) -> Any:
        try:
            batch = next(self._batches)
        except StopIteration:
            if not self._yielded:  # no records: one empty batch, for its schema
                self._yielded = True
                return self.converter.empty()
            if not self._done:
                self._done = True
                import warnings

                for note in shown_by(self._client, self.converter.notes()):
                    warnings.warn(note, MisfitWarning, stacklevel=2)
            raise
        self._yielded = True
        return batch

    @property
    def schema(self) -> Any:
        return self.converter.arrow_schema


def to_table(client: Any, campaign_id: str, query: str = "", **options: Any) -> Any:
    """What :meth:`cqlang.Client.to_arrow` does: every batch in one table,
    with every column in the stable layout (a column first seen in a later
    batch is null in the rows before it); the misfit counts join the
    schema's metadata."""
    require("Client.to_arrow")
    return table_of(record_batches(client, campaign_id, query, **options))


def table_of(stream: Batches) -> Any:
    """Every batch of ``stream`` in one table of its final schema."""
    pa = require("a table")
    from .arrowfile import conform

    got = list(stream)
    final = stream.converter.final_schema()
    return pa.Table.from_batches([conform(b, final) for b in got], schema=final)
