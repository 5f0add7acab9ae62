"""One URL builder (cqlang.client.urls): what ``fetch --dry-run`` shows is
the first request the client sends, byte for byte, the ``exclude`` less
what the client-side check and the ``ne`` guards read included, and the
first page's size under ``--limit``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

import cqlang
from cqlang.cli import main
from cqlang.client.paging import records
from cqlang.client.urls import Requests, request_urls
from cqlang.emulator import DEFAULT_API_KEY, DEFAULT_CAMPAIGN, Emulator

CASES = [
    ("state = OPEN", ["--exclude", "dialogs"]),
    ("state = OPEN", ["--limit", "3"]),
    # A request sent with `ne` is guarded on the client (client/guards.py):
    # the field it reads is fetched though excluded, and every page is full.
    ("priority != 3", ["--exclude", "priority,dialogs"]),
    ("priority != 3", ["--limit", "3"]),
    ('state = OPEN or custom.region != "PL"', ["--exclude", "custom", "--limit", "2"]),
    ("contact_try != 1 or state = CLOSED", ["--exclude", "contact_try", "--page-size", "40"]),
]


def fetch(emulator: Emulator, query: str, *args: str) -> Result:
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": DEFAULT_API_KEY}
    result = CliRunner().invoke(
        main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--retries", "0", query, *args], env=env
    )
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize(("query", "args"), CASES)
def test_the_dry_run_shows_the_first_request_the_client_sends(
    emulator: Emulator, query: str, args: list[str]
) -> None:
    dry = fetch(emulator, query, *args, "--dry-run")
    shown = [line[len("# GET ") :] for line in dry.stdout.splitlines() if line.startswith("# GET ")]
    assert emulator.request_count == 0
    fetch(emulator, query, *args, "--format", "jsonl")
    sent = [emulator.url + entry.target for entry in emulator.log]
    # Each request's first page (offset=0) is one of the URLs shown, and
    # every URL shown is sent.
    firsts = [url for url in sent if "&offset=0" in url]
    assert sorted(firsts) == sorted(shown), (shown, sent)


def test_the_exclude_keeps_what_the_client_reads() -> None:
    plan = cqlang.plan('priority != 3 and custom.region != "PL"')
    reqs = Requests(plan, ["priority", "custom", "dialogs", "dialogs"])
    assert reqs.hidden == ["priority", "custom"]
    assert reqs.params[0].endswith("&exclude=%5B%22dialogs%22%5D")
    (url,) = request_urls(plan, base_url="http://h/", campaign="c 1", limit=5)
    assert url.startswith("http://h/voice_campaign/c%201/request?limit=1000&offset=0&filter=")


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(["state = OPEN", "priority != 3", 'custom.a != "x"']),
    st.integers(1, 3000),
    st.one_of(st.none(), st.integers(1, 5000)),
)
def test_the_first_page_size_is_the_pagings_own(
    query: str, page_size: int, limit: int | None
) -> None:
    """The size ``--dry-run`` shows for a first page is the one the paging
    asks with, whether each record is judged on the client or not."""
    plan = cqlang.plan(query)
    reqs = Requests(plan, None)
    asked: list[int] = []

    def fetch(offset: int, size: int) -> tuple[list[str], list[str]]:
        asked.append(size)
        return [], []

    keep = (lambda _: True) if reqs.residual else None
    list(records([(fetch, "")], page_size=page_size, limit=limit, keep=keep, guards=reqs.guards))
    assert asked == [reqs.first_size(0, page_size, limit)]


# ``compile --format url`` prints the first page's URL from the same builder
# (FetchSpec.request_url -> client.urls.first_page_url): it was a builder of
# its own, `filter=` first, no `offset`, `limit` the --limit itself, and the
# field an `ne` guard reads left in `exclude` (which the client un-excludes).
URL_CASES = [
    ("state = OPEN", []),
    ("state = OPEN", ["--exclude", "dialogs", "--limit", "3"]),
    ("state = OPEN", ["--limit", "2500", "--page-size", "40"]),
    ("priority != 3", ["--exclude", "priority,dialogs"]),
    ("priority != 3", ["--limit", "3"]),
    ("contact_try != 1 and state = OPEN", ["--exclude", "contact_try,history"]),
    ("", ["--limit", "5"]),
]


def compile_url(emulator: Emulator, query: str, *args: str) -> Result:
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": DEFAULT_API_KEY}
    cmd = ["compile", "--format", "url", "--campaign", DEFAULT_CAMPAIGN, query, *args]
    return CliRunner().invoke(main, cmd, env=env)


@pytest.mark.parametrize(("query", "args"), URL_CASES)
def test_compile_url_is_the_first_request_the_client_sends(
    emulator: Emulator, query: str, args: list[str]
) -> None:
    printed = compile_url(emulator, query, *args)
    assert printed.exit_code == 0, printed.output
    assert emulator.request_count == 0
    fetch(emulator, query, *args, "--format", "jsonl")
    firsts = [emulator.url + e.target for e in emulator.log if "&offset=0" in e.target]
    assert [printed.stdout.strip()] == firsts
    # ...and the first line `fetch --dry-run` shows.
    dry = fetch(emulator, query, *args, "--dry-run")
    shown = [line[len("# GET ") :] for line in dry.stdout.splitlines() if line.startswith("# GET ")]
    assert shown == firsts


def test_compile_url_warns_when_its_limit_is_not_the_one_asked(emulator: Emulator) -> None:
    more = compile_url(emulator, "state = OPEN", "--limit", "20000")
    assert "limit=1000&offset=0&" in more.stdout
    assert "pages on for all 20,000" in more.stderr
    guarded = compile_url(emulator, "priority != 3", "--limit", "3")
    assert "limit=1000&offset=0&" in guarded.stdout
    assert "stops once 3 have passed" in guarded.stderr
    assert compile_url(emulator, "state = OPEN", "--limit", "3").stderr == ""


def test_compile_url_of_a_limit_of_zero_is_refused(emulator: Emulator) -> None:
    """The client sends nothing for a limit of 0: there is no URL to print
    (the dry run says no request would be sent)."""
    result = compile_url(emulator, "state = OPEN", "--limit", "0")
    assert result.exit_code == 2 and result.stdout == ""
    assert "no request is sent" in result.stderr
    spec = cqlang.Config().prepare("state = OPEN", campaign="c", limit=0)
    with pytest.raises(cqlang.errors.SettingError) as caught:
        spec.request_url("http://h", [])
    assert caught.value.setting == "limit"


def test_compile_url_refuses_a_residual_reading_an_excluded_field(emulator: Emulator) -> None:
    """A residual is checked on the client, so one URL is not the query:
    compile refuses it (CQL203); `fetch --dry-run` shows the request, the
    field the residual reads not excluded."""
    query = 'state = CLOSED and close_reason != "NO_ANSWER"'
    result = compile_url(emulator, query, "--exclude", "close_reason,dialogs")
    assert result.exit_code == 1 and result.stdout == "" and "CQL203" in result.stderr
    dry = fetch(emulator, query, "--exclude", "close_reason,dialogs", "--dry-run")
    assert "&exclude=%5B%22dialogs%22%5D\n" in dry.stdout


def test_the_python_request_url_is_the_first_request_fetch_sends(
    emulator: Emulator, tmp_path: Path
) -> None:
    """FetchSpec.request_url of a named query (its exclude and limit, the
    connection's page size) is the URL FetchSpec.fetch sends first, and
    what `compile --format url @nr` prints."""
    toml = tmp_path / "cqlang.toml"
    toml.write_text(
        f'[connection]\ncampaign = "{DEFAULT_CAMPAIGN}"\npage_size = 50\n'
        '[queries.nr]\nquery = "priority != 3"\nexclude = ["priority", "dialogs"]\nlimit = 7\n'
    )
    cfg = cqlang.Config.load(toml)
    spec = cfg.prepare("@nr")
    url = spec.request_url(emulator.url, spec.plan().branches[0])
    assert "limit=50&offset=0&" in url and url.endswith("&exclude=%5B%22dialogs%22%5D")
    with cqlang.Client(emulator.url, DEFAULT_API_KEY) as client:
        assert len(list(spec.fetch(client))) == 7
    assert emulator.url + emulator.log[0].target == url
    env = {"CONPEEK_URL": emulator.url, "CQLANG_CONFIG": str(toml)}
    printed = CliRunner().invoke(main, ["compile", "--format", "url", "@nr"], env=env)
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == url + "\n"


def test_python_request_url_of_an_ne_object_the_guard_cannot_read() -> None:
    """An `ne` object is read by its guard: one naming no property is
    CQL301 at the call (a CqlError), not a bare FilterError."""
    spec = cqlang.Config().prepare("", campaign="c")
    with pytest.raises(cqlang.errors.CqlValidationError) as caught:
        spec.request_url("http://h", [{"property": "nope", "operator": "ne", "value": 3}])
    assert caught.value.diagnostics[0].code == "CQL301"
    assert "unknown property 'nope'" in str(caught.value)
