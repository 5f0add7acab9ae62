"""The output formats of ``cqlang fetch`` and the REPL's ``\\o``, listed
once: their names, which are binary, and the file extensions that name
each. Everything else derives from these three (the ``--format`` choice
and its help, the messages of :mod:`cqlang.output.target`, the writers of
:func:`cqlang.output.writers.make_writer`); ``tests/test_output_formats.py``
ties them together, and docs/architecture.md ("Adding an output format")
says what a new format needs.

Plain data, no imports: the command line reads it to build ``fetch``'s
options, and ``cqlang --help`` must not load the writers.
"""

from __future__ import annotations

__all__ = ["BINARY_FORMATS", "EXTENSIONS", "FORMATS", "extension_of", "extensions_text"]

#: Every format, in the order ``--format`` lists them.
FORMATS = ("jsonl", "json", "csv", "table", "parquet", "arrow")
#: Formats written as bytes (not text): never to a terminal, pyarrow needed.
BINARY_FORMATS = frozenset({"parquet", "arrow"})
#: File extensions (lower case) and the format they mean, in the order the
#: messages and the help list them; a format's first one is its own
#: (:func:`extension_of`). ``table`` has none: it is for reading.
EXTENSIONS = {
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".arrow": "arrow",
    ".feather": "arrow",
}


def extension_of(fmt: str) -> str:
    """The extension a file of ``fmt`` is named with (the first of
    :data:`EXTENSIONS` meaning it): ``.parquet``, ``.arrow``."""
    return next(ext for ext, name in EXTENSIONS.items() if name == fmt)


def extensions_text() -> str:
    """Every extension, as the help and the messages list them:
    ``.csv, .json, ...``."""
    return ", ".join(EXTENSIONS)
