"""`vault init`, `add`, `view` and `list`: a client's notes.

Never imports typer or rich: results are returned, not printed.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .. import crypto, paths
from ..errors import Refused, UsageError
from ..models import KDF_MIN_MEMORY_MIB, Client, KdfParams, Note, Roster
from ..validate import check_name, check_tags, check_text, normalise_name
from ..vaultfile.store import Store
from ..vaultfile.unlocked import UnlockedVault
from .transaction import CommitThenRaise, command, missing, now_utc, require

# -- init ----------------------------------------------------------------

def calibrate_kdf(memory_mib: int = KDF_MIN_MEMORY_MIB,
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
        session = UnlockedVault.create(store, passphrase, kdf, now=now, keyfile=keyfile)
        store.close()  # the last connection checkpoints and removes the -wal
        store = None
        try:
            os.link(temp, path)  # fails if a vault appeared meanwhile: never clobbers
        except FileExistsError:
            raise Refused("a vault already exists here; it was left untouched") from None
        session.give_capture_key()   # only now: the vault it belongs to exists
    finally:
        if store is not None:
            store.close()
        for companion in paths.companions(temp):
            companion.unlink(missing_ok=True)


# -- add -----------------------------------------------------------------

@dataclass(frozen=True)
class Added:
    note: Note
    new_client: bool


def add(session: UnlockedVault, name: str, text: str, tags: list[str] | tuple[str, ...] = (),
        create: bool = False, now: datetime | None = None) -> Added:
    name, text, clean_tags, now = check_name(name), check_text(text), check_tags(list(tags)), now_utc(now)
    with command(session):
        client = session.find_client(name)
        new = client is None
        if new:
            if not create:
                raise CommitThenRaise(missing(session, name, now))
            client = session.create_client(name, now.replace(microsecond=0))
        # Note dates keep whole seconds; the log keeps the exact time.
        note = session.add_note(client, text, clean_tags, now.replace(microsecond=0))
        session.log("add", clients=(client.uid,), now=now, detail={
            "note": note.id, "new_client": new, "tags": len(clean_tags),
            "bytes": len(text.encode("utf-8"))})
    return Added(note=note, new_client=new)


# -- view ----------------------------------------------------------------

def view(session: UnlockedVault, name: str, last: int | None = None,
         since: datetime | None = None, now: datetime | None = None,
         tag: str | None = None) -> tuple[Client, list[Note]]:
    """The client's notes by date; from `since` on, with `tag` (any case),
    then the `last` N of those."""
    if last is not None and last < 1:
        raise UsageError("--last must be at least 1")
    wanted = None if tag is None else normalise_name(check_name(tag, "the tag"))
    now = now_utc(now)
    with command(session):
        client = require(session, name, now)
        notes = session.notes(client)
        if since is not None:
            notes = [n for n in notes if n.created >= since]
        if wanted is not None:
            notes = [n for n in notes if any(normalise_name(t) == wanted for t in n.tags)]
        if last is not None:
            notes = notes[-last:]
        session.log("view", clients=(client.uid,), now=now,
                    detail={"notes": [n.id for n in notes]})
    return client, notes


# -- list ------------------------------------------------------------------

def list_clients(session: UnlockedVault, now: datetime | None = None) -> Roster:
    with command(session):
        clients = session.clients_by_name()
        # One entry without references: a listing concerns every client alike.
        session.log("list", detail={"clients": len(clients)}, now=now_utc(now))
    return clients
