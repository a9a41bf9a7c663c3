"""`vault alias add`, `remove` and `list`: other names of a client, and of
people around them, that an anonymized export must replace."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import ui
from .base import JsonFlag, KeyFile, PassphraseFile, _json, _unlocked, app

alias_app = typer.Typer(help="Other names of a client, and of people around them, that "
                             "must never appear in an anonymized export.",
                        no_args_is_help=True, rich_markup_mode=None)
app.add_typer(alias_app, name="alias")

Client = Annotated[str, typer.Argument(metavar="CLIENT", help="The client's name.")]


@alias_app.command("add")
def alias_add(ctx: typer.Context, client: Client,
              alias: Annotated[str, typer.Argument(metavar="ALIAS", help="The other name.")],
              relation: Annotated[Optional[str], typer.Option(
                  "--relation", metavar="WHO", help="The alias is someone else around the "
                  "client (spouse, child, employer...); exports show them as [PERSON]. "
                  "Without it, the alias is the client's own (a nickname, a former name) "
                  "and becomes the client's pseudonym.")] = None,
              passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Add a nickname, a former name, or the name of someone around the client."""
    from ..commands import aliases
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        result = aliases.alias_add(session, client, alias, relation)
    ui.info(f"the client now has {len(result.aliases)} alias(es)")


@alias_app.command("remove")
def alias_remove(ctx: typer.Context, client: Client,
                 alias: Annotated[str, typer.Argument(metavar="ALIAS",
                                                      help="The alias to remove.")],
                 passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Remove an alias (any case)."""
    from ..commands import aliases
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        result = aliases.alias_remove(session, client, alias)
    ui.info(f"the client now has {len(result.aliases)} alias(es)")


@alias_app.command("list")
def alias_list(ctx: typer.Context, client: Client, json_out: JsonFlag = False,
               passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """List a client's aliases."""
    from ..commands import aliases
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        result = aliases.alias_list(session, client)
    rows = [{"alias": a.name, "relation": a.relation} for a in result.aliases]
    if json_out:
        _json({"client": result.name, "aliases": rows})
    else:
        ui.table(["alias", "relation"], [[r["alias"], r["relation"] or "(the client)"]
                                         for r in rows])
