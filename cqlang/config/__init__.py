"""TOML config files: connection profiles, custom-field types, named queries.

The package's public names are importable from here (``from cqlang.config
import Config``); each is loaded from its module on first use, so that
importing this package (as the fast launcher does, for :mod:`.locate`) costs
nothing. Modules, one job each, each importing only those listed above it:

- :mod:`.tomlread`: TOML text read, every refusal (an integer past
  Python's digit limit too) a ``TOMLDecodeError`` at its place;
- :mod:`.locate`: where config files are looked for, with :mod:`os` alone
  (the launcher asks it whether there is any);
- :mod:`.discovery`: which files are read, in which order, and whether a
  file cqlang found may be trusted;
- :mod:`.tomlscan`: where each key, value and string of a TOML text is
  written;
- :mod:`.model`: the typed model of a cqlang table (:class:`CqlangTable`:
  :class:`ConnectionTable`, :class:`Profile`, :class:`SchemaTable`,
  :class:`QueryTable`), frozen values that merge file over file;
- :mod:`.validate`: the checks of a config file's cqlang table, every
  mistake collected, and the model made of what is right;
- :mod:`.files`: one file read (within limits), checked, its mistakes placed
  at ``FILE:LINE:COL``;
- :mod:`.connection`: which base URL and key a command uses, and where each
  comes from (:class:`ConnectionSettings`, the client's ``Connection``);
- :mod:`.fetchspec`: :class:`FetchSpec`, a query with its settings resolved;
- :mod:`.named`: :class:`NamedQuery` and :class:`Finding`;
- :mod:`.querycheck`: a config's named queries checked (``queries check``,
  ``queries save``);
- :mod:`.display`: what ``cqlang config`` shows;
- :mod:`.core`: :class:`Config`, the configuration in effect;
- :mod:`.safewrite`: the lock and the atomic replacement of an edited file;
- :mod:`.editing`: ``queries save``/``rm``, editing a file in place;
- :mod:`.fmtfiles`: ``cqlang fmt`` of query files and config files;
- :mod:`.lintfiles`: ``cqlang queries check FILES``;
- :mod:`.compat`: old names (``client_from_config``, ``PreparedQuery``).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

    from ..errors import ConfigError as ConfigError
    from ..errors import ConfigProblem as ConfigProblem
    from ..errors import InsecureConfigError as InsecureConfigError
    from ..errors import QueryExistsError as QueryExistsError
    from ..errors import SkippedFile as SkippedFile
    from ..errors import UnknownQueryError as UnknownQueryError
    from ..errors import UntrustedConfigError as UntrustedConfigError
    from .compat import PreparedQuery as PreparedQuery
    from .compat import client_from_config as client_from_config
    from .connection import ConnectionSettings as ConnectionSettings
    from .connection import checked_key as checked_key
    from .connection import mask as mask
    from .connection import why_not as why_not
    from .core import Config as Config
    from .discovery import CONFIG_ENV as CONFIG_ENV
    from .discovery import DISCOVERED as DISCOVERED
    from .discovery import ORIGIN_ENV as ORIGIN_ENV
    from .discovery import ORIGIN_NEW as ORIGIN_NEW
    from .discovery import ORIGIN_OPTION as ORIGIN_OPTION
    from .discovery import ORIGIN_PROJECT as ORIGIN_PROJECT
    from .discovery import ORIGIN_PYPROJECT as ORIGIN_PYPROJECT
    from .discovery import ORIGIN_USER as ORIGIN_USER
    from .discovery import discover as discover
    from .discovery import is_user_file as is_user_file
    from .discovery import user_config_file as user_config_file
    from .display import describe as describe
    from .editing import remove_query as remove_query
    from .editing import save_query as save_query
    from .editing import target_file as target_file
    from .fetchspec import DEFAULT_MAX_BRANCHES as DEFAULT_MAX_BRANCHES
    from .fetchspec import DEFAULT_PAGE_SIZE as DEFAULT_PAGE_SIZE
    from .fetchspec import MAX_PAGE_SIZE as MAX_PAGE_SIZE
    from .fetchspec import FetchSpec as FetchSpec
    from .fetchspec import SettingError as SettingError
    from .fetchspec import Settings as Settings
    from .fetchspec import alias_chain as alias_chain
    from .fetchspec import bound_params as bound_params
    from .fetchspec import lone_reference as lone_reference
    from .fetchspec import prepare as prepare
    from .fetchspec import stored_param as stored_param
    from .files import MAX_CONFIG_BYTES as MAX_CONFIG_BYTES
    from .files import MAX_CONFIG_DEPTH as MAX_CONFIG_DEPTH
    from .files import ConfigFile as ConfigFile
    from .files import check_text as check_text
    from .files import display_path as display_path
    from .files import masked_text as masked_text
    from .files import read_file as read_file
    from .fmtfiles import Edit as Edit
    from .fmtfiles import FileResult as FileResult
    from .fmtfiles import QueryString as QueryString
    from .fmtfiles import TomlFormatError as TomlFormatError
    from .fmtfiles import format_file as format_file
    from .fmtfiles import format_query_file as format_query_file
    from .fmtfiles import format_toml as format_toml
    from .fmtfiles import is_config_file as is_config_file
    from .fmtfiles import prefix_for as prefix_for
    from .fmtfiles import query_strings as query_strings
    from .fmtfiles import toml_literal as toml_literal
    from .lintfiles import lint_files as lint_files
    from .model import ConnectionTable as ConnectionTable
    from .model import CqlangTable as CqlangTable
    from .model import Profile as Profile
    from .model import QueryTable as QueryTable
    from .model import SchemaTable as SchemaTable
    from .model import schema_for as schema_for
    from .named import Finding as Finding
    from .named import NamedQuery as NamedQuery
    from .named import resolve_query as resolve_query

#: Each public name, by the module that defines it (relative to this package).
_MODULES: dict[str, tuple[str, ...]] = {
    "compat": ("PreparedQuery", "client_from_config"),
    "connection": ("ConnectionSettings", "checked_key", "mask", "why_not"),
    "core": ("Config",),
    "discovery": (
        "CONFIG_ENV",
        "DISCOVERED",
        "ORIGIN_ENV",
        "ORIGIN_NEW",
        "ORIGIN_OPTION",
        "ORIGIN_PROJECT",
        "ORIGIN_PYPROJECT",
        "ORIGIN_USER",
        "discover",
        "is_user_file",
        "user_config_file",
    ),
    "display": ("describe",),
    "editing": ("remove_query", "save_query", "target_file"),
    "..errors": (
        "ConfigError",
        "ConfigProblem",
        "InsecureConfigError",
        "QueryExistsError",
        "SkippedFile",
        "UnknownQueryError",
        "UntrustedConfigError",
    ),
    "fetchspec": (
        "DEFAULT_MAX_BRANCHES",
        "DEFAULT_PAGE_SIZE",
        "MAX_PAGE_SIZE",
        "FetchSpec",
        "SettingError",
        "Settings",
        "alias_chain",
        "bound_params",
        "lone_reference",
        "prepare",
        "stored_param",
    ),
    "files": (
        "MAX_CONFIG_BYTES",
        "MAX_CONFIG_DEPTH",
        "ConfigFile",
        "check_text",
        "display_path",
        "masked_text",
        "read_file",
    ),
    "fmtfiles": (
        "Edit",
        "FileResult",
        "QueryString",
        "TomlFormatError",
        "format_file",
        "format_query_file",
        "format_toml",
        "is_config_file",
        "prefix_for",
        "query_strings",
        "toml_literal",
    ),
    "lintfiles": ("lint_files",),
    "model": (
        "ConnectionTable",
        "CqlangTable",
        "Profile",
        "QueryTable",
        "SchemaTable",
        "schema_for",
    ),
    "named": ("Finding", "NamedQuery", "resolve_query"),
}
_SUBMODULES = frozenset(
    {
        "compat",
        "connection",
        "core",
        "discovery",
        "display",
        "editing",
        "fetchspec",
        "files",
        "fmtfiles",
        "lintfiles",
        "locate",
        "model",
        "named",
        "querycheck",
        "safewrite",
        "tomlread",
        "tomlscan",
        "validate",
    }
)
_WHERE = {name: module for module, names in _MODULES.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    from .._lazy import load  # on first use: importing the package stays light

    return load(__name__, _WHERE, globals(), name, _SUBMODULES)


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE, *_SUBMODULES})
