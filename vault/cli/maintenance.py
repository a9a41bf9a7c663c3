"""`vault backup`, `restore`, `check`, `passwd` and `keyfile`: keeping a vault
safe for years."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import paths
from .. import validate
from ..models import KDF_MIN_MEMORY_MIB
from . import ui
from . import passphrase as passphrases
from ..errors import IntegrityError, Refused, UsageError
from .base import (lazy, JsonFlag, KeyFile, PassphraseFile, _iso, _json, _open, _state, _unlock,
                   _unlocked, app)

maintenance = lazy("vault.commands.maintenance")

Force = Annotated[bool, typer.Option("--force", help="Replace a file that exists.")]
Yes = Annotated[bool, typer.Option("--yes", help="Do it without asking (for scripts).")]


@app.command()
def backup(ctx: typer.Context,
           dest: Annotated[str, typer.Argument(
               metavar="DEST", help="The backup file, or a folder to put a timestamped "
               "one in (a name ending in / must be a folder).")],
           force: Force = False, json_out: JsonFlag = False) -> None:
    """Write a consistent copy of the encrypted vault; no passphrase needed.

    Safe while other vault commands run, so cron can call it:
    `vault backup ~/backups/ --json`. The copy holds only ciphertext, carries a
    digest of its whole content, and is recorded in the access log. DEST may
    not be the vault itself or one of its -wal, -shm, -journal files, even
    through a link, with or without --force (exit 2).
    """
    store = _open(_state(ctx))
    try:
        info = maintenance.backup(store, dest, overwrite=force)
    finally:
        store.close()
    if json_out:
        # "size" and "digest" are the names the issue gave scripts; "bytes"
        # and "blake2b" came first and stay.
        _json({"path": str(info.path), "size": info.size, "bytes": info.size,
               "digest": info.digest, "blake2b": info.digest,
               "sha256": info.sha256, "created": _iso(info.created)})
    else:
        ui.info(f"backed up to {ui.literal(str(info.path), multiline=False)} "
                f"({info.size} bytes, sha256 {info.sha256})")


@app.command()
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
    from ..vaultfile.store import Store
    path = _state(ctx).path
    previous = maintenance.read_replaced(path)
    replacing = previous.exists
    if replacing and not yes and not ui.interactive():
        raise Refused("restore replaces the vault and there is no terminal to confirm on",
                      hint="add --yes to confirm")
    with maintenance.scratch(path, "restore") as temp:
        paths.make_private_dir(path.parent)
        source = maintenance.unpack_backup(Path(src), temp)
        store = Store.open(temp)
        try:
            session = _unlock(store, passphrase_file, keyfile)
            with ui.Progress("checking the backup") as progress:
                result = maintenance.prepare_restore(
                    session, list(previous.tombstones), replacing, progress=progress,
                    previous=previous, source=source)
        finally:
            store.close()
        if replacing and not yes:
            current = maintenance.current_counts(path)
            if not ui.confirm(f"Replace the vault ({current} notes) with this backup "
                              f"({result.notes} notes)? Notes added since the backup "
                              "are lost."):
                raise Refused("nothing was restored")
        maintenance.swap_in(temp, path, previous)
    if result.backups_unreadable:
        ui.warn(f"{result.backups_unreadable} backup record(s) of the replaced vault could "
                "not be read; `vault shred` will not name those backups")
    if json_out:
        _json({"restored": str(path), "clients": result.clients, "notes": result.notes,
               "dropped_shredded": result.dropped})
    else:
        ui.info(f"restored {result.clients} client(s), {result.notes} note(s)"
                + (f"; {result.dropped} client(s) shredded since the backup were dropped"
                   if result.dropped else ""))


@app.command()
def check(ctx: typer.Context, json_out: JsonFlag = False,
          passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Decrypt and authenticate every row, verify the log; never repairs.

    Exit 5 with the list of problems. Shows counts only, never client data.
    """
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        with ui.Progress("checking") as progress:
            report = maintenance.check(session, progress)
    if json_out:
        _json({"ok": report.ok, "clients": report.clients, "notes": report.notes,
               "log_entries": report.log_entries, "tombstones": report.tombstones,
               "problems": report.problems})
    else:
        for p in report.problems:
            ui.info(f"problem: {p}")
        if report.ok:
            ui.out(f"vault ok: {report.clients} clients, {report.notes} notes, "
                   f"{report.log_entries} log entries, {report.tombstones} tombstones\n")
    if not report.ok:
        raise IntegrityError(f"the vault failed its check ({len(report.problems)} "
                             "problem(s))")


