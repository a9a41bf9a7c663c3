"""`vault import jrnl|dir|jsonl`: bring years of notes in from other tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import ui
from .base import JsonFlag, KeyFile, PassphraseFile, _json, _unlocked, app

import_app = typer.Typer(
    help="Import notes from other tools, all or nothing, in one transaction.",
    no_args_is_help=True, rich_markup_mode=None)
app.add_typer(import_app, name="import")

DryRun = Annotated[bool, typer.Option(
    "--dry-run", help="Read and check everything, report counts, store nothing.")]


def _run(ctx: typer.Context, read, source: str, dry_run: bool, json_out: bool,
         passphrase_file: str | None, keyfile: str | None) -> None:
    from ..commands import imports as importing
    try:
        notes = read()  # every note is read and checked before the vault is unlocked
    except importing.ImportFailed as e:
        # The full path may hold a client's name (`import dir`): on a
        # terminal only, never into a log.
        if e.file is not None and ui.stderr_is_tty():
            # bytes of a file name that are not UTF-8 shown as \xNN
            path = e.file.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            e.hint = "; ".join(filter(None, (
                f'the full path is "{ui.literal(path, multiline=False)}"', e.hint)))
        raise
    if dry_run:
        clients = len(importing.by_client(notes))  # matched as the import matches them
        if json_out:
            _json({"dry_run": True, "notes": len(notes), "clients": clients})
        else:
            ui.info(f"would import {len(notes)} note(s) for {clients} client(s); "
                    "nothing was stored")
        return
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        with ui.Progress("importing") as progress:
            result = importing.import_notes(session, notes, source, progress)
    if json_out:
        _json({"notes": result.notes, "clients": result.clients,
               "new_clients": result.new_clients})
    else:
        ui.info(f"imported {result.notes} note(s) for {result.clients} client(s), "
                f"{result.new_clients} of them new")


@import_app.command("jrnl")
def import_jrnl(ctx: typer.Context,
                file: Annotated[str, typer.Argument(
                    metavar="FILE", help="jrnl's export: `jrnl --export json > FILE` "
                    "(- for stdin).")],
                client: Annotated[Optional[str], typer.Option(
                    "--client", metavar="NAME", help="The client the entries belong to "
                    "(with --client-from-tag: entries without such a tag).")] = None,
                client_from_tag: Annotated[Optional[str], typer.Option(
                    "--client-from-tag", metavar="PREFIX", help="Take each entry's client "
                    "from its tag starting with PREFIX: with @, the tag @Jane_Doe files "
                    "the entry under \"Jane Doe\".")] = None,
                dry_run: DryRun = False, json_out: JsonFlag = False,
                passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Import a jrnl journal exported as JSON.

    Each entry's title and body become the note, its date and time (local
    time) the note's date, its other tags the note's tags.
    """
    from ..commands import imports as importing
    _run(ctx, lambda: importing.read_jrnl(Path(file), client, client_from_tag), "jrnl",
         dry_run, json_out, passphrase_file, keyfile)


@import_app.command("dir")
def import_dir(ctx: typer.Context,
               path: Annotated[str, typer.Argument(
                   metavar="PATH", help="A folder holding one folder per client.")],
               dry_run: DryRun = False, json_out: JsonFlag = False,
               passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Import a folder per client, one note per .md or .txt file.

    PATH/Jane Doe/2024-01-05.md becomes a note of "Jane Doe", dated by the
    file's modification time. Hidden files and symbolic links are skipped.
    """
    from ..commands import imports as importing
    _run(ctx, lambda: importing.read_dir(Path(path)), "dir", dry_run, json_out,
         passphrase_file, keyfile)


@import_app.command("jsonl")
def import_jsonl(ctx: typer.Context,
                 file: Annotated[str, typer.Argument(
                     metavar="FILE", help="One `vault view --json` document per line "
                     "(- for stdin).")],
                 dry_run: DryRun = False, json_out: JsonFlag = False,
                 passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Import `vault view --json` output, e.g. from another vault.

    Notes keep their dates and tags; clients are created as needed.
    """
    from ..commands import imports as importing
    _run(ctx, lambda: importing.read_jsonl(Path(file)), "jsonl", dry_run, json_out,
         passphrase_file, keyfile)
