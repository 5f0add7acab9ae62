"""The emulator refuses at start the options no client can use (an empty
host, an empty key or one no header can carry, a NaN window, a data file
whose name is too long to look up, a campaign id that cannot be one path
segment, a port in use, said in words), and answers HTTP details as
docs/emulator.md says (a trailing slash is an unknown path; the blanks
around the Authorization value are no part of it; a filter datetime is the
API's own form, no T)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.client import Client
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator

REQUEST = f"/voice_campaign/{DEFAULT_CAMPAIGN}/request"


def start(*args: str) -> Any:
    return CliRunner().invoke(main, ["emulator", "--port", "0", *args], env={})


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--host", ""], "the host cannot be empty: it would listen on every interface"),
        (["--host", "  "], "the host cannot be empty"),
        (["--api-key", ""], "the API key cannot be empty or blank"),
        (["--api-key", " \t"], "the API key cannot be empty or blank"),
        (["--api-key", "SECRET\nKEY"], "a control character (U+000A, character 7 of 10)"),
        (["--api-key", "SECRET-ł"], "a character that is not ASCII (U+0142"),
    ],
)
def test_options_no_client_can_use_are_refused_at_start(args: list[str], said: str) -> None:
    """`--host ''` listened on every interface; `--api-key ''` let in only
    an empty Authorization header; a key with a line break in it let in
    nobody."""
    run = start(*args)
    assert run.exit_code == 2, run.output
    assert "listening" not in run.output and "Traceback" not in run.output
    assert run.stderr.startswith("cqlang: emulator: ") and said in run.stderr
    assert "SECRET" not in run.stderr  # the key is never shown


def test_the_same_refusals_in_python() -> None:
    for kw in ({"host": ""}, {"api_key": ""}, {"api_key": "a\nb"}, {"window_days": float("nan")}):
        with pytest.raises(ValueError):
            Emulator(records=1, **kw)


@pytest.mark.parametrize("days", ["nan", "NaN", "inf", "-1", "0"])
def test_a_window_that_is_no_number_of_days_is_said_in_words(days: str) -> None:
    """`--window-days nan` ended with Python's 'cannot convert float NaN to integer'."""
    run = start("--window-days", days)
    assert run.exit_code == 2
    assert "--window-days" in run.stderr and "convert" not in run.stderr
    if days.lower() == "nan":
        assert "is not a number (NaN)" in run.stderr


def test_a_key_with_blanks_around_it_is_the_key_without_them() -> None:
    with Emulator(records=3, api_key="  k1 ") as emu, Client(emu.url, "k1") as c:
        assert len(list(c.voice_campaign_requests(DEFAULT_CAMPAIGN))) == 3


