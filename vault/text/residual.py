"""What the export leaves that may still identify someone, and the reviewer's
levers on it: the residual-risk report (candidates in the anonymized text
with their offsets: capitalised words and words in capitals that are not in
the vocabulary, a lower-case word after a title, words next to a credential,
codes mixing letters and digits), strict mode (every such word replaced),
`--keep` (release a false alarm) and `--also` (force a replacement). Pure
functions, no I/O but the word lists' first read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon
from .lexicon import is_name, is_ordinary, key
from .span import Span

# What the export writes in place of what it removed: never a candidate.
_PLACEHOLDER = re.compile(r"\[[A-Z]+\]|Client-[0-9A-F]+")
# The words a candidate can be: capitalised, with a digit, or lower case
# after a title. Placeholders and pseudonyms match too, to be skipped.
_WORDS = re.compile(
    r"\[[A-Z]+\]|Client-[0-9A-F]+"
    r"|[A-ZÀ-ÖØ-Þ](?<![\w'’-][A-ZÀ-ÖØ-Þ])[\w'’-]*"
    r"|[a-z0-9](?<![\w'’-][a-z0-9])[a-z]*\d[\w-]*")
_AFTER_TITLE = re.compile(r"[DdMmPp](?<!\w[DdMmPp])(?:r|rs|s|x|rof)\.?[ \t]+([a-z][\w'’-]*)")
_TITLE = re.compile(r"\b(?i:dr|mr|mrs|ms|mx|prof|miss)\.?[ \t]+$")
_CREDENTIAL = re.compile(
    r"^,?[ \t]+(?:M\.?D|R\.?N|Ph\.?D|Psy\.?D|LCSW|LICSW|LPC|LMFT|MSW|Esq|CPA|NP|PA-C|DO|DDS)\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“(*•>-]\s*)$")
_NOT_INITIALS = frozenset("am pm ok us uk eu id tv it hr pr ot pt ip st no ad bc ce ex gp "
                          "cv dc nw ne sw se po un ii iv vi ma ba ny la dr mr ms".split())


@dataclass(frozen=True)
class Candidate:
    start: int       # in the anonymized text
    end: int
    word: str
    why: str


def candidates(text: str, names: frozenset[str] | set[str] = frozenset()) -> list[Candidate]:
    """Words of an anonymized text that may be a name, place or code it
    missed. `names` are folded parts of known names (already replaced
    wherever they stand, so never listed)."""
    out: list[Candidate] = []
    for m in _WORDS.finditer(text):
        word = m.group()
        if word[0] == "[" or word.startswith("Client-"):
            continue
        why = _why(text, m.start(), m.end(), word, names)
        if why:
            out.append(Candidate(m.start(), m.end(), word, why))
    for m in _LOWER_WORD.finditer(text):
        if m.group() in _lower_names() and m.group() not in names:
            out.append(Candidate(m.start(), m.end(), m.group(), "a name or place in lower case"))
    for m in _LINE_INITIALS.finditer(text):
        k = m[1].lower()
        if k not in names and k not in lexicon.STOP and not is_ordinary(k):
            out.append(Candidate(m.start(1), m.end(1), m[1], "initials alone on a line"))
    for m in _AFTER_TITLE.finditer(text):
        k = key(m[1])
        if k not in lexicon.STOP and k not in names and (is_name(k) or not is_ordinary(k)):
            out.append(Candidate(m.start(1), m.end(1), m[1], "lower case after a title"))
    return sorted({(c.start, c.end): c for c in out}.values(), key=lambda c: c.start)


_LOWER_WORD = re.compile(r"[a-z](?<![\w'’-][a-z])[a-z]{2,}(?![\w'’-])")
_LINE_INITIALS = re.compile(r"^[ \t]*-*[ \t]*([A-Za-z]{2,3})[ \t]*$", re.M)


@lru_cache(maxsize=1)
def _lower_names() -> frozenset[str]:
    """Names and places that are no ordinary word, for finding them in
    lower case ("spokane", "kaminski")."""
    words = lexicon.ordinary()
    single = (w for w in (*lexicon.first_names(), *lexicon.surnames(), *lexicon.places())
              if " " not in w and len(w) > 3)
    return frozenset(w for w in single if w not in words and w not in lexicon.STOP)


def _why(text: str, start: int, end: int, word: str, names: frozenset[str] | set[str]) -> str:
    has_digit = any(c.isdigit() for c in word)
    if has_digit:
        if any(c.isalpha() for c in word) and len(word) >= 5:
            from .idents import _exempt
            return "" if _exempt(word) else "code mixing letters and digits"
        if word.isdigit() and len(word) >= 4:
            return "number of four digits or more"
        return ""
    k = key(word)
    if k in names:
        return ""
    before = text[max(0, start - 8):start]
    after = text[end:end + 10]
    if _CREDENTIAL.match(after):
        return "next to a credential"
    if word.isupper() and len(word) > 1:
        if k in _NOT_INITIALS or k in lexicon.vocabulary() or is_ordinary(k) and not is_name(k):
            return ""
        return "in capitals, not in the vocabulary"
    if _TITLE.search(before):
        return "after a title"
    if k in lexicon.vocabulary() or k in lexicon.STOP:
        return ""
    if is_ordinary(k):
        if _SENTENCE_START.search(text[max(0, start - 3):start]):
            # "Hope is ...": a word that starts a sentence, unless a first name
            return "a first name, or a word" if k in lexicon.first_names() else ""
        return "capitalised in mid-sentence"
    return "capitalised, not in the vocabulary"


# -- strict mode ----------------------------------------------------------------------

_STRICT = re.compile(r"[^\W_](?<![\w'’-][^\W_])[\w'’-]*")


def strict_spans(text: str) -> list[Span]:
    """Every capitalised word that is not in the vocabulary or that stands in
    mid-sentence (where a capital marks a name), every word in lower case
    that the name and place lists know and the dictionary does not, every
    word with a digit and a letter that is not a measurement or known code,
    and every number of three digits or more."""
    from .idents import _exempt
    out = []
    for m in _STRICT.finditer(text):
        word = m.group().rstrip("'’-")
        if not word:
            continue
        end = m.start() + len(word)
        if any(c.isdigit() for c in word):
            if any(c.isalpha() for c in word):
                if not _exempt(word):
                    out.append(Span(m.start(), end, "REDACTED"))
            elif sum(c.isdigit() for c in word) >= 3:
                out.append(Span(m.start(), end, "REDACTED"))
            continue
        k = key(word)
        if not word[0].isupper():
            if len(k) > 2 and k not in lexicon.STOP and not is_ordinary(k) and (
                    is_name(k) or k in lexicon.places()):
                out.append(Span(m.start(), end, "REDACTED"))
            continue
        if len(k) < 2 or k in _NOT_INITIALS or k in lexicon.vocabulary() or k in lexicon.STOP:
            continue
        if is_ordinary(k) and not is_name(k) and (word.isupper() or _SENTENCE_START.search(
                text[max(0, m.start() - 3):m.start()])):
            continue   # a word in capitals, or one that starts a sentence
        out.append(Span(m.start(), end, "REDACTED"))
    return out


# -- --keep and --also ----------------------------------------------------------------

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
