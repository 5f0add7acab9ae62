"""The edges of writing records out: binary output refused on any
terminal, numbers JSON cannot hold (refused on the way in, never written),
nothing written before the first record, CSV's null apart from the empty
string and its `custom` column as it came, the emulator's JSON Lines of
one record, Python's column error in words."""

from __future__ import annotations

import csv
import io
import os
import select
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hostile import Hostile, answer

import cqlang
from cqlang import jsonlimit
from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator, load_records
from cqlang.errors import ColumnError, OutputError, OutputSettingError, ResponseFormatError
from cqlang.evaluator import custom_fields
from cqlang.output.columns import decode_custom
from cqlang.output.target import check_binary, is_terminal
from cqlang.output.writers import make_writer, write_all

KEY = "demo-key"


def fetch(url: str, tmp_path: Path, *args: str) -> Result:
    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    env = {"CONPEEK_URL": url, "CONPEEK_KEY": KEY, "CQLANG_CONFIG": str(config)}
    return CliRunner().invoke(
        main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--retries", "0", *args], env=env
    )


# ------------------------------------------------------------------ item 2


class Terminal:
    """A pseudo-terminal whose other side is read by a thread, so that
    whatever reaches it is kept (and a write to it never blocks): ``tty``
    is the terminal's descriptor, ``received()`` what came through."""

    def __init__(self) -> None:
        self.control, self.tty = os.openpty()
        self.chunks: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        for _ in range(3000):  # at most some 5 minutes, in 0.1 s steps
            if self.stop.is_set():
                return
            ready, _, _ = select.select([self.control], [], [], 0.1)
            if ready:
                try:
                    self.chunks.append(os.read(self.control, 65536))
                except OSError:
                    return

    def received(self) -> bytes:
        time.sleep(0.2)  # what was written is read by now
        return b"".join(self.chunks)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        os.close(self.control)
        os.close(self.tty)


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    term = Terminal()
    try:
        yield term
    finally:
        term.close()


@pytest.mark.parametrize("fmt", ["parquet", "arrow"])
def test_binary_output_to_any_terminal_is_refused_before_any_request(
    emulator: Emulator, tmp_path: Path, terminal: Terminal, fmt: str
) -> None:
    tty = terminal.tty
    for target in (os.ttyname(tty), f"/dev/fd/{tty}", f"/proc/self/fd/{tty}"):
        result = fetch(emulator.url, tmp_path, "--format", fmt, "-o", target)
        assert result.exit_code == 2, (target, result.output)
        assert "binary format, not for" in result.output and "a terminal" in result.output
    assert emulator.request_count == 0
    assert terminal.received() == b""  # nothing reached the terminal


def test_only_a_terminal_is_refused(tmp_path: Path, terminal: Terminal) -> None:
    tty = terminal.tty
    assert is_terminal(os.ttyname(tty)) and is_terminal(f"/dev/fd/{tty}")
    assert not is_terminal("/dev/null") and not is_terminal(str(tmp_path / "x.parquet"))
    assert not is_terminal(str(tmp_path))
    check_binary("parquet", "/dev/null", False)
    check_binary("jsonl", os.ttyname(tty), False)  # text may go to a terminal
    with pytest.raises(OutputSettingError, match="binary format"):
        check_binary("arrow", os.ttyname(tty), False)


def test_the_repl_writes_text_to_a_terminal_named_like_a_binary_file(
    terminal: Terminal, tmp_path: Path
) -> None:
    from cqlang.repl.commands import Dispatcher
    from cqlang.repl.session import Session

    tty = terminal.tty
    link = tmp_path / "screen.parquet"  # an extension that names parquet
    link.symlink_to(os.ttyname(tty))
    dispatcher = Dispatcher(Session())
    reply = dispatcher.handle(f"\\o {link}")
    # A device has no format of its own: JSON Lines, text, which may go there.
    assert reply.ok and "(jsonl)" in reply.text


# ------------------------------------------------------------------ item 3


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("NaN", "NaN is not a JSON number at data[1].priority"),
        ("-Infinity", "-Infinity is not a JSON number at data[1].priority"),
        ("1e400", "1e400 is beyond the range of a double (about 1.8e308) at data[1].priority"),
    ],
)
def test_a_page_with_a_number_no_double_holds_is_a_format_error(
    number: str, words: str, tmp_path: Path
) -> None:
    body = ('{"data":[{"id":"a"},{"id":"b","priority":' + number + "}]}").encode()
    with Hostile(answer(200, body)) as server:
        client = cqlang.Client(server.url, KEY, max_retries=1)
        with client, pytest.raises(ResponseFormatError) as info:
            list(client.voice_campaign_requests(DEFAULT_CAMPAIGN))
        assert words in str(info.value)
        assert len(server.requests) == 2  # retried once, as any JSON with a mistake
        result = fetch(server.url, tmp_path, "--format", "jsonl")
    assert result.exit_code == 3 and words in result.output
    assert "Infinity\n" not in result.stdout and "NaN" not in result.stdout


