"""Ctrl-C during a fetch whose records go to the terminal as a table (the
records are gathered under the progress line first): the progress line is
erased, as it is on every other way out, so the shell's prompt does not
land on it."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cqlang.emulator import Emulator

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

CAMPAIGN = "5b7c389fe8df7b60af688989"


def test_ctrl_c_during_a_table_fetch_erases_the_progress_line(tmp_path: Path) -> None:
    with Emulator(records=400, api_key="k", faults="latency=0.2") as emu:
        main, side = pty.openpty()
        seen = bytearray()
        env = {**os.environ, "CONPEEK_URL": emu.url, "CONPEEK_KEY": "k", "TERM": "xterm"}
        env["HOME"] = str(tmp_path)
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "cqlang.cli", "fetch", "--campaign", CAMPAIGN,
                 "--format", "table", "--page-size", "10"],
                stdin=side, stdout=side, stderr=side, env=env, cwd=tmp_path,
            )  # fmt: skip
            os.close(side)
            deadline = time.monotonic() + 60  # bounded: until the progress line shows
            while b"fetching: " not in seen and time.monotonic() < deadline:
                if select.select([main], [], [], 1)[0]:
                    seen.extend(os.read(main, 65536))
            assert b"fetching: " in seen, bytes(seen)
            proc.send_signal(signal.SIGINT)
            for _ in range(600):  # bounded: read to the end
                if not select.select([main], [], [], 0.1)[0]:
                    if proc.poll() is not None:
                        break
                    continue
                try:
                    chunk = os.read(main, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen.extend(chunk)
            assert proc.wait(timeout=60) == 130
        finally:
            os.close(main)
    last = seen.rindex(b"fetching: ")
    assert b"\r\x1b[2K" in seen[last:], bytes(seen[last:])
