"""``--dry-run``: the requests a fetch would send, sent to nobody.

:func:`first_pages` builds, for each request of a plan, the URL of its
first page exactly as :class:`cqlang.Client` sends it (parameters in the
same order: ``limit``, ``offset``, ``filter``, ``exclude``; the same
fields withheld from ``exclude`` because the client-side check reads
them). :func:`describe` prints each as a URL and as a ``curl`` command
whose key is ``$CONPEEK_KEY``, for the shell to fill in: the key itself is
never written. Without a base URL, ``$CONPEEK_URL`` stands for it.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any

from ..encoding import encode_json, request_path

__all__ = ["URL_VARIABLE", "describe", "first_pages"]

#: What stands for the base URL when none is known.
URL_VARIABLE = "$CONPEEK_URL"
#: The largest ``limit`` the API takes (cqlang.client.MAX_PAGE_SIZE).
MAX_PAGE_SIZE = 10_000


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
    never matches or ``limit`` is 0). Under a ``limit`` with no client-side
    check, a first page asks for no more than the records wanted, as the
    client does before any record has arrived."""
    if plan.never_matches or limit == 0 or not plan.branches:
        return []
    read = plan.residual.record_fields if plan.residual is not None else frozenset()
    sent = [f for f in dict.fromkeys(exclude or ()) if f not in read]
    size = min(page_size, MAX_PAGE_SIZE)
    if limit is not None and plan.residual is None:
        size = max(1, min(size, limit))
    base = (base_url or URL_VARIABLE).rstrip("/") + request_path(campaign)
    tail = f"&exclude={encode_json(sent)}" if sent else ""
    urls = []
    for filters in plan.branches:
        extra = f"&filter={encode_json(filters)}" if filters else ""
        urls.append(f"{base}?limit={size}&offset=0{extra}{tail}")
    return urls


def curl(url: str) -> str:
    """A ``curl`` command for ``url``, the key taken from ``$CONPEEK_KEY``
    (and the base URL from ``$CONPEEK_URL`` when the URL starts with it)."""
    if url.startswith(URL_VARIABLE):
        where = f'"{URL_VARIABLE}"' + shlex.quote(url[len(URL_VARIABLE) :])
    else:
        where = shlex.quote(url)
    return (
        'curl -sS --compressed -H "Authorization: $CONPEEK_KEY" '
        f"-H 'Accept: application/json' {where}"
    )


def describe(plan: Any, urls: Sequence[str], *, overlap: int = 2, page_size: int = 1000) -> str:
    """The dry run's text: per request, a comment, the URL and the curl
    command; then what the client checks on each record, if anything."""
    if plan.never_matches:
        return "# the query never matches: no request would be sent"
    if not urls:
        return "# --limit 0: no request would be sent"
    size = min(page_size, MAX_PAGE_SIZE)
    step = max(size - overlap, 1)
    lines = []
    for n, url in enumerate(urls, 1):
        lines.append(
            f"# request {n} of {len(urls)}, its first page (then offset={step}, "
            f"{2 * step}, ... with limit={min(size + overlap, MAX_PAGE_SIZE)}, "
            "until a page comes back short)"
        )
        lines.append(f"GET {url}")
        lines.append(curl(url))
    if plan.residual is not None:
        lines.append(f"# then kept on the client when: {plan.residual.text}")
    if len(urls) > 1:
        lines.append("# records of several requests are merged by id")
    return "\n".join(lines)
