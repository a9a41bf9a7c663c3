"""One function per command. Each write and its log entry are one transaction,
committed before the caller shows any plaintext.

Never imports typer or rich: results are returned, not printed.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import time
from collections.abc import Iterator
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..vaultfile import audit
from .. import crypto, paths
from ..errors import IntegrityError, NotFound, Refused, UsageError, VaultError
from ..models import Client, KdfParams, LogEntry, Note, VerifyReport
from ..vaultfile.unlocked import Session, normalise_name
from ..vaultfile.store import Store

MIN_KDF_MEMORY_MIB = 64
MAX_NAME_CHARS = 200
MAX_TAG_CHARS = 100
MAX_NOTE_BYTES = 64 * 1024 * 1024
# Bidirectional-override and other invisible format characters can make a
# name or tag display as something it is not.
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc)


# -- validation of what the user typed -----------------------------------

def _check_label(value: str, what: str, limit: int) -> str:
    value = " ".join(value.split())
    if not value:
        raise UsageError(f"{what} is empty")
    if len(value) > limit:
        raise UsageError(f"{what} is longer than {limit} characters")
    if any(unicodedata.category(ch) in _FORBIDDEN_CATEGORIES for ch in value):
        raise UsageError(f"{what} contains control or invisible characters")
    return value


def check_name(name: str, what: str = "the client name") -> str:
    return _check_label(name, what, MAX_NAME_CHARS)


def check_tags(tags: list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tag in tags:
        seen.setdefault(_check_label(tag, "a tag", MAX_TAG_CHARS), None)
    return tuple(seen)


def decode_text(data: bytes) -> str:
    """Note text from stdin or a file: strict UTF-8, never guessed."""
    if len(data) > MAX_NOTE_BYTES:
        raise UsageError(f"the note is larger than {MAX_NOTE_BYTES // (1024 * 1024)} MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UsageError(f"the note is not valid UTF-8 (bad byte at offset {e.start})",
                         hint="convert it first, e.g. `iconv -f latin1 -t utf-8`") from None
    return check_text(text)


def check_text(text: str) -> str:
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise UsageError("the note is not valid UTF-8") from None
    if size > MAX_NOTE_BYTES:
        raise UsageError(f"the note is larger than {MAX_NOTE_BYTES // (1024 * 1024)} MiB")
    if not text.strip():
        raise UsageError("the note is empty; nothing was added")
    return text


# -- init ----------------------------------------------------------------

def calibrate_kdf(memory_mib: int = MIN_KDF_MEMORY_MIB,
                  target_seconds: float = 0.5) -> KdfParams:
    """The given memory, and as many passes as fit in about target_seconds."""
    params = KdfParams(memory_kib=memory_mib * 1024, iterations=1, parallelism=1)
    started = time.perf_counter()
    crypto.kdf(b"calibration", bytes(crypto.SALT_BYTES), params)
    one_pass = max(time.perf_counter() - started, 1e-3)
    iterations = max(1, min(10, round(target_seconds / one_pass)))
    return KdfParams(params.memory_kib, iterations, 1)


def init(path: Path, passphrase: bytes, kdf: KdfParams, now: datetime | None = None,
         keyfile: bytes | None = None) -> None:
    """Build the vault in a temporary file beside `path`, then link it into
    place: an interrupted or failed init (disk full, Ctrl-C) never leaves a
    half-made vault at `path` that would block the next try."""
    if path.exists():
        raise Refused("a vault already exists here; it was left untouched",
                      hint="use --vault PATH or VAULT_PATH to create another one")
    # Before the try: the cleanup below cannot unlink beside a "folder" that
    # is not one (NotADirectoryError).
    paths.make_private_dir(path.parent)
    temp = path.with_name(f".{path.name}.init-{os.getpid()}")
    store = None
    try:
        store = Store.create(temp)
        Session.create(store, passphrase, kdf, now=now, keyfile=keyfile)
        store.close()  # the last connection checkpoints and removes the -wal
        store = None
        try:
            os.link(temp, path)  # fails if a vault appeared meanwhile: never clobbers
        except FileExistsError:
            raise Refused("a vault already exists here; it was left untouched") from None
    finally:
        if store is not None:
            store.close()
        for companion in paths.companions(temp):
            companion.unlink(missing_ok=True)


# -- clients ---------------------------------------------------------------

def client_exists(session: Session, name: str) -> bool:
    with session.store.read():
        return session.store.client_by_blind(session.blind(check_name(name))) is not None


def require_client(session: Session, name: str, now: datetime | None = None) -> None:
    """Raise NotFound, with close matches, unless the client exists."""
    with command(session):
        require(session, name, _now(now))


def _missing(session: Session, name: str, now: datetime) -> NotFound:
    """Close matches for a name that is not a client. Showing them shows other
    clients' names, so the access is logged (inside the caller's transaction)."""
    wanted = normalise_name(name)
    clients = session.clients()
    by_norm = {normalise_name(c.name): c for c in clients}
    close = difflib.get_close_matches(wanted, list(by_norm), n=3, cutoff=0.6)
    for norm, c in by_norm.items():
        if len(close) < 3 and norm not in close and any(
                part.startswith(wanted) for part in norm.split()):
            close.append(norm)
    matches = tuple(by_norm[n] for n in close)
    if matches:
        session.log("suggest", clients=tuple(c.uid for c in matches),
                    detail={"suggested": len(matches)}, now=now)
    return NotFound("no such client", suggestions=tuple(c.name for c in matches),
                    hint="see `vault list` for client names, or add with --new "
                         "to create a new client")


# -- every command's transaction ------------------------------------------

class CommitThenRaise(Exception):
    """Raised inside `command()`: commit what was logged, then raise `error`."""

    def __init__(self, error: VaultError) -> None:
        super().__init__(error.message)
        self.error = error


@contextlib.contextmanager
def command(session: Session) -> Iterator[None]:
    """One command's write transaction, started by the checks every command
    makes. A CommitThenRaise keeps the log entries written so far (such as
    the `suggest` entry of a missing client) and then fails."""
    pending: VaultError | None = None
    with session.store.write():
        session.begin()
        try:
            yield
        except CommitThenRaise as e:
            pending = e.error
    if pending is not None:
        raise pending


def require(session: Session, name: str, now: datetime) -> Client:
    """The named client, inside `command()`; NotFound with close matches otherwise."""
    client = session.find_client(check_name(name))
    if client is None:
        raise CommitThenRaise(_missing(session, name, now))
    return client


def log_event(session: Session, action: str, detail: dict[str, Any],
              now: datetime | None = None) -> None:
    """A command that touches no client (unlock, lock): just its log entry."""
    with command(session):
        session.log(action, detail=detail, now=_now(now))


# -- add -----------------------------------------------------------------

@dataclass(frozen=True)
class Added:
    note: Note
    new_client: bool


def add(session: Session, name: str, text: str, tags: list[str] | tuple[str, ...] = (),
        create: bool = False, now: datetime | None = None) -> Added:
    name, text, clean_tags, now = check_name(name), check_text(text), check_tags(list(tags)), _now(now)
    with command(session):
        client = session.find_client(name)
        new = client is None
        if new:
            if not create:
                raise CommitThenRaise(_missing(session, name, now))
            client = session.create_client(name, now.replace(microsecond=0))
        # Note dates keep whole seconds; the log keeps the exact time.
        note = session.add_note(client, text, clean_tags, now.replace(microsecond=0))
        session.log("add", clients=(client.uid,), now=now, detail={
            "note": note.id, "new_client": new, "tags": len(clean_tags),
            "bytes": len(text.encode("utf-8"))})
    return Added(note=note, new_client=new)


# -- view ----------------------------------------------------------------

def view(session: Session, name: str, last: int | None = None, since: datetime | None = None,
         now: datetime | None = None) -> tuple[Client, list[Note]]:
    if last is not None and last < 1:
        raise UsageError("--last must be at least 1")
    now = _now(now)
    with command(session):
        client = require(session, name, now)
        notes = session.notes(client)
        if since is not None:
            notes = [n for n in notes if n.created >= since]
        if last is not None:
            notes = notes[-last:]
        session.log("view", clients=(client.uid,), now=now,
                    detail={"notes": [n.id for n in notes]})
    return client, notes


# -- list ------------------------------------------------------------------

def list_clients(session: Session, now: datetime | None = None) -> list[Client]:
    with command(session):
        clients = session.clients()
        # One entry without references: a listing concerns every client alike.
        session.log("list", detail={"clients": len(clients)}, now=_now(now))
    return sorted(clients, key=lambda c: (normalise_name(c.name), c.id))


# -- the access log --------------------------------------------------------

@dataclass(frozen=True)
class ShownEntry:
    entry: LogEntry
    detail: dict[str, Any] | None
    clients: int


# What a client may ask to have accounted for: every time their file was shown
# or handed out.
DISCLOSURES = frozenset({"view", "export", "export-anonymized"})


def read_log(session: Session, name: str | None = None, now: datetime | None = None,
             actions: frozenset[str] | None = None) -> list[ShownEntry]:
    """The owner's view of the log; with a name, only the entries about that
    client; with actions, only those."""
    now = _now(now)
    shown: list[ShownEntry] = []
    with command(session):
        client = None if name is None else require(session, name, now)
        for row in session.store.log_rows():
            e = audit.from_row(row)
            if actions is not None and e.action not in actions:
                continue
            if client is None or session.concerns(e, client.uid):
                shown.append(ShownEntry(e, session.open_detail(e), len(e.refs)))
        session.log("log", clients=() if client is None else (client.uid,),
                    detail={"entries": len(shown)}, now=now)
    return shown


def verify_log(store: Store, session: Session | None = None,
               checkpoint: str | None = None) -> VerifyReport:
    """Signatures and hash chain; with a session, also the head sealed in the vault;
    with a checkpoint line, also that the log still extends it. Read-only."""
    anchors: list[audit.Anchor] = []
    key_changed = False
    with store.read():
        header = store.header()
        if checkpoint is not None:
            try:
                vault_id, seq, h, fingerprint = audit.parse_checkpoint(checkpoint)
            except ValueError as e:
                raise UsageError(str(e)) from None
            if vault_id != header.vault_id:
                raise IntegrityError("the checkpoint belongs to another vault")
            key_changed = not crypto.equal(fingerprint, audit.key_fingerprint(header.sign_public))
            anchors.append(audit.Anchor(seq, h, "the checkpoint"))
        if session is not None:
            head = session.head()
            if head is None:
                raise IntegrityError("the vault's record of its log head is missing")
            anchors.append(audit.Anchor(head[0], head[1], "the vault's sealed head"))
        report = audit.verify(store.log_rows(), header.vault_id, header.sign_public,
                              tuple(anchors))
    if checkpoint is not None and key_changed:
        report.problems.insert(0, "the header's public key is not the one the checkpoint "
                                  "names: the log may have been re-signed with another key")
    report.key_fingerprint = audit.key_fingerprint(header.sign_public)
    report.head_checked = session is not None
    report.checkpoint_checked = checkpoint is not None
    return report


def checkpoint(store: Store) -> str:
    with store.read():
        header = store.header()
        report = audit.verify(store.log_rows(), header.vault_id, header.sign_public)
    if not report.ok:
        raise IntegrityError("the log does not verify; no checkpoint was made",
                             hint="run `vault log verify` for details")
    return audit.checkpoint_line(header.vault_id, report.head_seq, report.head_hash,
                                 header.sign_public)
