"""A record's datetime text in the API's shape that the calendar lacks
(``2026-02-30 10:00:00``) is compared as text: it lies between two seconds.
Plans must not join datetime ranges that merely touch (one second apart),
or ``A or B`` brings records neither brings (docs/language.md "Missing
fields and null", docs/planning.md step 3). Through the emulator: the
Python client and ``cqlang fetch``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cqlang
from cqlang.checker import check_text
from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.env import Env
from cqlang.evaluator import compile_matcher

RECORDS = [
    {"id": "feb30", "closed_date": "2026-02-30 10:00:00"},
    {"id": "feb28-24h", "closed_date": "2026-02-28 24:00:00"},
    {"id": "sec5a", "closed_date": "2026-10-01 10:00:5a"},
    {"id": "feb28", "closed_date": "2026-02-28 12:00:00"},
    {"id": "mar01", "closed_date": "2026-03-01 00:00:00"},
    {"id": "oct01", "closed_date": "2026-10-01 10:01:00"},
    {"id": "none"},
]

#: (query, the ids it means, in the order of RECORDS)
CASES = [
    ("closed_date = 2026-02-28", ["feb28"]),
    ("closed_date = 2026-03-01", ["mar01"]),
    ("closed_date = 2026-02-28 or closed_date = 2026-03-01", ["feb28", "mar01"]),
    ("closed_date in (2026-02-28, 2026-03-01)", ["feb28", "mar01"]),
    (
        "closed_date < 2026-03-01 or closed_date >= 2026-03-01",
        ["sec5a", "feb28", "mar01", "oct01"],
    ),
    ("closed_date between 2026-02-01 and 2026-03-31", ["feb30", "feb28-24h", "feb28", "mar01"]),
    (
        "closed_date in (2026-10-01T10:00:59Z, 2026-10-01T10:01:00Z)",
        ["oct01"],
    ),
    (
        "closed_date <= 2026-10-01T10:00:59Z or closed_date >= 2026-10-01T10:01:00Z",
        ["feb30", "feb28-24h", "feb28", "mar01", "oct01"],
    ),
    ("closed_date != 2026-03-01T00:00:00Z", ["sec5a", "feb28", "oct01"]),
    ("not closed_date >= 2026-03-01", ["feb28"]),
]


def meant(query: str) -> list[str]:
    checked = check_text(query, Env())
    assert checked.ir is not None
    match = compile_matcher(checked.ir)
    return [r["id"] for r in RECORDS if match(r)]


@pytest.fixture
def emu(emulator_factory: Callable[..., Emulator]) -> Emulator:
    return emulator_factory(data=RECORDS)


@pytest.mark.parametrize(("query", "ids"), CASES)
def test_client_returns_what_the_query_means(emu: Emulator, query: str, ids: list[str]) -> None:
    assert meant(query) == ids
    with cqlang.Client(emu.url, emu.api_key, max_retries=0) as client:
        found = client.voice_campaign_requests(DEFAULT_CAMPAIGN, query)
        assert sorted(r["id"] for r in found) == sorted(ids), cqlang.plan(query).explain()


def test_touching_day_ranges_are_two_requests() -> None:
    plan = cqlang.plan("closed_date = 2026-02-28 or closed_date = 2026-03-01")
    assert plan.branches == [
        [
            {"property": "closed_date", "operator": "gte", "value": "2026-02-28 00:00:00"},
            {"property": "closed_date", "operator": "lte", "value": "2026-02-28 23:59:59"},
        ],
        [
            {"property": "closed_date", "operator": "gte", "value": "2026-03-01 00:00:00"},
            {"property": "closed_date", "operator": "lte", "value": "2026-03-01 23:59:59"},
        ],
    ]
    # Ranges that share a second still join.
    joined = cqlang.plan(
        "closed_date between 2026-02-01 and 2026-02-28 or closed_date = 2026-02-28"
    )
    assert joined.requests == 1
    # A full cover of the seconds is not "is not null": the text between
    # the two sides is in neither.
    cover = cqlang.plan("closed_date < 2026-03-01 or closed_date >= 2026-03-01")
    assert cover.requests == 2 and cover.residual is None


@pytest.mark.parametrize(
    ("query", "ids"),
    [CASES[2], CASES[4], CASES[8]],
)
def test_cli_fetch_returns_what_the_query_means(
    emu: Emulator, tmp_path: Path, query: str, ids: list[str]
) -> None:
    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    env = {
        "CONPEEK_URL": emu.url,
        "CONPEEK_KEY": emu.api_key,
        "CQLANG_CONFIG": str(config),
        "CQLANG_DEBUG": "",
    }
    result = CliRunner().invoke(
        main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--format", "jsonl", query], env=env
    )
    assert result.exit_code == 0, result.output
    got: list[dict[str, Any]] = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["id"] for r in got) == sorted(ids)
