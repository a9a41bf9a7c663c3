"""Assertions shared by the CLI tests: what success and failure look like."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator


def ok(result):
    """Exit 0; returns the result for chaining."""
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return result


def assert_one_error_line(stderr: str) -> None:
    """stderr on failure: `vault: ` lines only (warnings allowed), exactly one error."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert lines and all(line.startswith("vault: ") for line in lines), stderr
    assert len([line for line in lines if line.startswith("vault: error: ")]) == 1, stderr


def code(result, expected: int):
    """Exit `expected`, and never a traceback."""
    assert result.exit_code == expected, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result


@contextlib.contextmanager
def db(venv) -> Iterator[sqlite3.Connection]:
    """A connection to the vault file; autocommit, closed (and WAL folded in) on exit."""
    conn = sqlite3.connect(venv.path, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()
