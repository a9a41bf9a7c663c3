"""Organisations and places known by name (issue 14, ninth session): the
employers, banks, insurers, health systems, chains and charities a note
names with no head word and no cue ("Wells Fargo", "Kaiser Permanente",
"Harborview"), and regions that the place list lacks or takes for a
surname ("Shropshire", "Lake Tahoe"), from vault/data/org_words.txt. A
name that is also an ordinary word or a first name ("Target", "Chase")
counts only capitalised in mid-sentence and not after a title or a
relation ("her son Chase" is a person). Tried only where a name's first
word stands in the note. Pure functions, no I/O but the list's first read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from . import lexicon
from .lexicon import is_name, is_ordinary, key
from .span import Span, letter_runs

_Index = dict[str, list[tuple[str, str, bool]]]


@lru_cache(maxsize=1)
def _index() -> tuple[_Index, frozenset[str]]:
    """First word (lower case) -> [(name, kind, needs mid-sentence)],
    longest first; and the set of first words."""
    out: _Index = {}
    section = ""
    for line in lexicon._read("org_words.txt"):
        if line.startswith("["):
            section = line.strip("[]")
            continue
        if line.startswith("#") or section not in _KINDS:
            continue
        kind = _KINDS[section]
        for name in filter(None, (n.strip() for n in line.split(";"))):
            first = re.match(r"[A-Za-z]+", name)
            assert first is not None, name
            k = key(name)
            ambiguous = " " not in name and (is_ordinary(k) or k in lexicon.first_names())
            out.setdefault(first[0].lower(), []).append((name, kind, ambiguous))
    for names in out.values():
        names.sort(key=lambda n: -len(n[0]))
    return out, frozenset(out)


_KINDS = {"known_orgs": "ORG", "known_places": "PLACE", "platforms": "PLATFORM"}
@lru_cache(maxsize=1)
def platforms() -> frozenset[str]:
    """The platforms' names, folded ("uber", "tiktok"): a product, unless
    someone works there (then found again in the note: headers.coordinated)."""
    return frozenset(key(n) for names in _index()[0].values() for n, kind, _ in names
                     if kind == "PLATFORM")


# Words after which a name that is also a first name is a person's.
_PERSON_BEFORE = frozenset("""
    dr mr mrs ms mx miss prof nurse son daughter wife husband brother sister mother father
    mom mum dad aunt uncle cousin niece nephew friend boyfriend girlfriend partner named
    called grandson granddaughter baby child boss coworker colleague neighbor neighbour
    """.split())
_TITLE = re.compile(rf"(?<![\w.])(?:{lexicon.TITLES})\.?[ \t]+\Z", re.I)
_CAPITAL_AFTER = re.compile(r"[ \t]+[A-Z]")
# Verbs of joining or leaving an employer, a bank or a school: a firm follows.
_JOINS = frozenset("""leaving left leave leaves joined joining join joins quit quitting
    fired hired resigned retired retiring""".split())
_WORD_BEFORE = re.compile(r"([^\W\d_]+)[,.]?[ \t]+\Z")


def _starts(text: str, word: str) -> Iterator[int]:
    """Where `word` stands in the text with no letter, digit, hyphen,
    apostrophe or "&" right before it (what follows it is the caller's to check)."""
    at = text.find(word)
    while at >= 0:
        i, at = at, text.find(word, at + len(word))
        if not i or not (text[i - 1].isalnum() or text[i - 1] in "-'’&"):
            yield i


def find(text: str) -> list[Span]:
    index, firsts = _index()
    runs = letter_runs(text, any_text=True)
    if runs is None:   # (text whose words are not known: every capitalised word)
        words = frozenset(re.findall(r"[A-Z][A-Za-z]*", text))
    else:
        words = runs[0]
    present = _cased(firsts).intersection(words)   # (most notes: none)
    out: list[Span] = []
    for word in present:
        for i in _starts(text, word):
            span = _match(text, i, index[word.lower()])
            if span is not None and (span.kind != "PLATFORM" or _employer(text, i, span.end)):
                out.append(span if span.kind != "PLATFORM" else Span(span.start, span.end, "ORG"))
    if runs is not None and not firsts.isdisjoint(runs[1]):
        out += _lower(text, index, firsts.intersection(runs[1]) - {w.lower() for w in present})
    return out


# A cue before a name written in lower case ("biopsy at mayo", "seen at
# harborview", "banks with wells fargo").
_LOWER_CUE = re.compile(r"(?:(?<![^\W\d_])(?P<cue>at|with|from|via|by|to|in|near|w/)|(?<!\S)(?P<at>@))"
                        r"[ \t]+(?:the[ \t]+)?\Z")


_PLACE_CUES = frozenset(("in", "near", "from", "to"))
_FIRM_CUES = frozenset(("at", "with", "from", "via", "by", "to", "w/"))


def _lower(text: str, index: _Index, words: set[str]) -> list[Span]:
    """Known names in lower case after a cue: a name of two words, or of
    one that is no word and no first name; one that is also a surname
    ("mayo", not "target") after "at"."""
    out = []
    for word in words:
        # (only the names the text holds in lower case: "the", "at" and
        # "in" start a name or two and nearly every note)
        # (a place only when it is no word and no first name: "moved to
        # khayelitsha", not "in camden")
        names = [n for n in index[word] if (n[1] != "PLACE" or not n[2]) and n[0].lower() in text]
        if not names:
            continue
        for i in _starts(text, word):
            cue = _LOWER_CUE.search(text, max(0, i - 10), i)
            if cue is None:
                continue
            for name, kind, ambiguous in names:
                end = i + len(name)
                if text[i:end] != name.lower() or cue["cue"] not in (
                        _PLACE_CUES if kind == "PLACE" else _FIRM_CUES) and not (
                        cue["at"] and kind != "PLACE") or (
                        end < len(text) and (text[end].isalnum() or text[end] in "-&")):
                    continue
                if kind == "PLACE":
                    out.append(Span(i, end, "PLACE"))
                elif kind == "PLATFORM":
                    if _employer(text, i, end):
                        out.append(Span(i, end, "ORG"))
                elif not ambiguous or (cue["at"] or cue["cue"] == "at") and is_name(word):   # ("mayo")
                    out.append(Span(i, end, "ORG"))
                break
    return out


@lru_cache(maxsize=1)
def _cased(firsts: frozenset[str]) -> frozenset[str]:
    """The first words as a name starts: capitalised, and in capitals."""
    return frozenset(w for f in firsts for w in (f.capitalize(), f.upper(), f[:1].upper() + f[1:])) \
        | frozenset(m[0] for names in _index()[0].values() for n, _, _ in names
                    for m in [re.match(r"[A-Za-z]+", n)] if m)


def _match(text: str, i: int, names: list[tuple[str, str, bool]]) -> Span | None:
    for name, kind, ambiguous in names:
        end = i + len(name)
        if not (text.startswith(name, i) or text[i:end].isupper()
                and text[i:end] == name.upper() and len(name) > 3):
            continue
        if end < len(text) and (text[end].isalnum() or text[end] in "-&"):
            continue
        if kind == "PLATFORM":
            return Span(i, end, kind)   # (find() asks _employer)
        if ambiguous and (not _mid_sentence(text, i) or _CAPITAL_AFTER.match(text, end)):
            return None   # ("Target was", "his Apple Watch": a word, a product)
        if kind == "PLACE" and _TITLE.search(text, max(0, i - 8), i):
            return None   # ("Dr. Shropshire": a surname)
        return Span(i, end, kind)
    return None


def _mid_sentence(text: str, start: int) -> bool:
    """A lower-case word or a comma stands before the name, and it is no
    title or relation word."""
    before = _WORD_BEFORE.search(text, max(0, start - 24), start)
    if before is not None and before[1].lower() in _JOINS and "." not in before[0]:
        return True   # ("Leaving Emirates cabin crew")
    if before is None or "." in before[0] or not (before[1].islower() or "," in before[0]):
        return False
    return before[1].lower() not in _PERSON_BEFORE


# A platform, an app or a shop online ("on Instagram", "an Uber home",
# "ordered from Amazon") names nobody; where someone works or earns, it is
# an organisation: "at" or "@" before it, a
# preposition after a word of work in its clause ("drives for Uber", "a job
# with Amazon", "1099-K from PayPal"), or a word of employment after it
# ("Google W-2", "Amazon warehouse", "Uber driver").
_WORK = re.compile(
    r"(?<![^\W\d_])(?i:work\w*|jobs?|employ\w*|hired|hire|contract\w*|interview\w*|offers?|shifts?|"
    r"careers?|position|role|intern\w*|placement|driv(?:e|es|ing|er|ers)|drove|deliver\w*|"
    r"recruit\w*|laid[ \t]+off|fired|promot\w*|salary|staff|eng|engineer|developer|manager|"
    r"analyst|gig|income|earnings|1099\S*|W-?2|P60|P45|T4|freelanc\w*|self-employ\w*|appl\w*)"
    r"(?![^\W\d_])")
_WORK_AFTER = re.compile(
    r"[ \t]+(?:W-?2|1099\S*|P60|P45|T4|(?i:RSUs?|ESPP|stock|shares|warehouse|drivers?|employees?|"
    r"colleagues?|co-?workers?|HQ|headquarters|offices?|campus|layoffs?|severance|recruiters?|"
    r"contract|contractor|shifts?|job|salary|payslips?|paychecks?|pension|badge|internship|"
    r"engineers?|managers?|interview|offer))(?![^\W\d_])")
_BEFORE_WORD = re.compile(r"(?:(?<![^\W\d_])([^\W\d_]+)|(@))[ \t]+(?:the[ \t]+)?\Z")
_PREPOSITIONS = frozenset({"for", "with", "by", "from", "to"})   # ("at": always)


def _employer(text: str, start: int, end: int) -> bool:
    """The platform at text[start:end] is where someone works or earns."""
    if _WORK_AFTER.match(text, end):
        return True
    before = _BEFORE_WORD.search(text, max(0, start - 24), start)
    if before is None:
        return False
    word = (before[1] or before[2]).lower()
    if word == "at" or word == "@":
        return True   # ("left Instagram", "joined TikTok": a user, not staff)
    if word not in _PREPOSITIONS:
        return False
    clause = text[max(0, start - 80):before.start()]
    cut = max(clause.rfind(c) for c in ".;!?\n")
    return _WORK.search(clause, cut + 1) is not None
