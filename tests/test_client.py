"""The client against the emulator, over real HTTP on loopback.

The oracle is the evaluator: for each query, the records fetched must be
exactly the records of the whole dataset that ``compile_matcher`` of the
checked query says match, with no duplicates.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests

import cqlang
from cqlang.checker import check_text
from cqlang.client import (
    ApiError,
    AuthError,
    BadRequestError,
    Client,
    ConfigurationError,
    NotFoundError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
    TransportError,
)
from cqlang.emulator import DEFAULT_CAMPAIGN, REFERENCE_DATE, Emulator
from cqlang.encoding import encode_json
from cqlang.env import Env
from cqlang.evaluator import compile_matcher
from cqlang.planner import Plan

CAMPAIGN = DEFAULT_CAMPAIGN
NOW = REFERENCE_DATE.replace(tzinfo=None)
#: Small retry settings keep the fault tests fast.
FAST: dict[str, Any] = {"backoff_factor": 0.01, "backoff_jitter": 0.01, "retry_budget": 5.0}


def client_for(emu: Emulator, key: str = "demo-key", **kw: Any) -> Client:
    return Client(emu.url, key, **{**FAST, **kw})


def expected(
    emu: Emulator, query: str, *, now: datetime = NOW, tz: str | None = None, **kw: Any
) -> list[dict[str, Any]]:
    checked = check_text(query, Env(now=now, tz=tz, **kw))
    assert checked.ir is not None, checked.diagnostics
    match = compile_matcher(checked.ir)
    return [r for r in emu.records() if match(r)]


def ids(records: list[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in records]


@pytest.fixture(scope="module")
def shared() -> Iterator[Emulator]:
    with Emulator(records=1500, seed=11) as emu:
        yield emu


@pytest.fixture(scope="module")
def client(shared: Emulator) -> Iterator[Client]:
    with client_for(shared) as c:
        yield c


QUERIES = [
    "",
    "state = OPEN",
    'state in (OPEN, CLOSED) and priority >= 3 and custom.region = "PL"',
    "application_state = RETRY and contact_try < 5",
    "created_date >= today - 7d and state != CLOSED",
    "not (priority between 1 and 3) or custom[\"lead source\"] = 'web'",
    "created_date = 2026-10-15 or closed_date = 2026-10-16",
    "state = OPEN or priority > 50 or custom.region = DE",
    "close_reason is null and priority > 5",
    "assigned_tenant_user_id is not null and tenant_user_id in (12, 14, 20)",
    "dialing_method != PREVIEW and custom.segment = 'B2B & partners'",
    "custom[\"lead source\"] in ('ads+search', 'fair #2026') or custom.city = 'Łódź'",
    "custom.score = 50 or custom.customer = 'Łukasz Wójcik'",
    "process_not_before > now and closed_date is null",
    "created_date between 2026-09-01 and 2026-09-30 and not (state = OPEN)",
    "priority != 100 and priority != 0",
]


@pytest.mark.parametrize("query", QUERIES)
def test_fetch_equals_the_evaluator(shared: Emulator, client: Client, query: str) -> None:
    want = expected(shared, query)
    got = list(client.voice_campaign_requests(CAMPAIGN, query, now=NOW, page_size=250))
    assert sorted(ids(got)) == sorted(ids(want))
    assert len(set(ids(got))) == len(got)
    if len(cqlang.plan(query, now=NOW).branches) == 1:
        assert got == want  # one request: the server's order


@pytest.mark.parametrize("page_size", [1, 7, 1000, 50_000])
def test_page_sizes(shared: Emulator, client: Client, page_size: int) -> None:
    query = "priority >= 50" if page_size == 1 else ""
    want = expected(shared, query)
    got = list(client.voice_campaign_requests(CAMPAIGN, query, page_size=page_size))
    assert got == want


def test_page_size_is_clamped(emulator: Emulator) -> None:
    with client_for(emulator) as c:
        assert len(list(c.voice_campaign_requests(CAMPAIGN, page_size=123_456))) == 300
    assert "limit=10000&" in emulator.log[0].target


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        ("", 10),
        ("", 0),
        ("state = OPEN", 260),
        ("state = OPEN or priority > 50", 300),
        ("dialing_method != PREVIEW", 5),
        ("", 5000),
    ],
)
def test_limit(shared: Emulator, client: Client, query: str, limit: int) -> None:
    want = expected(shared, query)
    got = list(client.voice_campaign_requests(CAMPAIGN, query, limit=limit, page_size=100))
    assert len(got) == min(limit, len(want))
    assert set(ids(got)) <= set(ids(want))
    if len(cqlang.plan(query).branches) == 1:
        assert got == want[:limit]


def test_limit_stops_paging(emulator: Emulator) -> None:
    with client_for(emulator) as c:
        got = list(c.voice_campaign_requests(CAMPAIGN, limit=10))
    assert len(got) == 10
    assert [e.target.split("?")[1] for e in emulator.log] == ["limit=10&offset=0"]
    emulator_records = emulator.records()
    with client_for(emulator) as c:
        it = c.voice_campaign_requests(CAMPAIGN, limit=120, page_size=100)
        assert list(it) == emulator_records[:120]
    assert [e.target.split("?")[1] for e in emulator.log[1:]] == [
        "limit=100&offset=0",
        "limit=22&offset=98",
    ]


def test_what_is_sent(emulator: Emulator) -> None:
    query = 'custom["lead source"] = "ads+search" and custom.city = "Łódź"'
    plan = cqlang.plan(query)
    with client_for(emulator) as c:
        list(c.voice_campaign_requests(CAMPAIGN, query, exclude=["history", "dialogs"]))
    target = emulator.log[0].target
    assert target == (
        f"/voice_campaign/{CAMPAIGN}/request?limit=1000&offset=0"
        f"&filter={encode_json(plan.branches[0])}&exclude=%5B%22history%22%2C%22dialogs%22%5D"
    )
    assert "%2B" in target and "+" not in target


def test_exclude(shared: Emulator, client: Client) -> None:
    got = list(client.voice_campaign_requests(CAMPAIGN, "priority = 100", exclude=["history"]))
    assert got and all("history" not in r and "dialogs" in r for r in got)


def test_a_query_that_never_matches_sends_nothing(emulator: Emulator) -> None:
    with client_for(emulator) as c:
        assert list(c.voice_campaign_requests(CAMPAIGN, "state = OPEN and state = CLOSED")) == []
    assert emulator.request_count == 0


def test_a_bad_query_raises_before_any_request(emulator: Emulator) -> None:
    with client_for(emulator) as c, pytest.raises(cqlang.CqlError) as info:
        c.voice_campaign_requests(CAMPAIGN, "prioirty > 3")
    assert not isinstance(info.value, ApiError)
    assert "did you mean 'priority'" in str(info.value)
    assert emulator.request_count == 0


def test_a_precomputed_plan(shared: Emulator, client: Client) -> None:
    plan = cqlang.plan("state = OPEN or priority > 50")
    got = list(client.voice_campaign_requests(CAMPAIGN, plan=plan))
    assert sorted(ids(got)) == sorted(ids(expected(shared, "state = OPEN or priority > 50")))


def test_params_and_tz(shared: Emulator, client: Client) -> None:
    query = "priority >= $p and created_date >= 2026-10-20"
    got = list(
        client.voice_campaign_requests(CAMPAIGN, query, params={"p": 10}, tz="Europe/Warsaw")
    )
    want = expected(shared, query, params={"p": 10}, tz="Europe/Warsaw")
    assert got == want and got


def test_defaults_from_the_environment(shared: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONPEEK_URL", shared.url + "/")
    monkeypatch.setenv("CONPEEK_KEY", "demo-key")
    with Client() as c:
        assert len(list(c.voice_campaign_requests(CAMPAIGN, limit=3))) == 3
    monkeypatch.delenv("CONPEEK_KEY")
    with pytest.raises(ConfigurationError, match="CONPEEK_KEY"):
        Client()
    monkeypatch.delenv("CONPEEK_URL")
    with pytest.raises(ConfigurationError, match="CONPEEK_URL"):
        Client(api_key="k")
    with pytest.raises(ConfigurationError):
        Client("ftp://example", "k")


def test_your_own_session(shared: Emulator) -> None:
    with requests.Session() as s:
        c = Client(shared.url, "demo-key", session=s, **FAST)
        assert len(list(c.voice_campaign_requests(CAMPAIGN, limit=5))) == 5
        c.close()  # not ours to close: the session still works
        assert s.get(shared.url + "/x").status_code == 403


def test_each_request_is_logged(shared: Emulator, client: Client, caplog: Any) -> None:
    with caplog.at_level(logging.DEBUG, logger="cqlang.client"):
        list(client.voice_campaign_requests(CAMPAIGN, "state = OPEN", limit=3))
    (line,) = [r.getMessage() for r in caplog.records if r.name == "cqlang.client"]
    assert line.startswith(f"GET {shared.url}/voice_campaign/{CAMPAIGN}/request?limit=3")
    assert " -> 200 (" in line and "3 records" in line


def test_on_request_callback(shared: Emulator) -> None:
    seen: list[tuple[str, int, float, int]] = []
    with client_for(shared, on_request=lambda *a: seen.append(a)) as c:
        list(c.voice_campaign_requests(CAMPAIGN, limit=5))
    assert len(seen) == 1 and seen[0][1] == 200 and seen[0][3] == 5


# ----------------------------------------------------------- typed errors


def test_wrong_key_is_an_auth_error_at_once(emulator: Emulator) -> None:
    with client_for(emulator, key="not-the-key") as c, pytest.raises(AuthError) as info:
        list(c.voice_campaign_requests(CAMPAIGN))
    err = info.value
    assert err.status == 403 and emulator.request_count == 1
    assert "403" in str(err) and emulator.url in str(err) and "Nie można" in str(err)
    assert isinstance(err, cqlang.CqlError)


def test_unknown_campaign_is_not_found(emulator: Emulator) -> None:
    with client_for(emulator) as c, pytest.raises(NotFoundError) as info:
        list(c.voice_campaign_requests("f" * 24))
    assert info.value.status == 404 and "404" in str(info.value)
    assert emulator.request_count == 1


def test_bad_request_quotes_the_server(emulator: Emulator) -> None:
    bad = Plan([[{"property": "nope", "value": 1}]])
    with client_for(emulator) as c, pytest.raises(BadRequestError) as info:
        list(c.voice_campaign_requests(CAMPAIGN, plan=bad))
    assert "unknown property 'nope'" in str(info.value)
    assert emulator.request_count == 1


def test_refused_connection_is_a_transport_error(emulator_factory: Any) -> None:
    emu = emulator_factory(records=1)
    url = emu.url
    emu.stop()
    t0 = time.monotonic()
    with Client(url, "demo-key", **FAST) as c, pytest.raises(TransportError) as info:
        list(c.voice_campaign_requests(CAMPAIGN))
    assert time.monotonic() - t0 < 5
    assert "refused" in str(info.value).lower() and url in str(info.value)


# ----------------------------------------------------------------- faults

RECOVERABLE = [
    ["500=2"],
    ["502=2@2"],
    ["503=2@3", "retry-after=0"],
    ["504=1@2"],
    ["429=3@2", "retry-after=0"],
    ["reset=2@2"],
    ["drop=2@2"],
    ["truncate=2@3"],
    ["html=1@2"],
    ["envelope=1@2"],
    ["latency=0.02", "500=1@2", "drop=1@4", "429=1@6", "truncate=1@8", "retry-after=0"],
    ["500=15%", "drop=10%", "reset=10%", "truncate=10%", "retry-after=0"],
]


@pytest.mark.parametrize("faults", RECOVERABLE, ids=lambda f: ",".join(f))
def test_recovers_from_faults(emulator_factory: Any, faults: list[str]) -> None:
    emu = emulator_factory(records=700, seed=3, faults=faults)
    query = "state = OPEN or priority > 50"
    want = expected(emu, query)
    with client_for(emu, max_retries=8) as c:
        got = list(c.voice_campaign_requests(CAMPAIGN, query, page_size=60))
    assert sorted(ids(got)) == sorted(ids(want))
    assert len(set(ids(got))) == len(got)
    assert any(e.fault for e in emu.log)


@pytest.mark.parametrize(
    ("faults", "error", "requests_made"),
    [
        (["500=100%"], ServerError, 4),
        (["503=100%", "retry-after=0"], ServerError, 4),
        (["429=100%", "retry-after=0"], RateLimitError, 4),
        (["reset=100%"], TransportError, 4),
        (["drop=100%"], TransportError, 4),
        (["truncate=100%"], ResponseFormatError, 4),
        (["html=2"], ResponseFormatError, 2),
        (["envelope=100%"], ResponseFormatError, 2),
    ],
)
def test_gives_up_with_a_typed_error(
    emulator_factory: Any, faults: list[str], error: type[ApiError], requests_made: int
) -> None:
    emu = emulator_factory(records=50, faults=faults)
    with client_for(emu, max_retries=3) as c, pytest.raises(error) as info:
        list(c.voice_campaign_requests(CAMPAIGN))
    assert emu.request_count == requests_made
    assert emu.url in str(info.value)
    # Every error of a retried request says how many tries it made (a body
    # cut short and a dropped connection too, not only a status).
    assert f", still after {requests_made} tries" in str(info.value)


def test_timeouts(emulator_factory: Any) -> None:
    emu = emulator_factory(records=5, faults=["latency=1"])
    t0 = time.monotonic()
    with client_for(emu, timeout=(1, 0.1), max_retries=2) as c, pytest.raises(TransportError) as e:
        list(c.voice_campaign_requests(CAMPAIGN))
    assert time.monotonic() - t0 < 2
    assert "timed out" in str(e.value)


def test_the_retry_budget_bounds_the_time(emulator_factory: Any, caplog: Any) -> None:
    emu = emulator_factory(records=5, faults=["500=100%"])
    with (
        caplog.at_level(logging.INFO, logger="cqlang.client"),
        Client(
            emu.url,
            "demo-key",
            max_retries=1000,
            backoff_factor=0.05,
            backoff_max=0.2,
            retry_budget=1.0,
        ) as c,
        pytest.raises(ServerError),
    ):
        list(c.voice_campaign_requests(CAMPAIGN))
    # The waits the client planned, not the seconds a busy machine took.
    said = [r.getMessage() for r in caplog.records if r.name == "cqlang.client"]
    waits = [m for m in said if m.startswith("retrying")]
    assert said[-1].endswith("retry budget spent")
    assert len(waits) == emu.request_count - 1 > 3


def test_retry_after_beyond_the_budget_gives_up_at_once(emulator_factory: Any, caplog: Any) -> None:
    emu = emulator_factory(records=5, faults=["429=1", "retry-after=20"])
    with (
        caplog.at_level(logging.INFO, logger="cqlang.client"),
        client_for(emu, retry_budget=2) as c,
        pytest.raises(RateLimitError) as info,
    ):
        list(c.voice_campaign_requests(CAMPAIGN))
    said = [r.getMessage() for r in caplog.records if r.name == "cqlang.client"]
    assert not any(m.startswith("retrying") for m in said)  # no wait at all
    assert any("asked to retry after 20 s" in m for m in said)
    assert info.value.status == 429 and emu.request_count == 1


def test_retry_after_is_honoured_up_to_a_cap(emulator_factory: Any, caplog: Any) -> None:
    emu = emulator_factory(records=5, faults=["429=1", "retry-after=1"])

    def waits() -> list[str]:
        said = [r.getMessage() for r in caplog.records if r.name == "cqlang.client"]
        caplog.clear()
        return [m.split(" in ", 1)[1].split(" after ")[0] for m in said if m.startswith("retrying")]

    with caplog.at_level(logging.INFO, logger="cqlang.client"):
        with client_for(emu) as c:
            assert len(list(c.voice_campaign_requests(CAMPAIGN))) == 5
        assert waits() == ["1 s"]  # what the server asked
        # Within the budget (5 s) but past the cap: the cap is waited, not more.
        emu.inject("429=1", "retry-after=3")
        with client_for(emu, retry_after_max=0.2) as c:
            assert len(list(c.voice_campaign_requests(CAMPAIGN))) == 5
        assert waits() == ["0.2 s"]


# ---------------------------------------------------------------- secrets

MARKER = "KEY-MARKER-7f3a9c1e5b"


def secret_free(exc: BaseException) -> None:
    """The marker is nowhere in the exception, its chain, or its traceback."""
    text = "".join(traceback.format_exception(exc))
    assert MARKER not in text
    cur: BaseException | None = exc
    while cur is not None:
        assert MARKER not in str(cur) and MARKER not in repr(cur)
        for value in vars(cur).values():
            assert MARKER not in repr(value)
        cur = cur.__cause__ or cur.__context__


@pytest.mark.parametrize(
    "faults",
    [
        [],
        ["500=100%"],
        ["drop=100%"],
        ["truncate=100%"],
        ["html=100%"],
        ["reset=100%"],
        ["429=100%", "retry-after=0"],
        ["503=100%", "retry-after=0"],
        ["envelope=100%"],
        ["404=100%"],
        ["429=1", "retry-after=3600"],
        ["too-large"],
    ],
)
def test_the_key_appears_nowhere(emulator_factory: Any, caplog: Any, faults: list[str]) -> None:
    # The echoing server of test_client_hostile.py checks the key's other forms.
    big = faults == ["too-large"]
    if big:
        faults = []
    emu = emulator_factory(
        records=1200 if big else 5, api_key=MARKER if faults or big else "other", faults=faults
    )
    c = client_for(emu, key=MARKER, max_retries=2, max_record_size=1 if big else 65536)
    assert MARKER not in repr(c) and MARKER not in str(vars(c))
    with caplog.at_level(logging.DEBUG), pytest.raises(ApiError) as info:
        list(c.voice_campaign_requests(CAMPAIGN))
    c.close()
    secret_free(info.value)
    assert MARKER not in caplog.text
    assert caplog.text  # something was logged


def test_a_timeout_leaks_no_key(emulator_factory: Any, caplog: Any) -> None:
    emu = emulator_factory(records=5, api_key=MARKER, faults=["latency=1"])
    c = client_for(emu, key=MARKER, timeout=(1, 0.1), max_retries=1)
    with caplog.at_level(logging.DEBUG), pytest.raises(TransportError) as info:
        list(c.voice_campaign_requests(CAMPAIGN))
    c.close()
    secret_free(info.value)
    assert MARKER not in caplog.text


def test_credentials_in_the_base_url_are_never_shown(emulator: Emulator, caplog: Any) -> None:
    host = emulator.url.split("//", 1)[1]
    url = f"http://someone:{MARKER}@{host}"
    with caplog.at_level(logging.DEBUG), Client(url, "wrong-key", **FAST) as c:
        assert MARKER not in repr(c) and MARKER not in str(vars(c))
        with pytest.raises(AuthError) as info:
            list(c.voice_campaign_requests(CAMPAIGN))
    secret_free(info.value)
    assert MARKER not in caplog.text and "someone" not in str(info.value)
    assert info.value.url.startswith(f"http://{host}/")


def test_bad_arguments(shared: Emulator, client: Client) -> None:
    with pytest.raises(ValueError, match="exclude cannot hold id"):
        client.voice_campaign_requests(CAMPAIGN, exclude=["history", "id"])
    with pytest.raises(TypeError):
        client.voice_campaign_requests(CAMPAIGN, exclude=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        client.voice_campaign_requests(CAMPAIGN, page_size=0)
    with pytest.raises(ValueError):
        client.voice_campaign_requests(CAMPAIGN, limit=-1)
    with pytest.raises(ValueError):
        client.voice_campaign_requests("")


def test_a_malformed_retry_after_falls_back_to_the_backoff() -> None:
    from urllib3.response import HTTPResponse

    from cqlang.client.transport import BudgetRetry

    retry = BudgetRetry(total=3, status_forcelist={429}, backoff_factor=0.01, budget=5)
    resp = HTTPResponse(body=b"", headers={"Retry-After": "soon"}, status=429)
    new = retry.increment("GET", "/x", response=resp)
    assert new.planned == 0.0  # the first retry's backoff
    resp = HTTPResponse(body=b"", headers={"Retry-After": "3"}, status=429)
    assert retry.increment("GET", "/x", response=resp).planned == 3


def test_a_request_that_cannot_even_be_made_is_a_transport_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # requests checks the CA bundle before connecting, raising a bare OSError.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca.pem")
    client = cqlang.Client("https://127.0.0.1:1", "key-123456", max_retries=0)
    with pytest.raises(cqlang.TransportError, match="REQUESTS_CA_BUNDLE names a CA bundle"):
        list(client.voice_campaign_requests("c1", plan=cqlang.plan("state = OPEN")))


def test_a_password_in_the_base_url_is_dropped_and_retries_still_apply(
    emulator_factory: Any, caplog: Any
) -> None:
    # The retrying adapter is mounted on the URL the requests really use.
    emu = emulator_factory(records=50, faults=["500=2"])
    base = emu.url.replace("http://", "http://me:s3cret-pw@")
    with (
        caplog.at_level(logging.DEBUG, logger="cqlang.client"),
        Client(base, "demo-key", **FAST) as c,
    ):
        assert c.base_url == emu.url
        got = list(c.voice_campaign_requests(CAMPAIGN, "state = OPEN"))
    assert [r["id"] for r in got] == [r["id"] for r in expected(emu, "state = OPEN")]
    assert "s3cret-pw" not in caplog.text
