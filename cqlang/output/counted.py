"""The records of a fetch on their way out, counted: :class:`Counted`.

Every front end that writes a fetch (``cqlang fetch``, the REPL's
``\\fetch``, ``iter_batches``) counts the records it *keeps*, the ones a
writer gets, here: the progress line shows that count (not the records
the pages brought, which count the overlap of pages and the records the
client-side check drops), and a file's ``cqlang.complete`` says from it
whether a limit stopped the fetch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .filemeta import ending_metadata

__all__ = ["Counted", "fetch_counted"]

#: Records between two calls of ``tick``.
TICK_EVERY = 256


class Counted:
    """``records`` (an iterable of records, read once), at most ``limit``
    of them (``None``: all), counted as they pass (:attr:`count`).

    ``probed``: ``records`` were asked for one more than ``limit``, to tell
    whether more match (as the REPL's ``\\fetch N`` does): that one is not
    passed on, and :attr:`more` says it came. Without it, a fetch that
    reached its limit cannot tell, and :attr:`complete` says ``False``
    (more may match). ``tick(count, final)``: called every
    :data:`TICK_EVERY` records with the count so far, and once at the end
    with the whole count and ``final`` true (a progress line).
    """

    def __init__(
        self,
        records: Iterable[dict[str, Any]],
        limit: int | None = None,
        *,
        probed: bool = False,
        tick: Callable[[int, bool], None] | None = None,
    ) -> None:
        self.records = records
        self.limit = limit
        self.probed = probed and limit is not None
        self.tick = tick
        #: The records passed on so far.
        self.count = 0
        #: Whether a record past ``limit`` came (only when ``probed``).
        self.more = False
        #: Whether the records ran out or the limit was met.
        self.done = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        limit, tick = self.limit, self.tick
        n = 0
        try:
            for record in self.records:
                if limit is not None and n >= limit:
                    self.more = True  # the one asked for beyond the limit
                    break
                n += 1
                self.count = n
                if tick is not None and not n % TICK_EVERY:
                    tick(n, False)
                yield record
        finally:
            close = getattr(self.records, "close", None)
            if close is not None:  # a generator given: its fetch ends here
                close()
        self.done = True
        if tick is not None:
            tick(n, True)

    @property
    def complete(self) -> bool:
        """Whether every matching record was passed on: there was no limit,
        fewer records came than it, or (``probed``) none came past it."""
        if self.limit is None or self.count < self.limit:
            return True
        return self.probed and not self.more

    def ending(self) -> dict[str, str]:
        """What a file records at the end: ``cqlang.complete`` under a
        limit (:func:`cqlang.output.filemeta.ending_metadata`)."""
        return ending_metadata(self.limit, self.complete)


def fetch_counted(
    spec: Any,
    client: Any,
    *,
    plan: Any,
    limit: int | None = None,
    probe: bool = False,
    tick: Callable[[int, bool], None] | None = None,
) -> Counted:
    """The records of ``spec.fetch`` (``spec``: a
    :class:`cqlang.config.FetchSpec`; ``limit`` lowering its own), counted
    as they are kept. ``probe``: ask for one more than the limit in effect,
    to tell whether more match (what the REPL's ``\\fetch N`` says)."""
    lim = spec.limit_with(limit)
    if probe and lim is not None:
        records = spec.with_(limit=None).fetch(client, plan=plan, limit=lim + 1)
    else:
        records = spec.fetch(client, plan=plan, limit=limit)
    return Counted(records, lim, probed=probe, tick=tick)
