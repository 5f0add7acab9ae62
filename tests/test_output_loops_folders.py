"""`-o` naming a loop of symbolic links, or an existing folder.

A loop (`ln -s loop2 loop1; ln -s loop1 loop2`) was followed by a
non-strict `os.path.realpath`, which leaves it as it is, so the link was
replaced by a regular file: it is refused as cp and tee refuse it ("Too
many levels of symbolic links"), exit 2, nothing written. An existing
folder (or a link to one) was refused by click's `Path(dir_okay=False)`
with its usage block; it is now worded as any folder (docs/client.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cqlang.cli import main
from cqlang.emulator import DEFAULT_API_KEY, DEFAULT_CAMPAIGN, Emulator
from cqlang.errors import OutputError
from cqlang.output.target import real_path
from cqlang.output.write import emit
from cqlang.repl import Dispatcher, Session

LOOP = "Too many levels of symbolic links"


def _fetch(emulator: Emulator, tmp_path: Path, *args: str) -> Result:
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": DEFAULT_API_KEY,
           "CQLANG_CONFIG": str(tmp_path / "none.toml")}  # fmt: skip
    return CliRunner().invoke(
        main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--limit", "3", *args], env=env
    )


def _loop(tmp_path: Path) -> tuple[Path, Path]:
    one, two = tmp_path / "loop1", tmp_path / "loop2"
    one.symlink_to("loop2")
    two.symlink_to("loop1")
    return one, two


def _still_a_loop(one: Path, two: Path) -> None:
    assert one.is_symlink() and two.is_symlink()
    assert os.readlink(one) == "loop2" and os.readlink(two) == "loop1"


@pytest.mark.parametrize("under", ["", "/x.jsonl"])
def test_fetch_refuses_a_loop_of_links(emulator: Emulator, tmp_path: Path, under: str) -> None:
    one, two = _loop(tmp_path)
    path = f"{two}{under}"
    result = _fetch(emulator, tmp_path, "--format", "jsonl", "-o", path)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"cqlang: --output {path}: {LOOP}\n"
    assert emulator.request_count == 0
    _still_a_loop(one, two)


def test_writing_refuses_a_loop_made_after_the_check(tmp_path: Path) -> None:
    """The write itself resolves the path strictly too (the loop may be
    made between the check and the write)."""
    one, two = _loop(tmp_path)
    with pytest.raises(OSError, match=LOOP):
        real_path(str(two))
    with pytest.raises(OutputError, match=f"--output {two}: {LOOP}"):
        emit([{"id": "a"}], "jsonl", str(two))
    _still_a_loop(one, two)
    (tmp_path / "dangling").symlink_to("new.jsonl")  # a link to no file yet: its target
    assert real_path(str(tmp_path / "dangling")) == str(tmp_path / "new.jsonl")


def test_the_repl_refuses_a_loop(emulator: Emulator, tmp_path: Path) -> None:
    one, two = _loop(tmp_path)
    session = Session(campaign=DEFAULT_CAMPAIGN, base_url=emulator.url, api_key=DEFAULT_API_KEY)
    d = Dispatcher(session, width=120)
    reply = d.handle(f"\\o {two}")
    assert (reply.ok, reply.text) == (False, f"\\o {two}: {LOOP}")
    assert session.output is None
    _still_a_loop(one, two)


@pytest.mark.parametrize("dry", [False, True])
@pytest.mark.parametrize("name", ["out", "out/", "link", "link/"])
def test_fetch_words_an_existing_folder(
    emulator: Emulator, tmp_path: Path, name: str, dry: bool
) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "link").symlink_to("out")
    path = f"{tmp_path}/{name}"
    result = _fetch(emulator, tmp_path, *(["--dry-run"] if dry else []), "-o", path)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"cqlang: --output {path}: a folder; name a file\n"
    assert "Usage:" not in result.output and "Invalid value" not in result.output
    assert emulator.request_count == 0 and list((tmp_path / "out").iterdir()) == []
