"""A file cqlang replaces through a temporary file renamed over it (`fmt
--write`, `queries save`/`rm`, the REPL's `\\save` and `\\o`, `fetch -o`) is
refused when it is read-only: a rename needs only the folder's permission,
so the old writers replaced a 0444 file (and as root every writer did). The
check looks at the mode bits, so these tests hold as root too; a writable
file keeps its mode, owner and group (cqlang/output/atomic.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from otheruser import as_nobody, in_closed_folder

from cqlang.cli import main
from cqlang.config import ConfigError, remove_query, safewrite, save_query
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.output import atomic
from cqlang.repl import Dispatcher, Session

CONFIG = "[queries.hot]\nquery = 'priority>5'\n"


@pytest.fixture(autouse=True)
def isolated(config_home: Path) -> Path:
    return config_home


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), env=env)
    assert "Traceback" not in result.output
    return result


def read_only(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o444)
    return path


def unchanged(path: Path, text: str) -> bool:
    """The file is the one written, with its mode, and nothing sits beside it."""
    siblings = [p.name for p in path.parent.iterdir() if p.name.startswith(f".{path.name}")]
    return (
        path.read_text(encoding="utf-8") == text
        and stat.S_IMODE(path.stat().st_mode) == 0o444
        and siblings == []
    )


# ------------------------------------------------------------ refused


@pytest.mark.parametrize("name", ["q.cql", "cqlang.toml"])
def test_fmt_write_refuses_a_read_only_file(isolated: Path, name: str) -> None:
    text = "state=open\n" if name.endswith(".cql") else CONFIG
    path = read_only(isolated / name, text)
    result = run("fmt", "--write", name)
    assert result.exit_code == 2, result.output
    assert f"cqlang: {name}: the file is read-only (mode 0444)" in result.stderr
    assert "chmod u+w" in result.stderr
    assert "1 file could not be written" in result.stderr
    assert unchanged(path, text)
    # --check reads it as before.
    assert run("fmt", "--check", name).exit_code == 1


def test_fmt_write_formats_the_other_files(isolated: Path) -> None:
    locked = read_only(isolated / "a.cql", "state=open\n")
    other = isolated / "b.cql"
    other.write_text("state=open\n")
    result = run("fmt", "--write", "a.cql", "b.cql")
    assert result.exit_code == 2
    assert "1 file reformatted, 1 file could not be written" in result.stderr
    assert other.read_text() == "state = open\n" and unchanged(locked, "state=open\n")


@pytest.mark.parametrize(
    "args",
    [("queries", "save", "x", "state = OPEN"), ("queries", "rm", "hot")],
    ids=["save", "rm"],
)
def test_queries_save_and_rm_refuse_a_read_only_config(isolated: Path, args: tuple[str]) -> None:
    path = read_only(isolated / "cqlang.toml", CONFIG)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "cqlang.toml: the file is read-only (mode 0444): it was left as it is" in result.stderr
    assert unchanged(path, CONFIG)
    # Named with --config: the same.
    assert run("--config", str(path), *args).exit_code == 2
    assert unchanged(path, CONFIG)


def test_the_python_api_refuses_too(isolated: Path) -> None:
    path = read_only(isolated / "cqlang.toml", CONFIG)
    with pytest.raises(ConfigError, match="read-only"):
        save_query(path, "x", "state = OPEN")
    with pytest.raises(ConfigError, match="read-only"):
        remove_query(path, "hot")
    with pytest.raises(atomic.ReadOnlyFileError):
        safewrite.replace(path, b"")
    with pytest.raises(atomic.ReadOnlyFileError):
        atomic.replace(str(path), lambda out, spool: out.write("x"), binary=False)
    assert unchanged(path, CONFIG)


def test_the_repl_refuses_too(isolated: Path) -> None:
    config = read_only(isolated / "cqlang.toml", "")
    d = Dispatcher(Session())
    assert d.handle("priority > 5").ok
    saved = d.handle("\\save hot")
    assert not saved.ok and "read-only" in saved.text
    assert unchanged(config, "")
    out = read_only(isolated / "out.csv", "old\n")
    reply = d.handle(f"\\o {out}")
    assert not reply.ok and reply.text.startswith(f"\\o {out}: the file is read-only")
    assert unchanged(out, "old\n")


@pytest.mark.emulator(records=20, seed=1)
def test_fetch_output_refuses_a_read_only_file_before_any_request(
    isolated: Path, emulator: Emulator
) -> None:
    """click's `writable=True` asked access(2), which says yes to root."""
    out = read_only(isolated / "out.jsonl", "old\n")
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": "demo-key"}
    result = run("fetch", "--campaign", DEFAULT_CAMPAIGN, "-o", str(out), env=env)
    assert result.exit_code == 2, result.output
    assert f"--output {out}: the file is read-only (mode 0444)" in result.stderr
    assert emulator.request_count == 0
    assert unchanged(out, "old\n")


