"""The progress line of `cqlang fetch` counts the records kept, as they
are written: it counted what the pages brought (`fetching: 50,100
records` then `wrote 50,000 records`: the pages overlap, and the check on
the client drops records), so its last figure was not what was written.
End to end in a real pseudo-terminal (pexpect), and the counting itself
(cqlang.output.counted) directly."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cqlang.emulator import DEFAULT_API_KEY, DEFAULT_CAMPAIGN, Emulator
from cqlang.output.counted import TICK_EVERY, Counted

pexpect = pytest.importorskip("pexpect")

# Two requests (the `or`) merged by id, and records dropped on the client
# (`!=` on a custom field): what a page brings is not what is kept.
QUERY = 'state = OPEN or custom.region != "PL"'


def figures(screen: str, word: str) -> list[int]:
    """The record counts of every progress line drawn (`word: N records`)."""
    return [int(n.replace(",", "")) for n in re.findall(rf"{word}: ([\d,]+) records?", screen)]


def run_in_pty(emulator: Emulator, tmp_path: Path, *args: str) -> str:
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    env = {**os.environ, "CONPEEK_URL": emulator.url, "CONPEEK_KEY": DEFAULT_API_KEY,
           "CQLANG_CONFIG": str(tmp_path / "none.toml"), "TERM": "xterm"}  # fmt: skip
    command = ["-m", "cqlang.cli", "fetch", "--campaign", DEFAULT_CAMPAIGN, "--page-size", "50"]
    child = pexpect.spawn(
        sys.executable,
        [*command, QUERY, *args],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=60,
        dimensions=(24, 200),
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return str(child.before)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")
@pytest.mark.emulator(records=1500, seed=3)
def test_the_last_progress_figure_is_what_was_written(emulator: Emulator, tmp_path: Path) -> None:
    out = tmp_path / "kept.jsonl"
    screen = run_in_pty(emulator, tmp_path, "-o", str(out))
    written = len(out.read_text(encoding="utf-8").splitlines())
    assert f"wrote {written:,} records" in screen
    shown = figures(screen, "fetching")
    assert shown and shown[-1] == written, (shown, written)
    assert shown == sorted(shown) and max(shown) == written  # never past it
    requests = int(re.findall(r"in ([\d,]+) requests", screen)[-1].replace(",", ""))
    # Every page held 50 records, so more came than were kept.
    assert requests * 50 > written


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")
@pytest.mark.emulator(records=1500, seed=3)
def test_count_progress_ends_on_the_count(emulator: Emulator, tmp_path: Path) -> None:
    screen = run_in_pty(emulator, tmp_path, "--count")
    total = int(screen.strip().splitlines()[-1].split("\x1b[2K")[-1])
    assert figures(screen, "counting")[-1] == total


@given(n=st.integers(0, 3 * TICK_EVERY), limit=st.none() | st.integers(0, 3 * TICK_EVERY))
def test_counted_ticks_end_on_what_it_passed_on(n: int, limit: int | None) -> None:
    ticks: list[tuple[int, bool]] = []
    counted = Counted(range(n), limit, tick=lambda k, final: ticks.append((k, final)))  # type: ignore[arg-type]
    passed = list(counted)
    want = n if limit is None else min(n, limit)
    assert len(passed) == counted.count == want
    assert ticks[-1] == (want, True) and all(not final for _, final in ticks[:-1])
    assert [k for k, _ in ticks] == sorted(k for k, _ in ticks)


@given(n=st.integers(0, 30), limit=st.integers(0, 30), probed=st.booleans())
def test_counted_says_whether_the_file_is_complete(n: int, limit: int, probed: bool) -> None:
    """``n`` records match; the fetch asks for ``limit`` (one more when
    probed): complete is never claimed when more match, and always when
    fewer came than the limit, or a probe found none past it."""
    asked = limit + 1 if probed else limit
    counted = Counted(range(min(n, asked)), limit, probed=probed)  # type: ignore[arg-type]
    assert len(list(counted)) == min(n, limit)
    if n > limit:
        assert not counted.complete
        assert counted.ending() == {"cqlang.complete": "false"}
    elif n < limit or probed:
        assert counted.complete
    assert counted.more == (probed and n > limit)
