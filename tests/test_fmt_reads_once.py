"""`cqlang fmt --check cqlang.toml`, where cqlang.toml is also the config
found and cannot be read as one, read the file a third time
(`fmtfiles.unreadable_config`) only to learn whether formatting would find
it unreadable and report it itself, so that the "config is not read"
warning could be left out. The loader now says so on the problem it
reports (`ConfigProblem.unreadable`): the file is read to load it and to
format it, not once more to tell which kind of mistake it holds."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.config import Config, ConfigError, editing, files
from cqlang.config.fmtfiles import format_file

#: Files that cannot be read as config files, and one with a setting's mistake.
CONTENTS = {
    "not TOML": (b"queries = [\n", True),
    "not UTF-8": (b"[queries]\na = '\xff'\n", True),
    "too deep": (b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", True),
    "a setting": (b"[connection]\npage_size = 'x'\n[queries]\na = 'state=open'\n", False),
}


@pytest.mark.parametrize("kind", CONTENTS)
def test_the_loaders_word_is_what_formatting_finds(config_home: Path, kind: str) -> None:
    """`unreadable` on the loader's problem agrees with fmt's own reading
    of the file (the two must not drift: fmt relies on the first)."""
    content, unreadable = CONTENTS[kind]
    path = config_home / "cqlang.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as info:
        Config.load(path)
    assert [p.unreadable for p in info.value.problems] == [unreadable]
    assert format_file(path, write=False).unreadable is unreadable


def test_a_missing_or_unreadable_file_is_marked(config_home: Path) -> None:
    for path in (config_home / "missing.toml", config_home):
        with pytest.raises(ConfigError) as info:
            Config.load(path)
        assert all(p.unreadable for p in info.value.problems)


def test_fmt_reads_a_broken_found_config_once_per_purpose(
    config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (config_home / "cqlang.toml").write_bytes(CONTENTS["not TOML"][0])
    reads: Counter[str] = Counter()

    def counted(module: Any) -> None:
        real = module.read_config_bytes

        def read(path: Path, *args: Any) -> Any:
            reads[Path(path).name] += 1
            return real(path, *args)

        monkeypatch.setattr(module, "read_config_bytes", read)

    counted(files)
    counted(editing)
    result = CliRunner().invoke(main, ["fmt", "--check", "cqlang.toml"])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("cqlang.toml:2:1: not valid TOML") == 1
    assert "warning" not in result.stderr
    assert reads["cqlang.toml"] == 2  # loaded as the config, then formatted
