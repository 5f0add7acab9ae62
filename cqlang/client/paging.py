"""Paging while the results move: the algorithm, with no HTTP in it.

A request's results are read with ``limit``/``offset`` through a *fetch
page* callable, ``fetch(offset, limit) -> (records, ids)``: the records at
those offsets now, and their ids (strings, none twice). The client's fetch
is an HTTP GET (:class:`~.transport.Transport`); the tests' is a list.

The promise. Every record that is in the results throughout the paging is
delivered exactly once; a record that appears or goes meanwhile may or may
not be; no record is delivered twice; and where this cannot be kept, the
paging stops with :class:`~.errors.ResultSetChangedError` rather than skip
or repeat a record. It rests on one assumption: the order is stable (a
record never moves before or after another between two fetches; records
may appear anywhere and go from anywhere).

How. Consecutive pages overlap by ``overlap`` records: each fetch after the
first starts ``overlap`` records before the end of the previous page and
checks that the new page begins with the previous page's last ids. When it
does not, the results moved: the *anchor* is the last record of the
previous page found in the new one, and the page carries on after it
(stepping back ``limit - 1`` records at a time, at most ``max_relocate``
fetches, when the window landed past the previous page). A record
delivered may turn up again after the anchor: one of the previous page not
found this time (it still lies ahead, behind records created meanwhile), or
one that went and came back. So once the results have moved, the ids
delivered are remembered (those of the page before the move, and every one
since: memory the paging does not use while the results stand still), and
such a record is skipped. The end is a page shorter than asked (the API
documents no total, no next link and no cap); one whose length is a round
number is confirmed by one more page, since it may be the server's own
page size (``pages``). A page that brings nothing new, ``max_relocate +
2`` times in a row, or a previous page's record found after the anchor or
after the overlap (the order changed), or no anchor at all, is
:class:`ResultSetChangedError`. A record of a page before the previous one
sent again while the overlap still holds is not seen: that would take
remembering every id, and the paging holds one page (docs/client.md).

:func:`pages` pages one request; :func:`records` runs several (a plan's
branches, in order), merging them by id, keeping what ``keep`` accepts
(and, of each request's records, what its own guard accepts), and
stopping at ``limit``. While no ``keep`` is given and the results do
not move, a request under a ``limit`` asks for just the records still
missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from ..encoding import MAX_PAGE_SIZE
from .errors import ResultSetChangedError

log = logging.getLogger("cqlang.client")

R = TypeVar("R")
#: ``fetch(offset, limit) -> (records, ids)``: one page, as the results are now.
FetchPage = Callable[[int, int], tuple[list[R], list[str]]]

__all__ = ["CAP_ROUND", "MAX_PAGE_SIZE", "FetchPage", "page_limit", "pages", "records"]

#: A short page whose length is a multiple of this is confirmed with one
#: more request before it is taken for the last: servers cap their pages
#: at round numbers (the API documents no cap, and no total to check).
CAP_ROUND = 100


def page_limit(page_size: int, need: int | None = None, overlap: int = 0) -> int:
    """The ``limit`` a page is asked with, the one rule for it (the
    client's pages, and the first page ``fetch --dry-run`` shows): the
    page size, or just the records still needed when that is knowable
    (``need``: under a limit, every record delivered as it comes; at least
    one), then the ``overlap`` records it reads again of the page before;
    never more than cqlang's bound, :data:`MAX_PAGE_SIZE`."""
    size = page_size if need is None else max(1, min(page_size, need))
    return min(MAX_PAGE_SIZE, size + overlap)


def records(
    requests: Sequence[tuple[FetchPage[R], str]],
    *,
    page_size: int,
    limit: int | None = None,
    keep: Callable[[R], bool] | None = None,
    overlap: int = 2,
    max_relocate: int = 4,
    guards: Sequence[Callable[[R], bool] | None] = (),
    cap_round: int = CAP_ROUND,
) -> Iterator[R]:
    """The records of ``requests`` (each a fetch and the URL its errors
    name), one request after another: a record an earlier request
    delivered is skipped (by id), ``keep`` (when given) decides which are
    delivered, and at most ``limit`` (``None``: all) are. ``guards[n]``,
    when given, decides which records of request ``n`` count as its
    answer at all: one it refuses may still come from a later request.
    Each request is paged by :func:`pages`."""
    if limit == 0 or not requests:
        return
    seen: set[str] | None = set() if len(requests) > 1 else None
    delivered = 0
    guard: Callable[[R], bool] | None = None

    def want() -> int | None:
        # How many more records to ask for, when it is knowable.
        if limit is None or keep is not None or guard is not None:
            return None
        return limit - delivered

    for n, (fetch, where) in enumerate(requests):
        last = n == len(requests) - 1
        guard = guards[n] if n < len(guards) else None
        for fresh, ids in pages(
            fetch,
            page_size=page_size,
            want=want,
            overlap=overlap,
            max_relocate=max_relocate,
            where=where,
            cap_round=cap_round,
        ):
            if seen is None and keep is None and guard is None:
                # The hot path: whole pages, no per-record work.
                if limit is not None and delivered + len(fresh) >= limit:
                    yield from fresh[: limit - delivered]
                    return
                delivered += len(fresh)
                yield from fresh
                fresh, ids = [], []  # let the page go before the next is fetched
                continue
            for rec, rid in zip(fresh, ids, strict=True):
                if seen is not None and rid in seen:
                    continue
                if guard is not None and not guard(rec):
                    continue  # not this request's to give; a later one may
                if seen is not None and not last:
                    seen.add(rid)
                if keep is not None and not keep(rec):
                    continue
                yield rec
                delivered += 1
                if limit is not None and delivered >= limit:
                    return


def pages(
    fetch: FetchPage[R],
    *,
    page_size: int,
    want: Callable[[], int | None] = lambda: None,
    overlap: int = 2,
    max_relocate: int = 4,
    where: str = "",
    cap_round: int = CAP_ROUND,
) -> Iterator[tuple[list[R], list[str]]]:
    """One request's pages, until one comes back shorter than asked: the
    records not delivered before, and their ids. ``want()`` is how many
    more records the consumer needs (``None``: all there are); ``where``
    names the request in errors.

    A short page whose length is a non-zero multiple of ``cap_round`` may
    be a server's cap rather than the end: from there on no page asks for
    more than that length, and the next page tells. Short again: that was
    the end. New records: the server caps its pages, and a warning says so
    (once) (docs/client.md, "Paging while the data moves")."""
    k = max(1, overlap)
    # The server's own page size, once seen (a short page confirmed not to
    # be the last): no page asks for more. ``checking``: the limit the
    # short page being confirmed was asked with.
    ceiling: int | None = None
    checking: int | None = None
    pos = 0  # the offset just past the last page, in the results' numbering now
    prev: list[str] | None = None  # the last page's ids
    # Once the results have moved, the ids delivered (and those of the page
    # before the move): a record delivered may turn up again after the
    # anchor (it was not found again, or it went and came back), and is
    # skipped then. None while the results do not move (no memory used).
    delivered: set[str] | None = None
    stalls = 0  # pages in a row that brought nothing new
    while True:
        need = want()
        off = 0 if prev is None else max(0, pos - k)
        ov = pos - off
        # Ask for just the records still missing (under a limit), unless
        # the results are moving: a small window cannot absorb a shift.
        lim = page_limit(page_size, need if delivered is None else None, ov)
        if ceiling is not None:
            lim = min(lim, ceiling)
        data, ids = fetch(off, lim)
        start = 0
        if prev is not None:
            if ov and ids[:ov] == prev[-ov:]:
                start = ov
                if len(ids) > ov and not set(prev).isdisjoint(ids[ov:]):
                    # The overlap holds, yet a record of the page before
                    # comes again after it: the order is broken (a server
                    # that repeats records), as _relocate says it.
                    raise ResultSetChangedError(
                        f"the results changed order while paging ({where})", url=where
                    )
            else:
                data, ids, off, start, lim = _relocate(
                    fetch, prev, off, lim, data, ids, max_relocate, where
                )
                if delivered is None:
                    delivered = set(prev)
        got = len(data)
        pos = off + got
        short = got < lim
        fresh = data[start:] if start else data
        fresh_ids = ids[start:] if start else ids
        data = []  # hold one page at a time: the consumer has it now
        if delivered is not None and fresh:
            kept = [j for j, rid in enumerate(fresh_ids) if rid not in delivered]
            if len(kept) < len(fresh_ids):
                fresh = [fresh[j] for j in kept]
                fresh_ids = [fresh_ids[j] for j in kept]
            delivered.update(fresh_ids)
        if checking is not None and fresh:
            # Records past a short page: it was the server's cap, not the end.
            log.warning(
                "the server returned at most %d records per page where %d were asked; paging by %d",
                ceiling,
                checking,
                ceiling,
            )
            checking = None
        if fresh:
            stalls = 0
            yield fresh, fresh_ids
            fresh, fresh_ids = [], []
        else:
            stalls += 1
            if stalls > max_relocate + 2:
                raise ResultSetChangedError(
                    f"the results keep moving under the pages; fetch again ({where})",
                    url=where,
                )
        if short:
            if ceiling is not None or not _maybe_capped(got, cap_round, k):
                return
            # A round number short of the limit: a server that caps its
            # pages, or (about one time in cap_round) the natural end. The
            # next page, asked for that many, tells: it is short too at the
            # end (it holds the overlap at most).
            ceiling, checking = got, lim
        prev = ids


def _maybe_capped(length: int, cap_round: int, overlap: int) -> bool:
    """Whether a short page of ``length`` records is to be confirmed before
    it is taken for the last: a server's cap is a round number (a cap that
    is not a multiple of ``cap_round`` is taken for the end, the documented
    limit; ``cap_round`` 0 confirms none), and pages of that size must
    bring something past the ``overlap`` to be paged by."""
    return cap_round > 0 and length > overlap and length % cap_round == 0


def _relocate(
    fetch: FetchPage[R],
    prev: list[str],
    off: int,
    lim: int,
    data: list[R],
    ids: list[str],
    max_relocate: int,
    where: str,
) -> tuple[list[R], list[str], int, int, int]:
    """Find where the last page's records went after the results moved.

    The anchor is the last record of the previous page that is still there;
    what follows it was not delivered, but for records delivered that turn
    up again (the caller skips those). Returns the page to carry on from:
    its records, ids, offset, the index of its first record after the
    anchor, and the limit it was asked with.
    """
    index = {rid: i for i, rid in enumerate(prev)}
    for attempt in range(max_relocate + 1):
        best, at = -1, -1
        for j, rid in enumerate(ids):
            i = index.get(rid, -1)
            if i > best:
                best, at = i, j
        if at >= 0:
            if any(rid in index for rid in ids[at + 1 :]):
                raise ResultSetChangedError(
                    f"the results changed order while paging ({where})", url=where
                )
            log.warning(
                "results moved while paging (offset %d): re-located after %d record(s)",
                off,
                at + 1,
            )
            return data, ids, off, at + 1, lim
        if off == 0 or attempt == max_relocate:
            break
        # None of the last page is here: the results shrank past it. Step back.
        off = max(0, off - (lim - 1))
        data, ids = fetch(off, lim)
    raise ResultSetChangedError(
        "the results changed while paging and the last page's records could not be "
        f"found again; fetch again ({where})",
        url=where,
    )
