"""`vault alias add`, `remove` and `list`: other names of a client, and of
people around them, that an anonymized export must replace; and `vault
rename`, after which the old name is one of them."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import ui
from .base import JsonFlag, KeyFile, PassphraseFile, _json, _unlocked, app

alias_app = typer.Typer(help="Other names of a client, and of people around them, that "
                             "must never appear in an anonymized export.",
                        no_args_is_help=True, rich_markup_mode=None)
app.add_typer(alias_app, name="alias",
              short_help="Names that an anonymized export must replace.")

Client = Annotated[str, typer.Argument(metavar="CLIENT", help="The client's name.")]


@app.command("rename")
def rename(ctx: typer.Context,
           old: Annotated[str, typer.Argument(metavar="OLD", help="The client's name now.")],
           new: Annotated[str, typer.Argument(metavar="NEW", help="The new name.")],
           json_out: JsonFlag = False,
           passphrase_file: PassphraseFile = None, keyfile: KeyFile = None) -> None:
    """Rename a client; the old name becomes an alias.

    For names that arrived misspelt or in lower case (jrnl 4.6 exports tags
    in lower case): `vault rename "ann lee" "Ann Lee"`. The notes stay; an
    anonymized export still replaces the old name. Refused if NEW is another
    client's name. A client under legal hold may be renamed: nothing is
    destroyed. Logged as `rename`.
    """
    from ..commands import aliases
    with _unlocked(ctx, passphrase_file, keyfile) as session:
        result = aliases.rename(session, old, new)
    if json_out:
        _json({"client": result.client.name, "alias_added": result.alias_added,
               "aliases": len(result.client.aliases)})
    else:
        ui.info("renamed; " + ("the old name is now an alias" if result.alias_added else
                               "the old name differs only in case or accents, or already "
                               "was an alias") +
                f"; the client has {len(result.client.aliases)} alias(es)")


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
