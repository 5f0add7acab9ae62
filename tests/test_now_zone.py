"""A ``--now`` without an offset is read in the run's zone.

The clock given as text is read as a datetime typed without an offset is
(docs/language.md): ``--now '2026-10-25 23:30' --tz Europe/Warsaw`` is 22:30
UTC, so ``today`` is 25 October in Warsaw. The zone is the run's: ``--tz``,
else the profile's or the config's, never a named query's own (the clock
is one instant, whatever the query composes). An offset in the text wins.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from cqlang import timeexpr
from cqlang.cli import main
from cqlang.timeexpr import TimeError

#: 25 October in Warsaw (CEST ends at 03:00 on the 25th: +01:00 after).
WARSAW_25 = (
    '[{"property": "created_date", "operator": "gte", "value": "2026-10-24 22:00:00"}, '
    '{"property": "created_date", "operator": "lte", "value": "2026-10-25 22:59:59"}]'
)
#: 25 October in UTC.
UTC_25 = (
    '[{"property": "created_date", "operator": "gte", "value": "2026-10-25 00:00:00"}, '
    '{"property": "created_date", "operator": "lte", "value": "2026-10-25 23:59:59"}]'
)


def run(config: Path | None, *args: str) -> str:
    env = {"CQLANG_CONFIG": str(config) if config else "/dev/null"}
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.fixture
def warsaw_config(tmp_path: Path) -> Path:
    path = tmp_path / "cqlang.toml"
    path.write_text(
        '[connection]\ntimezone = "Europe/Warsaw"\n'
        "[queries.today_utc]\n"
        'query = "created_date = today"\n'
        'timezone = "UTC"\n'
        "[queries.today]\n"
        'query = "created_date = today"\n',
        encoding="utf-8",
    )
    return path


def test_plain_now_is_read_in_the_tz_given() -> None:
    now = "2026-10-25 23:30"
    assert run(None, "compile", "created_date = today", "--now", now, "--tz", "Europe/Warsaw") == (
        WARSAW_25
    )
    assert run(None, "compile", "created_date = today", "--now", now) == UTC_25  # UTC: no zone
    # An offset in the text wins over the zone.
    late = "2026-10-25T23:30:00Z"
    assert run(None, "compile", "created_date = today", "--now", late, "--tz", "Europe/Warsaw") == (
        WARSAW_25.replace("24 22:00", "25 23:00").replace("25 22:59", "26 22:59")
    )


@pytest.mark.parametrize("command", ["explain", "check"])
def test_every_command_reads_it_so(command: str) -> None:
    args = [command, "--json", "created_date >= now", "--now", "2026-03-29 03:30"]
    plain = run(None, *args)
    zoned = run(None, *args, "--tz", "Europe/Warsaw")
    if command == "explain":  # 03:30 CEST (+02:00) is 01:30 UTC
        assert "2026-03-29 03:30:00" in plain and "2026-03-29 01:30:00" in zoned
    else:
        assert plain == zoned == "[]"


def test_the_zone_of_the_config_and_of_a_named_query(warsaw_config: Path) -> None:
    now = ("--now", "2026-10-25 23:30")
    assert run(warsaw_config, "compile", "created_date = today", *now) == WARSAW_25
    assert run(warsaw_config, "compile", "@today", *now) == WARSAW_25
    assert run(warsaw_config, "compile", "@today_utc", *now) == UTC_25
    assert run(warsaw_config, "compile", "@today", *now, "--tz", "UTC") == UTC_25
    shown = run(warsaw_config, "queries", "show", "today_utc", *now)
    assert "2026-10-25 00:00:00" in shown


def test_fetch_dry_run_reads_it_so(warsaw_config: Path) -> None:
    out = run(
        warsaw_config, "fetch", "--campaign", "c", "--dry-run", "created_date = today",
        "--now", "2026-10-25 23:30",
    )  # fmt: skip
    assert "2026-10-24%2022%3A00%3A00" in out  # midnight in Warsaw


def test_parse_now_in_python() -> None:
    assert timeexpr.parse_now("2026-10-25 23:30", "Europe/Warsaw") == datetime(
        2026, 10, 25, 22, 30, tzinfo=UTC
    )
    assert timeexpr.parse_clock("2026-10-25 23:30") == datetime(2026, 10, 25, 23, 30)
    assert timeexpr.parse_clock("2026-10-25 23:30+01:00").tzinfo is not None
    assert timeexpr.clock_in(None, "Europe/Warsaw") is None
    with pytest.raises(TimeError, match="falls before the calendar cqlang handles"):
        timeexpr.parse_now("0001-01-01 00:10", "Asia/Tokyo")


def test_the_lsp_now_option_is_read_in_each_query_zone(warsaw_config: Path) -> None:
    pytest.importorskip("pygls")
    from cqlang.lsp.documents import Document, Region
    from cqlang.lsp.publish import query_env
    from cqlang.lsp.server import CqlangServer, _read_now

    server = CqlangServer(str(warsaw_config))
    assert _read_now(server, "2026-10-25 23:30") is None
    path = warsaw_config.parent / "q.cql"
    doc = Document(path.as_uri(), path, "created_date = today", 1, "cqlang")
    env = query_env(server, doc, Region("created_date = today"))
    assert env.now == datetime(2026, 10, 25, 22, 30, tzinfo=UTC)


def test_the_clock_is_one_instant_whatever_the_query_composes(tmp_path: Path) -> None:
    """A review found `@wd` alone reading `--now` in wd's own zone (Tokyo)
    and `@wd or @wd` in the config's (Warsaw): a day apart. The clock is
    the run's; wd's own zone still decides which day its `today` is."""
    path = tmp_path / "cqlang.toml"
    path.write_text(
        '[connection]\ntimezone = "Europe/Warsaw"\n'
        '[queries.wd]\nquery = "created_date >= today"\ntimezone = "Asia/Tokyo"\n',
        encoding="utf-8",
    )
    now = ("--now", "2026-10-25 23:30")  # 22:30 UTC: 26 October in Tokyo
    answers = {
        q: run(path, "compile", q, *now)
        for q in ["@wd", "@wd or @wd", "not not @wd", "@wd and priority >= 0"]
    }
    assert all("2026-10-25 15:00:00" in a for a in answers.values()), answers
    assert "2026-10-25 15:00:00" in run(path, "queries", "show", "wd", *now)


def test_an_lsp_clock_the_config_zone_cannot_hold_is_read_in_utc(tmp_path: Path) -> None:
    """`now = "0001-01-01 00:30"` is checked in UTC when given; in a Tokyo
    config it lies before the calendar, and every request failed with an
    internal error. It is read in UTC there instead."""
    pytest.importorskip("pygls")
    from cqlang.lsp.documents import Document, Region
    from cqlang.lsp.publish import query_env
    from cqlang.lsp.server import CqlangServer, _read_now

    path = tmp_path / "cqlang.toml"
    path.write_text('[connection]\ntimezone = "Asia/Tokyo"\n', encoding="utf-8")
    server = CqlangServer(str(path))
    assert _read_now(server, "0001-01-01 00:30") is None
    doc = Document((tmp_path / "q.cql").as_uri(), tmp_path / "q.cql", "priority > 1", 1, "cqlang")
    env = query_env(server, doc, Region("priority > 1"))
    assert env.now == datetime(1, 1, 1, 0, 30, tzinfo=UTC)
