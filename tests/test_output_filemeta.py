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


def _file_metadata(path: Path) -> dict[bytes, bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.suffix == ".parquet":
        meta = pq.read_metadata(path).metadata
    else:
        with pa.memory_map(str(path)) as source:
            meta = pa.ipc.open_file(source).schema.metadata
    return cqlang_keys(meta)


def cqlang_keys(meta: dict[bytes, bytes]) -> dict[bytes, bytes]:
    """cqlang's own keys (Parquet adds ``ARROW:schema`` of its own)."""
    return {k: v for k, v in meta.items() if k.startswith(b"cqlang.")}


@pytest.mark.parametrize("ext", ["parquet", "arrow"])
def test_cli_repl_and_python_record_the_same_metadata(
    tmp_path: Path, emulator: Emulator, ext: str
) -> None:
    """`fetch -o`, the REPL's `\\o` and `FetchSpec.to_arrow` build a file's
    metadata through one helper (FetchSpec.file_metadata): for the same
    named query and parameters, the same keys and values, the time the
    fetch began aside."""
    pytest.importorskip("pyarrow")
    from cqlang import Client
    from cqlang.config import Config
    from cqlang.repl import Dispatcher, Session

    env = config_env(tmp_path, HOT, CONPEEK_URL=emulator.url, CONPEEK_KEY="demo-key")
    by_cli = tmp_path / f"cli.{ext}"
    run(env, "fetch", "--campaign", DEFAULT_CAMPAIGN, "@hot", "-p", "min=45", "-o", str(by_cli))

    cfg = Config.load(Path(env["CQLANG_CONFIG"]))
    session = Session(
        campaign=DEFAULT_CAMPAIGN,
        base_url=emulator.url,
        api_key="demo-key",
        queries=dict(cfg.queries),
    )
    d = Dispatcher(session, width=100)
    by_repl = tmp_path / f"repl.{ext}"
    for line in ("\\param min=45", "@hot", f"\\o {by_repl}", "\\fetch"):
        reply = d.handle(line)
        assert reply.ok, (line, reply.text)

    spec = cfg.prepare("@hot", params={"min": "45"}, campaign=DEFAULT_CAMPAIGN)
    with Client(emulator.url, "demo-key") as client:
        table = spec.to_arrow(client)
    by_python = cqlang_keys(table.schema.metadata)

    cli, repl = _file_metadata(by_cli), _file_metadata(by_repl)
    for meta in (cli, repl, by_python):
        assert meta.pop(b"cqlang.fetched_at")
    assert cli[b"cqlang.named_query"] == b"@hot"
    assert json.loads(cli[b"cqlang.params"]) == {"min": "45", "s": "OPEN"}
    assert repl == cli
    assert by_python == cli


def test_writer_options_carry_metadata_for_binary_formats_only() -> None:
    """FetchSpec.writer_options: the one recipe of `fetch -o` and `\\o`;
    file_metadata has one import address (cqlang.output.filemeta)."""
    import cqlang.output.arrow as arrow_api
    import cqlang.output.arrowconvert as convert
    from cqlang import plan
    from cqlang.config.fetchspec import prepare
    from cqlang.output.formats import BINARY_FORMATS, FORMATS

    spec = prepare("priority >= $min", params={"min": "3"}, campaign=DEFAULT_CAMPAIGN)
    planned = plan("priority >= 3")
    for fmt in FORMATS:
        options = spec.writer_options(fmt, planned, columns=None)
        assert options["schema"] is spec.schema and options["exclude"] == spec.exclude
        assert ("metadata" in options) == (fmt in BINARY_FORMATS), fmt
    meta = spec.writer_options("parquet", planned)["metadata"]
    assert meta["cqlang.query"] == "priority >= $min"
    assert json.loads(meta["cqlang.params"]) == {"min": "3"}
    assert "file_metadata" not in vars(convert)
    assert "file_metadata" not in arrow_api.__all__
