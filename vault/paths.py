"""Where the vault lives, and the file modes it must keep.

`--vault PATH` wins, then `VAULT_PATH`, then the platform's user data folder.
The folder is 0700 and every file in it 0600 (SQLite gives the -wal and -shm
files the mode of the main file).
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

# The agent's thin client imports this module: `typing` (3 ms a process) only for
# the type checker.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO

from .errors import Refused, UsageError, VaultError

FILE_NAME = "vault.sqlite"


def resolve(option: str | None) -> Path:
    if option:
        path = _expanded(option)
    elif os.environ.get("VAULT_PATH"):
        path = _expanded(os.environ["VAULT_PATH"])
    else:
        path = default_folder() / FILE_NAME
    if path.is_dir():
        raise UsageError("the vault path is a folder; give the path of the vault file",
                         hint=f"for example {path / FILE_NAME}")
    return path


def _expanded(spelled: str) -> Path:
    try:
        return Path(spelled).expanduser()
    except RuntimeError:   # ~name of no user, or no home folder
        raise UsageError("the vault path starts with ~ but names no home folder",
                         hint="give the full path of the vault file") from None


def default_folder() -> Path:
    """The user data folder, as platformdirs names it. On Linux worked out
    here with the standard library (the agent's thin client resolves the
    vault before anything else loads: $XDG_DATA_HOME when absolute, else
    ~/.local/share); elsewhere platformdirs' answer."""
    import sys
    if sys.platform.startswith("linux"):
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = xdg if os.path.isabs(xdg) else os.path.expanduser("~/.local/share")
        return Path(base) / "client-vault"
    from platformdirs import user_data_dir  # lazy: keeps --help fast
    return Path(user_data_dir("client-vault", appauthor=False))


def witness_file(vault_id: bytes, vault: Path) -> Path:
    """Where this machine keeps the witness of the vault at `vault` (see
    docs/format.md, "Witness file"): the user's state folder, one file per
    vault id and real path, so that a copy elsewhere has a witness of its own."""
    import hashlib  # here: the thin client does not need it

    from platformdirs import user_state_dir  # lazy: keeps --help fast
    tag = hashlib.sha256(os.fsencode(_real(vault))).hexdigest()[:16]
    return Path(user_state_dir("client-vault", appauthor=False)) / "witness" / \
        f"{vault_id.hex()}-{tag}"


def capture_key_file(vault_id: bytes) -> Path:
    """Where this machine keeps the capture key of the vault with this id
    (docs/format.md, "Capture key"): the user's config folder, one file per
    vault id, so that every copy of one vault seals with the same key."""
    from platformdirs import user_config_dir  # lazy: keeps --help fast
    return Path(user_config_dir("client-vault", appauthor=False)) / "capture" / vault_id.hex()


def companions(path: Path) -> list[Path]:
    """The vault file and the files SQLite keeps beside it."""
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]


def make_private_dir(folder: Path) -> None:
    """Create the vault's folder 0700. A folder that already exists is the
    user's (their home, say) and keeps its mode: the files in it are 0600."""
    if folder.is_dir():
        return
    try:
        folder.mkdir(mode=0o700, parents=True)
    except OSError as e:
        raise VaultError(f"cannot create the vault folder: {e.strerror}") from None
    os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask


def create_private_file(path: Path) -> None:
    """Create an empty 0600 file, refusing to reuse one that exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Refused("a vault already exists here; it was left untouched") from None
    except OSError as e:
        raise VaultError(f"cannot create the vault file: {e.strerror}") from None
    os.close(fd)


@contextlib.contextmanager
def private_output(dest: Path, overwrite: bool = False) -> Iterator[BinaryIO]:
    """A new 0600 file at `dest`, written through a temporary file beside it
    and moved into place only when complete and synced: a failed or
    interrupted write leaves no file, and no half-written one. Never replaces
    an existing file unless `overwrite`."""
    if (dest.exists() or dest.is_symlink()) and not overwrite:
        raise Refused(f"{dest} already exists; it was left untouched",
                      hint="add --force to replace it")
    temp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        raise VaultError(f"cannot create {dest}: {(e.strerror or 'error').lower()}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        try:
            if overwrite:
                os.replace(temp, dest)
            else:
                os.link(temp, dest)  # fails if dest appeared meanwhile
        except FileExistsError:
            raise Refused(f"{dest} already exists; it was left untouched",
                          hint="add --force to replace it") from None
        sync_dir(dest.parent)
    except OSError as e:
        raise VaultError(f"cannot write {dest}: {(e.strerror or 'error').lower()}") from None
    finally:
        temp.unlink(missing_ok=True)


def replace_small_file(file: Path, data: bytes, durable: bool) -> bool:
    """Replace a small file of our own (the rollback witness, the capture
    key) atomically: a temporary file in the same folder, renamed, so a crash
    leaves the old file or the new one. The folder is made 0700, the file is
    0600 (mkstemp's mode). `durable` syncs the file and the folder. False if
    it could not be written: the caller goes on without it."""
    import tempfile  # here: the agent's thin client imports this module
    folder = file.parent
    try:
        if not folder.is_dir():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)   # mkdir's mode is filtered by the umask
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{file.name}.", suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(temp, file)
    except OSError:
        Path(temp).unlink(missing_ok=True)
        return False
    if durable:
        sync_dir(folder)
    return True


def sync_dir(folder: Path) -> None:
    """Make a rename or link in `folder` durable."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def loose_modes(path: Path) -> list[Path]:
    """Files of the vault that others than the owner could read."""
    loose = []
    for p in companions(path):
        try:
            mode = stat.S_IMODE(p.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            loose.append(p)
    return loose


def is_vault_file(target: Path, vault: Path) -> bool:
    """Whether `target` is the vault or one of its -wal, -shm, -journal files:
    the same path once symlinks are resolved (which also covers companions
    that do not exist yet), or the same file (device and inode: a hard link,
    or a path through a symlinked folder)."""
    where = _real(target)
    try:
        mine = os.stat(target)
    except OSError:
        mine = None
    for p in companions(vault) + companions(_real(vault)):
        if _real(p) == where:
            return True
        if mine is not None:
            try:
                if os.path.samestat(mine, os.stat(p)):
                    return True
            except OSError:
                pass
    return False


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return path.absolute()
