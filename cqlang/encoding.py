"""The ``filter`` and ``exclude`` parameters on the wire.

The value is the JSON text with no spaces (``,`` and ``:`` as separators,
non-ASCII kept as UTF-8), percent-encoded the way JavaScript's
``encodeURIComponent`` does: every UTF-8 byte except ``A-Z a-z 0-9 - _ . ! ~
* ' ( )`` is escaped, a space as ``%20``. (The API page's own example uses
``encodeURI``, which leaves ``& # + , : ; = ? / @ $`` raw and so breaks any
value that holds ``&``, ``#`` or ``+``.) Any standard query-string decoder
gives back the exact JSON.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any, NoReturn

#: The largest ``limit`` cqlang puts in one request: its own choice (the
#: API's page documents no maximum; 10,000 is the largest value it shows,
#: in an example), and the largest the emulator takes, so that a client
#: asking for more is caught. Defined here once, below the client's paging,
#: the config and the emulator.
MAX_PAGE_SIZE = 10_000

#: What encodeURIComponent leaves unescaped besides letters and digits.
_SAFE = "-_.!~*'()"

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

# Percent-encoding as one ``str.translate`` over a table of the 256 byte
# values: each byte (a character of the UTF-8 text read as Latin-1) becomes
# itself or ``%XX``. The same output as ``urllib.parse.quote(text,
# safe=_SAFE)`` (tests/test_encoding.py checks it over random text), in
# about half the time: quote builds a list of one string per byte.
_UNRESERVED = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + _SAFE.encode()
)
_ESCAPE = [chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in range(256)]


def to_json(value: Any) -> str:
    """Compact JSON: no spaces, non-ASCII as is."""
    return _dumps(value)


def nesting(value: Any, limit: int) -> int:
    """How deep lists and dicts nest in ``value`` (a scalar is 0, ``[]`` is
    1), walked without recursion; the count stops just past ``limit``, so
    a hostile value costs no more than that to measure."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            items: Any = v.values()
        elif isinstance(v, list | tuple):
            items = v
        else:
            continue
        deepest = max(deepest, d + 1)
        if deepest > limit:
            return deepest
        stack.extend((x, d + 1) for x in items)
    return deepest


# A filter list's JSON is mostly letters, digits and the JSON punctuation:
# when that punctuation and blanks are all there is to escape (the bytes
# left once the unreserved ones are deleted, a C loop, say so), one
# ``str.replace`` per character escapes it, about twice as fast as the
# translate (no ``%`` is in the text then, so no escape is escaped twice).
_UNRESERVED_BYTES = bytes(sorted(_UNRESERVED))
_JSON_PUNCTUATION = b'"[]{}:, '


def percent_encode(text: str) -> str:
    """``encodeURIComponent``: UTF-8, then every byte but the unreserved.
    A lone surrogate (no UTF-8 for it) raises ``UnicodeEncodeError``, as
    ``quote`` does."""
    if text.isascii():
        if not text.encode().translate(None, _UNRESERVED_BYTES).strip(_JSON_PUNCTUATION):
            return (
                text.replace('"', "%22")
                .replace(",", "%2C")
                .replace(":", "%3A")
                .replace("[", "%5B")
                .replace("]", "%5D")
                .replace("{", "%7B")
                .replace("}", "%7D")
                .replace(" ", "%20")
            )
        return text.translate(_ESCAPE)
    return text.encode("utf-8").decode("latin-1").translate(_ESCAPE)


def encode_json(value: Any) -> str:
    """A JSON value as a query-string parameter value."""
    return percent_encode(_dumps(value))


def encode(filters: Sequence[Mapping[str, Any]]) -> str:
    """The ``filter`` parameter for a filter list: a list (or tuple) of
    filter objects, each a ``dict`` with ``str`` keys, of JSON values
    (:func:`check_filters` says what is refused, and how)."""
    if not _plain(filters):
        check_filters(filters)
    try:
        return encode_json(filters)
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 for it
        check_filters(filters)  # says where, as CQL301
        raise


_PLAIN = frozenset((str, int, bool, type(None)))


def _plain(filters: Any) -> bool:
    """Whether ``filters`` has the shape a compiled filter list has, told
    cheaply (C-level over a list of values): a list (or tuple) of dicts of ``str``
    keys whose values are text, ints, bools, ``None`` or lists of those.
    Nothing of that shape can fail to encode but a lone surrogate, which
    the UTF-8 encoding finds. Anything else (a float, a nested list, a
    subclass) is walked by :func:`check_filters`."""
    if type(filters) is not list and type(filters) is not tuple:  # a plan's are tuples
        return False
    for item in filters:
        if type(item) is not dict:
            return False
        for key, value in item.items():
            if type(key) is not str:
                return False
            kind = type(value)
            if kind not in _PLAIN and not (kind is list and _PLAIN.issuperset(map(type, value))):
                return False
    return True


