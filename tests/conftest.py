"""Shared fixtures.

``emulator``: a running :class:`cqlang.emulator.Emulator` on a free loopback
port, stopped after the test. Configure it per test with the ``emulator``
marker, whose keyword arguments go to the constructor::

    @pytest.mark.emulator(records=200, faults=["500=2"])
    def test_something(emulator): ...

``emulator_factory``: a callable with the constructor's arguments, for tests
that need more than one server or build it mid-test; all are stopped after.

Hypothesis profiles, for every test: ``ci`` (the default) and ``deep``,
chosen with the environment variable ``HYPOTHESIS_PROFILE``. Neither has a
deadline: these machines are noisy, and a slow example is not a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from cqlang.emulator import Emulator

for _name, _examples in (("ci", 100), ("deep", 2000)):
    settings.register_profile(
        _name,
        max_examples=_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
if os.environ.get("HYPOTHESIS_PROFILE", "ci") in ("ci", "deep"):
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never the real user's files: HOME, XDG_CONFIG_HOME and XDG_STATE_HOME
    in tmp_path, no CQLANG_/CONPEEK_ variables, and the working directory a
    fresh tmp_path/work (returned). Test files that read or write config
    files use it for every test (an autouse fixture of their own)."""
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    for var in ("CQLANG_CONFIG", "CONPEEK_URL", "CONPEEK_KEY", "CQLANG_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work
