"""``cqlang fetch``: the records of a campaign that match a query.

The records go out in a format of :mod:`cqlang.output.writers` (all
streamed but the table), to ``--output`` through a temporary file beside it
renamed only on success (:mod:`cqlang.output.atomic`); ``--count`` counts,
``--dry-run`` prints the requests (:mod:`cqlang.cli.dryrun`).
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, Any

import click

from ..status import fail
from ..visible import visible
from .context import load_config
from .inputs import (
    checked_base_url,
    compile_options,
    exclude_option,
    file_option,
    max_branches_option,
    parse_now,
    prepare_query,
    query_input,
)
from .paramtypes import FloatRange, IntRange
from .show import print_query_diagnostics, report_query, say

if TYPE_CHECKING:
    from ..client import ExchangeReport

FETCH_FORMATS = ("jsonl", "json", "csv", "table", "parquet", "arrow")  # writers.FORMATS


@click.command("fetch")
@click.argument("query", required=False)
@file_option
@click.option("--campaign", metavar="ID", help="Voice campaign id (default: the config's).")
@compile_options
@click.option(
    "--exclude",
    metavar="FIELDS",
    multiple=True,
    help="Fields the API leaves out, comma-separated, repeatable "
    "(e.g. history,call_history,dialogs).",
)
@click.option(
    "--columns",
    metavar="FIELDS",
    help="Output only these fields, in this order (e.g. id,state,priority,custom.region); "
    "the heavy fields not named are not fetched.",
)
@click.option("--limit", type=IntRange(min=0), help="Return at most N records.")
@max_branches_option
@click.option(
    "--page-size",
    type=IntRange(min=1),
    help="Records per request (default 1000, at most 10000).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FETCH_FORMATS),
    help="Output format (default: from the --output file's extension: .csv, .json, "
    ".jsonl, .ndjson, .parquet, .arrow, .feather; else table on a terminal, jsonl "
    "otherwise). parquet and arrow need pip install 'cqlang[arrow]'.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="Write here (via a temporary file, renamed on success; - is stdout).",
)
@click.option("--count", is_flag=True, help="Print only the number of matching records.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the requests that would be sent (URL and curl), and send nothing.",
)
@click.option("--base-url", metavar="URL", help="API base URL (default: $CONPEEK_URL).")
@click.option(
    "--retries",
    type=IntRange(min=0),
    default=5,
    show_default=True,
    help="Retries of a failing request.",
)
@click.option(
    "--retry-budget",
    type=FloatRange(min=0),
    callback=lambda ctx, param, value: _finite(param, value),
    default=30.0,
    show_default=True,
    help="Seconds a failing request may spend retrying.",
)
@click.option(
    "--timeout",
    type=FloatRange(min=0, min_open=True),
    callback=lambda ctx, param, value: _finite(param, value),
    default=30.0,
    show_default=True,
    help="Seconds one request may take, from connecting to the answer's last byte "
    "(to connect: at most 5).",
)
@click.option(
    "--max-record-size",
    metavar="SIZE",
    default="64KiB",
    show_default=True,
    callback=lambda ctx, param, value: _byte_size(param, value),
    help="Bytes a page's body may hold per record asked for (e.g. 256KiB, 1MiB); "
    "a larger body is refused.",
)
@click.option("--verbose", "-v", is_flag=True, help="Log each request on stderr.")
def fetch_cmd(
    query: str | None,
    query_file: str | None,
    campaign: str | None,
    params: tuple[str, ...],
    tz: str | None,
    now: str | None,
    exclude: tuple[str, ...],
    columns: str | None,
    limit: int | None,
    max_branches: int | None,
    page_size: int | None,
    fmt: str | None,
    output: str | None,
    count: bool,
    dry_run: bool,
    base_url: str | None,
    retries: int,
    retry_budget: float,
    timeout: float,
    max_record_size: int,
    verbose: bool,
) -> None:
    """Fetch the records of a campaign that match QUERY (all when omitted).

    The key comes from $CONPEEK_KEY (or the config), never from an option.
    Exit status: 0 success, 1 invalid query, 2 usage, 3 API or network failure,
    74 the output could not be written.
    """
    from datetime import UTC, datetime

    from ..diagnostics import NEVER_MATCHES, no_campaign
    from ..errors import CqlError
    from ..output import target as out
    from ..output.columns import HEAVY_FIELDS, fetch_exclude, parse_columns
    from ..output.write import emit as write_records

    fields = exclude_option(exclude)
    if count and (fmt is not None or output is not None or columns is not None):
        fail("--count prints only a number: it takes no --format, --output or --columns")
    if output is not None and out.STREAMS.get(output) == 1:
        output = None  # stdout, as it is: `-o /dev/stdout >> log` appends
    elif output is not None and not dry_run:
        out.check_output(output)
    elif output is not None:  # a dry run writes nothing, but -o "" is still no name
        out.check_name(output)
    # The format, before any request: an --output of unknown extension is a
    # usage error, and so are Parquet on a terminal and Parquet without pyarrow.
    fmt = out.choose_format(fmt, output, _isatty(sys.stdout))
    if not count:
        out.check_binary(fmt, output, _isatty(sys.stdout))
    text = query_input(query, query_file, default="")
    prepared = prepare_query(
        text,
        params,
        tz,
        source=query_file,
        campaign=campaign,
        exclude=fields,
        limit=limit,
        page_size=page_size,
        max_branches=max_branches,
    )
    when = parse_now(now)
    try:
        plan = prepared.plan(now=when)
    except CqlError as exc:
        report_query(prepared, exc)
    prepared.check_exclude()  # before anything is sent
    from ..errors import ColumnError

    try:
        cols = parse_columns(columns, prepared.schema) if columns is not None else None
    except ColumnError as exc:  # its message names no option: the CLI's is --columns
        fail(f"--columns: {exc}")
    # What the API leaves out: the exclude, and the heavy fields that no
    # column (or, for --count, nothing) reads; the client still fetches what
    # its own check reads (Residual.record_fields).
    if count:
        sent = list(dict.fromkeys([*(prepared.exclude or ()), *HEAVY_FIELDS]))
    else:
        owner = prepared.origin("exclude") if fields is None else None  # a named query's own
        sent = (
            fetch_exclude(
                cols,
                prepared.exclude,
                named=getattr(owner, "name", None),
                option=fields is not None,
            )
            or []
        )
    spec = prepared.with_(exclude=tuple(sent) if sent else None)
    options: dict[str, Any] = {
        "columns": cols,
        "schema": prepared.schema,
        "exclude": prepared.exclude,
    }
    if fmt in ("parquet", "arrow") and not count:
        from ..output.arrowconvert import file_metadata

        options["metadata"] = file_metadata(
            prepared.text,
            plan,
            datetime.now(UTC),
            prepared.campaign,
            named=prepared.named,
            params=prepared.params,
        )
    counts = [0, 0, 0]  # requests, records received, retries among the requests
    progress: Any = None  # the progress line (cqlang.term.progress), when there is one

    def finished() -> None:
        if progress is not None:
            progress.close()

    def emit(records: Any) -> None:
        if count:
            total = sum(1 for _ in records)
            finished()
            click.echo(str(total))
            return
        writer = write_records(records, fmt, output, **options)
        finished()  # the progress line goes before anything else is said
        for note in writer.notes():
            say(f"cqlang: warning: {note}", err=True)  # a field's name is the API's
        if output is not None and output not in out.STREAMS:
            # With -o the records are out of sight: say what happened.
            retries = ""
            if counts[2]:  # which of the requests retried an earlier one
                retries = f" ({counts[2]:,} {'retry' if counts[2] == 1 else 'retries'})"
            say(
                f"wrote {_count(writer.count, 'record')} to {output} in "
                f"{_count(counts[0], 'request')}{retries}",
                err=True,
            )

    if plan.never_matches:
        print_query_diagnostics(prepared, plan.warnings)
        click.echo(f"cqlang: {NEVER_MATCHES}", err=True)
        if dry_run:
            from .dryrun import describe

            say(describe(plan, []))
            return
        emit(iter(()))
        return
    if not prepared.campaign:
        fail(no_campaign("cli"))
    prepared.check_campaign()  # one that cannot be an id ('..'), before anything is sent
    conn = load_config().connection(base_url=base_url, campaign=prepared.campaign)
    if dry_run:
        from .dryrun import describe, first_pages

        size = spec.page_size or 1000
        urls = first_pages(
            plan,
            base_url=checked_base_url(conn.base_url),
            campaign=prepared.campaign,
            exclude=spec.exclude,
            page_size=size,
            limit=spec.limit,
        )
        say(
            describe(
                plan,
                urls,
                page_size=size,
                limit=spec.limit,
                key_env=conn.api_key_env,
                key_source=conn.sources.get("api_key"),
            )
        )
        print_query_diagnostics(prepared, plan.warnings)
        return
    if not checked_base_url(conn.base_url):
        fail(conn.why_not("base_url"))
    if not (conn.api_key or "").strip():
        fail(conn.why_not("api_key"))
    print_query_diagnostics(prepared, plan.warnings)  # CQL206 among them
    import logging

    from ..client import Client
    from ..term.progress import Progress, wanted

    # A progress line on stderr, when it cannot tangle with records streaming
    # to the same terminal (--verbose logs say the same, line by line).
    if wanted(
        stderr_tty=_isatty(sys.stderr),
        stdout_tty=_isatty(sys.stdout),
        to_stdout=output is None,
        streams=not count and fmt != "table",
        verbose=verbose,
    ):
        progress = Progress(sys.stderr, what="counting" if count else "fetching")

    class EchoHandler(logging.Handler):
        """Log lines on stderr through click (so CliRunner captures them)."""

        def emit(self, record: logging.LogRecord) -> None:
            level = "" if record.levelno < logging.WARNING else record.levelname.lower() + ": "
            line = visible(f"cqlang: {level}{self.format(record)}")  # the API's words, drawn
            if progress is not None:
                progress.above(line)
            else:
                click.echo(line, err=True)

    log = logging.getLogger("cqlang.client")
    handler = EchoHandler()
    handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    saved_level = log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG if verbose else logging.WARNING)
    try:

        def on_exchange(sent: ExchangeReport) -> None:
            counts[0] += 1
            counts[1] += sent.records
            counts[2] += sent.retry
            if progress is not None:
                progress.update(counts[0], counts[1])

        client = Client(
            conn.for_client(),
            max_retries=retries,
            retry_budget=retry_budget,
            timeout=(min(5.0, timeout), timeout),
            max_record_size=max_record_size,
            on_exchange=on_exchange,
        )
        with client:
            records = spec.fetch(client, plan=plan)
            if progress is not None and fmt == "table" and not count:
                collected = list(records)  # the table is drawn once the progress line is gone
                progress.close()
                records = iter(collected)
            try:
                emit(records)
            finally:
                if progress is not None:
                    progress.close()
    finally:
        log.removeHandler(handler)
        log.setLevel(saved_level)


def _finite(param: click.Parameter, value: float) -> float:
    """A duration option: a number of seconds, at most ``MAX_SECONDS`` (one day)."""
    from ..digits import duration_problem

    problem = duration_problem(value)
    if problem is not None:
        raise click.BadParameter(f"{value:g} {problem}", param=param)
    return value


_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2,
          "mib": 1024**2, "g": 1024**3, "gb": 1024**3, "gib": 1024**3}  # fmt: skip


def _byte_size(param: click.Parameter, value: str) -> int:
    """A size in bytes: ``65536``, ``64k``, ``64KiB``, ``1.5MiB``: ASCII
    digits with at most one decimal point (no ``1e3``, no ``inf``), then a
    unit of 1024 (``k``, ``kb`` and ``KiB`` alike; docs/client.md)."""
    text = value.strip().lower().replace(" ", "")
    number = text.rstrip("kmgib")
    unit = text[len(number) :]
    whole, _, fraction = number.partition(".")
    plain = all(part == "" or (part.isascii() and part.isdigit()) for part in (whole, fraction))
    parsed = float(number) if plain and (whole or fraction) and unit in _UNITS else None
    amount = math.nan if parsed is None else parsed
    if not math.isfinite(amount) or amount * _UNITS.get(unit, 1) < 1:
        raise click.BadParameter(
            f"{value!r} is not a size in bytes (e.g. 65536, 64KiB, 1MiB)", param=param
        )
    return min(int(amount * _UNITS[unit]), 2**40)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _isatty(stream: Any) -> bool:
    return stream is not None and bool(stream.isatty())
