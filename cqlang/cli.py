"""The ``cqlang`` command.

Exit status (documented in docs/cli.md):

* 0: success;
* 1: the query is invalid or cannot be compiled as asked (diagnostics with
  carets on stderr);
* 2: a usage error (unknown option, malformed ``--param``, bad ``--now``,
  an unreadable or insecure config file);
* 3: an API or network failure (``fetch``), with a one-line cause;
* 74: the output could not be written (a full disk), with a one-line cause.

Heavy libraries (requests, rich, prompt_toolkit) are imported inside the
commands that use them, so that ``cqlang compile`` starts fast.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from .cliparams import FloatRange, IntRange
from .launch import (
    EXIT_API,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    exit_for,
    fail,
    split_param,
)

if TYPE_CHECKING:
    from .client import ExchangeReport
    from .config import Config, PreparedQuery

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_CAMPAIGN = "5b7c389fe8df7b60af688989"

EPILOG = """\b
Examples:
  cqlang compile 'state in (OPEN, CLOSED) and priority >= 3'
  cqlang compile --format url --base-url https://api-x.cloud.conpeek.com \\
      --campaign 5b7c389fe8df7b60af688989 'custom.region = "PL"'
  cqlang check 'prioirty > 3'
  cqlang explain 'state = OPEN or priority > 5'
  cqlang fmt 'STATE=open AND (priority>=3)'
  cqlang decompile '[{"property":"state","value":["OPEN"]}]'
  cqlang emulator --port 8080 &
  CONPEEK_KEY=demo-key cqlang fetch --base-url http://127.0.0.1:8080 \\
      --campaign 5b7c389fe8df7b60af688989 'priority > 5 or custom.region != "PL"'
  cqlang repl
