"""Keeping a vault safe for years: passphrase changes, full checks, backups
and restores.

A backup is the vault's SQLite file, taken with SQLite's online backup API,
inside a small container that carries a digest of its whole content (see
docs/format.md, section 11). It needs no passphrase; restoring needs the
backup's. A restore keeps what the replaced vault knew that the backup
cannot: its tombstones and its records of the backups made.
Never imports typer or rich.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..vaultfile import audit
from .. import paths
from .transaction import command, now_utc
from ..errors import IntegrityError, Refused, UsageError, VaultError
from ..models import KdfParams
from ..codec import parse_iso
from ..models import iso
from ..vaultfile.unlocked import Session, record_locked
from ..vaultfile.store import Store

BACKUP_MAGIC = b"client-vault-backup\n"
BACKUP_VERSION = 2  # reads 1 too (its digest left the version out)
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
        session.log("passwd", now=now_utc(now), detail={
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
    digest: str        # the container's digest field (docs/format.md section 11), hex
    sha256: str        # of the whole file, to check it with standard tools
    created: datetime


def backup_name(now: datetime) -> str:
    return f"vault-{now.strftime('%Y%m%dT%H%M%SZ')}.vaultbackup"


def backup(store: Store, dest: str | Path, overwrite: bool = False,
           now: datetime | None = None) -> BackupInfo:
    """A consistent snapshot, taken while other processes may be writing.
    Recorded in the log (unsigned, sealed to the vault's box key) before the
    finished file is moved into place: if it cannot be recorded, no file
    appears, and a file that `overwrite` would have replaced stays as it was."""
    now = now_utc(now)
    dest = backup_destination(dest, store.path, overwrite, now)
    with scratch(store.path, "backup") as snapshot:
        try:
            _new_private_file(snapshot)
            store.snapshot_to(snapshot)
            length = snapshot.stat().st_size
            head = _PREFIX.pack(BACKUP_MAGIC, BACKUP_VERSION, bytes(32), length)
            with open(snapshot, "rb") as image:
                hasher = _hasher(BACKUP_VERSION, head)
                for chunk in iter(lambda: image.read(CHUNK), b""):
                    hasher.update(chunk)
                digest = hasher.digest()
                image.seek(0)
                prefix = head[:22] + digest + head[54:]
                sha = hashlib.sha256(prefix)
                with paths.private_output(dest, overwrite) as out:
                    out.write(prefix)
                    for chunk in iter(lambda: image.read(CHUNK), b""):
                        out.write(chunk)
                        sha.update(chunk)
                    info = BackupInfo(dest, _PREFIX.size + length, digest.hex(),
                                      sha.hexdigest(), now)
                    # Before the move: a failure here leaves no file. A move
                    # that fails after it leaves a record of a file that is not
                    # there, which can only make `shred` name one path too many.
                    with store.write():
                        record_locked(store, "backup", {
                            "path": str(dest), "time": iso(now), "bytes": info.size,
                            "digest": info.digest}, now=now)
        except OSError as e:
            raise VaultError("cannot write the backup: "
                             f"{(e.strerror or 'error').lower()}") from None
    return info


def backup_destination(dest: str | Path, vault: Path, overwrite: bool,
                       now: datetime) -> Path:
    """The file `vault backup DEST` writes, checked before anything is copied.
    A folder gets a timestamped name; a name ending in a slash must be a
    folder. The vault's own files are refused whatever `overwrite` says
    (UsageError, exit 2): replacing one destroys the vault."""
    text = os.fspath(dest)
    target = Path(text)
    if target.is_dir():
        target = target / backup_name(now)
    elif text.endswith(("/", os.sep)):
        raise VaultError(f"there is no folder {text}",
                         hint="create it first, or give the name of a file")
    target = target.absolute()
    if paths.is_vault_file(target, vault):
        raise UsageError(f"{target} is the vault itself or a file SQLite keeps beside "
                         "it; nothing was written",
                         hint="back up to another file, or to a folder")
    if not target.parent.is_dir():
        raise VaultError(f"cannot write the backup: there is no folder {target.parent}")
    if (target.exists() or target.is_symlink()) and not overwrite:
        raise Refused(f"{target} already exists; it was left untouched",
                      hint="add --force to replace it")
    return target


def _hasher(version: int, prefix: bytes) -> Any:
    """The digest of a container, fed its prefix; the caller adds the image.
    From version 2 it covers everything but the digest field itself (magic,
    version, length, image); version 1's covered only length and image, so
    damage to its version field looked like a newer format."""
    if version == 1:
        h = hashlib.blake2b(digest_size=32, person=b"cv-backup-v1")
    else:
        h = hashlib.blake2b(digest_size=32, person=b"cv-backup-v2")
        h.update(prefix[:22])
    h.update(prefix[54:62])
    return h


def _new_private_file(path: Path) -> None:
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as e:
        raise VaultError("cannot create a temporary file beside the vault: "
                         f"{(e.strerror or 'error').lower()}") from None


# -- restore -----------------------------------------------------------------

@dataclass(frozen=True)
class Restored:
    clients: int
    notes: int
    dropped: int        # clients shredded after the backup was made
    replaced: bool      # whether a vault was there before
    backups_carried: int = 0     # backup records added to the restored log
    backups_unreadable: int = 0  # records of the replaced vault that did not open


@dataclass(frozen=True)
class Unpacked:
    """The backup file a restore came from, as a `backup` record names it."""
    path: Path
    size: int
    digest: str


@dataclass(frozen=True)
class Replaced:
    """What a restore must keep of the vault it replaces, read without a
    passphrase: its tombstones, and its `backup` log entries with their
    details still sealed (the restored vault's keys open them when it is the
    same vault)."""
    exists: bool
    vault_id: bytes | None = None
    tombstones: tuple[tuple[bytes, str], ...] = ()
    backup_rows: tuple[tuple, ...] = ()
    # The replaced log's last entry (seq, entry hash): its entries since the
    # backup are lost with it, so the `restore` entry names what it replaced.
    log_head: tuple[int, bytes] | None = None


def read_replaced(path: Path) -> Replaced:
    """Fails closed: a vault that cannot be read cannot say whom it shredded."""
    if not path.exists():
        return Replaced(False)
    try:
        store = Store.open(path)
        try:
            with store.read():
                vault_id = store.header().vault_id
                last = store.last_log_row()
                head = None if last is None else (
                    last[0], audit.entry_hash(audit.from_row(last), vault_id))
                return Replaced(True, vault_id, tuple(store.tombstones()),
                                tuple(store.log_rows_of("backup")), head)
        finally:
            store.close()
    except IntegrityError:
        raise IntegrityError(
            "the vault to be replaced is damaged, so the clients shredded in it cannot "
            "be kept out of the restore; nothing was restored",
            hint="to restore anyway, move the damaged vault and its -wal file aside "
                 "first: clients shredded since the backup was made then come back") from None


def unpack_backup(src: Path, out: Path) -> Unpacked:
    """Check the container, copying its image to `out` (created 0600) in the
    same pass; `out` is removed again unless every check passed. Nothing in
    the file is trusted before its digest matches, the version included."""
    try:
        f = open(src, "rb")
    except OSError as e:
        raise VaultError(f"cannot read the backup: {(e.strerror or 'error').lower()}") from None
    with f:
        prefix = f.read(_PREFIX.size)
        if len(prefix) < _PREFIX.size or not prefix.startswith(BACKUP_MAGIC):
            raise IntegrityError("not a vault backup (or its first bytes are damaged)")
        _, version, digest, length = _PREFIX.unpack(prefix)
        size = os.fstat(f.fileno()).st_size
        if size != _PREFIX.size + length:
            raise IntegrityError("the backup is truncated or has bytes added "
                                 f"({size} bytes, expected {_PREFIX.size + length})")
        _new_private_file(out)
        try:
            hasher = _hasher(version, prefix)
            with open(out, "wb") as image:
                for chunk in iter(lambda: f.read(CHUNK), b""):
                    hasher.update(chunk)
                    image.write(chunk)
                # Every version keeps this prefix and, from version 2, this
                # digest: a version this program does not know is a newer
                # backup only if the digest over it matches, damage otherwise.
                if not hmac.compare_digest(hasher.digest(), digest):
                    raise IntegrityError("the backup is damaged: its content does not "
                                         "match its digest")
                if version > BACKUP_VERSION:
                    raise VaultError(f"this backup has format version {version}; this "
                                     f"program reads up to version {BACKUP_VERSION}",
                                     hint="upgrade client-vault")
                if version < 1:
                    raise IntegrityError(f"the backup has an unknown format version {version}")
                image.flush()
                os.fsync(image.fileno())
        except BaseException:
            out.unlink(missing_ok=True)
            raise
    return Unpacked(src.absolute(), size, digest.hex())


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
                    progress: Progress | None = None, *,
                    previous: Replaced | None = None,
                    source: Unpacked | None = None) -> Restored:
    """On the unpacked copy: check every row and the log, then drop clients
    shredded since the backup, carry every tombstone and every backup record
    over, in one transaction with its log entries."""
    report = check(session, progress)
    if not report.ok:
        raise IntegrityError("the backup failed its check; the vault was left as it was:\n  "
                             + "\n  ".join(report.problems[:20]))
    now = now_utc(now)
    session.store.use_wal()
    gone = {uid for uid, _ in tombstones}
    with command(session):
        dropped = [c for c in session.clients() if c.uid in gone]
        notes = 0
        for c in dropped:
            notes += session.destroy_client(c, now.date().isoformat())
        session.store.add_tombstones(tombstones)
        detail: dict[str, Any] = {
            "clients": report.clients - len(dropped), "notes": report.notes - notes,
            "dropped": len(dropped), "replaced": replaced}
        if previous is not None and previous.log_head is not None:
            # The replaced log's entries after the backup (views, exports:
            # the accounting of disclosures) go with it; say which head was
            # replaced and, for the same vault, how many entries that was.
            seq, entry_hash = previous.log_head
            last = session.store.last_log_row()
            same = previous.vault_id == session.vault_id and last is not None
            detail["replaced_log"] = {
                "seq": seq, "hash": entry_hash.hex(),
                "entries_lost": max(0, seq - last[0]) if same else None}
        session.log("restore", now=now, detail=detail)
        carried, unreadable = _carry_backups(session, previous, source, now)
        if dropped:
            session.rotate_master()
    session.store.erase_freed()
    return Restored(report.clients - len(dropped), report.notes - notes, len(dropped),
                    replaced, carried, unreadable)


def _carry_backups(session: Session, previous: Replaced | None, source: Unpacked | None,
                   now: datetime) -> tuple[int, int]:
    """The backup's log knows only the backups made before it. Record again,
    as new signed `backup` entries at the end of the restored log, every
    backup the replaced vault knew (if it is the same vault) and the file
    restored from: they may hold clients of the restored vault, and `vault
    shred` must still name them. The chain is extended, never edited.
    Returns (records added, records of the replaced vault that did not open)."""
    seen = {_record_key(r) for r in _backup_records(session,
                                                    session.store.log_rows_of("backup"))[0]}
    found, unreadable = [], 0
    if previous is not None and previous.vault_id == session.vault_id:
        found, unreadable = _backup_records(session, previous.backup_rows)
    if source is not None:
        # Every client of the restored vault was created before the restore,
        # and none created after it is in that file: the restore's time is
        # exact for `shred`'s "made after the client was created".
        found.append({"path": str(source.path), "time": iso(now), "bytes": source.size,
                      "digest": source.digest})
    carried = 0
    for record in found:
        if _record_key(record) in seen:
            continue
        seen.add(_record_key(record))
        session.log("backup", now=now, detail={**record, "carried_over": True})
        carried += 1
    return carried, unreadable


def _backup_records(session: Session, rows: Iterable[tuple]) -> tuple[list[dict[str, Any]], int]:
    """(path, time, bytes, digest) of each `backup` entry, and how many did
    not open. An entry from before the vault had a box key has no detail."""
    records, unreadable = [], 0
    for row in rows:
        try:
            detail = session.open_detail(audit.from_row(row))
            if detail is None:
                continue
            path, when = detail.get("path"), detail.get("time")
            parse_iso(when)
            if not isinstance(path, str):
                raise IntegrityError("malformed record")
        except VaultError:
            unreadable += 1
            continue
        record: dict[str, Any] = {"path": path, "time": when}
        for key, kind in (("bytes", int), ("digest", str)):
            if isinstance(detail.get(key), kind):
                record[key] = detail[key]
        records.append(record)
    return records, unreadable


def _record_key(record: dict[str, Any]) -> tuple[str, str]:
    return record["path"], record.get("digest") or record["time"]


def swap_in(restored: Path, path: Path, expected: Replaced | None = None) -> None:
    """Replace the vault at `path` with the finished file `restored` in one
    rename. With `expected` (what read_replaced found at the start), refuses
    if a shred or backup was recorded meanwhile: the restored copy would lose
    it. The current vault's WAL is emptied first and must stay empty: a stale
    WAL beside the new file would be replayed into it."""
    if expected is not None and read_replaced(path) != expected:
        raise Refused("the vault changed while the restore ran (a vault was created, or a "
                      "shred or backup was recorded); nothing was restored",
                      hint="run the restore again")
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
    """A temporary file name beside the vault, removed with its companions.
    Copies a killed process left under this purpose are removed first: they
    hold the vault's ciphertext as it was, perhaps of a client shredded since."""
    _remove_stale(path, purpose)
    temp = path.with_name(f".{path.name}.{purpose}-{os.getpid()}")
    try:
        yield temp
    finally:
        for p in paths.companions(temp):
            p.unlink(missing_ok=True)


def _remove_stale(path: Path, purpose: str) -> None:
    prefix = f".{path.name}.{purpose}-"
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        if not name.startswith(prefix):
            continue
        pid = name[len(prefix):].split("-", 1)[0]
        if (not pid.isdigit()
                or name[len(prefix) + len(pid):] not in ("", "-wal", "-shm", "-journal")):
            continue
        if int(pid) == os.getpid() or not _running(int(pid)):
            with contextlib.suppress(OSError):
                (path.parent / name).unlink()


def _running(pid: int) -> bool:
    if os.name != "posix":
        return True  # no safe probe (os.kill would end the process): keep the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process
    return True
