"""`make help` lists every target of the Makefile with what it does."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def targets() -> list[str]:
    """The targets named on the Makefile's .PHONY line."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = next(line for line in text.splitlines() if line.startswith(".PHONY:"))
    return phony.split(":", 1)[1].split()


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_help_lists_every_target_with_its_words() -> None:
    run = subprocess.run(
        ["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    listed = {m.group(1): m.group(2) for m in re.finditer(r"^  (\S+) +(.+)$", run.stdout, re.M)}
    assert set(listed) == set(targets())
    assert all(words.strip() for words in listed.values())


def test_the_readme_quick_start_keeps_its_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Quick start")
    block = readme[start : readme.index("## ", start + 3)]
    commands = re.findall(r"^make \w+", block, re.M)
    assert commands == ["make demo", "make test"]
    assert readme.index("## Contributing") > start
