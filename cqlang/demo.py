"""``make demo``: the main job, end to end, on the built-in emulator.

Compiles a few realistic queries (filters and encoded parameters), shows one
error message, then starts ``cqlang emulator`` on a free loopback port and
fetches records for a query with ``or``, one with a client-side residual,
and a named query from ``examples/cqlang.toml``, each with its plan and the
records as a table. Every step is a ``cqlang`` command that is run (this
Python's ``-m cqlang``), shown as a shell shows it, followed by exactly
what it printed; the end says what to try next. No credentials, no
network.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from cqlang.client.connection import KEY_ENV, URL_ENV
from cqlang.emulator import DEFAULT_API_KEY, DEFAULT_CAMPAIGN

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cqlang.toml"

COMPILED = [
    'state in (OPEN, CLOSED) and priority >= 3 and custom.region = "PL"',
    "application_state = RETRY and contact_try < 5",
    'created_date >= "2026-10-01" and state != CLOSED',
    "created_date = 2026-10-15 and assigned_tenant_user_id in (12, 14)",
]
MISTAKE = "state in (OPEN, CLOSED) and prioirty >= 3 and state = OPNE"
FETCHED = [
    # The first side is rare (5 records of 5,000), so the first 8 records
    # show both sides: those created before 01:30, then CLOSED ones.
    (
        "an 'or' over two properties: two requests, merged by id",
        'created_date < "2026-08-03 01:30" or state = CLOSED',
    ),
    (
        "'!=' on a custom field: the server narrows by state, the client checks the rest",
        'state = PROCESSING and custom.region != "PL" and contact_try <= 2',
    ),
]
LIMIT = 8
#: The fields the tables show (the heavy ones, history and the like, are then
#: not fetched at all).
COLUMNS = "id,state,priority,contact_try,created_date,custom.region,custom.lead source"
#: The emulator's records: 5,000 generated from seed 1.
EMULATOR = ("emulator", "--port", "0", "--records", "5000", "--seed", "1")


def command(console: Console, *words: str, end: str = "") -> None:
    """Echo the ``cqlang`` command line a step runs, as a shell shows it
    (``end``: what follows it unquoted, such as ``&``)."""
    line = "$ cqlang " + " ".join(shlex.quote(w) for w in words) + end
    console.print(line, style="dim", markup=False, highlight=False, soft_wrap=True)


def run(console: Console, env: dict[str, str], *words: str) -> None:
    """Show the command line ``cqlang WORDS``, run it, and print what it
    printed (standard output and error, in order), nothing added."""
    command(console, *words)
    done = subprocess.run(
        [sys.executable, "-m", "cqlang", *words],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=120,
        check=False,
    )
    text = done.stdout.decode("utf-8", "replace").rstrip("\n")
    if text:
        console.print(text, markup=False, highlight=False, soft_wrap=True)


def show_fetch(console: Console, env: dict[str, str], query: str, *config: str) -> None:
    run(console, env, *config, "explain", query)
    fetch = ("fetch", "--campaign", DEFAULT_CAMPAIGN, "--limit", str(LIMIT))
    run(console, env, *config, *fetch, "--columns", COLUMNS, "--format", "table", query)


def main() -> None:
    # Not a terminal (a log, a pipe, CI): wide enough for a record's id and a
    # filter on one line, instead of rich's 80 columns; a terminal: its width.
    console = Console() if sys.stdout.isatty() else Console(width=160)
    # The commands read no config file but the one named (what a user's
    # cqlang.toml says must not change what the demo shows), and get the
    # width the demo has.
    env = {**os.environ, "CQLANG_CONFIG": os.devnull, "COLUMNS": str(console.width)}
    for name in (URL_ENV, KEY_ENV, "NO_COLOR", "CQLANG_DEBUG"):
        env.pop(name, None)
    line = f"$ export CQLANG_CONFIG={os.devnull}   # no config file but the one named"
    console.print(line, style="dim", markup=False, highlight=False, soft_wrap=True)
    console.rule("[bold]1. Queries compiled to the filter parameter")
    for text in COMPILED:
        run(console, env, "compile", text)
        run(console, env, "compile", "--format", "param", text)
    console.rule("[bold]2. A query with two mistakes")
    run(console, env, "compile", MISTAKE)

    console.rule("[bold]3. Fetching from the built-in emulator (5,000 generated records)")
    command(console, *EMULATOR, end=" &")
    server = subprocess.Popen(
        [sys.executable, "-m", "cqlang", *EMULATOR],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline().rstrip("\n")  # "cqlang emulator listening on URL"
        console.print(first, markup=False, highlight=False, soft_wrap=True)
        url = first.rpartition(" ")[2]
        if not url.startswith("http://"):
            raise SystemExit(f"the emulator did not start: {first or server.stdout.read()}")
        line = f"$ export {URL_ENV}={url} {KEY_ENV}={DEFAULT_API_KEY}"
        console.print(line, style="dim", markup=False, highlight=False, soft_wrap=True)
        env = {**env, URL_ENV: url, KEY_ENV: DEFAULT_API_KEY}
        for title, text in FETCHED:
            console.print(f"\n[bold]{title}[/bold]")
            show_fetch(console, env, text)
        if EXAMPLES.is_file():
            show_named_query(console, env)
        else:  # an installed wheel: examples/ is in the source tree only
            console.print(
                "\n(named queries: skipped, examples/cqlang.toml comes with a source "
                "checkout, not with the installed package)"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    try_next(console)


def try_next(console: Console) -> None:
    """What to try next, as the README's tutorial does it."""
    console.rule("[bold]Try next")
    for line in (
        "cqlang emulator --port 8080 &",
        f"CONPEEK_KEY={DEFAULT_API_KEY} cqlang fetch --base-url http://127.0.0.1:8080 "
        f"--campaign {DEFAULT_CAMPAIGN} 'state = OPEN or custom.region != \"PL\"' --limit 5",
        f"CONPEEK_URL=http://127.0.0.1:8080 CONPEEK_KEY={DEFAULT_API_KEY} cqlang repl "
        f"--campaign {DEFAULT_CAMPAIGN}   # a query, then \\fetch (\\help: the commands)",
    ):
        console.print(f"  $ {line}", markup=False, highlight=False, soft_wrap=True)
    console.print("  the docs: README.md, docs/cli.md, docs/repl.md", markup=False, highlight=False)


def show_named_query(console: Console, env: dict[str, str]) -> None:
    from cqlang.config import Config

    config = Config.load(EXAMPLES)
    name = "hot_leads" if "hot_leads" in config.queries else next(iter(config.queries))
    console.print(f"\n[bold]named query @{name}[/bold] from examples/{EXAMPLES.name}")
    where = ("--config", os.path.relpath(EXAMPLES))
    run(console, env, *where, "queries", "show", name)
    show_fetch(console, env, f"@{name}", *where)


if __name__ == "__main__":
    main()