def test_a_data_file_name_too_long_is_said_as_check_f_says_it(tmp_path: Path) -> None:
    """It said "File '…' does not exist"; docs/cli.md promises
    `cqlang: PATH: File name too long` for any file on the command line."""
    long = str(tmp_path / ("a" * 300 + ".json"))
    run = start("--data", long)
    assert run.exit_code == 2
    assert run.stderr == f"cqlang: {long}: cannot read it: File name too long\n"
    check = CliRunner().invoke(main, ["check", "-f", long], env={})
    assert check.exit_code == 2 and "File name too long" in check.stderr
    missing = start("--data", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2
    assert missing.stderr == f"cqlang: {tmp_path / 'nope.json'}: no such file\n"  # as check -f
    folder = start("--data", str(tmp_path))
    assert folder.exit_code == 2 and f"{tmp_path}: a folder" in folder.stderr


@pytest.fixture(scope="module")
def emu() -> Any:
    with Emulator(records=20, campaigns=(DEFAULT_CAMPAIGN, "a/b")) as e:
        yield e


def raw_get(emu: Emulator, target: str, auth: str = "demo-key") -> tuple[int, bytes]:
    """A GET sent byte for byte (requests would tidy the header)."""
    with socket.create_connection(("127.0.0.1", emu.port), timeout=10) as s:
        s.sendall(
            f"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization:{auth}\r\n"
            "Connection: close\r\n\r\n".encode("latin-1")
        )
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize(
    "target",
    [
        f"{REQUEST}/",
        f"{REQUEST}//",
        "/voice_campaign//request",
        "/voice_campaign/a/b/request",  # a raw slash: two segments, not the id 'a/b'
        f"/voice_campaign/{DEFAULT_CAMPAIGN}/x/request",
    ],
)
def test_an_unknown_path_is_404_a_trailing_slash_too(emu: Emulator, target: str) -> None:
    """`GET …/request/` answered 200; docs/emulator.md promises 404 for an
    unknown path."""
    status, body = raw_get(emu, target)
    assert status == 404 and "error" in json.loads(body)


def test_an_id_with_a_slash_is_reached_as_the_client_sends_it(emu: Emulator) -> None:
    """The client escapes `/` in an id (%2F): the emulator serves it."""
    assert raw_get(emu, "/voice_campaign/a%2Fb/request")[0] == 200
    with Client(emu.url, "demo-key") as c:
        assert len(list(c.voice_campaign_requests("a/b"))) == 20


@pytest.mark.parametrize("auth", [" demo-key", "demo-key ", "\tdemo-key\t", "  demo-key  "])
def test_blanks_around_the_authorization_value_are_no_part_of_it(emu: Emulator, auth: str) -> None:
    """`Authorization: demo-key ` got 403 (RFC 9110 5.5: the blanks around a
    field value are not part of it)."""
    assert raw_get(emu, REQUEST, auth)[0] == 200


@pytest.mark.parametrize("auth", ["", " ", "demo key", "Bearer demo-key", "demo-keyx"])
def test_other_keys_are_still_refused(emu: Emulator, auth: str) -> None:
    assert raw_get(emu, REQUEST, auth)[0] == 403


@pytest.mark.parametrize(
    "value",
    [
        "2026-10-25T00:00:00",
        "2026-10-25t00:00:00",
        "2026-10-25 00:00:00Z",
        "2026-10-25 00:00:00+00:00",
        "2026-10-25 00:00",
        "2026-10-25",
    ],
)
def test_a_filter_datetime_not_in_the_apis_form_is_400(emu: Emulator, value: str) -> None:
    """A T was taken; the API facts say `YYYY-MM-DD HH:mm:ss`, no T."""
    filters = [{"property": "created_date", "operator": "gte", "value": value}]
    r = requests.get(
        emu.url + REQUEST + "?filter=" + quote(json.dumps(filters)),
        headers={"Authorization": "demo-key"},
        timeout=10,
    )
    assert r.status_code == 400
    assert "YYYY-MM-DD HH:mm:ss" in r.json()["error"]


def test_the_apis_own_datetime_form_is_served(emu: Emulator) -> None:
    filters = [{"property": "created_date", "operator": "gte", "value": "2000-01-01 00:00:00"}]
    r = requests.get(
        emu.url + REQUEST + "?filter=" + quote(json.dumps(filters)),
        headers={"Authorization": "demo-key"},
        timeout=10,
    )
    assert r.status_code == 200 and len(r.json()["data"]) == 20


BAD_CAMPAIGNS = [".", "..", "", "  "]


@pytest.mark.parametrize("cid", BAD_CAMPAIGNS)
def test_emulator_refuses_a_campaign_id_that_is_no_path_segment(cid: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="campaign id"):
        Emulator(records=1, campaigns=(cid,))
    with pytest.raises(ValueError, match="campaign id"):
        Emulator(data={cid: []})
    if not cid:
        return  # a record with an empty voice_campaign_id belongs to the first campaign
    with pytest.raises(ValueError, match="campaign id"):
        Emulator(data=[{"voice_campaign_id": cid}], strict=False)
    data = tmp_path / "data.json"
    data.write_text(json.dumps([{"voice_campaign_id": cid}]), encoding="utf-8")
    for args in (["--campaign", cid], ["--data", str(data)]):
        run = CliRunner().invoke(main, ["emulator", "--port", "0", *args], env={})
        assert run.exit_code == 2, run.output
        assert "campaign id" in run.stderr and "Traceback" not in run.output


def test_a_port_in_use_is_said_in_words() -> None:
    """`[Errno 98] Address already in use` was printed raw."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = CliRunner().invoke(main, ["emulator", "--port", str(port)], env={})
    assert run.exit_code == 2
    assert run.stderr.startswith(
        f"cqlang: emulator: cannot listen on 127.0.0.1:{port}: the address is in use"
    )
    assert "Errno" not in run.stderr
