"""The emulator's own settings, checked before anything is made: a host it
can listen on, a key a client can send, a window of days. Each raises
``ValueError`` in words (``cqlang emulator`` exits 2 with it)."""

from __future__ import annotations

import math

from ..encoding import key_problem


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


def check_window_days(days: float) -> None:
    """Refuse a window that is not a positive, finite number of days."""
    if isinstance(days, bool) or not isinstance(days, int | float):
        raise ValueError(f"window_days must be a number of days, not {days!r:.40}")
    if math.isnan(days):
        raise ValueError("the window of days is not a number (nan)")
    if math.isinf(days) or days <= 0:
        raise ValueError(f"the window of days must be a positive, finite number, not {days}")
