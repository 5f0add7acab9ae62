"""One error root (cqlang/errors.py): every error a user can cause is a
CqlError, carries its data, and is found at its old address too."""

from __future__ import annotations

import subprocess
import sys

import pytest

import cqlang
from cqlang import errors
from cqlang.status import exit_status, exit_statuses


def test_every_error_is_a_cql_error() -> None:
    classes = [getattr(errors, n) for n in errors.__all__]
    exceptions = [c for c in classes if isinstance(c, type) and issubclass(c, BaseException)]
    assert len(exceptions) >= 20
    assert all(issubclass(c, cqlang.CqlError) for c in exceptions)
    from cqlang.timeexpr import TimeError

    assert issubclass(TimeError, cqlang.CqlError) and issubclass(TimeError, ValueError)


def test_old_addresses_still_work() -> None:
    from cqlang import client, config, diagnostics

    assert diagnostics.CqlError is errors.CqlError
    assert diagnostics.CqlSyntaxError is cqlang.CqlSyntaxError is errors.CqlSyntaxError
    assert diagnostics.raise_for is errors.raise_for
    assert config.ConfigError is cqlang.ConfigError is errors.ConfigError
    assert config.UnknownQueryError is errors.UnknownQueryError
    assert client.ApiError is cqlang.ApiError is errors.ApiError
    assert client.ConfigurationError is cqlang.ConfigurationError
    with pytest.raises(AttributeError):
        diagnostics.NotAnError  # noqa: B018


def test_a_missing_connection_is_a_config_error_not_an_api_error() -> None:
    from cqlang.client import Client

    assert issubclass(cqlang.ConfigurationError, cqlang.ConfigError)
    assert not issubclass(cqlang.ConfigurationError, cqlang.ApiError)
    with pytest.raises(cqlang.ConfigurationError, match="no API base URL") as info:
        Client(base_url="", api_key="k")
    exc = info.value
    assert exit_status(exc) == 2 and exc.status is None and exc.url == ""
    assert [p.message for p in exc.problems] == [str(exc)]


def test_errors_carry_data() -> None:
    with pytest.raises(cqlang.CqlValidationError) as info:
        cqlang.compile("prioirty > 3")
    assert info.value.diagnostics[0].code == "CQL101"
    with pytest.raises(errors.SchemaError) as schema_info:
        cqlang.DEFAULT_SCHEMA.with_custom_fields({"score": "float"})
    assert schema_info.value.field == "score"
    problem = errors.ConfigError("no such file", "/nowhere/c.toml", "queries.x", line=3, column=5)
    assert (problem.path is not None and problem.path.name, problem.key) == ("c.toml", "queries.x")
    assert str(problem).endswith("c.toml:3:5: queries.x: no such file")
    api = errors.NotFoundError("HTTP 404", status=404, url="http://h/x", body="{}")
    assert (api.status, api.url, api.body, exit_status(api)) == (404, "http://h/x", "{}", 3)
    assert errors.SettingError("exclude cannot hold id", "exclude").setting == "exclude"


def test_a_setting_error_always_names_its_setting() -> None:
    """``setting`` is a ``str`` (typed so): every SettingError names the
    parameter, a copy or a pickle of one too; the one raised without it (a
    binary format for a terminal) names ``format``."""
    import copy
    import pickle

    from cqlang.output.target import check_binary

    pytest.importorskip("pyarrow")
    with pytest.raises(errors.OutputSettingError) as caught:
        check_binary("parquet", None, terminal=True)
    assert caught.value.setting == "format"
    with pytest.raises(TypeError):
        errors.SettingError("no setting named")  # type: ignore[call-arg]
    made = [
        errors.SettingError("limit must be at least 0", "limit"),
        errors.ColumnError("unknown field 'x'"),
        errors.OutputSettingError("a folder; name a file", "output"),
    ]
    for error in made:
        for again in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
            assert type(again) is type(error)
            assert (again.setting, str(again)) == (error.setting, str(error))


def test_exit_statuses_come_from_the_one_table() -> None:
    assert exit_status(errors.ConfigError("x")) == 2
    assert exit_status(errors.SettingError("x", "x")) == 2
    assert exit_status(errors.QueryExistsError("x")) == 1
    assert exit_status(errors.UnknownQueryError("x")) == 1
    assert exit_status(errors.ApiError("x")) == 3
    assert exit_status(cqlang.CqlSyntaxError("x")) == 1  # with its diagnostics
    assert not any(hasattr(c, "cqlang_exit_status") for c in exit_statuses())


def test_rendered_for_a_front_end_without_diagnostics_is_the_message() -> None:
    exc = errors.ConfigError("bad", "c.toml", line=1, column=2)
    assert exc.rendered_for("cli") == str(exc) == "c.toml:1:2: bad"


# ------------------------------------------------ missing extras, one tree


@pytest.mark.parametrize(("blocked", "extra"), [("pyarrow", "arrow"), ("pygls", "lsp")])
def test_a_missing_extra_is_one_cql_error_with_exit_2(blocked: str, extra: str) -> None:
    code = (
        f"import sys; sys.modules[{blocked!r}] = None\n"
        "from cqlang.errors import CqlError, MissingExtra\n"
        "from cqlang.status import exit_status\n"
        "if {blocked!r} == 'pyarrow':\n"
        "    from cqlang.output.arrow import require\n"
        "    try:\n"
        "        require('x')\n"
        "    except MissingExtra as exc:\n"
        "        assert isinstance(exc, CqlError) and exc.extra == 'arrow'\n"
        "        assert exit_status(exc) == 2\n"
        "        print('ok')\n"
        "else:\n"
        "    from cqlang.cli import main\n"
        "    main(['lsp'], prog_name='cqlang')\n"
    ).replace("{blocked!r}", repr(blocked))
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    if extra == "arrow":
        assert run.stdout.strip() == "ok", run.stderr
    else:
        assert run.returncode == 2, run.stderr
        assert "pip install 'cqlang[lsp]'" in run.stderr and "Traceback" not in run.stderr