"""


def read_query(query: str) -> str:
    """The QUERY argument; ``-`` reads standard input."""
    if query == "-":
        if sys.stdin is None:
            fail("QUERY - reads standard input, which is closed")
        return sys.stdin.read().removeprefix("\ufeff")  # a byte order mark is no text
    return query


def file_option(f: F) -> F:
    """--file/-f FILE: the query is read from FILE (``-``: standard input)."""
    return click.option(
        "--file",
        "-f",
        "query_file",
        metavar="FILE",
        help="Read the query from FILE (- is standard input), e.g. a .cql file.",
    )(f)


def query_input(query: str | None, query_file: str | None, *, default: str | None = None) -> str:
    """The query of QUERY or --file FILE (one of them; ``default`` when
    neither is given and the command has one). A QUERY that does not parse
    and looks like a file name (docs/cli.md) is a usage error that says to
    use -f."""
    if query_file is not None:
        if query is not None:
            fail("give a QUERY or --file FILE, not both")
        from .queryfile import read_query_file

        return read_query_file(query_file)
    if query is None:
        if default is None:
            fail("missing QUERY (or --file FILE); see --help")
        return default
    text = read_query(query)
    if query != "-":
        from .parser import parse_diagnostics
        from .queryfile import looks_like_path

        if looks_like_path(query) and parse_diagnostics(query)[0] is None:
            fail(f"{query!r} is not a query; to read the query from that file use -f {query}")
    return text


def parse_params(items: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        pair = split_param(item)
        if pair is None:
            fail(f"--param takes NAME=VALUE, got {item!r}")
        params[pair[0]] = pair[1]
    return params


def parse_now(text: str | None) -> datetime | None:
    if text is None:
        return None
    from .timeexpr import TimeError
    from .timeexpr import parse_now as _parse

    try:
        return _parse(text)
    except TimeError as exc:
        fail(f"--now: {exc}")


def compile_options(f: F) -> F:
    """--param, --tz and --now: the compile-time inputs."""
    f = click.option(
        "--now",
        "now",
        metavar="DATETIME",
        help="The clock for now/today/yesterday (naive means UTC).",
    )(f)
    f = click.option(
        "--tz", "tz", metavar="ZONE", help="Time zone of naive datetimes (default UTC)."
    )(f)
    f = click.option(
        "--param",
        "-p",
        "params",
        multiple=True,
        metavar="NAME=VALUE",
        help="Bind $NAME (repeatable).",
    )(f)
    return f


def max_branches_option(f: F) -> F:
    """--max-branches N: the bound on the requests a query may need."""
    return click.option(
        "--max-branches",
        type=IntRange(min=1),
        metavar="N",
        help="Most requests one query may need (default: the named query's or the "
        "config's max_branches, else 32).",
    )(f)


def checked_base_url(text: str | None) -> str | None:
    """The base URL as requests use it (no ``user:password@``); one that is
    not an http(s) URL is a usage error."""
    if not text:
        return None
    from .encoding import base_url

    try:
        return base_url(text)
    except ValueError as exc:
        fail(str(exc))


def colour_mode() -> str | None:
    """--color, as given before the command or to it (None: auto)."""
    ctx = click.get_current_context(silent=True)
    return None if ctx is None else ctx.meta.get(_COLOR)


def echo_diagnostics(text: str) -> None:
    """Rendered diagnostics on stderr: in colour on a terminal (cqlang.colour;
    --color, NO_COLOR)."""
    from .colour import enabled, paint

    if enabled(colour_mode(), sys.stderr):
        click.echo(paint(text), err=True, color=True)
    else:
        click.echo(text, err=True)


def report(exc: Exception) -> NoReturn:
    """Print a CqlError's diagnostics (hints worded for the command line)
    and exit 1."""
    rendered = getattr(exc, "rendered_for", None)
    echo_diagnostics(rendered("cli") if rendered is not None else str(exc))
    sys.exit(EXIT_INVALID)


def print_warnings(diags: Sequence[Any], text: str) -> None:
    from .diagnostics import render, render_capped

    warnings = [d for d in diags if d.severity == "warning"]
    if warnings:
        echo_diagnostics(render_capped(warnings, lambda d: render(d, text)))


# ------------------------------------------------------------ configuration
# --config FILE, --profile NAME and --color WHEN are accepted before the command (on the
# group) and by every command (CqlGroup.add_command adds them); the last one
# given wins. cqlang.config is imported only when a command loads it.

_CONFIG_FILE = "cqlang.config_file"
_CONFIG_PROFILE = "cqlang.config_profile"
_CONFIG_LOADED = "cqlang.config"
_COLOR = "cqlang.color"


def _remember_config(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None:
        ctx.meta[_CONFIG_FILE if param.name == "config_file" else _CONFIG_PROFILE] = value
        ctx.meta.pop(_CONFIG_LOADED, None)
    return value


def _remember_color(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None:
        ctx.meta[_COLOR] = value
    return value


def config_params() -> list[click.Parameter]:
    """Fresh --config, --profile and --color options (they set click's ctx.meta)."""
    return [
        click.Option(
            ["--config", "config_file"],
            metavar="FILE",
            expose_value=False,
            is_eager=True,
            callback=_remember_config,
            help="Read only this config file (default: $CQLANG_CONFIG, else the nearest "
            "cqlang.toml, [tool.cqlang] in pyproject.toml and the user's config).",
        ),
        click.Option(
            ["--profile", "config_profile"],
            metavar="NAME",
            expose_value=False,
            is_eager=True,
            callback=_remember_config,
            help="Connect with [profiles.NAME] of the config.",
        ),
        click.Option(
            ["--color", "color_mode"],
            type=click.Choice(("auto", "always", "never")),
            expose_value=False,
            is_eager=True,
            callback=_remember_color,
            help="Colour diagnostics: auto (a terminal, unless NO_COLOR is set), always, never.",
        ),
    ]


def load_config() -> Config:
    """The configuration in effect for this run (read once); a bad or
    insecure file raises ConfigError, which exits 2."""
    ctx = click.get_current_context()
    cfg: Config | None = ctx.meta.get(_CONFIG_LOADED)
    if cfg is None:
        from .config import Config

        cfg = Config.load(ctx.meta.get(_CONFIG_FILE), profile=ctx.meta.get(_CONFIG_PROFILE))
        ctx.meta[_CONFIG_LOADED] = cfg
        for skipped in cfg.skipped:  # a discovered file someone else could have written
            click.echo(f"cqlang: warning: {skipped}", err=True)
    return cfg


def config_path() -> str | None:
    """The --config FILE given, if any."""
    value = click.get_current_context().meta.get(_CONFIG_FILE)
    return str(value) if value is not None else None


def prepare_query(
    query: str,
    params: Sequence[str] = (),
    tz: str | None = None,
    *,
    strict: bool = False,
    **settings: Any,
) -> PreparedQuery:
    """The query text (QUERY or --file, read by query_input) with its inputs
    resolved (cqlang.fetchspec): `@NAME` alone is that named query, with its
    parameter defaults, campaign, exclude, limit, time zone and max_branches
    (options given here win); the config's schema and named queries come
    along. ``settings``: campaign=, exclude=, limit=, page_size=,
    max_branches=."""
    if tz is not None:  # a bad --tz is the option's mistake, not the query's
        from .timeexpr import TimeError, zone

        try:
            zone(tz)
        except TimeError as exc:
            fail(f"--tz: {exc}" + (f" ({exc.hint})" if exc.hint else ""))
    return load_config().prepare(
        query,
        params=parse_params(params),
        tz=tz,
        strict=strict or None,
        **settings,
    )


def report_query(query: PreparedQuery, exc: Exception) -> NoReturn:
    """Print a CqlError about a prepared query (placed in the config file for a
    named query) and exit 1."""
    from .diagnostics import for_front_end, render_capped

    diags = getattr(exc, "diagnostics", None)
    if query.named is None or not diags:
        report(exc)

    echo_diagnostics(render_capped(for_front_end(diags, "cli"), query.render))
    sys.exit(EXIT_INVALID)


def print_query_diagnostics(
    query: PreparedQuery, diags: Sequence[Any], *, all: bool = False
) -> None:
    """Print the warnings (or ``all`` diagnostics) of a prepared query."""
    from .diagnostics import for_front_end, render_capped

    shown = for_front_end([d for d in diags if all or d.severity == "warning"], "cli")
    if shown:
        echo_diagnostics(render_capped(shown, query.render))


class CqlGroup(click.Group):
    """Turns anything unexpected into a one-line message, never a traceback.
    Every command added gets the --config, --profile and --color options."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        taken = {opt for p in cmd.params for opt in getattr(p, "opts", ())}
        cmd.params.extend(p for p in config_params() if not taken & set(getattr(p, "opts", ())))
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context) -> Any:
        from .errors import CqlError

        try:
            return super().invoke(ctx)
        except CqlError as exc:
            if isinstance(getattr(exc, "cqlang_exit_status", None), int):
                exit_for(exc)  # config, settings, API: a message and their own status
            report(exc)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            exit_for(exc)


@click.group(cls=CqlGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cqlang")
def main() -> None:
    """cqlang: write Conpeek filters as queries.

    Turns a query such as `state in (OPEN, CLOSED) and priority >= 3` into the
    `filter` parameter of GET /voice_campaign/{id}/request, plans what one
    filter cannot say, and fetches the records.
    """


# `cqlang --config FILE --profile NAME COMMAND ...`
main.params.extend(config_params())


@main.command("compile")
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
@click.option("--limit", type=IntRange(min=0), help="The request's limit (for --format url).")
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
    from . import api
    from .encoding import encode
    from .errors import CqlError
    from .fetchspec import MAX_PAGE_SIZE

    q = prepare_query(
        query_input(query, query_file),
        params,
        tz,
        strict=strict,
        campaign=campaign,
        exclude=exclude_option(exclude),
        limit=limit,
        max_branches=max_branches,
    )
    when = parse_now(now)
    try:
        plan = q.plan(now=when)
        api.strict_check(plan, q.text)
    except CqlError as exc:
        report_query(q, exc)
    filters = plan.branches[0]
    print_query_diagnostics(q, plan.warnings)
    if fmt == "json":
        click.echo(json.dumps(filters, ensure_ascii=False))
    elif fmt == "param":
        click.echo(encode(filters) if filters else "")
    else:
        base = checked_base_url(load_config().connection(base_url=base_url).base_url)
        if not base:
            fail("--format url needs --base-url, CONPEEK_URL or base_url in the config")
        if not q.campaign:
            fail("--format url needs --campaign (or campaign in the config)")
        q.check_campaign()
        if q.limit is not None and q.limit > MAX_PAGE_SIZE:
            click.echo(
                f"cqlang: warning: one request returns at most {MAX_PAGE_SIZE:,} records; "
                f"the URL asks for that many (`cqlang fetch` pages for all {q.limit:,})",
                err=True,
            )
        click.echo(q.request_url(base, filters))


@main.command("check")
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
    from .diagnostics import for_front_end, to_json

    q = prepare_query(
        query_input(query, query_file), params, tz, strict=strict, max_branches=max_branches
    )
    diags = for_front_end(q.check(now=parse_now(now)), "cli")
    if as_json:
        click.echo(to_json(diags))
    elif diags:
        print_query_diagnostics(q, diags, all=True)
    else:
        click.echo("ok")
    if any(d.severity == "error" for d in diags):
        sys.exit(EXIT_INVALID)


@main.command("fmt")
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
    from . import api

    if mode is None:
        if len(args) > 1:
            fail("fmt takes one QUERY; use --check or --write to format FILES")
        text = query_input(args[0] if args else None, query_file)
        cfg = load_config()
        from .refs import lone_reference

        name = lone_reference(text)  # `@NAME` alone (a comment beside it too): its own text
        if name is not None and name in cfg.queries:
            text = cfg.queries[name].text
        click.echo(api.format(text, schema=cfg.schema, width=width))
        return
    if query_file is not None:
        fail("--file goes with a query; with --check or --write, name FILES")
    from pathlib import Path

    from .fmtfiles import format_file

    cfg = load_config()
    paths = [Path(a) for a in args] or [f.path for f in cfg.files]
    results = [format_file(p, write=mode == "write", schema=cfg.schema, width=width) for p in paths]
    for r in results:
        if r.error is not None:
            click.echo(r.error, err=True)
        elif r.changed and mode == "check":
            click.echo(r.diff(), nl=False)
        elif r.changed:
            click.echo(f"reformatted {r.path}", err=True)
    changed = sum(r.changed for r in results)
    failed = sum(r.error is not None for r in results)
    unchanged = len(results) - changed - failed
    verb = "would be reformatted" if mode == "check" else "reformatted"
    parts = [f"{changed} file{'s' if changed != 1 else ''} {verb}"] if changed else []
    if unchanged:
        parts.append(f"{unchanged} file{'s' if unchanged != 1 else ''} left unchanged")
    if failed:
        parts.append(f"{failed} file{'s' if failed != 1 else ''} could not be formatted")
    click.echo(", ".join(parts) or "no files to format", err=True)
    if failed or (changed and mode == "check"):
        sys.exit(EXIT_INVALID)


@main.command("decompile")
@click.argument("filter_")
def decompile_cmd(filter_: str) -> None:
    """Turn a filter list (JSON, its encoded value, or a request URL) into a query."""
    from . import api

    click.echo(api.decompile(read_query(filter_)))


@main.command("explain")
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
    from .errors import CqlError

    q = prepare_query(query_input(query, query_file), params, tz, max_branches=max_branches)
    when = parse_now(now)
    try:
        plan = q.plan(now=when)
    except CqlError as exc:
        report_query(q, exc)
    if as_json:
        out = plan.to_json()
        out["warnings"] = [d.to_dict() for d in plan.warnings]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(plan.explain())
    if plan.residual is not None and all(not b for b in plan.branches):
        click.echo(
            "warning: the server narrows nothing: every record of the campaign is "
            "fetched and checked on the client",
            err=True,
        )
    print_query_diagnostics(q, plan.warnings)


@main.command("repl")
@click.option("--campaign", metavar="ID", help="Voice campaign id for \\fetch.")
@click.option("--profile", metavar="NAME", help="Connection profile of the config files.")
@click.option("--tz", "tz", metavar="ZONE", help="Time zone of naive datetimes (default UTC).")
@click.option("--vi", is_flag=True, help="Vi key bindings (default: Emacs).")
def repl_cmd(campaign: str | None, profile: str | None, tz: str | None, vi: bool) -> None:
    """Type queries with completion and live checking (docs/repl.md).

    Without a terminal, reads one query per line (or per `;`) and meta
    commands, prints each result, and exits 1 if any query was invalid.
    """
    from .repl import run

    # `cqlang --profile NAME repl` (the group's option) lands in ctx.meta;
    # the command's own --profile wins. --config FILE: config_path().
    profile = profile or click.get_current_context().meta.get(_CONFIG_PROFILE)
    status = run(
        campaign=campaign,
        profile=profile,
        tz=tz,
        vi=vi,
        config_file=config_path(),
        color=colour_mode(),
    )
    sys.exit(status)


# ------------------------------------------------- named queries and config


def _show_value(value: Any) -> str:
    """A parameter value as --param would write it."""
    if isinstance(value, list | tuple):
        return ",".join(_show_value(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _json_value(value: Any) -> Any:
    """A parameter value in JSON output: integers and lists keep their type,
    a TOML date or datetime is its text as --param would take it."""
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no nan or inf
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return _show_value(value)


def _param_default(value: str) -> str | int:
    """A --param of `queries save`, as written in the file: digits without a
    leading zero are an integer, anything else a string (as the REPL's
    \\save stores them)."""
    from .fetchspec import stored_param

    stored: str | int = stored_param(value)
    return stored


def _named_query(cfg: Config, name: str) -> Any:
    from .config import UnknownQueryError
    from .diagnostics import suggest

    name = name.removeprefix("@")
    named = cfg.queries.get(name)
    if named is None:
        close = suggest(name, cfg.queries)
        hint = f" (did you mean '@{close}'?)" if close else ""
        if not cfg.queries:
            hint = " (the config defines no named queries; see `cqlang config`)"
        raise UnknownQueryError(f"no named query '@{name}'{hint}")
    return named


def _query_json(named: Any) -> dict[str, Any]:
    loc = named.location()
    return {
        "name": named.name,
        "description": named.description,
        "query": named.text,
        "params": {k: _json_value(v) for k, v in named.params.items()},
        "campaign": named.campaign,
        "exclude": list(named.exclude) if named.exclude is not None else None,
        "limit": named.limit,
        "max_branches": named.max_branches,
        "timezone": named.timezone,
        "file": str(named.path) if named.path is not None else None,
        "line": loc[0] if loc else None,
    }


@main.group("queries", cls=CqlGroup)
def queries_group() -> None:
    """The named queries of the config files: `@NAME` in any query uses one.

    list, show, check, save and rm them (docs/config.md).
    """


@queries_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print them as JSON.")
def queries_list_cmd(as_json: bool) -> None:
    """List the named queries with their parameters and descriptions."""
    cfg = load_config()
    if as_json:
        out = [_query_json(q) for q in cfg.queries.values()]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not cfg.queries:
        where = "" if cfg.files else " (no config file was found; see `cqlang config`)"
        click.echo(f"no named queries{where}", err=True)
        return
    width = max(len(n) for n in cfg.queries) + 1
    for q in cfg.queries.values():
        params = " ".join(f"${k}={_show_value(v)}" for k, v in q.params.items())
        about = " ".join((q.description or "").split())  # one line, whatever the file holds
        line = f"@{q.name}".ljust(width) + "  " + about
        if params:
            line += f"  [{params}]"
        click.echo(line.rstrip())


@queries_group.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print it and its plan as JSON.")
@max_branches_option
@compile_options
def queries_show_cmd(
    name: str,
    as_json: bool,
    max_branches: int | None,
    params: tuple[str, ...],
    tz: str | None,
    now: str | None,
) -> None:
    """Show the named query NAME: its text, its parameters and its plan."""
    from .checker import check_text
    from .refs import references_in

    cfg = load_config()
    named = _named_query(cfg, name)
    given = parse_params(params)
    q = cfg.prepare(f"@{named.name}", params=given, tz=tz, max_branches=max_branches)
    when = parse_now(now)
    diags = q.check(now=when)
    used = check_text(q.text, q.env(now=when)).params_used
    # Defaults of the queries it refers to (directly or not), nearest first.
    inherited: dict[str, tuple[Any, str]] = {}
    seen, todo = {named.name}, [named.text]
    while todo:
        for ref in references_in(todo.pop(0)):
            inner = cfg.queries.get(ref)
            if inner is None or ref in seen:
                continue
            seen.add(ref)
            todo.append(inner.text)
            for k, v in inner.params.items():
                inherited.setdefault(k, (v, f"default of @{ref}"))
    rows: list[tuple[str, Any, str]] = []
    for pname in sorted(set(q.params) | used):
        if pname in given:
            rows.append((pname, given[pname], "--param"))
        elif pname in named.params:
            rows.append((pname, named.params[pname], "default"))
        elif pname in inherited:
            rows.append((pname, *inherited[pname]))
    errors = [d for d in diags if d.severity == "error"]
    plan = None if errors else q.plan(now=when)
    if as_json:
        out = _query_json(named)
        out["alias_of"] = q.chain[1].name if len(q.chain) > 1 else None
        out["bound"] = {p: {"value": _json_value(v), "from": src} for p, v, src in rows}
        out["plan"] = plan.to_json() if plan is not None else None
        out["diagnostics"] = [d.to_dict() for d in diags]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        head = f"@{named.name}" + (f": {named.description}" if named.description else "")
        lines = [head]
        loc = named.location()
        if named.source is not None:
            lines.append(f"  in {named.source.display()}" + (f":{loc[0]}" if loc else ""))
        if len(q.chain) > 1:  # an alias: its text is a lone @OTHER
            lines.append(f"  alias of @{q.chain[1].name}")
        for key in ("campaign", "timezone", "limit", "max_branches", "exclude"):
            owner = q.origin(key)  # its own key, else the one of the query it stands for
            if owner is None:
                continue
            value = getattr(owner, key)
            shown = ", ".join(value) if key == "exclude" else str(value)
            of = f" (of @{owner.name})" if owner is not named else ""
            lines.append(f"  {key} {shown}{of}")
        lines += ["", "query:"]
        lines += ["  " + t for t in named.text.strip("\n").splitlines()]
        if rows:
            lines += ["", "parameters:"]
            w = max(len(p) + len(_show_value(v)) for p, v, _ in rows) + 4
            for p, v, src in rows:
                lines.append(f"  {f'${p} = {_show_value(v)}'.ljust(w)}  ({src})")
        if plan is not None:
            lines += ["", "plan:", plan.explain()]
        click.echo("\n".join(lines))
    print_query_diagnostics(q, diags, all=True)
    if errors:
        sys.exit(EXIT_INVALID)


@queries_group.command("check")
@click.argument("files", nargs=-1, metavar="[FILES...]")
@click.option("--strict", is_flag=True, help="An undeclared custom field is an error.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def queries_check_cmd(files: tuple[str, ...], strict: bool, as_json: bool) -> None:
    """Check every named query of every config file read, each with its
    parameter defaults; every mistake is shown at FILE:LINE:COL with a caret
    (exit 1 on an error).

    With FILES (as the pre-commit hook passes them): each config file
    (.toml) is checked on its own, as with --config FILE, and each query
    file (.cql) with the config in effect.
    """
    if files:
        from .lintfiles import lint_files

        cfg, findings = lint_files(files, load_config(), strict=strict)
    else:
        cfg = load_config()
        findings = cfg.lint(strict=strict)
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if as_json:
        click.echo(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
    else:
        if findings:
            from .diagnostics import render_capped

            shown = render_capped(findings, lambda f: f.rendered, severity=lambda f: f.severity)
            echo_diagnostics(shown + "\n")
        count = sum(len(f.queries) for f in cfg.files)
        read = len(cfg.files)
        if not read:
            click.echo("no config file was found (see `cqlang config`)", err=True)
        else:
            found = []
            if errors:
                found.append(f"{errors} error{'s' if errors != 1 else ''}")
            if warnings:
                found.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
            click.echo(
                f"{count} quer{'ies' if count != 1 else 'y'} in {read} "
                f"file{'s' if read != 1 else ''}: " + (", ".join(found) or "ok")
            )
    if errors:
        sys.exit(EXIT_INVALID)


@queries_group.command("save")
@click.argument("name")
@click.argument("query")
@click.option("--description", "-d", metavar="TEXT", help="What the query is for.")
@click.option("--force", "-f", is_flag=True, help="Replace a query of that name.")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A default for $NAME (repeatable).",
)
@click.option(
    "--max-branches",
    type=IntRange(min=1),
    metavar="N",
    help="Store max_branches = N with it: the most requests the query may need "
    "(default: the config's, else 32).",
)
def queries_save_cmd(
    name: str,
    query: str,
    description: str | None,
    force: bool,
    params: tuple[str, ...],
    max_branches: int | None,
) -> None:
    """Save QUERY as @NAME in the --config file, else the nearest cqlang.toml,
    else a new ./cqlang.toml (comments and layout are kept). An invalid query
    is refused, and so is an existing NAME without --force."""
    from .config import (
        Config,
        ConfigError,
        NamedQuery,
        QueryExistsError,
        display_path,
        save_query,
        target_file,
    )
    from .diagnostics import for_front_end, render_all

    name = name.removeprefix("@")
    path = target_file(config_path())
    try:
        cfg = load_config()
    except ConfigError as exc:
        if path.exists() or exc.path is None or exc.path.absolute() != path.absolute():
            raise
        cfg = Config()  # the file to create is the one named
    text = read_query(query)
    defaults = {k: _param_default(v) for k, v in parse_params(params).items()}
    other = cfg.queries.get(name)
    if other is not None and not force:
        where = other.source.display() if other.source is not None else "the config"
        raise QueryExistsError(
            f"a query named '@{name}' exists already in {where} (use --force to replace it)"
        )
    candidate = NamedQuery(
        name, text, description, params=defaults, max_branches=max_branches, config=cfg
    )
    # Checked as `queries check` will check it (an alias with what it inherits).
    diags = for_front_end(cfg.check_query(candidate, {**cfg.queries, name: candidate}), "cli")
    if any(d.severity == "error" for d in diags):
        echo_diagnostics(render_all(for_front_end(diags, "cli"), text))
        fail(f"'@{name}' was not saved: the query has errors", EXIT_INVALID)
    print_warnings(diags, text)
    save_query(
        path,
        name,
        text,
        description=description,
        params=defaults,
        force=force,
        max_branches=max_branches,
    )
    click.echo(f"saved @{name} in {display_path(path)}")


@queries_group.command("rm")
@click.argument("name")
def queries_rm_cmd(name: str) -> None:
    """Remove @NAME from the --config file, else the nearest cqlang.toml
    (comments and layout around it are kept)."""
    from .config import Config, display_path, remove_query, target_file
    from .refs import references_in

    name = name.removeprefix("@")
    path = target_file(config_path())
    remove_query(path, name)
    click.echo(f"removed @{name} from {display_path(path)}")
    ctx = click.get_current_context()
    try:
        cfg = Config.load(ctx.meta.get(_CONFIG_FILE))
    except Exception:
        return
    still = cfg.queries.get(name)
    if still is not None and still.source is not None:
        click.echo(f"note: @{name} is still defined in {still.source.display()}", err=True)
    users = [q.name for q in cfg.queries.values() if name in references_in(q.text)]
    if users and still is None:
        refs = ", ".join(f"@{u}" for u in users)
        click.echo(
            f"warning: {refs} still refer{'s' if len(users) == 1 else ''} to @{name}", err=True
        )


@main.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
def config_cmd(as_json: bool) -> None:
    """Show the config files read (an earlier one wins), the connection in
    effect with where each setting comes from, and the merged configuration
    (secrets masked)."""
    cfg = load_config()
    if not as_json:
        click.echo(cfg.describe(), nl=False)
        return
    conn = cfg.connection()
    out = {
        "files": [{"path": str(f.path), "origin": f.origin} for f in cfg.files],
        "skipped": [s.to_dict() for s in cfg.skipped],
        "profile": conn.profile,
        "connection": conn.shown(),
        "sources": dict(conn.sources),
        "notes": list(conn.notes),
        "config": cfg.shown(),
    }
    click.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))


# ------------------------------------------------------------------ fetch
# The records in a format of cqlang.writers (all streamed but the table);
# written to --output through a temporary file beside it, renamed only on
# success. --count counts, --dry-run prints the requests (cqlang.dryrun).

FETCH_FORMATS = ("jsonl", "json", "csv", "table", "parquet", "arrow")  # cqlang.writers.FORMATS


@main.command("fetch")
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
    help="Records per request (default 1000; the API allows 10000).",
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
    type=click.Path(dir_okay=False, writable=True),
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

    from . import output as out
    from .columns import HEAVY_FIELDS, fetch_exclude, parse_columns
    from .errors import CqlError

    fields = exclude_option(exclude)
    if count and (fmt is not None or output is not None or columns is not None):
        fail("--count prints only a number: it takes no --format, --output or --columns")
    if output is not None and out.STREAMS.get(output) == 1:
        output = None  # stdout, as it is: `-o /dev/stdout >> log` appends
    elif output is not None and not dry_run:
        out.check_output(output)
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
    cols = parse_columns(columns, prepared.schema) if columns is not None else None
    # What the API leaves out: the exclude, and the heavy fields that no
    # column (or, for --count, nothing) reads; the client still fetches what
    # its own check reads (Residual.record_fields).
    if count:
        sent = list(dict.fromkeys([*(prepared.exclude or ()), *HEAVY_FIELDS]))
    else:
        sent = fetch_exclude(cols, prepared.exclude) or []
    spec = prepared.with_(exclude=tuple(sent) if sent else None)
    options: dict[str, Any] = {
        "columns": cols,
        "schema": prepared.schema,
        "exclude": prepared.exclude,
    }
    if fmt in ("parquet", "arrow") and not count:
        from .arrow import file_metadata

        options["metadata"] = file_metadata(
            prepared.text, plan, datetime.now(UTC), prepared.campaign
        )
    counts = [0, 0, 0]  # requests, records received, retries among the requests
    progress: Any = None  # the progress line (cqlang.progress), when there is one

    def finished() -> None:
        if progress is not None:
            progress.close()

    def emit(records: Any) -> None:
        if count:
            total = sum(1 for _ in records)
            finished()
            click.echo(str(total))
            return
        writer = out.emit(records, fmt, output, **options)
        finished()  # the progress line goes before anything else is said
        for note in writer.notes():
            click.echo(f"cqlang: warning: {note}", err=True)
        if output is not None and output not in out.STREAMS:
            # With -o the records are out of sight: say what happened.
            retries = ""
            if counts[2]:  # which of the requests retried an earlier one
                retries = f" ({counts[2]:,} {'retry' if counts[2] == 1 else 'retries'})"
            click.echo(
                f"wrote {_count(writer.count, 'record')} to {output} in "
                f"{_count(counts[0], 'request')}{retries}",
                err=True,
            )

    if plan.never_matches:
        print_query_diagnostics(prepared, plan.warnings)
        click.echo("cqlang: warning: the query never matches; no request was sent", err=True)
        if dry_run:
            from .dryrun import describe

            click.echo(describe(plan, []))
            return
        emit(iter(()))
        return
    if not prepared.campaign:
        fail("no campaign: give --campaign ID (or set campaign in the config)")
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
        click.echo(describe(plan, urls, page_size=size))
        print_query_diagnostics(prepared, plan.warnings)
        return
    if not checked_base_url(conn.base_url):
        fail(
            "no API base URL: " + conn.missing.get("base_url", "give --base-url or set CONPEEK_URL")
        )
    if not (conn.api_key or "").strip():
        fail("no API key: " + conn.missing.get("api_key", "set CONPEEK_KEY"))
    if plan.residual is not None and all(not b for b in plan.branches):
        click.echo(
            "cqlang: warning: the server narrows nothing: every record of the campaign is "
            "fetched and checked on the client",
            err=True,
        )
    import logging

    from .client import ApiError, Client, ConfigurationError
    from .progress import Progress, wanted

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
            line = f"cqlang: {level}{self.format(record)}"
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
    except ConfigurationError as exc:  # a key that cannot be sent: a usage error
        fail(str(exc))
    except ApiError as exc:
        fail(str(exc), EXIT_API)
    finally:
        log.removeHandler(handler)
        log.setLevel(saved_level)


def exclude_option(given: Sequence[str]) -> list[str] | None:
    """``--exclude a,b --exclude c``: the field names of every one given,
    in order, each once (``None`` when none is given; ``--exclude ''`` is
    an empty list, which overrides a named query's ``exclude``). ``id`` is
    a usage error: records are merged by it."""
    if not given:
        return None
    fields = list(dict.fromkeys(f.strip() for text in given for f in text.split(",") if f.strip()))
    if "id" in fields:
        fail("--exclude cannot hold id: the records are merged and paged by id")
    return fields


def _finite(param: click.Parameter, value: float) -> float:
    """A number option that must be a number: not nan, not inf."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds", param=param)
    return value


_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2,
          "mib": 1024**2, "g": 1024**3, "gb": 1024**3, "gib": 1024**3}  # fmt: skip


