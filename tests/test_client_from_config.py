"""`Client.from_config`: the connection of a config file, over real HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cqlang
from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator


def test_client_from_config_fetches_with_the_key_named_by_api_key_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Emulator(records=50, seed=3, api_key="key-from-env") as emu:
        path = tmp_path / "cqlang.toml"
        path.write_text(
            f'[connection]\nbase_url = "{emu.url}"\napi_key_env = "CQLANG_TEAM_KEY"\n',
            encoding="utf-8",
        )
        monkeypatch.delenv("CONPEEK_URL", raising=False)
        monkeypatch.delenv("CONPEEK_KEY", raising=False)
        monkeypatch.setenv("CQLANG_TEAM_KEY", "key-from-env")
        client = cqlang.Client.from_config(cqlang.Config.load(path))
        records: list[dict[str, Any]] = list(
            client.voice_campaign_requests(DEFAULT_CAMPAIGN, "state = OPEN")
        )
        expected = [r for r in emu.records(DEFAULT_CAMPAIGN) if r["state"] == "OPEN"]
        assert sorted(r["id"] for r in records) == sorted(r["id"] for r in expected)
        assert "key-from-env" not in repr(client)


@pytest.mark.parametrize("config", [None, "cqlang.toml", 42])
def test_from_config_without_a_config_is_a_type_error(config: Any) -> None:
    """Not an AttributeError from deep inside: a TypeError that says what it
    takes (and, for None, what to do instead)."""
    with pytest.raises(TypeError) as info:
        cqlang.Client.from_config(config)
    message = str(info.value)
    assert message.startswith("Client.from_config() takes a config")
    assert f"not {type(config).__name__}" in message
    assert ("cqlang.Config.load()" in message) == (config is None)


def test_a_refused_key_names_the_profile_and_variable_it_came_from(
    tmp_path: Path, emulator: Emulator
) -> None:
    """`cqlang fetch --profile prod` against a server that refuses the key:
    the message names $CQLANG_PROD_KEY, api_key_env and the line that set it
    (the key itself nowhere, nor a generic 'check CONPEEK_KEY')."""
    path = tmp_path / "cqlang.toml"
    path.write_text(
        f'[profiles.prod]\nbase_url = "{emulator.url}"\napi_key_env = "CQLANG_PROD_KEY"\n',
        encoding="utf-8",
    )
    env = {"CQLANG_CONFIG": str(path), "CQLANG_PROD_KEY": "wrong-prod-key", "CONPEEK_KEY": "other"}
    args = ["fetch", "--profile", "prod", "--campaign", DEFAULT_CAMPAIGN, "--limit", "1"]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 3, result.output
    said = result.stderr
    assert "the API key from $CQLANG_PROD_KEY (named by api_key_env, " in said, said
    assert "[profiles.prod]) was refused" in said, said
    assert "wrong-prod-key" not in said and "CONPEEK_KEY" not in said
