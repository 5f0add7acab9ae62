"""Audit 2: the emulator refuses campaign ids that cannot be one path
segment, as the command line does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.emulator import Emulator

BAD = [".", "..", "", "  "]


@pytest.mark.parametrize("cid", BAD)
def test_emulator_refuses_a_campaign_id_that_is_no_path_segment(cid: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="campaign id"):
        Emulator(records=1, campaigns=(cid,))
    with pytest.raises(ValueError, match="campaign id"):
        Emulator(data={cid: []})
    if not cid:
        return  # a record with an empty voice_campaign_id belongs to the first campaign
    with pytest.raises(ValueError, match="campaign id"):
        Emulator(data=[{"voice_campaign_id": cid}], strict=False)
    data = tmp_path / "data.json"
    data.write_text(json.dumps([{"voice_campaign_id": cid}]), encoding="utf-8")
    for args in (["--campaign", cid], ["--data", str(data)]):
        run = CliRunner().invoke(main, ["emulator", "--port", "0", *args], env={})
        assert run.exit_code == 2, run.output
        assert "campaign id" in run.stderr and "Traceback" not in run.output


def test_a_port_in_use_is_said_in_words() -> None:
    """`[Errno 98] Address already in use` was printed raw."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = CliRunner().invoke(main, ["emulator", "--port", str(port)], env={})
    assert run.exit_code == 2
    assert run.stderr.startswith(
        f"cqlang: emulator: cannot listen on 127.0.0.1:{port}: the address is in use"
    )
    assert "Errno" not in run.stderr