# ------------------------------------------------------- a filter list's JSON

#: The deepest a filter list may nest (it needs 3: the list, an object, a
#: list of values): what ``encode`` takes and ``decompile`` reads.
MAX_FILTER_DEPTH = 32


def check_filters(filters: Any) -> None:
    """Raise unless ``filters`` is a filter list JSON can carry and the
    request can send: ``TypeError`` for a value of the wrong type (not a
    list or tuple of dicts; a key that is no ``str``, which JSON would turn
    into one; a value that is no JSON value: a ``set``, a ``datetime``...);
    :class:`~cqlang.errors.CqlValidationError` (CQL301, not a filter list)
    for a value JSON has no form for: a float NaN or infinity (``json``
    writes ``NaN``, which is no JSON), text holding a lone surrogate (no
    UTF-8 for it: as a parameter it is CQL113, in the same words), or a
    nesting deeper than :data:`MAX_FILTER_DEPTH`. A message names the
    place: ``filters[0]["value"][2]``."""
    if not isinstance(filters, list | tuple):
        got = type(filters).__name__
        raise TypeError(f"filters is a list of filter objects (dicts), not {got}")
    for n, item in enumerate(filters):
        if not isinstance(item, dict):
            raise TypeError(f"filters[{n}] is a filter object (a dict), not {type(item).__name__}")
    # Iterative (a deep value cannot exhaust the stack); the depth bound
    # also ends a list that holds itself.
    stack: list[tuple[Any, tuple[Any, ...]]] = [(filters, ())]
    while stack:
        value, where = stack.pop()
        if len(where) >= MAX_FILTER_DEPTH:
            refuse_filters(
                filters, f"{_place(where)} nests more than {MAX_FILTER_DEPTH} levels deep", where
            )
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in pairs:
            if isinstance(value, dict) and not isinstance(key, str):
                raise TypeError(
                    f"{_place(where)} has a key that is not a str ({type(key).__name__}): {key!r}"
                )
            kind = type(item)
            if kind is int or kind is bool or item is None:
                continue
            if isinstance(item, str):
                if not item.isascii():
                    from .params import not_utf8_value

                    problem = not_utf8_value(item)
                    if problem is not None:
                        refuse_filters(
                            filters, f"{_place((*where, key))}: {problem}", (*where, key)
                        )
            elif isinstance(item, float):
                if item != item or item in (_INF, -_INF):
                    refuse_filters(
                        filters,
                        f"{_place((*where, key))} is {item!r}, which JSON cannot hold",
                        (*where, key),
                    )
            elif isinstance(item, dict | list | tuple):
                stack.append((item, (*where, key)))
            elif not isinstance(item, int):
                raise TypeError(
                    f"{_place((*where, key))} is no JSON value ({type(item).__name__}): give "
                    "a str, int, float, bool, None, or a list or dict of them"
                )


_INF = float("inf")


def _place(where: tuple[Any, ...]) -> str:
    """``filters[0]["value"][2]``: where in the filter list a value is."""
    steps = (f"[{k}]" if isinstance(k, int) else f"[{json.dumps(k)}]" for k in where)
    return "filters" + "".join(steps)


def refuse_filters(filters: Any, message: str, where: Sequence[str | int] = ()) -> NoReturn:
    """Raise CQL301 for ``filters``, drawn as ASCII JSON (a lone surrogate
    escaped, NaN as ``NaN``), the caret at the value at ``where`` (a path:
    :mod:`cqlang.jsonspans`; the whole list when it is ``()`` or cannot be
    found in the text)."""
    from .diagnostics import make
    from .errors import CqlValidationError
    from .jsonspans import value_span

    try:
        text = json.dumps(filters)
    except (TypeError, ValueError, RecursionError):
        text = f"<a Python {type(filters).__name__}>"
    span = value_span(text, where) if where else None
    if span is None and len(text) > 200:  # a long list: its start shows where the text is
        text = text[:199] + "…"
    start, end = span if span is not None else (0, len(text))
    message = f"not a filter list: {message}"
    raise CqlValidationError(message, [make(text, "CQL301", message, start, end)], text)


#: Why ``id`` cannot be excluded, in the words of every message saying so.
ID_REASON = "the client pages and merges the records by their id"


