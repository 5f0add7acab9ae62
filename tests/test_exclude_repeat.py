"""`--exclude` is repeatable and cumulative (each adds its comma-separated
fields), on every command that has it; before, a repeated one silently
kept only the last."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import click
import pytest
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "cqlang.toml").write_text(
        f"[connection]\ncampaign = '{DEFAULT_CAMPAIGN}'\n"
        "[queries.q]\nquery = 'state = OPEN'\nexclude = ['history']\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CQLANG_CONFIG", str(tmp_path / "cqlang.toml"))
    monkeypatch.setenv("CONPEEK_KEY", "demo-key")
    monkeypatch.delenv("CONPEEK_URL", raising=False)
    monkeypatch.chdir(tmp_path)


def url_exclude(*args: str) -> list[str] | None:
    result = CliRunner().invoke(
        main, ["compile", "--format", "url", "--base-url", "http://h", *args]
    )
    assert result.exit_code == 0, result.output
    values = parse_qs(urlsplit(result.stdout.strip()).query).get("exclude")
    return json.loads(values[0]) if values else None


def test_compile_adds_every_exclude() -> None:
    assert url_exclude("--exclude", "history", "--exclude", "dialogs", "state = OPEN") == [
        "history",
        "dialogs",
    ]
    assert url_exclude(
        "--exclude", "history,dialogs", "--exclude", " call_history ", "--exclude", "history", ""
    ) == ["history", "dialogs", "call_history"]
    # Given: it replaces the named query's; '' alone excludes nothing.
    assert url_exclude("@q") == ["history"]
    assert url_exclude("--exclude", "dialogs", "@q") == ["dialogs"]
    assert url_exclude("--exclude", "", "@q") is None


def test_id_in_any_exclude_is_a_usage_error() -> None:
    result = CliRunner().invoke(
        main,
        [
            "compile",
            "--format",
            "url",
            "--base-url",
            "http://h",
            "--exclude",
            "history",
            "--exclude",
            "id",
            "",
        ],
    )
    assert result.exit_code == 2 and "--exclude cannot hold id" in result.stderr


@pytest.mark.emulator(records=50, seed=1)
def test_fetch_adds_every_exclude(emulator: Emulator) -> None:
    result = CliRunner().invoke(
        main,
        [
            "fetch",
            "--base-url",
            emulator.url,
            "--exclude",
            "history",
            "--exclude",
            "dialogs,call_history",
            "--limit",
            "5",
        ],
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 5
    for r in records:
        assert not {"history", "dialogs", "call_history"} & set(r)
        assert "state" in r


def test_every_exclude_option_is_repeatable() -> None:
    ctx = click.Context(main)  # the commands load lazily
    commands = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    found = [
        (name, p)
        for name, cmd in commands.items()
        if cmd is not None
        for p in cmd.params
        if isinstance(p, click.Option) and "--exclude" in p.opts
    ]
    assert {name for name, _ in found} >= {"compile", "fetch"}
    assert all(p.multiple for _, p in found)
