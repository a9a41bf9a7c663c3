"""`vault backup` and `vault restore`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import ui
from .base import (
    JsonFlag,
    KeyFile,
    PassphraseFile,
    _agent,
    _iso,
    _json,
    _open,
    _state,
    _unlock,
    app,
    lazy,
)

backups = lazy("vault.commands.backup")
restores = lazy("vault.commands.restore")

Force = Annotated[bool, typer.Option("--force", help="Replace a file that exists.")]
Yes = Annotated[bool, typer.Option("--yes", help="Do it without asking (for scripts).")]


@app.command(short_help="Copy the encrypted vault; no passphrase needed.")
def backup(ctx: typer.Context,
           dest: Annotated[str, typer.Argument(
               metavar="DEST", help="The backup file, or a folder to put a timestamped "
               "one in (a name ending in / is a folder). A missing folder is created "
               "(0700); the one above it must exist.")],
           force: Force = False, json_out: JsonFlag = False) -> None:
    """Write a consistent copy of the encrypted vault; no passphrase needed.

    Safe while other vault commands run, so cron can call it:
    `vault backup ~/backups/ --json`. While `vault unlock`'s agent runs, the
    whole vault is checked first and a tampered one is refused (exit 5). The
    copy holds only ciphertext, carries a digest of its whole content, and is
    recorded in the access log. DEST may
    not be the vault itself or one of its -wal, -shm, -journal files, even
    through a link, with or without --force (exit 2).
    """
    path = _state(ctx).path
    store = _open(_state(ctx))
    try:
        # Through the agent its worker holds the key: the vault is checked first.
        info = backups.backup(store, dest, overwrite=force, key=_agent(path).key())
    finally:
        store.close()
    folder = None if info.created_folder is None else str(info.created_folder)
    if folder is not None:
        ui.info(f"created folder {ui.literal(folder, multiline=False)} (mode 0700)")
    if json_out:
        # "size" and "digest" are the names the issue gave scripts; "bytes"
        # and "blake2b" came first and stay.
        _json({"path": str(info.path), "size": info.size, "bytes": info.size,
               "digest": info.digest, "blake2b": info.digest,
               "sha256": info.sha256, "created": _iso(info.created),
               "created_folder": folder})
    else:
        ui.info(f"backed up to {ui.literal(str(info.path), multiline=False)} "
                f"({info.size} bytes, sha256 {info.sha256})")


@app.command(short_help="Replace the vault with a backup, after checking it.")
def restore(ctx: typer.Context,
            src: Annotated[str, typer.Argument(metavar="SRC", help="A file from "
                                               "`vault backup`.")],
            yes: Yes = False, json_out: JsonFlag = False,
            passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Replace the vault with a backup, after checking every byte of it.

    Asks for the backup's passphrase. The backup's digest, every ciphertext and
    the whole log are checked first; a backup that fails is refused (exit 5) and
    the vault is left as it was. Clients shredded since the backup are dropped,
    never brought back, and every backup the vault knew stays known to `vault
    shred`. Notes added since the backup are lost: on a terminal you are asked
    first; --yes for scripts.
    """
    path = _state(ctx).path

    def confirm(current: int, incoming: int) -> bool:
        return ui.confirm(f"Replace the vault ({current} notes) with this backup "
                          f"({incoming} notes)? Notes added since the backup are lost.")

    result = restores.restore(path, Path(src), restores.RestorePrompts(
        unlock=lambda store: _unlock(store, passphrase_file, keyfile),
        confirm=confirm if ui.interactive() else None,
        progress=lambda: ui.Progress("checking the backup")), yes=yes)
    if result.backups_unreadable:
        ui.warn(f"{result.backups_unreadable} backup record(s) of the replaced vault could "
                "not be read; `vault shred` will not name those backups")
    if result.tombstones_ignored:
        ui.warn(f"{result.tombstones_ignored} tombstone(s) of the replaced vault are backed by "
                "no signed `shred` entry and were ignored (planted?); no client was dropped "
                "for them")
    if result.records_dropped:
        ui.warn(f"{result.records_dropped} client record(s) in the backup belonged to no "
                "client (planted?) and were left out")
    if json_out:
        _json({"restored": str(path), "clients": result.clients, "notes": result.notes,
               "dropped_shredded": result.dropped,
               "tombstones_ignored": result.tombstones_ignored,
               "records_dropped": result.records_dropped})
    else:
        ui.info(f"restored {result.clients} client(s), {result.notes} note(s)"
                + (f"; {result.dropped} client(s) shredded since the backup were dropped"
                   if result.dropped else ""))
