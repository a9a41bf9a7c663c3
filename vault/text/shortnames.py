"""An organisation's short name (issue 14, tenth session): once a rule has
found a firm of several words, a note calls it by its first word
("Filed a claim with Liberty Mutual; the Liberty adjuster came Tuesday",
"Landlord: Guardian Management ... Guardian refused the repair", "Summit
Bank ... the Summit loan officer"). The first word counts where it stands
alone and capitalised, not before another capitalised word (a different
name: "Liberty Tax"); an ordinary word only in mid-sentence ("Good news"
starts a sentence; "a Good Samaritan nurse" is the hospital's). Not a word
that names a kind, a town, a person, a nationality or a month, nor a
function or clinical word. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon
from .lexicon import STOP, key
from .orgnames import NOT_FIRST
from .headers import _REGIONAL
from .orgs import GENERIC, HEADS, vocab
from .placecues import COMPASS
from .span import Span

# The first word of a name of several words: "Liberty" of "Liberty Mutual".
_FIRST = re.compile(r"(?P<first>[A-Z][a-z'’]{3,30})[ \t]+(?:&[ \t]+)?[A-Z]")
# Another capitalised word after the short name: a different name.
_CAPITAL_NEXT = re.compile(r"[ \t]+(?:&[ \t]*)?[A-Z]")
_MID = ",;:(" + "abcdefghijklmnopqrstuvwxyz"
_MAX_NAMES = 16   # (each is searched for in the whole note)


@lru_cache(maxsize=20_000)
def _short(word: str) -> bool:
    """Whether the first word of a firm's name may stand for the firm."""
    k = key(word)
    return not (k in STOP or k in lexicon.CALENDAR or k in lexicon.vocabulary()
                or k in GENERIC or k in HEADS or k in NOT_FIRST or k in COMPASS or k in _REGIONAL
                or k in lexicon.first_names()
                or k in lexicon.places() and not lexicon.is_ordinary(k)   # (a town: a PLACE)
                or k in vocab("demonyms") or k in vocab("workplaces")
                or k in vocab("leading_nouns") or k in vocab("not_a_firm")
                or lexicon.is_abbreviation(k) or k in ("saint", "sainte"))


def find(text: str, spans: list[Span]) -> list[Span]:
    """The first words of the organisations of several words among `spans`,
    found again alone elsewhere in the note."""
    names: dict[str, Span] = {}
    for s in spans:
        if s.kind != "ORG" or len(names) >= _MAX_NAMES:
            continue
        m = _FIRST.match(text, s.start)
        if m is None or m.end() > s.end or m["first"] in names or not _short(m["first"]):
            continue
        names[m["first"]] = s
    out: list[Span] = []
    for word, s in names.items():
        ordinary = lexicon.is_ordinary(key(word))
        n = len(word)
        i = text.find(word)
        while i >= 0:
            j = i + n
            if not s.start <= i < s.end and not (i and (text[i - 1].isalnum() or text[i - 1] in "-'’&")) \
                    and not (text[j:j + 1].isalnum() or text[j:j + 1] in "-&") \
                    and _CAPITAL_NEXT.match(text, j) is None \
                    and (not ordinary or _mid_sentence(text, i)):
                out.append(Span(i, j, "ORG"))
            i = text.find(word, j)
    return out


def _mid_sentence(text: str, i: int) -> bool:
    """A lower-case word or a comma, semicolon, colon or bracket stands
    before the word at i."""
    before = text[max(0, i - 3):i].rstrip(" \t")
    return bool(before) and before[-1] in _MID
