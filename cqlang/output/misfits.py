"""What a conversion to typed columns could not keep, in words and as a
file's metadata: the counts a :class:`cqlang.output.arrowconvert.Converter`
keeps (values written as null, keys of list entries left out, a ``custom``
read as no custom fields, lone surrogates replaced)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from . import surrogates

__all__ = ["misfit_metadata", "misfit_notes", "shown_by"]


def shown_by(client: object, notes: Iterable[str]) -> list[str]:
    """``notes`` as ``client`` may show them: a note quotes what the server
    sent (a value, a field's name), which may echo the key, so each goes
    through the client's :meth:`cqlang.Client.hide`. A client without one
    (a stand-in for a test) shows them as they are."""
    hide = getattr(client, "hide", None)
    return [hide(note) for note in notes] if callable(hide) else list(notes)


def misfit_notes(
    misfits: Mapping[str, list[Any]],
    unknown_keys: Mapping[str, list[Any]],
    mended: Mapping[str, int],
    bad_custom: int,
) -> list[str]:
    """The counts in words (empty when everything fit): ``misfits`` and
    ``unknown_keys`` map a column to ``[count, example]``, ``mended`` a
    column to its values with a lone surrogate, ``bad_custom`` counts the
    records whose ``custom`` was read as no custom fields."""
    out = []
    if misfits:
        total = sum(n for n, _ in misfits.values())
        parts = ", ".join(f"{col} ({n:,}, e.g. {example})" for col, (n, example) in misfits.items())
        noun = "value" if total == 1 else "values"
        their = "its" if total == 1 else "their"
        out.append(
            f"{total:,} {noun} did not fit the type of {their} column, written as null: {parts}"
        )
    for col, (n, example) in unknown_keys.items():
        out.append(
            f"{col}: {n:,} entr{'y' if n == 1 else 'ies'} held keys its columns do not "
            f"know, left out (e.g. {example})"
        )
    out.extend(surrogates.note(dict(mended)))
    if bad_custom:
        n = bad_custom
        out.append(
            f"{n:,} record{'' if n == 1 else 's'} had a custom that is not a JSON object "
            "(or holds NaN, Infinity, a number beyond a double or a number too long to read), "
            "read as no custom fields"
        )
    return out


def misfit_metadata(
    misfits: Mapping[str, list[Any]],
    unknown_keys: Mapping[str, list[Any]],
    mended: Mapping[str, int],
    bad_custom: int,
) -> dict[str, str]:
    """The counts for a file's schema metadata: ``cqlang.misfits`` (values
    written as null, per column; ``COLUMN.*`` for entries' keys left out,
    ``custom`` for a ``custom`` read as no custom fields) and
    ``cqlang.replaced`` (values with a lone surrogate), each when any."""
    counts: dict[str, int] = {col: n for col, (n, _) in misfits.items()}
    for col, (n, _) in unknown_keys.items():
        counts[f"{col}.*"] = n
    if bad_custom:
        counts["custom"] = bad_custom
    meta = {"cqlang.misfits": json.dumps(counts)} if counts else {}
    if mended:
        meta["cqlang.replaced"] = json.dumps(dict(mended), ensure_ascii=False)
    return meta