def test_jsonlimit_reads_finite_numbers_as_before() -> None:
    assert jsonlimit.loads(b'{"a": [1.5, 2e3, -0.0, 1e-400, 12345678901234567890]}') == {
        "a": [1.5, 2000.0, -0.0, 0.0, 12345678901234567890]
    }
    with pytest.raises(jsonlimit.NotFinite, match=r'^NaN is not a JSON number at \["x y"\]'):
        jsonlimit.loads('{"x y": NaN}')
    with pytest.raises(jsonlimit.NotFinite, match=r"^Infinity is not a JSON number$"):
        jsonlimit.loads('{"a": Infinity, "a": 1}')  # replaced by the repeated key


@pytest.mark.parametrize("custom", ['{"x": NaN, "r": "PL"}', '{"x": 1e400, "r": "PL"}'])
def test_a_custom_holding_no_json_number_is_no_custom_fields_everywhere(
    custom: str, emulator_factory: Any, tmp_path: Path
) -> None:
    record = {"id": "a", "custom": custom}
    assert custom_fields(record) == {}
    assert decode_custom(record) == ({}, False)
    emu = emulator_factory(data=[record, {"id": "b", "custom": '{"x": 1.50, "r": "PL"}'}])
    jsonl = fetch(emu.url, tmp_path, "--columns", "id,custom.x", "--format", "jsonl")
    assert jsonl.exit_code == 0, jsonl.output
    assert jsonl.stdout.splitlines() == [
        '{"id": "a", "custom.x": null}',
        '{"id": "b", "custom.x": 1.50}',  # as it was sent
    ]
    as_csv = fetch(emu.url, tmp_path, "--format", "csv")
    assert as_csv.exit_code == 0 and "Infinity" not in as_csv.stdout
    assert next(csv.DictReader(io.StringIO(as_csv.stdout)))["custom"] == custom  # as it came


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_a_writer_given_a_nan_from_python_refuses_it_in_words(fmt: str) -> None:
    out = io.StringIO()
    writer = make_writer(fmt, out)
    records = [{"id": "a", "priority": 1}, {"id": "b", "history": [{"x": float("inf")}]}]
    with pytest.raises(OutputError, match=r"^record 2 holds inf at history\[0\]\.x, which JSON"):
        write_all(records, writer)
    assert "Infinity" not in out.getvalue()


def test_the_emulator_refuses_such_numbers_at_start(tmp_path: Path) -> None:
    data = tmp_path / "nan.json"
    data.write_text('[{"id": "a"}, {"id": "b", "priority": Infinity}]', encoding="utf-8")
    with pytest.raises(ValueError, match=r"Infinity is not a JSON number at \[1\]\.priority"):
        load_records(data)
    lines = tmp_path / "nan.jsonl"
    lines.write_text('{"id": "a"}\n{"id": "b", "priority": 1e999}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"nan.jsonl:2: .*1e999 is beyond the range"):
        load_records(lines)
    with pytest.raises(ValueError, match=r"record 2 \(id 'b'\): nan is not a JSON number"):
        Emulator(data=[{"id": "a"}, {"id": "b", "custom": None, "x": [float("nan")]}])
    result = CliRunner().invoke(main, ["emulator", "--port", "0", "--data", str(data)])
    assert result.exit_code == 2 and "Infinity is not a JSON number" in result.output


# ------------------------------------------------------------------ item 4


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "table"])
def test_a_fetch_that_fails_first_writes_nothing(tmp_path: Path, fmt: str) -> None:
    with Hostile(answer(500, b'{"error": "down"}')) as server:
        result = fetch(server.url, tmp_path, "--format", fmt, "--retry-budget", "0")
    assert result.exit_code == 3, result.output
    assert result.stdout == ""


@pytest.mark.parametrize(("fmt", "empty"), [("csv", None), ("json", "[]\n"), ("jsonl", "")])
def test_an_empty_success_still_finishes_the_output(
    emulator: Emulator, tmp_path: Path, fmt: str, empty: str | None
) -> None:
    result = fetch(emulator.url, tmp_path, "priority > 100", "--format", fmt)
    assert result.exit_code == 0
    if empty is None:
        assert result.stdout.startswith("id,name,") and result.stdout.count("\n") == 1
    else:
        assert result.stdout == empty


# --------------------------------------------------------------- items 6, 7