def exclude_problem(name: object) -> str | None:
    """Why ``name`` cannot stand in an ``exclude`` list, else ``None``: the
    one check of the config's ``exclude``, ``--exclude``, the REPL's fetches
    and the Python client. A field name is text with no blanks around it
    (``" id "`` would be sent as it is and name no field) and not empty;
    ``id`` cannot be left out (records are paged and merged by it). No
    field name holds a comma: ``"history,dialogs"`` as one name would be
    sent as it is and leave out nothing (a list gives two names), nor a
    control character or a lone surrogate (no UTF-8 for it)."""
    if not isinstance(name, str):
        return f"a field name is text, not {type(name).__name__}"
    if not name.strip():
        return "an empty field name"
    if name != name.strip():
        return f"{name!r} has blanks around it: a field name has none"
    if "," in name:
        return f"{name!r} holds a comma: a field name has none (give a list of names)"
    if not name.isprintable():  # a lone surrogate cannot even be sent
        from .params import not_utf8_value

        return not_utf8_value(name) or f"a field name cannot hold {control_character(name)}"
    if name == "id":
        return f"'id' cannot be excluded: {ID_REASON}"
    return None


def encode_exclude(fields: list[str] | tuple[str, ...]) -> str:
    """The ``exclude`` parameter: a JSON list of field names, encoded alike."""
    return encode_json(list(fields))


# ---------------------------------------------------------------- the URL


def base_url(text: str) -> str:
    """``text`` as the API's base URL: ``http(s)://HOST[:PORT][/PATH]`` with
    no trailing slash and no ``user:password@`` (the key is the
    authentication, and a password must not show anywhere). A ``PORT``, when
    written, is 1 to 65535: ``HOST:0`` and ``HOST:`` would quietly mean the
    scheme's default port, another server than the one written. Raises
    ValueError saying what is wrong, the URL shown through
    :func:`masked_url` (no password or query value). Every
    base URL (``--base-url``, ``CONPEEK_URL``, the config's ``base_url``,
    ``Client(base_url=...)``) is read through this."""
    from urllib.parse import urlsplit, urlunsplit

    text = text.strip()
    shown = f", not {masked_url(text)!r}"  # repr: a control character is escaped
    bad = control_character(text)
    if bad is not None:
        raise ValueError(f"the base URL holds {bad}{shown}")
    port_problem = f"the base URL's port must be a number from 1 to 65535{shown}"
    try:
        parts = urlsplit(text)
    except ValueError:
        # urllib's own words may quote the URL, a key in it included.
        raise ValueError(f"the base URL cannot be read as a URL{shown}") from None
    try:
        port = parts.port
    except ValueError:  # not a number, or past 65535
        raise ValueError(port_problem) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the base URL must be http(s)://HOST[:PORT][/PATH]{shown}")
    if parts.query or parts.fragment:
        raise ValueError(f"the base URL must have no ?query or #fragment{shown}")
    host = parts.netloc.rsplit("@", 1)[-1]
    if host.endswith(":") or port == 0:
        raise ValueError(port_problem)
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def masked_url(text: str) -> str:
    """``text`` (a URL, or what was meant as one) as it may be shown in a
    message: what could hold a secret is ``****``: a ``user:password@``
    (the whole of it), a port that is not a number of at most 5 digits and
    all after it up to the ``?`` (``user:password`` with the ``@host``
    forgotten puts the password there, a ``/`` in it too), each value of the ``?query`` (a
    bare item too), and the ``#fragment``. Only the text is split, so even
    a URL that does not parse is masked."""
    text = text.strip()
    rest, hash_, fragment = text.partition("#")
    rest, question, query = rest.partition("?")
    scheme, sep, after = rest.partition("://")
    if not sep:
        scheme, after = "", rest
    if "@" in after:  # all before the last @ may be a password, a "/" in it too
        after = "****@" + after.rsplit("@", 1)[1]
    else:
        host, port = _host_port(after.partition("/")[0])
        if port and not (port.isascii() and port.isdigit() and len(port) <= 5):
            after = f"{host}:****"  # not a port: a password, maybe
    items = []
    for item in query.split("&") if query else []:
        name, eq, _ = item.partition("=")
        items.append(f"{name}=****" if eq else "****" if item else "")
    out = f"{scheme}{sep}{after}"
    if question:
        out += "?" + "&".join(items)
    if hash_:
        out += "#****" if fragment else "#"
    return out


