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

import contextlib
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from .launch import (
    EXIT_API,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_IO,
    exit_for,
    fail,
    split_param,
)

if TYPE_CHECKING:
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


def report(exc: Exception) -> NoReturn:
    """Print a CqlError's diagnostics and exit 1."""
    click.echo(str(exc), err=True)
    sys.exit(EXIT_INVALID)


def print_warnings(diags: Sequence[Any], text: str) -> None:
    from .diagnostics import render

    for d in diags:
        if d.severity == "warning":
            click.echo(render(d, text), err=True)


# ------------------------------------------------------------ configuration
# --config FILE and --profile NAME are accepted before the command (on the
# group) and by every command (CqlGroup.add_command adds them); the last one
# given wins. cqlang.config is imported only when a command loads it.

_CONFIG_FILE = "cqlang.config_file"
_CONFIG_PROFILE = "cqlang.config_profile"
_CONFIG_LOADED = "cqlang.config"


def _remember_config(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None:
        ctx.meta[_CONFIG_FILE if param.name == "config_file" else _CONFIG_PROFILE] = value
        ctx.meta.pop(_CONFIG_LOADED, None)
    return value


def config_params() -> list[click.Parameter]:
    """Fresh --config and --profile options (they set click's ctx.meta)."""
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
    """QUERY with its inputs resolved: `@NAME` alone is that named query, with
    its parameter defaults, campaign, exclude, limit and time zone (options
    given here win); the config's schema and named queries come along.
    ``settings``: campaign=, exclude=, limit= (for fetch)."""
    if tz is not None:  # a bad --tz is the option's mistake, not the query's
        from .timeexpr import TimeError, zone

        try:
            zone(tz)
        except TimeError as exc:
            fail(f"--tz: {exc}" + (f" ({exc.hint})" if exc.hint else ""))
    return load_config().prepare(
        read_query(query),
        params=parse_params(params),
        tz=tz,
        strict=strict or None,
        **settings,
    )


def report_query(query: PreparedQuery, exc: Exception) -> NoReturn:
    """Print a CqlError about a prepared query (placed in the config file for a
    named query) and exit 1."""
    diags = getattr(exc, "diagnostics", None)
    if query.named is None or not diags:
        report(exc)
    click.echo("\n\n".join(query.render(d) for d in diags), err=True)
    sys.exit(EXIT_INVALID)


def print_query_diagnostics(
    query: PreparedQuery, diags: Sequence[Any], *, all: bool = False
) -> None:
    """Print the warnings (or ``all`` diagnostics) of a prepared query."""
    shown = [query.render(d) for d in diags if all or d.severity == "warning"]
    if shown:
        click.echo("\n\n".join(shown), err=True)


class CqlGroup(click.Group):
    """Turns anything unexpected into a one-line message, never a traceback.
    Every command added gets the --config and --profile options."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        taken = {opt for p in cmd.params for opt in getattr(p, "opts", ())}
        cmd.params.extend(p for p in config_params() if not taken & set(getattr(p, "opts", ())))
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context) -> Any:
        from .diagnostics import CqlError

        try:
            return super().invoke(ctx)
        except CqlError as exc:
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
@click.argument("query")
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
@click.option("--strict", is_flag=True, help="An undeclared custom field is an error.")
@compile_options
def compile_cmd(
    query: str,
    fmt: str,
    campaign: str | None,
    base_url: str | None,
    strict: bool,
    params: tuple[str, ...],
    tz: str | None,
    now: str | None,
) -> None:
    """Compile QUERY to the one filter list it means (QUERY `-` reads stdin;
    `@NAME` is a named query of the config).

    Strict: a query that needs several requests or client-side checks is
    refused; see `cqlang explain` for its plan.
    """
    from . import api
    from .diagnostics import CqlError
    from .encoding import encode, request_path

    q = prepare_query(query, params, tz, strict=strict, campaign=campaign)
    when = parse_now(now)
    try:
        plan = api.plan(q.text, now=when, **q.inputs())
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
        url = base + request_path(q.campaign)
        if filters:
            url += f"?filter={encode(filters)}"
        click.echo(url)


@main.command("check")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the diagnostics as JSON.")
@click.option("--strict", is_flag=True, help="An undeclared custom field is an error.")
@compile_options
def check_cmd(
    query: str,
    as_json: bool,
    strict: bool,
    params: tuple[str, ...],
    tz: str | None,
    now: str | None,
) -> None:
    """Report every error and warning in QUERY (exit 1 on an error)."""
    from . import api
    from .diagnostics import to_json

    q = prepare_query(query, params, tz, strict=strict)
    diags = api.check(q.text, now=parse_now(now), **q.inputs())
    if as_json:
        click.echo(to_json(diags))
    elif diags:
        print_query_diagnostics(q, diags, all=True)
    else:
        click.echo("ok")
    if any(d.severity == "error" for d in diags):
        sys.exit(EXIT_INVALID)


@main.command("fmt")
@click.argument("query")
def fmt_cmd(query: str) -> None:
    """Print QUERY in canonical form (`@NAME`: that named query's text)."""
    from . import api

    text = read_query(query)
    if text.lstrip().startswith("@"):
        text = load_config().resolve(text)[0]
    click.echo(api.format(text))


@main.command("decompile")
@click.argument("filter_")
def decompile_cmd(filter_: str) -> None:
    """Turn a filter list (JSON, its encoded value, or a request URL) into a query."""
    from . import api

    click.echo(api.decompile(read_query(filter_)))


@main.command("explain")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option(
    "--max-branches",
    default=32,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most requests allowed.",
)
@compile_options
def explain_cmd(
    query: str,
    as_json: bool,
    max_branches: int,
    params: tuple[str, ...],
    tz: str | None,
    now: str | None,
) -> None:
    """Show the requests QUERY needs and what is checked on the client."""
    from . import api
    from .diagnostics import CqlError

    q = prepare_query(query, params, tz)
    when = parse_now(now)
    try:
        plan = api.plan(q.text, now=when, max_branches=max_branches, **q.inputs())
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
    status = run(campaign=campaign, profile=profile, tz=tz, vi=vi, config_file=config_path())
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
    leading zero are an integer, anything else a string."""
    import re

    if re.fullmatch(r"-?(0|[1-9][0-9]{0,15})", value):
        return int(value)
    return value


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
@compile_options
def queries_show_cmd(
    name: str, as_json: bool, params: tuple[str, ...], tz: str | None, now: str | None
) -> None:
    """Show the named query NAME: its text, its parameters and its plan."""
    import re

    from . import api
    from .checker import check_text

    cfg = load_config()
    named = _named_query(cfg, name)
    given = parse_params(params)
    q = cfg.prepare(f"@{named.name}", params=given, tz=tz)
    when = parse_now(now)
    diags = api.check(q.text, now=when, **q.inputs())
    used = check_text(
        q.text, schema=q.schema, params=q.params, tz=q.tz, now=when, queries=q.queries
    ).params_used
    # Defaults of the queries it refers to (directly or not), nearest first.
    inherited: dict[str, tuple[Any, str]] = {}
    seen, todo = {named.name}, [named.text]
    while todo:
        for ref in re.findall(r"@([A-Za-z_][A-Za-z0-9_]*)", todo.pop(0)):
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
    plan = None if errors else api.plan(q.text, now=when, **q.inputs())
    if as_json:
        out = _query_json(named)
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
        for key in ("campaign", "timezone", "limit"):
            if getattr(named, key) is not None:
                lines.append(f"  {key} {getattr(named, key)}")
        if named.exclude is not None:
            lines.append("  exclude " + ", ".join(named.exclude))
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
@click.option("--strict", is_flag=True, help="An undeclared custom field is an error.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def queries_check_cmd(strict: bool, as_json: bool) -> None:
    """Check every named query of every config file read, each with its
    parameter defaults; every mistake is shown at FILE:LINE:COL with a caret
    (exit 1 on an error)."""
    cfg = load_config()
    findings = cfg.lint(strict=strict)
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if as_json:
        click.echo(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
    else:
        if findings:
            click.echo("\n\n".join(f.rendered for f in findings) + "\n", err=True)
        count = sum(len(f.queries) for f in cfg.files)
        files = len(cfg.files)
        if not files:
            click.echo("no config file was found (see `cqlang config`)", err=True)
        else:
            found = []
            if errors:
                found.append(f"{errors} error{'s' if errors != 1 else ''}")
            if warnings:
                found.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
            click.echo(
                f"{count} quer{'ies' if count != 1 else 'y'} in {files} "
                f"file{'s' if files != 1 else ''}: " + (", ".join(found) or "ok")
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
def queries_save_cmd(
    name: str, query: str, description: str | None, force: bool, params: tuple[str, ...]
) -> None:
    """Save QUERY as @NAME in the --config file, else the nearest cqlang.toml,
    else a new ./cqlang.toml (comments and layout are kept). An invalid query
    is refused, and so is an existing NAME without --force."""
    from . import api
    from .config import (
        Config,
        ConfigError,
        NamedQuery,
        QueryExistsError,
        display_path,
        save_query,
        target_file,
    )
    from .diagnostics import render_all

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
    candidate = NamedQuery(name, text, description, params=defaults, config=cfg)
    diags = api.check(
        text,
        params=defaults,
        tz=cfg.timezone,
        schema=cfg.schema,
        queries={**cfg.queries, name: candidate},
    )
    if any(d.severity == "error" for d in diags):
        click.echo(render_all(diags, text), err=True)
        fail(f"'@{name}' was not saved: the query has errors", EXIT_INVALID)
    print_warnings(diags, text)
    save_query(path, name, text, description=description, params=defaults, force=force)
    click.echo(f"saved @{name} in {display_path(path)}")


@queries_group.command("rm")
@click.argument("name")
def queries_rm_cmd(name: str) -> None:
    """Remove @NAME from the --config file, else the nearest cqlang.toml
    (comments and layout around it are kept)."""
    import re

    from .config import Config, display_path, remove_query, target_file

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
    users = [q.name for q in cfg.queries.values() if re.search(rf"@{name}(?!\w)", q.text)]
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
        "profile": conn.profile,
        "connection": conn.shown(),
        "sources": dict(conn.sources),
        "notes": list(conn.notes),
        "config": cfg.shown(),
    }
    click.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))


# ------------------------------------------------------------------ fetch
# The records as jsonl/json (streamed), csv/table (buffered); written to
# --output through a temporary file beside it, renamed only on success.

FETCH_FORMATS = ("jsonl", "json", "csv", "table")


def _flatten(record: dict[str, Any]) -> dict[str, Any]:
    """A record for csv: custom fields as ``custom.KEY`` columns."""
    from .evaluator import custom_fields

    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "custom":
            for ckey, cvalue in custom_fields(record).items():
                out[f"custom.{ckey}"] = cvalue
        else:
            out[key] = value
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _write_records(records: Any, fmt: str, out: Any, tty: bool) -> int:
    """Write ``records`` to the text stream ``out``; returns how many."""
    count = 0
    if fmt == "jsonl":
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            count += 1
    elif fmt == "json":
        out.write("[")
        for rec in records:
            out.write(("," if count else "") + "\n" + json.dumps(rec, ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    elif fmt == "csv":
        import csv

        rows = [_flatten(rec) for rec in records]
        count = len(rows)
        plain: dict[str, None] = {}
        custom: dict[str, None] = {}
        for row in rows:
            for key in row:
                (custom if key.startswith("custom.") else plain)[key] = None
        columns = [*plain, *custom]
        writer = csv.writer(out)
        if rows:
            writer.writerow(columns)
        for row in rows:
            writer.writerow(_cell(row.get(c)) for c in columns)
    else:  # the REPL's table: the main columns that fit, custom fields cut short
        import shutil

        from .repl.commands import render_table

        rows = list(records)
        count = len(rows)
        if rows:
            width = shutil.get_terminal_size().columns if tty else 200
            out.write(render_table(rows, width=width) + "\n")
        else:  # a table is for reading: say so rather than print nothing
            out.write("no records match\n")
    return count


@main.command("fetch")
@click.argument("query", default="")
@click.option("--campaign", metavar="ID", help="Voice campaign id (default: the config's).")
@compile_options
@click.option(
    "--exclude",
    metavar="FIELDS",
    help="Fields the API leaves out, comma-separated (e.g. history,call_history,dialogs).",
)
@click.option("--limit", type=click.IntRange(min=0), help="Return at most N records.")
@click.option(
    "--page-size",
    type=click.IntRange(min=1),
    help="Records per request (default 1000; the API allows 10000).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FETCH_FORMATS),
    help="Output format (default: table on a terminal, else jsonl).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="Write here (via a temporary file, renamed on success; - is stdout).",
)
@click.option("--base-url", metavar="URL", help="API base URL (default: $CONPEEK_URL).")
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Retries of a failing request.",
)
@click.option(
    "--retry-budget",
    type=click.FloatRange(min=0),
    callback=lambda ctx, param, value: _finite(param, value),
    default=30.0,
    show_default=True,
    help="Seconds a failing request may spend retrying.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
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
    query: str,
    campaign: str | None,
    params: tuple[str, ...],
    tz: str | None,
    now: str | None,
    exclude: str | None,
    limit: int | None,
    page_size: int | None,
    fmt: str | None,
    output: str | None,
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
    from .diagnostics import CqlError

    fields = [f.strip() for f in exclude.split(",") if f.strip()] if exclude else None
    if output is not None and _STREAMS.get(output) == 1:
        output = None  # stdout, as it is: `-o /dev/stdout >> log` appends
    elif output is not None:
        _check_output(output)
    prepared = prepare_query(query, params, tz, campaign=campaign, exclude=fields, limit=limit)
    when = parse_now(now)
    try:
        plan = prepared.plan(now=when)
    except CqlError as exc:
        report_query(prepared, exc)
    if fmt is None:
        fmt = "table" if output is None and _isatty(sys.stdout) else "jsonl"
    if plan.never_matches:
        print_query_diagnostics(prepared, plan.warnings)
        click.echo("cqlang: warning: the query never matches; no request was sent", err=True)
        _emit(iter(()), fmt, output)
        return
    conn = load_config().connection(base_url=base_url, campaign=prepared.campaign)
    if not prepared.campaign:
        fail("no campaign: give --campaign ID (or set campaign in the config)")
    if not checked_base_url(conn.base_url):
        fail("no API base URL: give --base-url or set CONPEEK_URL")
    if not (conn.api_key or "").strip():
        fail("no API key: set CONPEEK_KEY" + "".join(f" ({n})" for n in conn.notes))
    if plan.residual is not None and all(not b for b in plan.branches):
        click.echo(
            "cqlang: warning: the server narrows nothing: every record of the campaign is "
            "fetched and checked on the client",
            err=True,
        )
    import logging

    from .client import ApiError, Client, ConfigurationError

    progress: Any = None  # rich's progress display, when there is one

    class EchoHandler(logging.Handler):
        """Log lines on stderr through click (so CliRunner captures them)."""

        def emit(self, record: logging.LogRecord) -> None:
            level = "" if record.levelno < logging.WARNING else record.levelname.lower() + ": "
            line = f"cqlang: {level}{self.format(record)}"
            if progress is not None and progress.live.is_started:
                progress.console.print(line, markup=False, highlight=False)  # above the bar
            else:
                click.echo(line, err=True)

    log = logging.getLogger("cqlang.client")
    handler = EchoHandler()
    handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    saved_level = log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG if verbose else logging.WARNING)
    buffered = fmt in ("csv", "table")
    # A progress line on stderr, when it cannot tangle with records streaming
    # to the same terminal (--verbose logs say the same, line by line).
    to_terminal = output is None and _isatty(sys.stdout)
    if not verbose and _isatty(sys.stderr) and (buffered or not to_terminal):
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=_stderr_console(),
            transient=True,
            # The records go to stdout untouched: rich must not capture it.
            redirect_stdout=False,
            redirect_stderr=False,
        )
    try:
        counts = [0, 0]  # requests, records received
        task: Any = None

        def on_request(url: str, status: int, seconds: float, records: int) -> None:
            counts[0] += 1
            counts[1] += records
            if progress is not None:
                progress.update(
                    task,
                    description=f"{_count(counts[1], 'record')} received, "
                    f"{_count(counts[0], 'request')}",
                )

        client = Client(
            conn.base_url,
            conn.api_key,
            max_retries=retries,
            retry_budget=retry_budget,
            timeout=(min(5.0, timeout), timeout),
            max_record_size=max_record_size,
            on_request=on_request,
        )
        with client:
            records = client.voice_campaign_requests(
                prepared.campaign,
                plan=plan,
                exclude=prepared.exclude,
                page_size=page_size or conn.page_size or 1000,
                limit=prepared.limit,
            )
            if progress is None:
                _emit(records, fmt, output)
            elif buffered:
                with progress:  # collect under the progress line, then print
                    task = progress.add_task("fetching", total=None)
                    collected = list(records)
                _emit(collected, fmt, output)
            else:
                with progress:
                    task = progress.add_task("fetching", total=None)
                    _emit(records, fmt, output)
    except ConfigurationError as exc:  # a key that cannot be sent: a usage error
        fail(str(exc))
    except ApiError as exc:
        fail(str(exc), EXIT_API)
    finally:
        log.removeHandler(handler)
        log.setLevel(saved_level)


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
    try:
        amount = float(number) if number and unit in _UNITS else math.nan
    except ValueError:
        amount = math.nan
    if not math.isfinite(amount) or amount * _UNITS.get(unit, 1) < 1:
        raise click.BadParameter(
            f"{value!r} is not a size in bytes (e.g. 65536, 64KiB, 1MiB)", param=param
        )
    return min(int(amount * _UNITS[unit]), 2**40)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _isatty(stream: Any) -> bool:
    return stream is not None and bool(stream.isatty())


class OutputError(Exception):
    """The records could not be written where --output (or stdout) says."""

    cqlang_exit_status = EXIT_IO


#: Names of the standard streams: written to as they are (an append stays an
#: append), never replaced.
_STREAMS = {
    "-": 1,
    "/dev/stdout": 1,
    "/dev/fd/1": 1,
    "/proc/self/fd/1": 1,
    "/dev/stderr": 2,
    "/dev/fd/2": 2,
    "/proc/self/fd/2": 2,
}


def _replaceable(output: str) -> bool:
    """Whether ``output`` is (or will be) a regular file, so that it is
    written through a temporary file renamed over it; a device or a pipe is
    written directly."""
    import stat

    if os.path.realpath(output).startswith("/proc/"):
        return False  # an open file of some process, such as a pipe
    try:
        return stat.S_ISREG(os.stat(output).st_mode)
    except OSError:
        return True  # a new file


def _check_output(output: str) -> None:
    """Refuse, before any request is sent, an --output whose folder is
    missing or not writable (the temporary file goes there). A folder as
    --output is click's to refuse (``dir_okay=False``)."""
    if output in _STREAMS or not _replaceable(output):
        return
    folder = os.path.dirname(os.path.realpath(output))
    if not os.path.isdir(folder):
        fail(f"--output {output}: no such folder {folder}")
    if not os.access(folder, os.W_OK):
        fail(f"--output {output}: cannot write in {folder} (permission denied)")


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _emit(records: Any, fmt: str, output: str | None) -> None:
    """Write the records to stdout, or to ``output``: a regular file (or a
    symbolic link to one) through a temporary file beside it, renamed over
    it only once everything is written; a standard stream, a device or a
    pipe directly, since it cannot be replaced. Failing to write raises
    OutputError (exit 74), naming ``output`` as given."""
    stream = _STREAMS.get(output or "-")
    if output is None or stream is not None:
        out = sys.stderr if stream == 2 else sys.stdout
        if out is None:  # started with it closed (`>&-`)
            raise OutputError("cannot write the output: the stream is closed")
        # A failing write here (a full disk) is CqlGroup.invoke's to report,
        # as for every command that prints.
        _write_records(records, fmt, out, out.isatty())
        out.flush()
        return
    try:
        if not _replaceable(output):
            with open(output, "w", encoding="utf-8", newline="") as direct:
                _write_records(records, fmt, direct, False)
        else:
            _replace(records, fmt, os.path.realpath(output))  # a link stays a link
    except OSError as exc:
        raise OutputError(f"--output {output}: {exc.strerror}") from None


def _replace(records: Any, fmt: str, target: str) -> None:
    """Write the records to a temporary file beside ``target`` and rename it
    over ``target``; on any failure or signal the temporary file goes."""
    import signal
    import tempfile

    fd, tmp = tempfile.mkstemp(
        dir=os.path.dirname(target), prefix=f".{os.path.basename(target)}.", suffix=".tmp"
    )

    def terminated(signum: int, frame: Any) -> None:
        sys.exit(128 + signum)  # unwinds through the cleanup below

    # SIGTERM (kill) and SIGHUP (the terminal closed) end the run as Ctrl-C does.
    signals = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, terminated) for s in signals}
    try:
        with open(fd, "w", encoding="utf-8", newline="") as out:
            _write_records(records, fmt, out, False)
        os.chmod(tmp, _file_mode(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _file_mode(path: str) -> int:
    """The mode a new file gets (or the existing file's)."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# --------------------------------------------------------------- emulator


@main.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: any free port).",
)
@click.option(
    "--records",
    default=1000,
    show_default=True,
    type=click.IntRange(min=0),
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
    type=click.FloatRange(min=0.001, max=365_000),
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
            seed=int(seed) if seed.lstrip("-").isdigit() else seed,
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