def test_csv_writes_an_empty_string_quoted_and_null_empty(
    emulator_factory: Any, tmp_path: Path
) -> None:
    records = [
        {"id": "a", "name": "", "case_id": None, "custom": '{"amount": 12.50, "note": ""}'},
        {"id": "b", "name": "x,y", "case_id": "c", "custom": '{"amount": 1}'},
    ]
    emu = emulator_factory(data=records)
    result = fetch(emu.url, tmp_path, "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    header = lines[0].split(",")
    first = lines[1].split(",", len(header) - 2)  # the custom cell holds commas
    assert first[header.index("name")] == '""'
    assert first[header.index("case_id")] == ""
    assert first[header.index("contact_number")] == ""  # a field the record lacks: null
    # The last column is `custom` exactly as it came: 12.50 stays 12.50.
    assert lines[1].endswith(',"{""amount"": 12.50, ""note"": """"}"')
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["custom"] == records[0]["custom"] and rows[1]["name"] == "x,y"
    picked = fetch(emu.url, tmp_path, "--format", "csv", "--columns", "id,name,custom")
    assert picked.stdout.splitlines()[1] == 'a,"","{""amount"": 12.50, ""note"": """"}"'


def test_both_ways_of_writing_a_row_quote_alike() -> None:
    from cqlang.output.columns import parse_columns

    out = io.StringIO()
    writer = make_writer("csv", out, columns=parse_columns("id,name,case_id"))
    write_all(
        [
            {"id": "a", "name": "", "case_id": None},  # written by cqlang (an empty string)
            {"id": "b", "name": 'q"', "case_id": "x\ny"},  # by the csv module
            {"id": "c,d", "name": "", "case_id": 'r\r"'},
        ],
        writer,
    )
    assert out.getvalue() == ('id,name,case_id\r\na,"",\r\nb,"q""","x\ny"\r\n"c,d","","r\r"""\r\n')
    one = io.StringIO()
    write_all([{"id": None}, {"id": ""}], make_writer("csv", one, columns=parse_columns("id")))
    assert one.getvalue() == 'id\r\n""\r\n""\r\n'  # one null cell alone: the csv module's ""


def test_a_csv_with_declared_custom_fields_keeps_custom_as_it_came(
    emulator_factory: Any, tmp_path: Path
) -> None:
    emu = emulator_factory(data=[{"id": "a", "custom": '{"amount": 12.50, "r": "PL"}'}])
    config = tmp_path / "cfg.toml"
    config.write_text("[schema.custom_fields]\nr = 'string'\n", encoding="utf-8")
    env = {"CONPEEK_URL": emu.url, "CONPEEK_KEY": KEY, "CQLANG_CONFIG": str(config)}
    result = CliRunner().invoke(
        main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--format", "csv"], env=env
    )
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert row["custom.r"] == "PL" and row["custom"] == '{"amount": 12.50, "r": "PL"}'


# ----------------------------------------------------------------- item 11


def test_the_emulator_reads_a_json_lines_file_of_one_record(
    tmp_path: Path, emulator_factory: Any
) -> None:
    one = tmp_path / "one.jsonl"
    one.write_text('{"id":"a"}\n', encoding="utf-8")
    assert load_records(one) == [{"id": "a"}]
    lone = tmp_path / "one.json"
    lone.write_text('{"id": "a", "state": "OPEN"}', encoding="utf-8")
    assert load_records(lone) == [{"id": "a", "state": "OPEN"}]
    envelope = tmp_path / "bad.json"
    envelope.write_text('{"data": {"id": "a"}}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"\{'data': \[\.\.\.\]\}"):
        load_records(envelope)
    listed = tmp_path / "list.jsonl"  # a .jsonl file is JSON Lines, whatever it holds
    listed.write_text('[{"id": "a"}]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"list\.jsonl:1: expected a JSON object"):
        load_records(listed)
    emu = emulator_factory(data=str(one))
    got = list(cqlang.Client(emu.url, KEY).voice_campaign_requests(DEFAULT_CAMPAIGN))
    assert [r["id"] for r in got] == ["a"]


# ----------------------------------------------------------------- item 13


def test_python_words_a_column_the_exclude_leaves_out(emulator: Emulator) -> None:
    client = cqlang.Client(emulator.url, KEY)
    with pytest.raises(ColumnError) as info:
        client.to_arrow(DEFAULT_CAMPAIGN, columns="id,history", exclude=["history"])
    assert str(info.value) == (
        "columns= asks for history, which exclude= leaves out: name it in only one of them"
    )
    assert emulator.request_count == 0


def test_the_python_example_of_config_md_runs_as_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = Path(__file__).resolve().parent.parent
    text = (root / "docs" / "config.md").read_text(encoding="utf-8")
    section = text[text.index("## In Python") :]
    start = section.index("```python\n") + len("```python\n")
    code = section[start : section.index("\n```", start)]
    monkeypatch.chdir(root)
    monkeypatch.setenv("CONPEEK_PROD_KEY", "a-production-key")
    monkeypatch.delenv("CQLANG_CONFIG", raising=False)
    namespace: dict[str, Any] = {}
    exec(compile(code, "config.md", "exec"), namespace)  # the docs' own text
    assert namespace["client"].base_url == "https://api-eu1.cloud.conpeek.com"
