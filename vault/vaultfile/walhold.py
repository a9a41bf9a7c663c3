"""One idle SQLite connection to the vault, held open by a small process of
its own while an agent serves the vault (agent/server.py starts and stops
it), so that no command's connection is the vault's last one.

Why: the last connection to close a WAL-mode file copies the WAL into the
file, syncs both and deletes the WAL; the next write creates the WAL again
and its first sync grows the file (a journal commit of the file system).
Each command through the agent paid both: about 6 ms of a 25 ms `vault add`
(docs/performance.md). With this connection open, the WAL stays between
commands; SQLite checkpoints it when it passes 1,000 pages, as always, and
`journal_size_limit` (sqlfile.py) keeps its file small after each reset.

What it is not allowed to do: hold a snapshot (it reads once, in
autocommit, then only waits), so a writer's checkpoint and the
`wal_checkpoint(TRUNCATE)` of redact, shred and restore (erase_freed) are
never kept from finishing; hold a key (it is a fresh interpreter, `-I -S`,
reading nothing but the file's schema); outlive the agent (it exits at end
of file on its stdin, which only the agent holds: when the agent exits,
however it exits, the pipe closes). Its connection is its own process's,
never one carried across a fork (SQLite forbids that): the agent forks its
workers and must hold no open connection when it does.

When it closes last (the agent locked, timed out or was killed), its close
is the ordinary one: the WAL is copied into the file, synced and deleted.
If the file was replaced meanwhile (restore), SQLite sees that its file was
moved and neither copies nor deletes (`databaseIsUnmoved`), and the agent
has locked anyway (server.py checks the file's identity).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import subprocess
import sys
import urllib.parse
from pathlib import Path

# Run as `python -I -S -c HOLD URI DEVICE INODE PATH`: no site, no environment,
# standard library only. Opens the file read-write (never creates it), in
# WAL mode or not at all, checks it is the file the agent verified, says
# "held", then waits for the end of its stdin and closes.
HOLD = r"""
import os, signal, sqlite3, sys
for s in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM, signal.SIGPIPE):
    signal.signal(s, signal.SIG_IGN if s != signal.SIGTERM else signal.SIG_DFL)
uri, device, inode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=1.0)
    db.execute("PRAGMA synchronous=FULL")
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        raise SystemExit(3)
    db.execute("SELECT count(*) FROM sqlite_master").fetchall()
    st = os.stat(sys.argv[4])
    if (st.st_dev, st.st_ino) != (device, inode):
        raise SystemExit(4)
except (sqlite3.Error, OSError):
    raise SystemExit(5)
os.write(1, b"held\n")
os.close(1)
while os.read(0, 4096):
    pass
db.close()
"""


class WalHold:
    """The holding process: started with start(), ended with close()."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process

    @property
    def fds(self) -> tuple[int, ...]:
        """The agent's end of the holder's stdin: a forked worker closes it,
        so that the holder sees the end of file when the agent exits."""
        stdin = self.process.stdin
        return () if stdin is None or stdin.closed else (stdin.fileno(),)

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self, timeout_s: float = 5.0) -> None:
        """End the holder and wait for it: its close is the last one unless
        a command still runs, and then that command's close is."""
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(path: Path, device: int, inode: int, timeout_s: float = 5.0) -> WalHold | None:
    """Hold the vault at `path` open, if it is still the file (device,
    inode) and in WAL mode; None if the holder could not (the agent works
    the same without it, only slower)."""
    resolved = os.fsencode(path.resolve())
    uri = "file:" + urllib.parse.quote(resolved) + "?mode=rw"
    try:
        process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", HOLD, uri, str(device), str(inode),
             os.fsdecode(resolved)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            close_fds=True, env={})
    except OSError:
        return None
    hold = WalHold(process)
    ready = b""
    with contextlib.suppress(OSError, ValueError):
        assert process.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(process.stdout, selectors.EVENT_READ)
            if sel.select(timeout_s):
                ready = process.stdout.readline()
        process.stdout.close()
    if ready != b"held\n":
        hold.close(timeout_s)
        return None
    return hold
