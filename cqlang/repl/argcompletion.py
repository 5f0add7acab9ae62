"""What the argument of a meta command completes to (the ``complete`` of
its :class:`~cqlang.repl.meta.MetaCommand` in
:data:`~cqlang.repl.commands.COMMANDS`): a time zone, a parameter, a named
query, the campaign, a setting. Each takes the session and the text typed
so far and returns candidates; the completer filters them by that text.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from .settings import SETTINGS

if TYPE_CHECKING:
    from ..completion import Candidate
    from .session import Session

__all__ = [
    "complete_campaign",
    "complete_param",
    "complete_query_name",
    "complete_setting",
    "complete_zone",
]


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    import zoneinfo

    return tuple(sorted(zoneinfo.available_timezones()))


def complete_zone(session: Session, typed: str) -> Iterable[Candidate]:
    from ..completion import Candidate

    if not typed:  # about 600 zones: wait for a letter
        return ()
    return [Candidate(z, "zone") for z in _zones()]


#: The most characters of a parameter's value a completion menu shows.
PARAM_META = 40


def complete_param(session: Session, typed: str) -> Iterable[Candidate]:
    """Each bound parameter, its value beside it as ``\\params`` writes it
    (``"3"``, ``1`` for a Python int: text, whatever was bound), cut to
    :data:`PARAM_META` characters and drawn visible."""
    from ..completion import Candidate
    from ..kinds import JSON, written
    from ..visible import visible

    return [
        Candidate(f"{p}=", "param", visible(written(session.params[p], JSON, PARAM_META)))
        for p in sorted(session.params)
    ]


def complete_query_name(session: Session, typed: str) -> Iterable[Candidate]:
    from ..completion import Candidate

    return [Candidate(q, "query") for q in session.query_names()]


def complete_campaign(session: Session, typed: str) -> Iterable[Candidate]:
    from ..completion import Candidate

    campaign = session.default_campaign
    return [Candidate(campaign, "campaign")] if campaign else []


def complete_setting(session: Session, typed: str) -> Iterable[Candidate]:
    from ..completion import Candidate

    if " " in typed:  # the value: nothing to offer
        return []
    return [Candidate(n, "setting") for n in SETTINGS]
