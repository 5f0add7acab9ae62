"""One URL builder (cqlang.client.urls): what ``fetch --dry-run`` shows is
the first request the client sends, byte for byte, the ``exclude`` less
what the client-side check and the ``ne`` guards read included, and the
first page's size under ``--limit``."""

from __future__ import annotations

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
