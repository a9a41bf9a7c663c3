"""A way in from the tools people use today: jrnl's JSON export, a folder of
text files per client, and `vault view --json` documents.

Readers turn a file into a list of `Incoming` notes, checking every field as
hostile input and naming where a problem is; `import_notes` stores them all in
one transaction, or nothing. Never imports typer or rich.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .core import (MAX_NOTE_BYTES, _now, check_name, check_tags, check_text, command,
                   decode_text)
from .errors import UsageError, VaultError
from .session import Session, normalise_name

MAX_IMPORT_BYTES = 2 * 1024 * 1024 * 1024
NOTE_SUFFIXES = (".md", ".txt")


@dataclass(frozen=True)
class Incoming:
    client: str
    text: str
    tags: tuple[str, ...]
    created: datetime


class ImportFailed(VaultError):
    """Bad input: nothing was imported."""


def _checked(where: str, client: Any, text: Any, tags: Any, created: datetime) -> Incoming:
    """One note, validated as if typed by the user; errors say where."""
    try:
        if not isinstance(client, str) or not isinstance(text, str):
            raise UsageError("the client name and text must be strings")
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise UsageError("tags must be a list of strings")
        return Incoming(check_name(client), check_text(text), check_tags(tags),
                        created.astimezone(timezone.utc).replace(microsecond=0))
    except UsageError as e:
        raise ImportFailed(f"{where}: {e.message}; nothing was imported") from None


def _read_bytes(path: Path, limit: int = MAX_IMPORT_BYTES) -> bytes:
    try:
        if str(path) == "-":
            import sys
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(path, "rb") as f:
                data = f.read(limit + 1)
    except IsADirectoryError:
        raise ImportFailed(f"{path} is a folder") from None
    except OSError as e:
        raise ImportFailed(f"cannot read {path}: {(e.strerror or 'error').lower()}") from None
    if len(data) > limit:
        raise ImportFailed(f"{path} is larger than {limit // (1024 * 1024)} MiB")
    return data


def _json(data: bytes, where: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ImportFailed(f"{where}: not valid UTF-8; nothing was imported") from None
    except (ValueError, RecursionError):
        raise ImportFailed(f"{where}: not valid JSON; nothing was imported") from None


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
    doc = _json(_read_bytes(path), str(path))
    entries = doc.get("entries") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise ImportFailed(f"{path}: not a jrnl JSON export (no \"entries\" list)")
    notes = []
    for i, e in enumerate(entries, 1):
        where = f"{path}: entry {i}"
        if not isinstance(e, dict):
            raise ImportFailed(f"{where}: not an object; nothing was imported")
        tags = e.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ImportFailed(f"{where}: tags must be a list of strings; nothing was imported")
        owner = client
        if tag_prefix is not None:
            named = [(t, tag_client(t, tag_prefix)) for t in tags]
            named = [(t, n) for t, n in named if n is not None]
            if len(named) > 1:
                raise ImportFailed(f"{where}: {len(named)} tags start with {tag_prefix!r}; "
                                   "nothing was imported",
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
            raise ImportFailed(f"{where}: title and body must be strings; nothing was imported")
        text = title.strip() + ("\n" + body.strip() if body.strip() else "")
        notes.append(_checked(where, owner, text, tags, _jrnl_date(e, where)))
    return notes


def _jrnl_date(e: dict, where: str) -> datetime:
    day, time = e.get("date"), e.get("time", "00:00")
    try:
        if not isinstance(day, str) or not isinstance(time, str):
            raise ValueError
        return datetime.fromisoformat(f"{day}T{time}").astimezone()  # jrnl keeps local time
    except (ValueError, OverflowError):
        raise ImportFailed(f"{where}: the date is not YYYY-MM-DD with time HH:MM; "
                           "nothing was imported") from None


# -- a folder per client ---------------------------------------------------------

def read_dir(path: Path) -> list[Incoming]:
    """PATH/CLIENT/NOTE.md (or .txt, in subfolders too): the folder names the
    client, the file's modification time dates the note. Hidden files and
    folders are skipped, and so are symbolic links (they may point anywhere)."""
    if not path.is_dir():
        raise ImportFailed(f"{path} is not a folder")
    notes = []
    for folder in sorted(p for p in path.iterdir() if _visible(p) and p.is_dir()):
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                             and not os.path.islink(os.path.join(root, d)))
            for name in sorted(files):
                file = Path(root, name)
                if name.startswith(".") or file.is_symlink() or \
                        file.suffix.lower() not in NOTE_SUFFIXES:
                    continue
                where = str(file)
                try:
                    text = decode_text(_read_bytes(file, MAX_NOTE_BYTES))
                    when = datetime.fromtimestamp(file.stat().st_mtime, timezone.utc)
                except UsageError as e:
                    raise ImportFailed(f"{where}: {e.message}; nothing was imported") from None
                notes.append(_checked(where, folder.name, text, [], when))
    return notes


def _visible(p: Path) -> bool:
    return not p.name.startswith(".") and not p.is_symlink()


# -- vault view --json -----------------------------------------------------------

def read_jsonl(path: Path) -> list[Incoming]:
    """One `vault view --json` document per line."""
    notes = []
    for number, line in enumerate(_read_bytes(path).split(b"\n"), 1):
        if not line.strip():
            continue
        where = f"{path}: line {number}"
        doc = _json(line, where)
        if not isinstance(doc, dict) or not isinstance(doc.get("notes"), list):
            raise ImportFailed(f"{where}: not a `vault view --json` document; "
                               "nothing was imported")
        for n in doc["notes"]:
            if not isinstance(n, dict):
                raise ImportFailed(f"{where}: a note is not an object; nothing was imported")
            try:
                created = datetime.fromisoformat(str(n.get("created")).replace("Z", "+00:00"))
                if created.tzinfo is None:
                    raise ValueError
            except (ValueError, OverflowError):
                raise ImportFailed(f"{where}: a note's created date is not ISO 8601 UTC; "
                                   "nothing was imported") from None
            notes.append(_checked(where, doc.get("client"), n.get("text"),
                                  n.get("tags", []), created))
    return notes


# -- storing ---------------------------------------------------------------------

@dataclass(frozen=True)
class Imported:
    notes: int
    clients: int
    new_clients: int


def import_notes(session: Session, notes: Iterable[Incoming], source: str,
                 progress: Callable[[int, int], None] | None = None,
                 now: datetime | None = None) -> Imported:
    """Every note in one transaction with one log entry: all or nothing.
    Clients are created as needed; each client's notes go in date order."""
    now = _now(now)
    by_client: dict[str, list[Incoming]] = {}
    names: dict[str, str] = {}
    for n in notes:
        key = normalise_name(n.client)
        names.setdefault(key, n.client)
        by_client.setdefault(key, []).append(n)
    total, done, new = sum(map(len, by_client.values())), 0, 0
    uids = []
    with command(session):
        for key, items in by_client.items():
            client = session.find_client(names[key])
            if client is None:
                client = session.create_client(names[key], now.replace(microsecond=0))
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
