"""The core commands of the cqlang CLI: compile, check, fmt, decompile, explain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner, Result

from cqlang.cli import main
from cqlang.encoding import encode

NOW = "2021-08-10 14:30:30"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No config file, no API settings from the environment."""
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    monkeypatch.setenv("CQLANG_CONFIG", str(empty))
    monkeypatch.delenv("CONPEEK_URL", raising=False)
    monkeypatch.delenv("CONPEEK_KEY", raising=False)
    monkeypatch.delenv("CQLANG_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)


def run(*args: str, stdin: str | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def stdout_json(result: Result) -> Any:
    return json.loads(result.stdout)


# --------------------------------------------------------------- compile


def test_compile_json() -> None:
    result = run("compile", 'state in (OPEN, CLOSED) and priority >= 3 and custom.region = "PL"')
    assert result.exit_code == 0
    assert stdout_json(result) == [
        {"property": "state", "value": ["OPEN", "CLOSED"]},
        {"property": "priority", "operator": "gte", "value": 3},
        {"property": "custom_fields", "key": "region", "value": "PL"},
    ]


def test_compile_param_is_the_encoded_value() -> None:
    result = run("compile", "--format", "param", "custom.x = 'a&b#c+d'")
    assert result.exit_code == 0
    value = result.stdout.strip()
    filters = [{"property": "custom_fields", "key": "x", "value": "a&b#c+d"}]
    assert value == encode(filters)
    assert parse_qs(f"filter={value}")["filter"] == [json.dumps(filters, separators=(",", ":"))]


def test_compile_url() -> None:
    result = run(
        "compile",
        "--format",
        "url",
        "--base-url",
        "https://api.example.com/",
        "--campaign",
        "5b7c389fe8df7b60af688989",
        "state = OPEN",
    )
    assert result.exit_code == 0
    url = urlsplit(result.stdout.strip())
    assert (url.scheme, url.netloc) == ("https", "api.example.com")
    assert url.path == "/voice_campaign/5b7c389fe8df7b60af688989/request"
    (value,) = parse_qs(url.query)["filter"]
    assert json.loads(value) == [{"property": "state", "value": ["OPEN"]}]


def test_compile_url_takes_the_base_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONPEEK_URL", "https://env.example.com")
    result = run("compile", "--format", "url", "--campaign", "c1", "priority > 1")
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "https://env.example.com/voice_campaign/c1/request?limit=1000&offset=0&filter="
    )


def test_compile_url_without_a_base_is_a_usage_error() -> None:
    result = run("compile", "--format", "url", "--campaign", "c1", "priority > 1")
    assert result.exit_code == 2
    assert "base" in result.stderr


def test_compile_url_escapes_the_campaign_and_drops_a_password() -> None:
    result = run(
        "compile", "--format", "url", "--base-url", "http://me:SECRETPW@api.example.com:8080/v1/",
        "--campaign", "a b/c?d", "state = OPEN",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    url = urlsplit(result.stdout.strip())
    assert url.netloc == "api.example.com:8080" and "SECRETPW" not in result.output
    assert url.path == "/v1/voice_campaign/a%20b%2Fc%3Fd/request"


@pytest.mark.parametrize(
    "base", ["notaurl", "ftp://h", "http://[::1", "http://127.0.0.1:99999", "https://h/?x=1"]
)
def test_a_bad_base_url_is_a_usage_error(base: str) -> None:
    result = run(
        "compile", "--format", "url", "--base-url", base, "--campaign", "c", "state = OPEN"
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("cqlang: the base URL")


def test_compile_reads_stdin_for_dash() -> None:
    result = run("compile", "-", stdin="# saved query\nstate = OPEN\n  and priority > 1\n")
    assert result.exit_code == 0
    assert stdout_json(result) == [
        {"property": "state", "value": ["OPEN"]},
        {"property": "priority", "operator": "gt", "value": 1},
    ]


def test_compile_inputs_params_tz_now() -> None:
    result = run(
        "compile",
        "--param",
        "p=3",
        "-p",
        "who=7",
        "--tz",
        "Europe/Warsaw",
        "--now",
        NOW,
        "priority >= $p and tenant_user_id = $who and created_date >= today",
    )
    assert result.exit_code == 0, result.stderr
    assert stdout_json(result) == [
        {"property": "priority", "operator": "gte", "value": 3},
        {"property": "tenant_user_id", "value": [7]},
        {"property": "created_date", "operator": "gte", "value": "2021-08-09 22:00:00"},
    ]


def test_empty_query_compiles_to_no_filter() -> None:
    assert stdout_json(run("compile", "")) == []
    assert run("compile", "--format", "param", "# nothing").stdout.strip() == ""


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["compile", "prioirty > 3 and state = OPNE"], 1, "did you mean 'priority'?"),
        (["compile", "state = OPEN or"], 1, "error[CQL004]"),
        (["compile", "state = OPEN or priority > 1"], 1, "cqlang explain"),
        (["compile", "state = OPEN and state = CLOSED"], 1, "error[CQL201]"),
        (["compile", "priority = $p"], 1, "error[CQL109]"),
        (["compile", "--tz", "Mars/Base", "created_date = 2021-08-10"], 2, "--tz: unknown time"),
        (["compile", "--param", "nameless", "priority = 1"], 2, "NAME=VALUE"),
        (["compile", "--now", "garbage", "created_date > now"], 2, "--now"),
        (["compile", "--format", "xml", "priority = 1"], 2, "xml"),
        (["compile"], 2, "QUERY"),
        (["nosuchcommand"], 2, "nosuchcommand"),
        (["compile", 'custom.a = "\\ud800"'], 1, "error[CQL005]"),
    ],
)
def test_exit_codes_and_messages(args: list[str], code: int, needle: str) -> None:
    result = run(*args)
    assert result.exit_code == code, result.output
    assert needle in result.stderr
    assert result.stdout == ""


