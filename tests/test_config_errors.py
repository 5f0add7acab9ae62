"""Mistakes in config files: every one reported at once, each at
FILE:LINE:COL, with a did-you-mean for a misspelt key; in cqlang.toml and in
pyproject.toml's [tool.cqlang] alike (cqlang/config/validate.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cqlang.cli import main
from cqlang.config import Config, ConfigError, check_text
from cqlang.config import validate as configcheck
from cqlang.status import exit_status


@pytest.fixture(autouse=True)
def isolated(config_home: Path) -> Path:
    return config_home


SEVERAL = """\
[conection]
base_url = "https://api.example.com"

[connection]
page_size = "ten"
timezone = "Mars/Base"

[schema.custom_fields]
score = "float"

[queries.x]
query = 'state = OPEN'
limt = 3
exclude = ["history", "id"]

[queries.y]
description = "no query"
"""

EXPECTED = [
    "1:2: unknown key 'conection' (did you mean 'connection'?)",
    "5:13: connection.page_size: expected an integer, got a string",
    "6:12: connection.timezone: unknown time zone",
    "9:9: schema.custom_fields.score: type 'float'",
    "13:1: queries.x: unknown key 'limt' (did you mean 'limit'?)",
    "14:23: queries.x.exclude[1]: 'id' cannot be excluded",
    "16:10: queries.y: a named query needs query",
]


def lines_of(error: ConfigError) -> list[str]:
    return str(error).splitlines()


def test_every_mistake_of_a_cqlang_toml_is_reported_at_its_place(isolated: Path) -> None:
    (isolated / "cqlang.toml").write_text(SEVERAL, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Config.load()
    err = info.value
    assert lines_of(err)[0].startswith("7 mistakes in cqlang.toml")
    shown = lines_of(err)[1:]
    assert len(shown) == len(EXPECTED)
    for line, expected in zip(shown, EXPECTED, strict=True):
        assert line.startswith("cqlang.toml:" + expected), (line, expected)
    assert [(p.line, p.column) for p in err.problems] == [
        tuple(int(n) for n in e.split(":")[:2]) for e in EXPECTED
    ]
    assert exit_status(err) == 2


def test_every_mistake_of_a_pyproject_table_is_reported_at_its_place(isolated: Path) -> None:
    text = "[project]\nname = 'x'\n\n" + SEVERAL.replace(
        "[conection]", "[tool.cqlang.conection]"
    ).replace("[connection]", "[tool.cqlang.connection]").replace(
        "[schema.", "[tool.cqlang.schema."
    ).replace("[queries.", "[tool.cqlang.queries.")
    (isolated / "pyproject.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Config.load()
    shown = lines_of(info.value)[1:]
    assert len(shown) == len(EXPECTED)
    assert shown[0] == (
        "pyproject.toml:4:14: tool.cqlang: unknown key 'conection' (did you mean 'connection'?)"
    )
    assert shown[4].startswith(
        "pyproject.toml:16:1: tool.cqlang.queries.x: unknown key 'limt' (did you mean 'limit'?)"
    )
    assert shown[5].startswith("pyproject.toml:17:23: tool.cqlang.queries.x.exclude[1]")


def test_the_command_line_prints_every_mistake_and_exits_2(isolated: Path) -> None:
    (isolated / "cqlang.toml").write_text(SEVERAL, encoding="utf-8")
    for args in (["compile", "state = OPEN"], ["queries", "check"], ["config"]):
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 2, r.output
        assert "Traceback" not in r.stderr
        assert r.stderr.startswith("cqlang: 7 mistakes in cqlang.toml:\n")
        for expected in EXPECTED:
            assert "\ncqlang.toml:" + expected in r.stderr


def test_mistakes_in_two_discovered_files_are_reported_together(isolated: Path) -> None:
    (isolated / "cqlang.toml").write_text("[connection]\nlimt = 3\n", encoding="utf-8")
    user = isolated.parent / "home" / ".config" / "cqlang" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text("[queries.q]\nquery = 'x'\ntimezone = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Config.load()
    assert [(p.path.name if p.path else None, p.line) for p in info.value.problems] == [
        ("cqlang.toml", 2),
        ("config.toml", 3),
    ]


def test_a_toml_syntax_error_is_placed(isolated: Path) -> None:
    (isolated / "cqlang.toml").write_text("[connection]\nbase_url = \n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Config.load()
    (problem,) = info.value.problems
    assert (problem.line, problem.column) == (2, 12)
    assert str(info.value).startswith("cqlang.toml:2:12: not valid TOML: ")
    assert "(at line" not in str(info.value)


def test_a_named_query_that_excludes_id_fails_queries_check(isolated: Path) -> None:
    (isolated / "cqlang.toml").write_text(
        "[queries.q]\nquery = 'state = OPEN'\nexclude = ['id']\n", encoding="utf-8"
    )
    r = CliRunner().invoke(main, ["queries", "check"])
    assert r.exit_code == 2
    assert "cqlang.toml:3:12: queries.q.exclude[0]: 'id' cannot be excluded" in r.stderr


KNOWN = ("base_url", "campaign", "timezone", "page_size", "api_key_env")
TYPOS = {
    "base_url": "base_ulr",
    "campaign": "campagin",
    "timezone": "timezon",
    "page_size": "pagesize",
    "api_key_env": "api_key_evn",
}
VALUES = {
    "base_url": '"https://x"',
    "campaign": '"c1"',
    "timezone": '"UTC"',
    "page_size": "10",
    "api_key_env": '"CONPEEK_KEY_X"',
}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KNOWN), st.booleans()), min_size=1, max_size=8))
def test_each_misspelt_key_is_reported_on_its_line_with_the_right_name(
    keys: list[tuple[str, bool]],
) -> None:
    """Whatever keys a table holds, each misspelt one is reported once, on
    its own line, with the key it was meant to be; the others are fine."""
    seen: set[str] = set()
    lines = ["[connection]"]
    typo_lines: dict[int, str] = {}
    for key, misspelt in keys:
        name = TYPOS[key] if misspelt else key
        if name in seen:
            continue
        seen.add(name)
        lines.append(f"{name} = {VALUES[key]}")
        if misspelt:
            typo_lines[len(lines)] = key
    text = "\n".join(lines) + "\n"
    _, problems = configcheck.validate(tomllib.loads(text))
    if not typo_lines:
        assert problems == []
        return
    _, placed = check_text(text, Path("c.toml"))
    assert {p.line: p.message for p in placed}.keys() == typo_lines.keys()
    for p in placed:
        assert p.column == 1
        assert f"did you mean '{typo_lines[p.line or 0]}'?" in p.message


# ------------------------------------------------------------ api_key_env


def test_api_key_env_must_name_a_cqlang_variable_outside_the_user_file(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shared file cannot make cqlang send another secret as the key."""
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-not-a-conpeek-key")
    text = '[connection]\nbase_url = "http://127.0.0.1:9"\napi_key_env = "GITHUB_TOKEN"\n'
    for name in ("cqlang.toml", "named.toml"):
        (isolated / name).write_text(text, encoding="utf-8")
    for path in (None, isolated / "named.toml"):
        with pytest.raises(ConfigError) as info:
            Config.load(path)
        assert "3:15: connection.api_key_env: may name only a variable" in str(info.value)
        assert "ghp-not" not in str(info.value)
    (isolated / "cqlang.toml").unlink()
    # The user's own file may name any variable, found or named with --config.
    user = isolated.parent / "home" / ".config" / "cqlang" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text(text, encoding="utf-8")
    for path in (None, user):
        conn = Config.load(path).connection()
        assert conn.api_key == "ghp-not-a-conpeek-key"
    text = text.replace("GITHUB_TOKEN", "CQLANG_TEAM_KEY")
    (isolated / "cqlang.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("CQLANG_TEAM_KEY", "team-key")
    assert Config.load().connection().api_key == "team-key"
