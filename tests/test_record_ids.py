"""One rule for a record's id, shared by the client and the emulator
(cqlang.recordids): the emulator refuses at start the data its own client
would refuse at fetch time, naming the file and the record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hostile import Hostile, answer
from hypothesis import given
from hypothesis import strategies as st

from cqlang.cli import main
from cqlang.client import Client, ResponseFormatError
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.recordids import RecordIdError, id_problem, record_ids

FAST: dict[str, Any] = {"backoff_factor": 0.01, "backoff_jitter": 0.01, "retry_budget": 5.0}

#: Data the client refuses, what the emulator says of it, what the client says.
BAD: list[tuple[Any, str, str]] = [
    ([{"state": "OPEN"}], "record 1 has no id", "record 1 of the page has no id"),
    (
        [{"id": "a1"}, {"id": "a1"}],
        "record 2 (id 'a1') repeats the id of record 1",
        "a page that repeats an id (records 1 and 2)",
    ),
    (
        [{"id": "x"}, {"id": 5}],
        "record 2 has an id that is a number (5), not a string",
        "record 2 of the page has an id that is a number (5), not a string",
    ),
    ([{"id": ""}], "record 1 has an empty id", "record 1 of the page has an empty id"),
    ([{"id": None}], "record 1 has an id that is null", "of the page has an id that is null"),
]


def emulator_run(tmp_path: Path, text: str, name: str = "data.json") -> Any:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, CliRunner().invoke(main, ["emulator", "--port", "0", "--data", str(path)], env={})


@pytest.mark.parametrize(("data", "said", "_"), BAD)
def test_the_emulator_refuses_at_start_what_its_client_refuses(
    tmp_path: Path, data: Any, said: str, _: str
) -> None:
    """These were served ("listening"), and failed only at `cqlang fetch`
    time with exit 3, blaming the API; an empty id was fetched."""
    path, run = emulator_run(tmp_path, json.dumps(data))
    assert run.exit_code == 2, run.output
    assert "listening" not in run.output and "Traceback" not in run.output
    assert run.stderr.startswith(f"cqlang: emulator: {path}: {said}"), run.stderr
    with pytest.raises(ValueError, match="record"):
        Emulator(data=data)
    with pytest.raises(ValueError, match=r"data\["):
        Emulator(data={DEFAULT_CAMPAIGN: data})


@pytest.mark.parametrize(("data", "_", "said"), BAD)
def test_the_client_refuses_the_same_records(data: Any, _: str, said: str) -> None:
    body = json.dumps({"data": data}).encode()
    with Hostile(answer(200, body)) as server, Client(server.url, "k", **FAST) as c:
        with pytest.raises(ResponseFormatError) as info:
            list(c.voice_campaign_requests(DEFAULT_CAMPAIGN))
        assert len(server.requests) == 2  # retried once
    assert said in str(info.value)


def test_a_jsonl_file_names_the_record_in_file_order(tmp_path: Path) -> None:
    lines = ['{"id": "a"}', "", '{"id": "b", "voice_campaign_id": "c2"}', '{"id": "b"}', "{}"]
    path, run = emulator_run(tmp_path, "\n".join(lines), "data.jsonl")
    assert run.exit_code == 2
    # "b" twice in two campaigns is fine (the client fetches one campaign at a time).
    assert f"{path}: record 4 has no id" in run.stderr


def test_a_record_that_is_not_an_object_is_named(tmp_path: Path) -> None:
    path, run = emulator_run(tmp_path, '[{"id": "a"}, 7]')
    assert run.exit_code == 2
    assert f"{path}: record 2 is not a JSON object (it is a number)" in run.stderr


@pytest.mark.parametrize("text", ["", "  \n\n"])
def test_an_empty_file_is_an_error_not_zero_records(tmp_path: Path, text: str) -> None:
    """A 0-byte file was served as zero records without a word."""
    path, run = emulator_run(tmp_path, text)
    assert run.exit_code == 2 and "listening" not in run.output
    assert f"{path}: empty, not JSON" in run.stderr and "write []" in run.stderr


def test_an_empty_list_still_means_no_records(tmp_path: Path) -> None:
    path = tmp_path / "none.json"
    path.write_text("[]", encoding="utf-8")
    with Emulator(data=path) as emu:
        assert emu.records() == []


records = st.lists(
    st.one_of(
        st.fixed_dictionaries({"id": st.text(max_size=3)}),
        st.fixed_dictionaries({"id": st.one_of(st.integers(), st.none(), st.booleans())}),
        st.just({}),
        st.integers(),
    ),
    max_size=6,
)


@given(records)
def test_record_ids_accepts_exactly_the_records_id_problem_accepts(recs: list[Any]) -> None:
    each_ok = all(id_problem(r) is None for r in recs)
    ids = [r["id"] for r in recs] if each_ok else []
    try:
        got = record_ids(recs)
    except RecordIdError as exc:
        assert not each_ok or len(set(ids)) < len(ids)
        if exc.first is None:
            assert id_problem(recs[exc.index]) == exc.problem
        else:
            assert recs[exc.first]["id"] == recs[exc.index]["id"]
    else:
        assert each_ok and got == ids and len(set(got)) == len(got)
