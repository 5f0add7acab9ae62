"""The ``cqlang`` group: its options, its commands, and how a run ends.

The commands are loaded lazily (click's documented "LazyGroup" pattern):
:data:`COMMANDS` names the module and the object of each, and a command's
module is imported only when that command runs or its help is shown, so
``cqlang compile`` never imports the fetch, config or REPL commands.
Every command added gets the shared ``--config``, ``--profile`` and
``--color`` options (:mod:`cqlang.cli.context`).

Whatever a command raises ends the run through :mod:`cqlang.status`: a
query's errors as diagnostics with carets (exit 1), every other error in
one line with its status from the one table, never a traceback.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from ..status import ExitStatus, entry, exit_for
from .context import config_params

__all__ = ["COMMANDS", "EPILOG", "CqlGroup", "main"]

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


#: The commands that read no config file, so take no ``--config`` or
#: ``--profile`` of their own (given before the command, to the group, they
#: change nothing for them): the emulator serves its own records.
WITHOUT_CONFIG = frozenset({"emulator"})


class CqlGroup(click.Group):
    """A group whose commands may be loaded on first use (``lazy``: name ->
    ``module:object``), each given the shared options, and whose run never
    ends in a traceback."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        taken = {opt for p in cmd.params for opt in getattr(p, "opts", ())}
        if (name or cmd.name) in WITHOUT_CONFIG:  # it reads no config: no option saying so
            taken |= {"--config", "--profile"}
        cmd.params.extend(p for p in config_params() if not taken & set(getattr(p, "opts", ())))
        super().add_command(cmd, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, _, attr = self.lazy[cmd_name].partition(":")
            cmd = getattr(importlib.import_module(module), attr)
            if not isinstance(cmd, click.Command):  # pragma: no cover - a wrong COMMANDS entry
                raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
            self.add_command(cmd, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        from ..errors import CqlError
        from ..term.streams import never_fail

        never_fail(sys.stdout)

        try:
            return super().invoke(ctx)
        except CqlError as exc:
            found = entry(exc)
            if found is None or found[0] is CqlError:  # a query's mistakes: its diagnostics
                from .show import report

                report(exc)
            exit_for(exc)  # config, settings, API...: a message and their own status
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            sys.exit(ExitStatus.INTERRUPTED)
        except Exception as exc:  # broad: the top of the run (a bug: internal error, exit 70)
            exit_for(exc)


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
