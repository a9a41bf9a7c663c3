"""Finding known people's names in free text: pure functions, no I/O.

Names are matched as sequences of normalised word tokens looked up in a dict,
longest first, never as one regex alternation: with 10,000 clients Python's
re would try every alternative at every position of every note.

Normalisation makes matching case- and accent-insensitive and folds Unicode
compatibility forms: each character goes through NFKD, casefold and NFKD
again, and combining marks are dropped, so "José", "JOSE", "Jose\u0301" and
fullwidth "Ｊｏｓｅ" all become "jose", and "ﬁ" becomes "fi". Because this
can change a text's length, non-ASCII text carries a map from each normalised
character back to the original one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

# Words that join a surname but identify nobody alone ("van der Berg": "Berg"
# is a name part, "van" and "der" are not).
PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "del", "della", "dela", "di", "da", "das",
    "dos", "do", "du", "la", "le", "les", "ten", "ter", "te", "bin", "ibn", "bint",
    "al", "el", "y", "zu", "af", "av", "st", "mac", "ap",
})
# Upper-case abbreviations that are also somebody's initials ("Anna Miller"
# is "AM"): matching them would eat "10 AM" or "the US".
NOT_INITIALS = frozenset({
    "am", "pm", "ok", "us", "uk", "eu", "id", "md", "dr", "er", "tv", "it", "hr",
    "pr", "ot", "pt", "ip", "ms", "mr", "st", "no", "ad", "bc", "ce", "ex", "gp",
    "cv", "dc", "nw", "ne", "sw", "se", "po", "un", "ii", "iv", "vi", "ma", "ba",
    "phd", "usa", "mrn", "ssn", "dob", "cbt", "ptsd", "adhd", "ocd", "nhs", "irs",
})
# Names are runs of letters: "whitaker_letter.pdf" and "Jon2" hold a name too.
WORD = re.compile(r"[^\W\d_]+")
# The next token of a name, after what may stand between two tokens of one
# name: "Whitaker, Jon", "J. W.", "Smith-Jones", "O'Brien".
_GAP_WORD = re.compile(r"[\s.,'’\-‐‑]{1,3}([^\W\d_]+)")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_UPPER = "A-ZÀ-ÖØ-Þ"
# "JW", "J.W", "J. W", "J M W": two to four capitals, alone or separated.
_INITIALS = re.compile(
    rf"[{_UPPER}](?<![^\W\d_][{_UPPER}])"
    rf"(?:[{_UPPER}]{{1,3}}|(?:\.\s?|\s)[{_UPPER}](?:(?:\.\s?|\s)[{_UPPER}]){{0,2}})(?![^\W\d_])")
_LETTER_BEFORE = re.compile(rf"(?<![^\W\d_])([{_UPPER}])(?:\.\s?|\s)$")
_NOT_LETTERS = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalpha()})

_char_cache: dict[str, str] = {}


def _norm_char(c: str) -> str:
    out = _char_cache.get(c)
    if out is None:
        s = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", c).casefold())
        out = "".join(ch for ch in s if not unicodedata.combining(ch))
        _char_cache[c] = out
    return out


def normalise(text: str) -> tuple[str, list[int] | None]:
    """The normalised text and, unless the text is ASCII (where normalising
    is lower() and keeps every offset), each normalised character's index in
    the original."""
    if text.isascii():
        return text.lower(), None
    parts: list[str] = []
    where: list[int] = []
    pos = 0
    for m in _NON_ASCII.finditer(text):
        parts.append(text[pos:m.start()].lower())
        where.extend(range(pos, m.start()))
        n = _norm_char(m.group())
        parts.append(n)
        where.extend([m.start()] * len(n))
        pos = m.end()
    parts.append(text[pos:].lower())
    where.extend(range(pos, len(text)))
    return "".join(parts), where


def tokens(name: str) -> tuple[str, ...]:
    return tuple(WORD.findall(normalise(name)[0]))


class Match(NamedTuple):
    start: int
    end: int
    replacement: str


class _Entry:
    """What one token sequence stands for: its replacements (more than one
    means two people share it) and whether it is only a set of initials,
    which must be written in capitals."""
    __slots__ = ("replacements", "initials_only")

    def __init__(self) -> None:
        self.replacements: set[str] = set()
        self.initials_only = True


def _name_words(name: str) -> tuple[list[tuple[str, ...]], int]:
    """The name's whitespace-separated words as token tuples ("Smith-Jones" is
    one word of two tokens), and the index of the first surname word: the
    last word, with the particles before it ("van der Berg")."""
    words = [t for t in (tokens(w) for w in name.split()) if t]
    surname = len(words) - 1
    while surname > 1 and all(t in PARTICLES for t in words[surname - 1]):
        surname -= 1
    return words, max(surname, 0)


class NameIndex:
    """Every way of writing every known person's name, as token tuples."""

    def __init__(self, people: Iterable[tuple[Iterable[str], str]]) -> None:
        self._keys: dict[tuple[str, ...], _Entry] = {}
        self.parts: set[str] = set()   # every normalised token of every name
        self._finders: dict[str, re.Pattern[str]] = {}
        for names, replacement in people:
            surnames, nicknames = set(), set()
            for name in names:
                surname = self._add_name(name, replacement)
                if surname:
                    surnames.add(surname)
                elif len(words := tokens(name)) == 1:
                    nicknames.add(words)
            for nickname in nicknames:                       # "Jon Whitaker"
                for surname in surnames:
                    self._put(nickname + surname, replacement)
        self._resolved = {key: (min(e.replacements) if len(e.replacements) == 1 else "[NAME]",
                                e.initials_only)
                          for key, e in self._keys.items()}
        # First token -> the longest key starting with it. Keys that start
        # with a single letter ("J. Whitaker", "J.W.") are left out: every
        # "a" and "'s" would be a hit. Initials are found by _INITIALS in the
        # original text instead, and a letter before a match by _LETTER_BEFORE.
        self._first: dict[str, int] = {}
        for key, entry in self._keys.items():
            if len(key[0]) > 1 and not entry.initials_only:
                self._first[key[0]] = max(self._first.get(key[0], 0), len(key))
        self._has_initials = any(e.initials_only for e in self._keys.values())

    def _put(self, key: tuple[str, ...], replacement: str, initials: bool = False) -> None:
        if not key:
            return
        if all(len(t) == 1 for t in key):
            # Single letters ("Johnny W" gives "J. W") are initials, matched in
            # capitals only; a lone letter is never a name.
            if len(key) == 1 or "".join(key) in NOT_INITIALS:
                return
            initials = True
        entry = self._keys.get(key)
        if entry is None:
            entry = self._keys[key] = _Entry()
        entry.replacements.add(replacement)
        entry.initials_only &= initials

    def _add_name(self, name: str, replacement: str) -> tuple[str, ...]:
        """Every key for one name; returns its surname's tokens, if it has one."""
        words, s = _name_words(name)
        if not words:
            return ()
        flat = tuple(t for w in words for t in w)
        self.parts.update(flat)
        self._put(flat, replacement)                         # the name as written
        surname = tuple(t for w in words[s:] for t in w)
        given = words[0] if s > 0 else ()
        for k, word in enumerate(words):                     # each part alone
            for t in word:
                # "van" in "Anna van der Berg" is no name, but "Al" in "Al Smith" is.
                if len(t) >= 2 and (k == 0 or t not in PARTICLES):
                    self._put((t,), replacement)
        if given and surname:
            if len(surname[-1]) >= 3:
                self._put(surname[:-1] + (surname[-1] + "s",), replacement)  # "the Whitakers"
            self._put(given + surname, replacement)          # skipping middle names
            self._put(surname, replacement)                  # "van der Berg"
            for t in words[-1] if len(words[-1]) > 1 else ():
                self._put(given + (t,), replacement)         # "Jose Nunez" of "José Núñez-García"
            self._put(surname + given, replacement)          # "Whitaker, Jon"
            self._put(surname + flat[:-len(surname)], replacement)  # "Whitaker, Jon M."
            self._put((given[0][0],) + surname, replacement)  # "J. Whitaker"
            # Initials of the words that are not particles: "J.W.", "JW", "JMW".
            letters = [w[0][0] for w in words if not all(t in PARTICLES for t in w)]
            if 2 <= len(letters) <= 4 and all(c.isalpha() for c in letters):
                joined = "".join(letters)
                if joined not in NOT_INITIALS:
                    self._put(tuple(letters), replacement, initials=True)
                    self._put((joined,), replacement, initials=True)
        return surname if given and any(len(t) > 1 for t in surname) else ()

    def find(self, text: str) -> list[Match]:
        """Known names in text, each the longest sequence starting at its
        first token; matches do not overlap."""
        initials = self._find_initials(text) if self._has_initials else []
        names = self._find_names(text)
        if not initials:
            return names
        return sorted(initials + names)

    def _find_initials(self, text: str) -> list[Match]:
        out = []
        for m in _INITIALS.finditer(text):
            letters = tuple(_norm_char(c) for c in m.group() if c.isalpha())
            key = letters if len(letters) < len(m.group()) else ("".join(letters),)
            found = self._resolved.get(key)
            if found is not None and found[1]:
                out.append(Match(m.start(), m.end(), found[0]))
        return out

    def _find_names(self, text: str) -> list[Match]:
        if not self._first:
            return []
        norm, where = normalise(text)
        # For ASCII, str.translate and split give the same tokens as WORD,
        # three times faster.
        words = norm.translate(_NOT_LETTERS).split() if where is None else WORD.findall(norm)
        first = self._first
        if first.keys().isdisjoint(words):
            return []
        keys = self._resolved
        out: list[Match] = []
        pos = 0    # where the next hit's token starts at the earliest
        skip = 0   # hits still to pass over: they are inside the last match
        for word in list(filter(first.__contains__, words)):
            if skip:
                skip -= 1
                continue
            # A hit is the first whole-word occurrence of its word from pos:
            # no token in between starts a key. Searching for it is cheaper
            # than keeping an offset for every token of the text.
            finder = self._finders.get(word)
            if finder is None:
                # The literal first, so re can search for it quickly; then
                # neither side may be a letter.
                w = re.escape(word)
                finder = self._finders[word] = re.compile(
                    rf"{w}(?<![^\W\d_]{w})(?![^\W\d_])")
            found_at = finder.search(norm, pos)
            if found_at is None:
                continue   # cannot happen: the token is in the text
            start = found_at.start()
            seq, ends = [word], [start + len(word)]
            while len(seq) < first[word]:
                nxt = _GAP_WORD.match(norm, ends[-1])
                if nxt is None:
                    break
                seq.append(nxt[1])
                ends.append(nxt.end())
            pos = ends[0]
            for length in range(len(seq), 0, -1):
                found = keys.get(tuple(seq[:length]))
                if found is None:
                    continue
                o_start, o_end = self._span(text, where, start, ends[length - 1])
                if found[1] and not text[o_start:o_end].isupper():
                    continue   # initials, here in lower case
                letter = _LETTER_BEFORE.search(text, max(0, o_start - 3), o_start)
                if letter:                                   # "J. Whitaker"
                    with_letter = keys.get((_norm_char(letter[1]),) + tuple(seq[:length]))
                    if with_letter is not None and not with_letter[1]:
                        o_start, found = letter.start(), with_letter
                out.append(Match(o_start, o_end, found[0]))
                pos = ends[length - 1]
                skip = sum(t in first for t in seq[1:length])
                break
        return out

    @staticmethod
    def _span(text: str, where: list[int] | None, start: int, end: int) -> tuple[int, int]:
        if where is None:
            return start, end
        o_start, o_end = where[start], where[end - 1] + 1
        # Trailing combining marks normalise to nothing but belong to the word.
        while o_end < len(text) and not _norm_char(text[o_end]):
            o_end += 1
        return o_start, o_end
