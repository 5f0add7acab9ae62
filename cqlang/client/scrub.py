"""Keeping secrets out of text: every form in which a server may echo one.

A misbehaving server (or a proxy in front of it) may quote the API key back
in an error body, a reason phrase, a malformed status line or a chunk
header, and not always as it was sent: JSON-escaped (``\\/``, ``\\u0041``),
percent-encoded, hex, upper-cased, HTML-escaped or base64-encoded, and
maybe split across lines (base64 wrapped at 76 characters, a hex dump in
groups). :class:`Scrubber` finds all of these, in any mix (each character
of the secret may come in any of its forms, in any case, with blanks, line
breaks or their escapes ``\\n``, ``\\r``, ``\\t`` between any two), and
replaces them with ``<hidden>``. It does not look for a secret rearranged
(reversed, shuffled, encrypted): no server echoes one so by accident, and
such forms have no end.

The client runs every text it shows through one scrubber: the excerpts of
response bodies (before they are cut short, so that no prefix of a secret
survives the cut), the messages of its errors and their causes, and,
through :class:`ScrubFilter`, every log record of its own logger and of
urllib3's while it is fetching.
"""

from __future__ import annotations

import base64
import contextvars
import logging
import re
from collections.abc import Iterable

HIDDEN = "<hidden>"
#: Secrets shorter than this are not scrubbed (they would hide ordinary text).
MIN_SECRET = 4
#: Base64 text is matched when its part that depends on the secret alone
#: has at least this many characters.
_MIN_B64 = 8
#: What may split an echoed secret between two of its characters: blanks
#: and line breaks, and the escapes of a line break or a tab (``\\n``,
#: ``\\r``, ``\\t``, escaped again in JSON of JSON); at most 8 of them
#: (``\r\n`` and an indentation), so that the search stays linear.
_GAP = r"(?:\s|\\{1,7}[nrt]){0,8}"
#: The longest text one character of a secret may become (``%2525252F``
#: is 10, ``\\\\\\\u002f`` 12, ``&#x00000000010ffff;`` 20), with the
#: longest gap after it (8 escapes of 8 characters).
_MAX_CHAR_FORM = 24 + 64


def _char_forms(c: str) -> str:
    """A regex for one character in any of its escaped forms."""
    cp = ord(c)
    raw = c.encode("utf-8", "surrogatepass")
    # As is, or backslash-escaped (``\/``), once or more (JSON of JSON).
    # Repetitions are bounded: a run of backslashes in a hostile body must
    # not make the search quadratic.
    forms = [r"\\{0,7}" + re.escape(c)]
    if cp <= 0xFFFF:
        forms.append(rf"\\{{1,7}}u{cp:04x}")
    else:  # a JSON surrogate pair
        hi, lo = 0xD800 + ((cp - 0x10000) >> 10), 0xDC00 + ((cp - 0x10000) & 0x3FF)
        forms.append(rf"\\{{1,7}}u{hi:04x}\\{{1,7}}u{lo:04x}")
    forms.append("".join(f"%(?:25){{0,3}}{b:02x}" for b in raw))  # percent-encoded (or twice)
    forms.append("".join(rf"\\{{1,7}}x{b:02x}" for b in raw))  # a \xNN dump
    forms.append(f"&#0{{0,8}}{cp};")  # HTML, decimal
    forms.append(f"&#x0{{0,8}}{cp:x};")  # HTML, hex
    if c == " ":
        forms.append(r"\+")  # a form-encoded space
    return "(?:" + "|".join(forms) + ")"


def _base64_cores(secret: bytes) -> list[str]:
    """The base64 text that encodes ``secret`` wherever it sits in the
    encoded bytes (three alignments, standard and URL-safe alphabets): only
    the characters that depend on the secret's bytes alone."""
    cores = []
    n = len(secret)
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        for shift in (0, 1, 2):
            text = encode(b"\0" * shift + secret).decode("ascii").rstrip("=")
            start = (0, 2, 3)[shift]  # characters that mix in the bytes before
            end = len(text) - (1 if (shift + n) % 3 else 0)  # ... or after
            core = text[start:end]
            if len(core) >= _MIN_B64:
                cores.append(core)
    return cores


def _spaced(text: str) -> str:
    """A regex for ``text`` as it is, with a gap allowed between any two characters."""
    return _GAP.join(re.escape(c) for c in text)


class Scrubber:
    """Replaces every form of the given secrets in a text with ``<hidden>``."""

    __slots__ = ("_pattern", "max_form")

    def __init__(self, secrets: Iterable[str]) -> None:
        parts: list[str] = []
        longest = 0
        for secret in secrets:
            if len(secret) < MIN_SECRET:
                continue
            longest = max(longest, len(secret))
            # Each form, with a gap allowed between any two of its characters.
            parts.append(_GAP.join(_char_forms(c) for c in secret))
            raw = secret.encode("utf-8", "surrogatepass")
            parts.append(_spaced(raw.hex()))  # hex (either case)
            parts.extend(f"(?-i:{_spaced(core)})" for core in _base64_cores(raw))
        self._pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None
        #: The longest text a secret may have become: a text cut short may
        #: end in a prefix of one that is this long.
        self.max_form = longest * _MAX_CHAR_FORM

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(HIDDEN, text)

    def __repr__(self) -> str:
        return "<Scrubber>"


#: The scrubber of the client now fetching in this context (see ScrubFilter).
ACTIVE: contextvars.ContextVar[Scrubber | None] = contextvars.ContextVar(
    "cqlang_scrubber", default=None
)


class ScrubFilter(logging.Filter):
    """Scrubs a log record with the active client's :class:`Scrubber` (a
    no-op outside a fetch). Installed on the client's logger and urllib3's."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub = ACTIVE.get()
        if scrub is not None:
            record.msg = scrub(record.getMessage())
            record.args = None
            if record.exc_info is not None:  # formatted now, scrubbed, kept as text
                record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True


_FILTER = ScrubFilter()


def install(*loggers: str) -> None:
    """Put the scrubbing filter on these loggers (once each)."""
    for name in loggers:
        lg = logging.getLogger(name)
        if _FILTER not in lg.filters:
            lg.addFilter(_FILTER)


def excerpt(text: str, scrub: Scrubber, limit: int, *, cut: bool = False) -> str:
    """``text`` with whitespace collapsed and secrets hidden, then at most
    ``limit`` characters (``…`` when longer). ``cut``: the text is a window
    of something longer, so its tail (which may hold the start of a secret)
    is dropped first."""
    text = " ".join(text.split())
    if cut:  # blanks collapsed first: a secret split by many keeps its length
        text = text[: max(0, len(text) - scrub.max_form)]
    text = scrub(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
