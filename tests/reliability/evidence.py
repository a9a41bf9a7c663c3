"""A pytest plugin that prints what the reliability suites found (crash trials
per operation, concurrent adds) in the terminal summary, as the section
"reliability evidence", so the counts appear in normal output.

Registered by conftest.py for a plain run. Under pytest-xdist (`-n 2`) the
suites run in worker processes and only the controller has a terminal, but
the controller never loads tests/reliability/conftest.py; there the plugin
must come from a conftest it does load, tests/conftest.py:

    pytest_plugins = ["tests.reliability.evidence"]

Each worker then hands its counts to the controller (xdist's workeroutput),
which adds them up and prints them.
"""

from __future__ import annotations

import pytest

from .harness import SUMMARY

KEY = "vault_reliability_evidence"


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:   # an xdist worker: hand the counts over
        workeroutput[KEY] = SUMMARY.dump()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    data = getattr(node, "workeroutput", {}).get(KEY)
    if data:
        SUMMARY.merge(data)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    lines = SUMMARY.lines()
    if lines:
        terminalreporter.section("reliability evidence")
        for line in lines:
            terminalreporter.write_line(line)
