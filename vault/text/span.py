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
