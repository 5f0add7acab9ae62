"""The class of ``cqlang``'s groups (:class:`CqlGroup`): commands loaded
on first use, each given the shared options, and a run that never ends in
a traceback.

Its own module, apart from :mod:`cqlang.cli.group` (the ``cqlang`` group and
:data:`~cqlang.cli.group.COMMANDS`, which names the command modules to load):
a command module that is a group itself (``cqlang queries``) imports this
one, so no command module imports the module that loads it by name, and the
import graph has no cycle hidden in a string.

Every command added gets the shared ``--config``, ``--profile`` and
``--color`` options (:mod:`cqlang.cli.context`). Whatever a command raises
ends the run through :mod:`cqlang.status`: a query's errors as diagnostics
with carets (exit 1), every other error in one line with its status from
the one table, never a traceback.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from ..status import ExitStatus, entry, exit_for
from .context import config_params

__all__ = ["WITHOUT_CONFIG", "CqlGroup"]


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

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Click's, with "did you mean" drawn from every command name: click
        draws it from the commands loaded (``self.commands``), where a lazy
        group has none before the one asked for (``cqlang compil`` said no
        more than "No such command"). Nothing more is loaded for it."""
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            name = str(args[0]) if args else ""
            names = self.list_commands(ctx)
            if getattr(exc, "possibilities", None) or not name[:1].isalnum() or name in names:
                raise  # it suggests already, or is about an option
            from difflib import get_close_matches

            if not get_close_matches(name, names):
                raise
            no_such = getattr(click.exceptions, "NoSuchCommand", None)  # click 8.4 on
            if no_such is not None:
                raise no_such(name, possibilities=names, ctx=ctx) from None
            close = ", ".join(repr(n) for n in sorted(get_close_matches(name, names)))
            message = f"No such command {name!r}. Did you mean {close}?"
            raise click.UsageError(message, ctx) from None

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
