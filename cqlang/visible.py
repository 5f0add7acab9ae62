"""Text from outside shown safely: records from the API, config files, what
was typed and is echoed back.

Such text may hold characters that act on a terminal rather than show on
it: an escape sequence moves the cursor, colours the text, sets the
window's title or (OSC 52) the clipboard; a bell rings; a C1 control
(U+009B is the one-character CSI) starts a sequence too; a bidirectional
control (U+202E) reverses the rest of the line. The one rule of cqlang
(docs/cli.md, "Text from outside"):

* :func:`visible`: text for reading (tables, ``\\show``, ``queries show``,
  messages, diagnostics, the REPL's replies) has every such character
  drawn as a symbol, wherever it goes: a C0 control as the picture Unicode
  has for it (ESC ``␛``, BEL ``␇``, a line break ``␊``), DEL as ``␡``, a C1
  control, a bidi control, a line or paragraph separator and a lone
  surrogate (which cannot even be written as UTF-8) named by its code
  point, ``<U+202E>``, except a byte that was not UTF-8 and was kept as
  one (Python's ``surrogateescape``), named as the byte, ``<0xE9>``.
  ``lines=True`` keeps line breaks and tabs, for text
  of several lines.
* :func:`json_text`: JSON (``--format json/jsonl``, ``--json``, the filter
  lists) writes those characters as ``\\uXXXX`` escapes, always: the same
  data, and nothing that acts on a terminal.
* Text whose bytes are the data (CSV, ``fmt``'s output) is written exactly
  to a file or a pipe, and drawn with :func:`visible` on a terminal.

:func:`shorten` is :func:`visible` cut short, for echoing back what was
typed (an unknown command of 100,000 characters is not printed whole).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: `cqlang compile` starts fast
if TYPE_CHECKING:
    from typing import Any

__all__ = ["NAMED", "json_text", "shorten", "visible"]

#: The code points named rather than shown (besides the C0 controls and
#: DEL, which have pictures): the C1 controls, the bidirectional controls
#: that reorder what follows them (the embeddings, overrides and isolates
#: of "Trojan Source"), the line and paragraph separators. The marks
#: (U+200E, U+200F, U+061C) are ordinary in right-to-left text and reorder
#: nothing past a neighbour: shown as they are.
NAMED = (
    *range(0x80, 0xA0),
    *range(0x202A, 0x202F),  # the embeddings and overrides, U+202E among them
    *range(0x2066, 0x206A),  # the isolates
    0x2028,  # LINE SEPARATOR
    0x2029,  # PARAGRAPH SEPARATOR
)
_SURROGATES = range(0xD800, 0xE000)

# The translation tables, made at the first text that needs one (every
# character they change is one str.isprintable() is false for, so
# printable text never pays for them): drawn, drawn keeping line breaks
# and tabs, escaped for JSON.
_TABLES: list[dict[int, str]] = []


def _tables() -> list[dict[int, str]]:
    if not _TABLES:
        drawn = {c: chr(0x2400 + c) for c in range(32)}
        drawn[0x7F] = "\u2421"
        for c in (*NAMED, *_SURROGATES):
            drawn[c] = f"<U+{c:04X}>"
        for c in range(0xDC80, 0xDD00):  # a byte that was not UTF-8, kept (surrogateescape)
            drawn[c] = f"<0x{c - 0xDC00:02X}>"
        lines = {c: s for c, s in drawn.items() if c not in (9, 10)}
        escaped = {c: f"\\u{c:04x}" for c in (0x7F, *NAMED, *_SURROGATES)}
        _TABLES.extend((drawn, lines, escaped))
    return _TABLES


def visible(text: str, *, lines: bool = False) -> str:
    """``text`` with every character that could act on a terminal drawn
    as a symbol (``␛``, ``<U+202E>``; see the module's docstring); with
    ``lines``, line breaks (``\\n``, and ``\\r\\n`` as a pair) and tabs
    are kept."""
    if text.isprintable():  # the common case, in C
        return text
    if not lines:
        return text.translate(_tables()[0])
    if text.replace("\r\n", "").replace("\n", "").replace("\t", "").isprintable():
        return text  # lines of printable text, the common case: C loops, no table
    table = _tables()[1]
    if "\r\n" in text:
        return "\r\n".join(part.translate(table) for part in text.split("\r\n"))
    return text.translate(table)


def shorten(text: str, most: int = 60) -> str:
    """``text`` as typed, echoed back: :func:`visible`, and cut after
    ``most`` characters with an ellipsis."""
    if len(text) <= most:
        return visible(text)
    return visible(text[:most]) + "…"


#: :func:`cqlang.jsonlimit.dumps`, imported at the first JSON written (json
#: is not imported at start: ``cqlang --help`` needs none), then kept here
#: (a function-level import costs more than encoding a short list).
_dumps: Any = None


def _load_dumps() -> Any:
    global _dumps
    from .jsonlimit import dumps

    _dumps = dumps
    return dumps


def json_text(value: Any, **options: Any) -> str:
    """``value`` as JSON text (``json.dumps``, ``ensure_ascii=False`` and
    ``options``; a number read from JSON with a fraction written as it was
    read: :func:`cqlang.jsonlimit.dumps`), with DEL, the C1 controls, the bidirectional controls,
    the line and paragraph separators and lone surrogates written as
    ``\\uXXXX`` escapes (JSON already escapes the C0 controls). They can
    only be inside strings there, where the escape means the same."""
    dumps = _dumps or _load_dumps()
    text: str = dumps(value, ensure_ascii=False, **options)
    return text if text.isprintable() else text.translate(_tables()[2])


def first_break(text: str) -> str:
    """The first line break of ``text`` (``"\\r\\n"``, a lone ``"\\r"`` or
    ``"\\n"``: the breaks editors and the language server count), ``"\\n"``
    when it has none: the line ending a file is written back with (``fmt
    --write``, ``queries save``, the language server's formatting), all of
    its breaks then (docs/cli.md)."""
    cr = text.find("\r")
    if cr < 0:
        return "\n"
    lf = text.find("\n", 0, cr)
    if lf >= 0:
        return "\n"
    return "\r\n" if text.startswith("\n", cr + 1) else "\r"


def mixed_breaks(text: str, newline: str) -> bool:
    """Whether ``text`` has a line break other than ``newline`` (its
    :func:`first_break`)."""
    if newline == "\n":
        return "\r" in text
    if newline == "\r":
        return "\n" in text
    crlf = text.count("\r\n")
    return text.count("\r") != crlf or text.count("\n") != crlf
