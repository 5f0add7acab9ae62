"""A tzinfo is a zone wherever ``tz`` is taken, checked by one argcheck
(argcheck.zone), and typed ``str | tzinfo | None``; the Arrow methods take
explicit keywords, so a misspelt one is caught by mypy and at the call,
naming the public method."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import cqlang
from cqlang import Client, Config
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator

C = DEFAULT_CAMPAIGN
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
QUERY = "created_date >= 2026-01-01 and created_date < today"
CONFIG = '[queries.recent]\nquery = "created_date >= 2026-01-01 and created_date < today"\n'


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(records=30, seed=2) as running:
        yield running


@pytest.fixture(scope="module")
def client(emu: Emulator) -> Iterator[Client]:
    with Client(emu.url, "demo-key", max_retries=0) as c:
        yield c


@pytest.fixture
def config(tmp_path: Path) -> Config:
    path = tmp_path / "cqlang.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return Config.load(path, env={})


def entry_points(client: Client, config: Config) -> dict[str, Callable[[Any], Any]]:
    """Each public call that takes ``tz``, reduced to what it makes of it."""
    named = config.queries["recent"]
    return {
        "cqlang.plan": lambda tz: cqlang.plan(QUERY, tz=tz, now=NOW).filters,
        "cqlang.compile": lambda tz: cqlang.compile(QUERY, tz=tz, now=NOW),
        "cqlang.Env": lambda tz: cqlang.plan(QUERY, cqlang.Env(tz=tz, now=NOW)).filters,
        "Config.prepare": lambda tz: config.prepare(QUERY, tz=tz).plan(now=NOW).filters,
        "NamedQuery.plan": lambda tz: named.plan(tz=tz, now=NOW).filters,
        "NamedQuery.compile": lambda tz: named.compile(tz=tz, now=NOW),
        "NamedQuery.check": lambda tz: named.check(tz=tz, now=NOW),
        "NamedQuery.env": lambda tz: cqlang.plan(named.text, named.env(tz=tz, now=NOW)).filters,
        "voice_campaign_requests": lambda tz: [
            r["id"] for r in client.voice_campaign_requests(C, QUERY, tz=tz, now=NOW)
        ],
        "iter_batches": lambda tz: [
            b.num_rows for b in client.iter_batches(C, QUERY, tz=tz, now=NOW, columns="id")
        ],
        "to_arrow": lambda tz: client.to_arrow(C, QUERY, tz=tz, now=NOW, columns="id").num_rows,
    }


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("Europe/Warsaw", ZoneInfo("Europe/Warsaw")),
        ("UTC", UTC),
        ("Etc/GMT-2", timezone(timedelta(hours=2))),
    ],
)
def test_a_tzinfo_is_the_zone_of_its_name_everywhere(
    client: Client, config: Config, name: str, zone: tzinfo
) -> None:
    pytest.importorskip("pyarrow")
    for where, run in entry_points(client, config).items():
        assert run(zone) == run(name), where


def test_anything_else_is_one_type_error_everywhere(client: Client, config: Config) -> None:
    pytest.importorskip("pyarrow")
    for where, run in entry_points(client, config).items():
        for wrong in (3, b"UTC", ["UTC"]):
            with pytest.raises(TypeError) as caught:
                run(wrong)
            kind = type(wrong).__name__
            expected = f"tz is an IANA zone name (a str), a tzinfo or None, not {kind}"
            assert str(caught.value) == expected, where


def test_a_spec_with_a_tzinfo_hashes_and_pickles(config: Config) -> None:
    import pickle

    spec = config.prepare("@recent", tz=ZoneInfo("Europe/Warsaw"))
    assert spec.tz == ZoneInfo("Europe/Warsaw") and spec.override_tz
    assert pickle.loads(pickle.dumps(spec)) == spec and hash(spec) is not None


@pytest.mark.parametrize("method", ["to_arrow", "iter_batches"])
def test_a_misspelt_keyword_names_the_public_method(client: Client, method: str) -> None:
    with pytest.raises(TypeError, match=rf"^Client\.{method}\(\) got an unexpected keyword"):
        getattr(client, method)(C, "state = OPEN", colums="id")


GOOD = """\
from datetime import UTC
from zoneinfo import ZoneInfo

import cqlang


def run(client: cqlang.Client, config: cqlang.Config) -> None:
    list(client.voice_campaign_requests("c", "state = OPEN", tz=ZoneInfo("UTC")))
    client.to_arrow("c", "state = OPEN", tz=UTC, columns=["id"], batch_size=10, limit=3)
    client.iter_batches("c", tz="Europe/Warsaw", page_size=10, exclude=["history"])
    config.prepare("@q", tz=ZoneInfo("Europe/Warsaw")).plan()
    config.queries["q"].plan(tz=UTC)
"""

BAD = """\
import cqlang


def run(client: cqlang.Client) -> None:
    client.to_arrow("c", "state = OPEN", colums=["id"])
    client.iter_batches("c", "state = OPEN", batch_sise=10)
"""


def test_mypy_takes_a_tzinfo_and_catches_a_misspelt_keyword(tmp_path: Path) -> None:
    def mypy(source: str) -> subprocess.CompletedProcess[str]:
        script = tmp_path / "script.py"
        script.write_text(source, encoding="utf-8")
        cache = str(tmp_path / "cache")
        return subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--cache-dir", cache, str(script)],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=Path(__file__).parent.parent,
        )

    good = mypy(GOOD)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = mypy(BAD)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert 'Unexpected keyword argument "colums" for "to_arrow"' in bad.stdout
    assert 'Unexpected keyword argument "batch_sise" for "iter_batches"' in bad.stdout
