"""One resolution of a query's settings for every door (issue 11, items 9
and 13): FetchSpec from `Config.prepare`, the bound on requests
(`--max-branches`, `max_branches` in the config and a named query) and
CQL204's hint naming the setting that applies where it is shown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner, Result

import cqlang
from cqlang.cli import main
from cqlang.config import Config, ConfigError
from cqlang.config.fetchspec import Settings, prepare
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator

#: Needs 3 requests.
THREE = "priority = 1 or state = OPEN or custom.a = b"

CONFIG = f"""
[connection]
campaign = "{DEFAULT_CAMPAIGN}"
page_size = 25
max_branches = 2

[queries.three]
query = "{THREE}"
max_branches = 3

[queries.three_plain]
query = "{THREE}"

[queries.hot]
query = "priority >= $min and state = OPEN"
params = {{ min = 50 }}
exclude = ["history", "custom"]
limit = 4
campaign = "{DEFAULT_CAMPAIGN}"
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "cqlang.toml"
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("CQLANG_CONFIG", str(path))
    for var in ("CONPEEK_URL", "CONPEEK_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    yield path


def run(*args: str, **env: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env or None)


# ------------------------------------------------------------ resolution


def test_prepare_resolves_option_then_named_query_then_connection() -> None:
    named = Config().queries  # empty: a duck-typed named query works too

    class Named:
        text = "priority > $p"
        params = MappingProxyType({"p": 3})
        campaign = "c-named"
        exclude = ("history",)
        limit = 7
        timezone = "Europe/Warsaw"
        max_branches = 5

    queries = {**named, "a": Named()}
    conn = Settings(campaign="c-conn", timezone="UTC", page_size=250, max_branches=9)
    spec = prepare("@a", queries=queries, defaults=conn)
    assert (spec.text, spec.campaign, spec.exclude, spec.limit) == (
        "priority > $p",
        "c-named",
        ("history",),
        7,
    )
    assert (spec.tz, spec.page_size, spec.max_branches, dict(spec.params)) == (
        "Europe/Warsaw",
        250,
        5,
        {"p": 3},
    )
    given = prepare(
        "@a",
        queries=queries,
        defaults=conn,
        campaign="c-opt",
        exclude=[],
        limit=1,
        tz="UTC",
        params={"p": "4"},
        page_size=10,
        max_branches=40,
    )
    assert (given.campaign, given.exclude, given.limit, given.tz) == ("c-opt", (), 1, "UTC")
    assert (given.page_size, given.max_branches, dict(given.params)) == (10, 40, {"p": "4"})
    plain = prepare("@a and state = OPEN", queries=queries, defaults=conn)
    assert (plain.named, plain.campaign, plain.exclude, plain.max_branches) == (
        None,
        "c-conn",
        None,
        9,
    )
    assert prepare("state = OPEN").max_branches == 32


def test_config_max_branches_is_validated(tmp_path: Path) -> None:
    for table in ("[connection]", "[profiles.p]", "[queries.q]\nquery = 'state = OPEN'"):
        for value, words in (("0", "at least 1"), ("'x'", "expected an integer")):
            path = tmp_path / "c.toml"
            path.write_text(f"{table}\nmax_branches = {value}\n", encoding="utf-8")
            with pytest.raises(ConfigError, match=words):
                Config.load(path)


def test_named_query_and_connection_bound_the_requests(config: Path) -> None:
    cfg = Config.load()
    assert cfg.connection().max_branches == 2
    assert cfg.queries["three"].plan().requests == 3  # its own max_branches = 3
    with pytest.raises(cqlang.CqlPlanError):
        cfg.queries["three_plain"].plan()  # the connection's 2
    assert cfg.queries["three_plain"].plan(max_branches=3).requests == 3
    assert cfg.prepare("@three").plan().requests == 3
    assert cfg.prepare(THREE, max_branches=3).plan().requests == 3
    with pytest.raises(cqlang.CqlPlanError):
        cfg.prepare(THREE).plan()


# --------------------------------------------------------- command line


@pytest.mark.parametrize("command", ["explain", "check", "fetch", "compile"])
def test_every_planning_command_takes_max_branches(config: Path, command: str) -> None:
    args = [command, THREE]
    refused = run(*args)
    assert refused.exit_code == 1, refused.output
    assert "error[CQL204]" in refused.stderr and "the limit is 2" in refused.stderr
    assert "raise the limit with --max-branches N" in refused.stderr
    raised = run(*args, "--max-branches", "3")
    if command in ("explain", "check"):
        assert raised.exit_code == 0, raised.output
    elif command == "compile":  # planned now; refused as needing 3 requests, not as too many
        assert raised.exit_code == 1 and "CQL202" in raised.stderr and "CQL204" not in raised.stderr
    else:  # fetch: planned, then refused for want of a key (nothing was sent)
        assert raised.exit_code == 2 and "no API base URL" in raised.stderr, raised.output


def test_a_named_querys_max_branches_applies_on_the_command_line(config: Path) -> None:
    assert run("explain", "@three").exit_code == 0
    assert run("explain", "@three_plain").exit_code == 1
    assert run("queries", "show", "three_plain", "--max-branches", "3").exit_code == 0
    show = run("queries", "show", "three")
    assert show.exit_code == 0 and "max_branches 3" in show.stdout


def test_check_json_carries_the_bound_as_data(config: Path) -> None:
    result = run("check", "--json", THREE)
    (diag,) = json.loads(result.stdout)
    assert diag["code"] == "CQL204"
    assert diag["facts"] == {"limit": 2, "requests": 3}
    assert diag["hint"] == "narrow the 'or's, or raise the limit with --max-branches N"
    plain = json.loads(run("check", "--json", "prioirty > 3").stdout)
    assert "facts" not in plain[0]


def test_cql204_hint_in_python_and_in_queries_check(config: Path) -> None:
    with pytest.raises(cqlang.CqlPlanError) as info:
        cqlang.plan(THREE, max_branches=2)
    (diag,) = info.value.diagnostics
    assert diag.hint == "narrow the 'or's, or raise the limit with max_branches=N"
    assert diag.fact("limit") == 2 and diag.fact("requests") == 3
    lint = run("queries", "check")
    assert lint.exit_code == 1
    assert "raise the limit with max_branches = N in the query's table" in lint.stderr
    assert "(query 'three_plain')" in lint.stderr and "(query 'three')" not in lint.stderr


def test_compile_url_keeps_a_named_querys_exclude_and_limit(config: Path) -> None:
    base = "https://api.example.com"
    result = run("compile", "--format", "url", "--base-url", base, "@hot")
    assert result.exit_code == 0, result.output
    url = urlsplit(result.stdout.strip())
    assert url.path == f"/voice_campaign/{DEFAULT_CAMPAIGN}/request"
    query = parse_qs(url.query)
    assert query["exclude"] == ['["history","custom"]'] and query["limit"] == ["4"]
    assert json.loads(query["filter"][0])[0]["value"] == 50
    over = run(
        "compile",
        "--format",
        "url",
        "--base-url",
        base,
        "@hot",
        "--exclude",
        "",
        "--limit",
        "20000",
    )
    query = parse_qs(urlsplit(over.stdout.strip()).query)
    # The first page's URL, as the client sends it: the connection's page
    # size (25) asked, with a warning that fetch pages on for the rest.
    assert "exclude" not in query and query["limit"] == ["25"] and query["offset"] == ["0"]
    assert "pages on for all 20,000" in over.stderr
    assert run("compile", "--exclude", "id", "state = OPEN").exit_code == 2


@pytest.mark.emulator(records=300, seed=1)
def test_fetch_uses_the_named_query_and_the_connections_page_size(
    config: Path, emulator: Emulator
) -> None:
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": "demo-key"}
    result = run("fetch", "--format", "jsonl", "--retries", "0", "priority >= 90", **env)
    assert result.exit_code == 0, result.output
    limits = {parse_qs(urlsplit(r.target).query)["limit"][0] for r in emulator.log}
    assert limits == {"25", "27"}  # the connection's page_size (and the 2-record overlap)
    named = run("fetch", "--format", "jsonl", "--retries", "0", "@hot", **env)
    rows = [json.loads(line) for line in named.stdout.splitlines()]
    assert len(rows) == 4 and all(r["priority"] >= 50 and r["state"] == "OPEN" for r in rows)
    assert not any("custom" in r or "history" in r for r in rows)


@pytest.mark.emulator(records=300, seed=1)
def test_a_spec_fetches_with_its_settings_in_python(config: Path, emulator: Emulator) -> None:
    spec = Config.load().prepare("@hot", params={"min": 90})
    with cqlang.Client(emulator.url, "demo-key") as client:
        rows = list(spec.fetch(client))
        fewer = list(spec.fetch(client, limit=2))
    assert len(rows) == 4 and all(r["priority"] >= 90 for r in rows)
    assert fewer == rows[:2]
    assert not any("custom" in r for r in rows)


@pytest.mark.parametrize(
    ("key", "value", "least"),
    [
        ("page_size", 0, 1),
        ("page_size", -5, 1),
        ("max_branches", 0, 1),
        ("max_branches", -1, 1),
        ("limit", -1, 0),
    ],
)
def test_prepare_refuses_a_setting_below_its_least(key: str, value: int, least: int) -> None:
    """0 was taken for "not given" (page_size None, max_branches 32) and a
    negative failed only when fetching; the CLI and config files refuse
    both. prepare refuses them, as a SettingError (a ValueError)."""
    with pytest.raises(cqlang.errors.SettingError) as info:
        Config().prepare("state = OPEN", **{key: value})
    assert str(info.value) == f"{key} must be at least {least}, not {value}"
    assert info.value.setting == key and isinstance(info.value, ValueError)
    with pytest.raises(cqlang.errors.SettingError):
        prepare("state = OPEN", **{key: value})
    spec = Config().prepare("state = OPEN", **{key: least})
    assert getattr(spec, key) == least
