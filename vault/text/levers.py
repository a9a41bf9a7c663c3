"""The reviewer's levers on an anonymized export (issue 14): `--keep`
releases a word the detectors found (a false alarm), `--also` forces one
they missed. Split from `residual`, which re-exports them. Pure functions,
no I/O."""

from __future__ import annotations

import re

from .lexicon import key
from .span import Span

# A word, with its apostrophes and hyphens (as residual's own _PART).
_PART = re.compile(r"[^\W_][\w'’-]*")



def folded_words(words: list[str] | tuple[str, ...] | set[str]) -> frozenset[str]:
    """Kept words, folded; a kept phrase ("Burnside Clinic") keeps its words
    too, since a detector may find one of them alone."""
    out = set()
    for w in words:
        if w.strip():
            out.add(key(w.strip()))
            out.update(key(part) for part in _PART.findall(w))
    return frozenset(out)


def kept(text: str, span: Span, keep: frozenset[str]) -> bool:
    """The span is released by --keep: its whole text, or each of its words,
    is a kept word."""
    if not keep:
        return False
    piece = text[span.start:span.end]
    if key(piece) in keep:
        return True
    words = _PART.findall(piece)
    return bool(words) and all(key(w) in keep for w in words)


def also_spans(text: str, pattern: re.Pattern[str] | None) -> list[Span]:
    """Every whole-word occurrence of an --also word, in any case."""
    if pattern is None:
        return []
    return [Span(m.start(), m.end(), "REDACTED") for m in pattern.finditer(text)]


def also_pattern(words: list[str] | tuple[str, ...]) -> re.Pattern[str] | None:
    words = [w.strip() for w in words if w.strip()]
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?i:{alternatives})(?:['’]s|s)?(?![\w])")
