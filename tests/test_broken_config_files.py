"""A config file named to `fmt --check/--write` that cannot be read as one
(not TOML, not UTF-8, nested too deep) is a file that could not be read:
exit 2 and one message at FILE:LINE:COL, as `queries check` says it. Before,
fmt exited 1 ("could not be formatted"), and when the file was also the
config found it said so three times (twice as a warning); a deep file was
an internal error (docs/cli.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cqlang.cli import main
from cqlang.config import ConfigError, remove_query, save_query


@pytest.fixture(autouse=True)
def workdir(config_home: Path) -> Path:
    return config_home


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args), prog_name="cqlang")
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result


#: Broken files and the place of their mistake, as both commands name it.
BROKEN = {
    "end": (b"queries = [\n", "2:1: not valid TOML"),  # tomllib: "at end of document"
    "middle": (b"[queries]\na = \nb = 1\n", "2:5: not valid TOML"),
    "bytes": (b"[queries]\na = '\xff'\n", "2:6: not UTF-8 text (byte 0xFF)"),
    "deep": (b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested more than 32 deep"),
}


@pytest.mark.parametrize("kind", BROKEN)
@pytest.mark.parametrize("name", ["other.toml", "cqlang.toml"])
def test_fmt_and_queries_check_say_it_once_and_exit_2(workdir: Path, kind: str, name: str) -> None:
    """`cqlang.toml` is also the config found: its mistake is reported when
    its turn comes, not first as a warning about the config."""
    content, where = BROKEN[kind]
    (workdir / name).write_bytes(content)
    place = f"{name}:{where}" if kind != "deep" else f"{name}: tables and arrays {where}"
    for args in (("fmt", "--check"), ("fmt", "--write"), ("queries", "check")):
        result = run(*args, name)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.count(place) == 1, (args, result.stderr)
        assert "warning" not in result.stderr and "could not be formatted" not in result.stderr
        assert "1 file could not be read" in result.output
    assert (workdir / name).read_bytes() == content


def test_fmt_goes_on_with_the_other_files(workdir: Path) -> None:
    (workdir / "bad.toml").write_text("queries = [\n")
    (workdir / "q.cql").write_text("state=open\n")
    result = run("fmt", "--write", "bad.toml", "q.cql")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "cqlang: cannot read bad.toml:2:1: not valid TOML: Invalid value",
        "reformatted q.cql",
        "1 file reformatted, 1 file could not be read",
    ]
    assert (workdir / "q.cql").read_text() == "state = open\n"


def test_a_query_file_that_needs_nothing_still_gets_the_warning(workdir: Path) -> None:
    """The found config is not among FILES: the warning is all that says it
    (docs/config.md); a query that needs the config still stops the run."""
    (workdir / "cqlang.toml").write_text("queries = [\n")
    (workdir / "q.cql").write_text("state = open\n")
    result = run("fmt", "--check", "q.cql")
    assert result.exit_code == 0
    assert "warning: the config is not read: cqlang.toml:2:1: not valid TOML" in result.stderr
    (workdir / "r.cql").write_text("@hot\n")
    needs = run("fmt", "--check", "q.cql", "cqlang.toml", "r.cql")
    assert needs.exit_code == 2
    assert "the config is needed for the named query @hot (r.cql)" in needs.stderr


def test_a_settings_mistake_in_a_config_named_is_still_warned_of_by_fmt(workdir: Path) -> None:
    """fmt reads a valid TOML file's queries whatever its settings: the
    warning is what tells that the defaults were used."""
    config = "[connection]\npage_size = 'x'\n[queries]\na = 'state=open'\n"
    (workdir / "cqlang.toml").write_text(config)
    result = run("fmt", "--check", "cqlang.toml")
    assert result.exit_code == 1
    assert "warning: the config is not read: cqlang.toml:2:13" in result.stderr
    # queries check reads the file as a config on its own: said once.
    checked = run("queries", "check", "cqlang.toml")
    assert checked.exit_code == 2 and checked.stderr.count("cqlang.toml:2:13") == 1
    assert "warning" not in checked.stderr


@pytest.mark.parametrize("kind", ["end", "middle", "deep"])
def test_save_and_rm_place_the_mistake_too(workdir: Path, kind: str) -> None:
    content, where = BROKEN[kind]
    path = workdir / "b.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as saved:
        save_query(path, "x", "state = OPEN")
    with pytest.raises(ConfigError) as removed:
        remove_query(path, "x")
    assert where in str(saved.value) and where in str(removed.value)
    assert path.read_bytes() == content
