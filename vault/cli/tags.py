"""`vault tags`: which tags are in use, and how often."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import ui
from .base import JsonFlag, KeyFile, PassphraseFile, _json, _unlocked, app, lazy

tag_commands = lazy("vault.commands.tags")


@app.command(short_help="List the tags in use, with counts.")
def tags(ctx: typer.Context,
         client: Annotated[Optional[str], typer.Option(
             "--client", metavar="CLIENT", help="Only this client's tags.")] = None,
         json_out: JsonFlag = False,
         passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """List the tags in use, with how many notes and clients carry each.

    Tags compare in any case and with or without accents. Then `vault view
    CLIENT --tag T` or `vault search --tag T`. With --json: [{"tag", "notes",
    "clients"}].
    """
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        found = tag_commands.tags(session, client)
    if json_out:
        _json([{"tag": t.tag, "notes": t.notes, "clients": t.clients} for t in found])
        return
    if not found:
        ui.info("no tags")
        return
    ui.table(["tag", "notes", "clients"],
             [[t.tag, str(t.notes), str(t.clients)] for t in found])
