"""The log walk of `vault check` on the other core.

A second Python process reads the log through a connection of its own and
walks it (audit.verify_known) while the caller decrypts every note. The
walk is pure Python, so a thread would share the GIL with the decryption;
a forked child would carry SQLite's connections and locks across the fork,
which SQLite forbids; so the child is a new interpreter (about 0.1 s to
start, which is why small logs are walked in process).

Nothing secret crosses: the child is given the vault's path and id, its
public key, the anchors the log must contain and this machine's
verified-through record (sequence numbers and hashes), and answers with
the walk's findings. Its read snapshot is its own: it first compares the
log's tail with the one the caller saw in its snapshot and answers "moved"
if another process wrote in between. Then, and on any failure of the child
(it could not start, died, or said something malformed), the caller walks
its own snapshot itself: the result is always the walk of the caller's
snapshot.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..models import VerifyReport
from . import audit
from .store import Store

MIN_ENTRIES = 5_000      # smaller logs are walked in process
PYTHON = sys.executable  # seam for tests: the interpreter the child runs
_CHILD = "from vault.vaultfile.aside import main; main()"


def _hex(b: bytes | None) -> str | None:
    return None if b is None else b.hex()


def tail(store: Store) -> list[Any]:
    """What a write by another process would change: the newest log row and
    how many rows are unsigned (signing pending entries edits rows in place)."""
    last = store.last_log_row()
    row = None if last is None else [v.hex() if isinstance(v, bytes) else v for v in last]
    return [row, len(store.unsigned_log_rows())]


class Walk:
    """The walk started in a child now; result() waits for it. None from
    result() means: walk in process."""

    def __init__(self, store: Store, vault_id: bytes, public_key: bytes,
                 anchors: tuple[audit.Anchor, ...], known: audit.Verified | None) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        last = store.last_log_row()
        if last is None or not isinstance(last[0], int) or last[0] < MIN_ENTRIES:
            return
        request = json.dumps({
            "path": str(store.path), "vault_id": vault_id.hex(), "key": public_key.hex(),
            "anchors": [[a.seq, a.hash.hex(), a.name] for a in anchors],
            "known": None if known is None else [known.seq, known.entry_hash.hex(),
                                                 known.signatures.hex()],
            "tail": tail(store)}).encode()
        try:
            # The child needs none of the settings `vault` reads (a passphrase
            # file or command among them): it is told all it needs on stdin.
            env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
            self._proc = subprocess.Popen([PYTHON, "-c", _CHILD], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                          env=env)
            assert self._proc.stdin is not None
            self._proc.stdin.write(request)   # a few hundred bytes: within the pipe's buffer
            self._proc.stdin.close()
            self._proc.stdin = None   # else communicate() flushes the closed pipe
        except OSError:
            self.cancel()

    def result(self) -> audit.Verification | None:
        if self._proc is None:
            return None
        try:
            out, _ = self._proc.communicate()
            if self._proc.returncode != 0:
                return None
            return _verification(json.loads(out))
        except (ValueError, TypeError, KeyError, IndexError, OSError):
            return None
        finally:
            self.cancel()

    def cancel(self) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait()
            for f in (self._proc.stdin, self._proc.stdout):
                if f is not None and not f.closed:
                    f.close()
            self._proc = None


def _verification(d: Any) -> audit.Verification | None:
    """The child's answer, checked field by field; None for "moved"."""
    if d.get("moved"):
        return None
    r = d["report"]
    ints = ("entries", "signed", "unsigned_tail", "head_seq")
    if not (all(type(r[k]) is int for k in ints)
            and isinstance(r["problems"], list) and all(isinstance(p, str) for p in r["problems"])
            and type(d["verified"]) is int and type(d["known"]) is int):
        raise ValueError("malformed answer")
    report = VerifyReport(**{k: r[k] for k in ints}, head_hash=bytes.fromhex(r["head_hash"]),
                          problems=list(r["problems"]))
    reached = d["reached"]
    return audit.Verification(report, d["verified"], d["known"], None if reached is None else
                              audit.Verified(int(reached[0]), bytes.fromhex(reached[1]),
                                             bytes.fromhex(reached[2])))


def main() -> None:
    """The child: one request on stdin, one answer on stdout."""
    req = json.loads(sys.stdin.buffer.read())
    anchors = tuple(audit.Anchor(seq, bytes.fromhex(h), name) for seq, h, name in req["anchors"])
    k = req["known"]
    known = None if k is None else audit.Verified(k[0], bytes.fromhex(k[1]), bytes.fromhex(k[2]))
    store = Store.open(Path(req["path"]), read_only=True)
    try:
        with store.read():
            if tail(store) != req["tail"]:
                answer: dict[str, Any] = {"moved": True}
            else:
                done = audit.verify_known(store.log_rows, bytes.fromhex(req["vault_id"]),
                                          bytes.fromhex(req["key"]), anchors, known)
                r = done.report
                answer = {"report": {"entries": r.entries, "signed": r.signed,
                                     "unsigned_tail": r.unsigned_tail, "head_seq": r.head_seq,
                                     "head_hash": r.head_hash.hex(), "problems": r.problems},
                          "verified": done.verified, "known": done.known,
                          "reached": None if done.reached is None else
                          [done.reached.seq, done.reached.entry_hash.hex(),
                           done.reached.signatures.hex()]}
    finally:
        store.close()
    sys.stdout.write(json.dumps(answer))
