"""`vault check`, `passwd` and `keyfile`: keeping a vault sound for years."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import paths, validate
from ..errors import IntegrityError, Refused, UsageError
from ..models import KDF_MIN_MEMORY_MIB
from . import passphrase as passphrases
from . import ui
from .base import JsonFlag, KeyFile, PassphraseFile, _json, _unlocked, app, lazy

maintenance = lazy("vault.commands.maintenance")

Force = Annotated[bool, typer.Option("--force", help="Replace a file that exists.")]
Yes = Annotated[bool, typer.Option("--yes", help="Do it without asking (for scripts).")]


@app.command(short_help="Decrypt and authenticate every row and the log.")
def check(ctx: typer.Context, json_out: JsonFlag = False,
          passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Decrypt and authenticate every row, verify the log; never repairs.

    Exit 5 with the list of problems. Shows counts only, never client data.
    """
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        with ui.Progress("checking") as progress:
            report = maintenance.check(session, progress)
    for w in report.warnings:
        ui.warn(w)
    if json_out:
        _json({"ok": report.ok, "clients": report.clients, "notes": report.notes,
               "log_entries": report.log_entries, "tombstones": report.tombstones,
               "signatures_verified": report.signatures_verified,
               "signatures_known": report.signatures_known,
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


@app.command(short_help="Change the passphrase, key file or KDF cost.")
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
        f.write(maintenance.new_keyfile())
    ui.info(f"created key file {ui.literal(path, multiline=False)}; use it with "
            "`vault init --keyfile` or `vault passwd --add-keyfile`")
