"""Which key goes to which host: an explicitly named profile's connection
wins over CONPEEK_URL/CONPEEK_KEY, and a key only ever goes to the host its
source names; keys are read stripped, and one holding a control character
is a configuration error that never shows it. Over real loopback HTTP, with
one emulator per host, each accepting only its own key (a 403 in an
emulator's log is a key that arrived where it does not belong)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import cqlang
from cqlang.cli import main
from cqlang.config import Config, ConfigError
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.repl.integrations import Unavailable, load_environment

ENV_KEY = "env-key-0123456789"
STAGING_KEY = "staging-key-0123456789"
PROD_KEY = "prod-key-0123456789"


@pytest.fixture(autouse=True)
def isolated(config_home: Path) -> Path:
    return config_home


class Hosts:
    """Three emulators: the environment's, staging's and [connection]'s."""

    def __init__(self, make: Callable[..., Emulator]) -> None:
        self.env = make(records=30, seed=1, api_key=ENV_KEY)
        self.staging = make(records=30, seed=2, api_key=STAGING_KEY)
        self.prod = make(records=30, seed=3, api_key=PROD_KEY)

    def statuses(self) -> dict[str, list[int]]:
        return {
            name: [r.status for r in getattr(self, name).log] for name in ("env", "staging", "prod")
        }


@pytest.fixture
def hosts(emulator_factory: Callable[..., Emulator], monkeypatch: pytest.MonkeyPatch) -> Hosts:
    h = Hosts(emulator_factory)
    monkeypatch.setenv("CONPEEK_URL", h.env.url)
    monkeypatch.setenv("CONPEEK_KEY", ENV_KEY)
    monkeypatch.setenv("CONPEEK_STAGING_KEY", STAGING_KEY)
    monkeypatch.setenv("CONPEEK_PROD_KEY", PROD_KEY)
    return h


def config(where: Path, hosts: Hosts, staging_key: bool = True) -> Path:
    path = where / "cqlang.toml"
    text = (
        "[connection]\n"
        f'base_url = "{hosts.prod.url}"\n'
        'api_key_env = "CONPEEK_PROD_KEY"\n'
        "\n"
        "[profiles.staging]\n"
        f'base_url = "{hosts.staging.url}"\n'
    )
    if staging_key:
        text += 'api_key_env = "CONPEEK_STAGING_KEY"\n'
    text += "\n[profiles.eu]\ncampaign = 'c-eu'\n"
    path.write_text(text, encoding="utf-8")
    return path


def fetch(*args: str) -> Result:
    return CliRunner().invoke(
        main,
        ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--retries", "0", "state = OPEN", *args],
    )


def test_a_named_profile_wins_over_the_environment(isolated: Path, hosts: Hosts) -> None:
    config(isolated, hosts)
    r = fetch("--profile", "staging")
    assert r.exit_code == 0, r.output
    assert hosts.statuses() == {"env": [], "staging": [200], "prod": []}
    # Without a profile, the environment overrides [connection].
    r = fetch()
    assert r.exit_code == 0, r.output
    assert hosts.statuses() == {"env": [200], "staging": [200], "prod": []}


def test_a_profile_that_names_no_host_or_key_keeps_the_default_connection(
    isolated: Path, hosts: Hosts
) -> None:
    config(isolated, hosts)
    r = fetch("--profile", "eu")
    assert r.exit_code == 0, r.output
    assert hosts.statuses() == {"env": [200], "staging": [], "prod": []}


def test_a_profile_with_a_host_but_no_key_gets_no_other_key(isolated: Path, hosts: Hosts) -> None:
    """Neither CONPEEK_KEY nor [connection]'s key goes to the profile's host."""
    config(isolated, hosts, staging_key=False)
    r = fetch("--profile", "staging")
    assert r.exit_code == 2
    assert "no API key: [profiles.staging] sets base_url but no key" in r.stderr
    assert ENV_KEY not in r.output and PROD_KEY not in r.output
    with pytest.raises(ConfigError, match=r"\[profiles.staging\] sets base_url but no key"):
        cqlang.Client.from_config(Config.load(), profile="staging")
    with pytest.raises(Unavailable):
        session_client(profile="staging")
    assert hosts.statuses() == {"env": [], "staging": [], "prod": []}


def session_client(profile: str) -> Any:
    from cqlang.repl.integrations import make_client

    env = load_environment(profile=profile)
    return make_client(env.base_url, env.api_key)


