"""Where config files are looked for, with nothing but :mod:`os`.

cqlang.config reads the files; this module names the places (docs/config.md
gives the order), so that the ``cqlang`` launcher can tell that there is no
config file to read without importing cqlang.config, pathlib or (on Linux)
platformdirs.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping

#: The environment variable naming the one config file to read.
CONFIG_ENV = "CQLANG_CONFIG"
PROJECT_FILE = "cqlang.toml"
PYPROJECT_FILE = "pyproject.toml"
USER_FILE = "config.toml"
#: The largest config file read (cqlang.config reads no more either); a
#: ``pyproject.toml`` is looked into for ``[tool.cqlang]`` only this far.
MAX_CONFIG_BYTES = 2**20
APP_NAME = "cqlang"


def user_config_file() -> str | None:
    """The user's config file, as platformdirs places it (it may not exist);
    None when the user has no home folder that platformdirs can find."""
    import platformdirs

    try:
        return os.path.join(platformdirs.user_config_dir(APP_NAME), USER_FILE)
    except (RuntimeError, KeyError, OSError):  # no $HOME and no passwd entry
        return None


def user_config_candidates(env: Mapping[str, str] | None = None) -> list[str]:
    """Every place platformdirs may put the user's config file on Linux, found
    without importing it: under $XDG_CONFIG_HOME (as given), under ~/.config
    by $HOME and by the password database, and under $XDG_CONFIG_DIRS. When
    none of them holds a file, the user has none. platformdirs' rules differ
    between its versions (a relative $XDG_CONFIG_HOME, an empty $HOME), so
    this lists every answer rather than pick one; tests/test_launch.py
    checks that platformdirs' answer is among them. Elsewhere it is
    platformdirs' answer alone."""
    env = os.environ if env is None else env
    if sys.platform != "linux" or "ANDROID_DATA" in env:
        only = user_config_file()
        return [only] if only is not None else []
    homes = [os.path.expanduser("~")]
    try:
        import pwd

        homes.append(pwd.getpwuid(os.getuid()).pw_dir)
    except (ImportError, KeyError, OSError):
        pass
    bases = [os.path.join(home, ".config") for home in homes]
    xdg = env.get("XDG_CONFIG_HOME", "")
    bases += [xdg, xdg.strip()] if xdg.strip() else []
    bases += (env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(os.pathsep)
    found = [os.path.join(base, APP_NAME, USER_FILE) for base in bases if base]
    return list(dict.fromkeys(found))


def read_pyproject(path: str | os.PathLike[str]) -> bytes:
    """At most the first ``MAX_CONFIG_BYTES + 1`` bytes of a pyproject.toml
    (a file larger than a config file may be is never read whole)."""
    with open(path, "rb") as f:
        return f.read(MAX_CONFIG_BYTES + 1)


def pyproject_has_cqlang(raw: bytes) -> bool:
    """Whether a pyproject.toml's bytes (:func:`read_pyproject`) hold a
    ``[tool.cqlang]`` table, or may: bytes that cannot be read as TOML
    (cut at the size limit, say) and mention cqlang, which reading the
    config will report. Most do not mention cqlang at all, and are not
    parsed."""
    if b"cqlang" not in raw:
        return False
    import tomllib

    from .tomlread import loads

    try:
        tool = loads(raw.decode("utf-8").removeprefix("\ufeff")).get("tool")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError):
        return True
    return isinstance(tool, dict) and "cqlang" in tool


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
    working directory that is gone, a pyproject.toml that is not TOML).
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
        try:
            regular = stat.S_ISREG(os.stat(pyproject).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            regular = False  # as config.discover: only a regular file is read
        except (OSError, ValueError):
            return False
        if regular:
            try:
                if pyproject_has_cqlang(read_pyproject(pyproject)):
                    return False
            except OSError:
                return False
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return all(_absent(path) for path in user_config_candidates(env))
