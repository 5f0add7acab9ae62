"""Legitimate input the strict checks of this round must not refuse or
alter (a review for false positives): tuples where a filter list goes,
raw U+2028 and a byte order mark in emulator data files, the marks of
right-to-left text."""

from __future__ import annotations

import json
from pathlib import Path

import requests

import cqlang
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.formatter import quote
from cqlang.visible import json_text, visible


def test_decompile_takes_tuples_as_encode_does() -> None:
    filters = ({"property": "priority", "operator": "gte", "value": 3},)
    assert cqlang.decompile(filters) == cqlang.decompile(list(filters)) == "priority >= 3"
    assert cqlang.decompile(()) == ""
    both = [{"property": "state", "value": ("OPEN", "CLOSED")}]
    assert cqlang.decompile(both) == "state in (OPEN, CLOSED)"


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


def test_the_marks_of_right_to_left_text_are_kept() -> None:
    text = "رقم\u200f 123 \u200eabc\u061c"
    assert visible(text) == text
    assert json.loads(json_text({"v": text})) == {"v": text} and "\\u200f" not in json_text(text)
    assert quote(text) == '"' + text + '"'
    # What reorders the rest of a line is still drawn.
    assert visible("a\u202eb") == "a<U+202E>b"
