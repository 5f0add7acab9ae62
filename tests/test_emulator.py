"""The emulator: its data, its HTTP behaviour and its faults, over real HTTP."""

from __future__ import annotations

import http.client
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from cqlang.emulator import (
    DEFAULT_CAMPAIGN,
    REFERENCE_DATE,
    Emulator,
    Fault,
    FaultSpecError,
    generate_records,
    load_records,
    parse_fault,
)
from cqlang.encoding import encode_json
from cqlang.filterlists import compile_filters

KEY = "demo-key"
CAMPAIGN = DEFAULT_CAMPAIGN
DT = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


@pytest.fixture(scope="module")
def shared() -> Iterator[Emulator]:
    with Emulator(records=600, seed=7, campaigns=(CAMPAIGN, "aaaaaaaaaaaaaaaaaaaaaaaa")) as emu:
        yield emu


@pytest.fixture(scope="module")
def web() -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.headers["Authorization"] = KEY
        yield s


def page_url(emu: Emulator, campaign: str = CAMPAIGN, **params: Any) -> str:
    url = f"{emu.url}/voice_campaign/{campaign}/request"
    parts = []
    for name, value in params.items():
        text = value if isinstance(value, str | int) else encode_json(value)
        parts.append(f"{name}={text}")
    return url + ("?" + "&".join(parts) if parts else "")


# ------------------------------------------------------------------- data


def test_records_are_deterministic_and_seeded() -> None:
    a = generate_records(50, seed=3)
    assert a == generate_records(50, seed=3)
    assert a != generate_records(50, seed=4)
    assert a != generate_records(50, seed=3, campaign="b" * 24)


def test_records_look_like_the_api() -> None:
    recs = generate_records(2000, seed=1)
    ids = [r["id"] for r in recs]
    assert len(set(ids)) == len(ids)
    ref = REFERENCE_DATE.strftime("%Y-%m-%d %H:%M:%S")
    window_start = "2026-08-03 00:00:00"  # 90 days before the reference date
    lacking: set[str] = set()
    for r in recs:
        assert re.fullmatch(r"[0-9a-f]{24}", r["id"])
        assert re.fullmatch(r"SPRAWA #\d{7}", r["name"])
        assert re.fullmatch(r"48\d{9}", r["contact_number"])
        assert re.fullmatch(r"48\d{9}", r["current_contact_number"])
        assert r["state"] in ("OPEN", "PROCESSING", "CLOSED")
        assert r["application_state"] in ("NEW", "RECALL", "RETRY", "CLOSED")
        assert r["dialing_method"] in ("PREVIEW", "PREDICTIVE", "PROGRESSIVE")
        for f in ("priority", "consultant_try", "contact_try", "user_reservation_try"):
            assert type(r[f]) is int
        for f in ("tenant_user_id", "assigned_tenant_user_id"):
            assert r[f] is None or type(r[f]) is int
        assert DT.match(r["created_date"]) and DT.match(r["process_not_before"])
        assert window_start <= r["created_date"] < ref
        if r["state"] == "CLOSED":
            assert DT.match(r["closed_date"]) and r["closed_date"] >= r["created_date"]
            assert isinstance(r["close_reason"], str)
            assert r["application_state"] == "CLOSED"
        else:
            assert r["closed_date"] is None and r["close_reason"] is None
        assert r["voice_campaign_id"] == CAMPAIGN
        custom = json.loads(r["custom"])
        assert isinstance(r["custom"], str) and isinstance(custom, dict)
        lacking |= {"region", "segment", "lead source", "score", "city"} - set(custom)
        for f in ("history", "call_history", "dialogs"):
            assert isinstance(r[f], list)
    assert lacking == {"region", "segment", "lead source", "score", "city"}
    assert [r["created_date"] for r in recs] == sorted(r["created_date"] for r in recs)
    assert any("Łódź" in r["custom"] for r in recs)
    assert any(r["call_state_reason"] is None for r in recs)
    assert any(r["call_state_reason"] is not None for r in recs)
    assert {r["state"] for r in recs} == {"OPEN", "PROCESSING", "CLOSED"}


