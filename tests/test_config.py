"""Config files: discovery, merging, validation, secrets, schema, named
queries, composition, parameters, linting with file positions, and the
TOML editing of ``queries save``/``rm`` (cqlang/config/)."""

from __future__ import annotations

import os
import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import cqlang
from cqlang import config as cfgmod
from cqlang.config import (
    Config,
    ConfigError,
    InsecureConfigError,
    QueryExistsError,
    UnknownQueryError,
    remove_query,
    resolve_query,
    save_query,
    target_file,
    tomlscan,
)
from cqlang.status import exit_status

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "cqlang.toml"
NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def isolated(config_home: Path) -> Path:
    return config_home


def write(path: Path, text: str, mode: int = 0o644) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def user_file() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "cqlang" / "config.toml"


# ------------------------------------------------------------- discovery


def test_user_file_is_where_platformdirs_says() -> None:
    import platformdirs

    assert cfgmod.user_config_file() == platformdirs.user_config_path("cqlang") / "config.toml"
    assert cfgmod.user_config_file() == user_file()


def test_a_user_without_a_home_folder_has_no_user_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """platformdirs raises when $HOME is unset and the uid has no passwd entry
    (a container run as an arbitrary uid): then there is no user file."""
    import platformdirs

    def nowhere(*args: object, **kwargs: object) -> str:
        raise RuntimeError("could not determine the home directory")

    monkeypatch.setattr(platformdirs, "user_config_dir", nowhere)
    assert cfgmod.user_config_file() is None
    assert Config.load().files == ()
    assert "(none: no home folder)" in Config.load().describe()


def test_no_file_gives_the_default_schema_and_no_queries() -> None:
    cfg = Config.load()
    assert cfg.files == ()
    assert cfg.schema is cqlang.DEFAULT_SCHEMA
    assert dict(cfg.queries) == {}
    assert cfg.connection().base_url is None


def test_files_found_and_merged_key_by_key_earlier_wins(isolated: Path) -> None:
    write(
        user_file(),
        """
[connection]
base_url = "http://user"
campaign = "user-campaign"
page_size = 10
[schema.custom_fields]
score = "integer"
region = { type = "enum", values = ["PL"] }
[queries.mine]
query = "state = OPEN"
description = "from the user file"
[queries.shared]
query = "priority > 1"
description = "user"
limit = 5
""",
    )
    write(
        isolated.parent / "pyproject.toml",
        """
[project]
name = "x"
[tool.cqlang.connection]
campaign = "pyproject-campaign"
[tool.cqlang.queries.shared]
query = "priority > 2"
""",
    )
    sub = isolated / "a" / "b"
    sub.mkdir(parents=True)
    write(
        isolated / "cqlang.toml",
        """
[connection]
base_url = "http://project"
[schema.custom_fields]
region = { type = "enum", values = ["DE", "CZ"] }
""",
    )
    cfg = Config.load(cwd=sub)
    assert [f.origin for f in cfg.files] == [
        cfgmod.ORIGIN_PROJECT,
        cfgmod.ORIGIN_PYPROJECT,
        cfgmod.ORIGIN_USER,
    ]
    conn = cfg.connection()
    assert conn.base_url == "http://project"  # cqlang.toml wins
    assert conn.campaign == "pyproject-campaign"  # pyproject over the user file
    assert conn.page_size == 10  # only in the user file
    # A named query is taken whole from the file that wins: no limit merged in.
    shared = cfg.queries["shared"]
    assert shared.text == "priority > 2" and shared.limit is None and shared.description is None
    assert shared.path == isolated.parent / "pyproject.toml"
    assert cfg.queries["mine"].path == user_file()
    # A custom field's declaration is taken whole too.
    assert cfg.schema.custom_field("region").values == ("DE", "CZ")  # type: ignore[union-attr]
    assert cfg.schema.custom_field("score").type == "integer"  # type: ignore[union-attr]


