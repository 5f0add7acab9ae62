"""What the tests of the Python API's argument checks assert: a call
raises TypeError (its message returned), or SettingError, which is both a
ValueError and a CqlError (the error returned)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import cqlang
from cqlang.errors import SettingError


def type_error(call: Callable[[], object]) -> str:
    with pytest.raises(TypeError) as info:
        call()
    return str(info.value)


def setting_error(call: Callable[[], object]) -> SettingError:
    with pytest.raises(SettingError) as info:
        call()
    assert isinstance(info.value, ValueError) and isinstance(info.value, cqlang.CqlError)
    return info.value
