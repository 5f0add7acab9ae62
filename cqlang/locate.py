"""Where config files are looked for, with nothing but :mod:`os`.

cqlang.config reads the files; this module only names the places (docs/config.md
gives the order), so that the ``cqlang`` launcher can tell that there is no
config file to read without importing cqlang.config, pathlib or platformdirs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

#: The environment variable naming the one config file to read.
CONFIG_ENV = "CQLANG_CONFIG"
PROJECT_FILE = "cqlang.toml"
PYPROJECT_FILE = "pyproject.toml"
USER_FILE = "config.toml"
APP_NAME = "cqlang"


def user_config_dir(env: Mapping[str, str] | None = None) -> str:
    """``platformdirs.user_config_dir("cqlang")``.

    On Linux it is computed here by the XDG rule platformdirs follows there
    ($XDG_CONFIG_HOME, else ~/.config); tests/test_launch.py compares the two.
    Elsewhere (and on Android, where platformdirs differs) platformdirs says.
    """
    env = os.environ if env is None else env
    if sys.platform == "linux" and "ANDROID_DATA" not in env:
        base = env.get("XDG_CONFIG_HOME", "")
        if not base.strip():
            base = os.path.expanduser("~/.config")
        return os.path.join(base, APP_NAME)
    import platformdirs

    return platformdirs.user_config_dir(APP_NAME)


def user_config_file(env: Mapping[str, str] | None = None) -> str:
    """The user's config file (it may not exist)."""
    return os.path.join(user_config_dir(env), USER_FILE)


def may_have_cqlang_table(raw: bytes) -> bool:
    """Whether a pyproject.toml's bytes can hold ``[tool.cqlang]``: most do not
    even mention it, and then need no TOML parsing."""
    return b"tool.cqlang" in raw or b"[tool]" in raw


def _absent(path: str) -> bool:
    """Nothing is at ``path``; False when that cannot be told (permission)."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except (OSError, ValueError):
        return False
    return False


def no_config_file(env: Mapping[str, str] | None = None) -> bool:
    """True when ``Config.load()`` would find no file to read.

    Cheap and cautious: False whenever a file might be read, or looking
    raises a question that cqlang.config answers (an unreadable folder, a
    working directory that is gone, a pyproject.toml that mentions [tool]).
    """
    env = os.environ if env is None else env
    if env.get(CONFIG_ENV):
        return False
    try:
        folder = os.getcwd()
    except OSError:
        return False
    while True:
        if not _absent(os.path.join(folder, PROJECT_FILE)):
            return False
        pyproject = os.path.join(folder, PYPROJECT_FILE)
        if not _absent(pyproject):
            try:
                with open(pyproject, "rb") as f:
                    if may_have_cqlang_table(f.read()):
                        return False
            except OSError:
                return False
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return _absent(user_config_file(env))