def test_python_and_the_repl_resolve_the_profile_alike(isolated: Path, hosts: Hosts) -> None:
    config(isolated, hosts)
    expected = sorted(r["id"] for r in hosts.staging.records() if r["state"] == "OPEN")
    clients: list[Any] = [
        cqlang.Client.from_config(Config.load(), profile="staging"),
        cqlang.Client.from_config(Config.load(profile="staging")),
        session_client(profile="staging"),
    ]
    for client in clients:
        records = list(client.voice_campaign_requests(DEFAULT_CAMPAIGN, "state = OPEN"))
        assert sorted(r["id"] for r in records) == expected
    assert hosts.statuses() == {"env": [], "staging": [200, 200, 200], "prod": []}


def test_cqlang_config_shows_what_applied_and_why(isolated: Path, hosts: Hosts) -> None:
    config(isolated, hosts)
    r = CliRunner().invoke(main, ["--profile", "staging", "config"])
    assert r.exit_code == 0
    out = r.stdout
    assert f"base_url = '{hosts.staging.url}'  (cqlang.toml:6 [profiles.staging])" in out
    assert (
        "api_key = '****6789'  ($CONPEEK_STAGING_KEY (named by api_key_env, "
        "cqlang.toml:7 [profiles.staging]))"
    ) in out
    assert "$CONPEEK_URL and $CONPEEK_KEY set but not used: --profile staging" in out
    assert STAGING_KEY not in out and ENV_KEY not in out
    r = CliRunner().invoke(main, ["config"])
    assert f"base_url = '{hosts.env.url}'  ($CONPEEK_URL)" in r.stdout
    assert "api_key = '****6789'  ($CONPEEK_KEY)" in r.stdout


def test_a_profiles_own_base_url_never_gets_the_connections_key(isolated: Path) -> None:
    (isolated / "cqlang.toml").write_text(
        '[connection]\napi_key = "prod-key-0123456789"\n'
        '[profiles.other]\nbase_url = "http://127.0.0.1:9"\n',
        encoding="utf-8",
    )
    (isolated / "cqlang.toml").chmod(0o600)
    conn = Config.load().connection("other")
    assert conn.api_key is None and "sets base_url but no key" in conn.missing["api_key"]
    # A profile without a base_url of its own uses [connection]'s key and host.
    (isolated / "cqlang.toml").write_text(
        '[connection]\nbase_url = "http://127.0.0.1:9"\napi_key = "prod-key-0123456789"\n'
        '[profiles.same_host]\napi_key_env = "CONPEEK_OTHER"\n',
        encoding="utf-8",
    )
    conn = Config.load(env={"CONPEEK_OTHER": "other-key"}).connection("same_host")
    assert (conn.base_url, conn.api_key) == ("http://127.0.0.1:9", "other-key")


# ---------------------------------------------------------------- the key


