"""What the client says when a server misbehaves: in words, never a Python
or urllib3 class name, a float with an exponent, or "cut short" for a body
that is whole. Over real HTTP on loopback (tests/hostile.py, the
emulator), with the wording helpers' own properties besides."""

from __future__ import annotations

import email.utils
import gzip
import json
import logging
import re
import socket
import time
from typing import Any

import pytest
from hostile import Hostile, Request, answer
from hypothesis import given
from hypothesis import strategies as st

from cqlang.client import (
    ApiError,
    AuthError,
    Client,
    Connection,
    ResponseFormatError,
    ServerError,
    TransportError,
)
from cqlang.client.words import duration, json_problem
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator

CAMPAIGN = DEFAULT_CAMPAIGN
FAST: dict[str, Any] = {"backoff_factor": 0.01, "backoff_jitter": 0.01, "retry_budget": 5.0}
#: What a class name or a float's exponent looks like in a message.
PYTHONIC = re.compile(r"\b[A-Z][a-z]+[A-Z]\w*(?:Error|Exception)?:|\d[eE][+-]\d|HTTPException")


def failure(url: str, **kw: Any) -> ApiError:
    with Client(url, "SECRET-KEY-1234", **{**FAST, **kw}) as c, pytest.raises(ApiError) as info:
        list(c.voice_campaign_requests(CAMPAIGN, limit=3))
    return info.value


def raw(data: bytes) -> Any:
    """A handler that sends ``data`` and closes."""

    def handler(conn: socket.socket, req: Request) -> bool:
        conn.sendall(data)
        conn.shutdown(socket.SHUT_RDWR)
        return False

    return handler


# ------------------------------------------------------------ Retry-After


@pytest.mark.parametrize(
    ("ahead", "words"),
    [
        (3600 + 5 * 60 + 20, "1 h 5 min"),
        (2 * 60 + 20, r"2 min \d+ s"),  # an HTTP date is to the second: some seconds
        (86_400 * 3 + 20, "3 days"),
        (2_299_710_000, "about 73 years"),
    ],
)
def test_a_retry_after_date_is_a_delay_in_words(ahead: float, words: str) -> None:
    when = email.utils.formatdate(time.time() + ahead, usegmt=True)
    with Hostile(answer(503, b"busy", headers={"Retry-After": when})) as server:
        err = failure(server.url)
    assert isinstance(err, ServerError) and len(server.requests) == 1
    message = str(err)
    said = rf"\(the server asked to retry after {words}, more than the retry budget left\)"
    assert re.search(said, message), message
    assert not PYTHONIC.search(message)


def test_a_retry_after_date_in_the_past_is_now() -> None:
    past = email.utils.formatdate(time.time() - 3600, usegmt=True)
    with Hostile(answer(429, b"{}", headers={"Retry-After": past})) as server:
        err = failure(server.url, max_retries=2)
    assert len(server.requests) == 3 and "still after 3 tries" in str(err)


def test_a_retry_after_date_within_the_budget_waits_at_most_retry_after_max(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A date some seconds ahead, within the budget: waited for, but no
    longer than the client's retry_after_max; the wait said in words."""
    soon = email.utils.formatdate(time.time() + 5, usegmt=True)
    with (
        Hostile(answer(503, b"busy", headers={"Retry-After": soon})) as server,
        caplog.at_level(logging.INFO, logger="cqlang.client"),
    ):
        err = failure(server.url, max_retries=1, retry_budget=20, retry_after_max=0.25)
    assert isinstance(err, ServerError) and len(server.requests) == 2
    waits = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying ")]
    assert len(waits) == 1 and waits[0].endswith(" in 0.25 s after status 503"), waits


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_duration_is_words_never_an_exponent(seconds: float) -> None:
    said = duration(seconds)
    assert "e+" not in said and "e-" not in said and "inf" not in said and "nan" not in said
    assert said == "a very long time" or re.fullmatch(
        r"(about [\d,]+ years|[\d,]+ days?( \d+ h)?|\d+ h( \d+ min)?|\d+ min( \d+ s)?|[\d.]+ s)",
        said,
    ), said


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(0, "0 s"), (0.25, "0.25 s"), (31.4, "31 s"), (125, "2 min 5 s"), (3900, "1 h 5 min")],
)
def test_durations(seconds: float, words: str) -> None:
    assert duration(seconds) == words