def test_a_window_past_the_calendar_is_a_usage_error() -> None:
    from click.testing import CliRunner

    from cqlang.cli import main

    result = CliRunner().invoke(main, ["emulator", "--window-days", "1e300"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_window_days_spreads_the_records() -> None:
    recs = generate_records(200, seed=1, window_days=2)
    assert all(r["created_date"] >= "2026-10-30 00:00:00" for r in recs)


def test_load_records_json_and_jsonl(tmp_path: Any) -> None:
    recs = generate_records(5, seed=1)
    (tmp_path / "a.json").write_text(json.dumps(recs), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"data": recs}), encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8"
    )
    for name in ("a.json", "b.json", "c.jsonl"):
        assert load_records(tmp_path / name) == recs
    (tmp_path / "bad.jsonl").write_text('{"id": "x"}\n[1]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:2"):
        load_records(tmp_path / "bad.jsonl")


def test_serves_records_from_a_file(tmp_path: Any, web: requests.Session) -> None:
    recs = generate_records(7, seed=2)
    recs[0] = dict(recs[0], voice_campaign_id="c" * 24)
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in recs), encoding="utf-8")
    with Emulator(data=path) as emu:
        assert emu.records() == recs[1:]
        assert emu.records("c" * 24) == recs[:1]
        got = web.get(page_url(emu, "c" * 24)).json()["data"]
        assert got == recs[:1]


# --------------------------------------------------------------- the API


def test_pages_follow_limit_and_offset(shared: Emulator, web: requests.Session) -> None:
    everything = shared.records()
    got: list[dict[str, Any]] = []
    offset = 0
    for _ in range(100):
        page = web.get(page_url(shared, limit=77, offset=offset)).json()["data"]
        got.extend(page)
        offset += 77
        if len(page) < 77:
            break
    assert got == everything
    assert len(web.get(page_url(shared)).json()["data"]) == 600
    assert web.get(page_url(shared, offset=10_000)).json() == {"data": []}


def test_default_limit_is_1000() -> None:
    with (
        Emulator(records=1005) as emu,
        requests.get(page_url(emu), headers={"Authorization": KEY}) as r,
    ):
        assert len(r.json()["data"]) == 1000


@pytest.mark.parametrize(
    "filters",
    [
        [{"property": "state", "value": ["OPEN", "CLOSED"]}],
        [{"property": "priority", "operator": "gte", "value": 10}],
        [{"property": "custom_fields", "key": "region", "value": "PL"}],
        [{"property": "custom_fields", "key": "lead source", "value": "ads+search"}],
        [{"property": "custom_fields", "key": "segment", "value": "B2B & partners"}],
        [{"property": "custom_fields", "key": "city", "value": "Łódź"}],
        [
            {"property": "created_date", "operator": "gte", "value": "2026-10-01 00:00:00"},
            {"property": "close_reason", "value": ["SUCCESS", "NO_ANSWER"]},
        ],
    ],
)
def test_filters_follow_the_evaluator(
    shared: Emulator, web: requests.Session, filters: list[dict[str, Any]]
) -> None:
    match = compile_filters(filters)
    want = [r for r in shared.records() if match(r)]
    got = web.get(page_url(shared, filter=filters, limit=10_000)).json()["data"]
    assert got == want
    assert want  # the data exercises every filter above


