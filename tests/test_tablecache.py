"""An install without generated parse tables (editable) makes them from Lark
once, keyed by the grammar's hash, and reads them back after (issue 15)."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cqlang import _tablecache, _tablegen, parser


def run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return out.stdout.strip()


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{_tablecache.PREFIX}*{_tablecache.SUFFIX}"))


def test_made_once_then_read_back(tmp_path: Path) -> None:
    tables, source = _tablecache.load([str(tmp_path)])
    assert source == "lark"
    (file,) = cache_files(tmp_path)
    again, source = _tablecache.load([str(tmp_path)])
    assert source == "cache"
    assert again == tables == _tablegen.tables(parser.grammar_text())
    assert cache_files(tmp_path) == [file]


def test_a_fresh_process_reads_the_cache_without_lark(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from cqlang import _tablecache, parser\n"
        f"tables, source = _tablecache.load([{str(tmp_path)!r}])\n"
        "p = parser._Parser(tables, parser._Builder(), source)\n"
        "assert p.parse('state = OPEN and priority >= 3') is not None\n"
        "print(source, 'lark' in sys.modules, 'pathlib' in sys.modules)"
    )
    assert run(code).startswith("lark True")  # the first makes them with Lark
    assert run(code) == "cache False False"


def test_the_editable_install_parses_without_lark_after_its_first_start() -> None:
    if parser.backend_name() == "cqlang._parse_tables":
        pytest.skip("installed from a wheel: the tables are generated at build time")
    code = (
        "import sys, cqlang, cqlang.parser as p\n"
        "cqlang.compile('state = OPEN')\n"
        "print(p.backend_name(), 'lark' in sys.modules)"
    )
    run(code)  # the first start may make the file
    assert run(code) == "cache False"


def test_a_changed_grammar_is_another_key() -> None:
    grammar = Path(_tablecache.grammar_file()).read_bytes()
    assert _tablecache.key_of(grammar) == _tablecache.key_of(grammar)
    assert _tablecache.key_of(grammar) != _tablecache.key_of(grammar + b"\n// changed\n")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not marshal data at all",
        marshal.dumps({"KEY": "another grammar"}),
        marshal.dumps([1, 2, 3]),
        None,  # the right key, a table cut short
        "wrong shape",  # the right key, a state that is not a dict
    ],
)
def test_a_corrupt_or_stale_file_is_ignored_and_made_again(tmp_path: Path, content: object) -> None:
    tables, _ = _tablecache.load([str(tmp_path)])
    (file,) = cache_files(tmp_path)
    key = _tablecache.key_of(Path(_tablecache.grammar_file()).read_bytes())
    if content is None:
        content = marshal.dumps({**tables, "KEY": key, "RULES": tables["RULES"][:3]})
    elif content == "wrong shape":
        content = marshal.dumps({**tables, "KEY": key, "STATES": ("x", *tables["STATES"][1:])})
    assert isinstance(content, bytes)
    file.write_bytes(content)
    again, source = _tablecache.load([str(tmp_path)])
    assert (again, source) == (tables, "lark")
    assert _tablecache.read(str(file), key) == tables  # written back whole


def test_an_unwritable_folder_falls_through_to_the_next(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        blocked = tmp_path / "a-file"  # root writes anywhere: a file is no folder
        blocked.write_text("x")
    else:
        blocked = tmp_path / "ro"
        blocked.mkdir(mode=0o500)
    other = tmp_path / "other"
    _, source = _tablecache.load([str(blocked), str(other)])
    assert source == "lark" and len(cache_files(other)) == 1
    _, source = _tablecache.load([str(blocked), str(other)])
    assert source == "cache"


def test_nowhere_to_write_still_parses(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    tables, source = _tablecache.load([str(blocked)])
    assert source == "lark" and tables["STATES"]


def test_concurrent_first_starts_agree(tmp_path: Path) -> None:
    code = (
        "from cqlang import _tablecache\n"
        f"tables, source = _tablecache.load([{str(tmp_path)!r}])\n"
        "print(len(tables['STATES']))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert len(set(outs)) == 1
    (file,) = cache_files(tmp_path)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    key = _tablecache.key_of(Path(_tablecache.grammar_file()).read_bytes())
    assert _tablecache.read(str(file), key) == _tablegen.tables(parser.grammar_text())


def test_the_users_cache_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("platformdirs decides elsewhere")
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    assert _tablecache.user_cache_folder() == "/somewhere/cache/cqlang"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    monkeypatch.setenv("HOME", "/home/someone")
    assert _tablecache.user_cache_folder() == "/home/someone/.cache/cqlang"
