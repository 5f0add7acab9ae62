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

from ..output.formats import BINARY_FORMATS, FORMATS, extensions_text
from ..status import fail
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
    from collections.abc import Iterable

    from ..client import Client, ExchangeReport
    from ..config.connection import ConnectionSettings
    from ..config.fetchspec import FetchSpec
    from ..output.columns import Column
    from ..output.counted import Counted
    from ..planner import Plan
    from ..term.progress import Progress


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
    type=click.Choice(FORMATS),
    help="Output format (default: from the --output file's extension: "
    f"{extensions_text()}; else table on a terminal, jsonl "
    f"otherwise). {' and '.join(f for f in FORMATS if f in BINARY_FORMATS)} need "
    "pip install 'cqlang[arrow]'.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(),  # a folder is check_output's to word (docs/client.md)
    help="Write here (via a temporary file, renamed on success; - is stdout).",
)
@click.option(
    "--csv-escape-formulas",
    is_flag=True,
    help="In a CSV, put ' before text starting with = + - @ (or a tab or CR), "
    "which spreadsheets would run as a formula.",
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
    help="Seconds a failing request may spend retrying (at most 86400, one day).",
)
@click.option(
    "--timeout",
    type=FloatRange(min=0, min_open=True),
    callback=lambda ctx, param, value: _finite(param, value),
    default=30.0,
    show_default=True,
    help="Seconds one request may take, from connecting to the answer's last byte "
    "(to connect: at most 5; at most 86400, one day).",
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
    csv_escape_formulas: bool,
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
    from ..diagnostics import NEVER_MATCHES, no_campaign
    from ..errors import ColumnError, CqlError
    from ..output.columns import parse_columns

    fields = exclude_option(exclude)
    fmt, output = _output_target(fmt, output, count=count, columns=columns, dry_run=dry_run)
    if csv_escape_formulas and (count or fmt != "csv"):
        fail("--csv-escape-formulas is for a CSV: give --format csv, or -o FILE.csv")
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
    from ..timeexpr import resolve_now

    # One clock for the plan and for a file's `cqlang.now`.
    when = parse_now(now, tz) or resolve_now(None)
    try:
        plan = prepared.plan(now=when)
    except CqlError as exc:
        report_query(prepared, exc)
    prepared.check_exclude()  # before anything is sent
    try:
        cols = (
            None if columns is None else parse_columns(columns, prepared.schema, warn=_warn_columns)
        )
    except ColumnError as exc:  # its message names no option: the CLI's is --columns
        fail(f"--columns: {exc}")
    sent = _sent_exclude(prepared, cols, fields, count=count)
    spec = prepared.with_(exclude=tuple(sent) if sent else None)
    # The writer's options (for Parquet and Arrow, what the file records of
    # this fetch) from the spec as the user gave it, before the heavy fields.
    options = {} if count else prepared.writer_options(fmt, plan, columns=cols, now=when)
    if csv_escape_formulas:
        options["escape_formulas"] = True
    run = _Output(count, fmt, output, options, limit_owner(prepared, limit))
    if plan.never_matches:
        print_query_diagnostics(prepared, plan.warnings)
        click.echo(f"cqlang: {NEVER_MATCHES}", err=True)
        if dry_run:
            from .dryrun import describe

            say(describe(plan, []))
            return
        from ..output.counted import Counted

        nothing = Counted((), prepared.limit, probed=True)  # nothing more can match
        run.emit(nothing, nothing)
        return
    if not prepared.campaign:
        fail(no_campaign("cli"))
    prepared.check_campaign()  # one that cannot be an id ('..'), before anything is sent
    conn = load_config().connection(base_url=base_url, campaign=prepared.campaign)
    if dry_run:
        _dry_run(plan, spec, conn, prepared.campaign)
        print_query_diagnostics(prepared, plan.warnings)
        return
    if not checked_base_url(conn.base_url):
        fail(conn.why_not("base_url"))
    if not (conn.api_key or "").strip():
        fail(conn.why_not("api_key"))
    print_query_diagnostics(prepared, plan.warnings)  # CQL206 among them
    from ..client import Client

    run.show_progress(verbose)
    client = Client(
        conn.for_client(),
        max_retries=retries,
        retry_budget=retry_budget,
        timeout=(min(5.0, timeout), timeout),
        max_record_size=max_record_size,
        on_exchange=run.on_exchange,
    )
    run.fetch(client, spec, plan, verbose=verbose)


def _warn_columns(note: str) -> None:
    """A column that may be misspelt (output.columns.ColumnWarning's words)."""
    say(f"cqlang: warning: --columns: {note}", err=True)


def _output_target(
    fmt: str | None, output: str | None, *, count: bool, columns: str | None, dry_run: bool
) -> tuple[str, str | None]:
    """The format and the output file (``None``: stdout), checked before
    any request: an ``--output`` that cannot be written or has an unknown
    extension, and Parquet on a terminal or without pyarrow, are usage
    errors."""
    from ..output import target as out

    if count and (fmt is not None or output is not None or columns is not None):
        fail("--count prints only a number: it takes no --format, --output or --columns")
    if output is not None and out.STREAMS.get(output) == 1:
        output = None  # stdout, as it is: `-o /dev/stdout >> log` appends
    elif output is not None and not dry_run:
        out.check_output(output)
    elif output is not None:  # a dry run writes nothing, but -o "" is still no name
        out.check_name(output)
    chosen = out.choose_format(fmt, output, _isatty(sys.stdout))
    if not count:
        out.check_binary(chosen, output, _isatty(sys.stdout))
    return chosen, output


def _sent_exclude(
    prepared: FetchSpec,
    cols: list[Column] | None,
    fields: list[str] | None,
    *,
    count: bool,
) -> list[str]:
    """What the API is asked to leave out: the exclude, and the heavy fields
    that no column (or, for ``--count``, nothing) reads; the client still
    fetches what its own check reads (``Residual.record_fields``)."""
    from ..output.columns import HEAVY_FIELDS, fetch_exclude

    if count:
        return list(dict.fromkeys([*(prepared.exclude or ()), *HEAVY_FIELDS]))
    owner = prepared.origin("exclude") if fields is None else None  # a named query's own
    sent = fetch_exclude(
        cols,
        prepared.exclude,
        named=getattr(owner, "name", None),
        option=fields is not None,
    )
    return sent or []


def _dry_run(plan: Plan, spec: FetchSpec, conn: ConnectionSettings, campaign: str) -> None:
    """``--dry-run``: the first page of each request, as a URL and a curl."""
    from .dryrun import describe, first_pages

    size = spec.page_size or 1000
    urls = first_pages(
        plan,
        base_url=checked_base_url(conn.base_url),
        campaign=campaign,
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


def limit_owner(spec: FetchSpec, option: int | None) -> str:
    """What set the limit in effect, in words: ``--limit 5``, ``the limit
    of @hot``; empty without a limit."""
    from ..config.fetchspec import owner_name

    if spec.limit is None:
        return ""
    if option is not None:
        return f"--limit {option}"
    owner = owner_name(spec.origin("limit"))
    return f"the limit of @{owner}" if owner is not None else f"the limit {spec.limit:,}"


class _Output:
    """Where a fetch's records go (``--count``: their number) and what is
    said around them: the progress line (the records kept, as written, and
    the requests), the summary line of ``-o FILE``."""

    def __init__(
        self, count: bool, fmt: str, output: str | None, options: dict[str, Any], limit: str = ""
    ):
        self.count = count
        self.fmt = fmt
        self.output = output
        self.options = options
        self.limit = limit  # what set the limit, in words (`limit_owner`)
        self.requests = 0
        self.kept = 0  # the records the writer got so far
        self.retries = 0  # how many of the requests retried an earlier one
        self.progress: Progress | None = None
        self.client: object = None  # the one fetching: its secrets are hidden in the notes

    def show_progress(self, verbose: bool) -> None:
        """A progress line on stderr, when it cannot tangle with records
        streaming to the same terminal (``--verbose`` logs say the same,
        line by line)."""
        from ..term.progress import Progress, wanted

        if wanted(
            stderr_tty=_isatty(sys.stderr),
            stdout_tty=_isatty(sys.stdout),
            to_stdout=self.output is None,
            streams=not self.count and self.fmt != "table",
            verbose=verbose,
        ):
            self.progress = Progress(sys.stderr, what="counting" if self.count else "fetching")

    def finished(self) -> None:
        if self.progress is not None:
            self.progress.close()

    def on_exchange(self, sent: ExchangeReport) -> None:
        # A page's records are not what is kept (pages overlap, and the
        # check on the client drops some): the count is `on_kept`'s.
        self.requests += 1
        self.retries += sent.retry
        if self.progress is not None:
            self.progress.update(self.requests, self.kept)

    def on_kept(self, kept: int, final: bool) -> None:
        """The records passed on to the writer so far (every few hundred,
        and at the end, drawn then whatever the time: the line's last
        figure is the number written)."""
        self.kept = kept
        if self.progress is not None:
            self.progress.update(self.requests, kept, force=final)

    def fetch(self, client: Client, spec: FetchSpec, plan: Plan, *, verbose: bool) -> None:
        """The records fetched and written, the client's log on stderr."""
        from ..output.counted import fetch_counted
        from ..term.loglines import client_log

        self.client = client  # whose secrets the notes about the records hide
        with client_log(verbose, lambda line: click.echo(line, err=True), self.progress), client:
            records = fetch_counted(spec, client, plan=plan, tick=self.on_kept)
            try:  # the progress line is erased on every way out (Ctrl-C too)
                if self.progress is not None and self.fmt == "table" and not self.count:
                    collected = list(records)  # the table is drawn once the progress line is gone
                    self.progress.close()
                    self.emit(iter(collected), records)
                    return
                self.emit(records, records)
            finally:
                self.finished()

    def emit(self, records: Iterable[dict[str, Any]], counted: Counted | None = None) -> None:
        """Write ``records`` (``counted``: the same, counted as fetched;
        its ending goes into a Parquet or Arrow file)."""
        from ..output.target import STREAMS
        from ..output.write import emit as write_records

        if self.count:
            total = sum(1 for _ in records)
            self.finished()
            click.echo(str(total))
            return
        ending = counted.ending if counted is not None else None
        writer = write_records(records, self.fmt, self.output, ending=ending, **self.options)
        self.finished()  # the progress line goes before anything else is said
        from ..output.misfits import shown_by

        for note in shown_by(self.client, writer.notes()):
            say(f"cqlang: warning: {note}", err=True)  # a field's name is the API's
        if self.output is not None and self.output not in STREAMS:
            # With -o the records are out of sight: say what happened.
            retries = ""
            if self.retries:
                retries = f" ({self.retries:,} {'retry' if self.retries == 1 else 'retries'})"
            stopped = ""
            if counted is not None and not counted.complete:
                stopped = f"; {self.limit} reached, more may match"
            say(
                f"wrote {_count(writer.count, 'record')} to {self.output} in "
                f"{_count(self.requests, 'request')}{retries}{stopped}",
                err=True,
            )


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
