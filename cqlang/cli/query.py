"""The commands about one query, which send nothing: ``compile``, ``check``,
``explain``, ``fmt`` and ``decompile``. (``compile``, ``check`` and
``explain`` of the simplest command lines are answered by
:mod:`cqlang.launch` without click, byte for byte as here.)
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ..status import ExitStatus, fail
from ..visible import json_text
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
    read_query,
)
from .paramtypes import IntRange
from .show import print_query_diagnostics, report, report_query, say, write_data

if TYPE_CHECKING:
    from ..config.fetchspec import FetchSpec
    from ..config.fmtfiles import FileResult
    from ..errors import ConfigProblem
    from ..types import Filter


@click.command("compile")
@click.argument("query", required=False)
@file_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "param", "url"]),
    default="json",
    show_default=True,
    help="json: the filter list; param: its encoded value; url: the whole request URL.",
)
@click.option("--campaign", metavar="ID", help="Voice campaign id (for --format url).")
@click.option("--base-url", metavar="URL", help="API base URL (default: $CONPEEK_URL).")
@click.option(
    "--exclude",
    metavar="FIELDS",
    multiple=True,
    help="Fields the API leaves out, comma-separated, repeatable (for --format url).",
)
@click.option(
    "--limit", type=IntRange(min=0), help="Records wanted, as for fetch (for --format url)."
)
@click.option(
    "--page-size",
    type=IntRange(min=1),
    help="Records per request, as for fetch (for --format url; default 1000).",
)
@click.option("--strict", is_flag=True, help="An undeclared custom field is an error.")
@max_branches_option
@compile_options
def compile_cmd(
    query: str | None,
    query_file: str | None,
    fmt: str,
    campaign: str | None,
    base_url: str | None,
    exclude: tuple[str, ...],
    limit: int | None,
    page_size: int | None,
    strict: bool,
    max_branches: int | None,
    params: tuple[str, ...],
    tz: str | None,
    now: str | None,
) -> None:
    """Compile QUERY to the one filter list it means (QUERY `-` reads stdin,
    -f FILE a query file; `@NAME` is a named query of the config).

    Strict: a query that needs several requests or client-side checks is
    refused; see `cqlang explain` for its plan.
    """

    from .. import api
    from ..encoding import encode
    from ..errors import CqlError

    q = prepare_query(
        query_input(query, query_file),
        params,
        tz,
        strict=strict,
        source=query_file,
        campaign=campaign,
        exclude=exclude_option(exclude),
        limit=limit,
        page_size=page_size,
        max_branches=max_branches,
    )
    when = parse_now(now, tz)
    try:
        plan = q.plan(now=when)
        api.strict_check(plan, q.text)
    except CqlError as exc:
        report_query(q, exc)
    filters = plan.branches[0]
    print_query_diagnostics(q, plan.warnings)
    if fmt == "json":
        click.echo(json_text(filters))
    elif fmt == "param":
        click.echo(encode(filters) if filters else "")
    else:
        _print_url(q, filters, base_url)


def _print_url(q: FetchSpec, filters: list[Filter], base_url: str | None) -> None:
    """``compile --format url``: the first page's URL of the one request,
    as the client sends it (:meth:`FetchSpec.request_url`, the client's
    own builder), and a warning when its ``limit`` is not the one asked."""
    from urllib.parse import parse_qs, urlsplit

    from ..encoding import MAX_PAGE_SIZE

    base = checked_base_url(load_config().connection(base_url=base_url).base_url)
    if not base:
        fail("--format url needs --base-url, CONPEEK_URL or base_url in the config")
    if not q.campaign:
        fail("--format url needs --campaign (or campaign in the config)")
    if q.limit == 0:
        fail("--format url: with a limit of 0 no request is sent, so there is no URL")
    url = q.request_url(base, filters)
    asked = int(parse_qs(urlsplit(url).query)["limit"][0])
    if q.limit is not None and q.limit > asked:
        click.echo(
            f"cqlang: warning: the URL is the first page's: it asks for {asked:,} records "
            f"(the page size; at most {MAX_PAGE_SIZE:,}); `cqlang fetch` pages on for "
            f"all {q.limit:,}",
            err=True,
        )
    elif q.limit is not None and q.limit < asked:
        click.echo(
            f"cqlang: warning: the URL asks for a whole page of {asked:,} records: the "
            f"client checks each record a request with `ne` brings, and `cqlang fetch` "
            f"stops once {q.limit:,} have passed",
            err=True,
        )
    click.echo(url)


@click.command("check")
@click.argument("query", required=False)
@file_option
@click.option("--json", "as_json", is_flag=True, help="Print the diagnostics as JSON.")
@click.option("--strict", is_flag=True, help="An undeclared custom field is an error.")
@max_branches_option
@compile_options
def check_cmd(
    query: str | None,
    query_file: str | None,
    as_json: bool,
    strict: bool,
    max_branches: int | None,
    params: tuple[str, ...],
    tz: str | None,
    now: str | None,
) -> None:
    """Report every error and warning in QUERY (exit 1 on an error)."""
    from ..diagnostics import for_front_end, to_json
    from .lenient import config_for_text, needs_config

    text = query_input(query, query_file)
    config_for_text(lambda: [(query_file or "QUERY", needs_config(text))])
    q = prepare_query(
        text,
        params,
        tz,
        strict=strict,
        source=query_file,
        max_branches=max_branches,
    )
    diags = for_front_end(q.check(now=parse_now(now, tz)), "cli")
    if as_json:
        click.echo(to_json(diags, query_file if query_file not in (None, "-") else None))
    elif diags:
        print_query_diagnostics(q, diags, all=True)
    else:
        click.echo("ok")
    if any(d.severity == "error" for d in diags):
        sys.exit(ExitStatus.INVALID)


@click.command("explain")
@click.argument("query", required=False)
@file_option
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@max_branches_option
@compile_options
def explain_cmd(
    query: str | None,
    query_file: str | None,
    as_json: bool,
    max_branches: int | None,
    params: tuple[str, ...],
    tz: str | None,
    now: str | None,
) -> None:
    """Show the requests QUERY needs and what is checked on the client."""

    from ..errors import CqlError

    q = prepare_query(
        query_input(query, query_file), params, tz, source=query_file, max_branches=max_branches
    )
    when = parse_now(now, tz)
    try:
        plan = q.plan(now=when)
    except CqlError as exc:
        report_query(q, exc)
    if as_json:
        out = plan.to_json()
        out["warnings"] = [d.to_dict() for d in plan.warnings]
        click.echo(json_text(out, indent=2))
        return
    say(plan.explain())  # its query text is escaped already (formatter.quote)
    print_query_diagnostics(q, plan.warnings)


@click.command("fmt")
@click.argument("args", nargs=-1, metavar="[QUERY | FILES...]")
@file_option
@click.option(
    "--check",
    "mode",
    flag_value="check",
    help="Format FILES in memory: print a diff and exit 1 where that changes one (for CI).",
)
@click.option("--write", "mode", flag_value="write", help="Rewrite FILES formatted, in place.")
@click.option(
    "--width",
    type=IntRange(min=1),
    default=88,
    show_default=True,
    help="Break a query wider than this, one and/or operand a line.",
)
def fmt_cmd(args: tuple[str, ...], query_file: str | None, mode: str | None, width: int) -> None:
    """Print QUERY formatted, its comments kept (`@NAME`: that named query's
    text; -f FILE: a query file).

    With --check or --write, format FILES instead: .cql query files, and the
    named queries of config files (.toml: cqlang.toml, or [tool.cqlang] of a
    pyproject.toml), leaving the rest of each file as it is. Without FILES:
    the config files read (see `cqlang config`). The last of --check and
    --write given wins.
    """
    if mode is None:
        if len(args) > 1:
            fail("fmt takes one QUERY; use --check or --write to format FILES")
        _fmt_query(args[0] if args else None, query_file, width)
        return
    if query_file is not None:
        fail("--file goes with a query; with --check or --write, name FILES")
    _report_files(_fmt_files(args, mode, width), mode)


def _fmt_query(query: str | None, query_file: str | None, width: int) -> None:
    """``fmt QUERY``: the query (a lone ``@NAME``: that named query's text)
    printed formatted."""
    from .. import api
    from ..errors import CqlError
    from ..refs import lone_reference
    from .lenient import config_for_text, needs_config

    text = query_input(query, query_file)
    cfg = config_for_text(lambda: [(query_file or "QUERY", needs_config(text))])
    name = lone_reference(text)  # `@NAME` alone (a comment beside it too): its own text
    if name is not None and name in cfg.queries:
        text = cfg.queries[name].text
    try:
        formatted = api.format(text, schema=cfg.schema, width=width)
    except CqlError as exc:
        if name is None and query_file not in (None, "-"):
            exc.source = query_file  # the --> line names the file
        report(exc)
    write_data(formatted)  # exact for a pipe; its comments drawn on a terminal


def _fmt_files(args: tuple[str, ...], mode: str, width: int) -> list[FileResult]:
    """``fmt --check/--write [FILES]``: each file formatted (standard input
    for ``-``; without FILES, the config files read)."""
    from pathlib import Path

    from ..config.fmtfiles import format_file, format_stdin, is_device
    from .lenient import config_for_text, in_files, needs_config, query_files_needs

    if args.count("-") > 1:
        fail("fmt reads standard input (-) once")
    # `-` is standard input, read as a query file, as ruff and black read it:
    # --check checks it, --write prints it formatted (nothing to rewrite).
    stdin = sys.stdin.buffer.read() if "-" in args and sys.stdin is not None else b""
    named = [a for a in args if a != "-"]

    def needs() -> list[tuple[str, str | None]]:
        found = query_files_needs(named)
        if "-" in args:
            found.append(("-", needs_config(stdin.decode("utf-8", "replace"))))
        return found

    def reported(problem: ConfigProblem) -> bool:
        # A config file named that cannot be read as one (the loader said
        # so: ConfigProblem.unreadable, the file not read again) says so
        # when its turn comes; a setting's mistake is still warned of.
        return problem.unreadable and in_files(problem, named)

    # Without FILES, the config files are what is formatted: they must read.
    cfg = config_for_text(needs, reported) if args else load_config()

    def one(a: str | Path) -> FileResult:
        if a == "-":
            return format_stdin(stdin, schema=cfg.schema, width=width)
        return format_file(Path(a), write=mode == "write", schema=cfg.schema, width=width)

    if args:
        return [one(a) for a in args]
    # A config read from a device (--config /dev/null: an empty one) holds
    # no query to format and is no file to rewrite: it is left out.
    return [one(f.path) for f in cfg.files if not is_device(f.path)]


def _report_files(results: list[FileResult], mode: str) -> None:
    """What ``fmt --check/--write`` says of each file, the summary line
    (as ruff words it) and the exit status."""
    from ..diagnostics import for_front_end, render_all
    from .show import echo_diagnostics

    for r in results:
        if r.error is not None and (r.unreadable or r.unwritable):  # it names the file
            say(f"cqlang: {r.error}", err=True)
        elif r.diagnostics:  # rendered here: in colour on a terminal, hints for the CLI
            shown = for_front_end(r.diagnostics, "cli")
            echo_diagnostics(render_all(shown, r.shown, source=str(r.path)))
        elif r.error is not None:
            say(r.error, err=True)
        elif mode == "write" and str(r.path) == "-":
            write_data(r.after, nl=False)
        elif r.changed and mode == "check":
            write_data(r.diff(), nl=False)
        elif r.changed:
            say(f"reformatted {r.path}", err=True)

    # Standard input under --write is written to standard output, not to a
    # file: no file was reformatted, so the summary leaves it out (and says
    # nothing when it was the only input, as ruff says nothing for stdin),
    # unless it could not be formatted beside files that could: a summary
    # of files then counts the failure too.
    def from_stdin(r: FileResult) -> bool:
        return mode == "write" and str(r.path) == "-"

    files = [r for r in results if not from_stdin(r)]
    if files:
        files += [r for r in results if from_stdin(r) and r.error is not None]
    if files or not results:
        _summary(files, mode)
    unreadable = sum(r.unreadable for r in results)
    unwritable = sum(r.unwritable for r in results)
    failed = sum(r.error is not None for r in results) - unreadable - unwritable
    changed = sum(r.changed for r in results)
    if unreadable or unwritable:  # a file named that is not there is a usage error, as for ruff
        sys.exit(ExitStatus.USAGE)
    if failed or (changed and mode == "check"):
        sys.exit(ExitStatus.INVALID)


def _summary(results: list[FileResult], mode: str) -> None:
    """The summary line of ``fmt --check/--write``, as ruff words it."""
    changed = sum(r.changed for r in results)
    unreadable = sum(r.unreadable for r in results)
    unwritable = sum(r.unwritable for r in results)
    failed = sum(r.error is not None for r in results) - unreadable - unwritable
    unchanged = len(results) - changed - failed - unreadable - unwritable
    verb = "would be reformatted" if mode == "check" else "reformatted"
    parts = [f"{changed} file{'s' if changed != 1 else ''} {verb}"] if changed else []
    if unchanged:
        parts.append(f"{unchanged} file{'s' if unchanged != 1 else ''} left unchanged")
    if failed:
        parts.append(f"{failed} file{'s' if failed != 1 else ''} could not be formatted")
    if unreadable:
        parts.append(f"{unreadable} file{'s' if unreadable != 1 else ''} could not be read")
    if unwritable:
        parts.append(f"{unwritable} file{'s' if unwritable != 1 else ''} could not be written")
    click.echo(", ".join(parts) or "no files to format", err=True)


@click.command("decompile")
@click.argument("filter_")
def decompile_cmd(filter_: str) -> None:
    """Turn a filter list (JSON, its encoded value, or a request URL) into a query."""
    from .. import api

    # The config's declared custom fields are written as declared, so that
    # the query compiles back to the same filter with the same config.
    source = read_query(filter_)
    click.echo(api.decompile(source, schema=load_config().schema))
