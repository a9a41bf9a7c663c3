"""`vault backup`, and the backup container's format.

A backup is the vault's SQLite file, taken with SQLite's online backup API,
inside a small container that carries a digest of its whole content (see
docs/format.md, section 11). It needs no passphrase. Reading a container
back (`unpack_backup`) is here too, beside the code that writes one.
Never imports typer or rich.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import paths
from ..errors import IntegrityError, Refused, UsageError, VaultError
from ..models import iso
from ..vaultfile import witness
from ..vaultfile.ledger import record_locked
from ..vaultfile.store import Store
from ..vaultfile.unlocked import UnlockedVault
from .transaction import now_utc, refuse_rollback

BACKUP_MAGIC = b"client-vault-backup\n"
BACKUP_VERSION = 2  # reads 1 too (its digest left the version out)
_PREFIX = struct.Struct(">20sH32sQ")  # magic, version, BLAKE2b-256 digest, image length
CHUNK = 1024 * 1024


# -- backup ------------------------------------------------------------------

@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    digest: str        # the container's digest field (docs/format.md section 11), hex
    sha256: str        # of the whole file, to check it with standard tools
    created: datetime
    created_folder: Path | None = None   # the folder made for it (0700), if any


def backup_name(now: datetime) -> str:
    return f"vault-{now.strftime('%Y%m%dT%H%M%SZ')}.vaultbackup"


def backup(store: Store, dest: str | Path, overwrite: bool = False,
           now: datetime | None = None, key: bytes | None = None) -> BackupInfo:
    """A consistent snapshot, taken while other processes may be writing.
    Recorded in the log (unsigned, sealed to the vault's box key) before the
    finished file is moved into place: if it cannot be recorded, no file
    appears, and a file that `overwrite` would have replaced stays as it was.
    With `key` (the agent's, in its worker), everything the state commitment
    binds is checked first, as `vault check` does: a vault whose rows do not
    match its sealed state is refused (exit 5) and nothing is written.
    Without it (cron, no agent), nothing can be checked without the passphrase.
    """
    now = now_utc(now)
    dest = backup_destination(dest, store.path, overwrite, now)
    if key is not None:
        verify_before_copy(store, key)
    folder = _make_folder(dest.parent)
    try:
        info = _write(store, dest, overwrite, now)
    except BaseException:
        if folder is not None:   # no backup, no new folder
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return dataclasses.replace(info, created_folder=folder)


def _write(store: Store, dest: Path, overwrite: bool, now: datetime) -> BackupInfo:
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
                    with witness.locked_write(store):
                        record_locked(store, "backup", {
                            "path": str(dest), "time": iso(now), "bytes": info.size,
                            "digest": info.digest}, now=now)
        except OSError as e:
            raise VaultError("cannot write the backup: "
                             f"{(e.strerror or 'error').lower()}") from None
    return info


def verify_before_copy(store: Store, key: bytes) -> None:
    """The log's head, the rollback witness, and every row and note against
    the sealed state, in one snapshot (the copy is taken after it: a write in
    between is an ordinary command's, or one `restore` would refuse)."""
    session = UnlockedVault.from_agent(store, key)
    if session is None:
        return   # the key no longer opens this vault: as without it
    with store.read():
        session.ledger.check_head()
        refuse_rollback(session)
        session.verify_all()


def backup_destination(dest: str | Path, vault: Path, overwrite: bool,
                       now: datetime) -> Path:
    """The file `vault backup DEST` writes, checked before anything is copied.
    A folder gets a timestamped name; a name ending in a slash is a folder.
    The folder the file goes in may be missing (`backup` creates it), but not
    the folder above that: a mistyped or unmounted path fails instead of
    growing a tree of folders. The vault's own files are refused whatever
    `overwrite` says (UsageError, exit 2): replacing one destroys the vault."""
    text = os.fspath(dest)
    target = Path(text)
    if target.is_dir():
        target = target / backup_name(now)
    elif text.endswith(("/", os.sep)):
        if target.exists() or target.is_symlink():
            raise VaultError(f"{text} is not a folder",
                             hint="give a folder, or the name of a file")
        target = target / backup_name(now)
    target = target.absolute()
    if paths.is_vault_file(target, vault):
        raise UsageError(f"{target} is the vault itself or a file SQLite keeps beside "
                         "it; nothing was written",
                         hint="back up to another file, or to a folder")
    folder = target.parent
    if not folder.is_dir() and (folder.exists() or folder.is_symlink()):
        raise VaultError(f"cannot write the backup: {folder} is not a folder")
    if not folder.is_dir() and not folder.parent.is_dir():
        raise VaultError(f"cannot write the backup: there is no folder {folder.parent}",
                         hint="create it first; only the backup's own folder is created")
    if (target.exists() or target.is_symlink()) and not overwrite:
        raise Refused(f"{target} already exists; it was left untouched",
                      hint="add --force to replace it")
    return target


def _make_folder(folder: Path) -> Path | None:
    """The backup's folder, created 0700 if it is missing (its parent was
    checked); the folder if this call made it, else None."""
    if folder.is_dir():
        return None
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        if folder.is_dir():   # made meanwhile by someone else: theirs
            return None
        raise VaultError(f"cannot write the backup: {folder} is not a folder") from None
    except OSError as e:
        raise VaultError(f"cannot create the folder {folder}: "
                         f"{(e.strerror or 'error').lower()}") from None
    os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask
    paths.sync_dir(folder.parent)
    return folder


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


@dataclass(frozen=True)
class Unpacked:
    """The backup file a restore came from, as a `backup` record names it."""
    path: Path
    size: int
    digest: str


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


# -- scratch files beside the vault ----------------------------------------

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
