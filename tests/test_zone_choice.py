"""Which zone a query runs in, and whether it holds inside the named queries
it refers to (`Env.override_tz`), is one function: `cqlang.env.chosen_zone`
(a zone set on purpose, the caller's then the named query's own, wins; else
the connection's, which a named query's own zone overrides). It was written
out at each site: the config's `NamedQuery.env`, `prepare` (FetchSpec: the
CLI and `Config.prepare`), `queries check`, the REPL session, the language
server and the launcher's fast path. Here every site is asked for the same
case and must answer as the function does."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cqlang.config import Config
from cqlang.config.fetchspec import Settings
from cqlang.env import chosen_zone
from cqlang.repl.session import Session

ZONES = ("Europe/Warsaw", "America/New_York", "Asia/Tokyo")
maybe_zone = st.none() | st.sampled_from(ZONES)


@given(st.lists(maybe_zone, max_size=4), maybe_zone)
def test_the_first_zone_set_on_purpose_wins_else_the_fallback(
    on_purpose: list[str | None], fallback: str | None
) -> None:
    chosen = [z for z in on_purpose if z]
    expected = (chosen[0], True) if chosen else (fallback, False)
    assert chosen_zone(*on_purpose, fallback=fallback) == expected


CASES = list(
    itertools.product((None, "Europe/Warsaw"), (None, "America/New_York"), (None, "Asia/Tokyo"))
)


def _config(folder: Path, own: str | None, connection: str | None) -> Config:
    text = f'[connection]\ntimezone = "{connection}"\n' if connection else ""
    text += "[queries.inner]\nquery = 'created_date = 2026-10-25'\ntimezone = 'Europe/London'\n"
    text += "[queries.q]\nquery = '@inner and priority > 1'\n"
    if own:
        text += f"timezone = '{own}'\n"
    text += "[queries.alias]\nquery = '@q'\n"
    path = folder / "cqlang.toml"
    path.write_text(text)
    path.chmod(0o600)
    return Config.load(path)


@pytest.mark.parametrize(("caller", "own", "connection"), CASES)
def test_every_site_chooses_as_the_one_function(
    config_home: Path, caller: str | None, own: str | None, connection: str | None
) -> None:
    cfg = _config(config_home, own, connection)
    expected = chosen_zone(caller, own, fallback=connection)
    for name in ("q", "alias"):  # an alias has its target's zone where it sets none
        spec = cfg.prepare(f"@{name}", tz=caller)
        assert (spec.tz, spec.override_tz) == expected, name
        env = spec.env()
        assert (env.tz, env.override_tz) == expected, name
        env = cfg.queries[name].env(tz=caller)
        assert (env.tz, env.override_tz) == expected, name
    # The REPL: its \tz is the caller's; a lone @NAME goes through prepare.
    session = Session(tz=caller, queries=dict(cfg.queries), defaults=Settings(timezone=connection))
    env = session.env()
    assert (env.tz, env.override_tz) == chosen_zone(caller, fallback=connection)
    assert session.zone == env.tz
    spec = session.spec("@q")
    assert (spec.tz, spec.override_tz) == expected


@pytest.mark.parametrize(("own", "connection"), [(o, c) for _, o, c in CASES[:4]])
def test_the_language_server_chooses_as_the_one_function(
    config_home: Path, own: str | None, connection: str | None
) -> None:
    pytest.importorskip("pygls")
    from cqlang.lsp.documents import Document
    from cqlang.lsp.publish import query_env
    from cqlang.lsp.server import CqlangServer

    _config(config_home, own, connection)
    path = config_home / "cqlang.toml"
    server = CqlangServer(str(path))
    doc = Document(path.as_uri(), path, path.read_text(), 1)
    (region,) = [r for r in doc.regions if r.name == "q"]
    env = query_env(server, doc, region)
    assert (env.tz, env.override_tz) == chosen_zone(own, fallback=connection)


def test_the_launchers_fast_path_sets_the_zone_on_purpose() -> None:
    from cqlang.launch import _env, read_command_line

    job = read_command_line(["compile", "priority > 1", "--tz", "Europe/Warsaw"])
    assert job is not None and job.tz == "Europe/Warsaw"
    env = _env(job)
    assert env is not None and (env.tz, env.override_tz) == ("Europe/Warsaw", True)
    job.tz = None
    env = _env(job)
    assert env is not None and (env.tz, env.override_tz) == (None, False)
