"""A JSON integer longer than Python reads (4300 digits) is refused in
cqlang's words, with where it is: "a number of 5,000 digits, too long to
read at data[1].priority". Before, `int()`'s own words leaked into every
message ("Exceeds the limit (4300 digits)...; use
sys.set_int_max_str_digits()"): a page body was "not valid JSON", a filter
list in `decompile` was "not JSON", `emulator --data` printed them bare.
And a `--param` value of thousands of characters was echoed whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hostile import Hostile, answer
from hypothesis import given
from hypothesis import strategies as st

import cqlang
from cqlang import jsonlimit
from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN
from cqlang.errors import CqlValidationError, ResponseFormatError

KEY = "demo-key"
N = "9" * 5000
LEAK = ("Exceeds the limit", "set_int_max_str_digits")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), env=env, prog_name="cqlang")
    assert not any(leak in result.output for leak in LEAK), result.output
    assert "internal error" not in result.output
    return result


def test_jsonlimit_says_where_the_long_number_is() -> None:
    with pytest.raises(jsonlimit.TooLong) as caught:
        jsonlimit.loads('{"data": [{"id": "a"}, {"priority": -' + N + "}]}")
    assert str(caught.value) == "a number of 5,000 digits, too long to read at data[1].priority"
    assert caught.value.digits == 5000 and isinstance(caught.value, jsonlimit.BadNumber)
    with pytest.raises(jsonlimit.TooLong, match=r"^a number of 5,000 digits, too long to read$"):
        jsonlimit.loads('{"a": ' + N + ', "a": 1}')  # replaced by the repeated key
    assert jsonlimit.loads(b"[" + b"9" * 4300 + b"]") == [int("9" * 4300)]


@given(st.lists(st.integers(min_value=-(10**30), max_value=10**30), max_size=5))
def test_numbers_within_the_limit_read_as_before(values: list[int]) -> None:
    text = str(values)
    assert jsonlimit.loads(text) == values


def test_a_page_with_a_number_too_long_is_a_format_error(tmp_path: Path) -> None:
    body = ('{"data":[{"id":"a"},{"id":"b","priority":' + "9" * 100_000 + "}]}").encode()
    words = "a number of 100,000 digits, too long to read at data[1].priority"
    with Hostile(answer(200, body)) as server:
        client = cqlang.Client(server.url, KEY, max_retries=1)
        with client, pytest.raises(ResponseFormatError) as info:
            list(client.voice_campaign_requests(DEFAULT_CAMPAIGN))
        assert words in str(info.value) and "not valid JSON" not in str(info.value)
        assert not any(leak in str(info.value) for leak in LEAK)
        config = tmp_path / "empty.toml"
        config.write_text("")
        env = {"CONPEEK_URL": server.url, "CONPEEK_KEY": KEY, "CQLANG_CONFIG": str(config)}
        result = run("fetch", "--campaign", DEFAULT_CAMPAIGN, "--retries", "0", env=env)
    assert result.exit_code == 3 and words in result.output


@pytest.mark.parametrize(
    "text",
    [
        '[{"property":"priority","operator":"gt","value":' + N + "}]",
        "filter=%5B%7B%22property%22%3A%22priority%22%2C%22value%22%3A" + N + "%7D%5D",
    ],
)
def test_decompile_names_the_number_not_json(text: str) -> None:
    result = run("decompile", text)
    assert result.exit_code == 1
    assert "error[CQL304]: a number of 5,000 digits, too long to read at [0].value" in result.output
    assert "not JSON" not in result.output
    with pytest.raises(CqlValidationError) as caught:
        cqlang.decompile(text)
    assert caught.value.diagnostics[0].code == "CQL304"


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("d.json", '[{"id": "a", "priority": ' + N + "}]", "d.json: a number of 5,000 digits"),
        ("d.jsonl", '{"id": "a"}\n{"id": "b", "p": ' + N + "}\n", "d.jsonl:2: a number of 5,000"),
    ],
)
def test_emulator_data_names_the_number(
    tmp_path: Path, name: str, content: str, words: str
) -> None:
    (tmp_path / name).write_text(content)
    done = subprocess.run(
        [sys.executable, "-m", "cqlang", "emulator", "--data", str(tmp_path / name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert not any(leak in done.stderr for leak in LEAK)


def test_a_long_param_is_out_of_range_or_shortened() -> None:
    result = run("compile", "-p", f"p={N}", "priority > $p")
    assert (
        result.exit_code == 1
        and "CQL111" in result.output
        and "out of the API's range" in result.output
    )
    padded = run("compile", "-p", "p=" + "0" * 5000 + "5", "priority > $p")  # leading zeros: 5
    assert padded.exit_code == 0 and '"value": 5' in padded.output
    for query in ("priority > $p", "state = $p"):
        shown = run("compile", "-p", f"p=x{N}", query)
        assert shown.exit_code == 1 and "(5,001 characters)" in shown.output
        assert N[:100] not in shown.output and len(shown.output) < 1000, shown.output
    with pytest.raises(CqlValidationError) as caught:
        cqlang.compile("custom.x = $p", params={"p": 10**5000})
    assert "an integer of more than 60 digits" in str(caught.value)
