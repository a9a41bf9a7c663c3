"""Finding known people's names in free text: pure functions, no I/O.

Names are matched as sequences of normalised word tokens looked up in a dict,
longest first, never as one regex alternation: with 10,000 clients Python's
re would try every alternative at every position of every note.

Text is compared in validate.fold's form, the one every lookup uses: case-
and accent-insensitive, with Unicode compatibility forms folded ("José",
"JOSE", "Jose\u0301" and fullwidth "Ｊｏｓｅ" are all "jose"). Because this
can change a text's length, non-ASCII text carries a map from each folded
character back to the original one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from ..validate import fold, fold_char
from .span import known_words

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
_UPPER = "A-ZÀ-ÖØ-Þ"
# "JW", "J.W", "J. W", "J M W": two to four capitals, alone or separated.
_INITIALS = re.compile(
    rf"[{_UPPER}](?<![^\W\d_][{_UPPER}])"
    rf"(?:[{_UPPER}]{{1,3}}|(?:\.\s?|\s)[{_UPPER}](?:(?:\.\s?|\s)[{_UPPER}]){{0,2}})(?![^\W_])")
# Initials that are also an abbreviation ("PR", "B.A.") count only written
# as a person is: starting a sentence or dotted, before a verb or a
# possessive ("PR to follow up", "B.A. asked", "PR's").
_AS_PERSON = re.compile(r"\.?(?:['’]s\b|[ \t]+(?:to|is|was|has|had|will|would|said|says|"
                        r"asked|asks|reports|reported|called|calls|and|feels|felt|wants|"
                        r"agreed|agrees|came|went|thinks|[a-z]+ed|[a-z]+s)\b)")
_STARTS = re.compile(r"(?:^|[.!?:;\n]\s*|\n)$")
_LETTER_BEFORE = re.compile(rf"(?<![^\W\d_])([{_UPPER}])(?:\.\s?|\s)$")
# A letter and an apostrophe before a word: "O'" of "O'Brien", "d'" of "d'Arcy".
_APOSTROPHES = frozenset("'’")
_ELIDED_BEFORE = re.compile(r"(?<![^\W\d_])([^\W\d_])['’]$")
# Scripts that write no spaces between words (Han, kana) or attach particles
# to a name (Hangul: "김민준이"). Names in them are found as substrings. After
# fold(), Hangul syllables are conjoining jamo (U+1100-U+11FF).
_CJK = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]")
# A Hangul final consonant: a name ending before one would end inside a syllable.
_NO_FINAL = "(?![\u11a8-\u11ff])"
_DIGIT = re.compile(r"\d")
_NOT_LETTERS = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalpha()})

def tokens(name: str) -> tuple[str, ...]:
    return tuple(WORD.findall(fold(name)[0]))


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
    # A word with digits in it ("Quist3fa2b1", a handle) names its person by
    # the letters before the first digit; the letter runs after it ("fa",
    # "b") are fragments of a code, which would match inside any hex string.
    words = [t for t in (tokens(_DIGIT.split(w, 1)[0] or w) for w in name.split()) if t]
    surname = len(words) - 1
    while surname > 1 and all(t in PARTICLES for t in words[surname - 1]):
        surname -= 1
    return words, max(surname, 0)


class NameIndex:
    """Every way of writing every known person's name, as token tuples."""

    def __init__(self, people: Iterable[tuple[Iterable[str], str]],
                 words: frozenset[str] = frozenset()) -> None:
        """`words` are ordinary lower-case words: a name's derived forms
        ("Len" + "s", "Al" + "So") that spell one are not keys, so that
        "lens" and "also" stay."""
        self._keys: dict[tuple[str, ...], _Entry] = {}
        self._cjk: dict[tuple[str, ...], _Entry] = {}
        self._words = words
        self.parts: set[str] = set()   # every normalised token of every name
        self._finders: dict[str, re.Pattern[str]] = {}
        self._common: dict[str, set[str]] = {}
        for names, replacement in people:
            surnames: set[tuple[str, ...]] = set()
            nicknames: set[tuple[str, ...]] = set()
            for name in names:
                if _CJK.search(name):
                    self._add_cjk(name, replacement)
                    continue
                found = self._add_name(name, replacement)
                if found:
                    surnames.update(found)
                elif len(name_tokens := tokens(name)) == 1:
                    nicknames.add(name_tokens)
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
            if entry.initials_only:
                continue
            if len(key[0]) > 1:
                self._first[key[0]] = max(self._first.get(key[0], 0), len(key))
            elif len(key) > 1 and len(key[1]) > 1:
                # "d'Arcy, Jean-Luc" is found from "arcy", with the letter before it.
                self._first[key[1]] = max(self._first.get(key[1], 0), len(key) - 1)
        self._has_initials = any(e.initials_only for e in self._keys.values()) or bool(
            self._common)
        # CJK names by their first normalised character, longest first.
        self._cjk_first: dict[str, list[tuple[re.Pattern[str], str]]] = {}
        for key in sorted(self._cjk, key=lambda k: -sum(map(len, k))):
            reps = self._cjk[key].replacements
            pattern = re.compile(r"\s*".join(map(re.escape, key)) + _NO_FINAL)
            self._cjk_first.setdefault(key[0][0], []).append(
                (pattern, min(reps) if len(reps) == 1 else "[NAME]"))
        self._cjk_start: re.Pattern[str] | None = (re.compile("[" + "".join(map(re.escape, self._cjk_first)) + "]")
                           if self._cjk_first else None)

    def _put(self, key: tuple[str, ...], replacement: str, initials: bool = False,
             derived: bool = False) -> None:
        """Add a key. A `derived` key is one nobody wrote ("OBrien" for
        "O'Brien"): it is left out when it is an ordinary word."""
        if not key:
            return
        if all(len(t) == 1 for t in key):
            # Single letters ("Johnny W" gives "J. W") are initials, matched in
            # capitals only; a lone letter is never a name.
            if len(key) == 1 or _CJK.search("".join(key)):
                return
            if "".join(key) in NOT_INITIALS:
                # "PR", "BA": an abbreviation too; only where it stands as
                # a person does (see _find_initials).
                self._common.setdefault("".join(key), set()).add(replacement)
                return
            initials = True
        if derived and len(key) == 1 and key[0] in self._words:
            return
        self._store(key, replacement, initials)
        if initials:
            return
        if len(key) == 1:
            # "Janes" for "Jane's": the bare possessive or plural of every
            # part, unless that is a word ("Len" gives no "lens").
            word = key[0] + "s"
            if not key[0].endswith("s") and word not in self._words:
                self._store((word,), replacement, False)
        else:
            # "JaneDoe", "#janedoe", "jeanluc": the key run together.
            joined = "".join(key)
            if len(joined) >= 4 and joined not in self._words:
                self._store((joined,), replacement, False)
                if joined + "s" not in self._words:
                    self._store((joined + "s",), replacement, False)

    def _store(self, key: tuple[str, ...], replacement: str, initials: bool) -> None:
        entry = self._keys.get(key)
        if entry is None:
            entry = self._keys[key] = _Entry()
        entry.replacements.add(replacement)
        entry.initials_only &= initials

    def _add_cjk(self, name: str, replacement: str) -> None:
        """A name with Han, kana or Hangul in it: the whole name without
        spaces, and each word of two characters or more, as substrings. A
        single character (the surname 李) is too common a word to remove."""
        pieces = ["".join(WORD.findall(w)) for w in name.split()]
        pieces = [p for p in pieces if p]
        for piece in {"".join(pieces), *pieces}:
            if len(piece) < 2:
                continue
            if not _CJK.search(piece):
                for t in tokens(piece):                      # "Kim" in "Kim 민준"
                    if len(t) >= 2:
                        self._put((t,), replacement)
                continue
            key = tuple(n for n in map(fold_char, piece) if n)
            entry = self._cjk.get(key)
            if entry is None:
                entry = self._cjk[key] = _Entry()
            entry.replacements.add(replacement)

    def _add_name(self, name: str, replacement: str) -> list[tuple[str, ...]]:
        """Every key for one name; returns its surname's tokens, if it has one."""
        words, s = _name_words(name)
        if not words:
            return []
        found = [self._add_words(words, s, replacement, False)]
        if any(len(w) > 1 for w in words):
            # "Siobhan OBrien", "Mr Darcy", "JeanLuc": the name again with each
            # word's apostrophes and hyphens dropped.
            joined: list[tuple[str, ...]] = [("".join(w),) for w in words]
            found.append(self._add_words(joined, s, replacement, True))
        return [f for f in found if f]

    def _add_words(self, words: list[tuple[str, ...]], s: int, replacement: str,
                   derived: bool) -> tuple[str, ...]:
        flat = tuple(t for w in words for t in w)
        self.parts.update(flat)
        self._put(flat, replacement)                         # the name as written
        surname = tuple(t for w in words[s:] for t in w)
        given = words[0] if s > 0 else ()
        for k, word in enumerate(words):                     # each part alone
            if len(word) > 1:
                self._put(word, replacement)                 # "Jean Luc" of "Jean-Luc"
            for t in word:
                # "van" in "Anna van der Berg" is no name, but "Al" in "Al Smith" is.
                if len(t) >= 2 and (k == 0 or t not in PARTICLES):
                    self._put((t,), replacement, derived=derived)
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
                self._put(tuple(letters), replacement, initials=True)
                if joined not in NOT_INITIALS:
                    self._put((joined,), replacement, initials=True)
        return surname if given and any(len(t) > 1 for t in surname) else ()

    def find(self, text: str) -> list[Match]:
        """Known names in text, each the longest sequence starting at its
        first token; matches do not overlap."""
        initials = self._find_initials(text) if self._has_initials else []
        norm, where = fold(text)
        names = self._find_names(text, norm, where)
        if where is not None and self._cjk_start is not None:
            initials += self._find_cjk(text, norm, where)
        if not initials:
            return names
        return sorted(initials + names)

    def _find_cjk(self, text: str, norm: str, where: list[int]) -> list[Match]:
        """CJK names anywhere, with no word boundary, longest first."""
        out: list[Match] = []
        start = self._cjk_start
        if start is None:
            return out
        pos = 0
        while (hit := start.search(norm, pos)) is not None:
            pos = hit.start()
            for pattern, replacement in self._cjk_first[hit.group()]:
                m = pattern.match(norm, pos)
                if m is not None:
                    out.append(Match(*self._span(text, where, pos, m.end()), replacement))
                    pos = m.end()
                    break
            else:
                pos += 1
        return out

    def _find_initials(self, text: str) -> list[Match]:
        out = []
        for m in _INITIALS.finditer(text):
            letters = tuple(fold_char(c) for c in m.group() if c.isalpha())
            key = letters if len(letters) < len(m.group()) else ("".join(letters),)
            found = self._resolved.get(key)
            if found is not None and found[1]:
                out.append(Match(m.start(), m.end(), found[0]))
            elif (common := self._common.get("".join(letters))) and _AS_PERSON.match(
                    text, m.end()) and (m.group().count(".") >= 2 or _STARTS.search(
                        text, max(0, m.start() - 3), m.start())):
                out.append(Match(m.start(), m.end(), min(common) if len(common) == 1
                                 else "[NAME]"))
        return out

    def _find_names(self, text: str, norm: str, where: list[int] | None) -> list[Match]:
        if not self._first:
            return []
        # For ASCII, str.translate and split give the same tokens as WORD,
        # three times faster; the detectors' copy of the note, when they
        # have just made one, saves the translate.
        words = WORD.findall(norm) if where is not None else (
            (known_words(text) or norm.translate(_NOT_LETTERS)).split())
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
            o_first = where[start] if where is not None else start
            # "O'Brien's" is found from "brien": the elided letter before it
            # belongs to the name.
            elided = (_ELIDED_BEFORE.search(text, max(0, o_first - 2), o_first)
                      if text[o_first - 1:o_first] in _APOSTROPHES else None)
            lead = (fold_char(elided[1]),) if elided else ()
            for length in range(len(seq), 0, -1):
                key = tuple(seq[:length])
                found = keys.get(key)
                if lead and (longer := keys.get(lead + key)) is not None and not longer[1]:
                    found, key = longer, lead + key
                if found is None:
                    continue
                o_start, o_end = self._span(text, where, start, ends[length - 1])
                if text[o_start - 1:o_start].isdigit() and text[o_end:o_end + 1].isdigit():
                    continue   # letters between digits: part of a code ("4ad0")
                if found[1] and not (text[o_start:o_end].isupper() and not text[o_end:o_end + 1].isdigit()):
                    continue   # initials in lower case, or a form's letters ("SA100")
                if len(key) > length and elided is not None:   # (the lead was found)
                    o_start = elided.start()
                # (an initial is a capital: only a stretch that lower() changes holds one)
                before = text[max(0, o_start - 3):o_start]
                letter = before != before.lower() and _LETTER_BEFORE.search(
                    text, max(0, o_start - 3), o_start)
                if letter:                                   # "J. Whitaker"
                    with_letter = keys.get((fold_char(letter[1]),) + key)
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
        while o_end < len(text) and not fold_char(text[o_end]):
            o_end += 1
        return o_start, o_end
