"""The ``cqlang`` command.

Exit status (documented in docs/cli.md):

* 0: success;
* 1: the query is invalid or cannot be compiled as asked (diagnostics with
  carets on stderr);
* 2: a usage error (unknown option, malformed ``--param``, bad ``--now``,
  an unreadable or insecure config file);
* 3: an API or network failure (``fetch``), with a one-line cause.

Heavy libraries (requests, rich, prompt_toolkit) are imported inside the
commands that use them, so that ``cqlang compile`` starts fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NoReturn, TypeVar

import click

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_API = 3

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_CAMPAIGN = "5b7c389fe8df7b60af688989"

EPILOG = """\b
Examples:
  cqlang compile 'state in (OPEN, CLOSED) and priority >= 3'
  cqlang compile --format url --campaign 5b7c389fe8df7b60af688989 'custom.region = "PL"'
  cqlang check 'prioirty > 3'
  cqlang explain 'state = OPEN or priority > 5'
  cqlang fmt 'STATE=open AND (priority>=3)'
  cqlang decompile '[{"property":"state","value":["OPEN"]}]'
  cqlang emulator --port 0
  CONPEEK_KEY=demo-key cqlang fetch --campaign 5b7c389fe8df7b60af688989 'priority > 5'
"""


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"cqlang: {message}", err=True)
    sys.exit(code)


def read_query(query: str) -> str:
    """The QUERY argument; ``-`` reads standard input."""
    if query == "-":
        return sys.stdin.read()
    return query


def parse_params(items: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("$")
        if not sep or not name:
            fail(f"--param takes NAME=VALUE, got {item!r}")
        params[name] = value
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


def report(exc: Exception) -> NoReturn:
    """Print a CqlError's diagnostics and exit 1."""
    click.echo(str(exc), err=True)
    sys.exit(EXIT_INVALID)


def print_warnings(diags: Sequence[Any], text: str) -> None:
    from .diagnostics import render

    for d in diags:
        if d.severity == "warning":
            click.echo(render(d, text), err=True)


class CqlGroup(click.Group):
    """Turns anything unexpected into a one-line message, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from .diagnostics import CqlError

        try:
            return super().invoke(ctx)
        except CqlError as exc:
            report(exc)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            sys.exit(130)
        except BrokenPipeError:
            sys.exit(0)
        except Exception as exc:  # pragma: no cover - a bug, not a user error
            if os.environ.get("CQLANG_DEBUG"):
                raise
            name = type(exc).__name__
            fail(f"internal error: {name}: {exc} (set CQLANG_DEBUG=1 for details)", 70)


@click.group(cls=CqlGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cqlang")
def main() -> None:
    """cqlang: write Conpeek filters as queries.

    Turns a query such as `state in (OPEN, CLOSED) and priority >= 3` into the
    `filter` parameter of GET /voice_campaign/{id}/request, plans what one
    filter cannot say, and fetches the records.
    """


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
@compile_options
def compile_cmd(
    query: str,
    fmt: str,
    campaign: str | None,
    base_url: str | None,
    params: tuple[str, ...],
    tz: str | None,
    now: str | None,
) -> None:
    """Compile QUERY to the one filter list it means (QUERY `-` reads stdin).

    Strict: a query that needs several requests or client-side checks is
    refused; see `cqlang explain` for its plan.
    """
    from . import api
    from .encoding import encode

    text = read_query(query)
    bound = parse_params(params)
    filters = api.compile(text, params=bound, tz=tz, now=parse_now(now))
    print_warnings(api.check(text, params=bound, tz=tz, now=parse_now(now)), text)
    if fmt == "json":
        click.echo(json.dumps(filters, ensure_ascii=False))
    elif fmt == "param":
        click.echo(encode(filters) if filters else "")
    else:
        base = base_url or os.environ.get("CONPEEK_URL")
        if not base:
            fail("--format url needs --base-url or CONPEEK_URL")
        if not campaign:
            fail("--format url needs --campaign")
        url = f"{base.rstrip('/')}/voice_campaign/{campaign}/request"
        if filters:
            url += f"?filter={encode(filters)}"
        click.echo(url)


@main.command("check")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the diagnostics as JSON.")
@compile_options
def check_cmd(
    query: str, as_json: bool, params: tuple[str, ...], tz: str | None, now: str | None
) -> None:
    """Report every error and warning in QUERY (exit 1 on an error)."""
    from . import api
    from .diagnostics import render_all, to_json

    text = read_query(query)
    diags = api.check(text, params=parse_params(params), tz=tz, now=parse_now(now))
    if as_json:
        click.echo(to_json(diags))
    elif diags:
        click.echo(render_all(diags, text), err=True)
    else:
        click.echo("ok")
    if any(d.severity == "error" for d in diags):
        sys.exit(EXIT_INVALID)


@main.command("fmt")
@click.argument("query")
def fmt_cmd(query: str) -> None:
    """Print QUERY in canonical form."""
    from . import api

    click.echo(api.format(read_query(query)))


@main.command("decompile")
@click.argument("filter_")
def decompile_cmd(filter_: str) -> None:
    """Turn a filter list (JSON, its encoded value, or a request URL) into a query."""
    from . import api

    click.echo(api.decompile(read_query(filter_)))


@main.command("explain")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option("--max-branches", default=32, show_default=True, help="Most requests allowed.")
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

    text = read_query(query)
    bound = parse_params(params)
    when = parse_now(now)
    plan = api.plan(text, params=bound, tz=tz, now=when, max_branches=max_branches)
    diags = api.check(text, params=bound, tz=tz, now=when, max_branches=max_branches)
    if as_json:
        out = plan.to_json()
        out["warnings"] = [d.to_dict() for d in diags if d.severity == "warning"]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(plan.explain())
    if plan.residual is not None and all(not b for b in plan.branches):
        click.echo(
            "warning: the server narrows nothing: every record of the campaign is "
            "fetched and checked on the client",
            err=True,
        )
    print_warnings(diags, text)


if __name__ == "__main__":  # pragma: no cover
    main()
