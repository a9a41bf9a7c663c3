"""`vault search`: notes across the vault that mention something, with a short
excerpt around the match. Case-insensitive and accent-insensitive.

Notes are decrypted one client at a time, so memory follows the largest
client, not the vault. Never imports typer or rich.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..errors import UsageError
from ..validate import check_name, fold, normalise_name
from ..vaultfile.unlocked import UnlockedVault
from .transaction import command, now_utc, require

CONTEXT = 40           # characters of excerpt on each side of the first match
MAX_TERM_CHARS = 1000


@dataclass(frozen=True)
class Hit:
    client: str
    note: int
    created: datetime
    excerpt: str
    spans: tuple[tuple[int, int], ...]   # matches inside the excerpt
    matches: int                         # matches in the whole note


def matcher(term: str, regex: bool) -> re.Pattern[str]:
    if not term.strip():
        raise UsageError("the search term is empty")
    if len(term) > MAX_TERM_CHARS:
        raise UsageError(f"the search term is longer than {MAX_TERM_CHARS} characters")
    if regex:
        try:
            return re.compile(term, re.IGNORECASE)
        except re.error as e:
            raise UsageError(f"--regex: the pattern is not valid ({e.msg})") from None
    return re.compile(re.escape(fold(term)[0]))


def find(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Match spans in the original text, found in its normalised form."""
    folded, where = fold(text)
    spans = []
    for m in pattern.finditer(folded):
        if m.end() == m.start():
            continue
        if where is None:
            spans.append((m.start(), m.end()))
        else:
            # Combining marks vanish from the folded text; keep those that
            # follow the last matched letter with it ("cafe\u0301").
            end = where[m.end() - 1] + 1
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1
            spans.append((where[m.start()], end))
    return spans


def excerpt(text: str, spans: list[tuple[int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Up to CONTEXT characters either side of the first match, on one line."""
    start = max(0, spans[0][0] - CONTEXT)
    end = min(len(text), spans[0][1] + CONTEXT)
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    shown = prefix + text[start:end].replace("\n", " ") + suffix
    inside = tuple((s - start + len(prefix), min(e, end) - start + len(prefix))
                   for s, e in spans if s >= start and s < end)
    return shown, inside


# The agent's index: (folded term, the vault head this transaction sees) ->
# the notes that can match, or None to read every client.
Narrow = Callable[[str, "bytes | None"], "dict[int, frozenset[int]] | None"]


def search(session: UnlockedVault, term: str | None, client: str | None = None,
           tag: str | None = None, regex: bool = False,
           now: datetime | None = None, narrow: Narrow | None = None) -> list[Hit]:
    """Notes that match TERM; without a term, every note with TAG (its
    excerpt is the note's start). `narrow`, the agent's search index when
    there is one, names the notes that can match: only those are decrypted
    (each client's notes are still checked whole against its record), by
    the same code."""
    if term is None and tag is None:
        raise UsageError("give a search term, --tag TAG, or both")
    pattern = None if term is None else matcher(term, regex)
    wanted_tag = None if tag is None else normalise_name(check_name(tag, "the tag"))
    now = now_utc(now)
    hits: list[Hit] = []
    with command(session):
        clients = [(require(session, client, now), None, None)] if client else \
            _candidates(session, term, regex, narrow)
        found_in = []
        for c, only, row in clients:
            before = len(hits)
            for note in session.notes(c, only, row):
                if wanted_tag is not None and wanted_tag not in (
                        normalise_name(t) for t in note.tags):
                    continue
                if pattern is None:
                    shown, _ = excerpt(note.text, [(0, 0)])
                    hits.append(Hit(c.name, note.id, note.created, shown, (), 0))
                    continue
                spans = find(pattern, note.text)
                if spans:
                    shown, inside = excerpt(note.text, spans)
                    hits.append(Hit(c.name, note.id, note.created, shown, inside, len(spans)))
            if len(hits) > before:
                found_in.append(c.uid)
        # Which clients matched, never the term: it may be a name.
        session.log("search", clients=tuple(found_in), now=now, detail={
            "hits": len(hits), "regex": regex, "scope": "client" if client else "all",
            "tag": tag is not None})
    return hits


def _candidates(session: UnlockedVault, term: str | None, regex: bool,
                narrow: Narrow | None) -> list:
    """(client, the ids of the notes to read or None for all, its row if
    read already) for every client, or only for those the index names (in
    the same order)."""
    found = None if narrow is None or term is None or regex else \
        narrow(fold(term)[0], session.store.head())
    if found is None:
        return [(c, None, None) for c in session.clients()]
    clients = ((session.client_and_row(cid), only) for cid, only in found.items())
    return [(c[0], only, c[1]) for c, only in clients if c is not None]
