"""A client's initial alone, in the client's own note (issue 14, eleventh
session): "S rang re the boundary dispute", "H. raised his voice", "N.
disclosed he'd moved the money", "S's wife will email", a note or an e-mail
signed "G". A single letter says little alone, but beside everything else
a note says it is the client's name, and a reader of the export has no
other use for it. Only in the note of the client whose first name or
surname starts with the letter (the export knows whose note it is), and
only where the letter stands as a name does: as the subject before a verb,
before "'s", or alone at a signature's place. Not "I" (the pronoun), not
"A" without its full stop (the article), not a letter before ":" (SOAP's
"S:", "A:") or in a code. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .names import Match, tokens

# Verbs a note writes after a client's name.
_VERBS = frozenset("""
    rang rings called calls phoned emailed texted wrote writes said says told tells asked
    asks has had is was will would did does can could should may might must reports
    reported disclosed discloses raised raises wants wanted feels felt thinks thought
    agreed agrees came comes attended attends arrived arrives signed signs sent sends
    paid pays described describes explained explains mentioned mentions admitted admits
    denied denies became seems seemed appears appeared noted notes stated states brought
    brings took takes tried tries hopes hoped worries worried left leaves returned
    returns presented presents completed completes missed misses cancelled canceled
    booked confirmed confirms declined declines accepted accepts refused refuses
    continues continued remains remained needs needed got gets went goes spoke speaks
    shared shares talked talks identified identifies recognised recognized realised
    realized acknowledged acknowledges expressed expresses reflected reflects opened
    opens cried laughed struggled struggles managed manages decided decides chose
    chooses plans planned intends intended""".split())
# The letter, where a sentence, a line, a clause or a bracket starts: after
# one of these and blanks, after "and" and blanks, or first on its line.
_OPENERS = frozenset('.!?;:,(\n"“—–-')
_AFTER = re.compile(r"(?:['’]s\b|[ \t]+(?P<w>[a-z]+)\b|(?P<end>[ \t]*(?:[\"”]|$)))", re.M)
# A sign-off: the letter after the end of a sentence, a comma or a line break.
_SIGNED_AFTER = re.compile(r"(?:[.!?,][ \t]*|\n[ \t]*|[-—–][ \t]*)\Z")


@lru_cache(maxsize=256)
def client_initials(names: tuple[str, ...]) -> frozenset[str]:
    """The first letters of the client's first name and surname, and of
    each alias's first word, in capitals."""
    out = set()
    for i, name in enumerate(names):
        words = tokens(name)
        if not words:
            continue
        out.add(words[0][0].upper())
        if i == 0 and len(words) > 1:
            out.add(words[-1][0].upper())
    return frozenset(c for c in out if "A" <= c <= "Z" and c != "I")


@lru_cache(maxsize=256)
def _letters(letters: frozenset[str]) -> re.Pattern[str]:
    """One of the client's initials standing alone (the place before it is
    looked at by _clause_start): a pattern per client, which re scans for
    by its first character."""
    return re.compile(rf"(?P<l>[{''.join(sorted(letters))}])(?P<dot>\.)?(?=['’ \t\n\"”]|\Z)")


def _clause_start(text: str, at: int) -> int | None:
    """Where the clause that the letter at `at` starts begins (the blanks
    before it included), or None if the letter starts none."""
    j = at
    while j and text[j - 1] in " \t":
        j -= 1
    if j == at and (not at or text[at - 1] == "\n") or j and text[j - 1] in _OPENERS:
        return j
    if j < at and j >= 3 and text[j - 3:j] == "and" and (
            j == 3 or not (text[j - 4].isalnum() or text[j - 4] == "_")):
        return j
    return None


def find(text: str, names: tuple[str, ...], replacement: str) -> list[Match]:
    """Where one of the client's initials stands alone as a name."""
    letters = client_initials(names)
    if not letters:
        return []
    out = []
    for m in _letters(letters).finditer(text):
        letter = m["l"]
        if letter == "A" and not m["dot"]:
            continue
        start = _clause_start(text, m.start())
        if start is None:
            continue
        after = _AFTER.match(text, m.end())
        if after is None:
            continue
        if after["w"] is not None:
            if after["w"] not in _VERBS:
                continue
        elif after["end"] is not None:
            before = text[max(0, start - 3):start]
            if not _SIGNED_AFTER.search(before) and start:
                continue
        out.append(Match(m.start(), m.end(), replacement))
    return out
