"""Review fixes: one check of the names in an exclude list, for a config
file's named query, --exclude, the REPL and the Python client: text with
no blanks around it, not empty, not id (cqlang.encoding.exclude_problem)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cqlang
from cqlang.cli import main
from cqlang.client import Client
from cqlang.encoding import exclude_problem


@pytest.mark.parametrize("name", [" id ", "", "  ", " history", "id", 3])
def test_exclude_problem_refuses_what_names_no_field(name: object) -> None:
    assert exclude_problem(name) is not None


def test_exclude_problem_takes_a_field_name() -> None:
    assert exclude_problem("history") is None
    assert exclude_problem("custom.region") is None


@pytest.mark.parametrize("bad", [" id ", "", " history"])
def test_a_config_exclude_that_names_no_field_is_a_mistake(bad: str, tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        f'[queries.q]\nquery = "state = OPEN"\nexclude = ["history", "{bad}"]\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--config", str(path), "queries", "check"])
    assert result.exit_code == 2, result.output
    assert "queries.q.exclude[1]" in result.output
    with pytest.raises(cqlang.ConfigError):
        cqlang.Config.load(path)


def test_the_cli_trims_and_refuses_id_as_before() -> None:
    result = CliRunner().invoke(
        main, ["fetch", "--dry-run", "--campaign", "c1", "--exclude", " id ", "state = OPEN"]
    )
    assert result.exit_code == 2 and "cannot hold id" in result.output


@pytest.mark.parametrize("bad", [" id ", "", " history"])
def test_the_client_refuses_a_name_that_names_no_field(bad: str) -> None:
    with Client("http://127.0.0.1:9", api_key="k") as c, pytest.raises(ValueError, match="exclude"):
        list(c.voice_campaign_requests("c1", "state = OPEN", exclude=["history", bad]))


def test_the_repl_refuses_a_named_exclude_with_blanks() -> None:
    from cqlang.repl import Dispatcher, Session

    class Bad:
        name = "bad"
        text = "state = OPEN"
        params: dict[str, Any] = {}  # noqa: RUF012
        campaign = "c1"
        exclude = (" history",)

    d = Dispatcher(Session(queries={"bad": Bad()}, base_url="http://127.0.0.1:9", api_key="k"))
    assert d.handle("@bad").ok
    reply = d.handle("\\fetch")
    assert not reply.ok
    assert "exclude cannot hold ' history' (the exclude of @bad)" in reply.text


def test_id_is_refused_in_one_wording_by_every_front_end(tmp_path: Path) -> None:
    """--exclude reads its names with argcheck.exclude_names, as the Python
    client does, and every refusal of id gives the same reason."""
    from cqlang.encoding import ID_REASON

    result = CliRunner().invoke(
        main, ["fetch", "--dry-run", "--campaign", "c1", "--exclude", "history, id", "state = OPEN"]
    )
    assert result.exit_code == 2
    assert f"--exclude cannot hold id: {ID_REASON}" in result.output
    with pytest.raises(cqlang.errors.SettingError) as info:
        Client("http://127.0.0.1:9", "k").voice_campaign_requests("c1", exclude=["id"])
    assert str(info.value) == f"exclude cannot hold id: {ID_REASON}"
    assert exclude_problem("id") == f"'id' cannot be excluded: {ID_REASON}"
