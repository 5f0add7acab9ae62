"""The inputs of a query command: QUERY or ``--file/-f FILE`` (``-``:
standard input), ``--param``, ``--tz``, ``--now``, ``--max-branches``,
``--exclude``, and the query with its settings resolved
(:func:`prepare_query`). A mistake in one is a usage error (exit 2) that
names the option.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..params import not_utf8_value, split_param
from ..status import fail
from .context import load_config
from .paramtypes import IntRange

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from ..config.fetchspec import FetchSpec

F = TypeVar("F", bound=Callable[..., Any])


def read_query(query: str) -> str:
    """The QUERY argument; ``-`` reads standard input (as UTF-8, a byte
    that is not kept for the parser to report: cqlang.queryfile.utf8_input)."""
    if query == "-":
        if sys.stdin is None:
            fail("QUERY - reads standard input, which is closed")
        from ..queryfile import utf8_input

        return utf8_input(sys.stdin).read().removeprefix("\ufeff")  # a byte order mark is no text
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
        from ..queryfile import read_query_file

        return read_query_file(query_file)
    if query is None:
        if default is None:
            fail("missing QUERY (or --file FILE, or - to read standard input); see --help")
        return default
    text = read_query(query)
    if query != "-":
        from ..parser import parse_diagnostics
        from ..queryfile import looks_like_path

        if looks_like_path(query) and parse_diagnostics(query)[0] is None:
            import os

            if os.path.isdir(query):  # -f would say so: no advice to use it
                fail(f"{query!r} is not a query, and a folder of that name is no query file")
            fail(f"{query!r} is not a query; to read the query from that file use -f {query}")
    return text


def parse_params(items: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        pair = split_param(item)
        if pair is None:
            fail(f"--param takes NAME=VALUE, got {item!r}")
        problem = not_utf8_value(pair[1])
        if problem is not None:  # the same bytes in the query are CQL002
            fail(f"--param {pair[0]}: {problem}")
        params[pair[0]] = pair[1]
    return params


def parse_now(text: str | None, tz: str | tzinfo | None) -> datetime | None:
    """``--now``, read in the zone of the run when it gives no offset: ``tz``
    (``--tz``), else the profile's or the config's (UTC without one), as
    every datetime typed without an offset is, but never a named query's own
    zone: the clock is one instant, whatever the query (``@wd`` alone and
    ``@wd and priority >= 0`` mean the same day of ``wd``)."""
    if text is None:
        return None
    if tz is None:
        tz = load_config().timezone
    from ..timeexpr import TimeError
    from ..timeexpr import parse_now as _parse

    try:
        return _parse(text, tz)
    except TimeError as exc:  # its hint too, as --tz says its own
        fail(f"--now: {exc}" + (f" ({exc.hint})" if exc.hint else ""))


def compile_options(f: F) -> F:
    """--param, --tz and --now: the compile-time inputs."""
    f = click.option(
        "--now",
        "now",
        metavar="DATETIME",
        help="The clock for now/today/yesterday; without an offset, read in the "
        "query's zone (--tz, else the config's).",
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
    from ..encoding import base_url

    try:
        return base_url(text)
    except ValueError as exc:
        fail(str(exc))


def prepare_query(
    query: str,
    params: Sequence[str] = (),
    tz: str | None = None,
    *,
    strict: bool = False,
    source: str | None = None,
    **settings: Any,
) -> FetchSpec:
    """The query text (QUERY or --file, read by query_input) with its inputs
    resolved (cqlang.config.fetchspec): `@NAME` alone is that named query, with its
    parameter defaults, campaign, exclude, limit, time zone and max_branches
    (options given here win); the config's schema and named queries come
    along. ``settings``: campaign=, exclude=, limit=, page_size=,
    max_branches=. ``source``: the ``-f FILE`` the text came from (``-``,
    standard input, is no file), named in the ``-->`` line of diagnostics."""
    if tz is not None:  # a bad --tz is the option's mistake, not the query's
        from ..timeexpr import TimeError, zone

        try:
            zone(tz)
        except TimeError as exc:
            fail(f"--tz: {exc}" + (f" ({exc.hint})" if exc.hint else ""))
    prepared = load_config().prepare(
        query,
        params=parse_params(params),
        tz=tz,
        strict=strict or None,
        **settings,
    )
    if source is not None and source != "-":
        prepared = prepared.with_(source=source)
    return prepared


def exclude_option(given: Sequence[str]) -> list[str] | None:
    """``--exclude a,b --exclude c``: the field names of every one given,
    in order, each once (``None`` when none is given; ``--exclude ''`` is
    an empty list, which overrides a named query's ``exclude``), read by
    :func:`cqlang.argcheck.exclude_names`, the one reading of every front
    end; a name that cannot be excluded (``id``: records are merged by it)
    is a usage error in its words."""
    if not given:
        return None
    from ..argcheck import exclude_names
    from ..errors import SettingError

    try:  # no field name holds a comma: the texts joined read as one
        names = exclude_names("--exclude", ",".join(given))
    except SettingError as exc:
        fail(str(exc))
    return list(names or ())
