"""A proxy or a CA bundle chosen by the environment, named when it is why
a request failed: a dead proxy was reported as the API refusing the
connection, a proxy URL that cannot be read as `LocationParseError:
Failed to parse...`, a missing REQUESTS_CA_BUNDLE as `OSError: Could not
find...` (docs/client.md, "Errors"). Loopback only: the proxies are closed
ports or small servers here, so example.invalid is never looked up."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile import Hostile, Request, head

from cqlang.cli import main
from cqlang.client import Client, TransportError
from cqlang.emulator import DEFAULT_CAMPAIGN

PROXY_VARIABLES = [
    f"{key}_proxy" if lower else f"{key.upper()}_PROXY"
    for key in ("http", "https", "all", "no")
    for lower in (True, False)
]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for name in [*PROXY_VARIABLES, "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"]:
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch


def failure(base_url: str) -> str:
    client = Client(base_url, "k-123", max_retries=0)
    with client, pytest.raises(TransportError) as caught:
        list(client.voice_campaign_requests(DEFAULT_CAMPAIGN))
    return str(caught.value)


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("HTTP_PROXY", "http"),
        ("http_proxy", "http"),
        ("HTTPS_PROXY", "https"),
        ("ALL_PROXY", "http"),
    ],
)
def test_a_dead_proxy_is_named_not_the_api(
    clean_environment: pytest.MonkeyPatch, name: str, base: str
) -> None:
    port = closed_port()
    clean_environment.setenv(name, f"http://proxyuser:pr0xyS3cret@127.0.0.1:{port}")
    message = failure(f"{base}://example.invalid")
    assert message.startswith(
        f"cannot connect to the proxy 127.0.0.1 port {port} (from ${name}): connection refused"
    )
    assert "cannot connect to example.invalid" not in message
    assert "pr0xyS3cret" not in message and "proxyuser" not in message


def test_a_failure_through_a_proxy_says_so(clean_environment: pytest.MonkeyPatch) -> None:
    def hang_up(conn: socket.socket, req: Request) -> bool:
        return False  # CONNECT, then the connection closed without an answer

    with Hostile(hang_up) as proxy:
        port = int(proxy.url.rsplit(":", 1)[1])
        clean_environment.setenv("HTTPS_PROXY", proxy.url)
        message = failure("https://example.invalid")
        assert proxy.requests and proxy.requests[0].method == "CONNECT"
    # urllib3 does not tell the proxy's hang-up from the server's: the
    # message says the request went through it.
    assert message.endswith(
        "the server closed the connection without an answer"
        f" (through the proxy 127.0.0.1 port {port} from $HTTPS_PROXY)"
    )


def test_a_proxy_that_refuses_the_tunnel_is_named(clean_environment: pytest.MonkeyPatch) -> None:
    def refuse(conn: socket.socket, req: Request) -> bool:
        conn.sendall(head(407, "Proxy Authentication Required", None, 0))
        return False

    with Hostile(refuse) as proxy:
        port = int(proxy.url.rsplit(":", 1)[1])
        clean_environment.setenv("https_proxy", proxy.url)
        message = failure("https://example.invalid")
    assert message.startswith(
        f"the proxy 127.0.0.1 port {port} (from $https_proxy) failed: "
        "tunnel connection failed: 407 Proxy Authentication Required"
    )


@pytest.mark.parametrize("value", ["http://[bad", "http://user:pr0xyS3cret@[bad"])
def test_a_proxy_url_that_cannot_be_read_is_named(
    clean_environment: pytest.MonkeyPatch, value: str
) -> None:
    clean_environment.setenv("HTTPS_PROXY", value)
    message = failure("https://example.invalid")
    assert message.startswith("$HTTPS_PROXY is not a proxy URL that can be read: 'http://")
    assert "Error" not in message and "pr0xyS3cret" not in message


def test_no_proxy_leaves_the_proxy_out_of_it(clean_environment: pytest.MonkeyPatch) -> None:
    api = closed_port()
    clean_environment.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    clean_environment.setenv("NO_PROXY", "127.0.0.1")
    message = failure(f"http://127.0.0.1:{api}")
    assert message.startswith(f"cannot connect to 127.0.0.1 port {api}: connection refused")


@pytest.mark.parametrize("name", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_a_missing_ca_bundle_is_named(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    missing = tmp_path / "missing.pem"
    clean_environment.setenv(name, str(missing))
    message = failure("https://example.invalid")
    assert message.startswith(f"${name} names a CA bundle that is not there: '{missing}'")
    assert "OSError" not in message


def test_the_command_line_names_the_proxy(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    port = closed_port()
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    env = {
        "HTTP_PROXY": f"http://127.0.0.1:{port}",
        "CONPEEK_URL": "http://example.invalid",
        "CONPEEK_KEY": "k-123",
        "CQLANG_CONFIG": str(tmp_path / "none.toml"),
    }
    result = CliRunner().invoke(main, ["fetch", "--campaign", "c1"], env=env)
    assert result.exit_code == 3
    assert result.stderr.startswith(
        f"cqlang: cannot connect to the proxy 127.0.0.1 port {port} (from $HTTP_PROXY): "
        "connection refused (GET http://example.invalid/"
    )
