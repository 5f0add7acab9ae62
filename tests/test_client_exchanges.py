"""Every HTTP exchange reaches ``on_request`` and the debug log, retried ones
included (urllib3's retries of statuses and dropped connections, and the
client's own of bodies cut short), so `cqlang fetch -o FILE` counts the
requests the server really got. Over real HTTP: the emulator, whose
request count is the oracle, and tests/hostile.py."""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hostile import Hostile, Request, answer, head

from cqlang.cli import main
from cqlang.client import ApiError, Client, ExchangeReport, TransportError
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator

CAMPAIGN = DEFAULT_CAMPAIGN
FAST: dict[str, Any] = {"backoff_factor": 0.01, "backoff_jitter": 0.01, "retry_budget": 5.0}

Seen = list[tuple[str, int, float, int]]


def fetch_seen(
    url: str, query: str = "", reports: list[ExchangeReport] | None = None, **kw: Any
) -> tuple[Seen, BaseException | None]:
    seen: Seen = []
    error: BaseException | None = None
    hooks: dict[str, Any] = {"on_request": lambda *a: seen.append(a)}
    if reports is not None:
        hooks["on_exchange"] = reports.append
    with Client(url, "demo-key", **hooks, **{**FAST, **kw}) as c:
        try:
            list(c.voice_campaign_requests(CAMPAIGN, query, page_size=60))
        except ApiError as exc:
            error = exc
    return seen, error


@pytest.mark.parametrize(
    "faults",
    [
        ["500=2"],
        ["503=2@3", "retry-after=0"],
        ["429=3@2", "retry-after=0"],
        ["reset=2@2"],
        ["drop=2@2"],
        ["truncate=2@3"],
        ["html=1@2"],
        ["latency=0.02", "500=1@2", "drop=1@4", "429=1@6", "truncate=1@8", "retry-after=0"],
        ["500=100%"],
        ["reset=100%"],
        ["truncate=100%"],
    ],
    ids=lambda f: ",".join(f),
)
def test_every_exchange_reaches_on_request(
    emulator_factory: Any, faults: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    emu: Emulator = emulator_factory(records=300, seed=3, faults=faults)
    reports: list[ExchangeReport] = []
    with caplog.at_level(logging.DEBUG, logger="cqlang.client"):
        seen, error = fetch_seen(emu.url, "state = OPEN or priority > 50", reports, max_retries=3)
    # One call per request the server got, in its order, with its status
    # (0: the connection closed without an answer).
    assert len(seen) == emu.request_count
    assert [s for _, s, _, _ in seen] == [e.status for e in emu.log]
    assert all(url.startswith(emu.url + "/voice_campaign/") for url, _, _, _ in seen)
    assert all(seconds >= 0 for _, _, seconds, _ in seen)
    assert all(records == 0 for _, s, _, records in seen if s != 200)
    # ... and one debug line each, whole URL and all.
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("GET ")]
    assert len(lines) == len(seen)
    # on_exchange gets the same, and tells a retry from a first try: a
    # retry follows the try before it, of the same URL, which failed.
    assert [(r.url, r.status, r.seconds, r.records) for r in reports] == seen
    for before, report in zip([None, *reports], reports, strict=False):
        if report.retry:
            assert before is not None and report.attempt == before.attempt + 1
            assert report.url == before.url and before.records == 0
        else:
            assert report.attempt == 1
    assert [", try " in line for line in lines] == [r.retry for r in reports]
    if error is None:
        assert sum(records for *_, records in seen) >= 1


def test_status_retries_are_reported_each(emulator_factory: Any) -> None:
    emu = emulator_factory(records=50, faults=["500=2"])
    reports: list[ExchangeReport] = []
    seen, error = fetch_seen(emu.url, reports=reports)
    assert error is None
    assert [s for _, s, _, _ in seen] == [500, 500, 200]
    assert seen[-1][3] == 50
    assert [(r.attempt, r.retry) for r in reports] == [(1, False), (2, True), (3, True)]


def test_a_connection_that_cannot_be_made_is_no_exchange() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    seen, error = fetch_seen(f"http://127.0.0.1:{port}")
    assert isinstance(error, TransportError) and seen == []


def test_a_body_that_breaks_off_is_reported_with_its_status() -> None:
    def handler(conn: socket.socket, req: Request) -> bool:
        if req.number <= 2:  # headers, then half a body, then gone
            conn.sendall(head(200, "OK", length=100) + b'{"data": [')
            return False
        body = b'{"data": [{"id": "a"}]}'
        conn.sendall(head(200, "OK", length=len(body)) + body)
        return True

    reports: list[ExchangeReport] = []
    with Hostile(handler) as server:
        seen, error = fetch_seen(server.url, reports=reports)
    assert error is None and len(server.requests) == 3
    assert [(s, n) for _, s, _, n in seen] == [(200, 0), (200, 0), (200, 1)]
    assert [r.attempt for r in reports] == [1, 2, 3]  # the client's own retries count too


def test_every_try_of_a_request_that_keeps_failing_is_reported() -> None:
    with Hostile(answer(503, b"busy", headers={"Retry-After": "0"})) as server:
        seen, error = fetch_seen(server.url, max_retries=2)
    assert error is not None and "still after 3 tries" in str(error)
    assert [s for _, s, _, _ in seen] == [503, 503, 503] and len(server.requests) == 3


def test_the_fetch_summary_counts_every_exchange(tmp_path: Path, emulator_factory: Any) -> None:
    """`--fault 500=2`: two failed exchanges, then the pages."""
    emu = emulator_factory(records=1000, faults=["500=2"])
    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    out = tmp_path / "x.jsonl"
    env = {"CONPEEK_URL": emu.url, "CONPEEK_KEY": "demo-key", "CQLANG_CONFIG": str(config)}
    args = ["fetch", "--campaign", CAMPAIGN, "-o", str(out), "-v", "--retry-budget", "5"]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    assert emu.request_count == 4  # 500, 500, the page, the short page after it
    assert result.stderr.endswith(f"wrote 1,000 records to {out} in 4 requests (2 retries)\n")
    log = [line for line in result.stderr.splitlines() if " -> " in line]
    assert [line.split(" -> ")[1].split(" ")[0] for line in log] == ["500", "500", "200", "200"]
    assert [line.endswith(("try 2)", "try 3)")) for line in log] == [False, True, True, False]


def test_the_fetch_summary_without_retries_says_none(tmp_path: Path, emulator: Emulator) -> None:
    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    out = tmp_path / "x.jsonl"
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": "demo-key", "CQLANG_CONFIG": str(config)}
    args = ["fetch", "--campaign", CAMPAIGN, "-o", str(out), "--limit", "5"]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    said = f"wrote 5 records to {out} in 1 request; --limit 5 reached, more may match\n"
    assert result.stderr == said  # no "(0 retries)"
