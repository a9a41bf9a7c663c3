"""The witness: the last log entry this machine saw committed to the vault at
one path, kept outside the vault, in the user's state folder (see
docs/format.md, "Witness file"). An older copy of the whole file put back
verifies on its own; it does not hold the entry its witness names.

Needs no key: a witness is a (seq, entry hash) compared with the log rows,
as an auditor compares a checkpoint line. Reading, comparing and writing
are here; when to check and when to move it is the commands layer's.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import crypto, paths
from ..errors import IntegrityError
from . import audit
from .store import Store

MAX_BYTES = 4096
# cvw1 lines (older versions) lack the key fingerprint that cvw2 lines end with.
_LINE = re.compile(r"cvw1:([0-9a-f]{32}):([1-9][0-9]{0,18}):([0-9a-f]{64})"
                   r"|cvw2:([0-9a-f]{32}):([1-9][0-9]{0,18}):([0-9a-f]{64}):([0-9a-f]{32})")


@dataclass(frozen=True)
class Mark:
    """One log entry: its seq and entry hash, and the fingerprint of the
    log's public key when it was seen (None in a cvw1 line)."""
    seq: int
    entry_hash: bytes
    key: bytes | None = None

    def line(self, vault_id: bytes) -> str:
        if self.key is None:
            return f"cvw1:{vault_id.hex()}:{self.seq}:{self.entry_hash.hex()}\n"
        return (f"cvw2:{vault_id.hex()}:{self.seq}:{self.entry_hash.hex()}:"
                f"{self.key.hex()}\n")


def location(store: Store, vault_id: bytes) -> Path:
    return paths.witness_file(vault_id, store.path)


def head(store: Store, vault_id: bytes) -> Mark | None:
    """The newest entry of the log (call inside a transaction), None for none."""
    row = store.last_log_row()
    if row is None:
        return None
    entry = audit.from_row(row)
    return Mark(entry.seq, audit.entry_hash(entry, vault_id),
                audit.key_fingerprint(store.header().sign_public))


def read(file: Path, vault_id: bytes) -> tuple[Mark, ...] | None:
    """The entries the witness names (one, or during a restore the old and
    the new head); None if there is no witness. Raises IntegrityError if it
    does not parse or names another vault."""
    try:
        with open(file, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise IntegrityError(f"cannot read the witness file of this vault: "
                             f"{(e.strerror or 'error').lower()}", hint=str(file)) from None
    if not raw:
        return None   # what a power loss can leave of an unsynced write
    marks = []
    try:
        lines = raw.decode("ascii").splitlines()
    except UnicodeDecodeError:
        lines = []
    for line in lines:
        m = _LINE.fullmatch(line)
        g = None if m is None else (m.groups()[:3] + (None,) if m.group(1) else m.groups()[3:])
        if g is None or g[0] != vault_id.hex():
            marks = []
            break
        marks.append(Mark(int(g[1]), bytes.fromhex(g[2]),
                          None if g[3] is None else bytes.fromhex(g[3])))
    if not marks or len(raw) > MAX_BYTES:
        raise IntegrityError("the witness file of this vault is damaged",
                             hint="if nobody tampered with it, run the command once with "
                                  f"--accept-rollback to write it again ({file})")
    return tuple(marks)


def holds(store: Store, vault_id: bytes, mark: Mark) -> bool:
    """Whether the log has the entry: row `seq` with this entry hash."""
    row = store.log_row(mark.seq)
    return row is not None and crypto.equal(
        audit.entry_hash(audit.from_row(row), vault_id), mark.entry_hash)


ROLLED_BACK = ("the vault is older than this machine last saw it (log entry {seq} is "
               "missing or different): it may have been rolled back")


def behind(store: Store, vault_id: bytes, marks: tuple[Mark, ...] | None) -> Mark | None:
    """The entry the witness names when the log holds none of its entries (an
    older copy of the vault); None when it holds one, or there is no witness.
    Call inside a transaction."""
    if marks is None or any(holds(store, vault_id, m) for m in marks):
        return None
    return marks[-1]


def key_replaced(store: Store, marks: tuple[Mark, ...] | None) -> bool:
    """Whether the header's public key is not the one the witness saw: the
    whole log re-signed with another key verifies on its own."""
    fingerprint = audit.key_fingerprint(store.header().sign_public)
    return any(m.key is not None and not crypto.equal(m.key, fingerprint)
               for m in marks or ())


@contextlib.contextmanager
def locked_write(store: Store) -> Iterator[None]:
    """A write transaction of something recorded while locked (a failed
    unlock, a sealed note, a backup). After the commit the witness moves to
    the new last entry, so cutting such entries off is a rollback too; but
    only if the vault held its witness before: a rolled-back vault's witness
    stays, for the next command to report."""
    nested = store.in_transaction   # then the commit is not ours to witness
    with store.write():
        vault_id = store.header().vault_id
        file = location(store, vault_id)
        try:
            marks = read(file, vault_id)
            moves = store.witnessed and not nested and behind(store, vault_id, marks) is None \
                and not key_replaced(store, marks)
        except IntegrityError:
            moves = False
        yield
        mark = head(store, vault_id) if moves else None
    if mark is not None:
        write(file, vault_id, mark)


def write(file: Path, vault_id: bytes, *marks: Mark, durable: bool = False) -> bool:
    """Replace the witness with these entries, atomically (a temporary file in
    the same folder, renamed): a crash leaves the old witness or the new one.
    Only `durable` writes are synced (a restore's, whose order matters): after
    a power loss an ordinary write may be lost, which leaves an older witness
    naming an older committed entry, or an empty file, read as no witness.
    Syncing every command's write cost about 1 ms a command. The folder is
    made 0700, the file 0600. Returns False if it could not be written (the
    caller goes on: the witness is then only older)."""
    return paths.replace_small_file(
        file, "".join(m.line(vault_id) for m in marks).encode("ascii"), durable)
