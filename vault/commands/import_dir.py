"""`vault import dir`: a folder per client, one note per .md or .txt file.
Never imports typer or rich."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from ..errors import UsageError
from ..validate import MAX_NOTE_BYTES, decode_text
from .import_common import FIRST_YEAR, ImportFailed, Incoming, checked, failed, reason
from .import_common import shown as _shown

NOTE_SUFFIXES = (".md", ".txt")


def read_dir(path: Path) -> list[Incoming]:
    """PATH/CLIENT/NOTE.md (or .txt, in subfolders too): the folder names the
    client, the file's modification time dates the note. Hidden files and
    folders are skipped, and so are symbolic links (they may point anywhere)
    and anything else that is not a plain file or folder (a named pipe would
    block the read forever). A folder or file that cannot be read is an
    error, never skipped: skipping it would import a client's file half.

    Errors name a client folder by its number in name order, never by its
    name, which is the client's."""
    shown = _shown(str(path))
    try:
        is_dir = stat.S_ISDIR(os.stat(path).st_mode)
    except OSError as e:
        if e.errno not in (errno.ENOENT, errno.ENOTDIR):
            raise ImportFailed(f"cannot read {shown}: {reason(e)}") from None
        is_dir = False
    if not is_dir:
        raise ImportFailed(f"{shown} is not a folder")
    notes = []
    folders = [e for e, kind in _listing(str(path), shown) if kind == "dir"]
    for number, folder in enumerate(folders, 1):
        place = f"{shown.rstrip('/')}/<client folder {number}>"
        for file, rel in _note_files(folder.path, place):
            where = f"{place}/{_shown(rel)}"
            read = _read_note(file, where)
            if read is None:
                continue
            data, mtime = read
            try:
                text = decode_text(data)
            except UsageError as e:
                raise failed(where, e, file) from None
            notes.append(checked(where, folder.name, text, [], _file_time(mtime, where)))
    return notes


def _listing(folder: str, where: str) -> list[tuple[os.DirEntry, str]]:
    """The visible entries of a folder in name order, each with its kind:
    "dir", "file" or "other" (symbolic links, pipes, devices, sockets)."""
    try:
        with os.scandir(folder) as it:
            entries = sorted((e for e in it if not e.name.startswith(".")),
                             key=lambda e: e.name)
        return [(e, "dir" if e.is_dir(follow_symlinks=False) else
                 "file" if e.is_file(follow_symlinks=False) else "other") for e in entries]
    except OSError as e:
        raise ImportFailed(f"cannot read {where}: {reason(e)}", file=folder) from None


def _note_files(folder: str, where: str) -> Iterator[tuple[str, str]]:
    """(path, path inside the client folder) of each .md or .txt file: a
    folder's files in name order, then its subfolders one by one. A stack,
    not recursion, so that no depth of folders is too deep."""
    stack = [(folder, "")]
    while stack:
        current, rel = stack.pop()
        listing = _listing(current, f"{where}/{_shown(rel)}" if rel else where)
        for entry, kind in listing:
            if kind == "file" and os.path.splitext(entry.name)[1].lower() in NOTE_SUFFIXES:
                yield entry.path, f"{rel}/{entry.name}" if rel else entry.name
        stack.extend((e.path, f"{rel}/{e.name}" if rel else e.name)
                     for e, kind in reversed(listing) if kind == "dir")


def _read_note(file: str, where: str) -> tuple[bytes, float] | None:
    """A note file's bytes and modification time, or None if it has stopped
    being a plain file since it was listed (it is then skipped like the others).
    O_NOFOLLOW and O_NONBLOCK: a file swapped for a link or a pipe in the
    meantime is neither followed nor waited on."""
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return None
        raise ImportFailed(f"cannot read {where}: {reason(e)}", file=file) from None
    with open(fd, "rb") as f:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return None
            return f.read(MAX_NOTE_BYTES + 1), info.st_mtime
        except OSError as e:
            raise ImportFailed(f"cannot read {where}: {reason(e)}", file=file) from None


def _file_time(mtime: float, where: str) -> datetime:
    try:
        return datetime.fromtimestamp(mtime, timezone.utc)
    except (OverflowError, OSError, ValueError):  # some file systems store any year
        raise ImportFailed(f"{where}: the modification time is outside the years "
                           f"{FIRST_YEAR} to 9999 (UTC)") from None