def _byte_size(param: click.Parameter, value: str) -> int:
    """A size in bytes: ``65536``, ``64k``, ``64KiB``, ``1.5MiB`` (units of 1024)."""
    text = value.strip().lower().replace(" ", "")
    number = text.rstrip("kmgib")
    unit = text[len(number) :]
    from .digits import ascii_float

    parsed = ascii_float(number) if number and unit in _UNITS else None
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


# -------------------------------------------------------------------- lsp


@main.command("lsp")
@click.option("--stdio", is_flag=True, help="Talk over standard input and output (the default).")
def lsp_cmd(stdio: bool) -> None:
    """Serve the Language Server Protocol over standard input and output,
    for editors (docs/editors.md). Needs the lsp extra: pip install 'cqlang[lsp]'.
    """
    try:
        from .lsp import serve
    except ImportError as exc:
        fail(f"the language server needs pygls and lsprotocol ({exc}): pip install 'cqlang[lsp]'")
    serve(config_file=config_path())


# --------------------------------------------------------------- emulator


@main.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=IntRange(0, 65535),
    help="Port (0: any free port).",
)
@click.option(
    "--records",
    default=1000,
    show_default=True,
    type=IntRange(min=0),
    help="Records generated per campaign.",
)
@click.option("--seed", default="1", show_default=True, help="Seed of the generated records.")
@click.option(
    "--campaign",
    "campaigns",
    multiple=True,
    metavar="ID",
    help=f"A campaign to serve (repeatable; default {DEFAULT_CAMPAIGN}).",
)
@click.option("--api-key", default="demo-key", show_default=True, help="The key it accepts.")
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False),
    help="Serve the records of this JSON or JSONL file instead.",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="SPEC",
    help="Inject a fault, e.g. 500=2, 429=1@3, drop=10%, latency=0.05 (repeatable).",
)
@click.option(
    "--window-days",
    default=90.0,
    show_default=True,
    type=FloatRange(min=0.001, max=365_000),
    help="Days before 2026-11-01 the generated records spread over.",
)
@click.option(
    "--no-strict", is_flag=True, help="Accept two filter objects on the same property and operator."
)
def emulator_cmd(
    host: str,
    port: int,
    records: int,
    seed: str,
    campaigns: tuple[str, ...],
    api_key: str,
    data: str | None,
    faults: tuple[str, ...],
    window_days: float,
    no_strict: bool,
) -> None:
    """Serve the built-in emulator of GET /voice_campaign/{id}/request.

    Prints `cqlang emulator listening on http://HOST:PORT` first, then serves
    until interrupted (Ctrl-C or SIGTERM). See docs/emulator.md.
    """
    import re
    import signal
    import threading

    from .emulator import Emulator, FaultSpecError, parse_faults

    try:
        parsed = parse_faults(faults)
    except FaultSpecError as exc:
        fail(f"--fault: {exc}")
    try:
        emu = Emulator(
            records=records,
            # ASCII digits only: '²'.isdigit() is true, but int('²') fails.
            seed=int(seed) if re.fullmatch(r"-?[0-9]{1,30}", seed) else seed,
            api_key=api_key,
            campaigns=campaigns or (DEFAULT_CAMPAIGN,),
            faults=parsed,
            strict=not no_strict,
            data=data,
            host=host,
            port=port,
            window_days=window_days,
        )
        emu.start()
    except (OSError, ValueError) as exc:
        fail(f"emulator: {exc}")
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        click.echo(f"cqlang emulator listening on {emu.url}")
        sys.stdout.flush()
        while not stop.wait(0.2):
            pass
    finally:
        emu.stop()
        for s, h in previous.items():
            signal.signal(s, h)


if __name__ == "__main__":  # pragma: no cover
    main()
