"""The old path of :mod:`cqlang.config.tomlscan` (it moved into the config
package, issue 12): kept so that code written against it (on branches
made before the move) still imports; remove once nothing does."""

from __future__ import annotations

from .config.tomlscan import Layout as Layout
from .config.tomlscan import Located as Located
from .config.tomlscan import Statement as Statement
from .config.tomlscan import scan as scan

__all__ = ["Layout", "Located", "Statement", "scan"]
