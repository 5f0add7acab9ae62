"""The old path of :mod:`cqlang.config.locate` (it moved into the config
package, issue 12): kept so that code written against it (on branches
made before the move) still imports; remove once nothing does."""

from __future__ import annotations

from .config.locate import APP_NAME as APP_NAME
from .config.locate import CONFIG_ENV as CONFIG_ENV
from .config.locate import MAX_CONFIG_BYTES as MAX_CONFIG_BYTES
from .config.locate import PROJECT_FILE as PROJECT_FILE
from .config.locate import PYPROJECT_FILE as PYPROJECT_FILE
from .config.locate import USER_FILE as USER_FILE
from .config.locate import no_config_file as no_config_file
from .config.locate import pyproject_has_cqlang as pyproject_has_cqlang
from .config.locate import read_pyproject as read_pyproject
from .config.locate import user_config_candidates as user_config_candidates
from .config.locate import user_config_file as user_config_file

__all__ = [
    "APP_NAME",
    "CONFIG_ENV",
    "MAX_CONFIG_BYTES",
    "PROJECT_FILE",
    "PYPROJECT_FILE",
    "USER_FILE",
    "no_config_file",
    "pyproject_has_cqlang",
    "read_pyproject",
    "user_config_candidates",
    "user_config_file",
]