def test_two_mistakes_both_shown_with_carets() -> None:
    result = run("compile", "prioirty > 3 and state = OPNE")
    assert result.exit_code == 1
    err = result.stderr
    assert "error[CQL101]: unknown property 'prioirty'" in err
    assert "error[CQL105]" in err
    assert "^^^^^^^^ did you mean 'priority'?" in err
    assert "^^^^ did you mean 'OPEN'?" in err


def test_compile_prints_warnings_but_succeeds() -> None:
    result = run("compile", "--param", "unused=1", "priority = 1")
    assert result.exit_code == 0
    assert "warning[CQL114]" in result.stderr
    assert stdout_json(result) == [{"property": "priority", "operator": "eq", "value": 1}]


# ----------------------------------------------------------------- check


def test_check_ok() -> None:
    result = run("check", "state = OPEN")
    assert result.exit_code == 0
    assert result.stdout.strip() == "ok"


def test_check_json_lists_every_diagnostic() -> None:
    result = run("check", "--json", "prioirty > 3 and state = OPNE")
    assert result.exit_code == 1
    data = stdout_json(result)
    assert [d["code"] for d in data] == ["CQL101", "CQL105"]
    assert set(data[0]) == {
        "code",
        "severity",
        "message",
        "start",
        "end",
        "line",
        "column",
        "hint",
        "suggestion",
    }
    assert (data[0]["start"], data[0]["end"], data[0]["line"], data[0]["column"]) == (0, 8, 1, 1)


def test_check_json_names_the_file_the_query_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("q.cql").write_text("prioirty > 3\nand state = OPNE\n", encoding="utf-8")
    result = run("check", "--json", "-f", "q.cql")
    assert result.exit_code == 1
    data = stdout_json(result)
    assert [(d["file"], d["code"], d["line"]) for d in data] == [
        ("q.cql", "CQL101", 1),
        ("q.cql", "CQL105", 2),
    ]
    assert next(iter(data[0])) == "file"
    piped = run("check", "--json", "-f", "-", stdin="prioirty > 3\n")
    assert "file" not in stdout_json(piped)[0]


def test_check_json_of_a_warning_exits_0() -> None:
    result = run("check", "--json", "state = OPEN and state = CLOSED")
    assert result.exit_code == 0
    assert [d["severity"] for d in stdout_json(result)] == ["warning"]


def test_check_json_of_a_syntax_error() -> None:
    result = run("check", "--json", "state = ")
    assert result.exit_code == 1
    (diag,) = stdout_json(result)
    assert diag["code"] == "CQL004" and "expected" in diag["hint"]


