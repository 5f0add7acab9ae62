"""A device given as a config or query file (`--config /dev/zero`, `-f
/dev/urandom`) was called "larger than 1 MiB" (or 4000000 bytes), as if it
were a big file: it is now "is a device, not a config file" ("not a query
file"), as a pipe is "is a pipe, not a config file". /dev/null stays an
empty config. Devices are made with mknod in a temporary folder (zero: 1,5;
urandom: 1,9), as root only; never the real ones."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.config import ConfigError
from cqlang.config.files import MAX_CONFIG_BYTES, read_config_bytes
from cqlang.errors import QueryFileError
from cqlang.queryfile import MAX_QUERY_FILE_BYTES, read_query_file


def device(folder: Path, name: str, minor: int) -> Path:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mknod of a character device needs root")
    node = folder / name
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    except OSError as exc:
        pytest.skip(f"mknod is not allowed here: {exc.strerror}")
    return node


@pytest.fixture(params=[("zero", 5), ("urandom", 9)], ids=["zero", "urandom"])
def endless(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    name, minor = request.param
    return device(tmp_path, name, minor)


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


def test_a_device_is_no_config_file(endless: Path) -> None:
    code, err = run("--config", str(endless), "config")
    assert code == 2 and err == f"cqlang: {endless}: is a device, not a config file\n"
    code, err = run("queries", "save", "hot", "state = OPEN", env={"CQLANG_CONFIG": str(endless)})
    assert code == 2 and "is a device, not a config file" in err
    with pytest.raises(ConfigError, match="is a device, not a config file"):
        read_config_bytes(endless)


@pytest.mark.parametrize("command", ["compile", "check", "explain"])
def test_a_device_is_no_query_file(endless: Path, command: str) -> None:
    code, err = run(command, "-f", str(endless), env={"CQLANG_CONFIG": os.devnull})
    assert code == 2 and err == f"cqlang: {endless}: is a device, not a query file\n"
    with pytest.raises(QueryFileError, match="is a device, not a query file"):
        read_query_file(str(endless))


def test_a_null_device_is_still_an_empty_config(tmp_path: Path) -> None:
    null = device(tmp_path, "null", 3)
    assert read_config_bytes(null)[0] == b""
    code, _ = run("--config", str(null), "config")
    assert code == 0


def test_a_big_file_is_still_larger_than(tmp_path: Path) -> None:
    big_config = tmp_path / "big.toml"
    big_config.write_bytes(b"#" * (MAX_CONFIG_BYTES + 1))
    with pytest.raises(ConfigError, match="larger than 1 MiB: not a config file"):
        read_config_bytes(big_config)
    big_query = tmp_path / "big.cql"
    big_query.write_bytes(b"#" * (MAX_QUERY_FILE_BYTES + 1))
    with pytest.raises(QueryFileError, match="larger than 4000000 bytes: not a query file"):
        read_query_file(str(big_query))
