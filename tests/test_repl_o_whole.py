"""`\\o FILE` then `\\fetch` writes the whole result, as psql's `\\o` does
(it wrote the screen's 20 and said nothing of the rest); `\\fetch N`
writes N and says when more match, as the screen does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.config import Config
from cqlang.emulator import DEFAULT_API_KEY, DEFAULT_CAMPAIGN, Emulator
from cqlang.repl import Dispatcher, Session

QUERY = "state = OPEN"
MORE = "; more match (\\fetch alone writes every one)"


@pytest.fixture
def d(emulator: Emulator) -> Dispatcher:
    session = Session(campaign=DEFAULT_CAMPAIGN, base_url=emulator.url, api_key=DEFAULT_API_KEY)
    dispatcher = Dispatcher(session, width=120)
    assert dispatcher.handle(QUERY).ok
    return dispatcher


def cli_ids(emulator: Emulator, tmp_path: Path, query: str) -> list[str]:
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": DEFAULT_API_KEY,
           "CQLANG_CONFIG": str(tmp_path / "none.toml")}  # fmt: skip
    result = CliRunner().invoke(main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, query], env=env)
    assert result.exit_code == 0, result.output
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


def ids_in(path: Path) -> list[Any]:
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]


def test_fetch_after_o_writes_every_matching_record(
    d: Dispatcher, emulator: Emulator, tmp_path: Path
) -> None:
    want = cli_ids(emulator, tmp_path, QUERY)
    assert len(want) > d.session.fetch_size  # more than a screen shows
    out = tmp_path / "w.jsonl"
    assert d.handle(f"\\o {out}").ok
    reply = d.handle("\\fetch")
    assert reply.ok and reply.text == f"wrote {len(want)} records to {out} (jsonl)"
    assert ids_in(out) == want
    assert d.handle("\\fetch all").text == reply.text  # `all` says the same


def test_fetch_n_after_o_writes_n_and_says_more_match(
    d: Dispatcher, emulator: Emulator, tmp_path: Path
) -> None:
    want = cli_ids(emulator, tmp_path, QUERY)
    out = tmp_path / "w.jsonl"
    assert d.handle(f"\\o {out}").ok
    reply = d.handle("\\fetch 3")
    assert reply.ok and reply.text == f"wrote 3 records to {out} (jsonl){MORE}"
    assert ids_in(out) == want[:3]
    # As many as match: nothing more to say (one more was asked for, none came).
    exact = d.handle(f"\\fetch {len(want)}")
    assert exact.text == f"wrote {len(want)} records to {out} (jsonl)"
    # A file takes a count the screen would refuse.
    assert d.handle("\\fetch 20000").text == exact.text
    assert not d.handle("\\o").text.startswith("usage")
    assert not d.handle("\\fetch 20000").ok  # on the screen, at most 10000


def test_a_named_query_limit_caps_the_file_and_is_named(emulator: Emulator, tmp_path: Path) -> None:
    config = tmp_path / "cqlang.toml"
    config.write_text(f'[queries.few]\nquery = "{QUERY}"\nlimit = 4\n', encoding="utf-8")
    cfg = Config.load(config)
    session = Session(
        campaign=DEFAULT_CAMPAIGN,
        base_url=emulator.url,
        api_key=DEFAULT_API_KEY,
        queries=dict(cfg.queries),
    )
    d = Dispatcher(session, width=100)
    assert d.handle("@few").ok
    out = tmp_path / "few.jsonl"
    assert d.handle(f"\\o {out}").ok
    reply = d.handle("\\fetch")
    assert reply.text == f"wrote 4 records to {out} (jsonl); more match (the limit of @few)"
    assert len(ids_in(out)) == 4
    assert d.handle("\\fetch 2").text == f"wrote 2 records to {out} (jsonl){MORE}"