def test_the_api_pages_own_example_is_served(web: requests.Session) -> None:
    """Issue 11, item 15: the request page's example sends contact_number as
    [123123123]; a one-element list or a number for a string-equality
    property means that string, as in the evaluator."""
    recs = generate_records(4, seed=5)
    recs[1] = dict(recs[1], contact_number="123123123")
    recs[2] = dict(recs[2], custom=json.dumps({"region": "7"}))
    with Emulator(data=recs) as emu:
        example = '[{"property": "contact_number", "value": [123123123]}]'
        for query in (quote(example), encode_json(json.loads(example))):
            r = web.get(page_url(emu, filter=query))
            assert r.status_code == 200, r.text
            assert [x["id"] for x in r.json()["data"]] == [recs[1]["id"]]
        number = [{"property": "contact_number", "value": 123123123}]
        assert [x["id"] for x in web.get(page_url(emu, filter=number)).json()["data"]] == [
            recs[1]["id"]
        ]
        custom = [{"property": "custom_fields", "key": "region", "value": [7]}]
        assert [x["id"] for x in web.get(page_url(emu, filter=custom)).json()["data"]] == [
            recs[2]["id"]
        ]
        two = [{"property": "contact_number", "value": ["1", "2"]}]
        r = web.get(page_url(emu, filter=two))
        assert r.status_code == 400 and "takes one value" in r.json()["error"]
        empty_key = [{"property": "custom_fields", "key": "", "value": "x"}]
        r = web.get(page_url(emu, filter=empty_key))
        assert r.status_code == 400 and "key" in r.json()["error"]


def test_exclude_leaves_fields_out(shared: Emulator, web: requests.Session) -> None:
    excl = ["history", "call_history", "dialogs"]
    got = web.get(page_url(shared, exclude=excl, limit=5)).json()["data"]
    full = shared.records()[:5]
    assert got == [{k: v for k, v in r.items() if k not in excl} for r in full]


def test_campaigns_are_separate(shared: Emulator, web: requests.Session) -> None:
    a = web.get(page_url(shared, limit=10_000)).json()["data"]
    b = web.get(page_url(shared, "a" * 24, limit=10_000)).json()["data"]
    assert len(a) == len(b) == 600
    assert not {r["id"] for r in a} & {r["id"] for r in b}
    assert all(r["voice_campaign_id"] == "a" * 24 for r in b)


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "wrong"}, {"Authorization": "Bearer demo-key"}]
)
def test_403_without_the_right_key(shared: Emulator, headers: dict[str, str]) -> None:
    r = requests.get(page_url(shared), headers=headers)
    assert r.status_code == 403
    assert "error" in r.json()


@pytest.mark.parametrize(
    "path", ["/voice_campaign/ffffffffffffffffffffffff/request", "/nothing", "/voice_campaign/x"]
)
def test_404(shared: Emulator, web: requests.Session, path: str) -> None:
    r = web.get(shared.url + path)
    assert r.status_code == 404
    assert r.json()["error"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("filter=%5B", "not JSON"),
        ("filter=" + quote('{"property":"state"}'), "list"),
        ("filter=" + quote('[{"property":"prio","value":3}]'), "unknown property"),
        ("filter=" + quote('[{"property":"priority","operator":"gte","value":"3"}]'), "integer"),
        ("filter=" + quote('[{"property":"created_date","operator":"gt","value":"x"}]'), "gt"),
        ("filter=" + quote('[{"property":"state","value":["SHUT"]}]'), "SHUT"),
        ("limit=10001", "10000"),
        ("limit=-1", "limit"),
        ("offset=abc", "offset"),
        ("exclude=history", "exclude"),
        ("limit=1&limit=2", "more than once"),
    ],
)
def test_400_with_a_json_error(
    shared: Emulator, web: requests.Session, query: str, message: str
) -> None:
    r = web.get(page_url(shared) + "?" + query)
    assert r.status_code == 400
    assert message in r.json()["error"]


