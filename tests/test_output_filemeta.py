"""What a Parquet or Arrow file records of its fetch (cqlang/output/filemeta.py):
the query, the named query and the parameters, from `fetch -o`, the REPL's
`\\o FILE` and Python's batches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator


def run(env: dict[str, str], *args: str) -> None:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output


def config_env(tmp_path: Path, text: str, **extra: str) -> dict[str, str]:
    config = tmp_path / "cqlang.toml"
    config.write_text(text, encoding="utf-8")
    config.chmod(0o600)
    return {"CONPEEK_URL": "", "CONPEEK_KEY": "", "CQLANG_CONFIG": str(config), **extra}


HOT = """
[queries.hot]
query = "priority >= $min and state = $s"
params = { min = 40, s = "OPEN" }
"""


@pytest.mark.parametrize("ext", ["parquet", "arrow"])
def test_typed_file_records_the_named_query_and_the_params(
    tmp_path: Path, emulator: Emulator, ext: str
) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    env = config_env(tmp_path, HOT, CONPEEK_URL=emulator.url, CONPEEK_KEY="demo-key")
    out = tmp_path / f"hot.{ext}"
    run(env, "fetch", "--campaign", DEFAULT_CAMPAIGN, "@hot", "-p", "min=45", "-o", str(out))
    if ext == "parquet":
        meta = pq.read_metadata(out).metadata
    else:
        with pa.memory_map(str(out)) as source:
            meta = pa.ipc.open_file(source).schema.metadata
    assert meta[b"cqlang.query"] == b"priority >= $min and state = $s"
    assert meta[b"cqlang.named_query"] == b"@hot"
    assert json.loads(meta[b"cqlang.params"]) == {"min": "45", "s": "OPEN"}


def test_repl_o_file_records_the_named_query_and_the_params(
    tmp_path: Path, emulator: Emulator
) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from cqlang.config import Config
    from cqlang.repl import Dispatcher, Session

    config = tmp_path / "cqlang.toml"
    config.write_text(HOT, encoding="utf-8")
    cfg = Config.load(config)
    session = Session(
        campaign=DEFAULT_CAMPAIGN,
        base_url=emulator.url,
        api_key="demo-key",
        queries=dict(cfg.queries),
    )
    d = Dispatcher(session, width=100)
    assert d.handle("\\param min=41").ok
    assert d.handle("@hot").ok
    out = tmp_path / "hot.parquet"
    assert d.handle(f"\\o {out}").ok
    reply = d.handle("\\fetch 3")
    assert reply.ok, reply.text
    meta = pq.read_metadata(out).metadata
    assert meta[b"cqlang.named_query"] == b"@hot"
    assert json.loads(meta[b"cqlang.params"])["min"] == "41"


def test_python_batches_record_the_params(emulator: Emulator) -> None:
    pytest.importorskip("pyarrow")
    from cqlang import Client

    with Client(emulator.url, "demo-key") as client:
        table = client.to_arrow(DEFAULT_CAMPAIGN, "priority >= $min", params={"min": 45})
    assert json.loads(table.schema.metadata[b"cqlang.params"]) == {"min": 45}
