"""The one span type every detector returns and redaction and the anonymized
export consume, and scanning a text within windows. Pure, no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True, slots=True)
class Span:
    """text[start:end] is of `kind` ("" for a --text or --pattern match; a
    detector's kind such as "PHONE" or "DATE:iso" otherwise). Dates keep
    their `match`, to be re-rendered; it takes no part in comparisons."""
    start: int
    end: int
    kind: str = ""
    match: re.Match[str] | None = field(default=None, compare=False, repr=False)


Windows = list[tuple[int, int]]


def scan(rx: re.Pattern[str], text: str, windows: Windows | None) -> Iterator[re.Match[str]]:
    """rx's matches in the whole text, or only within the given windows
    (lookbehinds still see the text before a window)."""
    if windows is None:
        yield from rx.finditer(text)
    else:
        for start, end in windows:
            yield from rx.finditer(text, start, end)


def words_rx(*alternatives: str) -> str:
    """A regex for any of `alternatives` (each a regex that starts with a
    plain letter) at the start of a word, in any case. It starts with a
    character class and checks the word boundary and each alternative's
    first letter after it, so re only tries the alternatives at the start of
    a word whose first letter fits."""
    firsts = sorted({a[0].lower() for a in alternatives} | {a[0].upper() for a in alternatives})
    cls = "".join(firsts)
    tails = "|".join(f"(?<={a[0]}){a[1:]}" for a in alternatives)
    return rf"[{cls}](?<![^\W\d_][{cls}])(?i:{tails})"


# -- cheap prefilters ----------------------------------------------------------------

# ASCII characters that are not letters, as spaces: an ASCII text's runs of
# letters (what [^\W\d_]+ finds in it) are then one str.split away.
_NOT_LETTERS = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalpha()})
_last: tuple[str, frozenset[str] | None, frozenset[str] | None] = ("", frozenset(), frozenset())


def letter_runs(text: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """The runs of letters of an ASCII text, as written and in lower case;
    None for any other text. Detectors look their trigger words up here
    before scanning: a pattern that needs the word "County" cannot match a
    note without it. Only ASCII text, where case-insensitive matching and
    lower() agree letter for letter ("ſ" matches (?i:s) but is no "s").
    The last text's answer is kept: every detector of one note asks."""
    global _last
    last = _last
    if last[0] is text:
        return None if last[1] is None else (last[1], last[2])
    if not text.isascii():
        _last = (text, None, None)
        return None
    runs = frozenset(text.translate(_NOT_LETTERS).split())
    lower = frozenset(w.lower() for w in runs)
    _last = (text, runs, lower)
    return runs, lower


def has_word(text: str, words: frozenset[str], lower: bool = True) -> bool:
    """Whether text may hold one of `words` as a run of letters (in lower
    case if `lower`): False only when it certainly does not."""
    runs = letter_runs(text)
    if runs is None:
        return True
    return not words.isdisjoint(runs[1] if lower else runs[0])
