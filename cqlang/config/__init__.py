"""TOML config files: connection profiles, custom-field types, named queries.

The package's public names are importable from here (``from cqlang.config
import Config``); each is loaded from its module on first use, so that
importing this package (as the fast launcher does, for :mod:`.locate`) costs
nothing. Modules, one job each:

- :mod:`.locate`: where config files are looked for, with :mod:`os` alone;
- :mod:`.core`: :class:`Config` and everything else, being split up;
- :mod:`.validate`: the checks of a config file's cqlang table;
- :mod:`.connection`: which base URL and key a command uses, and why;
- :mod:`.trust`: whether a discovered file may be trusted;
- :mod:`.fetchspec`: :class:`FetchSpec`, a query with its settings resolved;
- :mod:`.fmtfiles`: ``cqlang fmt`` of query files and config files;
- :mod:`.lintfiles`: ``cqlang queries check FILES``;
- :mod:`.safewrite`: the lock and the atomic replacement of an edited file;
- :mod:`.tomlscan`: where each key, value and string of a TOML text is written.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .connection import ConnectionSettings as ConnectionSettings
    from .connection import checked_key as checked_key
    from .connection import mask as mask
    from .core import CONFIG_ENV as CONFIG_ENV
    from .core import DISCOVERED as DISCOVERED
    from .core import MAX_CONFIG_BYTES as MAX_CONFIG_BYTES
    from .core import MAX_CONFIG_DEPTH as MAX_CONFIG_DEPTH
    from .core import ORIGIN_ENV as ORIGIN_ENV
    from .core import ORIGIN_NEW as ORIGIN_NEW
    from .core import ORIGIN_OPTION as ORIGIN_OPTION
    from .core import ORIGIN_PROJECT as ORIGIN_PROJECT
    from .core import ORIGIN_PYPROJECT as ORIGIN_PYPROJECT
    from .core import ORIGIN_USER as ORIGIN_USER
    from .core import Config as Config
    from .core import ConfigError as ConfigError
    from .core import ConfigFile as ConfigFile
    from .core import ConfigProblem as ConfigProblem
    from .core import Finding as Finding
    from .core import InsecureConfigError as InsecureConfigError
    from .core import NamedQuery as NamedQuery
    from .core import PreparedQuery as PreparedQuery
    from .core import QueryExistsError as QueryExistsError
    from .core import SkippedFile as SkippedFile
    from .core import UnknownQueryError as UnknownQueryError
    from .core import UntrustedConfigError as UntrustedConfigError
    from .core import check_text as check_text
    from .core import client_from_config as client_from_config
    from .core import discover as discover
    from .core import display_path as display_path
    from .core import is_user_file as is_user_file
    from .core import masked_text as masked_text
    from .core import read_file as read_file
    from .core import remove_query as remove_query
    from .core import resolve_query as resolve_query
    from .core import save_query as save_query
    from .core import schema_for as schema_for
    from .core import target_file as target_file
    from .core import user_config_file as user_config_file
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

#: Each public name, by the module that defines it.
_MODULES: dict[str, tuple[str, ...]] = {
    "connection": ("ConnectionSettings", "checked_key", "mask"),
    "core": (
        "CONFIG_ENV",
        "DISCOVERED",
        "MAX_CONFIG_BYTES",
        "MAX_CONFIG_DEPTH",
        "ORIGIN_ENV",
        "ORIGIN_NEW",
        "ORIGIN_OPTION",
        "ORIGIN_PROJECT",
        "ORIGIN_PYPROJECT",
        "ORIGIN_USER",
        "Config",
        "ConfigError",
        "ConfigFile",
        "ConfigProblem",
        "Finding",
        "InsecureConfigError",
        "NamedQuery",
        "PreparedQuery",
        "QueryExistsError",
        "SkippedFile",
        "UnknownQueryError",
        "UntrustedConfigError",
        "check_text",
        "client_from_config",
        "discover",
        "display_path",
        "is_user_file",
        "masked_text",
        "read_file",
        "remove_query",
        "resolve_query",
        "save_query",
        "schema_for",
        "target_file",
        "user_config_file",
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
}
_SUBMODULES = frozenset(
    {
        "connection",
        "core",
        "fetchspec",
        "fmtfiles",
        "lintfiles",
        "locate",
        "safewrite",
        "tomlscan",
        "trust",
        "validate",
    }
)
_WHERE = {name: module for module, names in _MODULES.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    """A public name (or a module) of the package, imported on first use."""
    import importlib

    module = _WHERE.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value  # the next look-up is a plain one
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE, *_SUBMODULES})
