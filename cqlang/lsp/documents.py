"""What the server knows of an open document: its text, where each query
of it is written, and the conversions between character offsets and LSP
positions.

A ``.cql`` document is one query: the whole text. A config document
(``.toml``) holds a query in each ``[queries.NAME]`` ``query`` string;
cqlang.config.tomlscan says at which offset of the file each character of the
query's value is written (escapes, multi-line strings and line
continuations included), so a position in the query maps back to the file.

LSP positions count lines (ended by ``\\n``, ``\\r\\n`` or ``\\r``) and, in a
line, code units of the negotiated encoding: UTF-16 unless the client asks
for UTF-8 or UTF-32 (``positionEncoding``). An emoji is one character here,
two UTF-16 units, four UTF-8 units.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from lsprotocol import types

from ..config import MAX_CONFIG_BYTES
from ..config.fmtfiles import is_config_file, prefix_for, query_strings
from ..parser import MAX_QUERY_CHARS

_BREAK = re.compile(r"\r\n|\r|\n")
#: The characters that take more than one code unit: in UTF-16, those past
#: the Basic Multilingual Plane (a surrogate pair); in UTF-8, all but ASCII.
_WIDE: dict[str, re.Pattern[str]] = {
    types.PositionEncodingKind.Utf16: re.compile("[\U00010000-\U0010ffff]"),
    types.PositionEncodingKind.Utf8: re.compile("[^\x00-\x7f]"),
}


def _extra_units(char: str, encoding: str) -> int:
    """The code units ``char`` takes beyond one."""
    if encoding == types.PositionEncodingKind.Utf16:
        return 1
    code = ord(char)  # UTF-8; a lone surrogate is written in 3 bytes
    return 1 if code < 0x800 else 2 if code < 0x10000 else 3


class LineIndex:
    """Offsets (characters) <-> LSP positions of one text.

    Each conversion takes O(log n), however long the line: the index keeps
    the line starts and, for a text with characters wider than one code
    unit, where each of those is and how many units the text has gained
    before it; no conversion copies the text.
    """

    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.text = text
        self.encoding = encoding
        self.starts = [0] + [m.end() for m in _BREAK.finditer(text)]
        #: Offsets of the wide characters, and (one more entry) the units
        #: gained before each of them and after the last.
        self._wide = array("q")
        self._gained = array("q", [0])
        wide = _WIDE.get(encoding)
        if wide is not None and not text.isascii():
            total = 0
            for m in wide.finditer(text):
                total += _extra_units(m.group(), encoding)
                self._wide.append(m.start())
                self._gained.append(total)
        self.plain = not self._wide

    def _gained_before(self, offset: int) -> int:
        """The units gained by wide characters before ``offset``."""
        return self._gained[bisect_left(self._wide, offset)] if self._wide else 0

    def _units(self, start: int, end: int) -> int:
        """The code units of ``text[start:end]``."""
        return end - start + self._gained_before(end) - self._gained_before(start)

    def _line_end(self, line: int) -> int:
        """Past the last character of ``line`` (before its line break)."""
        if line + 1 < len(self.starts):
            end = self.starts[line + 1] - 1
            if end > self.starts[line] and self.text[end - 1 : end + 1] == "\r\n":
                end -= 1
            return end
        return len(self.text)

    def position(self, offset: int) -> types.Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        offset = min(offset, self._line_end(line))
        return types.Position(line=line, character=self._units(start, offset))

    def offset(self, position: types.Position) -> int:
        """The offset of ``position``; past the end of its line (or of the
        text) is the end of the line (or of the text); inside a character
        of several units, after it."""
        if position.line < 0:
            return 0
        if position.line >= len(self.starts):
            return len(self.text)
        start = self.starts[position.line]
        end = self._line_end(position.line)
        want = position.character
        if self.plain:
            return min(start + max(0, want), end)
        if self._units(start, end) <= want:
            return end
        lo, hi = start, end  # the first offset with at least ``want`` units before it
        while lo < hi:
            mid = (lo + hi) // 2
            if self._units(start, mid) < want:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(end))


def apply_change(text: str, change: Any, encoding: str) -> str:
    """``text`` after one ``contentChanges`` entry of ``didChange``: the
    whole new text, or a ``range`` (in the negotiated encoding's units;
    lines end at ``\\n``, ``\\r\\n`` or ``\\r``) replaced by its
    ``text``. A position past the end of its line is the line's end, past
    the last line the text's end; a range whose end comes before its start
    is the text between the two (``rangeLength``, deprecated, is not read)."""
    rng = getattr(change, "range", None)
    if rng is None:
        return str(change.text)
    index = LineIndex(text, encoding)
    a, b = index.offset(rng.start), index.offset(rng.end)
    if b < a:
        a, b = b, a
    return text[:a] + str(change.text) + text[b:]


@dataclass
class Region:
    """One query of a document: its text, and where each of its characters
    is written in the document (``offsets``: one more than the text has
    characters, for its end). ``name`` is the named query's name in a
    config document; ``span`` is the whole string literal, quotes included
    (a query file: the whole text)."""

    text: str
    offsets: tuple[int, ...] | None = None
    name: str | None = None
    span: tuple[int, int] = (0, 0)
    #: The literal's opening delimiter in a config file ('' in a query file).
    opener: str = ""

    def to_file(self, i: int) -> int:
        i = max(0, min(i, len(self.text)))
        return i + self.span[0] if self.offsets is None else self.offsets[i]

    def from_file(self, offset: int) -> int | None:
        """The query offset written at file ``offset``, or None when that
        is outside the query's text (a quote, another line of the file)."""
        if self.offsets is None:
            rel = offset - self.span[0]
            return rel if 0 <= rel <= len(self.text) else None
        offs = self.offsets
        if not offs or offset < offs[0] or offset > offs[-1]:
            return None
        return bisect_right(offs, offset) - 1