@app.command()
def passwd(ctx: typer.Context,
           new_passphrase_file: Annotated[Optional[str], typer.Option(
               "--new-passphrase-file", metavar="PATH", help="Read the new passphrase "
               "from this file (also VAULT_NEW_PASSPHRASE_FILE); else asked twice.")] = None,
           kdf_memory: Annotated[Optional[int], typer.Option(
               "--kdf-memory", metavar="MIB", help="New Argon2id memory in MiB.")] = None,
           kdf_iterations: Annotated[Optional[int], typer.Option(
               "--kdf-iterations", metavar="N", help="New Argon2id passes.")] = None,
           add_keyfile: Annotated[Optional[str], typer.Option(
               "--add-keyfile", metavar="PATH", help="Require this key file from now on "
               "(make one with `vault keyfile new`).")] = None,
           remove_keyfile: Annotated[bool, typer.Option(
               "--remove-keyfile", help="Stop requiring the key file.")] = False,
           json_out: JsonFlag = False,
           passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Change the passphrase (and key file, and KDF cost) in seconds.

    Only the master key is re-wrapped; notes are untouched, whatever their
    number. Backups made before keep the passphrase they were made with.
    Always asks for the current passphrase (and key file), even while
    `vault unlock` holds the key.
    """
    from ..models import KdfParams
    if add_keyfile is not None and remove_keyfile:
        raise UsageError("give --add-keyfile or --remove-keyfile, not both")
    validate.check_kdf_options(kdf_memory, kdf_iterations)
    new_keyfile = passphrases.keyfile(add_keyfile) if add_keyfile is not None else None
    # Never through the agent: changing the passphrase proves knowing it (and
    # holding the key file), or anyone at an unlocked account could lock the
    # owner out, or drop the key file by not naming it.
    with _unlocked(ctx, passphrase_file, keyfile, agent_ok=False) as session:
        current = session.header.kdf
        kdf = KdfParams(current.memory_kib if kdf_memory is None else kdf_memory * 1024,
                        current.iterations if kdf_iterations is None else kdf_iterations,
                        current.parallelism)
        if kdf.memory_kib < KDF_MIN_MEMORY_MIB * 1024 and kdf_memory is not None:
            ui.warn(f"--kdf-memory {kdf_memory} is below the recommended "
                    f"{KDF_MIN_MEMORY_MIB} MiB")
        if add_keyfile is None and not remove_keyfile:
            new_keyfile = passphrases.keyfile(keyfile) if session.header.keyfile else None
        secret = passphrases.replacement(new_passphrase_file)
        weak = passphrases.weakness(secret)
        if weak:
            ui.warn(f"{weak}; a longer passphrase of several words is much harder to guess")
        kdf = maintenance.passwd(session, secret, new_keyfile, kdf)
    if json_out:
        _json({"changed": True, "kdf_memory_mib": kdf.memory_kib // 1024,
               "kdf_iterations": kdf.iterations, "keyfile": new_keyfile is not None})
    else:
        ui.info("passphrase changed" + (" (a key file is required too)"
                                        if new_keyfile is not None else ""))


keyfile_app = typer.Typer(help="Key files: a second factor beside the passphrase.",
                          no_args_is_help=True, rich_markup_mode=None)
app.add_typer(keyfile_app, name="keyfile")


@keyfile_app.command("new")
def keyfile_new(path: Annotated[str, typer.Argument(
        metavar="PATH", help="Where to write the new key file (mode 0600).")]) -> None:
    """Create a key file from the OS random source; never overwrites one.

    Keep a copy somewhere safe and apart from the vault: without it, a vault
    that requires it cannot be opened, even with the passphrase.
    """
    target = Path(path)
    if target.exists() or target.is_symlink():
        raise Refused(f"{path} already exists; it was left untouched",
                      hint="a key file is never overwritten: choose another path")
    with paths.private_output(target) as f:
        f.write(passphrases.new_keyfile())
    ui.info(f"created key file {ui.literal(path, multiline=False)}; use it with "
            "`vault init --keyfile` or `vault passwd --add-keyfile`")
