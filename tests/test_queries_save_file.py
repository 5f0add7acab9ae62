"""`-f` is `--file FILE` for every command, `queries save` included: there
it meant `--force`, so `cqlang queries save hot_leads -f - < hot.cql`
(`-f` read as elsewhere) silently replaced @hot_leads, dropping its
description, parameters and settings. `--force` has no short form now."""

from __future__ import annotations

import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from cqlang.cli import main

CONFIG = """\
[queries.hot_leads]
description = "Open leads worth a call"
query = "state = OPEN and priority >= $min_priority"
params = { min_priority = 5 }
max_branches = 4
"""


@pytest.fixture(autouse=True)
def isolated(config_home: Path) -> Path:
    (config_home / "cqlang.toml").write_text(CONFIG, encoding="utf-8")
    (config_home / "hot.cql").write_text("state = OPEN\n", encoding="utf-8")
    return config_home


def run(*args: str, stdin: str | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=stdin)
    assert "Traceback" not in result.output
    return result


def queries(folder: Path) -> dict[str, object]:
    with (folder / "cqlang.toml").open("rb") as fh:
        found: dict[str, object] = tomllib.load(fh)["queries"]
    return found


def test_dash_f_dash_reads_standard_input_and_keeps_an_existing_query(isolated: Path) -> None:
    result = run("queries", "save", "hot_leads", "-f", "-", stdin="state = OPEN\n")
    assert result.exit_code == 1, result.output
    assert "exists already" in result.stderr and "--force" in result.stderr
    assert (isolated / "cqlang.toml").read_text(encoding="utf-8") == CONFIG


def test_dash_f_reads_the_file(isolated: Path) -> None:
    result = run("queries", "save", "open", "-f", "hot.cql")
    assert result.exit_code == 0, result.output
    assert queries(isolated)["open"] == {"query": "state = OPEN"}  # no final line break
    result = run("queries", "save", "open2", "--file", "-", stdin="priority > 1\n")
    assert result.exit_code == 0, result.output
    assert queries(isolated)["open2"] == {"query": "priority > 1"}


def test_force_is_long_only_and_still_replaces(isolated: Path) -> None:
    result = run("queries", "save", "hot_leads", "-f", "hot.cql", "--force")
    assert result.exit_code == 0, result.output
    assert queries(isolated)["hot_leads"] == {"query": "state = OPEN"}


@pytest.mark.parametrize(
    "args",
    [
        ("hot_leads", "state = OPEN", "-f"),  # the old -f (force): now it wants a FILE
        ("hot_leads", "-f", "state = OPEN"),  # no file of that name
        ("hot_leads", "state = OPEN", "-f", "hot.cql"),  # both a QUERY and a FILE
        ("hot_leads",),  # neither
    ],
    ids=["old-force-last", "old-force-first", "both", "neither"],
)
def test_the_old_meaning_of_dash_f_replaces_nothing(isolated: Path, args: tuple[str, ...]) -> None:
    result = run("queries", "save", *args)
    assert result.exit_code == 2, result.output
    assert (isolated / "cqlang.toml").read_text(encoding="utf-8") == CONFIG


def _commands(group: click.Command, path: str = "cqlang") -> list[tuple[str, click.Command]]:
    """Every command under ``group`` (the lazy ones loaded)."""
    found = [(path, group)]
    if isinstance(group, click.Group):
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, name
            found += _commands(command, f"{path} {name}")
    return found


def test_a_short_option_means_the_same_long_option_in_every_command() -> None:
    meaning: dict[str, tuple[str, str]] = {}
    for where, command in _commands(main):
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            longs = sorted(o for o in param.opts if o.startswith("--"))
            for short in (o for o in param.opts if not o.startswith("--")):
                first = meaning.setdefault(short, (where, longs[0]))
                assert first[1] == longs[0], (
                    f"{short} is {first[1]} in `{first[0]}` but {longs[0]} in `{where}`"
                )
    assert meaning["-f"][1] == "--file"
    assert "cqlang queries save" in [where for where, _ in _commands(main)]
