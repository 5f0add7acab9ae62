"""Bodies read with a bound on their size: :func:`read_body`.

The body is read in a streaming way and refused once it passes a size cap;
gzip and deflate are decoded here, counting the decoded bytes, with zlib's
``max_length``, so a compression bomb never expands past the cap.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from urllib3.response import BaseHTTPResponse

#: Content encodings the client asks for and decodes itself.
ACCEPT_ENCODING = "gzip, deflate"
#: Bytes read from the wire at a time from a compressed body.
_CHUNK = 256 * 1024


class BodyTooLarge(Exception):
    """The decoded body passed the cap."""


class UnknownEncoding(Exception):
    """A ``Content-Encoding`` the client did not ask for."""


def read_body(raw: BaseHTTPResponse, cap: int, *, truncate: bool = False) -> tuple[bytes, bool]:
    """The body of ``raw`` (urllib3's response, not yet read), decoded, and
    whether it was cut: past ``cap`` bytes, :class:`BodyTooLarge` (or, with
    ``truncate``, the first ``cap`` bytes and ``True``). Memory stays within
    about twice the cap however the server sends it (endless, chunked,
    compressed); the rest of a body past the cap is not read."""
    encoding = (raw.headers.get("Content-Encoding") or "").strip().lower()
    parts: list[bytes] = []
    size = 0
    if encoding in ("", "identity"):
        length = _content_length(raw)
        if length is not None and length > cap and not truncate:
            raise BodyTooLarge  # said so up front: not a byte is read
        # A body of known length in one read (then EOF); of unknown length
        # (chunked, or until the connection closes) in pieces.
        step = cap + 1 if length is not None else _CHUNK * 4
        while True:
            data = raw.read(min(step, cap + 1 - size), decode_content=False)
            if not data:
                break
            parts.append(data)
            size += len(data)
            if size > cap:
                return _too_large(parts, cap, truncate)
        return (parts[0] if len(parts) == 1 else b"".join(parts)), False
    if encoding in ("gzip", "x-gzip"):
        wbits = 16 + zlib.MAX_WBITS
    elif encoding == "deflate":
        wbits = zlib.MAX_WBITS  # zlib-wrapped; raw deflate is tried if that fails
    else:
        raise UnknownEncoding(encoding)
    dec = zlib.decompressobj(wbits)
    started = received = False
    while True:
        data = raw.read(_CHUNK, decode_content=False)
        if not data:
            break
        received = True
        while data:
            try:
                piece = dec.decompress(data, cap + 1 - size)  # never more than fits
            except zlib.error:
                if started or wbits != zlib.MAX_WBITS:
                    raise
                wbits = -zlib.MAX_WBITS  # "deflate" sent as raw deflate
                dec = zlib.decompressobj(wbits)
                continue
            started = True
            parts.append(piece)
            size += len(piece)
            if size > cap:
                return _too_large(parts, cap, truncate)
            if dec.unconsumed_tail:
                data = dec.unconsumed_tail
            elif dec.eof and dec.unused_data and wbits == 16 + zlib.MAX_WBITS:
                data = dec.unused_data  # the next member of a multi-member gzip
                dec = zlib.decompressobj(wbits)
            else:
                data = b""
    parts.append(dec.flush())  # input all consumed: at most a few bytes left
    if received and not dec.eof:
        # The whole body came, but not the end of its compressed data: not
        # "an empty body" (or half a JSON text) but a broken encoding.
        raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
    body = b"".join(parts)
    if len(body) > cap:
        return _too_large([body], cap, truncate)
    return body, False


def _content_length(raw: BaseHTTPResponse) -> int | None:
    value = (raw.headers.get("Content-Length") or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def _too_large(parts: list[bytes], cap: int, truncate: bool) -> tuple[bytes, bool]:
    if not truncate:
        raise BodyTooLarge
    return b"".join(parts)[:cap], True
