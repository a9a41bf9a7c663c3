"""Assertions shared by the CLI tests: what success and failure look like."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path


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


def files_under(root: Path, since: float | None = None) -> Iterator[Path]:
    """Regular files under root (up to 50 MiB), changed since `since` if
    given: where a secrets scan looks. Walked with a stack of its own, not
    os.walk, whose recursion overflows on a tree deeper than about 1,000
    folders: another test makes one under /tmp while a scan may run."""
    stack = [str(root)]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                found = list(entries)
        except OSError:
            continue
        for entry in found:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode) or st.st_size > 50 * 1024 * 1024:
                continue
            if since is not None and max(st.st_mtime, st.st_ctime) < since:
                continue
            yield Path(entry.path)


def foreign_sqlite(path: Path, user_version: int = 0) -> None:
    """An SQLite file of somebody else's (an invoices table), claiming
    `user_version`: a file that is not a vault but opens as SQLite."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()


def converse(master: int, proc, answers, timeout: float) -> tuple[int, str]:
    """Read a child's terminal (the pty's master side) until it exits,
    typing each (prompt, answer) pair's answer once its prompt has shown.
    Polls with a deadline, and kills the child if it outlives it. Returns
    (exit code, everything the terminal showed); closes `master`."""
    import select
    import time
    output, pending, deadline = b"", list(answers), time.monotonic() + timeout
    answered_at = 0
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        if pending and pending[0][0] in output[answered_at:]:
            os.write(master, pending.pop(0)[1])
            answered_at = len(output)
        if proc.poll() is not None and not ready:
            break
    else:
        proc.kill()
    proc.wait(timeout=5)
    os.close(master)
    return proc.returncode, output.decode("utf-8", "replace")

