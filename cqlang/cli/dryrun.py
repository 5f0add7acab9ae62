"""``--dry-run``: the requests a fetch would send, sent to nobody.

:func:`first_pages` builds, for each request of a plan, the URL of its
first page exactly as :class:`cqlang.Client` sends it (parameters in the
same order: ``limit``, ``offset``, ``filter``, ``exclude``; the same
fields withheld from ``exclude`` because the client-side check reads
them). :func:`describe` prints each as a URL (in a comment) and as a ``curl`` command
whose key is the variable it is read from (``$CONPEEK_KEY``, or the one a
profile's ``api_key_env`` names), for the shell to fill in, or a placeholder
when it is written in a config file: the key itself is never written.
Without a base URL, ``$CONPEEK_URL`` stands for it. The note on the pages
after the first comes from the client's own paging, run on made-up pages.
Every line but the ``curl`` commands is a comment and every piece of a
command is quoted for the shell, so the whole text can be pasted into one
and runs curl only (tests/test_dryrun_shell.py).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any

from ..client.connection import KEY_ENV, variable_name
from ..client.paging import page_limit
from ..diagnostics import NEVER_MATCHES
from ..visible import visible

__all__ = ["URL_VARIABLE", "describe", "first_pages"]

#: What stands for the base URL when none is known.
URL_VARIABLE = "$CONPEEK_URL"


def first_pages(
    plan: Any,
    *,
    base_url: str | None,
    campaign: str,
    exclude: Sequence[str] | None = None,
    page_size: int = 1000,
    limit: int | None = None,
) -> list[str]:
    """The first page's URL of each request of ``plan`` (none when it
    never matches or ``limit`` is 0), from the client's own builder
    (:func:`cqlang.client.urls.request_urls`): the same ``exclude`` (less
    what the client-side check and the ``ne`` guards read) and, under a
    ``limit``, the same first page size. Without a base URL,
    ``$CONPEEK_URL`` stands for it."""
    from ..client.urls import request_urls

    return request_urls(
        plan,
        base_url=base_url or URL_VARIABLE,
        campaign=campaign,
        exclude=exclude,
        page_size=page_size,
        limit=limit,
    )


#: What stands for the key in a ``curl`` command when it is not read from
#: an environment variable (it is written in a config file).
KEY_PLACEHOLDER = "YOUR_API_KEY"


def curl(url: str, key_env: str | None = KEY_ENV) -> str:
    """A ``curl`` command for ``url``, the key taken from ``$key_env`` (or,
    when ``key_env`` is None, :data:`KEY_PLACEHOLDER` to put it in place
    of), and the base URL from ``$CONPEEK_URL`` when the URL starts with it.
    Every piece is quoted for a POSIX shell: the URL by :func:`shlex.quote`,
    the header in double quotes around nothing but ``$NAME``, and only for a
    variable's name (:func:`~cqlang.client.connection.variable_name`; the
    config refuses any other ``api_key_env``): anything else gets the
    placeholder, so no value can end the quotes and run as a command."""
    if url.startswith(URL_VARIABLE):
        where = f'"{URL_VARIABLE}"' + shlex.quote(url[len(URL_VARIABLE) :])
    else:
        where = shlex.quote(url)
    header = (
        f'"Authorization: ${key_env}"'
        if key_env is not None and variable_name(key_env)
        else shlex.quote(f"Authorization: {KEY_PLACEHOLDER}")
    )
    return f"curl -sS --compressed -H {header} -H 'Accept: application/json' {where}"


def windows(
    page_size: int, limit: int | None, overlap: int = 2, most: int = 3
) -> list[tuple[int, int]]:
    """The ``(offset, limit)`` of the first ``most`` pages one request asks
    for while every page comes back full, under ``limit`` records
    (``None``: unbounded). The client's own paging
    (:func:`cqlang.client.paging.pages`) computes them, on made-up pages,
    so what is printed is what it sends."""
    from ..client.paging import pages

    asked: list[tuple[int, int]] = []
    delivered = 0

    def fetch(offset: int, size: int) -> tuple[list[str], list[str]]:
        asked.append((offset, size))
        ids = [str(n) for n in range(offset, offset + size)]
        return ids, ids

    def want() -> int | None:
        return None if limit is None else limit - delivered

    for fresh, _ in pages(fetch, page_size=page_size, want=want, overlap=overlap):
        delivered += len(fresh)
        if len(asked) >= most or (limit is not None and delivered >= limit):
            break
    return asked


def page_count(page_size: int, limit: int, overlap: int = 2) -> int:
    """How many pages one request takes for ``limit`` records at most (all
    pages full): the first brings ``page_size``, each later one
    ``page_size`` new records (``page_size + overlap`` asked for, at most
    cqlang's bound: the paging's ``page_limit``)."""
    size = page_limit(page_size)
    if limit <= size:
        return 1
    step = page_limit(size, None, overlap) - overlap
    return 1 + -(-(limit - size) // step)


def last_window(page_size: int, limit: int, overlap: int = 2) -> tuple[int, int]:
    """The ``(offset, limit)`` of the last page ``limit`` records take."""
    size = page_limit(page_size)
    n = page_count(size, limit, overlap)
    if n == 1:
        return (0, page_limit(size, limit))
    step = page_limit(size, None, overlap) - overlap
    before = size + (n - 2) * step  # the records the pages before it brought
    # It starts ``overlap`` records back, but never before the first record
    # (a page size of 1: the second page starts at 0, as the paging's does).
    offset = max(0, before - overlap)
    return (offset, limit - offset)


def _paging_note(plan: Any, requests: int, page_size: int, limit: int | None) -> str:
    """What the client asks for after a request's first page."""
    from ..client.guards import guarded

    size = page_limit(page_size)
    # Each record judged on the client (a residual, or the request's guard)?
    checked = plan.residual is not None or guarded(plan.filters[0])
    if limit is not None and not checked and requests == 1:
        n = page_count(size, limit)
        if n == 1:
            return f"its one page: the limit is {limit:,} record{'' if limit == 1 else 's'}"
        if n <= 5:
            later, gap = windows(size, limit, most=n)[1:], False
        else:  # the next three, and the last
            later, gap = [*windows(size, limit, most=4)[1:], last_window(size, limit)], True
        full = later[0][1]
        tail = later[-1] if later[-1][1] != full else None
        offsets = [str(off) for off, _ in (later[:-1] if tail else later)]
        if gap:
            offsets.insert(3, "...")
        shown = f"offset={', '.join(offsets)} with limit={full}"
        if tail is not None:
            shown += f", then offset={tail[0]} with limit={tail[1]}"
        return (
            f"its first page (then {shown}: {n:,} pages at most for the limit of "
            f"{limit:,} records, fewer if a page comes back short)"
        )
    after = windows(size, None)[1:]
    shown_offsets = ", ".join(str(off) for off, _ in after)
    until = "until a page comes back short"
    if limit is not None and (plan.residual is not None or checked):
        until += f" or {limit:,} records have passed the check on the client"
    elif limit is not None:
        until += f" or {limit:,} records have come from the requests"
    return f"its first page (then offset={shown_offsets}, ... with limit={after[0][1]}, {until})"


