"""The old path of :mod:`cqlang.config.fmtfiles` (it moved into the config
package, issue 12): kept so that code written against it (the CLI being
split on another branch) still imports; remove once nothing does."""

from __future__ import annotations

from .config.fmtfiles import Edit as Edit
from .config.fmtfiles import FileResult as FileResult
from .config.fmtfiles import QueryString as QueryString
from .config.fmtfiles import TomlFormatError as TomlFormatError
from .config.fmtfiles import apply as apply
from .config.fmtfiles import format_file as format_file
from .config.fmtfiles import format_query_file as format_query_file
from .config.fmtfiles import format_toml as format_toml
from .config.fmtfiles import is_config_file as is_config_file
from .config.fmtfiles import prefix_for as prefix_for
from .config.fmtfiles import query_strings as query_strings
from .config.fmtfiles import toml_literal as toml_literal

__all__ = [
    "Edit",
    "FileResult",
    "QueryString",
    "TomlFormatError",
    "apply",
    "format_file",
    "format_query_file",
    "format_toml",
    "is_config_file",
    "prefix_for",
    "query_strings",
    "toml_literal",
]
