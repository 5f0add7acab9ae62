"""What is typed at the instant prompt: shown as it is typed, and kept for
the line editor.

While the line editor loads (cqlang/term/instant.py), a thread reads the
keys typed at the painted prompt, draws the text they make after it, and
keeps every byte it read. The editor reads those bytes first, as its
type-ahead (cqlang/repl/app.py), and then whatever was typed since, still
queued in the terminal: nothing typed is lost or reordered.

Only plain text is drawn: printable characters, Backspace taking back the
last one. The first other key (Enter, Tab, an arrow, a Ctrl key, a byte
that is not UTF-8) ends the drawing but not the reading: what that key does
is the editor's business, once it is there. Nor is anything drawn that
would not fit on the prompt's line. The editor then draws its prompt and
the same text over the painted line.

Only the standard library's ``_thread``, ``select`` and ``codecs`` are
used (the REPL's start imports nothing heavy before the prompt), and
``unicodedata`` for the width of text that is not ASCII.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing is not imported at run time: the launcher starts fast
if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["Echo", "cells"]

#: Backspace as terminals send it (DEL), and as Ctrl-H sends it.
_ERASE = ("\x7f", "\x08")


def cells(text: str) -> int:
    """How many columns ``text`` takes on a terminal: two for a wide
    character (East Asian wide or full-width), none for a combining mark or
    a format character, one for the rest."""
    if text.isascii():
        return len(text)
    import unicodedata

    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


class Echo:
    """Reads the terminal ``fd`` until :meth:`stop`, drawing what is typed
    after ``prompt`` on ``out``, a terminal ``columns`` wide."""

    def __init__(self, fd: int, out: TextIO, prompt: str, columns: int) -> None:
        import _thread
        import codecs

        self.fd = fd
        self.out = out
        self.prompt = prompt
        self.columns = columns
        self.text = ""  # what is drawn after the prompt
        self.drawing = True
        self._typed = bytearray()
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._wake_r, self._wake_w = os.pipe()
        self._done = _thread.allocate_lock()
        self._done.acquire()
        self._stopped = False
        _thread.start_new_thread(self._read, ())

    def _read(self) -> None:
        import select

        try:
            while True:
                ready, _, _ = select.select([self.fd, self._wake_r], [], [])
                if self._wake_r in ready:  # stopped: what is still queued stays queued
                    return
                data = os.read(self.fd, 4096)
                if not data:  # the terminal's end of input: the editor sees it too
                    return
                self._typed += data
                if self.drawing:
                    self._draw(data)
        except (OSError, ValueError):  # the terminal went away: the editor will say so
            return
        finally:
            self._done.release()

    def _draw(self, data: bytes) -> None:
        try:
            typed = self._decoder.decode(data)
        except UnicodeDecodeError:
            self.drawing = False
            return
        text = self.text
        for ch in typed:
            if ch in _ERASE:
                text = text[:-1]
            elif ch.isprintable():
                text += ch
            else:  # a key of the editor's: drawing ends here, reading goes on
                self.drawing = False
                break
        if text == self.text:
            return
        if cells(self.prompt) + cells(text) >= self.columns:
            self.drawing = False  # it would wrap: the editor draws it
            return
        self.text = text
        self.out.write(f"\r{self.prompt}{text}\x1b[K")
        self.out.flush()

    def stop(self) -> bytes:
        """Stop reading (waiting for a key being drawn), and return every
        byte read so far, in the order typed. Calling it again returns the
        same bytes."""
        if not self._stopped:
            self._stopped = True
            os.write(self._wake_w, b"\0")
            self._done.acquire()
            os.close(self._wake_r)
            os.close(self._wake_w)
        return bytes(self._typed)
