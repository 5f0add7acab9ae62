"""A --param value (or the REPL's \\param) holding a byte that is not UTF-8
is refused, naming the parameter and the byte (exit 2, as other bad --param
values), as the same bytes in a query's text are CQL002; it was sent as
U+FFFD. The command line keeps such a byte as a lone surrogate
(surrogateescape): that is what these tests pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cqlang import launch
from cqlang.cli import main
from cqlang.params import not_utf8_value
from cqlang.repl import Dispatcher, Session

BAD = "a\udcffb"  # the argument bytes a, 0xFF, b
MESSAGE = "--param v: byte 0xFF (character 2 of the value) is not UTF-8 text"


@pytest.fixture(autouse=True)
def _no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    for var in ("CQLANG_CONFIG", "CONPEEK_URL", "CONPEEK_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


def test_the_value_is_checked() -> None:
    assert not_utf8_value("ąę ok 😀") is None
    assert not_utf8_value(BAD) == "byte 0xFF (character 2 of the value) is not UTF-8 text"
    assert "lone surrogate" in (not_utf8_value("x\ud800") or "")


@pytest.mark.parametrize(
    "args",
    [
        ["compile", "custom.x = $v", "-p", f"v={BAD}"],
        ["check", "custom.x = $v", "--param", f"v={BAD}"],
        ["queries", "save", "x", "custom.x = $v", "-p", f"v={BAD}"],
    ],
)
def test_cli_refuses_it(args: list[str]) -> None:
    result = CliRunner().invoke(main, args, prog_name="cqlang")
    assert result.exit_code == 2, result.output
    assert f"cqlang: {MESSAGE}" in result.stderr
    assert "\ufffd" not in result.output
    assert not Path("cqlang.toml").exists()  # queries save wrote nothing


def test_the_launcher_leaves_it_to_click(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["cqlang", "compile", "custom.x = $v", "-p", f"v={BAD}"])
    with pytest.raises(SystemExit) as stop:
        launch.main()
    assert stop.value.code == 2
    assert MESSAGE in capsys.readouterr().err


def test_repl_param_refuses_it() -> None:
    d = Dispatcher(Session())
    reply = d.handle(f"\\param v={BAD}")
    assert (
        not reply.ok
        and reply.text == "\\param v: byte 0xFF (character 2 of the value) is not UTF-8 text"
    )
    assert "v" not in d.session.params


@pytest.mark.parametrize(
    ("query", "value"),
    [
        ("custom.x = $v", "a\udcffb"),
        ("custom.x = $v", "a\ud800b"),
        ("close_reason = $v", "a\udcffb"),
        ("custom.x in $v", ["ok", "a\udcffb"]),
        ("close_reason in $v", ["a\ud800b"]),
    ],
)
def test_python_params_that_are_not_text_are_a_diagnostic(query: str, value: object) -> None:
    """A value from Python (params=) that holds a lone surrogate is CQL113,
    as --param's is refused: it used to compile and then fail in encode()
    with a UnicodeEncodeError, which is no CqlError."""
    import cqlang

    with pytest.raises(cqlang.CqlError) as info:
        cqlang.encode(cqlang.compile(query, params={"v": value}))
    (d,) = info.value.diagnostics  # type: ignore[attr-defined]
    assert d.code == "CQL113" and d.message.startswith("parameter $v: ")
