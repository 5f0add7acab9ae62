"""Parameter values given as text: the list a parameter after ``in`` holds.

``--param``, the REPL's ``\\param``, a string in a config file's ``params``
and a string passed for a list in Python are all read here, by the checker,
where the parameter meets ``in``: one reading for every path.
"""

from __future__ import annotations


def split_list(text: str) -> list[str]:
    """A list parameter given as text (``--param``, ``\\param``, a string in a
    config file): items separated by commas, each stripped of surrounding
    blanks. An item in double quotes is taken as written between them, commas
    and blanks included, ``""`` standing for one quote (as in CSV):
    ``PL, "Kraków, Nowa Huta"`` is ``["PL", "Kraków, Nowa Huta"]``. Only blanks
    is the empty list. Raises ValueError, in words, for an empty unquoted item
    (``a,,b``), an unclosed quote or text after a closing quote."""
    if not text.strip():
        return []
    items: list[str] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        number = len(items) + 1
        if i < n and text[i] == '"':
            parts: list[str] = []
            j = i + 1
            while True:
                close = text.find('"', j)
                if close < 0:
                    raise ValueError(f"the quote that opens item {number} is never closed")
                parts.append(text[j:close])
                if text.startswith('"', close + 1):  # "" is one quote
                    parts.append('"')
                    j = close + 2
                    continue
                break
            items.append("".join(parts))
            i = close + 1
            while i < n and text[i].isspace():
                i += 1
            if i < n and text[i] != ",":
                raise ValueError(f"item {number} has text after its closing quote")
        else:
            comma = text.find(",", i)
            end = n if comma < 0 else comma
            item = text[i:end].strip()
            if not item:
                raise ValueError(
                    f'item {number} is empty (write "" for an empty string, '
                    "or leave out the extra comma)"
                )
            items.append(item)
            i = end
        if i >= n:
            return items
        i += 1  # the comma


__all__ = ["not_utf8_value", "split_list", "split_param"]


def split_param(item: str) -> tuple[str, str] | None:
    """``NAME=VALUE`` (``--param``; a leading ``$`` on NAME allowed) as
    (NAME, VALUE), or None when it is not of that form."""
    name, sep, value = item.partition("=")
    name = name.strip().lstrip("$")
    if not sep or not name:
        return None
    return name, value


def not_utf8_value(value: str) -> str | None:
    """What makes a parameter value given as text (``--param``, the REPL's
    ``\\param``) not text, or ``None``: a byte that is not UTF-8, which
    the command line's arguments keep as a lone surrogate (U+DC80 to
    U+DCFF, Python's ``surrogateescape``), named as the byte, as CQL002
    names one in a query's text. Such a value would be sent as U+FFFD."""
    for n, c in enumerate(value, 1):
        code = ord(c)
        if 0xDC80 <= code <= 0xDCFF:
            return f"byte 0x{code - 0xDC00:02X} (character {n} of the value) is not UTF-8 text"
        if 0xD800 <= code <= 0xDFFF:
            return f"U+{code:04X} (character {n} of the value) is a lone surrogate, not text"
    return None