def test_config_option_and_env_name_the_only_file(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(isolated / "cqlang.toml", '[queries.project]\nquery = "state = OPEN"\n')
    write(user_file(), '[queries.user]\nquery = "state = OPEN"\n')
    only = write(isolated / "elsewhere.toml", '[queries.only]\nquery = "state = CLOSED"\n')
    env = write(isolated / "env.toml", '[queries.env]\nquery = "state = CLOSED"\n')
    assert list(Config.load().queries) == ["project", "user"]
    assert list(Config.load(only).queries) == ["only"]
    monkeypatch.setenv("CQLANG_CONFIG", str(env))
    assert list(Config.load().queries) == ["env"]
    assert list(Config.load(only).queries) == ["only"]  # --config wins over the variable


def test_nearest_pyproject_with_a_cqlang_table(isolated: Path) -> None:
    write(isolated.parent / "pyproject.toml", '[tool.cqlang.queries.up]\nquery = "state = OPEN"\n')
    write(isolated / "pyproject.toml", '[project]\nname = "no-cqlang-here"\n')
    cfg = Config.load()
    assert list(cfg.queries) == ["up"]
    assert cfg.files[0].prefix == ("tool", "cqlang")


def test_config_path_that_is_a_pyproject_reads_tool_cqlang(isolated: Path) -> None:
    p = write(isolated / "pyproject.toml", '[tool.cqlang.queries.x]\nquery = "state = OPEN"\n')
    assert list(Config.load(p).queries) == ["x"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[conection]\nbase_url = 'x'\n", "unknown key 'conection' (did you mean 'connection'?)"),
        ("[connection]\nbase_ur = 'x'\n", "connection: unknown key 'base_ur'"),
        ("[connection]\npage_size = 'ten'\n", "connection.page_size: expected an integer"),
        ("[connection]\npage_size = 0\n", "connection.page_size: must be at least 1"),
        ("[connection]\ntimezone = 'Mars/Base'\n", "unknown time zone"),
        ("[schema.custom_fields]\nscore = 'float'\n", "schema.custom_fields.score"),
        ("[schema.custom_fields]\nr = { type = 'enum' }\n", "an enum needs values"),
        ("[schema]\nstrict = 'yes'\n", "schema.strict: expected true or false"),
        ("[queries.x]\ndescription = 'no query'\n", 'a named query needs query = "..."'),
        ("[queries.x]\nquery = 'state = OPEN'\nlimt = 3\n", "did you mean 'limit'?"),
        ('[queries."hot leads"]\nquery = "state = OPEN"\n', "so that @NAME can refer to it"),
        ("[queries.x]\nquery = 'p'\nparams = { a = { b = 1 } }\n", "not a table"),
        ("[queries.x]\nquery = 'p'\nexclude = [1]\n", "exclude[0]: expected strings"),
        ("[queries.x\nquery = 1\n", "not valid TOML"),
        (
            '[connection]\nbase_url = "https://h.example/?token=abc"\n',
            "connection.base_url: the base URL must have no ?query",
        ),
        ('[profiles.p]\nbase_url = "ftp://h.example"\n', "profiles.p.base_url: the base URL"),
        ('[connection]\nbase_url = "http://h.example:0"\n', "port must be a number from 1"),
    ],
)
def test_mistakes_in_a_file_are_config_errors(isolated: Path, text: str, expected: str) -> None:
    p = write(isolated / "c.toml", text)
    with pytest.raises(ConfigError) as info:
        Config.load(p)
    assert expected in str(info.value)
    assert "c.toml" in str(info.value)
    assert "abc" not in str(info.value)  # a query's value is masked
    assert exit_status(info.value) == 2


