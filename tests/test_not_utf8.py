"""A file that is not UTF-8 is reported at its first bad byte, as an editor
places it (line and column in characters), with the byte's value: config
files (loading, `queries save`), query files (`-f`), `fmt --check` and the
language server's reader share cqlang.diagnostics.not_utf8."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cqlang.config import Config, ConfigError
from cqlang.diagnostics import not_utf8
from cqlang.lsp import files

BAD = "state = OPEN\nand custom.miasto = 'Łódź ".encode() + b"\xe9t\xe9'\n"


def _where(data: bytes) -> tuple[str, int, int]:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return not_utf8(data, exc)
    raise AssertionError("decoded")


def test_the_line_and_the_column_are_counted_in_characters() -> None:
    # 'Łódź ' is 5 characters and 8 bytes before the bad byte on line 2.
    assert _where(BAD) == ("not UTF-8 text (byte 0xE9)", 2, len("and custom.miasto = 'Łódź ") + 1)
    assert _where(b"\xff") == ("not UTF-8 text (byte 0xFF)", 1, 1)
    assert _where(b"a\n\nb\x80") == ("not UTF-8 text (byte 0x80)", 3, 2)
    # A byte order mark is skipped when the text is read: not a column.
    assert _where(b'\xef\xbb\xbfcampaign = "\xff"\n') == ("not UTF-8 text (byte 0xFF)", 1, 13)


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONPEEK_", "CQLANG_"))}
    env.update(XDG_CONFIG_HOME=str(tmp / "cfg"), HOME=str(tmp))
    return env


def test_a_config_file(tmp_path: Path) -> None:
    p = tmp_path / "cqlang.toml"
    p.write_bytes(b'[connection]\ncampaign = "ab\xffc"\n')
    with pytest.raises(ConfigError) as info:
        Config.load(p)
    assert "cqlang.toml:2:15: not UTF-8 text (byte 0xFF)" in str(info.value)
    r = subprocess.run(
        [sys.executable, "-m", "cqlang", "config"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "cqlang.toml:2:15: not UTF-8 text (byte 0xFF)" in r.stderr


def test_a_query_file_and_fmt(tmp_path: Path) -> None:
    (tmp_path / "q.cql").write_bytes(BAD)
    for args in (["check", "-f", "q.cql"], ["fmt", "--check", "q.cql"]):
        r = subprocess.run(
            [sys.executable, "-m", "cqlang", *args],
            cwd=tmp_path,
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert r.returncode == 2, (args, r.stderr)
        assert "q.cql:2:27: not UTF-8 text (byte 0xE9)" in r.stderr, (args, r.stderr)
        assert "Traceback" not in r.stderr


def test_the_language_servers_reader(tmp_path: Path) -> None:
    p = tmp_path / "q.cql"
    p.write_bytes(BAD)
    with pytest.raises(files.Unreadable, match=r"q\.cql:2:27: not UTF-8 text \(byte 0xE9\)"):
        files.read_text(p, 1 << 20)
