"""Writing records where they go: stdout or a standard stream as it is, a
device, a pipe or an open descriptor directly
(:func:`cqlang.output.target.output_kind`), a regular file through a temporary file renamed
over it (:mod:`cqlang.output.atomic`). A failure to write is an
:class:`~cqlang.errors.OutputError` (exit 74) naming the output as given.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import OutputError
from .formats import BINARY_FORMATS
from .target import OUTPUT_SETTINGS, STREAMS, real_path, replaceable

if TYPE_CHECKING:
    from .writers import Writer

__all__ = ["emit", "write_records"]


def emit(
    records: Iterable[dict[str, Any]],
    fmt: str,
    output: str | None,
    *,
    front: str = "cli",
    **options: Any,
) -> Writer:
    """Write the records to stdout, or to ``output``: a regular file (or a
    symbolic link to one) through a temporary file beside it, renamed over
    it only once everything is written; a standard stream, a device, a
    pipe or an open descriptor directly, since it cannot be replaced.
    Returns the writer (its ``count`` and ``notes()``). ``options`` go to
    :func:`cqlang.output.writers.make_writer` (``columns``, ``schema``,
    ``exclude``, ``metadata``, ``ending``, ``escape_formulas``). Failing to
    write raises OutputError (exit 74), naming ``output`` as given after
    the setting that names it in ``front``'s words
    (:data:`~cqlang.output.target.OUTPUT_SETTINGS`: ``--output`` on the
    command line, ``\\o`` in the REPL)."""
    binary = fmt in BINARY_FORMATS
    stream = STREAMS.get(output or "-")
    if output is None or stream is not None:
        out = sys.stderr if stream == 2 else sys.stdout
        if out is None:  # started with it closed (`>&-`)
            raise OutputError("cannot write the output: the stream is closed", output)
        # A failing write here (a full disk) is the command's to report, as
        # for every command that prints.
        if binary:
            out.flush()
            target = out.buffer
            writer = write_records(records, fmt, target, False, options)
            target.flush()
            return writer
        width = _width(out.isatty())
        writer = write_records(records, fmt, out, out.isatty(), {"width": width, **options})
        out.flush()
        return writer
    from .atomic import replace

    try:
        if not replaceable(output):
            mode = "wb" if binary else "w"
            kw: dict[str, Any] = {} if binary else {"encoding": "utf-8", "newline": ""}
            with open(output, mode, **kw) as direct:  # a device: perhaps a terminal
                return write_records(records, fmt, direct, direct.isatty(), options)
        return replace(  # a link stays a link: its target is replaced; a loop is refused
            real_path(output),
            lambda stream, spool: write_records(records, fmt, stream, False, {**options, **spool}),
            binary=binary,
        )
    except OSError as exc:
        setting = OUTPUT_SETTINGS[front]
        raise OutputError(f"{setting} {output}: {exc.strerror}", output) from None


def _width(tty: bool) -> int:
    import shutil

    return shutil.get_terminal_size().columns if tty else 200


def write_records(
    records: Iterable[dict[str, Any]], fmt: str, out: Any, tty: bool, options: dict[str, Any]
) -> Writer:
    """The records written as ``fmt`` to ``out``; ``tty``: ``out`` is a
    terminal (a CSV is then drawn visible)."""
    from .writers import make_writer, write_all

    writer = make_writer(fmt, out, **{"terminal": tty, **options})
    write_all(records, writer)
    return writer
