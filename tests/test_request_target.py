"""Where a request goes is what was written: a base URL's port of 0 or
nothing is refused (not quietly port 80), and so is a campaign id of `.`
or `..` (not quietly another path), on every path that builds a request."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner, Result

import cqlang
from cqlang.cli import main
from cqlang.config import Config, ConfigError
from cqlang.encoding import base_url, campaign_problem, request_path
from cqlang.repl import Dispatcher, Session, run_script


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CQLANG_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("CONPEEK_URL", raising=False)
    monkeypatch.setenv("CONPEEK_KEY", "SECRETKEY123456")
    monkeypatch.chdir(tmp_path)


def cli(*args: str, **env: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env or None)


# ------------------------------------------------------------- the base URL


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:0",
        "http://127.0.0.1:",
        "http://127.0.0.1:/api",
        "http://127.0.0.1:00",
        "https://[::1]:",
        "http://user:pw@127.0.0.1:",
        "http://127.0.0.1:65536",
        "http://127.0.0.1:8o",
    ],
)
def test_a_port_of_zero_or_nothing_is_no_port(url: str) -> None:
    with pytest.raises(ValueError, match="port must be a number from 1 to 65535"):
        base_url(url)
    with pytest.raises(cqlang.ConfigurationError, match="port"):
        cqlang.Client(url, "k")
    for args in (
        ("fetch", "--campaign", "c", "--base-url", url, "state = OPEN"),
        ("compile", "--format", "url", "--campaign", "c", "--base-url", url, "state = OPEN"),
    ):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert "port must be a number from 1 to 65535" in result.stderr
        assert "pw" not in result.output
    result = cli("fetch", "--campaign", "c", "state = OPEN", CONPEEK_URL=url)
    assert result.exit_code == 2 and "port must be" in result.stderr


def test_a_written_port_and_no_port_are_kept() -> None:
    assert base_url("http://h:8080/x/") == "http://h:8080/x"
    assert base_url("https://h") == "https://h"


class _Witness(BaseHTTPRequestHandler):
    """The server a request for a campaign of `..` would have reached (at
    /request): nothing may reach it."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"data": []}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def witness() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), _Witness)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_the_repl_and_the_config_refuse_an_empty_port(tmp_path: Path) -> None:
    cfg = tmp_path / "cqlang.toml"
    cfg.write_text("[connection]\nbase_url = 'http://127.0.0.1:'\ncampaign = 'c'\n", "utf-8")
    result = cli("--config", str(cfg), "fetch", "state = OPEN")
    assert result.exit_code == 2 and "port must be" in result.stderr
    session = Session(campaign="c", base_url="http://127.0.0.1:", api_key="k")
    out, err = io.StringIO(), io.StringIO()
    status = run_script(io.StringIO("state = OPEN\n\\fetch\n"), Dispatcher(session), out, err)
    assert status == 1
    assert "port must be a number from 1 to 65535" in err.getvalue()
    assert "Error:" not in err.getvalue() and "failed:" not in err.getvalue()


# --------------------------------------------------------------- campaign ids


@pytest.mark.parametrize("campaign", [".", "..", "", "  "])
def test_dot_segments_and_blanks_are_no_campaign_id(campaign: str) -> None:
    assert campaign_problem(campaign) is not None
    with pytest.raises(ValueError):
        request_path(campaign)


def test_other_ids_are_escaped_as_one_segment() -> None:
    assert request_path("a/../b") == "/voice_campaign/a%2F..%2Fb/request"
    assert request_path("...") == "/voice_campaign/.../request"
    assert campaign_problem("%2E%2E") is None  # sent as %252E%252E: no dot segment


@pytest.mark.parametrize("campaign", [".", ".."])
def test_fetch_and_compile_refuse_a_dot_campaign_before_sending(
    campaign: str, witness: HTTPServer, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{witness.server_address[1]}"
    out = tmp_path / "out.jsonl"
    result = cli("fetch", "--base-url", url, "--campaign", campaign, "-o", str(out))
    assert result.exit_code == 2, result.output
    assert "cannot be a campaign id" in result.stderr
    assert not out.exists()
    result = cli("compile", "--format", "url", "--base-url", url, "--campaign", campaign, "")
    assert result.exit_code == 2 and "cannot be a campaign id" in result.stderr
    assert _Witness.hits == []
    with cqlang.Client(url, "k") as client, pytest.raises(ValueError, match="campaign id"):
        list(client.voice_campaign_requests(campaign))
    assert _Witness.hits == []


def test_the_repl_and_the_config_refuse_a_dot_campaign(tmp_path: Path) -> None:
    d = Dispatcher(Session())
    r = d.handle("\\campaign ..")
    assert not r.ok and "cannot be a campaign id" in r.text
    assert d.session.campaign is None
    cfg = tmp_path / "cqlang.toml"
    cfg.write_text(
        "[connection]\ncampaign = '..'\n[queries.q]\nquery = 'state = OPEN'\ncampaign = '.'\n",
        "utf-8",
    )
    with pytest.raises(ConfigError) as info:
        Config.load(cfg)
    shown = str(info.value)
    assert "cqlang.toml:2:12: connection.campaign: '..' cannot be a campaign id" in shown
    assert "cqlang.toml:5:12: queries.q.campaign: '.' cannot be a campaign id" in shown


@pytest.mark.parametrize("char", ["\x07", "\x01", "\x08", "\x7f", "\x1b", "\x9b"])
def test_a_control_character_in_a_base_url_is_refused_and_never_printed(
    char: str, tmp_path: Path
) -> None:
    url = f"http://h{char}evil.example"
    with pytest.raises(ValueError, match=r"holds a control character \(U\+00"):
        base_url(url)
    with pytest.raises(cqlang.ConfigurationError, match="control character"):
        cqlang.Client(url, "k")
    for result in (
        cli("fetch", "--campaign", "c", "--base-url", url, "state = OPEN"),
        cli("fetch", "--campaign", "c", "state = OPEN", CONPEEK_URL=url),
    ):
        assert result.exit_code == 2, result.output
        assert "control character" in result.stderr
        assert char not in result.output
    toml = tmp_path / "c.toml"
    toml.write_text(f'[connection]\nbase_url = "http://h\\u{ord(char):04x}x"\n', encoding="utf-8")
    with pytest.raises(cqlang.ConfigError, match="control character") as info:
        cqlang.Config.load(toml)
    assert char not in str(info.value)
