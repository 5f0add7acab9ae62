"""The emulator's own settings, checked before anything is made: first
their types, as every Python entry point checks them
(:mod:`cqlang.argcheck`: ``TypeError`` naming the parameter), then their
values: a host it can listen on, a key a client can send, a window of
days. A value raises ``ValueError`` in words (``cqlang emulator`` exits 2
with it)."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .. import argcheck
from ..encoding import key_problem
from ..errors import SettingError

#: The largest port number there is.
MAX_PORT = 65535


def check_seed(seed: Any) -> int | str:
    """The seed: a ``str``, or any integer type but a ``bool`` (as an ``int``)."""
    if isinstance(seed, str):
        return seed
    number = argcheck.integer(seed)
    if number is None:
        raise argcheck.wrong_type("seed", "an int or a str", seed)
    return number


def check_campaigns(campaigns: Any) -> tuple[str, ...]:
    """The campaign ids: one ``str`` (that campaign alone) or a list of them."""
    if isinstance(campaigns, str):
        return (campaigns,)
    if not isinstance(campaigns, Iterable) or isinstance(campaigns, bytes | Mapping):
        raise argcheck.wrong_type("campaigns", "a campaign id (a str) or a list of them", campaigns)
    ids = tuple(campaigns)
    for cid in ids:
        if not isinstance(cid, str):
            kind = argcheck.kind(cid)
            raise TypeError(f"campaigns holds campaign ids (str), not {kind}: {cid!r}")
    return ids


def check_port(port: Any) -> int:
    """A port to listen on: 0 (a free one) to 65535."""
    number: int = argcheck.count("port", port, least=0)
    if number > MAX_PORT:
        raise SettingError(f"port must be at most {MAX_PORT}, not {number}", "port")
    return number


def check_data(data: Any) -> Any:
    """Where the records come from, by type: ``None`` (generated), a path
    (a ``str`` or an ``os.PathLike``, as a :class:`~pathlib.Path`), a
    mapping of campaign id to records, or a list of records (each checked
    later, by :func:`cqlang.emulator.data.checked_records`)."""
    if data is None or isinstance(data, Path | Mapping):
        return data
    if isinstance(data, str) or hasattr(type(data), "__fspath__"):
        return Path(os.fspath(argcheck.path("data", data)))
    if isinstance(data, Iterable) and not isinstance(data, bytes):
        return data
    takes = "a path, a list of records, a mapping of campaign id to records, or None"
    raise argcheck.wrong_type("data", takes, data)


def check_api_key(key: str) -> str:
    """The key the emulator accepts: without the blanks around it (a
    client strips them from the keys it reads, and a header value's blanks
    are no part of it), and one a client can send: not empty, no control
    character, ASCII only (:func:`cqlang.encoding.key_problem`, the
    client's own check). The key is never in the message."""
    stripped = key.strip()
    if not stripped:
        raise ValueError(
            "the API key cannot be empty or blank: a client sends none (give --api-key KEY)"
        )
    problem = key_problem(stripped)
    if problem is not None:
        what, hint = problem
        raise ValueError(
            f"the API key holds {what}, which no client can send in a header; "
            f"the key is not shown{hint}"
        )
    return stripped


def check_host(host: str) -> None:
    """Refuse an empty or blank host: the standard library reads ``''`` as
    every interface of the machine, which nobody asks for by leaving the
    host out."""
    if not host.strip():
        raise ValueError(
            "the host cannot be empty: it would listen on every interface; "
            "give an address (127.0.0.1, the default; 0.0.0.0 for every interface)"
        )


def check_window_days(value: Any) -> float:
    """The window of days: a number (:func:`cqlang.argcheck.number`, else
    ``TypeError``) that is positive and finite (else ``ValueError``)."""
    days = argcheck.number("window_days", value, takes="a number of days (an int or a float)")
    if math.isnan(days):
        raise ValueError("the window of days is not a number (nan)")
    if math.isinf(days) or days <= 0:
        raise ValueError(f"the window of days must be a positive, finite number, not {days}")
    return days


def check_ids(ids: Any) -> set[str]:
    """The record ids ``emu.close`` and ``emu.remove`` take: one ``str``
    (that id alone, never split into letters) or any iterable of them."""
    if isinstance(ids, str):
        return {ids}
    if not isinstance(ids, Iterable) or isinstance(ids, bytes | Mapping):
        raise argcheck.wrong_type("ids", "a record id (a str) or a list of them", ids)
    out = set()
    for rid in ids:
        if not isinstance(rid, str):
            kind = argcheck.kind(rid)
            raise TypeError(f"ids holds record ids (str), not {kind}: {rid!r:.60}")
        out.add(rid)
    return out


def check_campaign(campaign: Any, served: Iterable[str]) -> str:
    """The campaign a method works on: ``None`` for the first one served,
    else one of those served (a :class:`SettingError` naming them)."""
    names = list(served)
    if argcheck.text("campaign", campaign, optional=True) is None:
        return names[0]
    if campaign not in names:
        shown = ", ".join(repr(c) for c in names[:5]) + (", ..." if len(names) > 5 else "")
        raise SettingError(
            f"campaign {campaign!r:.60} is not served here (this emulator serves {shown})",
            "campaign",
        )
    return str(campaign)
