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
from typing import Any

#: What encodeURIComponent leaves unescaped besides letters and digits.
_SAFE = "-_.!~*'()"

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def to_json(value: Any) -> str:
    """Compact JSON: no spaces, non-ASCII as is."""
    return _dumps(value)


def percent_encode(text: str) -> str:
    """``encodeURIComponent``: UTF-8, then every byte but the unreserved."""
    from urllib.parse import quote  # not at import: compiling alone never encodes

    return quote(text, safe=_SAFE)


def encode_json(value: Any) -> str:
    """A JSON value as a query-string parameter value."""
    from urllib.parse import quote

    return quote(_dumps(value), safe=_SAFE)


def encode(filters: list[dict[str, Any]]) -> str:
    """The ``filter`` parameter for a filter list."""
    return encode_json(filters)


def encode_exclude(fields: list[str] | tuple[str, ...]) -> str:
    """The ``exclude`` parameter: a JSON list of field names, encoded alike."""
    return encode_json(list(fields))


def query_string(params: dict[str, Any]) -> str:
    """``k=v&...`` with each value encoded as above (JSON values as JSON)."""
    parts = []
    for key, value in params.items():
        if value is None:
            continue
        text = value if isinstance(value, str) else _dumps(value)
        parts.append(f"{percent_encode(key)}={percent_encode(text)}")
    return "&".join(parts)
