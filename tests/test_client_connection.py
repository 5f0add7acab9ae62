"""`cqlang.client.Connection`: the base URL and key as a checked, frozen value,
the one place the environment is read, and `Client(connection)`."""

from __future__ import annotations

import ast
import copy
import pickle
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cqlang
from cqlang.client import Client, ConfigurationError
from cqlang.client.connection import KEY_ENV, URL_ENV, Connection, check_key, read_environment
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator

ROOT = Path(__file__).resolve().parent.parent
SECRET = "SECRET-key-0123456789"


# ------------------------------------------------------------------ the value


def test_a_connection_is_checked_and_normalised() -> None:
    conn = Connection(" https://user:pa55word@api.example.com/v1/ ", f"  {SECRET}\r\n")
    assert conn.base_url == "https://api.example.com/v1"
    assert conn.api_key == SECRET
    assert conn.base_url_source == "the base_url argument"
    assert conn.api_key_source == "the api_key argument"
    # The password is not sent anywhere, but hidden wherever it might show.
    assert conn.secrets() == (SECRET, "pa55word")
    assert Connection("http://h", SECRET).secrets() == (SECRET,)


def test_the_key_and_a_password_are_never_in_the_repr() -> None:
    conn = Connection("https://user:pa55word@api.example.com", SECRET, api_key_source="$X")
    shown = repr(conn) + str(conn)
    assert SECRET not in shown and "pa55word" not in shown
    assert "api_key=<hidden>" in shown and "'$X'" in shown


def test_a_connection_is_frozen_and_a_value() -> None:
    conn = Connection("http://h", SECRET)
    with pytest.raises(AttributeError):
        conn.api_key = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del conn.base_url
    assert conn == Connection("http://h/", f" {SECRET} ")
    assert hash(conn) == hash(Connection("http://h/", f" {SECRET} "))
    assert conn != Connection("http://h", SECRET, api_key_source="$K")
    assert conn != Connection("http://other", SECRET)
    assert len({conn, Connection("http://h", SECRET)}) == 1


def test_a_connection_survives_pickling_and_copying() -> None:
    conn = Connection("https://u:pw12345@h", SECRET, base_url_source="$U", api_key_source="$K")
    for other in (pickle.loads(pickle.dumps(conn)), copy.copy(conn), copy.deepcopy(conn)):
        assert other == conn and other.secrets() == conn.secrets()
        assert other.api_key_source == "$K"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "no API base URL"),
        ("   ", "no API base URL"),
        ("ftp://h", "http(s)://HOST"),
        ("http://h?x=1", "no ?query"),
        ("not a url", "http(s)://HOST"),
    ],
)
def test_a_bad_base_url_is_a_configuration_error(url: str, words: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(words)):
        Connection(url, SECRET)


