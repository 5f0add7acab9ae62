"""The commands that start something long-running: ``repl`` (the
interactive prompt, docs/repl.md), ``emulator`` (the built-in emulator of
the endpoint, docs/emulator.md) and ``lsp`` (the language server,
docs/editors.md). Each imports what it starts only when run.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..status import fail
from .context import colour_mode, config_path, config_profile
from .paramtypes import FloatRange, IntRange

DEFAULT_CAMPAIGN = "5b7c389fe8df7b60af688989"


@click.command("repl")
@click.option("--campaign", metavar="ID", help="Voice campaign id for \\fetch.")
@click.option("--profile", metavar="NAME", help="Connection profile of the config files.")
@click.option("--tz", "tz", metavar="ZONE", help="Time zone of naive datetimes (default UTC).")
@click.option("--vi", is_flag=True, help="Vi key bindings (default: Emacs).")
def repl_cmd(campaign: str | None, profile: str | None, tz: str | None, vi: bool) -> None:
    """Type queries with completion and live checking (docs/repl.md).

    Without a terminal, reads one query per line (or per `;`) and meta
    commands, prints each result, and exits 1 if any query was invalid.
    """
    from ..repl import run

    # `cqlang --profile NAME repl` (the group's option) lands in ctx.meta;
    # the command's own --profile wins. --config FILE: config_path().
    profile = profile or config_profile()
    status = run(
        campaign=campaign,
        profile=profile,
        tz=tz,
        vi=vi,
        config_file=config_path(),
        color=colour_mode(),
    )
    sys.exit(status)


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=IntRange(0, 65535),
    help="Port (0: any free port).",
)
@click.option(
    "--records",
    default=1000,
    show_default=True,
    type=IntRange(min=0),
    help="Records generated per campaign.",
)
@click.option("--seed", default="1", show_default=True, help="Seed of the generated records.")
@click.option(
    "--campaign",
    "campaigns",
    multiple=True,
    metavar="ID",
    help=f"A campaign to serve (repeatable; default {DEFAULT_CAMPAIGN}).",
)
@click.option("--api-key", default="demo-key", show_default=True, help="The key it accepts.")
@click.option(
    "--data",
    # Not click.Path(exists=True): it says "does not exist" of a name too
    # long to look up; the loader says why, as `check -f` does.
    type=click.Path(),
    help="Serve the records of this JSON or JSONL file instead.",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="SPEC",
    help="Inject a fault, e.g. 500=2, 429=1@3, drop=10%, latency=0.05 (repeatable).",
)
@click.option(
    "--window-days",
    default=90.0,
    show_default=True,
    type=FloatRange(min=0.001, max=365_000),
    help="Days before 2026-11-01 the generated records spread over.",
)
@click.option(
    "--no-strict", is_flag=True, help="Accept two filter objects on the same property and operator."
)
def emulator_cmd(
    host: str,
    port: int,
    records: int,
    seed: str,
    campaigns: tuple[str, ...],
    api_key: str,
    data: str | None,
    faults: tuple[str, ...],
    window_days: float,
    no_strict: bool,
) -> None:
    """Serve the built-in emulator of GET /voice_campaign/{id}/request.

    Prints `cqlang emulator listening on http://HOST:PORT` first, then serves
    until interrupted (Ctrl-C or SIGTERM). See docs/emulator.md.
    """
    import re
    import signal
    import threading

    from ..emulator import Emulator, FaultSpecError, parse_faults

    try:
        parsed = parse_faults(faults)
    except FaultSpecError as exc:
        fail(f"--fault: {exc}")
    try:
        emu = Emulator(
            records=records,
            # ASCII digits only: '²'.isdigit() is true, but int('²') fails.
            seed=int(seed) if re.fullmatch(r"-?[0-9]{1,30}", seed) else seed,
            api_key=api_key,
            campaigns=campaigns or (DEFAULT_CAMPAIGN,),
            faults=parsed,
            strict=not no_strict,
            data=data,
            host=host,
            port=port,
            window_days=window_days,
        )
    except OSError as exc:
        if exc.filename is None:
            fail(f"emulator: {exc}")
        from ..queryfile import cannot_read

        # A file named on the command line, worded as `check -f` words it.
        fail(cannot_read(exc.filename, exc))
    except ValueError as exc:
        fail(f"emulator: {exc}")
    try:
        emu.start()
    except OSError as exc:
        fail(f"emulator: {cannot_listen(host, port, exc)}")
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        click.echo(f"cqlang emulator listening on {emu.url}")
        sys.stdout.flush()
        while not stop.wait(0.2):
            pass
    finally:
        emu.stop()
        for s, h in previous.items():
            signal.signal(s, h)


def cannot_listen(host: str, port: int, exc: OSError) -> str:
    """Why the emulator cannot listen on ``host:port``, in words rather
    than ``[Errno 98] Address already in use``."""
    import errno
    import socket

    shown = f"[{host}]" if ":" in host else host
    where = f"cannot listen on {shown}:{port}"
    if isinstance(exc, socket.gaierror):
        return f"{where}: no such host"
    why = {
        errno.EADDRINUSE: "the address is in use (another server listens there; "
        "pick another --port, or 0 for any free one)",
        errno.EADDRNOTAVAIL: "the address is not one of this machine's",
        errno.EACCES: "no permission (a port below 1024 needs privileges)",
    }.get(exc.errno or 0)
    return f"{where}: {why or exc.strerror or exc}"


@click.command("lsp")
@click.option("--stdio", is_flag=True, help="Talk over standard input and output (the default).")
def lsp_cmd(stdio: bool) -> None:
    """Serve the Language Server Protocol over standard input and output,
    for editors (docs/editors.md). Needs the lsp extra: pip install 'cqlang[lsp]'.
    """
    try:
        from ..lsp import serve
    except ImportError as exc:
        from ..errors import MissingExtra

        raise MissingExtra(
            f"the language server needs pygls and lsprotocol ({exc}): pip install 'cqlang[lsp]'",
            "lsp",
        ) from None
    serve(config_file=config_path())