def test_missing_config_file_is_an_error(isolated: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        Config.load(isolated / "nope.toml")


# ---------------------------------------------------------------- secrets


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_api_key_in_a_file_others_can_read_is_refused(isolated: Path, mode: int) -> None:
    p = write(isolated / "cqlang.toml", '[connection]\napi_key = "s3cr3t-key-123456"\n', mode)
    with pytest.raises(InsecureConfigError) as info:
        Config.load()
    message = str(info.value)
    assert "cqlang.toml" in message
    assert f"chmod 600 {p}" in message
    assert "s3cr3t" not in message


def test_api_key_in_a_profile_is_checked_too(isolated: Path) -> None:
    write(isolated / "cqlang.toml", '[profiles.prod]\napi_key = "k"\n', 0o644)
    with pytest.raises(InsecureConfigError, match=r"profiles\.prod"):
        Config.load()


def test_api_key_in_a_pyproject_names_the_whole_table(isolated: Path) -> None:
    text = '[tool.cqlang.connection]\napi_key = "k"\n'
    write(isolated / "pyproject.toml", text, 0o644)
    with pytest.raises(InsecureConfigError, match=r"under \[tool\.cqlang\.connection\]"):
        Config.load()


def test_api_key_in_a_private_file_is_used_and_masked(isolated: Path) -> None:
    write(isolated / "cqlang.toml", '[connection]\napi_key = "s3cr3t-key-123456"\n', 0o600)
    cfg = Config.load()
    assert cfg.connection().api_key == "s3cr3t-key-123456"
    assert cfg.shown()["connection"]["api_key"] == "****3456"
    assert "s3cr3t" not in cfg.describe()
    assert "****3456" in cfg.describe()
    assert "s3cr3t" not in repr(cfg.connection())


def test_a_readable_file_without_a_key_is_fine(isolated: Path) -> None:
    write(isolated / "cqlang.toml", '[connection]\napi_key_env = "CONPEEK_MY_KEY"\n', 0o644)
    assert Config.load().files


# --------------------------------------------------------------- settings


def test_settings_resolve_options_then_environment_then_config(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        isolated / "cqlang.toml",
        """
[connection]
base_url = "http://file"
api_key_env = "CONPEEK_MY_KEY"
campaign = "c-file"
timezone = "Europe/Warsaw"
[profiles.prod]
base_url = "https://prod"
api_key_env = "CONPEEK_PROD_KEY"
""",
    )
    cfg = Config.load()
    conn = cfg.connection()
    assert (conn.base_url, conn.api_key, conn.campaign) == ("http://file", None, "c-file")
    assert conn.notes and "CONPEEK_MY_KEY" in conn.notes[0]
    monkeypatch.setenv("CONPEEK_MY_KEY", "from-my-key")
    assert cfg.connection().api_key == "from-my-key"
    monkeypatch.setenv("CONPEEK_KEY", "from-conpeek-key")
    monkeypatch.setenv("CONPEEK_URL", "http://env")
    conn = cfg.connection()
    assert (conn.base_url, conn.api_key) == ("http://env", "from-conpeek-key")
    assert conn.sources["base_url"] == "$CONPEEK_URL"
    conn = cfg.connection(base_url="http://option", api_key="k", campaign="c-option")
    assert (conn.base_url, conn.api_key, conn.campaign) == ("http://option", "k", "c-option")
    # A profile overrides [connection] key by key; the environment still wins.
    monkeypatch.delenv("CONPEEK_URL")
    monkeypatch.delenv("CONPEEK_KEY")
    monkeypatch.setenv("CONPEEK_PROD_KEY", "prod-key")
    prod = Config.load(profile="prod").connection()
    assert (prod.base_url, prod.api_key, prod.campaign, prod.timezone) == (
        "https://prod",
        "prod-key",
        "c-file",
        "Europe/Warsaw",
    )
    assert cfg.connection("prod").base_url == "https://prod"


def test_unknown_profile(isolated: Path) -> None:
    write(isolated / "cqlang.toml", "[profiles.production]\nbase_url = 'https://x'\n")
    with pytest.raises(ConfigError, match="did you mean 'production'"):
        Config.load(profile="prodution")
    write(isolated / "cqlang.toml", "")
    with pytest.raises(ConfigError, match=r"no \[profiles.NAME\] table"):
        Config.load(profile="prod")


def test_client_from_config(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        isolated / "cqlang.toml",
        '[connection]\nbase_url = "http://127.0.0.1:9"\napi_key_env = "CONPEEK_MY_KEY"\n',
    )
    cfg = Config.load()
    with pytest.raises(ConfigError, match="CONPEEK_MY_KEY"):
        cfgmod.client_from_config(cfg)
    monkeypatch.setenv("CONPEEK_MY_KEY", "k-123")
    client = cfgmod.client_from_config(cfg)
    assert client.base_url == "http://127.0.0.1:9"


# ----------------------------------------------------------------- schema


CUSTOM = """
[schema.custom_fields]
region = { type = "enum", values = ["PL", "DE", "CZ", "SK", "UA"] }
segment = "string"
"lead source" = "string"
score = "integer"
city = "string"
"""


def test_declared_custom_fields_are_typed(isolated: Path) -> None:
    write(isolated / "cqlang.toml", CUSTOM)
    cfg = Config.load()
    p = cqlang.plan("custom.score >= 5", schema=cfg.schema)
    assert p.branches == [[]]
    assert p.residual is not None
    assert p.residual.matches({"custom": '{"score": 7}'})
    high = cqlang.plan("custom.score >= 50", schema=cfg.schema).residual
    assert high is not None
    assert not high.matches({"custom": '{"score": 7}'})  # 7 < 50 as integers, not as text
    assert cqlang.compile("custom.region = pl", schema=cfg.schema) == [
        {"property": "custom_fields", "key": "region", "value": "PL"}
    ]
    codes = [d.code for d in cqlang.check("custom.region = FR", schema=cfg.schema)]
    assert codes == ["CQL105"]
    codes = [d.code for d in cqlang.check('custom.score = "x"', schema=cfg.schema)]
    assert codes == ["CQL104"]


def test_undeclared_custom_field_warns_or_errs_in_strict_mode(isolated: Path) -> None:
    write(isolated / "cqlang.toml", CUSTOM)
    cfg = Config.load()
    (d,) = cqlang.check("custom.regoin = PL", schema=cfg.schema)
    assert (d.code, d.severity, d.hint) == ("CQL102", "warning", "did you mean 'custom.region'?")
    (d,) = cqlang.check("custom.regoin = PL", schema=cfg.schema_for(strict=True))
    assert (d.code, d.severity) == ("CQL102", "error")
    write(
        isolated / "cqlang.toml",
        CUSTOM.replace("[schema.custom_fields]", "[schema]\nstrict = true\n[schema.custom_fields]"),
    )
    assert Config.load().schema.strict


def test_strict_mode_without_declarations_refuses_every_custom_field() -> None:
    from cqlang.schema import DEFAULT_SCHEMA

    assert cqlang.check("custom.region = PL") == []  # nothing declared: anything goes
    strict = DEFAULT_SCHEMA.with_custom_fields({}, strict=True)
    (d,) = cqlang.check("custom.region = PL", schema=strict)
    assert (d.code, d.severity) == ("CQL102", "error")
    assert d.hint == "declare it under [schema.custom_fields] in a config file"


def test_same_declarations_share_one_schema(isolated: Path) -> None:
    write(isolated / "a.toml", CUSTOM)
    write(isolated / "b.toml", CUSTOM)
    assert Config.load(isolated / "a.toml").schema is Config.load(isolated / "b.toml").schema


# ---------------------------------------------------------- named queries


def test_named_query_plan_and_the_python_api(isolated: Path) -> None:
    write(
        isolated / "cqlang.toml",
        CUSTOM
        + """
[queries.open]
query = "state in (OPEN, PROCESSING)"
[queries.hot_leads]
query = '''
@open                       # composition
and priority >= $min_priority
and custom.score >= $min_score
'''
params = { min_priority = 5, min_score = 70 }
[queries.hot_pl]
query = "@hot_leads and custom.region = PL"
params = { min_priority = 8 }
""",
    )
    cfg = cqlang.Config.load()
    assert isinstance(cfg, Config)
    p = cfg.queries["hot_leads"].plan(params={"min_priority": 7})
    assert p.branches == [
        [
            {"property": "state", "value": ["OPEN", "PROCESSING"]},
            {"property": "priority", "operator": "gte", "value": 7},
        ]
    ]
    assert p.residual is not None and p.residual.text == "custom.score >= 70"
    # Defaults carry along through @references; the referring query's win.
    p = cqlang.plan("@hot_pl", queries=cfg.queries, schema=cfg.schema)
    assert {"property": "priority", "operator": "gte", "value": 8} in p.branches[0]
    p = cqlang.plan("@hot_leads", queries=cfg.queries, schema=cfg.schema)
    assert {"property": "priority", "operator": "gte", "value": 5} in p.branches[0]
    p = cqlang.plan(
        "@hot_leads", queries=cfg.queries, schema=cfg.schema, params={"min_priority": "9"}
    )
    assert {"property": "priority", "operator": "gte", "value": 9} in p.branches[0]
    assert cfg.queries["open"].compile() == [{"property": "state", "value": ["OPEN", "PROCESSING"]}]


def test_resolve_and_prepare(isolated: Path) -> None:
    write(
        isolated / "cqlang.toml",
        """
[connection]
campaign = "c-conn"
timezone = "UTC"
[queries.a]
query = "priority > $p"
params = { p = 3 }
campaign = "c-a"
exclude = ["history"]
limit = 7
timezone = "Europe/Warsaw"
""",
    )
    cfg = Config.load()
    text, named = resolve_query(" @a ", cfg)
    assert text == "priority > $p" and named is cfg.queries["a"]
    assert resolve_query("@a and state = OPEN", cfg) == ("@a and state = OPEN", None)
    assert resolve_query("@nope", cfg) == ("@nope", None)
    q = cfg.prepare("@a")
    assert (q.campaign, q.exclude, q.limit, q.tz, dict(q.params)) == (
        "c-a",
        ("history",),
        7,
        "Europe/Warsaw",
        {"p": 3},
    )
    q = cfg.prepare("@a", campaign="c-opt", exclude=[], limit=1, tz="UTC", params={"p": "4"})
    assert (q.campaign, q.exclude, q.limit, q.tz, dict(q.params)) == (
        "c-opt",
        (),
        1,
        "UTC",
        {"p": "4"},
    )
    q = cfg.prepare("state = OPEN")
    assert (q.campaign, q.exclude, q.limit, q.tz) == ("c-conn", None, None, "UTC")
    assert q.plan().branches == [[{"property": "state", "value": ["OPEN"]}]]


def test_toml_native_parameter_types(isolated: Path) -> None:
    write(
        isolated / "cqlang.toml",
        """
[queries.q]
query = '''priority >= $n and tenant_user_id in $users
and created_date >= $since and closed_date < $day'''
params = { n = 3, users = [12, 14], since = 2026-10-01T08:00:00Z, day = 2026-11-01 }
""",
    )
    (branch,) = Config.load().queries["q"].plan().branches
    assert sorted(branch, key=repr) == sorted(
        [
            {"property": "priority", "operator": "gte", "value": 3},
            {"property": "tenant_user_id", "value": [12, 14]},
            {"property": "created_date", "operator": "gte", "value": "2026-10-01 08:00:00"},
            {"property": "closed_date", "operator": "lte", "value": "2026-10-31 23:59:59"},
        ],
        key=repr,
    )


def test_a_list_parameter_in_a_file_is_split_as_on_the_command_line(isolated: Path) -> None:
    write(
        isolated / "cqlang.toml",
        """
[queries.q]
query = 'close_reason in $r'
params = { r = 'done, "no answer, later" ' }
""",
    )
    assert Config.load().queries["q"].plan().branches == [
        [{"property": "close_reason", "value": ["done", "no answer, later"]}]
    ]


INJECTION = '") or state = OPEN'


def test_a_bound_value_is_never_query_text(isolated: Path) -> None:
    # Through the API, from a --param-like string...
    assert cqlang.compile("custom.region = $r", params={"r": INJECTION}) == [
        {"property": "custom_fields", "key": "region", "value": INJECTION}
    ]
    # ...and as a default in a file.
    write(
        isolated / "cqlang.toml",
        "[queries.q]\nquery = 'custom.region = $r'\nparams = { r = '\") or state = OPEN' }\n",
    )
    cfg = Config.load()
    assert cfg.queries["q"].params["r"] == INJECTION
    assert cfg.queries["q"].compile() == [
        {"property": "custom_fields", "key": "region", "value": INJECTION}
    ]
    p = cfg.queries["q"].plan(params={"r": "x' or '1'='1"})
    assert p.branches == [[{"property": "custom_fields", "key": "region", "value": "x' or '1'='1"}]]


# ------------------------------------------------------------------- lint


def test_the_example_config_lints_clean_in_strict_mode() -> None:
    cfg = Config.load(EXAMPLE)
    assert len(cfg.queries) == 10
    assert cfg.lint(strict=True, now=NOW) == []
    # It composes, takes parameters, and declares the emulator's custom keys.
    assert any("@" in q.text for q in cfg.queries.values())
    assert any(q.params for q in cfg.queries.values())
    assert set(cfg.schema.custom_fields) == {"region", "segment", "lead source", "score", "city"}
    assert cfg.schema.custom_field("region").values == ("PL", "DE", "CZ", "SK", "UA")  # type: ignore[union-attr]
    assert cfg.schema.custom_field("score").type == "integer"  # type: ignore[union-attr]
    for q in cfg.queries.values():
        q.plan(now=NOW)


BAD = '''\
# one mistake of each kind
[schema.custom_fields]
region = { type = "enum", values = ["PL", "DE"] }
"lead source" = "string"

[queries.syntax]
query = "state = OPEN and and priority > 3"

[queries.unknown_property]
description = "a typo on the second line"
query = """
state = OPEN   # fine
and prioirty >= 3
"""

[queries.bad_enum]
query = 'state = OPNE'

[queries.hot_leads]
query = "priority > 3"

[queries.unknown_ref]
query = "@hot_lead and state = OPEN"

[queries.cycle_a]
query = "@cycle_b or state = OPEN"

[queries.cycle_b]
query = "@cycle_a"

[queries.unbound]
query = "priority >= $min"

[queries.wrong_type]
query = "priority >= $min"
params = { min = "high" }

[queries.custom]
query = "custom[\\"lead source\\"] = \\"web\\"  and  custom.regoin = PL"

[queries]
short = \'\'\'contact_try < 3 and state = CLOSD\'\'\'
'''


def _finding(cfg: Config, query: str, code: str) -> cfgmod.Finding:
    found = [
        f for f in cfg.lint(strict=True) if f.query.name == query and f.diagnostic.code == code
    ]
    assert found, [(f.query.name, f.diagnostic.code) for f in cfg.lint(strict=True)]
    return found[0]


@pytest.mark.parametrize(
    ("query", "code", "line", "column", "caret_line", "caret"),
    [
        ("syntax", "CQL001", 7, 31, 'query = "state = OPEN and and priority > 3"', "^^^^^^^^"),
        ("unknown_property", "CQL101", 13, 5, "and prioirty >= 3", "^^^^^^^^"),
        ("bad_enum", "CQL105", 17, 18, "query = 'state = OPNE'", "^^^^"),
        ("unknown_ref", "CQL115", 23, 10, 'query = "@hot_lead and state = OPEN"', "^^^^^^^^^"),
        ("cycle_a", "CQL116", 26, 10, 'query = "@cycle_b or state = OPEN"', "^^^^^^^^"),
        ("unbound", "CQL109", 32, 22, 'query = "priority >= $min"', "^^^^"),
        # a default's mistake at its value, not at the $min that uses it
        ("wrong_type", "CQL113", 36, 18, 'params = { min = "high" }', "^^^^^^"),
        # Escapes in a basic string: columns are those of the file.
        ("custom", "CQL102", 39, 50, None, "^^^^^^^^^^^^^"),
        ("short", "CQL105", 42, 40, None, "^^^^^"),
    ],
)
def test_each_mistake_is_placed_in_the_file(
    isolated: Path,
    query: str,
    code: str,
    line: int,
    column: int,
    caret_line: str | None,
    caret: str,
) -> None:
    p = write(isolated / "bad.toml", BAD)
    cfg = Config.load(p)
    f = _finding(cfg, query, code)
    assert f.placed is not None
    assert (f.placed.line, f.placed.column) == (line, column)
    file_line = BAD.splitlines()[line - 1]
    if caret_line is not None:
        assert file_line == caret_line
    rendered = f.rendered.splitlines()
    assert rendered[0].startswith(f"error[{code}]: ")
    assert f"(query '{query}')" in rendered[0]
    assert rendered[1].strip() == f"--> bad.toml:{line}:{column}"
    assert rendered[3].endswith(file_line)
    gutter = rendered[3].index("| ") + 2
    assert rendered[4][gutter:].startswith(" " * (column - 1) + caret)
    assert rendered[4][gutter + column - 1 + len(caret) : gutter + column + len(caret)] in ("", " ")


def test_every_mistake_of_every_query_in_one_run(isolated: Path) -> None:
    cfg = Config.load(write(isolated / "bad.toml", BAD))
    errors = [f for f in cfg.lint(strict=True) if f.severity == "error"]
    assert {(f.query.name, f.diagnostic.code) for f in errors} == {
        ("syntax", "CQL001"),
        ("unknown_property", "CQL101"),
        ("bad_enum", "CQL105"),
        ("unknown_ref", "CQL115"),
        ("cycle_a", "CQL116"),  # the cycle once, on its first member (not again on cycle_b)
        ("unbound", "CQL109"),
        ("wrong_type", "CQL113"),
        ("custom", "CQL102"),
        ("short", "CQL105"),
    }
    # Not strict: the undeclared custom field is a warning.
    lenient = {(f.query.name, f.severity) for f in cfg.lint() if f.diagnostic.code == "CQL102"}
    assert lenient == {("custom", "warning")}


def test_lint_covers_every_file_read(isolated: Path) -> None:
    write(user_file(), '[queries.x]\nquery = "prioirty > 1"\n[queries.y]\nquery = "state = OPEN"\n')
    write(isolated / "cqlang.toml", '[queries.x]\nquery = "state = OPEN"\n')
    cfg = Config.load()
    (f,) = cfg.lint()
    assert f.query.name == "x" and f.query.path == user_file()
    assert f.placed is not None and (f.placed.line, f.placed.column) == (2, 10)
    assert f.to_dict()["file"] == str(user_file())


# ------------------------------------------------- where strings are written


def _locate(text: str, *path: str) -> tomlscan.Located:
    span = tomlscan.scan(text).strings[path]
    assert span.value == _get(tomllib.loads(text), path)
    return span


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data[int(key)] if isinstance(data, list) else data[key]
    return data


@pytest.mark.parametrize(
    "text",
    [
        'a = "x\\ty\\u00e9\\U0001F600\\\\z\\""',
        "a = 'C:\\path'",
        'a = """\nline one\n  "two" ""\nthree\\\n    four"""',
        'a = """ends with quotes"""""',
        "a = '''\nraw \\n text\n'''",
        "a = ''''quoted' inside''''",
        '[t."x y"]\nb.c = { d = "in", e = [ "q", { f = "deep" } ] }  # c',
        'x = [\n  "a", # c\n  "b",\n]\ny = 1979-05-27 07:32:00Z\nz = "after"',
    ],
)
def test_the_scanner_finds_every_string(text: str) -> None:
    data = tomllib.loads(text)
    layout = tomlscan.scan(text)
    for path, span in layout.strings.items():
        assert span.value == _get(data, path)
        assert len(span.offsets) == len(span.value) + 1
        for ch, off in zip(span.value, span.offsets, strict=False):
            raw = text[off]
            assert raw == ch or raw == "\\" or (ch == "\n" and raw == "\n")


def test_scanned_offsets_point_at_each_character() -> None:
    text = 'q = "a\\"b\\u0041c"'
    span = _locate(text, "q")
    assert span.value == 'a"bAc'
    assert [text[o] for o in span.offsets[:-1]] == ["a", "\\", "b", "\\", "c"]
    assert text[span.offsets[-1]] == '"'


# ------------------------------------------------------ save and rm: layout

LAYOUTS = [
    "",
    "# only a comment\n",
    "[connection]\nbase_url = 'x'\n",
    "[connection]\nbase_url = 'x'",  # no final newline
    """\
# Our team's queries.
[connection]
campaign = "5b7c389fe8df7b60af688989"   # the main campaign

# Named queries below.
[queries.open]
description = "Still open"
query = \"\"\"
state = OPEN   # just open
\"\"\"
# trailing comment of open
[schema.custom_fields]
region = "string"   # keep me
""",
    """\
[queries]
short = "state = OPEN"

[queries.long]
query = "priority > 1"


# spaced comment

[profiles.prod]
base_url = "https://x"
""",
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    "query",
    [
        "state = OPEN",
        'custom.region = "PL" and priority > $p',
        "state = OPEN  # open\nand custom.city = 'Kraków'",
        "a = 'it''s' \\ \"\"\" '''",
    ],
)
def test_save_then_rm_gives_back_the_file(isolated: Path, layout: str, query: str) -> None:
    p = isolated / "cqlang.toml"
    if layout:
        write(p, layout)
    save_query(p, "new_one", query, description='a "new" one', params={"p": 3, "s": "x,y"})
    saved = p.read_text(encoding="utf-8")
    data = tomllib.loads(saved)
    assert data["queries"]["new_one"] == {
        "description": 'a "new" one',
        "query": query,
        "params": {"p": 3, "s": "x,y"},
    }
    # Everything that was there is still there, in order.
    rest = iter(saved.splitlines())
    assert all(any(line == got for got in rest) for line in layout.splitlines())
    remove_query(p, "new_one")
    assert p.read_text(encoding="utf-8").rstrip("\n") == layout.rstrip("\n")


def test_save_goes_after_the_last_named_query(isolated: Path) -> None:
    p = write(isolated / "cqlang.toml", LAYOUTS[4])
    save_query(p, "later", "state = CLOSED")
    text = p.read_text(encoding="utf-8")
    assert text.index("[queries.later]") < text.index("# trailing comment of open")
    assert text.index("[queries.open]") < text.index("[queries.later]")


def test_save_refuses_an_existing_name_and_force_replaces_in_place(isolated: Path) -> None:
    p = write(isolated / "cqlang.toml", LAYOUTS[4])
    with pytest.raises(QueryExistsError):
        save_query(p, "open", "state = CLOSED")
    save_query(p, "open", "state = CLOSED", force=True)
    text = p.read_text(encoding="utf-8")
    assert tomllib.loads(text)["queries"]["open"] == {"query": "state = CLOSED"}
    old = '[queries.open]\ndescription = "Still open"\n'
    old += 'query = """\nstate = OPEN   # just open\n"""\n'
    new = "[queries.open]\nquery = 'state = CLOSED'\n"
    assert text == LAYOUTS[4].replace(old, new)


def test_rm_of_a_short_form_and_unknown_names(isolated: Path) -> None:
    p = write(isolated / "cqlang.toml", LAYOUTS[5])
    remove_query(p, "short")
    assert "short" not in tomllib.loads(p.read_text(encoding="utf-8"))["queries"]
    with pytest.raises(UnknownQueryError, match="did you mean 'long'"):
        remove_query(p, "lonq")
    with pytest.raises(UnknownQueryError):
        remove_query(isolated / "missing.toml", "x")


def test_rm_takes_the_comment_above_its_table(isolated: Path) -> None:
    p = write(
        isolated / "cqlang.toml",
        '[queries.a]\nquery = "state = OPEN"\n\n# About b.\n'
        '[queries.b]\nquery = "state = CLOSED"\n',
    )
    remove_query(p, "b")
    assert p.read_text(encoding="utf-8") == '[queries.a]\nquery = "state = OPEN"\n'


def test_save_into_a_pyproject_and_keep_crlf(isolated: Path) -> None:
    p = isolated / "pyproject.toml"
    p.write_bytes(b'[project]\r\nname = "x"\r\n')
    save_query(p, "q", "state = OPEN")
    raw = p.read_bytes()
    assert b"[tool.cqlang.queries.q]\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert Config.load(p).queries["q"].text == "state = OPEN"
    remove_query(p, "q")
    assert p.read_bytes().rstrip(b"\r\n") == b'[project]\r\nname = "x"'


def test_save_keeps_the_file_mode(isolated: Path) -> None:
    p = write(isolated / "cqlang.toml", '[connection]\napi_key = "k"\n', 0o600)
    save_query(p, "q", "state = OPEN")
    assert p.stat().st_mode & 0o777 == 0o600


def test_save_and_rm_through_a_symbolic_link_edit_its_target(isolated: Path) -> None:
    real = isolated / "shared"
    real.mkdir()
    target = write(real / "cqlang.toml", '[queries]\na = "state = OPEN"\n')
    link = isolated / "cqlang.toml"
    link.symlink_to(target)
    save_query(link, "b", "state = CLOSED")
    assert link.is_symlink()
    assert tomllib.loads(target.read_text(encoding="utf-8"))["queries"]["b"]["query"] == (
        "state = CLOSED"
    )
    remove_query(link, "b")
    assert link.is_symlink() and "[queries.b]" not in target.read_text(encoding="utf-8")


def test_target_file(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert target_file() == isolated / "cqlang.toml"
    sub = isolated / "sub"
    sub.mkdir()
    write(isolated / "cqlang.toml", "")
    assert target_file(cwd=sub) == isolated / "cqlang.toml"
    assert target_file("x.toml") == Path("x.toml")
    monkeypatch.setenv("CQLANG_CONFIG", "env.toml")
    assert target_file() == Path("env.toml")


def test_save_rejects_a_bad_name(isolated: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be a query's name"):
        save_query(isolated / "cqlang.toml", "hot leads", "state = OPEN")


# A property: for any string written any of TOML's four ways, the scanner
# reads back tomllib's value, and every character maps to where it is written.

_KINDS = ("basic", "literal", "ml_basic", "ml_literal")


def _encode(value: str, kind: str) -> str | None:
    import tomlkit

    controls = any((ord(c) < 32 and c not in "\t\n") or ord(c) == 127 for c in value)
    if kind == "basic":
        return str(tomlkit.string(value).as_string())
    if kind == "ml_basic":
        return str(tomlkit.string(value, multiline=True).as_string())
    if kind == "literal":
        ok = not controls and "'" not in value and "\n" not in value
        return "'" + value + "'" if ok else None
    ok = not controls and "'''" not in value and not value.endswith("'")
    return "'''\n" + value + "'''" if ok else None


@settings(max_examples=300, deadline=None)
@given(
    value=st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
    | st.text(st.sampled_from(list("ab \"'\\\n\t#$")), max_size=30),
    kind=st.sampled_from(_KINDS),
)
def test_scanner_property(value: str, kind: str) -> None:
    encoded = _encode(value, kind)
    assume(encoded is not None)
    text = f'# head\n[t."x y"]\nk = {encoded}  # tail\nafter = "z"\n'
    try:
        expected = tomllib.loads(text)["t"]["x y"]["k"]
    except tomllib.TOMLDecodeError:
        assume(False)
    span = tomlscan.scan(text).strings[("t", "x y", "k")]
    assert span.value == expected
    assert list(span.offsets) == sorted(set(span.offsets))
    for ch, off in zip(span.value, span.offsets, strict=False):
        assert text[off] in (ch, "\\")


@settings(max_examples=200, deadline=None)
@given(
    key=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20)
    | st.text(st.sampled_from(list("ab \"'\\.#=")), min_size=1, max_size=20),
    kind=st.sampled_from(["bare", "basic", "literal"]),
)
def test_scanner_key_ends(key: str, kind: str) -> None:
    """Layout.keys and Layout.key_ends hold each key as written: the text
    between them, read as a TOML key, is the key (the language server's
    span of a mistake about a key)."""
    if kind == "bare":
        assume(re.fullmatch(r"[A-Za-z0-9_-]+", key) is not None)
        encoded: str | None = key
    else:
        encoded = _encode(key, kind)
    assume(encoded is not None)
    text = f"[t. {encoded} ]\n{encoded} = 1  # {encoded}\nx. {encoded} .y = 2\n"
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assume(False)
    layout = tomlscan.scan(text)
    for path in [("t", key), ("t", key, key), ("t", key, "x", key)]:
        written = text[layout.keys[path] : layout.key_ends[path]]
        assert written == encoded
        assert list(tomllib.loads(f"{written} = 0")) == [key]


def test_the_annotated_example_in_the_docs_reads_and_lints_clean(isolated: Path) -> None:
    import re

    text = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    block = re.search(r"^```toml\n(.*?)^```", text, re.S | re.M)
    assert block is not None
    p = write(isolated / "cqlang.toml", block.group(1))
    cfg = Config.load(p, profile="staging")
    assert cfg.lint(strict=True, now=NOW) == []
    assert set(cfg.queries) == {"open_requests", "hot_leads", "hot_in_poland", "web"}
    assert cfg.connection().base_url == "https://api-staging.example.com"
    assert cfg.connection().timezone == "Europe/Warsaw"
    assert cfg.schema.custom_field("callback_at").type == "datetime"  # type: ignore[union-attr]


def test_lint_places_mistakes_in_a_pyproject(isolated: Path) -> None:
    write(
        isolated / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.cqlang.queries.q]\nquery = "state = OPNE"\n',
    )
    (f,) = Config.load().lint()
    assert f.placed is not None and (f.placed.line, f.placed.column) == (5, 18)
    assert "--> pyproject.toml:5:18" in f.rendered


def test_a_pipe_given_as_the_config_is_refused_not_waited_on(isolated: Path) -> None:
    fifo = isolated / "fifo.toml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="is a pipe"):
        Config.load(fifo)


def test_a_mistake_in_a_pyproject_names_the_key_plainly(isolated: Path) -> None:
    write(isolated / "pyproject.toml", "[tool.cqlang.profiles.prod]\nbogus = 1\n")
    with pytest.raises(ConfigError) as info:
        Config.load()
    assert "tool.cqlang.profiles.prod: unknown key 'bogus'" in str(info.value)