def _host_port(authority: str) -> tuple[str, str]:
    """``HOST[:PORT]`` split at the port's colon (none in ``[v6]``):
    the host and the port's text (``""`` when none is written)."""
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            return authority, ""
        host, after = authority[: close + 1], authority[close + 1 :]
        return host, after[1:] if after.startswith(":") else ""
    host, _, port = authority.partition(":")
    return host, port


def masked_repr(obj: object, names: Sequence[str]) -> str:
    """``Class(name=value, ...)`` over ``names`` of ``obj``, each value as
    its ``repr``, but a field named ``api_key`` as ``<hidden>`` (when set)
    and a ``base_url`` through :func:`masked_url`: the repr of an object
    that holds the connection (a config table, the settings resolved, the
    REPL's session), which must show neither the key nor a password or
    token written in the base URL."""
    shown = []
    for name in names:
        value = getattr(obj, name)
        if name == "api_key" and value is not None:
            shown.append(f"{name}=<hidden>")
        elif name == "base_url" and isinstance(value, str):
            shown.append(f"{name}={masked_url(value)!r}")
        else:
            shown.append(f"{name}={value!r}")
    return f"{type(obj).__name__}({', '.join(shown)})"


def control_character(text: str) -> str | None:
    """The first character of ``text`` that is not printable (a control
    character: C0, DEL, C1, or a format control such as a bidi mark), named
    by its code point and place, never as itself
    (``a control character (U+0007, character 2 of 3)``); ``None`` when
    there is none. What a base URL and a campaign id are checked with."""
    if text.isprintable():  # the common case, in C
        return None
    n, ch = next((n, c) for n, c in enumerate(text, 1) if not c.isprintable())
    return f"a control character (U+{ord(ch):04X}, character {n} of {len(text)})"


def campaign_problem(campaign: str) -> str | None:
    """Why ``campaign`` cannot be sent as a campaign id, or ``None``. An id
    is one path segment, escaped; but ``.`` and ``..`` are not escaped by
    percent-encoding (and ``%2E`` is read back as ``.`` by many servers and
    proxies): as a segment they mean this folder and the one above, so the
    request would go to ``/request`` or ``/voice_campaign/request``. A
    character that is not printable (a control character, U+0007 or an
    escape) is no part of an id: it is named by its code point, never shown
    as it is."""
    if not campaign.strip():
        return "a campaign id cannot be empty or blank"
    bad = control_character(campaign)
    if bad is not None:
        return f"a campaign id cannot hold {bad}"
    if campaign in (".", ".."):
        return f"{campaign!r} cannot be a campaign id: in a URL path it means a folder, not an id"
    return None


#: Unicode categories that cannot be in a key: controls, format characters,
#: line and paragraph separators, surrogates, private use, unassigned.
_UNSENDABLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def key_problem(key: str) -> tuple[str, str] | None:
    """What in a (stripped) API key cannot be sent in a header, with its
    place (``a control character (U+0007, character 4 of 12)``), and a
    hint (`` (...)``, or empty) where one is likely; never the key.
    ``None`` for a key that can be sent. The client's ``check_key`` words
    its error with it, a config file's check its mistake, and the emulator
    refuses a key no client could send."""
    if key.isascii() and key.isprintable():  # the common case, in C
        return None
    import unicodedata  # here: the compile fast path imports this module

    for n, c in enumerate(key, 1):
        at = f"character {n} of {len(key)}"
        hint = ""
        if 0xDC80 <= ord(c) <= 0xDCFF:
            # A byte that did not decode, kept by Python's surrogateescape
            # (os.environ holds such bytes so): the byte, not U+DCxx.
            what = f"a byte that is not UTF-8 (0x{ord(c) - 0xDC00:02X}, {at})"
        elif unicodedata.category(c) in _UNSENDABLE:
            what = f"a control character (U+{ord(c):04X}, {at})"
            if c == "\r":  # the one control character with a likely story
                hint = (
                    " (U+000D is a carriage return, as in Windows line ends: "
                    "does the key span two lines?)"
                )
        elif not c.isascii():
            # Named: no key holds one, so it is a stray (a typographic
            # quote, a no-break space, a lookalike letter), not the key.
            name = unicodedata.name(c, "")
            what = (
                f"a character that is not ASCII (U+{ord(c):04X}{' ' + name if name else ''}, {at})"
            )
        else:
            continue
        return what, hint
    return None


def request_path(campaign: str) -> str:
    """The endpoint's path for a campaign id (escaped: an id is one segment).
    Raises ValueError for an id that cannot be one (:func:`campaign_problem`)."""
    problem = campaign_problem(campaign)
    if problem is not None:
        raise ValueError(problem)
    return f"/voice_campaign/{percent_encode(campaign)}/request"
