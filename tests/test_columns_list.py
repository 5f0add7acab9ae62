"""The column list (`--columns`, Python's `columns=`) split with the field
syntax's rules, and its errors worded for the front end that shows them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cqlang.errors import ColumnError
from cqlang.output.columns import fetch_exclude, parse_columns, split_columns


def test_commas_inside_brackets_or_quotes_belong_to_the_item() -> None:
    assert split_columns('id,custom["a,b"]') == ["id", 'custom["a,b"]']
    assert split_columns("id, custom['x, y'] ,state") == ["id", "custom['x, y']", "state"]
    assert split_columns('custom["a\\",b"],id') == ['custom["a\\",b"]', "id"]
    assert split_columns('"custom.a,b", id') == ["custom.a,b", "id"]
    assert split_columns('"say ""hi"", x"') == ['say "hi", x']
    names = [c.name for c in parse_columns("id,custom[\"a,b\"],custom['c d']")]
    assert names == ["id", "custom.a,b", "custom.c d"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('id,custom["a,b]', "never closed"),
        ("id,custom[x", "never closed"),
        ("id,,state", "item 2 is empty"),
        ('"id" x', "after its closing quote"),
    ],
)
def test_malformed_lists_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(ColumnError, match=words):
        parse_columns(text)


@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1), max_size=5))
def test_bracketed_keys_round_trip(keys: list[str]) -> None:
    import json

    spec = ",".join(["id", *(f"custom[{json.dumps(k)}]" for k in keys if k.strip())])
    want = ["id", *dict.fromkeys(f"custom.{k}" for k in keys if k.strip())]
    assert [c.name for c in parse_columns(spec)] == want


def test_errors_name_no_cli_option() -> None:
    for spec in ("id,bogus", " ", "custom[x]", 'id,"x'):
        with pytest.raises(ColumnError) as info:
            parse_columns(spec)
        assert "--" not in str(info.value), spec
    cols = parse_columns("id,history")
    with pytest.raises(ColumnError) as clash:
        fetch_exclude(cols, ["history"])
    assert "--" not in str(clash.value) and "history" in str(clash.value)
