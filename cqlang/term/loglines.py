"""The client's log records as lines on standard error (``fetch``, and
``--verbose`` for every request): each line prefixed ``cqlang:`` (and its
level from a warning up), drawn visible (a server's words may hold control
characters), printed above the progress line when there is one."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..visible import visible

if TYPE_CHECKING:
    from .progress import Progress

__all__ = ["EchoHandler", "client_log"]


class EchoHandler(logging.Handler):
    """Log records written by ``echo`` (the command line's, so that click's
    test runner captures them), or above ``progress``'s line."""

    def __init__(self, echo: Callable[[str], None], progress: Progress | None = None) -> None:
        super().__init__()
        self.echo = echo
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        level = "" if record.levelno < logging.WARNING else record.levelname.lower() + ": "
        line = visible(f"cqlang: {level}{self.format(record)}")  # the API's words, drawn
        if self.progress is not None:
            self.progress.above(line)
        else:
            self.echo(line)


@contextmanager
def client_log(
    verbose: bool, echo: Callable[[str], None], progress: Progress | None = None
) -> Iterator[None]:
    """The ``cqlang.client`` logger's records shown while the block runs:
    every one with ``verbose``, else warnings and errors; the logger's
    level put back after."""
    log = logging.getLogger("cqlang.client")
    level = logging.DEBUG if verbose else logging.WARNING
    handler = EchoHandler(echo, progress)
    handler.setLevel(level)
    saved_level = log.level
    log.addHandler(handler)
    log.setLevel(level)
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(saved_level)