@pytest.mark.parametrize("key", ["", "  ", "\r\n"])
def test_no_key_is_a_configuration_error(key: str) -> None:
    with pytest.raises(ConfigurationError, match="no API key"):
        Connection("http://h", key)


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("SECRET\rKEY", "control character (U+000D, character 7 of 10)"),
        ("SECRET\u200bKEY", "control character (U+200B"),  # a format character
        ("SE\u2028CRET", "control character (U+2028"),
        ("SECRET-ł", "not ASCII (U+0142 LATIN SMALL LETTER L WITH STROKE, character 8 of 8)"),
        ("SECRET\u201cKEY", "not ASCII (U+201C LEFT DOUBLE QUOTATION MARK, character 7 of 10)"),
        ("SECRET\u00a0KEY", "not ASCII (U+00A0 NO-BREAK SPACE, character 7 of 10)"),
        # A byte that is not UTF-8, as os.environ holds it (surrogateescape).
        ("SECRET\udc85KEY", "a byte that is not UTF-8 (0x85, character 7 of 10)"),
    ],
)
def test_a_key_that_cannot_be_sent_names_its_source_never_itself(key: str, words: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        Connection("http://h", key, api_key_source="$MY_KEY")
    message = str(info.value)
    assert words in message and "the API key from $MY_KEY" in message
    assert "SECRET" not in message and "KEY" not in message.replace("$MY_KEY", "")
    # The carriage return's story (Windows line ends) is told for it alone.
    assert ("Windows" in message) == ("\r" in key)
    assert "U+DC" not in message


def test_a_key_with_a_byte_that_is_not_utf8_in_the_environment(tmp_path: Path) -> None:
    """CONPEEK_KEY=$'SECRET\\x85KEY': the byte is named as a byte, the key never."""
    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    env = {
        b"PATH": b"/usr/bin:/bin",
        b"CONPEEK_URL": b"http://127.0.0.1:9",
        b"CONPEEK_KEY": b"SECRET\x85KEY",
        b"CQLANG_CONFIG": str(config).encode(),
    }
    args = [sys.executable, "-m", "cqlang.cli", "fetch", "--campaign", DEFAULT_CAMPAIGN]
    result = subprocess.run(args, env=env, capture_output=True, timeout=60)
    said = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, said
    assert "the API key from $CONPEEK_KEY holds a byte that is not UTF-8 (0x85, " in said
    assert "character 7 of 10" in said
    assert "control character" not in said and "U+DC85" not in said and "Windows" not in said
    assert "SECRET" not in said and "Traceback" not in said


@given(st.text(max_size=40))
def test_check_key_strips_or_refuses_and_never_shows_the_key(raw: str) -> None:
    try:
        key = check_key(raw, "$K")
    except ConfigurationError as exc:
        stripped = raw.strip()
        assert not (stripped.isascii() and stripped.isprintable())
        if len(stripped) >= 4:
            assert stripped not in str(exc)
        return
    assert key == raw.strip()
    assert key.isascii() and key.isprintable()
    key.encode("latin-1")  # what http.client needs of a header value


def test_a_connection_is_light_to_import() -> None:
    """The config imports cqlang.client.connection: that must not bring in
    requests (nor the config, nor the client proper)."""
    code = textwrap.dedent(
        """
        import sys
        import cqlang.client.connection
        heavy = {"requests", "urllib3", "cqlang.config", "cqlang.client.fetch"}
        print(sorted(heavy & set(sys.modules)))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out


# ------------------------------------------------------------ the environment


def test_the_environment_is_read_in_one_place() -> None:
    """Only cqlang/client/connection.py spells CONPEEK_URL or CONPEEK_KEY as
    a whole string (a name looked up); elsewhere they are URL_ENV, KEY_ENV."""
    found = []
    for path in sorted((ROOT / "cqlang").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in (URL_ENV, KEY_ENV):
                found.append(str(path.relative_to(ROOT)))
    assert set(found) == {"cqlang/client/connection.py"}, found


def test_read_environment() -> None:
    assert read_environment({}).base_url is None
    found = read_environment({URL_ENV: "http://h", KEY_ENV: f" {SECRET}\n"})
    assert (found.base_url, found.api_key, found.key_given, found.problem) == (
        "http://h",
        SECRET,
        True,
        None,
    )
    assert SECRET not in repr(found)
    blank = read_environment({URL_ENV: "", KEY_ENV: "  "})
    assert (blank.base_url, blank.api_key, blank.key_given) == (None, None, False)
    bad = read_environment({KEY_ENV: "SECRET\x1bKEY"})
    assert bad.api_key is None and bad.key_given
    assert bad.problem is not None and "$CONPEEK_KEY holds a control character" in bad.problem
    assert "SECRET" not in bad.problem


def test_from_environment() -> None:
    env = {URL_ENV: "http://env-host", KEY_ENV: SECRET}
    conn = Connection.from_environment(env)
    assert (conn.base_url, conn.api_key) == ("http://env-host", SECRET)
    assert (conn.base_url_source, conn.api_key_source) == ("$CONPEEK_URL", "$CONPEEK_KEY")
    mine = Connection.from_environment(env, base_url="http://mine", api_key="my-key")
    assert (mine.base_url, mine.api_key, mine.api_key_source) == (
        "http://mine",
        "my-key",
        "the api_key argument",
    )
    with pytest.raises(ConfigurationError, match="CONPEEK_URL"):
        Connection.from_environment({KEY_ENV: SECRET})
    with pytest.raises(ConfigurationError, match="CONPEEK_KEY"):
        Connection.from_environment({URL_ENV: "http://h"})
    with pytest.raises(ConfigurationError, match=r"\$CONPEEK_KEY holds a control") as info:
        Connection.from_environment({URL_ENV: "http://h", KEY_ENV: "SECRET\rKEY"})
    assert "SECRET" not in str(info.value)


def test_the_config_builds_the_clients_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cqlang.toml"
    path.write_text('[connection]\nbase_url = "http://file-host"\n', encoding="utf-8")
    monkeypatch.delenv(URL_ENV, raising=False)
    config = cqlang.Config.load(path, env={KEY_ENV: SECRET})
    conn = config.connection().for_client()
    assert isinstance(conn, Connection)
    assert (conn.base_url, conn.api_key) == ("http://file-host", SECRET)
    assert conn.api_key_source == "$CONPEEK_KEY"
    assert conn.base_url_source.startswith(str(path)) and "[connection]" in conn.base_url_source


def test_a_key_outside_ascii_in_the_environment_is_a_note_of_the_config(
    tmp_path: Path,
) -> None:
    # One check for every key: the config's resolver uses the client's, so a
    # key the client could not send is no key there either (it was let
    # through, to fail only in the client).
    path = tmp_path / "cqlang.toml"
    path.write_text('[connection]\nbase_url = "http://h"\n', encoding="utf-8")
    conn = cqlang.Config.load(path, env={KEY_ENV: "SECRET-ł"}).connection()
    assert conn.api_key is None
    assert "not ASCII" in conn.missing["api_key"] and "SECRET" not in conn.missing["api_key"]
    with pytest.raises(cqlang.config.ConfigError, match=r"^the API key from"):
        conn.for_client()


# -------------------------------------------------------- Client(connection)


def test_client_takes_a_connection() -> None:
    with Emulator(records=20, seed=1, api_key="demo-key") as emu:
        conn = Connection(emu.url, "demo-key")
        with Client(conn, max_retries=0) as client:
            assert client.connection is conn and client.base_url == emu.url
            got = list(client.voice_campaign_requests(DEFAULT_CAMPAIGN, limit=3))
    assert len(got) == 3


def test_the_sugar_makes_the_same_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(URL_ENV, "http://env-host")
    monkeypatch.setenv(KEY_ENV, SECRET)
    assert Client().connection == Connection.from_environment()
    assert Client("http://h", "k-1234").connection == Connection("http://h", "k-1234")
    by_keyword = Client(base_url="http://h", api_key="k-1234").connection
    assert by_keyword == Connection("http://h", "k-1234")
    assert Client(api_key="k-1234").connection.base_url == "http://env-host"


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((Connection("http://h", SECRET), "k"), {}),
        ((Connection("http://h", SECRET),), {"base_url": "http://h"}),
        (("http://h",), {"base_url": "http://h"}),
        ((42,), {}),
    ],
)
def test_client_refuses_a_connection_given_twice(args: Any, kwargs: Any) -> None:
    with pytest.raises(TypeError):
        Client(*args, **kwargs)


class StubSettings:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def for_client(self) -> Connection:
        return self.conn


class StubConfig:
    """Not a cqlang.Config: Client.from_config only asks for connection()."""

    def __init__(self) -> None:
        self.asked: list[str | None] = []

    def connection(self, profile: str | None = None) -> StubSettings:
        self.asked.append(profile)
        return StubSettings(Connection("http://stub-host", SECRET, api_key_source="stub"))


def test_from_config_asks_the_config_and_does_not_import_it() -> None:
    config = StubConfig()
    client = Client.from_config(config, "prod", max_retries=1)
    assert config.asked == ["prod"] and client.base_url == "http://stub-host"
    code = textwrap.dedent(
        """
        import sys
        from cqlang.client import Client
        from cqlang.client.connection import Connection

        class Settings:
            def for_client(self):
                return Connection("http://h", "key-1234")

        class Config:
            def connection(self, profile=None):
                return Settings()

        Client.from_config(Config()).close()
        print("cqlang.config" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out