def describe(
    plan: Any,
    urls: Sequence[str],
    *,
    page_size: int = 1000,
    limit: int | None = None,
    key_env: str | None = KEY_ENV,
    key_source: str | None = None,
) -> str:
    """The dry run's text: per request, a comment, the URL and the curl
    command; then what the client checks on each record, if anything.
    ``key_env`` is the variable the key is read from (None: the key is
    written in a config file, ``key_source`` says where, or there is none;
    the command then holds a placeholder); the key is never printed."""
    if plan.never_matches:
        return f"# {NEVER_MATCHES}"
    if not urls:
        return "# --limit 0: no request would be sent"
    lines = []
    if key_env is not None and not variable_name(key_env):
        key_env = None  # not a name: curl() writes the placeholder
    # What a comment line quotes is drawn visible (a file name's line
    # break would otherwise end the comment, and the next line would run).
    if key_env is None and key_source is not None:
        lines.append(
            f"# the API key is written in the config ({visible(key_source)}); it is not "
            f"printed: put it in place of {KEY_PLACEHOLDER}"
        )
    elif key_env is None:
        lines.append(
            f"# no API key is set for this connection: put one in place of {KEY_PLACEHOLDER}"
        )
    note = _paging_note(plan, len(urls), page_size, limit)
    for n, url in enumerate(urls, 1):
        lines.append(f"# request {n} of {len(urls)}, {note}")
        lines.append(f"# GET {url}")  # a comment: pasted whole, only curl runs
        lines.append(curl(url, key_env))
    if plan.residual is not None:
        lines.append(f"# then kept on the client when: {visible(plan.residual.text)}")
    if len(urls) > 1:
        lines.append("# records of several requests are merged by id")
    return "\n".join(lines)