def test_check_text_output_goes_to_stderr() -> None:
    result = run("check", "state = OPEN and\n  prioirty > 3")
    assert result.exit_code == 1
    assert " --> 2:3" in result.stderr
    assert "2 |   prioirty > 3" in result.stderr


def test_check_reads_stdin() -> None:
    result = run("check", "--json", "-", stdin="priority >= 1\n")
    assert result.exit_code == 0
    assert stdout_json(result) == []


# ------------------------------------------------------------------- fmt


def test_fmt() -> None:
    result = run("fmt", "STATE=open AND (priority>=3)")
    assert result.exit_code == 0
    assert result.stdout == "STATE = open and priority >= 3\n"
    assert run("fmt", "-", stdin="x == 1 # c\n or y <> 2").stdout == "x = 1  # c\nor y != 2\n"
    bad = run("fmt", "state = OPEN or")
    assert bad.exit_code == 1 and "error[CQL004]" in bad.stderr


# -------------------------------------------------------------- decompile

FILTERS = [
    {"property": "state", "value": ["OPEN"]},
    {"property": "custom_fields", "key": "lead source", "value": "a&b"},
]
DECOMPILED = 'state = OPEN and custom["lead source"] = "a&b"'


@pytest.mark.parametrize(
    "source",
    [
        json.dumps(FILTERS),
        encode(FILTERS),
        f"https://api.example.com/voice_campaign/x/request?limit=10&filter={encode(FILTERS)}",
    ],
    ids=["json", "encoded", "url"],
)
def test_decompile(source: str) -> None:
    result = run("decompile", source)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == DECOMPILED + "\n"


def test_decompile_stdin_and_errors() -> None:
    assert run("decompile", "-", stdin=json.dumps(FILTERS)).stdout == DECOMPILED + "\n"
    bad = run("decompile", "[{")
    assert bad.exit_code == 1 and "error[CQL301]" in bad.stderr
    bad = run("decompile", '[{"property": "nope", "value": 1}]')
    assert bad.exit_code == 1 and "error[CQL302]" in bad.stderr


# ---------------------------------------------------------------- explain


def test_explain_words() -> None:
    result = run("explain", "state = OPEN or (priority > 5 and close_reason != done)")
    assert result.exit_code == 0
    out = result.stdout
    assert "2 requests, records merged by id:" in out
    assert '1. filter=[{"property": "state", "value": ["OPEN"]}]' in out
    assert "encoded: %5B%7B" in out
    assert "kept on the client when" in out


def test_explain_json() -> None:
    result = run("explain", "--json", "state = OPEN or priority > 5")
    assert result.exit_code == 0
    data = stdout_json(result)
    assert [r["filter"] for r in data["requests"]] == [
        [{"property": "state", "value": ["OPEN"]}],
        [{"property": "priority", "operator": "gt", "value": 5}],
    ]
    assert data["residual"] is None and data["never_matches"] is False
    assert data["warnings"] == []


def test_explain_json_never_matches_and_residual() -> None:
    data = stdout_json(run("explain", "--json", "state = OPEN and state = CLOSED"))
    assert data["never_matches"] is True and data["requests"] == []
    assert [w["code"] for w in data["warnings"]] == ["CQL201"]
    data = stdout_json(run("explain", "--json", 'custom.region != "PL"'))
    assert data["requests"] == [{"filter": [], "encoded": None}]
    assert data["residual"] == 'custom.region != "PL"'


def test_explain_warns_when_the_server_narrows_nothing() -> None:
    result = run("explain", "custom.region != PL")
    assert result.exit_code == 0
    assert "no filter" in result.stdout
    assert "every record" in result.stderr


def test_explain_max_branches() -> None:
    text = "priority = 1 or state = OPEN or custom.a = b"
    assert run("explain", "--max-branches", "3", text).exit_code == 0
    result = run("explain", "--max-branches", "2", text)
    assert result.exit_code == 1
    assert "error[CQL204]" in result.stderr and "3 requests" in result.stderr


# ------------------------------------------------------------------ help


