"""The column list (`--columns`, Python's `columns=`) split with the field
syntax's rules, and its errors worded for the front end that shows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from cqlang.cli import main
from cqlang.errors import ColumnError
from cqlang.output.columns import ColumnWarning, fetch_exclude, parse_columns, split_columns
from cqlang.schema import DEFAULT_SCHEMA


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


@given(
    st.lists(
        st.text(st.characters(blacklist_categories=("Cs",)), min_size=1), max_size=5, unique=True
    )
)
def test_bracketed_keys_round_trip(keys: list[str]) -> None:
    import json

    spec = ",".join(["id", *(f"custom[{json.dumps(k)}]" for k in keys if k.strip())])
    want = ["id", *(f"custom.{k}" for k in keys if k.strip())]
    assert [c.name for c in parse_columns(spec)] == want


def test_errors_name_no_cli_option() -> None:
    for spec in (" ", "custom[x]", 'id,"x', "id,id", "custom."):
        with pytest.raises(ColumnError) as info:
            parse_columns(spec)
        assert "--" not in str(info.value), spec
    with pytest.raises(ColumnError) as strict:
        parse_columns("id,bogus", DEFAULT_SCHEMA.with_custom_fields({}, strict=True))
    assert "--" not in str(strict.value)
    with pytest.warns(ColumnWarning) as warned:
        parse_columns("id,bogus")
    assert "--" not in str(warned[0].message)
    cols = parse_columns("id,history")
    with pytest.raises(ColumnError) as clash:
        fetch_exclude(cols, ["history"])
    assert "--" not in str(clash.value) and "history" in str(clash.value)


# ------------------------------------------- --columns against an exclude


def run(env: dict[str, str], *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == code, result.output
    return result


def config_env(tmp_path: Path, text: str) -> dict[str, str]:
    config = tmp_path / "cqlang.toml"
    config.write_text(text, encoding="utf-8")
    config.chmod(0o600)
    return {"CONPEEK_URL": "", "CONPEEK_KEY": "", "CQLANG_CONFIG": str(config)}


LIGHT = """
[connection]
campaign = "c1"
base_url = "http://127.0.0.1:9"

[queries.light]
query = "state = OPEN"
exclude = ["history"]

[queries.alias]
query = "@light"
"""


@pytest.mark.parametrize("name", ["light", "alias"])
def test_columns_against_a_named_exclude_suggests_overriding_it(tmp_path: Path, name: str) -> None:
    env = config_env(tmp_path, LIGHT)
    refused = run(env, "fetch", f"@{name}", "--columns", "id,history", "--dry-run", code=2)
    assert "@light" in refused.stderr and "--exclude ''" in refused.stderr
    # ... and that advice works:
    ok = run(env, "fetch", f"@{name}", "--columns", "id,history", "--exclude", "", "--dry-run")
    assert "GET " in ok.stdout
    mine = run(env, "fetch", "state = OPEN", "--exclude", "history", "--columns", "id,history",
               "--dry-run", code=2)  # fmt: skip
    assert "--exclude leaves out" in mine.stderr and "--exclude ''" not in mine.stderr
