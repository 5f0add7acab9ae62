"""The ``cqlang`` group: its options and its commands (how a run ends:
:mod:`cqlang.cli.lazygroup`).

The commands are loaded lazily (click's documented "LazyGroup" pattern):
:data:`COMMANDS` names the module and the object of each, and a command's
module is imported only when that command runs or its help is shown, so
``cqlang compile`` never imports the fetch, config or REPL commands. The
group class, :class:`~cqlang.cli.lazygroup.CqlGroup`, lives in
:mod:`cqlang.cli.lazygroup`, which a command module may import (``cqlang
queries`` is a group of its own) without importing this module, which
loads those command modules by name.
"""

from __future__ import annotations

import click

from .context import config_params
from .lazygroup import WITHOUT_CONFIG, CqlGroup

__all__ = ["COMMANDS", "EPILOG", "WITHOUT_CONFIG", "CqlGroup", "main"]

EPILOG = """\b
Examples:
  cqlang compile 'state in (OPEN, CLOSED) and priority >= 3'
  cqlang compile --format url --base-url https://api-x.cloud.conpeek.com \\
      --campaign 5b7c389fe8df7b60af688989 'custom.region = "PL"'
  cqlang check 'prioirty > 3'
  cqlang explain 'state = OPEN or priority > 5'
  cqlang fmt 'STATE=open AND (priority>=3)'
  cqlang decompile '[{"property":"state","value":["OPEN"]}]'
  cqlang emulator --port 8080 &
  CONPEEK_KEY=demo-key cqlang fetch --base-url http://127.0.0.1:8080 \\
      --campaign 5b7c389fe8df7b60af688989 'priority > 5 or custom.region != "PL"'
  cqlang repl
"""

#: Each command of ``cqlang``: the module that defines it and its name there.
COMMANDS = {
    "check": "cqlang.cli.query:check_cmd",
    "compile": "cqlang.cli.query:compile_cmd",
    "config": "cqlang.cli.configuration:config_cmd",
    "decompile": "cqlang.cli.query:decompile_cmd",
    "emulator": "cqlang.cli.servers:emulator_cmd",
    "explain": "cqlang.cli.query:explain_cmd",
    "fetch": "cqlang.cli.fetch:fetch_cmd",
    "fmt": "cqlang.cli.query:fmt_cmd",
    "lsp": "cqlang.cli.servers:lsp_cmd",
    "queries": "cqlang.cli.queries:queries_group",
    "repl": "cqlang.cli.servers:repl_cmd",
}


@click.group(
    cls=CqlGroup,
    lazy=COMMANDS,
    epilog=EPILOG,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="cqlang")
def main() -> None:
    """cqlang: write Conpeek filters as queries.

    Turns a query such as `state in (OPEN, CLOSED) and priority >= 3` into the
    `filter` parameter of GET /voice_campaign/{id}/request, plans what one
    filter cannot say, and fetches the records.
    """


# `cqlang --config FILE --profile NAME COMMAND ...`
main.params.extend(config_params())
