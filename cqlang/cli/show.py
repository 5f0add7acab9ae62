"""What the commands print, as every command prints it: diagnostics on
stderr, rendered with carets, hints worded for the command line, in colour
on a terminal (:mod:`cqlang.term.colour`; ``--color``, ``NO_COLOR``); text
for reading (:func:`say`) and text whose bytes are the data
(:func:`write_data`), drawn as docs/cli.md's "Text from outside" says.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ..status import ExitStatus
from ..visible import visible
from .context import colour_mode

if TYPE_CHECKING:
    from ..config.fetchspec import FetchSpec


def say(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Text for reading (a message, ``queries list``, ``queries show``,
    ``config``): what it quotes from outside is drawn visible
    (:func:`cqlang.visible.visible`, line breaks kept), wherever it goes."""
    click.echo(visible(text, lines=True), err=err, nl=nl)


def write_data(text: str, *, nl: bool = True) -> None:
    """Text whose bytes are the data (``fmt``'s output, its diff) on
    stdout: exact to a file or a pipe, drawn visible on a terminal."""
    stream = sys.stdout
    if stream is not None and stream.isatty():
        text = visible(text, lines=True)
    click.echo(text, nl=nl)


def echo_diagnostics(text: str) -> None:
    """Rendered diagnostics on stderr: in colour on a terminal (cqlang.term.colour;
    --color, NO_COLOR)."""
    from ..term.colour import enabled, paint

    text = visible(text, lines=True)  # a rendered diagnostic is already; a message may not be
    if enabled(colour_mode(), sys.stderr):
        click.echo(paint(text), err=True, color=True)
    else:
        click.echo(text, err=True)


def report(exc: Exception) -> NoReturn:
    """Print a CqlError's diagnostics (hints worded for the command line)
    and exit 1."""
    rendered = getattr(exc, "rendered_for", None)
    echo_diagnostics(rendered("cli") if rendered is not None else str(exc))
    sys.exit(ExitStatus.INVALID)


def print_warnings(diags: Sequence[Any], text: str) -> None:
    from ..diagnostics import render, render_capped

    warnings = [d for d in diags if d.severity == "warning"]
    if warnings:
        echo_diagnostics(render_capped(warnings, lambda d: render(d, text)))


def report_query(query: FetchSpec, exc: Exception) -> NoReturn:
    """Print a CqlError about a prepared query (placed in the config file for a
    named query, its file named for ``-f FILE``, a named query's default at
    its value: :meth:`FetchSpec.render`) and exit 1."""
    from ..diagnostics import for_front_end, render_capped

    diags = getattr(exc, "diagnostics", None)
    if not diags:
        report(exc)

    echo_diagnostics(render_capped(for_front_end(diags, "cli"), query.render))
    sys.exit(ExitStatus.INVALID)


def print_query_diagnostics(query: FetchSpec, diags: Sequence[Any], *, all: bool = False) -> None:
    """Print the warnings (or ``all`` diagnostics) of a prepared query."""
    from ..diagnostics import for_front_end, render_capped

    shown = for_front_end([d for d in diags if all or d.severity == "warning"], "cli")
    if shown:
        echo_diagnostics(render_capped(shown, query.render))
