"""``cqlang queries check FILES...``: lint the files a pre-commit hook (or a
person) names. A config file (``.toml``) is checked on its own, as with
``--config FILE``; a query file (``.cql``) with the config in effect."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..env import FrozenDict
from ..errors import ConfigError, QueryFileError
from ..queryfile import read_query_file
from .core import Config
from .files import ConfigFile, read_file
from .fmtfiles import is_config_file
from .model import CqlangTable, QueryTable
from .named import Finding, NamedQuery

__all__ = ["lint_files"]


def lint_files(
    names: Sequence[str],
    config: Config,
    *,
    strict: bool = False,
    unreadable: list[ConfigError | QueryFileError] | None = None,
) -> tuple[Config, list[Finding]]:
    """The files read (as a Config, for the summary) and every finding, in
    the order the files are named. A config file that cannot be read (or
    used) raises ConfigError (exit 2), a query file QueryFileError; with
    ``unreadable`` (a list) each such error is appended to it instead and
    the other files are still checked, as ``queries check FILES`` does."""
    read: list[ConfigFile] = []
    findings: list[Finding] = []
    for name in names:
        path = Path(name)
        try:
            if is_config_file(path):
                own = Config([read_file(path)], env=config.env)
                read.extend(own.files)
                findings.extend(own.lint(strict=strict))
                continue
            text = read_query_file(name)
        except (ConfigError, QueryFileError) as exc:
            if unreadable is None:
                raise
            unreadable.append(exc)
            continue
        # A query file is one query: shown as such, named after its file.
        table = CqlangTable(queries=FrozenDict({path.stem: QueryTable(text)}), given=("queries",))
        source = ConfigFile(path, "query file", text, table)
        read.append(source)
        named = NamedQuery(path.stem, text, source=None, config=config)
        from ..diagnostics import for_front_end, render

        # A query file runs on the command line (fetch -f FILE): its hints
        # name the command line's options.
        for d in for_front_end(named.check(strict=strict), "cli"):
            findings.append(Finding(named, d, d, render(d, text, source=name), file=name))
    return Config(read, env=config.env), findings