#: The language ids of a query document, and of a TOML one (VS Code's
#: ``toml``; Emacs eglot sends its major mode's name: ``conf-toml``,
#: ``toml-ts``).
QUERY_LANGUAGES = frozenset({"cqlang", "cql"})
TOML_LANGUAGES = frozenset({"toml", "conf-toml", "toml-ts"})


def uri_name(uri: str) -> str:
    """The last part of a URI's path (``cqlang.toml`` of
    ``git:/p/cqlang.toml?{...}``, ``Untitled-1`` of ``untitled:Untitled-1``)."""
    from urllib.parse import unquote, urlsplit

    return PurePosixPath(unquote(urlsplit(uri).path)).name


def document_kind(uri: str, path: Path | None, language_id: str | None) -> str | None:
    """``"query"``, ``"config"`` (TOML) or None (not cqlang's: nothing is
    served) for a document: by its language id where that is cqlang's or
    TOML's; else (none, ``plaintext``, another language) by the suffix of
    its file, or of its URI's name when it is no file: ``.cql`` a query,
    ``.toml`` TOML."""
    language = (language_id or "").lower()
    if language in QUERY_LANGUAGES:
        return "query"
    if language in TOML_LANGUAGES:
        return "config"
    name = path.name if path is not None else uri_name(uri)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".cql":
        return "query"
    if is_config_file(name):
        return "config"
    return None


class Document:
    """An open document: its text (as the editor has it), kind and queries.

    Its kind comes from :func:`document_kind`. ``source`` is the file a
    config document is read as: its path, or for a TOML document that is
    no file (``untitled:``, ``git:``) its URI's name, ``cqlang.toml`` or
    ``pyproject.toml`` (the server checks such a document on its own, and
    serves nothing for another name)."""

    def __init__(
        self,
        uri: str,
        path: Path | None,
        text: str,
        version: int | None,
        language_id: str | None = None,
    ) -> None:
        self.uri = uri
        self.path = path
        self.text = text
        self.version = version
        self.language_id = language_id
        #: ``"query"``, ``"config"`` or None (:func:`document_kind`).
        self.kind = document_kind(uri, path, language_id)
        self.config_doc = self.kind == "config"
        self.source: Path | None = path
        if path is None and self.config_doc:
            self.source = Path(uri_name(uri) or "untitled.toml")
        self.prefix = prefix_for(self.source) if self.source is not None else ()
        self._index: LineIndex | None = None
        self._regions: list[Region] | None = None
        self._too_large: bool | None = None
        #: Not cqlang's (another language; a TOML file that is not a config
        #: file): nothing in it is served. Decided by the server, the one
        #: rule (``CqlangServer.ignores``), for every document it serves.
        self.ignored = False

    @property
    def too_large(self) -> bool:
        """Past the limit the command line reads: a config document over
        1 MiB (in UTF-8), a query over 1,000,000 characters. Such a document
        gets one diagnostic that says so, and nothing else is served for it."""
        if self._too_large is None:
            text = self.text
            if self.config_doc:
                big = len(text) > MAX_CONFIG_BYTES or (
                    len(text) * 4 > MAX_CONFIG_BYTES
                    and len(text.encode("utf-8", "surrogatepass")) > MAX_CONFIG_BYTES
                )
            else:
                big = len(text.removeprefix("\ufeff")) > MAX_QUERY_CHARS
            self._too_large = big
        return self._too_large

    def index(self, encoding: str) -> LineIndex:
        if self._index is None or self._index.encoding != encoding:
            self._index = LineIndex(self.text, encoding)
        return self._index

    @property
    def regions(self) -> list[Region]:
        if self._regions is None:
            self._regions = self._find_regions()
        return self._regions

    def _find_regions(self) -> list[Region]:
        if self.ignored or self.too_large:
            return []
        if not self.config_doc:
            bom = 1 if self.text.startswith("\ufeff") else 0
            return [Region(self.text[bom:], None, None, (bom, len(self.text)))]
        regions: list[Region] = []
        for q in query_strings(self.text, self.prefix):
            start = q.span[0]
            opener = self.text[start : start + 3]
            if opener not in ('"""', "'''"):
                opener = opener[:1]
            regions.append(Region(q.located.value, q.located.offsets, q.name, q.span, opener))
        return regions

    def region_at(self, offset: int) -> tuple[Region, int] | None:
        """The query written at file ``offset`` and the offset inside it."""
        for region in self.regions:
            at = region.from_file(offset)
            if at is not None:
                return region, at
        return None

    def region_named(self, name: str | None) -> Region | None:
        for region in self.regions:
            if region.name == name:
                return region
        return None
