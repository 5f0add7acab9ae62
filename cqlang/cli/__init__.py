"""The ``cqlang`` command (click), one module per job:

* :mod:`~cqlang.cli.group`: the group and its lazily loaded commands,
  named in ``COMMANDS``;
* :mod:`~cqlang.cli.lazygroup`: the class of the groups (``cqlang``,
  ``cqlang queries``): commands loaded on first use, and how a run ends
  (:mod:`cqlang.status`);
* :mod:`~cqlang.cli.context`: the options every command shares
  (``--config``, ``--profile``, ``--color``) and the configuration they
  select, read once;
* :mod:`~cqlang.cli.inputs`: QUERY or ``--file``, ``--param``, ``--tz``,
  ``--now``..., and the query with its settings resolved;
* :mod:`~cqlang.cli.show`: diagnostics on stderr;
* :mod:`~cqlang.cli.paramtypes`: number options in ASCII digits only;
* the commands: :mod:`~cqlang.cli.query` (compile, check, explain, fmt,
  decompile), :mod:`~cqlang.cli.fetch`, :mod:`~cqlang.cli.queries`,
  :mod:`~cqlang.cli.configuration` (config), :mod:`~cqlang.cli.servers`
  (repl, emulator, lsp).

The console script is :func:`cqlang.launch.main`, which answers the
simplest ``compile``, ``check`` and ``explain`` command lines without click
and hands the rest to :data:`main` here.
"""

from __future__ import annotations

from .group import main

__all__ = ["main"]
