"""A writable file in a folder the user may not write, and another user's
file in a folder with the sticky bit (/tmp): cqlang replaces a file by
renaming a new one over it, which neither allows. Every writer (`fetch
-o`, the REPL's `\\o`, `fmt --write`, `queries save`) refuses such a file
before any work is done, saying why (`fetch -o` used to fetch everything
and then fail with exit 74, "Operation not permitted"; `fmt --write` said
"cannot write it", of a file that was writable), and never writes it in
place (cqlang/output/atomic.py: unreplaceable)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from otheruser import as_nobody, as_root, in_closed_folder

from cqlang.cli import main
from cqlang.config import ConfigError, save_query
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.output import atomic
from cqlang.repl import Dispatcher, Session

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")

CONFIG = "[queries.hot]\nquery = 'priority>5'\n"


@pytest.fixture(autouse=True)
def isolated(config_home: Path) -> Path:
    return config_home


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder outside pytest's (whose parents are root's only), readable
    by everyone."""
    with tempfile.TemporaryDirectory() as name:
        os.chmod(name, 0o755)
        yield Path(name)


def writable(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o666)
    return path


def cli(*args: str, env: dict[str, str] | None = None) -> str:
    """The exit status and standard error of the command, as JSON."""
    result = CliRunner().invoke(main, list(args), env=env)
    return json.dumps([result.exit_code, result.stderr, "Traceback" in result.output])


def warm(*args: str) -> None:
    """Run the command once as this user (root) on a file of its own, so
    that the child of the user nobody finds every module it needs already
    imported: Python's own library may sit in root's home, which nobody
    cannot read (a ModuleNotFoundError there is the test's, not cqlang's)."""
    with tempfile.TemporaryDirectory() as mine:
        path = Path(mine) / "q.cql"
        path.write_text("state=open\n")
        cli(*args, str(path))


def closed(folder: Path) -> str:
    return f"cannot write in {folder} (permission denied): cqlang writes a new file there"


@pytest.mark.emulator(records=20, seed=1)
@pytest.mark.parametrize("name", ["out.jsonl", "new.csv"])
def test_fetch_output_in_a_closed_folder_is_refused_before_any_request(
    folder: Path, emulator: Emulator, name: str
) -> None:
    out = folder / name
    if name == "out.jsonl":
        writable(out, "old\n")
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": "demo-key"}
    status, stderr, traceback = json.loads(
        in_closed_folder(
            folder, lambda: cli("fetch", "--campaign", DEFAULT_CAMPAIGN, "-o", str(out), env=env)
        )
    )
    assert (status, traceback) == (2, False), stderr
    assert stderr.startswith(f"cqlang: --output {out}: {closed(folder)}")
    assert stderr.rstrip().endswith("; write to another file")
    assert emulator.request_count == 0
    assert sorted(p.name for p in folder.iterdir()) == (["out.jsonl"] if out.exists() else [])
    if name == "out.jsonl":
        assert out.read_text() == "old\n"


def test_the_repl_output_in_a_closed_folder_is_refused(folder: Path) -> None:
    out = writable(folder / "out.json", "[]\n")

    def work() -> str:
        reply = Dispatcher(Session()).handle(f"\\o {out}")
        return json.dumps([reply.ok, reply.text])

    ok, text = json.loads(in_closed_folder(folder, work))
    assert not ok and text.startswith(f"\\o {out}: {closed(folder)}")


@pytest.mark.parametrize("name", ["q.cql", "cqlang.toml"])
def test_fmt_write_in_a_closed_folder_says_why(folder: Path, name: str) -> None:
    text = "state=open\n" if name == "q.cql" else CONFIG
    path = writable(folder / name, text)
    warm("fmt", "--write")
    status, stderr, traceback = json.loads(
        in_closed_folder(folder, lambda: cli("fmt", "--write", str(path)))
    )
    assert (status, traceback) == (2, False), stderr
    assert f"cqlang: {path}: {closed(folder)}" in stderr
    assert "it was left as it is" in stderr and "1 file could not be written" in stderr
    assert path.read_text() == text and os.listdir(folder) == [name]


def test_queries_save_in_a_closed_folder_says_why(folder: Path) -> None:
    path = writable(folder / "cqlang.toml", CONFIG)

    def work() -> str:
        try:
            save_query(path, "cold", "priority < 2")
        except ConfigError as exc:
            return str(exc)
        return "saved"

    assert closed(folder) in in_closed_folder(folder, work)
    assert path.read_text() == CONFIG and os.listdir(folder) == ["cqlang.toml"]


# ------------------------------------------------------------ sticky folders

needs_root = pytest.mark.skipif(not as_root(), reason="needs root to act as two users")


@pytest.fixture
def sticky(folder: Path) -> Path:
    """A folder like /tmp: everyone may write in it, only a file's owner
    may remove or replace it."""
    os.chmod(folder, 0o1777)
    return folder


STICKY = "the file belongs to another user, and only its owner may replace it in"


@needs_root
@pytest.mark.emulator(records=20, seed=1)
def test_fetch_output_over_another_users_file_in_a_sticky_folder(
    sticky: Path, emulator: Emulator
) -> None:
    out = writable(sticky / "out.json", "[]\n")  # root's, writable by all
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": "demo-key"}
    status, stderr, _ = json.loads(
        as_nobody(lambda: cli("fetch", "--campaign", DEFAULT_CAMPAIGN, "-o", str(out), env=env))
    )
    assert status == 2 and f"--output {out}: {STICKY} {sticky}" in stderr
    assert emulator.request_count == 0
    assert out.read_text() == "[]\n" and os.listdir(sticky) == ["out.json"]


@needs_root
def test_ones_own_file_or_a_new_one_in_a_sticky_folder_is_replaceable(sticky: Path) -> None:
    def work() -> str:
        mine = sticky / "mine.json"
        mine.write_text("[]\n")
        return json.dumps([atomic.unreplaceable(mine), atomic.unreplaceable(sticky / "new.csv")])

    assert json.loads(as_nobody(work)) == [None, None], "the child failed"
    assert atomic.unreplaceable(sticky / "mine.json") is None  # root may replace anything


@needs_root
def test_fmt_write_of_another_users_file_in_a_sticky_folder(sticky: Path) -> None:
    path = writable(sticky / "q.cql", "state=open\n")
    warm("fmt", "--write")
    status, stderr, _ = json.loads(as_nobody(lambda: cli("fmt", "--write", str(path))))
    assert status == 2 and f"{STICKY} {sticky}" in stderr
    assert path.read_text() == "state=open\n"