@pytest.mark.parametrize(
    "raw", ["  " + ENV_KEY, ENV_KEY + "\r", ENV_KEY + "\n", "\t" + ENV_KEY + " \r\n"]
)
def test_a_key_is_read_without_surrounding_blanks(
    isolated: Path, hosts: Hosts, monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("CONPEEK_KEY", raw)
    r = fetch()
    assert r.exit_code == 0, r.output
    assert hosts.statuses()["env"] == [200]


@pytest.mark.parametrize("raw", ["SEC\rRET", "SEC\nRET", "SE\x1bCRET", "SECRET\r\nX-Evil: 1"])
def test_a_key_with_a_control_character_is_a_config_error_that_hides_it(
    isolated: Path, hosts: Hosts, monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("CONPEEK_KEY", raw)
    r = fetch()
    assert r.exit_code == 2, r.output
    assert "the API key from $CONPEEK_KEY holds a control character" in r.stderr
    assert "SEC" not in r.output and "Traceback" not in r.output
    with pytest.raises(ConfigError) as info:
        cqlang.Client.from_config(Config.load())
    assert "SEC" not in str(info.value)
    env = load_environment()
    assert env.api_key is None
    assert any("$CONPEEK_KEY holds a control character" in n for n in env.notes)
    assert not any("SEC" in n for n in env.notes)
    assert hosts.statuses() == {"env": [], "staging": [], "prod": []}


def test_a_key_variable_named_by_the_config_is_checked_and_named(
    isolated: Path, hosts: Hosts, monkeypatch: pytest.MonkeyPatch
) -> None:
    config(isolated, hosts)
    monkeypatch.setenv("CONPEEK_STAGING_KEY", "SECRET\r\n")  # stripped: fine
    assert Config.load().connection("staging").api_key == "SECRET"
    monkeypatch.setenv("CONPEEK_STAGING_KEY", "SEC\rRET")
    r = fetch("--profile", "staging")
    assert r.exit_code == 2
    assert (
        "the API key from $CONPEEK_STAGING_KEY (named by api_key_env, cqlang.toml:7 "
        "[profiles.staging]) holds a control character"
    ) in r.stderr
    assert "SEC" not in r.output


def test_a_key_written_in_a_file_with_a_control_character_is_placed(isolated: Path) -> None:
    path = isolated / "cqlang.toml"
    path.write_text('[connection]\nbase_url = "http://x"\napi_key = "SEC\\rRET"\n')
    path.chmod(0o600)
    with pytest.raises(ConfigError) as info:
        Config.load()
    assert str(info.value).startswith("cqlang.toml:3:11: connection.api_key: the key holds")
    assert "SECRET" not in str(info.value)
    path.write_text('[connection]\nbase_url = "http://x"\napi_key = " SECRET\\n"\n')
    assert Config.load().connection().api_key == "SECRET"


def test_a_bad_key_fails_only_the_commands_that_send_it(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONPEEK_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CONPEEK_KEY", "SEC\nRET")
    args = ["compile", "--format", "url", "--campaign", "c1", "state = OPEN"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0 and r.stdout.startswith("http://127.0.0.1:9/voice_campaign/c1/")
    r = CliRunner().invoke(main, ["config"])
    assert r.exit_code == 0
    assert "# note: the API key from $CONPEEK_KEY holds a control character" in r.stdout
    assert "SEC" not in r.output
    # A bad CONPEEK_KEY is not replaced by the config's key.
    (isolated / "cqlang.toml").write_text('[connection]\napi_key_env = "CONPEEK_TEAM"\n')
    monkeypatch.setenv("CONPEEK_TEAM", "team-key")
    assert Config.load().connection().api_key is None


@pytest.mark.parametrize(
    ("written", "named"),
    [
        ("SECRETKEY123\u00e9", "a character that is not ASCII (U+00E9 LATIN SMALL LETTER E"),
        ("SECRETKEY\\u0007123", "a control character (U+0007, character 10 of 13)"),
        ("SECRET\\u00a0KEY", "a character that is not ASCII (U+00A0 NO-BREAK SPACE"),
    ],
)
def test_a_key_written_in_a_file_that_cannot_be_sent_is_a_mistake_in_it(
    isolated: Path, written: str, named: str
) -> None:
    """Any key the client would refuse to send (check_key), not only one
    holding a control character, is a mistake in the file at its line, for
    every command; the character is named as check_key names it."""
    path = isolated / "k2.toml"
    path.write_text(f'[connection]\napi_key = "{written}"\n', encoding="utf-8")
    path.chmod(0o600)
    r = CliRunner().invoke(main, ["--config", str(path), "compile", "state = OPEN"])
    assert r.exit_code == 2, r.output
    assert "k2.toml:2:11: connection.api_key: the key holds " + named in r.stderr
    assert "which cannot be sent in a header; it is not shown" in r.stderr
    assert "line break" not in r.stderr and "SECRET" not in r.output
    with pytest.raises(ConfigError) as info:
        Config.load(path)
    assert "SECRET" not in str(info.value)
    profile = isolated / "p.toml"
    profile.write_text(f'[profiles.eu]\napi_key = "{written}"\n', encoding="utf-8")
    profile.chmod(0o600)
    r = CliRunner().invoke(main, ["--config", str(profile), "config"])
    assert r.exit_code == 2 and "p.toml:2:11: profiles.eu.api_key: the key holds" in r.stderr


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (
            "http://h/?k=SECRETX",
            "the base URL must have no ?query or #fragment, not 'http://h/?k=****'",
        ),
        ("ftp://h", "the base URL must be http(s)://HOST[:PORT][/PATH], not 'ftp://h'"),
    ],
)
def test_a_bad_conpeek_url_is_a_note_as_a_bad_key_is(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, url: str, said: str
) -> None:
    """`cqlang config` noted a bad CONPEEK_KEY but said nothing of a bad
    CONPEEK_URL; the note is encoding.base_url's message, the URL masked."""
    monkeypatch.setenv("CONPEEK_URL", url)
    r = CliRunner().invoke(main, ["config"])
    assert r.exit_code == 0, r.output
    assert f"# note: $CONPEEK_URL: {said}" in r.stdout
    assert "SECRETX" not in r.output
    assert f"$CONPEEK_URL: {said}" in Config.load().connection().notes
    assert any(said in n for n in load_environment().notes)  # the REPL shows it when it starts
    monkeypatch.setenv("CONPEEK_URL", "http://h.example")
    assert not Config.load().connection().notes
