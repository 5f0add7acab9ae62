"""A page's body, read: :func:`page_records`.

What the client does with a page's bytes before any record is used, beyond
``json.loads``: the nesting is bounded and what is no JSON number refused
(:func:`cqlang.jsonlimit.loads`), and the body must be the API's envelope,
``{"data": [...]}``. The ids are checked after (:func:`cqlang.recordids.record_ids`),
by the transport, which words every refusal.

The garbage collector is paused while the body is decoded
(:mod:`cqlang.gcpause`): the decoder makes a tree of containers, none of
which can be garbage before the tree is whole, and a collection run inside
it would only walk them, and, every few pages, everything else the process
holds (docs/performance.md, "The client").
"""

from __future__ import annotations

from typing import Any

from .. import gcpause, jsonlimit

#: The deepest JSON nesting accepted in a page (records are 2 levels below
#: the envelope and hold lists of objects: 5 levels in all).
MAX_DEPTH = jsonlimit.MAX_DEPTH


class NotEnvelope(ValueError):
    """JSON, but not the ``{"data": [...]}`` envelope."""


def page_records(body: bytes) -> list[Any]:
    """The records of a page's ``body``: the list under ``data``. Raises
    :class:`~cqlang.jsonlimit.TooDeep` (nested deeper than
    :data:`MAX_DEPTH`), :class:`~cqlang.jsonlimit.BadNumber`, ``ValueError``
    (not JSON) or :class:`NotEnvelope`."""
    gcpause.pause()
    try:
        doc = jsonlimit.loads(body, MAX_DEPTH)
    finally:
        gcpause.resume()
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, list):
        raise NotEnvelope
    return data