def test_strict_refuses_duplicate_objects(emulator_factory: Callable[..., Emulator]) -> None:
    dup = [
        {"property": "priority", "operator": "gte", "value": 1},
        {"property": "priority", "operator": "gte", "value": 5},
    ]
    headers = {"Authorization": KEY}
    strict = emulator_factory(records=50)
    r = requests.get(page_url(strict, filter=dup), headers=headers)
    assert r.status_code == 400 and "priority" in r.json()["error"]
    ok = [dup[0], {"property": "priority", "operator": "lte", "value": 5}]
    assert requests.get(page_url(strict, filter=ok), headers=headers).status_code == 200
    lax = emulator_factory(records=50, strict=False)
    r = requests.get(page_url(lax, filter=dup), headers=headers)
    assert r.status_code == 200
    assert all(x["priority"] >= 5 for x in r.json()["data"])


def test_plus_in_a_query_string_is_a_space(shared: Emulator, web: requests.Session) -> None:
    # A raw '+' decodes to a space, as in any query string: the reason the
    # client sends encodeURIComponent's %2B.
    raw = '[{"property":"custom_fields","key":"lead source","value":"ads+search"}]'
    bad = web.get(page_url(shared) + "?limit=10000&filter=" + quote(raw, safe="+"))
    good = web.get(page_url(shared) + "?limit=10000&filter=" + quote(raw, safe=""))
    assert bad.json()["data"] == [] and good.json()["data"]


def test_methods_other_than_get(shared: Emulator) -> None:
    r = requests.post(page_url(shared), headers={"Authorization": KEY})
    assert r.status_code == 405


def test_request_log(emulator: Emulator, web: requests.Session) -> None:
    web.get(page_url(emulator, limit=3))
    entry = emulator.log[-1]
    assert entry.status == 200 and entry.target.endswith("?limit=3") and entry.fault is None
    assert emulator.request_count == 1


# ---------------------------------------------------------------- faults


@pytest.mark.parametrize(
    ("spec", "fault"),
    [
        ("500=2", Fault("500", count=2)),
        ("429=1@3", Fault("429", count=1, start=3)),
        ("drop=10%", Fault("drop", rate=0.1)),
        (" latency = 0.05 ", Fault("latency", seconds=0.05)),
        ("churn=5@2", Fault("churn", count=5, start=2)),
        ("retry-after=0", Fault("retry-after", seconds=0)),
        ("HTML=1", Fault("html", count=1)),
    ],
)
def test_parse_fault(spec: str, fault: Fault) -> None:
    assert parse_fault(spec) == fault
    assert parse_fault(str(fault)) == fault


@pytest.mark.parametrize(
    "spec",
    [
        "500",
        "600=1",
        "boom=1",
        "drop=1.5",
        "latency=5%",
        "churn=5%",
        "drop=200%",
        "500=1@0",
        "retry-after=0.5",
    ],
)
def test_bad_fault_specs(spec: str) -> None:
    with pytest.raises(FaultSpecError):
        parse_fault(spec)


def statuses(emu: Emulator) -> list[int]:
    return [e.status for e in emu.log]


@pytest.mark.emulator(records=20, faults=["503=2", "retry-after=0", "429=1@4", "502=1@5"])
def test_status_faults(emulator: Emulator, web: requests.Session) -> None:
    seen = []
    for _ in range(6):
        r = web.get(page_url(emulator))
        seen.append((r.status_code, r.headers.get("Retry-After")))
    assert seen == [
        (503, "0"),
        (503, "0"),
        (200, None),
        (429, "0"),
        (502, None),
        (200, None),
    ]
    r = web.get(page_url(emulator))
    assert r.status_code == 200


@pytest.mark.emulator(records=20)
def test_html_and_envelope_faults(emulator: Emulator, web: requests.Session) -> None:
    emulator.inject("html=1", "envelope=1@2")
    r = web.get(page_url(emulator))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    r = web.get(page_url(emulator))
    assert r.status_code == 200 and "data" not in r.json()
    assert len(web.get(page_url(emulator)).json()["data"]) == 20


@pytest.mark.emulator(records=200, faults=["truncate=1"])
def test_truncate_fault(emulator: Emulator, web: requests.Session) -> None:
    r = web.get(page_url(emulator))
    assert r.status_code == 200
    with pytest.raises(ValueError):
        json.loads(r.content)
    assert r.content.startswith(b'{"data":[')


