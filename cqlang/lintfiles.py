"""The old path of :mod:`cqlang.config.lintfiles` (it moved into the config
package, issue 12): kept so that code written against it (the CLI being
split on another branch) still imports; remove once nothing does."""

from __future__ import annotations

from .config.lintfiles import lint_files as lint_files

__all__ = ["lint_files"]
