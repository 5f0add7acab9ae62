"""The documented Python API, used as docs/python-api.md uses it, with the
types a caller would write: tests/test_typed_api.py runs ``mypy --strict``
over this file (it must pass: the public type hints take what the docs
and the run time take) and then runs :func:`main` against the emulator
(the calls work as typed).

Not a test module itself (pytest collects ``test_*.py`` only)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator, Mapping
from pathlib import Path

import cqlang
from cqlang import Diagnostic, Env, Plan, Schema
from cqlang.client import Connection
from cqlang.diagnostics import for_front_end, to_json
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.errors import ColumnError, OutputSettingError, SettingError
from cqlang.types import Filter, FilterValue, FrozenFilter, FrozenFilterValue

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)


def compile_time() -> None:
    env = Env(params={"min": 3}, tz="Europe/Warsaw", now=NOW)
    wider: Env = env.replace(max_branches=5, tz=zoneinfo.ZoneInfo("UTC"))
    assert hash(wider) == hash(env.replace(max_branches=5, tz=zoneinfo.ZoneInfo("UTC")))
    filters: list[Filter] = cqlang.compile("priority >= $min", env)
    value: FilterValue = filters[0]["value"]
    assert value == 3
    filters[0]["value"] = 4  # the caller's own copy
    encoded: str = cqlang.encode(filters)
    assert encoded.startswith("%5B")
    again: list[Filter] = cqlang.compile("priority >= $min", env, params={"min": 5})
    assert again[0]["value"] == 5


def plans() -> None:
    p: Plan = cqlang.plan("state in (OPEN, CLOSED) or priority > 3", now=NOW)
    branches: list[list[Filter]] = p.branches
    branches[0].append({"property": "priority", "value": 1})  # a fresh copy: the caller's
    shared: tuple[tuple[FrozenFilter, ...], ...] = p.filters  # read-only
    first: FrozenFilterValue = shared[0][0]["value"]
    assert first == ("OPEN", "CLOSED")  # a tuple (its repr and == are a list's too)
    as_read: Mapping[str, object] = shared[0][0]
    assert cqlang.encode(shared[0]) == cqlang.encode(p.branches[0]) and as_read
    requests: int = p.requests
    never: bool = p.never_matches
    assert requests == 2 and not never
    if p.residual is not None:
        matched: bool = p.residual.matches({"state": "OPEN"})
        text: str = p.residual.text
        assert matched and text
    shown: str = p.explain()
    data: dict[str, object] = p.to_json()
    assert shown and data
    query: str = p.query
    assert query.startswith("state")


def diagnostics() -> None:
    found: list[Diagnostic] = cqlang.check("prioirty > 3")
    for d in found:
        code: str = d.code
        start: int = d.start
        hint: str | None = d.hint
        as_dict: dict[str, object] = d.to_dict()
        assert code == "CQL101" and start == 0 and hint and as_dict
    worded: list[Diagnostic] = for_front_end(found, "cli")
    assert to_json(worded)
    tree = cqlang.parse("priority > 3")
    spans = [(n.start, n.end) for n in tree.walk()]
    assert spans[0] == (0, 12)
    formatted: str = cqlang.format("priority>3", width=80)
    source: str = cqlang.decompile(cqlang.compile("priority > 3"))
    assert formatted == source == "priority > 3"
    schema: Schema = cqlang.DEFAULT_SCHEMA.with_custom_fields({"score": "integer"})
    assert cqlang.plan("custom.score >= 5", schema=schema).residual is not None


def errors() -> None:
    try:
        cqlang.compile("state = OPEN or priority > 5")
    except cqlang.CqlPlanError as exc:
        listed: list[Diagnostic] = exc.diagnostics
        assert listed[0].code == "CQL202"
    try:
        cqlang.compile("priority >= 3", max_branches=0)
    except SettingError as exc:
        setting: str = exc.setting  # it names the parameter: never None
        assert setting == "max_branches"
    for error in (ColumnError("no column"), OutputSettingError("no file", "output")):
        named: str = error.setting
        assert named in ("columns", "output")


def hyphens(names: list[str]) -> Iterator[str]:
    yield from names


def fetching(folder: Path) -> None:
    campaigns = (c for c in [DEFAULT_CAMPAIGN])  # any iterable of ids, or one id
    with Emulator(records=60, seed=1, api_key="demo-key", campaigns=campaigns) as emu:
        client = cqlang.Client(Connection(emu.url, "demo-key"))
        other = cqlang.Client(emu.url, "demo-key")
        # exclude: any iterable of names (a set, a generator, a tuple) or one text.
        for exclude in ({"history"}, hyphens(["history", "dialogs"]), ("dialogs",), "history"):
            records = client.voice_campaign_requests(
                DEFAULT_CAMPAIGN, "priority > 3", limit=3, exclude=exclude, tz=dt.UTC
            )
            for record in records:
                ident: object = record["id"]
                assert ident and ("history" not in record or exclude == ("dialogs",))
        table = other.to_arrow(
            DEFAULT_CAMPAIGN,
            "priority > 3",
            columns=(c for c in ["id", "priority"]),
            exclude=frozenset({"history"}),
        )
        rows: int = table.num_rows
        assert rows > 0
        for batch in other.iter_batches(
            DEFAULT_CAMPAIGN, "", batch_size=10, exclude={"dialogs"}, limit=20
        ):
            assert batch.num_rows <= 10
        toml = folder / "cqlang.toml"
        toml.write_text(
            '[queries.hot]\nquery = "priority >= $min"\nparams = { min = 5 }\n'
            f'campaign = "{DEFAULT_CAMPAIGN}"\n',
            encoding="utf-8",
        )
        config = cqlang.Config.load(toml)
        named = config.queries["hot"]
        hot: Plan = named.plan()
        runs_with: Env = named.env()
        assert hot.requests == 1 and runs_with.params["min"] == 5
        spec = config.prepare("@hot", exclude={"history", "dialogs"}, params={"min": 7})
        planned: Plan = spec.plan()
        checked: list[Diagnostic] = spec.check()
        assert planned.requests == 1 and not checked
        fetched = list(spec.fetch(client, limit=2))
        assert len(fetched) <= 2
        spec_table = spec.to_arrow(client, columns=iter(["id"]), limit=5)
        assert spec_table.num_rows <= 5
        schema: Schema = config.schema
        assert schema is not None


def main(folder: Path) -> None:
    compile_time()
    plans()
    diagnostics()
    errors()
    fetching(folder)


if __name__ == "__main__":  # pragma: no cover - run by tests/test_typed_api.py
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        main(Path(scratch))
