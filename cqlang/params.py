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


__all__ = ["split_list"]


def split_param(item: str) -> tuple[str, str] | None:
    """``NAME=VALUE`` (``--param``; a leading ``$`` on NAME allowed) as
    (NAME, VALUE), or None when it is not of that form."""
    name, sep, value = item.partition("=")
    name = name.strip().lstrip("$")
    if not sep or not name:
        return None
    return name, value
