"""Loose ends of the audit: filter errors quote values as JSON, config
files may start with a byte order mark, and a custom field's key may not
be empty (no query could name it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import cqlang
from cqlang.cli import main
from cqlang.config import Config, ConfigError, remove_query, save_query
from cqlang.schema import DEFAULT_SCHEMA, SchemaError

BOM = "\ufeff"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("CQLANG_CONFIG", "CONPEEK_URL", "CONPEEK_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)


# ---------------------------------------------- CQL304: values as JSON


@pytest.mark.parametrize(
    ("filters", "shown"),
    [
        ('[{"property": "priority", "value": [true]}]', "got [true]"),
        ('[{"property": "priority", "operator": "gte", "value": true}]', "got true"),
        ('[{"property": "state", "value": [null]}]', "got null"),
        ('[{"property": "state", "value": ["OPNE"]}]', 'got "OPNE"'),
        ('[{"property": "created_date", "operator": "gte", "value": {"a": 1}}]', 'got {"a": 1}'),
        ('[{"property": "contact_number", "value": 1.5}]', "got 1.5"),
    ],
)
def test_a_bad_value_is_quoted_as_json(filters: str, shown: str) -> None:
    with pytest.raises(cqlang.CqlError) as info:
        cqlang.decompile(filters)
    message = info.value.diagnostics[0].message
    assert message.endswith(shown), message
    assert "True" not in message and "None" not in message


def test_a_long_value_is_cut_short() -> None:
    with pytest.raises(cqlang.CqlError) as info:
        cqlang.decompile('[{"property": "priority", "value": ["' + "x" * 500 + '"]}]')
    message = info.value.diagnostics[0].message
    assert len(message) < 200 and message.endswith("…")


def test_a_bad_operator_is_quoted_as_json() -> None:
    with pytest.raises(cqlang.CqlError) as info:
        cqlang.decompile('[{"property": "created_date", "operator": true, "value": "x"}]')
    assert "operator true is not available" in info.value.diagnostics[0].message


# ------------------------------------------- a byte order mark in a config


def test_a_config_file_starting_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "cqlang.toml"
    path.write_text(BOM + '[queries]\nq = "state = OPEN"\n', encoding="utf-8")
    cfg = Config.load()
    assert cfg.queries["q"].text == "state = OPEN"
    result = CliRunner().invoke(main, ["compile", "@q"])
    assert result.exit_code == 0, result.output
    # Editing it keeps everything but the mark.
    save_query(path, "r", "priority > 1")
    remove_query(path, "q")
    assert path.read_text(encoding="utf-8") == "[queries]\n\n[queries.r]\nquery = 'priority > 1'\n"


def test_a_pyproject_starting_with_a_bom_is_found(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        BOM + '[tool.cqlang.queries]\nq = "state = OPEN"\n', encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["queries", "list"])
    assert result.exit_code == 0 and result.stdout.startswith("@q")


def test_a_bom_elsewhere_is_still_a_mistake(tmp_path: Path) -> None:
    (tmp_path / "cqlang.toml").write_text('[queries]\n\ufeffq = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cqlang\.toml:2:1: not valid TOML"):
        Config.load()


# --------------------------------------- an empty custom field's key


@pytest.mark.parametrize("key", ['""', '" "'])
def test_an_empty_custom_field_key_is_a_config_mistake(key: str, tmp_path: Path) -> None:
    path = tmp_path / "cqlang.toml"
    path.write_text(f'[schema.custom_fields]\nregion = "string"\n{key} = "string"\n')
    os.chmod(path, 0o600)
    with pytest.raises(ConfigError) as info:
        Config.load()
    shown = str(info.value)
    assert shown.startswith("cqlang.toml:3:1: schema.custom_fields")
    assert "a custom field's key cannot be" in shown and "CQL119" in shown
    result = CliRunner().invoke(main, ["compile", "state = OPEN"])
    assert result.exit_code == 2


def test_an_empty_custom_field_key_is_refused_in_python() -> None:
    for key in ("", "  "):
        with pytest.raises(SchemaError, match="cannot be empty or blank"):
            DEFAULT_SCHEMA.with_custom_fields({key: "string"})
