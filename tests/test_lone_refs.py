"""A query that is only `@NAME` is told from its parse tree, and an alias
(a named query whose text is a lone `@OTHER`) runs with OTHER's settings
where it sets none: on the command line, in the REPL and in Python."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cqlang.cli import main
from cqlang.config import Config, resolve_query
from cqlang.config.fetchspec import Settings, alias_chain
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.refs import lone_reference, references_in
from cqlang.repl import Dispatcher, Session, run_script
from cqlang.repl.integrations import load_environment

NR = 'state = OPEN or custom.region != "PL"'

CONFIG = f"""
[connection]
campaign = "{DEFAULT_CAMPAIGN}"

[queries.nr]
query = '{NR}'
exclude = ["state", "custom"]
limit = 50

[queries.wide]
query = "priority = 1 or state = OPEN or custom.a = b or custom.b = c"
max_branches = 4
timezone = "Asia/Tokyo"

[queries.alias]
query = "@nr  # the same, under another name"

[queries.alias_own]
query = "@nr"
limit = 7

[queries.wide_alias]
query = "@wide"

[queries.loop_a]
query = "@loop_b"

[queries.loop_b]
query = "@loop_a"
"""


@pytest.fixture(autouse=True)
def _config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "cqlang.toml"
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("CQLANG_CONFIG", str(path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("CONPEEK_KEY", "demo-key")
    monkeypatch.delenv("CONPEEK_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return path


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def records(result: Result) -> list[dict[str, object]]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


# ------------------------------------------------------------ the parse tree


@pytest.mark.parametrize(
    "text",
    ["@nr", "  @nr\n", "@nr  # mine", "# why\n@nr\n# more", "(@nr)", "( @nr ) # x"],
)
def test_a_lone_reference_is_read_from_the_tree(text: str) -> None:
    assert lone_reference(text) == "nr"


@pytest.mark.parametrize(
    "text", ["@nr and state = OPEN", "not @nr", 'custom.a = "@nr"', "# @nr", "@", "@nr @x", ""]
)
def test_anything_else_is_not_a_lone_reference(text: str) -> None:
    assert lone_reference(text) is None


def test_references_in_reads_the_tree_not_strings_or_comments() -> None:
    assert references_in('@a and custom.x = "@b" # @c\n or @a or not @d') == ("a", "d")


def test_a_comment_beside_a_lone_reference_keeps_its_settings() -> None:
    cfg = Config.load()
    for text in ("@nr  # mine", "# saved for later\n@nr\n"):
        spec = cfg.prepare(text)
        assert (spec.text, spec.exclude, spec.limit) == (NR, ("state", "custom"), 50)
        assert resolve_query(text, cfg)[0] == NR


@pytest.mark.emulator(records=300, seed=1)
def test_fetch_of_a_query_file_holding_a_commented_reference(
    emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "nr.cql").write_text("@nr  # mine\n", encoding="utf-8")
    got = records(cli("fetch", "-f", "nr.cql", "--base-url", emulator.url))
    assert len(got) == 50  # the named query's limit
    assert all("state" not in r and "custom" not in r for r in got)  # and its exclude


def test_the_repl_keeps_a_commented_references_settings() -> None:
    env = load_environment()
    s = Session(queries=env.queries, schema=env.schema)
    spec = s.spec("@nr # mine")
    assert (spec.exclude, spec.limit, spec.campaign) == (("state", "custom"), 50, None)


def test_fmt_of_a_commented_reference_prints_the_named_querys_text() -> None:
    result = cli("fmt", "@nr  # mine")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == NR


def test_queries_show_and_rm_read_references_from_the_tree(tmp_path: Path) -> None:
    cfg = tmp_path / "cqlang.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8")
        + "\n[queries.quoted]\nquery = 'custom.note = \"@gone\"'\n"
        + "\n[queries.gone]\nquery = 'priority > 1'\n",
        encoding="utf-8",
    )
    result = cli("queries", "rm", "gone")
    assert result.exit_code == 0, result.output
    assert "still refer" not in result.stderr  # "@gone" in a string is no reference


# ------------------------------------------------------------------- aliases


def test_an_alias_inherits_the_settings_it_does_not_set() -> None:
    cfg = Config.load()
    spec = cfg.prepare("@alias")
    assert (spec.text, spec.exclude, spec.limit) == (NR, ("state", "custom"), 50)
    assert [q.name for q in spec.chain] == ["alias", "nr"]
    own = cfg.prepare("@alias_own")
    assert (own.exclude, own.limit) == (("state", "custom"), 7)  # its own limit wins
    wide = cfg.prepare("@wide_alias")
    assert (wide.max_branches, wide.tz) == (4, "Asia/Tokyo")
    # What the caller gives still wins over both.
    assert cfg.prepare("@alias", limit=3, exclude=[]).limit == 3
    assert cfg.prepare("@alias", exclude=[]).exclude == ()


def test_an_alias_cycle_ends_and_is_reported() -> None:
    cfg = Config.load()
    chain = alias_chain(cfg.queries["loop_a"], cfg.queries)
    assert [q.name for q in chain] == ["loop_a", "loop_b"]
    diags = cfg.prepare("@loop_a").check()
    assert [d.code for d in diags] == ["CQL116"]


@pytest.mark.emulator(records=300, seed=1)
def test_fetch_of_an_alias_returns_what_the_aliased_query_does(emulator: Emulator) -> None:
    direct = records(cli("fetch", "@nr", "--base-url", emulator.url))
    via = records(cli("fetch", "@alias", "--base-url", emulator.url))
    assert via == direct and len(via) == 50


def test_queries_check_and_named_query_methods_use_the_aliased_settings() -> None:
    # @wide needs 4 requests and allows 4; its alias sets no bound of its own
    # and has @wide's (the connection's default, 32, would do too: the point
    # is the time zone and the bound come along).
    result = cli("queries", "check")
    assert "wide_alias" not in result.output
    cfg = Config.load()
    assert cfg.queries["wide_alias"].plan().requests == 4
    assert cfg.queries["wide_alias"]._bound(None) == 4


def test_queries_show_of_an_alias_says_what_it_inherits() -> None:
    result = cli("queries", "show", "alias")
    assert result.exit_code == 0, result.output
    assert "  alias of @nr" in result.stdout
    assert "  limit 50 (of @nr)" in result.stdout
    assert "  exclude state, custom (of @nr)" in result.stdout
    data = json.loads(cli("queries", "show", "alias", "--json").stdout)
    assert data["alias_of"] == "nr"


@pytest.mark.emulator(records=300, seed=1)
def test_save_of_a_lone_reference_in_the_repl_then_fetch(
    emulator: Emulator, tmp_path: Path
) -> None:
    """`\\save x` after `@nr`: `fetch @x` gives what `@nr` gave, as the REPL showed."""
    env = load_environment()
    s = Session(queries=env.queries, schema=env.schema, defaults=Settings(campaign=env.campaign))
    d = Dispatcher(s)
    out, err = io.StringIO(), io.StringIO()
    status = run_script(io.StringIO("@nr  # mine\n\\save x\n"), d, out, err)
    assert status == 0, err.getvalue()
    direct = records(cli("fetch", "@nr", "--base-url", emulator.url))
    via = records(cli("fetch", "@x", "--base-url", emulator.url))
    assert via == direct and len(via) == 50
    result = cli("queries", "save", "y", "@nr")
    assert result.exit_code == 0, result.output
    assert records(cli("fetch", "@y", "--base-url", emulator.url)) == direct
    findings = json.loads(cli("queries", "check", "--json").stdout)
    # not x, not y; the loop_a <-> loop_b cycle is reported once, on its first member
    assert {f["query"] for f in findings if f["code"] != "CQL206"} == {"loop_a"}
    # @nr (and so x, y) fetches everything and says so (CQL206), a warning only
    assert {f["code"] for f in findings if f["query"] == "x"} == {"CQL206"}
