"""Keeping a vault safe for years: passphrase changes, full checks, backups
and restores.

A backup is the vault's SQLite file, taken with SQLite's online backup API,
inside a small container that carries a digest of its whole content (see
docs/format.md). It needs no passphrase; restoring needs the backup's.
Never imports typer or rich.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from . import audit, paths
from .core import _now, command
from .errors import IntegrityError, Refused, VaultError
from .models import KdfParams
from .session import Session, iso, record_locked
from .store import Store

BACKUP_MAGIC = b"client-vault-backup\n"
BACKUP_VERSION = 1
_PREFIX = struct.Struct(">20sH32sQ")  # magic, version, BLAKE2b-256 digest, image length
CHUNK = 1024 * 1024

Progress = Callable[[int, int], None]


# -- passwd ------------------------------------------------------------------

def passwd(session: Session, passphrase: bytes, keyfile: bytes | None,
           kdf: KdfParams | None = None, now: datetime | None = None) -> KdfParams:
    """Re-wrap the master key under a new passphrase (and key file, and KDF).
    Nothing else in the vault changes. The old wrapped key is then erased
    from the file and its WAL."""
    kdf = kdf or session.header.kdf
    with command(session):
        session.change_unlock(passphrase, kdf, keyfile)
        session.log("passwd", now=_now(now), detail={
            "kdf_memory_kib": kdf.memory_kib, "kdf_iterations": kdf.iterations,
            "keyfile": keyfile is not None})
    session.store.erase_freed()
    return kdf


# -- check -------------------------------------------------------------------

@dataclass
class CheckReport:
    clients: int = 0
    notes: int = 0
    log_entries: int = 0
    tombstones: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(session: Session, progress: Progress | None = None) -> CheckReport:
    """Decrypt and authenticate every row, verify the log against its sealed
    head, and run SQLite's own integrity check. Read-only; collects every
    problem instead of stopping at the first."""
    store, report = session.store, CheckReport()
    with store.read():
        report.problems += store.integrity_problems()
        counts = store.counts()
        total, done = counts["notes"] + counts["log"], 0
        tombstoned = {uid for uid, _ in store.tombstones()}
        report.tombstones = len(tombstoned)
        for row in store.clients():
            try:
                client = session.open_client(row)
                notes = session.notes(client)
                report.notes += len(notes)
                done += len(notes)
            except IntegrityError as e:
                report.problems.append(e.message)
            report.clients += 1
            if row.uid in tombstoned:
                report.problems.append(f"client {row.id} was shredded but is back")
            if progress:
                progress(done, total)
        try:
            head = session.head()
        except IntegrityError as e:
            report.problems.append(e.message)
            head = None
        anchors = () if head is None else (audit.Anchor(head[0], head[1],
                                                        "the vault's sealed head"),)
        if head is None and not report.problems:
            report.problems.append("the vault's record of its log head is missing")
        log = audit.verify(store.log_rows(), session.vault_id, session.header.sign_public,
                           anchors)
        report.problems += log.problems
        report.log_entries = log.entries
        for row in store.log_rows():
            try:
                session.open_detail(audit.from_row(row))
            except (IntegrityError, VaultError) as e:
                report.problems.append(e.message)
            done += 1
            if progress and done % 1000 == 0:
                progress(done, total)
        if report.notes != counts["notes"]:
            report.problems.append(f"{counts['notes'] - report.notes} note(s) belong to "
                                   "no client")
    if progress:
        progress(total, total)
    return report


# -- backup ------------------------------------------------------------------

@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    digest: str        # BLAKE2b-256 of the content after the digest field, hex
    sha256: str        # of the whole file, to check it with standard tools
    created: datetime


def backup_name(now: datetime) -> str:
    return f"vault-{now.strftime('%Y%m%dT%H%M%SZ')}.vaultbackup"


def backup(store: Store, dest: Path, overwrite: bool = False,
           now: datetime | None = None) -> BackupInfo:
    """A consistent snapshot, taken while other processes may be writing.
    Recorded in the log (unsigned, sealed to the vault's box key) only once
    complete; if it cannot be recorded, it is removed again."""
    now = _now(now)
    if dest.is_dir():
        dest = dest / backup_name(now)
    dest = dest.absolute()
    snapshot = dest.with_name(f".{dest.name}.snapshot-{os.getpid()}")
    try:
        paths.create_private_file(snapshot)
        store.snapshot_to(snapshot)
        length = snapshot.stat().st_size
        with open(snapshot, "rb") as image:
            digest = _digest(image, length)
            image.seek(0)
            sha = hashlib.sha256()
            with paths.private_output(dest, overwrite) as out:
                prefix = _PREFIX.pack(BACKUP_MAGIC, BACKUP_VERSION, digest, length)
                out.write(prefix)
                sha.update(prefix)
                for chunk in iter(lambda: image.read(CHUNK), b""):
                    out.write(chunk)
                    sha.update(chunk)
    except OSError as e:
        raise VaultError(f"cannot write the backup: {(e.strerror or 'error').lower()}") from None
    finally:
        for p in paths.companions(snapshot):
            p.unlink(missing_ok=True)
    info = BackupInfo(dest, _PREFIX.size + length, digest.hex(), sha.hexdigest(), now)
    try:
        with store.write():
            record_locked(store, "backup", {"path": str(dest), "time": iso(now),
                                            "bytes": info.size, "digest": info.digest}, now=now)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return info


def _digest(image: BinaryIO, length: int) -> bytes:
    h = hashlib.blake2b(digest_size=32, person=b"cv-backup-v1")
    h.update(struct.pack(">Q", length))
    for chunk in iter(lambda: image.read(CHUNK), b""):
        h.update(chunk)
    return h.digest()


# -- restore -----------------------------------------------------------------

@dataclass(frozen=True)
class Restored:
    clients: int
    notes: int
    dropped: int        # clients shredded after the backup was made
    replaced: bool      # whether a vault was there before


def unpack_backup(src: Path, out: Path) -> None:
    """Check the container and its digest, then write the SQLite image to
    `out` (created 0600). Every check comes before anything is trusted."""
    try:
        f = open(src, "rb")
    except OSError as e:
        raise VaultError(f"cannot read the backup: {(e.strerror or 'error').lower()}") from None
    with f:
        prefix = f.read(_PREFIX.size)
        if len(prefix) < _PREFIX.size or not prefix.startswith(BACKUP_MAGIC):
            raise IntegrityError("not a vault backup (or its first bytes are damaged)")
        _, version, digest, length = _PREFIX.unpack(prefix)
        if version != BACKUP_VERSION:
            raise VaultError(f"this backup has format version {version}; this program "
                             f"reads version {BACKUP_VERSION}", hint="upgrade client-vault")
        size = os.fstat(f.fileno()).st_size
        if size != _PREFIX.size + length:
            raise IntegrityError("the backup is truncated or has bytes added "
                                 f"({size} bytes, expected {_PREFIX.size + length})")
        if not hmac.compare_digest(_digest(f, length), digest):
            raise IntegrityError("the backup is damaged: its content does not match its "
                                 "digest")
        paths.create_private_file(out)
        f.seek(_PREFIX.size)
        with open(out, "wb") as image:
            for chunk in iter(lambda: f.read(CHUNK), b""):
                image.write(chunk)
            image.flush()
            os.fsync(image.fileno())


def current_tombstones(path: Path) -> list[tuple[bytes, str]]:
    """The tombstones of the vault about to be replaced: plain data, read
    without a passphrase, so a restore can honour every shred."""
    if not path.exists():
        return []
    store = Store.open(path)
    try:
        with store.read():
            return store.tombstones()
    finally:
        store.close()


def current_counts(path: Path) -> int:
    """How many notes the vault about to be replaced holds (a count anyone
    holding the file can see)."""
    store = Store.open(path)
    try:
        with store.read():
            return store.counts()["notes"]
    finally:
        store.close()


def prepare_restore(session: Session, tombstones: list[tuple[bytes, str]],
                    replaced: bool, now: datetime | None = None,
                    progress: Progress | None = None) -> Restored:
    """On the unpacked copy: check every row and the log, then drop clients
    shredded since the backup and carry every tombstone over, in one
    transaction with its log entry."""
    report = check(session, progress)
    if not report.ok:
        raise IntegrityError("the backup failed its check; the vault was left as it was:\n  "
                             + "\n  ".join(report.problems[:20]))
    now = _now(now)
    session.store.use_wal()
    gone = {uid for uid, _ in tombstones}
    with command(session):
        dropped = [c for c in session.clients() if c.uid in gone]
        notes = 0
        for c in dropped:
            notes += session.destroy_client(c, now.date().isoformat())
        session.store.add_tombstones(tombstones)
        session.log("restore", now=now, detail={
            "clients": report.clients - len(dropped), "notes": report.notes - notes,
            "dropped": len(dropped), "replaced": replaced})
        if dropped:
            session.rotate_master()
    session.store.erase_freed()
    return Restored(report.clients - len(dropped), report.notes - notes, len(dropped),
                    replaced)


def swap_in(restored: Path, path: Path) -> None:
    """Replace the vault at `path` with the finished file `restored` in one
    rename. The current vault's WAL is emptied first and must stay empty: a
    stale WAL beside the new file would be replayed into it."""
    if path.exists():
        store = Store.open(path)
        try:
            if not store.erase_freed(attempts=10):
                raise Refused("another program has the vault open; nothing was restored",
                              hint="close it (another vault command, a database browser) "
                                   "and try again")
        finally:
            store.close()
        for companion in paths.companions(path)[1:]:
            if companion.exists() and companion.stat().st_size:
                raise Refused("another program opened the vault meanwhile; nothing was "
                              "restored", hint="close it and try again")
            companion.unlink(missing_ok=True)
    paths.make_private_dir(path.parent)
    os.replace(restored, path)
    paths.sync_dir(path.parent)


@contextlib.contextmanager
def scratch(path: Path, purpose: str) -> Iterator[Path]:
    """A temporary file name beside the vault, removed with its companions."""
    temp = path.with_name(f".{path.name}.{purpose}-{os.getpid()}")
    try:
        yield temp
    finally:
        for p in paths.companions(temp):
            p.unlink(missing_ok=True)