def test_a_read_only_link_target_is_refused(isolated: Path) -> None:
    target = read_only(isolated / "real.cql", "state=open\n")
    (isolated / "q.cql").symlink_to(target)
    assert run("fmt", "--write", "q.cql").exit_code == 2
    assert unchanged(target, "state=open\n") and (isolated / "q.cql").is_symlink()


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555, 0o044])
def test_any_mode_without_a_write_bit_is_read_only(isolated: Path, mode: int) -> None:
    path = isolated / "f"
    path.write_text("")
    path.chmod(mode)
    assert atomic.unwritable(path) == f"the file is read-only (mode {mode:04o})"
    path.chmod(mode | 0o200)
    assert atomic.unwritable(path) is None


def test_a_missing_file_is_not_refused(isolated: Path) -> None:
    assert atomic.unwritable(isolated / "new.csv") is None


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to act as another user"
)
def test_another_users_file_is_refused_by_access(isolated: Path) -> None:
    """A file with a write bit that is not this user's: access(2) decides
    (with the effective ids), as for anyone else."""
    import tempfile

    with tempfile.TemporaryDirectory() as shared:  # pytest's folders are root's only
        os.chmod(shared, 0o755)
        assert _as_nobody(Path(shared) / "theirs.cql") == (
            "the file is not writable by this user (mode 0644)"
        )


def _as_nobody(path: Path) -> str:
    """What :func:`atomic.unwritable` says of ``path`` (written here, mode
    0644) to a process of the user nobody."""
    path.write_text("state=open\n")
    path.chmod(0o644)  # root's, writable by root only
    return as_nobody(lambda: str(atomic.unwritable(path)))


# ------------------------------------------------------------ kept


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o755])
@pytest.mark.parametrize("name", ["q.cql", "cqlang.toml"])
def test_fmt_write_keeps_a_writable_files_mode(isolated: Path, name: str, mode: int) -> None:
    path = isolated / name
    text = "state=open\n" if name.endswith(".cql") else CONFIG
    path.write_text(text)
    path.chmod(mode)
    result = run("fmt", "--write", name)
    assert result.exit_code == 0 and f"reformatted {name}" in result.stderr
    assert stat.S_IMODE(path.stat().st_mode) == mode and path.read_text() != text


@pytest.mark.emulator(records=20, seed=1)
def test_fetch_output_keeps_the_files_mode(isolated: Path, emulator: Emulator) -> None:
    out = isolated / "out.jsonl"
    out.write_text("old\n")
    out.chmod(0o640)
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": "demo-key"}
    result = run("fetch", "--campaign", DEFAULT_CAMPAIGN, "-o", str(out), env=env)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and out.read_text() != "old\n"


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away"
)
@pytest.mark.emulator(records=20, seed=1)
def test_root_rewriting_a_users_file_leaves_it_theirs(isolated: Path, emulator: Emulator) -> None:
    """`fetch -o` gave the file to root (the output writer set the mode
    only); the config writer already kept the owner."""
    files = {"q.cql": "state=open\n", "cqlang.toml": CONFIG, "out.jsonl": "old\n"}
    for name, text in files.items():
        (isolated / name).write_text(text)
        os.chown(isolated / name, 1234, 2345)
        (isolated / name).chmod(0o640)
    assert run("fmt", "--write", "q.cql", "cqlang.toml").exit_code == 0
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": "demo-key"}
    out = str(isolated / "out.jsonl")
    assert run("fetch", "--campaign", DEFAULT_CAMPAIGN, "-o", out, env=env).exit_code == 0
    for name, text in files.items():
        info = (isolated / name).stat()
        assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (1234, 2345, 0o640), name
        assert (isolated / name).read_text() != text, name


# ------------------------------------------------------ a read-only folder


def _in_read_only_folder(name: str, text: str) -> dict[str, list[object]]:
    """What ``format_file`` finds of ``name`` (holding ``text``) in a
    folder the process may not write: with --check, then with --write.
    As root the folder is root's and the work runs in a child process of
    the user nobody (root may write anywhere)."""
    import json
    import tempfile

    from cqlang.config.fmtfiles import format_file

    def work(path: Path) -> str:
        out: dict[str, list[object]] = {}
        for write in (False, True):
            r = format_file(path, write=write)
            out[str(write)] = [r.changed, r.error, r.unreadable, r.unwritable]
        return json.dumps(out)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text)
        path.chmod(0o666)  # the file itself is writable: only the folder is not
        found = in_closed_folder(Path(folder), lambda: work(path))
        assert path.read_text() == text
    result: dict[str, list[object]] = json.loads(found)
    return result


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")
@pytest.mark.parametrize("name", ["cqlang.toml", "q.cql"])
def test_fmt_check_of_a_file_in_a_read_only_folder(isolated: Path, name: str) -> None:
    """--check took the editing lock (a sidecar file beside the config)
    and failed as "could not be formatted"; it writes nothing, so it
    takes no lock. --write cannot replace a file there, writable or not,
    and says why (it said "cannot lock it for editing", or of a query file
    "cannot write it", though the file itself was writable)."""
    found = _in_read_only_folder(name, CONFIG if name.endswith(".toml") else "state=open\n")
    assert found["False"] == [True, None, False, False]
    assert found["True"][0::2] == [False, False] and found["True"][3] is True
    message = str(found["True"][1])
    assert "cannot write in " in message and "(permission denied)" in message
    assert message.endswith("it was left as it is")
