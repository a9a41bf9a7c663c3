"""Compose a note in $VISUAL or $EDITOR without leaving it on disk.

The draft lives in a private 0700 folder in RAM (/dev/shm, else
$XDG_RUNTIME_DIR) and is overwritten with zeros and removed afterwards,
together with anything the editor left beside it (swap or backup files),
even when the editor fails.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import VaultError
from . import ui


def ram_folder() -> str | None:
    for candidate in ("/dev/shm", os.environ.get("XDG_RUNTIME_DIR")):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK):
            return candidate
    return None


def _wipe(folder: Path) -> None:
    for path in folder.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink():
                size = path.stat().st_size
                with open(path, "r+b") as f:
                    f.write(bytes(size))
                    f.flush()
                    os.fsync(f.fileno())
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


class _HungUp(VaultError):
    pass


@contextlib.contextmanager
def _wipe_on_hangup() -> Iterator[None]:
    """SIGTERM or SIGHUP (a closed terminal window) while the editor runs
    becomes an exception, so compose()'s `finally` still wipes the draft."""
    def raise_hangup(signum: int, frame: object) -> None:
        raise _HungUp(f"stopped by signal {signum}; the draft was wiped")
    previous = {sig: signal.signal(sig, raise_hangup) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def compose() -> bytes:
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not command:
        raise VaultError("no note text: give -m TEXT, pipe it on stdin, or set $EDITOR")
    try:
        argv = shlex.split(command)
    except ValueError:
        raise VaultError("cannot parse $VISUAL or $EDITOR (unbalanced quotes?)") from None
    base = ram_folder()
    if base is None:
        ui.warn("no RAM-backed folder found; the draft is kept on disk until it is "
                "overwritten and removed")
    folder = Path(tempfile.mkdtemp(prefix="vault-draft-", dir=base))  # mode 0700
    try:
        draft = folder / "note.md"
        os.close(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            with _wipe_on_hangup():
                done = subprocess.run([*argv, str(draft)], check=False)
        except OSError as e:
            raise VaultError(f"cannot start the editor: {e.strerror}") from None
        if done.returncode != 0:
            raise VaultError(f"the editor exited with code {done.returncode}; "
                             "nothing was added")
        return draft.read_bytes()
    finally:
        _wipe(folder)