def test_help_lists_commands_with_examples() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("compile", "check", "fmt", "decompile", "explain"):
        assert command in result.stdout
    assert "Examples:" in result.stdout
    assert "cqlang compile 'state in (OPEN, CLOSED) and priority >= 3'" in result.stdout
    assert "cqlang explain" in result.stdout
    for command in ("compile", "check", "fmt", "decompile", "explain"):
        sub = run(command, "--help")
        assert sub.exit_code == 0 and "Usage: " in sub.stdout


def test_help_examples_run() -> None:
    """Every core example in `cqlang --help` works as shown."""
    assert run("compile", "state in (OPEN, CLOSED) and priority >= 3").exit_code == 0
    assert run("check", "prioirty > 3").exit_code == 1
    assert run("explain", "state = OPEN or priority > 5").exit_code == 0
    assert run("fmt", "STATE=open AND (priority>=3)").exit_code == 0
    assert run("decompile", '[{"property":"state","value":["OPEN"]}]').exit_code == 0


# ------------------------------------------------------------ subprocess


def _cqlang() -> list[str]:
    exe = Path(sys.executable).with_name("cqlang")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cqlang.cli"]


def test_real_process_reads_stdin_and_exits_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "CQLANG_CONFIG": str(tmp_path / "empty.toml")}
    env.pop("CQLANG_DEBUG", None)
    ok = subprocess.run(
        [*_cqlang(), "compile", "--format", "param", "-"],
        input="state = OPEN # from a pipe\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == encode([{"property": "state", "value": ["OPEN"]}])
    bad = subprocess.run(
        [*_cqlang(), "compile", "-"],
        input=b"custom.a = '\xff\xfe' and prioirty > 1",
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 1, bad.stderr
    assert b"Traceback" not in bad.stderr and b"internal error" not in bad.stderr
    assert b"error[CQL" in bad.stderr


def test_stdin_in_utf8_with_a_bom_or_not_utf8_at_all() -> None:
    import subprocess
    import sys

    def compile_stdin(data: bytes) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "cqlang.cli", "compile", "-"],
            input=data,
            capture_output=True,
            timeout=60,
        )

    ok = compile_stdin("\ufeffstate = OPEN".encode())
    assert ok.returncode == 0
    assert json.loads(ok.stdout) == [{"property": "state", "value": ["OPEN"]}]
    bad = compile_stdin(b"state = \xff")
    assert bad.returncode == 1
    assert b"byte 0xFF is not UTF-8 text" in bad.stderr and b"Traceback" not in bad.stderr


def test_max_branches_below_one_is_a_usage_error() -> None:
    assert run("explain", "--max-branches", "0", "state = OPEN").exit_code == 2


def test_a_password_in_a_bad_base_url_is_never_shown() -> None:
    base = "http://alice:hunter2/x@api.example.com"
    result = run(
        "compile", "--format", "url", "--base-url", base, "--campaign", "c", "state = OPEN"
    )
    assert result.exit_code == 2 and "hunter2" not in result.output


def test_config_from_dev_null_is_empty_and_dev_zero_is_refused() -> None:
    assert run("--config", "/dev/null", "compile", "state = OPEN").exit_code == 0
    result = run("--config", "/dev/zero", "compile", "state = OPEN")
    assert result.exit_code == 2 and "is a device, not a config file" in result.stderr


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("fech", "'fetch'"), ("explian", "'explain'"), ("compil", "'compile'")],
)
def test_an_unknown_command_gets_a_did_you_mean(typed: str, meant: str) -> None:
    """Click draws "did you mean" from the commands loaded; the lazy group
    had loaded none, so `cqlang compil` got no suggestion (`queries lst` did)."""
    result = CliRunner().invoke(main, [typed, "x"])
    assert result.exit_code == 2
    assert f"No such command '{typed}'." in result.output
    assert "Did you mean" in result.output and meant in result.output
    assert "Did you mean" not in run_plain("zzzz").output


def run_plain(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_a_typo_of_a_command_loads_no_command_module() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from cqlang.cli import main\n"
        "r = CliRunner().invoke(main, ['fech', 'x'])\n"
        "assert \"Did you mean 'fetch'?\" in r.output, r.output\n"
        "print(sorted(m for m in sys.modules if m.startswith('cqlang.cli.') and "
        "m not in ('cqlang.cli.group', 'cqlang.cli.lazygroup', 'cqlang.cli.context')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["[]"], out.stdout
