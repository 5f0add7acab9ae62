"""The error of a request that was retried says how many tries it made,
whatever failed (docs/client.md, "Retries"): a status said it, but a body
shorter than its Content-Length, a body that never came (the deadline), a
connection closed without an answer and a page that is not the envelope
did not. Small servers on loopback (tests/hostile.py), bounded in time."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from typing import Any

import pytest
from click.testing import CliRunner
from hostile import Hostile, Request, head

from cqlang.cli import main
from cqlang.client import Client, ResponseFormatError, TransportError
from cqlang.emulator import DEFAULT_CAMPAIGN

FAST: dict[str, Any] = {"backoff_factor": 0.01, "backoff_jitter": 0.01, "retry_budget": 10.0}
BODY = json.dumps({"data": [{"id": "r1"}]}).encode()


def long_length(conn: socket.socket, req: Request) -> bool:
    """Content-Length 50 bytes past the body, then the connection closed."""
    conn.sendall(head(200, "OK", None, len(BODY) + 50) + BODY)
    return False


def never(conn: socket.socket, req: Request) -> bool:
    """Headers, then no body: until the client goes away (at most 10 s)."""
    conn.sendall(head(200, "OK", None, len(BODY)))
    conn.settimeout(10)
    with contextlib.suppress(OSError):
        conn.recv(1)  # returns when the client closes
    return False


def hang_up(conn: socket.socket, req: Request) -> bool:
    return False  # closed without an answer


def not_envelope(conn: socket.socket, req: Request) -> bool:
    body = b'{"records": []}'
    conn.sendall(head(200, "OK", None, len(body)) + body)
    return True


CASES = [
    (long_length, {"max_retries": 2}, TransportError, 3, "the response broke off"),
    (never, {"max_retries": 2, "timeout": 1}, TransportError, 3, "timed out"),
    (hang_up, {"max_retries": 2}, TransportError, 3, "closed the connection"),
    (not_envelope, {"max_retries": 2}, ResponseFormatError, 2, "envelope"),
]


@pytest.mark.parametrize(
    ("handler", "options", "error", "tries", "what"),
    CASES,
    ids=["content-length-too-long", "body-never-comes", "hang-up", "not-the-envelope"],
)
def test_the_last_error_says_how_many_tries(
    handler: Any, options: dict[str, Any], error: type[Exception], tries: int, what: str
) -> None:
    with Hostile(handler) as server:
        url = server.url
        client = Client(url, "k-123", **{**FAST, **options})
        with client, pytest.raises(error) as caught:
            list(client.voice_campaign_requests(DEFAULT_CAMPAIGN))
        assert len(server.requests) == tries
    message = str(caught.value)
    assert f"GET {url}/voice_campaign/{DEFAULT_CAMPAIGN}/request?" in message
    # Right after the request, as a status's error says it.
    assert f"?limit=1000&offset=0, still after {tries} tries" in message
    assert what in message


def test_tried_once_says_nothing_of_tries() -> None:
    with Hostile(long_length) as server:
        client = Client(server.url, "k-123", **{**FAST, "max_retries": 0})
        with client, pytest.raises(TransportError) as caught:
            list(client.voice_campaign_requests(DEFAULT_CAMPAIGN))
        assert len(server.requests) == 1
    assert "tries" not in str(caught.value)


def test_a_budget_that_stops_the_retries_says_so() -> None:
    with Hostile(long_length) as server:
        options = {**FAST, "max_retries": 50, "backoff_factor": 0.2, "retry_budget": 0.5}
        with Client(server.url, "k-123", **options) as client:
            t0 = time.monotonic()
            with pytest.raises(TransportError) as caught:
                list(client.voice_campaign_requests(DEFAULT_CAMPAIGN))
            assert time.monotonic() - t0 < 30  # bounded: the budget stopped it
        tries = len(server.requests)
    assert 1 < tries < 51
    assert f", still after {tries} tries (the retry budget is spent; not retried further)" in (
        str(caught.value)
    )


def test_the_command_line_says_it_too(tmp_path: Any) -> None:
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    with Hostile(long_length) as server:
        env = {"CONPEEK_URL": server.url, "CONPEEK_KEY": "k-123",
               "CQLANG_CONFIG": str(tmp_path / "none.toml")}  # fmt: skip
        result = CliRunner().invoke(
            main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--retries", "2", "--count"], env=env
        )
    assert result.exit_code == 3
    assert ", still after 3 tries: the response broke off" in result.stderr
