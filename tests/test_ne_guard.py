"""The API page documents `ne` without saying what it does with a record
that has no value there; a MongoDB-style `$ne` matches a missing or null
field, where cqlang's `!=` never does. The client checks it per request
(cqlang/client/guards.py): against a server with MongoDB's rules, what the
client delivers is what the query means (cqlang.evaluate), `or` branches,
`exclude` and `limit` included."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hostile import Hostile, Request, head
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cqlang
from cqlang.checker import check_text
from cqlang.client.guards import ne_guard
from cqlang.evaluator import evaluate

CAMPAIGN = "5b7c389fe8df7b60af688989"


def mongo_match(record: dict[str, Any], f: dict[str, Any]) -> bool:
    """One filter object as a MongoDB query would read it."""
    v = record.get(f["property"])
    want = f["value"]
    op = f.get("operator", "eq")
    if isinstance(want, list):
        return v in want
    if op == "ne":
        return v != want or v.__class__ is not want.__class__  # $ne: missing and null match
    if not isinstance(v, int) or isinstance(v, bool):
        return op == "eq" and v == want
    return {"eq": v == want, "gt": v > want, "gte": v >= want, "lt": v < want, "lte": v <= want}[op]


class Mongo:
    """A server of ``records`` that reads a filter as MongoDB would."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records
        self.server = Hostile(self.handle)

    def handle(self, conn: socket.socket, req: Request) -> bool:
        query = parse_qs(urlsplit(req.target).query)
        filters = json.loads(query.get("filter", ["[]"])[0])
        offset, limit = int(query["offset"][0]), int(query["limit"][0])
        exclude = json.loads(query.get("exclude", ["[]"])[0])
        found = [r for r in self.records if all(mongo_match(r, f) for f in filters)]
        page = [{k: v for k, v in r.items() if k not in exclude} for r in found]
        body = json.dumps({"data": page[offset : offset + limit]}).encode()
        conn.sendall(head(200, "OK", length=len(body)) + body)
        return True


@pytest.fixture
def mongo() -> Iterator[Mongo]:
    server = Mongo(RECORDS)
    with server.server:
        yield server


def rec(i: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"{i:024x}", **fields}


RECORDS = [
    rec(1, state="OPEN", priority=3),
    rec(2, state="OPEN", priority=5),
    rec(3, state="OPEN", priority=None),
    rec(4, state="OPEN"),  # no priority at all
    rec(5, state="CLOSED", priority="7"),  # not an integer: missing to cqlang
    rec(6, state="CLOSED", priority=True),
    rec(7, state="CLOSED", priority=8),
    rec(8, state="PROCESSING", priority=None, contact_try=2),
]


def fetch(server: Mongo, query: str, **options: Any) -> list[str]:
    with cqlang.Client(server.server.url, "k", max_retries=0) as client:
        found = client.voice_campaign_requests(CAMPAIGN, query, page_size=2, **options)
        return [r["id"] for r in found]


def meant(query: str, records: list[dict[str, Any]]) -> list[str]:
    checked = check_text(query)
    assert checked.ir is not None
    return [r["id"] for r in records if evaluate(checked.ir, r) is True]


def test_ne_leaves_out_what_has_no_integer_there(mongo: Mongo) -> None:
    assert meant("priority != 3", RECORDS) == [rec(2)["id"], rec(7)["id"]]
    assert fetch(mongo, "priority != 3") == meant("priority != 3", RECORDS)


def test_a_record_the_guard_refuses_still_comes_from_another_branch(mongo: Mongo) -> None:
    query = "priority != 3 or state = OPEN"
    assert len(cqlang.plan(query).branches) == 2
    assert sorted(fetch(mongo, query)) == sorted(meant(query, RECORDS))
    assert rec(4)["id"] in fetch(mongo, query)  # OPEN, no priority: from the second


def test_an_excluded_field_is_still_read_by_the_guard(mongo: Mongo) -> None:
    with cqlang.Client(mongo.server.url, "k", max_retries=0) as client:
        found = client.voice_campaign_requests(
            CAMPAIGN, "priority != 3", exclude=["priority"], page_size=3
        )
        got = list(found)
    assert [r["id"] for r in got] == meant("priority != 3", RECORDS)
    assert all("priority" not in r for r in got)


def test_a_limit_counts_only_what_the_guard_keeps(mongo: Mongo) -> None:
    assert fetch(mongo, "priority != 3", limit=1) == [rec(2)["id"]]
    assert fetch(mongo, "priority != 3", limit=2) == meant("priority != 3", RECORDS)


def test_no_guard_without_ne() -> None:
    assert ne_guard([{"property": "priority", "operator": "gte", "value": 3}]) == (
        None,
        frozenset(),
    )
    guard, fields = ne_guard(
        [
            {"property": "priority", "operator": "ne", "value": 3},
            {"property": "contact_try", "operator": "ne", "value": 1},
        ]
    )
    assert fields == {"priority", "contact_try"} and guard is not None
    assert guard({"priority": 4, "contact_try": 2}) and not guard({"priority": 4})


values = st.one_of(st.none(), st.integers(0, 4), st.just("2"), st.just(True))
records = st.lists(
    st.fixed_dictionaries(
        {"state": st.sampled_from(["OPEN", "CLOSED"])},
        optional={"priority": values, "contact_try": values},
    ),
    max_size=12,
)
queries = st.sampled_from(
    [
        "priority != 2",
        "priority != 2 and contact_try != 1",
        "priority != 2 or contact_try != 1",
        "priority != 2 or state = OPEN",
        "not (priority = 2) and state = CLOSED",
        "priority != 1 and priority >= 0",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records, queries)
def test_against_mongo_rules_the_client_delivers_what_the_query_means(
    raw: list[dict[str, Any]], query: str
) -> None:
    data = [rec(i, **r) for i, r in enumerate(raw)]
    server = Mongo(data)
    with server.server:
        assert sorted(fetch(server, query)) == sorted(meant(query, data))