# --------------------------------------------------- broken answers, worded


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (
            b"HTTP/1.1 200 OK\r\n" + b"X-Many: y\r\n" * 101 + b"\r\n",
            "the server sent more than 100 headers",
        ),
        (
            b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",
            "a header line longer than 64 KiB",
        ),
        (b"HTTP/1.1 " + b"2" * 70_000 + b"\r\n\r\n", "a status line longer than 64 KiB"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"a" * 70_000 + b"\r\n",
            "a chunk size line longer than 64 KiB",
        ),
        (b"HTTP/9.9 200 OK\r\n\r\n{}", "an answer in an unknown protocol (HTTP/9.9)"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            "Content-Length headers that disagree (2, 3)",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nabcd",
            "the compressed body is corrupt: incorrect header check",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
            "the response broke off: a malformed chunk of the body",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX: "
            + b"a" * 70_000
            + b"\r\n\r\n",
            "a trailer line longer than 64 KiB",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: 4\r\n\r\nabcd",
            "the compressed body is corrupt: incomplete or truncated stream",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 12\r\n\r\n"
            + gzip.compress(b'{"data": []}')[:12],
            "the compressed body is corrupt: incomplete or truncated stream",
        ),
        (
            b"HTTP/1.1 302 Found\r\nLocation: http://[::1\r\nContent-Length: 0\r\n\r\n",
            "the answer could not be read: invalid IPv6 URL",
        ),
    ],
    ids=[
        "headers",
        "header-line",
        "status-line",
        "chunk-size",
        "protocol",
        "length",
        "gzip",
        "chunk",
        "trailer",
        "deflate-cut",
        "gzip-cut",
        "location",
    ],
)
def test_a_broken_answer_is_said_in_words(data: bytes, words: str) -> None:
    with Hostile(raw(data)) as server:
        err = failure(server.url, max_retries=1)
    assert isinstance(err, TransportError)
    assert words in str(err), str(err)
    assert not PYTHONIC.search(str(err)), str(err)
    assert "LineTooLong" not in str(err) and "HTTPException" not in str(err)


# ------------------------------------------------- JSON, whole or cut short


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"data": [}', "not valid JSON: a value expected at line 1, column 11"),
        (b'{"data": []}{"data": []}', "not valid JSON: more text after the JSON value at line 1"),
        (b'{"data": [1,,2]}', "not valid JSON: a value expected at line 1, column 13"),
        (b'{"data": ["a\x01"]}', "not valid JSON: a control character inside a string"),
        (b'{"data": ["\x85"]}', "a byte that is not UTF-8 (0x85) at byte 12"),
        (b'{"data": ["\\u12zz"]}', "not valid JSON: an invalid \\u escape"),
        (b"<html>sign in</html>", "a body that is not JSON (application/json)"),
        (b"", "an empty body"),
    ],
)
def test_a_whole_body_that_is_not_json_is_not_called_cut_short(body: bytes, words: str) -> None:
    with Hostile(answer(200, body)) as server:
        err = failure(server.url)
    assert isinstance(err, ResponseFormatError)
    assert words in str(err) and "cut short" not in str(err), str(err)
    assert len(server.requests) == 2  # not the envelope: retried once, as before


CUT = [b'{"data": [{"id": "a"}, ', b'{"data": [{"id": "a\\u00', b'{"data": [tr', b'{"data": [1.']


@pytest.mark.parametrize("body", CUT)
def test_a_body_cut_short_is_said_so_and_retried(body: bytes) -> None:
    with Hostile(answer(200, body)) as server:
        err = failure(server.url, max_retries=2)
    assert isinstance(err, ResponseFormatError)
    assert "a JSON body cut short" in str(err)
    assert len(server.requests) == 3  # retried like a body that broke off


def json_values() -> st.SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text()
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=12,
    )


@given(json_values(), st.booleans(), st.data())
def test_every_prefix_of_json_is_cut_short(
    value: Any, ascii_only: bool, data: st.DataObject
) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only).encode()
    cut = data.draw(st.integers(1, max(1, len(text) - 1)))
    prefix = text[:cut]
    try:
        json.loads(prefix)
    except ValueError as exc:
        assert json_problem(prefix, exc, "application/json") is None, (prefix, exc)


@given(json_values(), st.data())
def test_json_with_a_wrong_character_inside_is_not_cut_short(
    value: Any, data: st.DataObject
) -> None:
    text = json.dumps({"data": [value]})
    at = data.draw(st.integers(1, len(text) - 2))
    bad = text[:at] + data.draw(st.sampled_from(["}", "]", ",,", "::"])) + text[at:]
    try:
        json.loads(bad)
    except ValueError as exc:
        # The rest of the text follows the mistake: it is no start of JSON.
        problem = json_problem(bad.encode(), exc, "application/json")
        assert problem is not None and problem.startswith("a body that is not valid JSON: ")


# ------------------------------------------------------ where the key is from


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_names_where_it_came_from(emulator: Emulator, status: int) -> None:
    conn = Connection(emulator.url, "wrong-key", api_key_source="team.toml:4 [connection]")
    with Client(conn, **FAST) as c, pytest.raises(AuthError) as info:
        list(c.voice_campaign_requests(CAMPAIGN))
    assert "the API key from team.toml:4 [connection] was refused" in str(info.value)
    assert "CONPEEK_KEY" not in str(info.value) and "wrong-key" not in str(info.value)
    with Hostile(answer(status, b'{"error": "no"}')) as server:
        err = failure(server.url)
    assert "the API key from the api_key argument was refused" in str(err)


def test_the_environment_key_is_named_when_refused(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONPEEK_KEY", "wrong-key")
    with Client(emulator.url, **FAST) as c, pytest.raises(AuthError) as info:
        list(c.voice_campaign_requests(CAMPAIGN))
    assert "the API key from $CONPEEK_KEY was refused" in str(info.value)
