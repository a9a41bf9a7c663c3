"""Fixtures and hooks of the reliability suites: child processes share one
bytecode cache, and the counts the suites gather are printed in pytest's
terminal summary (evidence.py; see there for runs under pytest-xdist)."""

from __future__ import annotations

import pytest

from . import evidence, harness


def pytest_configure(config):
    # Already there when tests/conftest.py names it in pytest_plugins.
    if not config.pluginmanager.is_registered(evidence):
        config.pluginmanager.register(evidence, "vault-reliability-evidence")


@pytest.fixture(scope="session", autouse=True)
def _child_pycache(tmp_path_factory):
    """One bytecode cache for every `python -m vault` these suites start."""
    harness.PYCACHE = tmp_path_factory.mktemp("pycache")
    harness.warm_pycache()
    yield
    harness.PYCACHE = None
