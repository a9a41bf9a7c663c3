"""A way in from the tools people use today: jrnl's JSON export, a folder of
text files per client, and `vault view --json` documents.

Readers turn a file into a list of `Incoming` notes, checking every field as
hostile input and naming where a problem is; `import_notes` stores them all in
one transaction, or nothing. Never imports typer or rich.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import UsageError, VaultError
from ..validate import (
    MAX_NOTE_BYTES,
    check_name,
    check_tags,
    check_text,
    decode_text,
    normalise_name,
)
from ..vaultfile.unlocked import UnlockedVault
from .transaction import command, now_utc

MAX_IMPORT_BYTES = 2 * 1024 * 1024 * 1024
NOTE_SUFFIXES = (".md", ".txt")


@dataclass(frozen=True)
class Incoming:
    client: str
    text: str
    tags: tuple[str, ...]
    created: datetime


class ImportFailed(VaultError):
    """Bad input: nothing was imported, and every message says so."""

    def __init__(self, message: str, hint: str | None = None,
                 file: str | None = None) -> None:
        super().__init__(f"{message}; nothing was imported", hint)
        # The full path of the file at fault. In `import dir` it holds a client's
        # name (the folder), so the message numbers the folder instead and the
        # CLI shows this on a terminal only, like NotFound's suggestions.
        self.file = file


# Shown as escapes in an error: they could move the cursor, recolour the
# terminal or reorder the line (as in ui.literal; no ui import down here).
_UNSHOWN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _shown(text: str) -> str:
    """A path fit for a one-line error. A byte of a file name that is not
    UTF-8 (a surrogate escape) is shown as that byte."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unicodedata.category(ch) in _UNSHOWN:
            out.append(f"\\x{code:02x}" if code < 0x100 else
                       f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def _reason(e: OSError) -> str:
    return (e.strerror or "error").lower()


# models.iso writes the year with %Y, which glibc does not pad to four
# digits: a note dated before the year 1000 would be stored in a form that
# no reader accepts, and the client's file would no longer open.
FIRST_YEAR = 1000


def _utc(created: datetime, where: str) -> datetime:
    """`created` in UTC to the second, if the vault can store it."""
    try:
        utc = created.astimezone(timezone.utc).replace(microsecond=0)
    except (OverflowError, ValueError, OSError):  # past 9999 or before 1 in UTC
        utc = None
    if utc is None or utc.year < FIRST_YEAR:
        raise ImportFailed(f"{where}: the date is outside the years "
                           f"{FIRST_YEAR} to 9999 (UTC)")
    return utc


def _failed(where: str, e: UsageError, file: str | None = None) -> ImportFailed:
    # core's messages are written for `vault add`: "...; nothing was added".
    message = e.message.removesuffix("; nothing was added")
    return ImportFailed(f"{where}: {message}", e.hint, file)


def _date_text(value: Any) -> bool:
    """A string that may hold a date: printable ASCII. Python 3.11's
    fromisoformat lets stray characters through, a NUL among them."""
    return isinstance(value, str) and value.isascii() and value.isprintable()


def _checked(where: str, client: Any, text: Any, tags: Any, created: datetime) -> Incoming:
    """One note, validated as if typed by the user; errors say where."""
    try:
        if not isinstance(client, str) or not isinstance(text, str):
            raise UsageError("the client name and text must be strings")
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise UsageError("tags must be a list of strings")
        name, body, labels = check_name(client), check_text(text), check_tags(tags)
    except UsageError as e:
        raise _failed(where, e) from None
    return Incoming(name, body, labels, _utc(created, where))


def _read_bytes(path: Path, limit: int = MAX_IMPORT_BYTES) -> bytes:
    shown = _shown(str(path))
    try:
        if str(path) == "-":
            import sys
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(path, "rb") as f:
                data = f.read(limit + 1)
    except IsADirectoryError:
        raise ImportFailed(f"{shown} is a folder") from None
    except OSError as e:
        raise ImportFailed(f"cannot read {shown}: {_reason(e)}") from None
    if len(data) > limit:
        raise ImportFailed(f"{shown} is larger than {limit // (1024 * 1024)} MiB")
    return data


def _json(data: bytes, where: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ImportFailed(f"{where}: not valid UTF-8") from None
    except (ValueError, RecursionError):
        raise ImportFailed(f"{where}: not valid JSON") from None


# -- jrnl ------------------------------------------------------------------------

def tag_client(tag: str, prefix: str) -> str | None:
    """The client named by a tag such as `@Jane_Doe` (prefix `@`): `Jane Doe`."""
    if not tag.startswith(prefix) or len(tag) == len(prefix):
        return None
    return tag[len(prefix):].replace("_", " ")


def read_jrnl(path: Path, client: str | None = None,
              tag_prefix: str | None = None) -> list[Incoming]:
    """jrnl's `--export json`: {"entries": [{"date", "time", "title", "body",
    "tags"}, ...]}. Each entry goes to `client`, or to the client its tag
    starting with `tag_prefix` names (then `client` is the fallback)."""
    if client is None and tag_prefix is None:
        raise UsageError("say whose notes these are: --client NAME, or "
                         "--client-from-tag PREFIX (such as @)")
    shown = _shown(str(path))
    doc = _json(_read_bytes(path), shown)
    entries = doc.get("entries") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise ImportFailed(f"{shown}: not a jrnl JSON export (no \"entries\" list)")
    notes = []
    for i, e in enumerate(entries, 1):
        where = f"{shown}: entry {i}"
        if not isinstance(e, dict):
            raise ImportFailed(f"{where}: not an object")
        tags = e.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ImportFailed(f"{where}: tags must be a list of strings")
        owner = client
        if tag_prefix is not None:
            named = [(t, tag_client(t, tag_prefix)) for t in tags]
            named = [(t, n) for t, n in named if n is not None]
            if len(named) > 1:
                raise ImportFailed(f"{where}: {len(named)} tags start with {tag_prefix!r}",
                                   hint="use a prefix only client tags have, such as "
                                        "@c_ for tags like @c_Jane_Doe")
            if named:
                owner = named[0][1]
                tags = [t for t in tags if t != named[0][0]]
        if owner is None:
            raise ImportFailed(f"{where}: no tag starts with {tag_prefix!r}",
                               hint="give --client NAME for entries without one")
        title, body = e.get("title", ""), e.get("body", "")
        if not isinstance(title, str) or not isinstance(body, str):
            raise ImportFailed(f"{where}: title and body must be strings")
        text = title.strip() + ("\n" + body.strip() if body.strip() else "")
        notes.append(_checked(where, owner, text, tags, _jrnl_date(e, where)))
    return notes


def _jrnl_date(e: dict, where: str) -> datetime:
    day, time = e.get("date"), e.get("time", "00:00")
    try:
        if not _date_text(day) or not _date_text(time):
            raise ValueError
        return datetime.fromisoformat(f"{day}T{time}").astimezone()  # jrnl keeps local time
    except (ValueError, OverflowError, OSError):
        raise ImportFailed(f"{where}: the date is not YYYY-MM-DD with time HH:MM") from None


# -- a folder per client ---------------------------------------------------------

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
            raise ImportFailed(f"cannot read {shown}: {_reason(e)}") from None
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
                raise _failed(where, e, file) from None
            notes.append(_checked(where, folder.name, text, [], _file_time(mtime, where)))
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
        raise ImportFailed(f"cannot read {where}: {_reason(e)}", file=folder) from None


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
        raise ImportFailed(f"cannot read {where}: {_reason(e)}", file=file) from None
    with open(fd, "rb") as f:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return None
            return f.read(MAX_NOTE_BYTES + 1), info.st_mtime
        except OSError as e:
            raise ImportFailed(f"cannot read {where}: {_reason(e)}", file=file) from None


def _file_time(mtime: float, where: str) -> datetime:
    try:
        return datetime.fromtimestamp(mtime, timezone.utc)
    except (OverflowError, OSError, ValueError):  # some file systems store any year
        raise ImportFailed(f"{where}: the modification time is outside the years "
                           f"{FIRST_YEAR} to 9999 (UTC)") from None


# -- vault view --json -----------------------------------------------------------

def read_jsonl(path: Path) -> list[Incoming]:
    """One `vault view --json` document per line."""
    shown = _shown(str(path))
    notes = []
    for number, line in enumerate(_read_bytes(path).split(b"\n"), 1):
        if not line.strip():
            continue
        where = f"{shown}: line {number}"
        doc = _json(line, where)
        if not isinstance(doc, dict) or not isinstance(doc.get("notes"), list):
            raise ImportFailed(f"{where}: not a `vault view --json` document")
        for n in doc["notes"]:
            if not isinstance(n, dict):
                raise ImportFailed(f"{where}: a note is not an object")
            created = n.get("created")
            try:
                if not _date_text(created):
                    raise ValueError
                created = datetime.fromisoformat(created.replace("Z", "+00:00"))
                if created.tzinfo is None:
                    raise ValueError
            except ValueError:
                raise ImportFailed(f"{where}: a note's created date is not "
                                   "ISO 8601 UTC") from None
            notes.append(_checked(where, doc.get("client"), n.get("text"),
                                  n.get("tags", []), created))
    return notes


# -- storing ---------------------------------------------------------------------

def by_client(notes: Iterable[Incoming]) -> list[list[Incoming]]:
    """The notes of each client, as the import files them: names that match
    as the vault matches them (any case, spacing, NFKC) are one client. The
    dry run counts these groups, so that it reports what the import does."""
    groups: dict[str, list[Incoming]] = {}
    for n in notes:
        groups.setdefault(normalise_name(n.client), []).append(n)
    return list(groups.values())


@dataclass(frozen=True)
class Imported:
    notes: int
    clients: int
    new_clients: int


def import_notes(session: UnlockedVault, notes: Iterable[Incoming], source: str,
                 progress: Callable[[int, int], None] | None = None,
                 now: datetime | None = None) -> Imported:
    """Every note in one transaction with one log entry: all or nothing.
    Clients are created as needed; each client's notes go in date order."""
    now = now_utc(now)
    groups = by_client(notes)
    total, done, new = sum(map(len, groups)), 0, 0
    uids = []
    with command(session):
        for items in groups:
            name = items[0].client  # the first spelling names a new client
            client = session.find_client(name)
            if client is None:
                client = session.create_client(name, now.replace(microsecond=0))
                new += 1
            items.sort(key=lambda n: n.created)
            session.add_notes(client, [(n.text, n.tags, n.created) for n in items])
            uids.append(client.uid)
            done += len(items)
            if progress:
                progress(done, total)
        session.log("import", clients=tuple(uids), now=now, detail={
            "format": source, "notes": total, "clients": len(uids), "new_clients": new})
    return Imported(total, len(uids), new)
