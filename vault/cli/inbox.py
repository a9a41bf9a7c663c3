"""`vault inbox`: notes added with `add --sealed` that wait to be filed."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import Refused
from . import ui
from .base import JsonFlag, KeyFile, PassphraseFile, _iso, _json, _unlocked, app

inbox_app = typer.Typer(help="Notes added while locked (`vault add --sealed`) that name "
                             "no client yet.", rich_markup_mode=None)
app.add_typer(inbox_app, name="inbox",
              short_help="Notes added while locked that wait to be filed.")

ItemId = Annotated[int, typer.Argument(metavar="ID", help="The note's number in `vault inbox`.")]


@inbox_app.callback(invoke_without_command=True)
def inbox(ctx: typer.Context, json_out: JsonFlag = False,
          passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """List the waiting notes: the name each was given, its date and size.

    Notes whose name matches a client are filed at every unlock by themselves.
    Notes that fail authentication (not sealed with this vault's capture key)
    are counted on stderr, listed as unreadable, and never filed.
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..commands import inbox as core_inbox
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        found = core_inbox.waiting(session)
    failed = sum(w.item is None for w in found)
    if failed:
        ui.warn(f"{failed} note(s) in the inbox failed authentication: they were not sealed "
                "with this vault's capture key (planted, or damaged) and are never filed; "
                "drop them with `vault inbox drop ID --yes`")
    rows = [{"id": w.id, "readable": w.item is not None, "authentic": w.item is not None,
             "client": w.item.client if w.item else None,
             "created": _iso(w.item.created) if w.item else None,
             "chars": len(w.item.text) if w.item else None} for w in found]
    if json_out:
        _json(rows)
        return
    ui.table(["id", "given name", "added", "characters"],
             [[str(r["id"]), r["client"] or "(unreadable)", r["created"] or "-",
               str(r["chars"] or "-")] for r in rows])


@inbox_app.command("file")
def inbox_file(ctx: typer.Context, item: ItemId,
               client: Annotated[str, typer.Argument(metavar="CLIENT",
                                                     help="The client to file it under.")],
               new: Annotated[bool, typer.Option(
                   "--new", help="Create the client if it does not exist yet.")] = False,
               passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """File a waiting note under CLIENT."""
    from ..commands import inbox as core_inbox
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        note = core_inbox.file_item(session, item, client, create=new)
    ui.info(f"filed as note {note.id}")


@inbox_app.command("drop")
def inbox_drop(ctx: typer.Context, item: ItemId,
               yes: Annotated[bool, typer.Option("--yes", help="Do it without asking.")] = False,
               passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Delete a waiting note without filing it."""
    from ..commands import inbox as core_inbox
    if not yes and not ui.interactive():
        raise Refused("dropping deletes the note and there is no terminal to confirm on",
                      hint="add --yes to confirm")
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        if not yes and not ui.confirm(f"Delete inbox note {item} for good?"):
            raise Refused("nothing was deleted")
        core_inbox.drop(session, item)
    ui.info("dropped")
