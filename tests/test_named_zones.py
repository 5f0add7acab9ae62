"""A named query's own `timezone` holds wherever it is inlined.

It used to be dropped as soon as `@NAME` was not the whole query: with
`wd = "created_date = 2026-10-25"` in Europe/Warsaw, `@wd` compiled to the
Warsaw day but `@wd and priority >= 0`, `@wd or @wd` and `not not @wd` to
the UTC day (or the connection's), and `cqlang.plan("@wd", Env(queries=...))`
too. The zone set nearest the top wins, as parameters do: `--tz` (the
caller's), else the outermost named query's own, else the connection's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import NOW, examples, query_texts, records

import cqlang
from cqlang.cli import main
from cqlang.config import Config
from cqlang.filterlists import compile_filters
from cqlang.planner import Plan

WD = 'created_date = 2026-10-25 or closed_date >= today - 1d or created_date = "2026-10-25 02:30"'
FORMS = ("@Q", "@Q or @Q", "@Q and @Q", "not not @Q", "(@Q)", "@Q and priority is not null")


@pytest.fixture(autouse=True)
def isolated(config_home: Path) -> Path:
    return config_home


def write_config(folder: Path, body: str, zone: str | None = "Asia/Tokyo") -> Config:
    head = f'[connection]\ntimezone = "{zone}"\n' if zone else ""
    path = folder / "cqlang.toml"
    path.write_text(head + body)
    path.chmod(0o600)
    return Config.load(path)


def named(name: str, text: str, zone: str | None = None, extra: str = "") -> str:
    quoted = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    table = f'[queries.{name}]\nquery = "{quoted}"\n'
    if zone:
        table += f'timezone = "{zone}"\n'
    return table + extra


def selects(plan: Plan, record: dict[str, Any]) -> bool:
    if plan.never_matches:
        return False
    hit = any(compile_filters(list(b), cqlang.DEFAULT_SCHEMA)(record) for b in plan.filters)
    return hit and (plan.residual is None or plan.residual.matches(record))


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_reported_forms_compile_to_the_warsaw_day(isolated: Path) -> None:
    (isolated / "cqlang.toml").write_text(named("wd", "created_date = 2026-10-25", "Europe/Warsaw"))
    lone = run("compile", "@wd")
    assert '"2026-10-24 22:00:00"' in lone and '"2026-10-25 22:59:59"' in lone
    for form in ("@wd or @wd", "not not @wd", "(@wd)"):
        assert run("compile", form) == lone, form
    both = run("compile", "@wd and priority >= 0")
    assert both.startswith(lone.rstrip()[:-1]), both


def test_the_callers_zone_wins_everywhere_as_for_a_lone_reference(isolated: Path) -> None:
    (isolated / "cqlang.toml").write_text(named("wd", "created_date = 2026-10-25", "Europe/Warsaw"))
    lone = run("compile", "--tz", "UTC", "@wd")
    assert '"2026-10-25 00:00:00"' in lone
    assert run("compile", "--tz", "UTC", "@wd or @wd") == lone


def test_the_rest_of_the_query_keeps_the_connections_zone(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, named("wd", "created_date = 2026-10-25", "Europe/Warsaw"))
    got = cfg.prepare("@wd and closed_date = 2026-10-25").plan().filters[0]
    assert got == (
        {"property": "created_date", "operator": "gte", "value": "2026-10-24 22:00:00"},
        {"property": "created_date", "operator": "lte", "value": "2026-10-25 22:59:59"},
        {"property": "closed_date", "operator": "gte", "value": "2026-10-24 15:00:00"},
        {"property": "closed_date", "operator": "lte", "value": "2026-10-25 14:59:59"},
    )


def test_every_python_path_agrees(tmp_path: Path) -> None:
    cfg = write_config(
        tmp_path,
        named("wd", WD, "Europe/Warsaw") + named("plain", "created_date = 2026-10-25"),
        zone=None,
    )
    now = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    by_prepare = cfg.prepare("@wd").plan(now=now).filters
    assert cfg.queries["wd"].plan(now=now).filters == by_prepare
    env = cqlang.Env(queries=cfg.queries, schema=cfg.schema, now=now)
    assert cqlang.plan("@wd", env).filters == by_prepare
    assert cqlang.plan("@wd or @wd", env).filters == by_prepare
    frozen = cqlang.Env(queries=cfg.env_queries, schema=cfg.schema, now=now)
    assert cqlang.plan("not not @wd", frozen).filters == by_prepare
    # A named query without a zone takes the zone of where it is inlined.
    warsaw = cqlang.Env(queries=cfg.queries, tz="Europe/Warsaw")
    assert cqlang.compile("@plain", warsaw)[0]["value"] == "2026-10-24 22:00:00"
    # override_tz: the Env's zone inside named queries too (what --tz does).
    utc = cqlang.Env(queries=cfg.queries, now=now, override_tz=True)
    assert cqlang.plan("@wd", utc).filters == cfg.prepare("@wd", tz="UTC").plan(now=now).filters


def test_the_outermost_zone_wins_as_an_alias_does(tmp_path: Path) -> None:
    cfg = write_config(
        tmp_path,
        named("wd", "created_date = 2026-10-25", "Europe/Warsaw")
        + named("ny", "@wd", "America/New_York")
        + named("outer", "@wd and priority > 1", "America/New_York"),
    )
    lone = cfg.prepare("@ny").plan().filters
    assert lone[0][0]["value"] == "2026-10-25 04:00:00"  # New York's day
    assert cfg.prepare("@ny or @ny").plan().filters == lone
    assert cfg.prepare("@outer").plan().filters == cfg.prepare("@outer and @outer").plan().filters


def test_a_bad_zone_given_from_python_is_a_diagnostic_at_the_reference() -> None:
    queries = {"q": cqlang.env.NamedText("created_date = today", timezone="Mars/Olympus")}
    (d,) = cqlang.check("state = OPEN and @q", queries=queries, now=NOW)
    assert (d.code, d.start, d.end) == ("CQL108", 17, 19)
    assert "in @q: unknown time zone 'Mars/Olympus'" in d.message
    with pytest.raises(TypeError, match="the timezone of @q"):
        cqlang.Env(queries={"q": type("Q", (), {"text": "x = 1", "timezone": 3})()})


def test_a_composed_query_has_the_bound_of_the_run(tmp_path: Path) -> None:
    # Decided (docs/config.md, "Composition"): max_branches belongs to
    # running a named query alone, as campaign, exclude and limit do.
    wide = "priority = 1 or contact_try = 2 or consultant_try = 3"
    body = "[connection]\nmax_branches = 2\n" + named("wide", wide, extra="max_branches = 3\n")
    cfg = write_config(tmp_path, body, zone=None)
    assert cfg.prepare("@wide").max_branches == 3
    assert cfg.prepare("@wide").plan().requests == 3
    assert cfg.queries["wide"].plan().requests == 3
    composed = cfg.prepare("@wide and priority > 0")
    assert composed.max_branches == 2
    with pytest.raises(cqlang.CqlPlanError, match="the limit is 2"):
        composed.plan()
    assert composed.with_(max_branches=3).plan().requests == 3


@settings(max_examples=examples(60), deadline=None)
@given(
    query=query_texts(max_leaves=5),
    form=st.sampled_from(FORMS),
    outer=st.sampled_from([None, "Asia/Tokyo", "UTC"]),
    rows=st.lists(records(), min_size=1, max_size=12),
)
def test_a_zoned_named_query_means_the_same_wherever_it_stands(
    tmp_path_factory: pytest.TempPathFactory,
    query: tuple[Any, str],
    form: str,
    outer: str | None,
    rows: list[dict[str, Any]],
) -> None:
    """For any named query Q with a timezone, `@Q`, `@Q or @Q`, `@Q and @Q`,
    `not not @Q` select the same records as Q's text in Q's zone, whatever
    the connection's zone."""
    _, text = query
    folder = tmp_path_factory.mktemp("zones")
    cfg = write_config(folder, named("Q", text, "Europe/Warsaw"), zone=outer)
    oracle = cqlang.plan(text, cqlang.Env(tz="Europe/Warsaw", now=NOW, max_branches=10_000))
    spec = cfg.prepare(form, max_branches=10_000)
    got = spec.plan(now=NOW)
    env = cqlang.Env(queries=cfg.queries, now=NOW, max_branches=10_000)
    by_env = cqlang.plan(form, env)
    for row in rows:
        want = selects(oracle, row)
        if form == "@Q and priority is not null":
            want = want and isinstance(row.get("priority"), int)
        assert selects(got, row) == want, (form, text, row)
        assert selects(by_env, row) == want, (form, text, row)
