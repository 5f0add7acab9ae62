"""A config that is not a regular file (a device such as /dev/null, a named
pipe, a folder, a socket) is never edited: `queries save`/`rm`, the REPL's
`\\save` and the Python API refuse it (exit 2) before anything is made or
changed. The old `queries save` read a character device as an empty config
and renamed a new regular file over it: `--config /dev/null queries save`
replaced the real /dev/null. These tests never touch a real device: a FIFO
stands in (no root needed), and a character device is made with mknod in
tmp_path when the tests run as root."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cqlang.cli import main
from cqlang.config import ConfigError, remove_query, safewrite, save_query
from cqlang.output import atomic
from cqlang.repl import Dispatcher, Session


@pytest.fixture(autouse=True)
def isolated(config_home: Path) -> Path:
    return config_home


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result


def fake_null(folder: Path) -> Path:
    """A character device 1,3 (what /dev/null is) in ``folder``: only as
    root, and only where mknod is allowed; else the test is skipped."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mknod of a character device needs root")
    node = folder / "fakenull"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError as exc:
        pytest.skip(f"mknod is not allowed here: {exc.strerror}")
    return node


def fifo(folder: Path) -> Path:
    node = folder / "pipe.toml"
    os.mkfifo(node)
    return node


@pytest.fixture(params=["fifo", "device"])
def special(request: pytest.FixtureRequest, isolated: Path) -> Iterator[Path]:
    node = fifo(isolated) if request.param == "fifo" else fake_null(isolated)
    yield node


def still_there(node: Path, kind: int, listing: list[str]) -> None:
    """``node`` is still the same kind of file, and nothing was made beside
    it (no lock sidecar, no temporary file)."""
    assert stat.S_IFMT(os.lstat(node).st_mode) == kind
    assert sorted(os.listdir(node.parent)) == listing


@pytest.mark.parametrize(
    "args",
    [("queries", "save", "x", "state = OPEN"), ("queries", "rm", "x")],
    ids=["save", "rm"],
)
def test_queries_save_and_rm_refuse_a_device_or_pipe_as_config(
    special: Path, args: tuple[str, ...]
) -> None:
    kind = stat.S_IFMT(os.lstat(special).st_mode)
    listing = sorted(os.listdir(special.parent))
    result = run("--config", special.name, *args)
    assert result.exit_code == 2, result.output
    assert "saved" not in result.stdout and "removed" not in result.stdout
    assert special.name in result.stderr
    still_there(special, kind, listing)
    # Through $CQLANG_CONFIG: the same.
    result = CliRunner().invoke(main, list(args), env={"CQLANG_CONFIG": str(special)})
    assert result.exit_code == 2, result.output
    still_there(special, kind, listing)


def test_the_device_is_named_in_the_message(isolated: Path) -> None:
    node = fake_null(isolated)
    result = run("--config", str(node), "queries", "save", "x", "state = OPEN")
    assert result.exit_code == 2
    assert "it is a character device, not a regular file" in result.stderr
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_the_python_api_refuses_any_special_file(special: Path) -> None:
    kind = stat.S_IFMT(os.lstat(special).st_mode)
    listing = sorted(os.listdir(special.parent))
    with pytest.raises(ConfigError, match="not a regular file"):
        save_query(special, "x", "state = OPEN")
    with pytest.raises(ConfigError):
        remove_query(special, "x")
    # The writers underneath refuse it too, whoever calls them.
    with pytest.raises(atomic.ReadOnlyFileError, match="not a regular file"):
        safewrite.replace(special, b"")
    with pytest.raises(atomic.ReadOnlyFileError, match="not a regular file"):
        atomic.replace(str(special), lambda out, spool: out.write("x"), binary=False)
    still_there(special, kind, listing)


def test_a_folder_and_a_socket_are_refused(isolated: Path) -> None:
    folder = isolated / "conf.d"
    folder.mkdir()
    with pytest.raises(ConfigError, match="it is a folder, not a regular file"):
        save_query(folder, "x", "state = OPEN")
    assert atomic.unreplaceable(folder) is not None
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("s.toml")  # relative: a socket path is short
        path = isolated / "s.toml"
        with pytest.raises(ConfigError, match="it is a socket, not a regular file"):
            save_query(path, "x", "state = OPEN")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    assert not (isolated / "conf.d").joinpath("x").exists()


def test_a_link_to_a_device_is_refused_and_a_link_to_a_file_is_followed(
    isolated: Path,
) -> None:
    pipe = fifo(isolated)
    link = isolated / "cqlang.toml"
    link.symlink_to(pipe.name)
    result = run("--config", "cqlang.toml", "queries", "save", "x", "state = OPEN")
    assert result.exit_code == 2
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(pipe).st_mode)
    # A link to a regular file: the file it points to is edited, the link kept
    # (as fmt --write and fetch -o do).
    link.unlink()
    (isolated / "real.toml").write_text("")
    link.symlink_to("real.toml")
    result = run("--config", "cqlang.toml", "queries", "save", "x", "state = OPEN")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and "[queries.x]" in (isolated / "real.toml").read_text()


def test_the_repl_save_refuses_a_special_file(special: Path) -> None:
    """The REPL started with a config that was then replaced by a device or
    a pipe (a REPL with one as --config does not start: it reads it first)."""
    kind = stat.S_IFMT(os.lstat(special).st_mode)
    listing = sorted(os.listdir(special.parent))
    d = Dispatcher(Session(config_file=str(special)))
    assert d.handle("priority > 5").ok
    reply = d.handle("\\save hot")
    assert not reply.ok, reply.text
    assert reply.text.startswith("@hot not saved:") and "not a regular file" in reply.text
    still_there(special, kind, listing)
