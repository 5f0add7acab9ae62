"""`exclude` never changes which records a query returns (issue 11, item 1).

The fields the client-side check (the plan's residual) reads are fetched
even when excluded, and removed from each record once it is judged. Checked
on the issue's examples through every door (Python, `cqlang fetch`, a named
query, the REPL) and as a property over generated queries and exclude sets,
against the emulator on loopback.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import strategies as S
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import cqlang
from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator

KEY = "demo-key"

#: The issue's examples: (query, excluded fields).
EXAMPLES = [
    ("closed_date is null", ["closed_date"]),
    ('custom.region != "PL"', ["custom"]),
    ('state = OPEN or custom.region != "PL"', ["state"]),
]


def ids(records: list[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in records]


# ------------------------------------------------------------------ Python


@pytest.mark.emulator(records=300, seed=1)
@pytest.mark.parametrize(("query", "exclude"), EXAMPLES)
def test_client_exclude_keeps_what_the_residual_reads(
    emulator: Emulator, query: str, exclude: list[str]
) -> None:
    client = cqlang.Client(emulator.url, KEY)
    full = list(client.voice_campaign_requests(DEFAULT_CAMPAIGN, query))
    cut = list(client.voice_campaign_requests(DEFAULT_CAMPAIGN, query, exclude=exclude))
    assert full and ids(cut) == ids(full)
    assert not any(f in r for r in cut for f in exclude)
    # Everything else is as it came, and the field did go to the API's
    # exclude when the residual does not read it.
    assert cut == [{k: v for k, v in r.items() if k not in exclude} for r in full]


@pytest.mark.emulator(records=300, seed=1)
def test_fields_the_residual_does_not_read_are_still_left_to_the_api(
    emulator: Emulator,
) -> None:
    client = cqlang.Client(emulator.url, KEY)
    got = list(
        client.voice_campaign_requests(
            DEFAULT_CAMPAIGN, "closed_date is null", exclude=["closed_date", "history"]
        )
    )
    assert got and not any("history" in r or "closed_date" in r for r in got)
    sent = [parse_qs(urlsplit(r.target).query).get("exclude") for r in emulator.log]
    assert sent and all(s == ['["history"]'] for s in sent), sent


# ------------------------------------------------------------ command line


@pytest.fixture
def cli_env(tmp_path: Path, emulator: Emulator) -> dict[str, str]:
    config = tmp_path / "cqlang.toml"
    config.write_text(
        "[queries.not_pl]\n"
        "query = 'custom.region != \"PL\"'\n"
        f"campaign = '{DEFAULT_CAMPAIGN}'\n"
        "exclude = ['custom', 'history']\n",
        encoding="utf-8",
    )
    return {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": KEY, "CQLANG_CONFIG": str(config)}


def cli_fetch(env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(
        main, ["fetch", "--retries", "0", "--format", "jsonl", *args], env=env
    )
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.emulator(records=300, seed=1)
@pytest.mark.parametrize(("query", "exclude"), EXAMPLES)
def test_fetch_exclude_keeps_what_the_residual_reads(
    cli_env: dict[str, str], query: str, exclude: list[str]
) -> None:
    full = cli_fetch(cli_env, "--campaign", DEFAULT_CAMPAIGN, query)
    cut = cli_fetch(cli_env, "--campaign", DEFAULT_CAMPAIGN, query, "--exclude", ",".join(exclude))
    assert full and ids(cut) == ids(full)
    assert not any(f in r for r in cut for f in exclude)


@pytest.mark.emulator(records=300, seed=1)
def test_a_named_query_exclude_keeps_what_the_residual_reads(cli_env: dict[str, str]) -> None:
    cut = cli_fetch(cli_env, "@not_pl")
    full = cli_fetch(cli_env, "@not_pl", "--exclude", "")  # `--exclude ''`: exclude nothing
    assert full and ids(cut) == ids(full)
    assert all("custom" in r for r in full)
    assert not any("custom" in r or "history" in r for r in cut)


# ---------------------------------------------------------------- property

#: Record fields a generated query reads, and some it does not.
FIELDS = sorted({*S.PROPERTY_KIND, "custom", "name", "history"})


def _generated_records(n: int) -> list[dict[str, Any]]:
    """Records over the strategies' value pools (so that generated queries
    match some and not others), each field present, null or missing."""
    rng = random.Random(20261128)
    pools: dict[str, tuple[Any, ...]] = {p: S.RECORD_DATETIMES for p in S.DATE_PROPS}
    pools.update(S.ENUM_PROPS)
    pools.update(dict.fromkeys(S.RANGE_INT_PROPS, S.INT_POOL))
    pools.update(dict.fromkeys(S.MEMBER_INT_PROPS, S.MEMBER_INT_POOL))
    pools.update({p: S.STRING_POOLS[p] for p in (*S.OPEN_STR_PROPS, *S.EQ_STR_PROPS)})
    out = []
    for i in range(n):
        rec: dict[str, Any] = {"id": f"r{i:04d}", "name": f"n{i}", "history": [i]}
        for name, pool in pools.items():
            roll = rng.random()
            if roll < 0.8:
                rec[name] = rng.choice(pool)
            elif roll < 0.9:
                rec[name] = None
        keys = rng.sample([*S.CUSTOM_KEYS, "other"], rng.randint(0, 3))
        rec["custom"] = json.dumps({k: rng.choice(S.STRING_POOLS["custom"]) for k in keys})
        out.append(rec)
    return out


@pytest.fixture(scope="module")
def generated() -> Iterator[Emulator]:
    with Emulator(data=_generated_records(150), api_key=KEY) as emu:
        yield emu


@settings(max_examples=S.examples(60))
@given(
    query=S.query_texts(max_leaves=6),
    exclude=st.lists(st.sampled_from(FIELDS), unique=True, min_size=1, max_size=4),
    page_size=st.sampled_from([7, 40, 1000]),
)
def test_exclude_never_changes_the_records(
    generated: Emulator, query: tuple[Any, str], exclude: list[str], page_size: int
) -> None:
    text = query[1]
    try:
        plan = cqlang.plan(text, now=S.NOW)
    except cqlang.CqlPlanError:  # CQL204: more requests than the bound
        return
    client = cqlang.Client(generated.url, KEY, max_retries=0)
    with client:
        full = list(
            client.voice_campaign_requests(DEFAULT_CAMPAIGN, plan=plan, page_size=page_size)
        )
        cut = list(
            client.voice_campaign_requests(
                DEFAULT_CAMPAIGN, plan=plan, exclude=exclude, page_size=page_size
            )
        )
    assert ids(cut) == ids(full), (text, exclude)
    assert cut == [{k: v for k, v in r.items() if k not in exclude} for r in full]


# ------------------------------------------------------------- exclude id


def test_exclude_id_is_a_usage_error_everywhere(tmp_path: Path) -> None:
    """Records are paged and merged by id: `--exclude id` (and a named
    query's) is refused before anything is sent, never an internal error."""
    config = tmp_path / "c.toml"
    config.write_text(
        "[queries.bad]\nquery = 'state = OPEN'\ncampaign = 'c1'\nexclude = ['history', 'id']\n",
        encoding="utf-8",
    )
    env = {"CONPEEK_URL": "http://127.0.0.1:9", "CONPEEK_KEY": KEY, "CQLANG_CONFIG": str(config)}
    runner = CliRunner()
    for args in (
        ["fetch", "--campaign", "c1", "--exclude", "id", "state = OPEN"],
        ["fetch", "--campaign", "c1", "--exclude", " history , id ", "state = OPEN"],
        ["compile", "--format", "url", "--exclude", "id", "state = OPEN"],
        ["fetch", "@bad"],
        ["compile", "--format", "url", "@bad"],
    ):
        result = runner.invoke(main, args, env=env)
        assert result.exit_code == 2, (args, result.output)
        assert "cannot hold id" in result.stderr or "id" in result.stderr, result.output
        assert "internal error" not in result.output
    with pytest.raises(
        ValueError,
        match="exclude cannot hold id: the client pages and merges the records by their id",
    ):
        cqlang.Client("http://127.0.0.1:9", KEY).voice_campaign_requests("c1", exclude=["id"])


def test_a_named_exclude_of_id_in_the_repl_is_a_message() -> None:
    from cqlang.repl import Dispatcher, Session

    class Bad:
        name = "bad"
        text = "state = OPEN"
        params: dict[str, Any] = {}  # noqa: RUF012
        campaign = "c1"
        exclude = ("id",)

    d = Dispatcher(Session(queries={"bad": Bad()}, base_url="http://127.0.0.1:9", api_key=KEY))
    assert d.handle("@bad").ok
    reply = d.handle("\\fetch")
    assert not reply.ok
    assert (
        reply.text == "exclude cannot hold id (the exclude of @bad): "
        "the client pages and merges the records by their id"
    )
