"""The config for commands that read a query's text only (``fmt``,
``check``, ``queries check FILES``): a mistake in a config file that was
*found* (the nearest ``cqlang.toml``, ``[tool.cqlang]``, the user's file)
does not stop them for a query that needs nothing from it.

What a query may need from the config: the named queries it refers to
(``@NAME``), and the declared custom fields (``custom.KEY``: their types
decide how it is checked and formatted). A query that uses neither is
checked and formatted with the built-in defaults, after a warning that
names the config file and its mistake; one that uses them is refused
(exit 2) with the mistake and what needed the config. A config named on
purpose (``--config FILE``, ``$CQLANG_CONFIG``) or a ``--profile`` is
always needed: its mistake stops the command, as before; so does a file
holding a key that others can read (fixed before anything else).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import click

from ..status import fail
from ..visible import visible
from .context import _CONFIG_LOADED, config_path, config_profile, load_config

if TYPE_CHECKING:
    from ..config import Config
    from ..errors import ConfigProblem

__all__ = ["config_for_text", "in_files", "needs_config", "query_files_needs"]


def needs_config(text: str, *, named: bool = True) -> str | None:
    """What in the query ``text`` needs the config (``named``: its named
    queries count), in words, or ``None``. Read from its tree; a text that
    does not parse needs nothing (its syntax error is found without)."""
    from ..ast import Field, Ref
    from ..parser import parse_diagnostics

    query, _ = parse_diagnostics(text.removeprefix("\ufeff"))
    if query is None:
        return None
    if named:
        for ref in query.find_all(Ref):
            return f"the named query @{ref.name}"
    for field in query.find_all(Field):
        if field.key is not None:
            return f"the custom field custom.{field.key}"
    return None


def config_for_text(
    needed: Callable[[], Iterable[tuple[str, str | None]]],
    reported: Callable[[ConfigProblem], bool] | None = None,
) -> Config:
    """The configuration in effect (:func:`load_config`); when a found
    config file has a mistake, an empty configuration if nothing needs it.
    ``needed()`` gives, for each query about to be read, where it is (a
    file, or ``QUERY``) and what in it needs the config
    (:func:`needs_config`). ``reported(problem)``: whether the command
    reports that mistake itself (it is in a config file among its FILES,
    read on its own): the warning would only say it twice, so when every
    mistake is one of those there is none."""
    from ..config import Config
    from ..errors import ConfigError, InsecureConfigError

    try:
        return load_config()
    except ConfigError as exc:
        if config_path() is not None or os.environ.get("CQLANG_CONFIG") or config_profile():
            raise  # named on purpose: its mistake is the command's
        if isinstance(exc, InsecureConfigError):
            raise  # a key others can read: every command says so, until it is fixed
        for where, what in needed():
            if what is not None:
                fail(f"{exc}\ncqlang: the config is needed for {what} ({where})")
        if reported is None or not all(reported(p) for p in exc.problems):
            click.echo(
                f"cqlang: warning: the config is not read: {visible(str(exc), lines=True)}\n"
                "cqlang: warning: (nothing here needs it: going on with the defaults)",
                err=True,
            )
        empty = Config()
        click.get_current_context().meta[_CONFIG_LOADED] = empty
        return empty


def query_files_needs(names: Iterable[str]) -> list[tuple[str, str | None]]:
    """For :func:`config_for_text`: what each query file among ``names``
    needs from the config. A config file (``.toml``) is read on its own,
    and one that cannot be read is reported when its turn comes."""
    from ..config.fmtfiles import is_config_file

    out: list[tuple[str, str | None]] = []
    for name in names:
        if is_config_file(name):
            continue
        try:
            with open(name, "rb") as f:
                text = f.read(1 << 20).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        out.append((name, needs_config(text)))
    return out


def in_files(problem: ConfigProblem, names: Iterable[str]) -> bool:
    """Whether ``problem`` is in one of the config files (``.toml``) among
    ``names`` (the same file, whatever the path that names it)."""
    from ..config.fmtfiles import is_config_file

    if problem.path is None:
        return False
    where = os.path.realpath(problem.path)
    return any(is_config_file(n) and os.path.realpath(n) == where for n in names)
