"""`vault search`: what did I write about insomnia?"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import argfile, ui
from .base import JsonFlag, KeyFile, PassphraseFile, _iso, _json, _local, _unlocked, app


@app.command(short_help="Find notes across the vault, any case or accent.")
def search(ctx: typer.Context,
           term: Annotated[Optional[str], typer.Argument(
               metavar="[TERM]", help="The words to find (or --query-file; with --tag "
               "alone, every note with the tag).")] = None,
           query_file: Annotated[Optional[str], typer.Option(
               "--query-file", metavar="PATH", help="Read TERM from PATH (- for stdin), to "
               "keep it out of shell history and `ps`.")] = None,
           client: Annotated[Optional[str], typer.Option(
               "--client", metavar="CLIENT", help="Only this client's notes.")] = None,
           tag: Annotated[Optional[str], typer.Option(
               "--tag", metavar="TAG", help="Only notes with this tag.")] = None,
           regex: Annotated[bool, typer.Option(
               "--regex", help="TERM is a regular expression, matched against the text "
               "in lower case with accents removed.")] = False,
           json_out: JsonFlag = False,
           passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Find notes across the vault, with the client, note, date and an excerpt.

    Any case, with or without accents. `vault search --tag T` alone lists the
    notes with tag T. This shows several clients' notes at once, as asked; the
    log records which clients matched (never the term).
    """
    from ..agent import client as agent
    from ..commands import search as finder
    term = argfile.one_of(term, query_file, "TERM", "--query-file")
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        hits = finder.search(session, term, client, tag, regex,
                             narrow=agent.search_index(session.store.path))
    if json_out:
        _json({"hits": [{"client": h.client, "note": h.note, "created": _iso(h.created),
                         "excerpt": h.excerpt, "spans": [list(s) for s in h.spans],
                         "matches": h.matches} for h in hits]})
        return
    for h in hits:
        ui.out(f"{ui.literal(h.client, multiline=False)}  note {h.note}  "
               f"{_local(h.created)}\n")
        ui.marked(h.excerpt, list(h.spans))
    ui.info(f"{len(hits)} note(s) found")
