"""Review fixes: durations bounded (a request's timeout, the retry budget
and waits, an emulator fault's latency), retries and branch limits checked
when given, and sizes read one way."""

from __future__ import annotations

import math

import pytest
from click.testing import CliRunner

import cqlang
from cqlang.cli import main
from cqlang.client import Client
from cqlang.digits import MAX_SECONDS
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.emulator.faults import FaultSpecError, parse_fault


def _fetch(*args: str, url: str = "http://127.0.0.1:9") -> tuple[int, str]:
    env = {"CONPEEK_URL": url, "CONPEEK_KEY": "demo-key", "CQLANG_CONFIG": ""}
    result = CliRunner().invoke(
        main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--count", *args], env=env
    )
    return result.exit_code, result.output


@pytest.mark.parametrize("value", ["1e12", "99999999999999999999", "86401", "inf", "nan"])
@pytest.mark.parametrize("option", ["--timeout", "--retry-budget"])
def test_a_duration_past_a_day_is_a_usage_error(option: str, value: str) -> None:
    code, out = _fetch(option, value, "state = OPEN")
    assert code == 2, out
    assert option in out
    assert "Traceback" not in out


def test_the_longest_timeout_still_fetches(emulator: Emulator) -> None:
    code, out = _fetch("--timeout", f"{MAX_SECONDS:g}", "state = OPEN", url=emulator.url)
    assert code == 0, out
    assert out.strip().replace(",", "").isdigit()


@pytest.mark.parametrize(
    "options",
    [
        {"timeout": 1e12},
        {"timeout": (5, 1e12)},
        {"timeout": 10**400},
        {"timeout": math.inf},
        {"timeout": 0},
        {"retry_budget": 1e12},
        {"retry_budget": -1},
        {"backoff_max": math.nan},
        {"retry_after_max": 1e300},
        {"backoff_factor": 1e12},
        {"max_retries": -1},
    ],
)
def test_the_client_refuses_an_unusable_duration_or_count(options: dict[str, object]) -> None:
    with pytest.raises(ValueError) as info:
        Client("http://127.0.0.1:9", api_key="k", **options)  # type: ignore[arg-type]
    assert next(iter(options)) in str(info.value)


def test_an_emulator_latency_past_a_day_is_refused() -> None:
    with pytest.raises(FaultSpecError, match="at most 86,400 seconds"):
        parse_fault("latency=99999999999")
    assert parse_fault("latency=86400").seconds == MAX_SECONDS


def test_max_branches_below_one_is_refused_when_the_env_is_made() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        cqlang.plan("state = OPEN", max_branches=0)
    with pytest.raises(ValueError, match="at least 1"):
        cqlang.Env(max_branches=-3)


def test_cql204_counts_in_words() -> None:
    (d,) = cqlang.check("state = OPEN or priority > 5", max_branches=1)
    assert "needs 2 requests; the limit is 1" in d.message


@pytest.mark.parametrize("size", ["1e3", "inf", "nan", "1_000", "0x10", "-1", "1..5k", "k"])
def test_a_record_size_is_digits_and_a_unit(size: str) -> None:
    code, out = _fetch("--dry-run", "--max-record-size", size, "state = OPEN")
    assert code == 2 and "--max-record-size" in out, out


@pytest.mark.parametrize(
    ("size", "expected"),
    [("1024", 1024), ("1kb", 1024), ("1KiB", 1024), ("1MB", 2**20), ("1.5k", 1536), (".5k", 512)],
)
def test_a_record_size_unit_is_of_1024(size: str, expected: int) -> None:
    from cqlang.cli.fetch import _byte_size

    assert _byte_size(None, size) == expected  # type: ignore[arg-type]
