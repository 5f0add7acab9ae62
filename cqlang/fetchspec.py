"""The old path of :mod:`cqlang.config.fetchspec` (it moved into the config
package, issue 12): kept so that code written against it (the CLI being
split on another branch) still imports; remove once nothing does."""

from __future__ import annotations

from .config.fetchspec import DEFAULT_MAX_BRANCHES as DEFAULT_MAX_BRANCHES
from .config.fetchspec import DEFAULT_PAGE_SIZE as DEFAULT_PAGE_SIZE
from .config.fetchspec import MAX_PAGE_SIZE as MAX_PAGE_SIZE
from .config.fetchspec import FetchSpec as FetchSpec
from .config.fetchspec import SettingError as SettingError
from .config.fetchspec import Settings as Settings
from .config.fetchspec import alias_chain as alias_chain
from .config.fetchspec import bound_params as bound_params
from .config.fetchspec import inherited as inherited
from .config.fetchspec import inherited_params as inherited_params
from .config.fetchspec import lone_reference as lone_reference
from .config.fetchspec import prepare as prepare
from .config.fetchspec import stored_param as stored_param

__all__ = [
    "DEFAULT_MAX_BRANCHES",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "FetchSpec",
    "SettingError",
    "Settings",
    "alias_chain",
    "bound_params",
    "inherited",
    "inherited_params",
    "lone_reference",
    "prepare",
    "stored_param",
]
