"""Shared fixtures.

``emulator``: a running :class:`cqlang.emulator.Emulator` on a free loopback
port, stopped after the test. Configure it per test with the ``emulator``
marker, whose keyword arguments go to the constructor::

    @pytest.mark.emulator(records=200, faults=["500=2"])
    def test_something(emulator): ...

``emulator_factory``: a callable with the constructor's arguments, for tests
that need more than one server or build it mid-test; all are stopped after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cqlang.emulator import Emulator


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "emulator(**kwargs): arguments for the `emulator` fixture's Emulator"
    )


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., Emulator]]:
    started: list[Emulator] = []

    def make(**kwargs: Any) -> Emulator:
        emu = Emulator(**kwargs).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def emulator(request: pytest.FixtureRequest, emulator_factory: Callable[..., Emulator]) -> Emulator:
    marker = request.node.get_closest_marker("emulator")
    kwargs: dict[str, Any] = {"records": 300, "seed": 1}
    if marker is not None:
        kwargs.update(marker.kwargs)
    return emulator_factory(**kwargs)