def raw_get(emu: Emulator, target: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(emu.host, emu.port, timeout=5)
    conn.request("GET", target, headers={"Authorization": KEY})
    return conn.getresponse()


@pytest.mark.emulator(records=200, faults=["drop=1", "reset=1@2"])
def test_drop_and_reset_faults(emulator: Emulator) -> None:
    target = f"/voice_campaign/{CAMPAIGN}/request"
    resp = raw_get(emulator, target)
    assert resp.status == 200
    with pytest.raises(http.client.IncompleteRead):
        resp.read()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        raw_get(emulator, target)
    assert json.loads(raw_get(emulator, target).read())["data"]


@pytest.mark.emulator(records=20, faults=["latency=0.2@2"])
def test_latency_fault(emulator: Emulator, web: requests.Session) -> None:
    t0 = time.monotonic()
    web.get(page_url(emulator))
    t1 = time.monotonic()
    web.get(page_url(emulator))
    t2 = time.monotonic()
    # The fault's own delay (a sleep: at least that long), from the second
    # request on; the first is compared to it, not to a number of seconds.
    assert t1 - t0 < t2 - t1 and t2 - t1 >= 0.2


@pytest.mark.emulator(records=30, seed=5, faults=["500=20%"])
def test_rate_faults_are_reproducible(emulator: Emulator, web: requests.Session) -> None:
    first = [web.get(page_url(emulator)).status_code for _ in range(30)]
    with Emulator(records=30, seed=5, faults=["500=20%"]) as again:
        second = [web.get(page_url(again)).status_code for _ in range(30)]
    assert first == second
    assert 500 in first and 200 in first


@pytest.mark.emulator(records=100, faults=["churn=3"])
def test_churn_creates_and_closes(emulator: Emulator, web: requests.Session) -> None:
    before = emulator.records()
    r = web.get(page_url(emulator, limit=10_000))  # the first request: no churn
    assert r.json()["data"] == before
    r = web.get(page_url(emulator, limit=10_000))
    after = r.json()["data"]
    assert len(after) == 103
    assert after == emulator.records()
    old = {x["id"]: x for x in before}
    new_ids = [x["id"] for x in after if x["id"] not in old]
    assert len(new_ids) == 3
    closed = [x for x in after if x["id"] in old and old[x["id"]]["state"] != x["state"]]
    assert len(closed) == 3 and all(x["state"] == "CLOSED" and x["closed_date"] for x in closed)
    # the records that stayed keep their relative order
    assert [x["id"] for x in after if x["id"] in old] == [x["id"] for x in before]


def test_the_server_stops_cleanly() -> None:
    emu = Emulator(records=10).start()
    url = page_url(emu)
    session = requests.Session()
    assert session.get(url, headers={"Authorization": KEY}).status_code == 200
    emu.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(url, headers={"Authorization": KEY}, timeout=2)
    session.close()


def test_emulator_data_holding_line_separators_and_a_byte_order_mark(tmp_path: Path) -> None:
    records = [
        {"id": f"{i:024x}", "state": "OPEN", "name": f"x\u2028y\u0085z\u2029{i}"} for i in range(3)
    ]
    lines = tmp_path / "data.jsonl"  # JSON Lines as json.dumps(ensure_ascii=False) writes them
    lines.write_text(
        "\r\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\r\n", encoding="utf-8"
    )
    whole = tmp_path / "data.json"
    whole.write_bytes(b"\xef\xbb\xbf" + json.dumps(records).encode())
    for path in (lines, whole):
        with Emulator(data=path, api_key="k") as emu:
            got = requests.get(
                f"{emu.url}/voice_campaign/{DEFAULT_CAMPAIGN}/request",
                headers={"Authorization": "k"},
                timeout=10,
            ).json()["data"]
        assert [r["name"] for r in got] == [r["name"] for r in records], path.name
