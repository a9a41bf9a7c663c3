"""Strict mode (`vault export-anonymized --strict`): every word the
residual-risk report could list, replaced, found in the text as written
(before anything is replaced). It shares the report's vocabulary and
context rules (`residual`). Pure functions, no I/O but the word lists'
first read."""

from __future__ import annotations

import re

from . import lexicon
from .lexicon import is_name, is_ordinary, key
from .residual import (_AMOUNT, _FOREIGN_DATE, _NUMBER_AFTER, _NUMBER_BEFORE, _PLATE_STATE,
                       _BLOCK, _RULES, _SENTENCE_START, _SLASH_CODE, _UNIT, _abbreviation,
                       _an_ordinary_label, _lists, _rule)
from .span import Span, has_word

_STRICT = re.compile(r"[^\W_](?<![\w'’-][^\W_])[\w'’-]*")


def strict_spans(text: str) -> list[Span]:
    """Every capitalised word that is not in the vocabulary or that stands in
    mid-sentence (where a capital marks a name), every word in lower case
    that the name and place lists know and the dictionary does not, every
    word with a digit and a letter that is not a measurement or known code,
    every number of three digits or more that is not an amount, and what the
    context rules find in the text as written (rooms, ages over 89, dates in
    another language, a typist's initials)."""
    from .idents import _exempt
    out = []
    for m in _STRICT.finditer(text):
        word = m.group().rstrip("'’-")
        word = word[:-2] if word[-2:] in ("'s", "’s") else word   # "Shauna's" keeps its "'s"
        if not word:
            continue
        end = m.start() + len(word)
        if any(map(str.isdigit, word)):
            if any(map(str.isalpha, word)):
                if not _exempt(word):
                    out.append(Span(m.start(), end, "REDACTED"))
            elif sum(map(str.isdigit, word)) >= 3 and not _AMOUNT.search(
                    text, max(0, m.start() - 2), min(len(text), end + 2)):
                out.append(Span(m.start(), end, "REDACTED"))
            continue
        k = key(word)
        if not word[0].isupper():
            if len(k) > 2 and k not in lexicon.STOP and not is_ordinary(k) and (
                    is_name(k) or k in lexicon.places()):
                out.append(Span(m.start(), end, "REDACTED"))
            continue
        if len(k) < 2 or k in lexicon.STOP or _abbreviation(k):
            continue
        if is_ordinary(k) and not is_name(k) and (word.isupper() or _SENTENCE_START.search(
                text[max(0, m.start() - 3):m.start()]) or _an_ordinary_label(text, m.start(), end)):
            continue   # a word in capitals, one that starts a sentence, a label, a job
        out.append(Span(m.start(), end, "REDACTED"))
    # what the context rules find in the text as written, whole ("room 22")
    out += [Span(m.start(g), m.end(g), "REDACTED") for pattern, _ in _RULES
            for m in _rule(pattern, text) for g in [0 if pattern in (_UNIT, _BLOCK) else 1]
            if key(m[1]) not in lexicon.STOP]
    out += [Span(m.start(1), m.end(1), "REDACTED") for pattern in (_FOREIGN_DATE, _SLASH_CODE,
            _PLATE_STATE) for m in (_rule(pattern, text) if pattern is not _FOREIGN_DATE else
            _FOREIGN_DATE.finditer(text) if has_word(text, _lists()["months"]) else ()) if pattern is _SLASH_CODE
            or pattern is _FOREIGN_DATE and key(m[2] or m[3]) in _lists()["months"]
            or pattern is _PLATE_STATE and m[1].lower() in _lists()["states"]]
    # a number or a country beside a name: "2 Malone Park", "Houtstraat 44,", "Santander UK"
    words = [sp for sp in out if text[sp.start].isupper()]
    out += [Span(m.start(1), m.end(1), "REDACTED") for sp in words for m in (
        _NUMBER_BEFORE.search(text, max(0, sp.start - 8), sp.start),
        _NUMBER_AFTER.match(text, sp.end)) if m and not m[1].startswith(("19", "20"))]
    return out
