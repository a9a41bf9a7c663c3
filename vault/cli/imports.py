"""`vault import jrnl|dir|jsonl`: bring years of notes in from other tools."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import UsageError
from . import ui
from .base import JsonFlag, KeyFile, PassphraseFile, _json, _unlocked, app, lazy

import_app = typer.Typer(
    help="Import notes from other tools, all or nothing, in one transaction.",
    short_help="Import notes from other tools, all or nothing.",
    no_args_is_help=True, rich_markup_mode=None)
app.add_typer(import_app, name="import")

importing = lazy("vault.commands.imports")

DryRun = Annotated[bool, typer.Option(
    "--dry-run", help="Read and check everything and count what the import would do "
    "(notes already in the vault included), store nothing.")]


def _read(read: Callable[[], Any]) -> Any:
    """Every note is read and checked before the vault is unlocked."""
    try:
        return read()
    except importing.ImportFailed as e:
        for problem in e.problems:  # several: each on its own line, the count last
            ui.info(problem)
        # The full path may hold a client's name (`import dir`): on a
        # terminal only, never into a log.
        if e.file is not None and ui.stderr_is_tty():
            # bytes of a file name that are not UTF-8 shown as \xNN
            path = e.file.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            e.hint = "; ".join(filter(None, (
                f'the full path is "{ui.literal(path, multiline=False)}"', e.hint)))
        raise


def _run(ctx: typer.Context, notes: list, source: str, dry_run: bool, json_out: bool,
         passphrase_file: str | None, keyfile: str | None,
         untagged: int | None = None) -> None:
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        with ui.Progress("checking" if dry_run else "importing") as progress:
            result = importing.import_notes(session, notes, source, progress,
                                            dry_run=dry_run)
    counts = {"notes": result.notes, "clients": result.clients,
              "new_clients": result.new_clients, "skipped": result.skipped}
    if untagged is not None:
        counts["untagged"] = untagged
    if json_out:
        _json({"dry_run": True, **counts} if dry_run else counts)
        return
    left_out = f"; {untagged} entry(ies) without a client tag left out" if untagged else ""
    if dry_run:
        ui.info(f"would import {result.notes} note(s) for {result.clients} client(s), "
                f"{result.new_clients} of them new; {result.skipped} duplicate(s) would be "
                f"skipped{left_out}; nothing was stored")
    else:
        ui.info(f"imported {result.notes} note(s) for {result.clients} client(s), "
                f"{result.new_clients} of them new; {result.skipped} duplicate(s) "
                f"skipped{left_out}")


@import_app.command("jrnl")
def import_jrnl(ctx: typer.Context,
                file: Annotated[str, typer.Argument(
                    metavar="FILE", help="jrnl's export: `jrnl --export json > FILE` "
                    "(- for stdin).")],
                client: Annotated[Optional[str], typer.Option(
                    "--client", metavar="NAME", help="The client the entries belong to "
                    "(with --client-from-tag or --client-map: the entries without a "
                    "client tag, like --unassigned).")] = None,
                client_from_tag: Annotated[Optional[str], typer.Option(
                    "--client-from-tag", metavar="PREFIX", help="Take each entry's client "
                    "from its tag starting with PREFIX (any case): with @c_, the tag "
                    "@c_Jane_Doe files the entry under \"Jane Doe\".")] = None,
                client_map: Annotated[Optional[str], typer.Option(
                    "--client-map", metavar="FILE", help="Client names for tags, one "
                    "`TAG = Client Name` a line (# starts a comment): jrnl 4.6 exports "
                    "tags in lower case. With --client-from-tag it names the clients of "
                    "those tags; alone, the tags it lists are the client tags.")] = None,
                unassigned: Annotated[Optional[str], typer.Option(
                    "--unassigned", metavar="CLIENT", help="File the entries without a "
                    "client tag under CLIENT.")] = None,
                skip_untagged: Annotated[bool, typer.Option(
                    "--skip-untagged", help="Leave out the entries without a client tag "
                    "(and count them).")] = False,
                dry_run: DryRun = False, json_out: JsonFlag = False,
                passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Import a jrnl journal exported as JSON.

    Each entry's title and body become the note, its date and time (local
    time) the note's date, its other tags the note's tags without jrnl's @,
    and a star the tag "starred". Entries already in the vault (same client,
    date and text) are skipped, so running an import twice adds nothing.
    """
    if client is not None and unassigned is not None:
        raise UsageError("give --client or --unassigned, not both")
    fallback = client if client is not None else unassigned
    read = _read(lambda: importing.read_jrnl_export(
        Path(file), fallback, client_from_tag,
        None if client_map is None else Path(client_map), skip_untagged))
    _run(ctx, read.notes, "jrnl", dry_run, json_out, passphrase_file, keyfile,
         untagged=read.untagged)


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
    notes = _read(lambda: importing.read_dir(Path(path)))
    _run(ctx, notes, "dir", dry_run, json_out, passphrase_file, keyfile)


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
    notes = _read(lambda: importing.read_jsonl(Path(file)))
    _run(ctx, notes, "jsonl", dry_run, json_out, passphrase_file, keyfile)
