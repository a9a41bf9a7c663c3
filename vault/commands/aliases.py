"""`vault alias`: other names of a client, and of people around them (a
husband, a boss), kept in the client's sealed record so that an anonymized
export replaces them too. Never imports typer or rich."""

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
