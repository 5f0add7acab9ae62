"""A pause of the cyclic garbage collector while a call makes many objects
that cannot be garbage yet: :func:`pause` and :func:`resume`.

Compiling a query makes many small containers and frees nearly all of them
by reference counting; decoding a page of JSON makes a tree of them, none
of which can be freed until the tree is whole (JSON holds no cycles). The
collector, run every few hundred allocations, only re-examines what is
still alive: full collections of everything the process holds, inside one
call, paid again and again (issue 15). So those calls pause it.

The collector is the process's: the pause is counted, under a lock, across
threads and nested calls. The first call in turns it off if it is on (and
remembers whether it did); the last call out turns it back on only then. A
collector that was off when the first call came in stays off; one that
another thread turns on meanwhile stays on. (One that a program turns off
while a paused call runs in another thread cannot be told from the pause,
and is on again when the last one ends: docs/performance.md.)
"""

from __future__ import annotations

import gc
from _thread import allocate_lock  # threading's Lock, without importing threading

_lock = allocate_lock()
_paused = 0  # calls inside a pause, in every thread
_ours = False  # whether the pause turned the collector off


def pause() -> None:
    """Enter a pause of the collector; :func:`resume` leaves it (always:
    ``pause(); try: ... finally: resume()``)."""
    global _paused, _ours
    with _lock:
        if not _paused:
            _ours = gc.isenabled()
            if _ours:
                gc.disable()
        _paused += 1


def resume() -> None:
    """Leave a pause: the last call out turns the collector back on if the
    first one in turned it off."""
    global _paused, _ours
    with _lock:
        _paused -= 1
        if not _paused and _ours:
            _ours = False
            gc.enable()
