"""Secrets masked: in a base URL, in every message (cqlang.encoding.masked_url); a masked key
shows no control character."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cqlang.cli import main
from cqlang.client import Client, ConfigurationError
from cqlang.encoding import base_url, masked_url

SECRET = "s3cr3tKEYvalue"
BAD_URLS = [
    f"http://h/?api_key={SECRET}",
    f"http://h:0/?key={SECRET}",
    f"https://user:{SECRET}@h/x?token={SECRET}#frag",
    f"https://{SECRET}@h:0",
    f"https://user:{SECRET}@h:99999/x",
    f"ftp://user:{SECRET}@h/",
    f"http://[::1/?k={SECRET}",
    f"http://h/?{SECRET}",
    f"http://h/#{SECRET}",
    f"http://alice:{SECRET}/x@h/",
    # user:key with the @host forgotten: the key sits where the port goes.
    f"https://apikey:{SECRET}",
    f"https://apikey:{SECRET}/api/v1",
    f"https://apikey:{SECRET[:5]}/{SECRET[5:]}",
    f"http://apikey:{SECRET}:8080",
    f"http://[::1]:{SECRET}/x",
    f"apikey:{SECRET}",
    "https://apikey:12345678901234",  # a key of digits: no port is that long
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_base_url_error_masks_what_could_be_a_key(url: str, tmp_path: Path) -> None:
    env = {"CONPEEK_URL": url, "CONPEEK_KEY": "k", "CQLANG_CONFIG": "/dev/null"}
    fetched = CliRunner().invoke(main, ["fetch", "--campaign", "c", "state = OPEN"], env=env)
    assert fetched.exit_code == 2, fetched.output
    secrets = (SECRET, SECRET[:5], SECRET[5:], "12345678901234")
    assert "base URL" in fetched.stderr
    assert not any(secret in fetched.output for secret in secrets)
    given_url = CliRunner().invoke(
        main,
        ["compile", "--format", "url", "--campaign", "c", "--base-url", url, "state = OPEN"],
        env={"CQLANG_CONFIG": "/dev/null"},
    )
    assert given_url.exit_code == 2
    assert not any(secret in given_url.output for secret in secrets)
    with pytest.raises(ConfigurationError) as caught:
        Client(url, "k")
    assert not any(secret in f"{caught.value} {caught.value!r}" for secret in secrets)
    config = tmp_path / "cqlang.toml"
    config.write_text(f"[connection]\nbase_url = {url!r}\n".replace("'", '"'), encoding="utf-8")
    config.chmod(0o600)
    shown = CliRunner().invoke(main, ["--config", str(config), "config"], env={})
    assert not any(secret in shown.output for secret in secrets)


def test_a_port_that_is_a_port_is_still_shown() -> None:
    for url in ("http://h:8080/x", "http://[::1]:8080/x", "http://h:", "http://h:99999"):
        assert masked_url(url) == url
    assert masked_url("https://apikey:s3cr3t/more?k=v") == "https://apikey:****?k=****"
    with pytest.raises(ValueError, match="port") as caught:
        base_url("https://apikey:SEKRETKEY-1234567890abcdef")
    assert str(caught.value).endswith("not 'https://apikey:****'")


@settings(max_examples=200, deadline=None)
@given(
    st.text("abc:/?#@.[]%", max_size=12),  # no "=": a name before one is shown
    st.text("abcdefXYZ0123456789-_~", min_size=6, max_size=16),
    st.sampled_from(
        [
            "http://u:{}@h/",
            "http://{}@h:0",
            "https://h/?k={}",
            "http://h/?a=1&{}",
            "http://h/#{}",
            "x://u:{}@h?q={}",
            "https://u:{}",
            "https://u:{}/p",
            "u:{}",
        ]
    ),
)
def test_masked_url_never_shows_the_secret(noise: str, secret: str, shape: str) -> None:
    url = shape.format(secret, secret) + noise.replace(secret, "")
    assert secret not in masked_url(url)
    try:
        base_url(url)
    except ValueError as exc:
        assert secret not in str(exc)


@pytest.mark.parametrize(
    "tail", ["\x1b[2J", "abc\x07", "\u202eabc", "ab\u00e9c", "abc\n", "ab c", "\x00\x00\x00\x00"]
)
def test_mask_never_shows_a_control_character(tail: str, tmp_path: Path) -> None:
    from cqlang.config import mask

    assert mask("0123456789ab" + tail) == "****"
    assert mask("0123456789abWXYZ") == "****WXYZ"
    config = tmp_path / "cqlang.toml"
    escaped = "".join(f"\\u{ord(c):04x}" for c in tail)
    config.write_text(f'[connection]\napi_key = "0123456789ab{escaped}"\n', encoding="utf-8")
    config.chmod(0o600)
    shown = CliRunner().invoke(main, ["--config", str(config), "config"], env={})
    # Refused (a key that cannot be sent), or shown masked: never its tail.
    assert tail not in shown.output and "0123456789" not in shown.output
    assert shown.exit_code == 2 or 'api_key = "****"' in shown.output


@given(st.text(max_size=20))
def test_mask_shows_at_most_four_printable_ascii_characters(secret: str) -> None:
    from cqlang.config import mask

    shown = mask(secret)
    assert shown.startswith("****") and len(shown) <= 8
    assert all(c.isascii() and c.isprintable() for c in shown)


# ------------------------------------------------ every object of a config

KEY = "KEY-in-config-5f8e2d7c"
PASSWORD = "pw-in-url-91b3a4"


def test_no_object_built_from_a_config_shows_the_key_in_its_repr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every public object a config gives (and the REPL's session, built from
    one) has a repr and a str without the key or the password of the base
    URL: a ConfigFile's text left out, a base URL masked."""
    import cqlang
    from cqlang.client.connection import read_environment
    from cqlang.repl.integrations import load_environment
    from cqlang.repl.session import Session

    config = tmp_path / "cqlang.toml"
    config.write_text(
        "[connection]\n"
        f'base_url = "http://user:{PASSWORD}@127.0.0.1:9"\n'
        f'api_key = "{KEY}"\n'
        'campaign = "c1"\n'
        "[profiles.prod]\n"
        f'api_key = "{KEY}"\n'
        f'base_url = "https://{PASSWORD}@example.test"\n'
        "[queries.open]\n"
        'query = "state = OPEN and priority > $p"\n'
        "params = { p = 3 }\n"
        "[queries.bad]\n"
        'query = "prioirty > 3"\n',
        encoding="utf-8",
    )
    config.chmod(0o600)
    environ = {"CONPEEK_KEY": KEY, "CONPEEK_URL": f"http://u:{PASSWORD}@h"}
    cfg = cqlang.Config.load(config, env=environ)
    spec = cfg.prepare("@open")
    client = cqlang.Client.from_config(cfg)
    monkeypatch.setenv("CONPEEK_KEY", KEY)
    monkeypatch.setenv("CQLANG_CONFIG", str(config))
    repl = load_environment(path=str(config))
    objects: dict[str, object] = {
        "files": cfg.files,
        "merged": cfg.merged,
        "queries": dict(cfg.queries),
        "connection": cfg.connection(),
        "profile": cfg.connection("prod"),
        "for_client": cfg.connection().for_client(),
        "section": cfg.section("prod"),
        "settings": cfg.settings(),
        "spec": spec,
        "env": spec.env(),
        "named_env": cfg.queries["open"].env(),
        "plan": cfg.queries["open"].plan(),
        "lint": cfg.lint(),
        "shown": cfg.shown(),
        "describe": cfg.describe(),
        "environment": read_environment(environ),
        "client": client,
        "repl_environment": repl,
        "repl_session": Session(base_url=repl.base_url, api_key=repl.api_key),
    }
    client.close()
    for name, obj in objects.items():
        for show in (repr, str):
            assert KEY not in show(obj), (name, show)
            assert PASSWORD not in show(obj), (name, show)
    # What the reprs still show.
    assert repr(cfg.files[0]).startswith("ConfigFile(path=")
    assert "base_url='http://****@127.0.0.1:9'" in repr(cfg.merged)
    assert "api_key=<hidden>" in repr(cfg.connection())
    # A file with a mistake: its error shows neither.
    config.write_text(
        f'[connection]\napi_key = "{KEY}"\nbase_url = "http://u:{PASSWORD}@h"\npage_size = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(cqlang.ConfigError) as caught:
        cqlang.Config.load(config, env={})
    for show in (repr, str):
        assert KEY not in show(caught.value) and PASSWORD not in show(caught.value)
        for problem in caught.value.problems:
            assert KEY not in show(problem) and PASSWORD not in show(problem)
