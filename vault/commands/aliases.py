"""`vault alias`: other names of a client, and of people around them (a
husband, a boss), kept in the client's sealed record so that an anonymized
export replaces them too; and `vault rename`, which makes the old name one
of them. Never imports typer or rich."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from ..errors import NotFound, Refused
from ..models import Alias, Client
from ..validate import check_name, normalise_name
from ..vaultfile.unlocked import UnlockedVault
from .transaction import CommitThenRaise, command, now_utc, require

MAX_ALIASES = 100

def alias_add(session: UnlockedVault, name: str, alias: str, relation: str | None = None,
              now: datetime | None = None) -> Client:
    alias = check_name(alias, "the alias")
    relation = None if relation is None else check_name(relation, "the relation")
    now = now_utc(now)
    with command(session):
        client = require(session, name, now)
        if any(normalise_name(a.name) == normalise_name(alias) for a in client.aliases):
            raise CommitThenRaise(Refused("the client already has this alias"))
        if len(client.aliases) >= MAX_ALIASES:
            raise CommitThenRaise(Refused(f"a client can have at most {MAX_ALIASES} aliases"))
        client = dataclasses.replace(client, aliases=(*client.aliases, Alias(alias, relation)))
        session.update_client(client)
        session.log("alias-add", clients=(client.uid,), now=now,
                    detail={"aliases": len(client.aliases), "other_person": relation is not None})
    return client


def alias_remove(session: UnlockedVault, name: str, alias: str, now: datetime | None = None) -> Client:
    wanted = normalise_name(check_name(alias, "the alias"))
    now = now_utc(now)
    with command(session):
        client = require(session, name, now)
        kept = tuple(a for a in client.aliases if normalise_name(a.name) != wanted)
        if len(kept) == len(client.aliases):
            raise CommitThenRaise(NotFound("the client has no such alias",
                                           hint="see `vault alias list CLIENT`"))
        client = dataclasses.replace(client, aliases=kept)
        session.update_client(client)
        session.log("alias-remove", clients=(client.uid,), now=now,
                    detail={"aliases": len(kept)})
    return client


def alias_list(session: UnlockedVault, name: str, now: datetime | None = None) -> Client:
    now = now_utc(now)
    with command(session):
        client = require(session, name, now)
        session.log("alias-list", clients=(client.uid,), now=now,
                    detail={"aliases": len(client.aliases)})
    return client


# -- rename ------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Renamed:
    client: Client
    alias_added: bool  # the old name became an alias (it was not one, nor the new name)


def rename(session: UnlockedVault, old: str, new: str, now: datetime | None = None) -> Renamed:
    """Give a client a new name. The old one becomes an alias, so that an
    anonymized export still replaces it; the notes, the key and the opaque
    id stay, and the blind index moves to the new name. Not destructive, so
    a client under legal hold may be renamed."""
    new = check_name(new, "the new name")
    now = now_utc(now)
    with command(session):
        client = require(session, old, now)
        wanted = normalise_name(new)
        if client.name == new:
            raise CommitThenRaise(Refused("the client already has this name; nothing was "
                                          "changed"))
        if any(c.id != client.id and normalise_name(c.name) == wanted
               for c in session.clients()):
            raise CommitThenRaise(Refused("another client already has this name; nothing "
                                          "was changed",
                                          hint="see `vault list`; a name can be one client's"))
        if any(a.relation is not None and normalise_name(a.name) == wanted
               for a in client.aliases):
            raise CommitThenRaise(Refused(
                "the new name is an alias of someone around the client (added with "
                "--relation); nothing was changed",
                hint="remove it first with `vault alias remove CLIENT ALIAS`"))
        # The new name is no longer an alias; the old one becomes one, unless
        # the new name or an alias already covers it (names match in any case).
        aliases = tuple(a for a in client.aliases if normalise_name(a.name) != wanted)
        added = normalise_name(client.name) not in {wanted, *(normalise_name(a.name)
                                                              for a in aliases)}
        if added:
            if len(aliases) >= MAX_ALIASES:
                raise CommitThenRaise(Refused(
                    f"the old name would be alias {MAX_ALIASES + 1}, and a client can have "
                    f"at most {MAX_ALIASES}; nothing was changed",
                    hint="remove one with `vault alias remove CLIENT ALIAS` first"))
            aliases = (*aliases, Alias(client.name, None))
        renamed = dataclasses.replace(client, name=new, aliases=aliases)
        session.rename_client(client, renamed)
        session.log("rename", clients=(client.uid,), now=now,
                    detail={"alias_added": added, "aliases": len(aliases),
                            "held": client.hold is not None})
    return Renamed(renamed, added)
