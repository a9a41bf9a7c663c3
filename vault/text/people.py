"""People nobody registered, places and organisations, found in one pass
over the capitalised words of a text plus a few context patterns: names
after a title or a role ("Dr. Okonjo", "Attending: Lorraine Kessler", "her
boss Ravi Shankar"), before a credential ("Rosalind Pike, RN"), in dictation
lines ("LK:tmw", "ABC/jones/lee"), written "SURNAME, FIRST", and names and
places from the packaged gazetteers (`lexicon`) when they are not ordinary
words, or when the context says they are names ("Hope" stays a word;
"Hope Whitley" and "Ms. Hope" do not; that pass over the capitalised words
is `gazetteer`'s). Organisations and places by their head words are in
`orgs`. Pure functions, no I/O but the lists' first read.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon
from .lexicon import STOP, is_name, is_ordinary, key
from .names import PARTICLES
from .gazetteer import find_gazetteer
from .placecues import STATES as _STATES
from .span import Span, word_starts

__all__ = ["find_context", "find_gazetteer"]   # (the gazetteer's pass, in its own module)

_UP = "A-ZÀ-ÖØ-Þ"
# Trigger words, looked up word by word in one pass over the text (a set
# lookup per word is cheaper than one regex alternation per kind of cue).
_TITLES = frozenset("dr mr mrs ms mx miss prof professor doctor nurse judge rev fr sgt "
                    "officer coach atty dra sra rabbi imam pastor reverend chaplain".split())
# A role and what must follow it before the name: "Dictated by", "PCP:".
_ROLES = {w: re.compile(rf"{tail}[ \t]*(?::|-|by\b)?[ \t]*(?=[^\W\d_])") for w, tail in (
    ("attending", r"(?:[ \t]+physician)?"), ("pcp", ""), ("gp", ""), ("cc", ""),
    ("dictated", r"[ \t]+by"), ("referred", r"[ \t]+by"),
    ("referring", r"(?:[ \t]+(?:physician|provider|doctor))?"),
    ("electronically", r"[ \t]+signed(?:[ \t]+by)?"), ("signed", r"(?:[ \t]+by)?"),
    ("seen", r"[ \t]+by"), ("reviewed", r"[ \t]+by"), ("supervisor", ""), ("therapist", ""),
    ("provider", ""), ("physician", ""), ("clinician", ""), ("resident", ""), ("surgeon", ""),
    ("psychiatrist", ""), ("case", r"[ \t]+manager"), ("social", r"[ \t]+worker"),
    ("counsel", ""), ("attorney", ""), ("preparer", ""), ("emergency", r"[ \t]+contact"),
    ("contact", ""), ("guardian", ""), ("author", ""), ("witness", ""), ("interpreter", ""),
    ("cosigned", r"[ \t]+by"), ("transcribed", r"[ \t]+by"), ("prepared", r"[ \t]+by"),
    ("approved", r"[ \t]+by"), ("consultant", ""), ("ordering", r"[ \t]+provider"),
    ("scribe", ""), ("typist", ""), ("dictation", ""))}
_RELATIONS = frozenset("""
    boss manager supervisor cousin sister brother mother father mom mum dad son daughter
    wife husband partner fiance fiancee fiancé fiancée girlfriend boyfriend friend neighbor
    neighbour aunt uncle niece nephew grandson granddaughter grandmother grandfather grandma
    grandpa granny stepson stepdaughter stepmother stepfather stepmom stepdad law coworker
    worker colleague roommate flatmate landlord landlady tenant employer teacher principal
    tutor pastor priest rabbi imam sponsor counselor counsellor caseworker lawyer accountant
    ex wife husband spouse sibling twin caregiver carer aide child kid baby bf gf buddy mate
    classmate therapist psychiatrist cardiologist oncologist paralegal advisor adviser
    trainer mentor detective named called""".split())
_RELATION_TAIL = re.compile(rf",?[ \t]+(?=[{_UP}])")
_TITLE_TAIL = re.compile(r"\.?[ \t]+(?=[^\W\d_])")
_CREDENTIALS = frozenset(
    "MD DO RN NP PA-C PhD PsyD LCSW LICSW LMSW LPC LMHC LMFT MFT MSW Esq CPA JD DDS DMD BSN "
    "CNM CRNA LPN CNA FNP DNP APRN MBBS FRCP MRCP LCPC BCBA OTR DPT PharmD RPh CFP EA PMHNP "
    "RGN FY2 FY1 ST3 SpR MA CMA".split())
_ALPHA = re.compile(r"[^\W\d_]+")
_DICTATION = re.compile(rf"[{_UP}](?<![^\W_][{_UP}])[{_UP}]{{1,3}}[:/][a-z]{{2,}}"
                        r"(?:/[a-z]{2,})*\b")
# (a ":" or "/" before two lower-case letters, which every dictation line
# holds; re finds the two characters fast)
_DICTATION_HINT = re.compile(r"[:/][a-z][a-z]")
# (a surname of at most 61 characters: unbounded, "AB-AB-..." was read to its
# end from each capital after a hyphen, quadratic)
_SURNAME_FIRST = re.compile(
    rf"[{_UP}](?<![^\W_][{_UP}])(?:[{_UP}'’-]{{1,60}}|[a-z'’-]{{1,60}})(?<=(\w)),[ \t]*"
    rf"([{_UP}][{_UP}'’-]+|[{_UP}][a-z]+)(?:[ \t]+(?!M\.D\.)[{_UP}]\b\.?)?")
# What every "SURNAME, FIRST" holds: a comma, then a capital (a literal
# first, which re finds fast).
_COMMA_CAPITAL = re.compile(rf",[ \t]*[{_UP}]")
_NEXT = re.compile(r"[ \t]*([^\W\d_][^\W\d_'’-]*)(\.?)")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“(•*-]\s*|\n\s*)$")



_WORD_BEFORE = re.compile(r"([^\W\d_][^\W\d_'’-]*(?:-[^\W\d_]+)?)\.?[ \t]*\Z")
# A line of two or three letters alone, or after "--" or "-": the initials
# that sign a note ("-- RMS", "gw", "JM").
_SIGNATURE = re.compile(r"^[ \t]*(?:--?[ \t]*)?([A-Z]{2,3})[ \t]*$", re.M)
_LOWER_CUE = frozenset("in from to near visiting at moved lives".split())
# Notes written in lower case: a first name that is no word after a word of
# contact ("spoke w/ maria", "per ravi", "texted jose"), or starting a
# sentence before one ("maria called", "ravi says").
_CONTACT = frozenset("w per with called texted emailed phoned told asked saw met cc".split())
_SAID = frozenset("called calls said says texted emailed phoned asked reports reported states "
                  "stated agreed wants feels thinks".split())
_NEXT_LOWER = re.compile(r"[ \t]+\(?([a-z]+)(?:[ \t]+([a-z]+))?")
_SPLIT_DICTATION = re.compile(r"[:/][ \t]?")
_CAPITAL_NEXT = re.compile(r"(?:[ \t]+[a-z]{1,3})*[ \t]+[A-Z]")


def _name_after(text: str, pos: int, lower_ok: bool, limit: int = 3,
                words_ok: bool = True) -> int:
    """The end of the name that starts at pos (pos itself when there is
    none): up to `limit` words that could be a name; initials ("J.") count."""
    end = at = pos
    i = 0   # (the words taken so far; particles between them do not count)
    while i < limit:
        m = _NEXT.match(text, at)
        if m is None:
            break
        word = m[1]
        k = key(word)
        if word.islower() and k in PARTICLES and lower_ok and at - end < 12 \
                and _CAPITAL_NEXT.match(text, m.end()):
            at = m.end()   # ("Dr. van der Berg": the particles go with the name after them)
            continue
        if k in STOP and not (i == 0 and lower_ok and word[0].isupper()):
            break
        if word[0].isupper():
            if not words_ok and len(word) > 1 and (k in lexicon.vocabulary() or is_ordinary(k)
                                                   and k not in lexicon.first_names()):
                break
            if len(word) > 1 and (k in lexicon.CALENDAR or
                                  is_ordinary(k) and not is_name(k) and not word.isupper()):
                break
            if word.isupper() and len(word) > 1 and not is_name(k) and (
                    k in lexicon.vocabulary() or len(word) > 2 and lexicon.is_abbreviation(k)):
                break   # ("referred by ENT", "seen by TBI clinic")
        elif not (lower_ok and i == 0 and is_name(k) and k not in PARTICLES and len(k) > 2):
            break
        end = at = m.end() if len(word) == 1 else m.end(1)
        if i == 0 and not word[0].isupper():
            break   # "dr smith": one lower-case word, no more
        i += 1
    return end


@lru_cache(maxsize=1)
def _triggers() -> frozenset[str]:
    """Every word the pass over the words stops at, in lower case."""
    from .orgs import HEADS
    return frozenset((*_TITLES, *_ROLES, *_RELATIONS, *_LOWER_CUE, *HEADS, "m",
                      *(c.lower() for c in _CREDENTIALS), *_CONTACT, *_SAID))


def _alone(text: str, m: re.Match[str]) -> bool:
    """The word is a token of its own: no digit or underscore touches it."""
    before, after = text[m.start() - 1:m.start()], text[m.end():m.end() + 1]
    return not (before.isalnum() or before == "_" or after.isalnum() or after == "_")


def _lower_place(text: str, pos: int) -> list[Span]:
    """A place in lower case after "in", "from", "to": "in spokane", "from
    san diego"; only names that are no ordinary word."""
    m = _NEXT_LOWER.match(text, pos)
    if m is None:
        return []
    places = lexicon.places()
    if m[2] and f"{m[1]} {m[2]}" in places:
        return [Span(m.start(1), m.end(2), "PLACE")]
    if m[1] in places and not is_ordinary(m[1]) and m[1] not in STOP:
        return [Span(m.start(1), m.end(1), "PLACE")]
    return []


def _name_before(text: str, end: int) -> int:
    """The start of the name that ends at `end`, before a credential."""
    start = end
    for _ in range(4):
        m = _WORD_BEFORE.search(text, max(0, start - 40), start)
        if m is None:
            break
        word = m[1]
        if not word[0].isupper() or key(word) in STOP and len(word) > 1 or word in _CREDENTIALS:
            break   # (a credential before another: "Joan Pryce, CPA, EA")
        k = key(word)
        if len(word) > 1 and is_ordinary(k) and not is_name(k) and not word.isupper() \
                and not ("-" in word and start < end
                         and all(is_name(key(p)) for p in word.split("-"))):
            break   # ("Sung-min Hwang, MD": a given name written with a hyphen goes on)
        start = m.start()
    return start


def _a_lower_first_name(word: str) -> bool:
    return len(word) > 2 and word not in STOP and word not in PARTICLES \
        and word in lexicon.first_names() and not is_ordinary(word) \
        and not lexicon.is_abbreviation(word)


_LOWER_BEFORE = re.compile(r"(?:^|(?<=[.!?;:\n])[ \t]*|(?<=\n))([a-z]+|[A-Z][a-z]+)[ \t]+\Z")
_NOT_SUBJECTS = frozenset("patient pt pts client clients staff team family".split())


def _a_first_name_saying(word: str) -> bool:
    """A capitalised first name that is also a word, before a word of saying
    at a sentence's start ("Grace called", "Will says", "Hope reports"): a
    person, not a virtue or a verb. (First names that are no word are the
    gazetteer's. Not "Dean" or "Mentor", who call too, nor "Bill": "Bill
    states $400".)"""
    k = word.lower()
    return k in lexicon.first_names() and (k not in STOP or k == "will") \
        and k not in lexicon.vocabulary() and k not in _RELATIONS and k not in _TITLES \
        and k not in _ROLES and k not in _NOT_SUBJECTS and k not in ("mentor", "dean", "bill")


def _lower_first_name(text: str, m: re.Match[str]) -> list[Span]:
    """A first name in lower case after a word of contact ("w/ maria", "per
    ravi"), or before a word of saying at a sentence's start ("maria
    called"; "Grace called", capitalised, if it is a word too)."""
    w = m.group()
    if w in _CONTACT and (w != "w" or text[m.end():m.end() + 1] == "/"):
        nxt = _NEXT_LOWER.match(text, m.end() + (w == "w"))
        if nxt and _a_lower_first_name(nxt[1]):
            return [Span(nxt.start(1), nxt.end(1), "PERSON")]
    if w in _SAID:
        before = _LOWER_BEFORE.search(text, max(0, m.start() - 24), m.start())
        if before and (_a_lower_first_name(before[1]) if before[1].islower()
                       else _a_first_name_saying(before[1])):
            return [Span(before.start(1), before.end(1), "PERSON")]
    return []


def _trigger_words(text: str, triggers: frozenset[str]) -> list[re.Match[str]]:
    """_ALPHA's matches that may be trigger words, in order. In ASCII text,
    only the trigger words it holds are searched for (each with a literal
    first, which re finds fast) instead of a Python loop over every word."""
    starts = word_starts(text, triggers)
    if starts is None:
        heads = _ascii_heads(triggers)
        if heads is not None and (starts := word_starts(text, heads, any_text=True)) is not None:
            # Other text: where its runs of ASCII letters that are a trigger
            # or a trigger's ASCII head ("fianc" of "fiancé") start, if a
            # word starts there too (not after "é"). The caller drops what
            # is no trigger ("fiancer"). (The letter before: one character, or
            # a long run of letters was read again from each start in it.)
            return [m for s in starts if not (s and _ALPHA.match(text, s - 1, s))
                    and (m := _ALPHA.match(text, s)) is not None]
        return list(_ALPHA.finditer(text))
    return [m for s in starts if (m := _ALPHA.match(text, s)) is not None]


_HEADS: dict[int, tuple[frozenset[str], frozenset[str] | None]] = {}


def _ascii_heads(triggers: frozenset[str]) -> frozenset[str] | None:
    """The triggers in ASCII, and the other triggers' first letters up to
    their first letter that is not ASCII ("fianc" of "fiancé"); None if
    one starts with such a letter."""
    found = _HEADS.get(id(triggers))
    if found is None or found[0] is not triggers:
        heads = [re.findall(r"^[a-z]*", t)[0] for t in triggers]
        found = _HEADS[id(triggers)] = (triggers, None if "" in heads else frozenset(heads))
    return found[1]


def find_context(text: str) -> list[Span]:
    """Names that their context marks (titles, roles, relations, credentials,
    dictation lines and "SURNAME, FIRST") and organisations by their head
    word, in one pass over the words."""
    from .orgs import HEADS, org_before
    triggers = _triggers()
    out: list[Span] = []
    for m in _trigger_words(text, triggers):
        w = m.group()
        lw = w.lower()
        if lw not in triggers:
            continue   # most words: one set lookup
        if w in _CREDENTIALS or w == "M" and text[m.end():m.end() + 3] == ".D.":
            before = text[m.start() - 2:m.start()]
            if before[-1:] in " \t" and (before[:1].isalpha() or before[:1] in ",."):
                end = m.start() - (2 if before[:1] == "," else 1)
                start = _name_before(text, end)
                if w in _STATES and " " not in text[start:end] and key(text[start:end]) in \
                        lexicon.places():
                    continue   # ("Newton, MA": a town and its state)
                if start < end:
                    out.append(Span(start, end, "PERSON"))
        if lw in HEADS and w[0].isupper():
            org = org_before(text, m)
            if org is not None:
                out.append(org)
        if w.islower() and (lw in _CONTACT or lw in _SAID):
            out += _lower_first_name(text, m)
        if (lw in _LOWER_CUE and w.islower() or lw in _RELATIONS) and len(w) > 1:
            if not _alone(text, m):
                continue   # letters inside a code or a hash ("00000dee")
            if lw in _LOWER_CUE:
                out += _lower_place(text, m.end())
            else:
                # "son dennis", "neighbour kaminski", "her boss (marty)": a name
                # in lower case that is no ordinary word
                nxt = _NEXT_LOWER.match(text, m.end())
                if nxt and is_name(nxt[1]) and not is_ordinary(nxt[1]) and len(nxt[1]) > 2 \
                        and nxt[1] not in STOP and nxt[1] not in PARTICLES:
                    end = nxt.end(2) if nxt[2] and is_name(nxt[2]) and not is_ordinary(
                        nxt[2]) else nxt.end(1)
                    out.append(Span(nxt.start(1), end, "PERSON"))
        tail = None
        if lw in _TITLES:
            tail, words_ok = _TITLE_TAIL.match(text, m.end()), True
            lower_ok = lw in ("dr", "mr", "mrs", "ms", "mx", "prof", "miss")
        elif lw in _ROLES:
            tail, lower_ok, words_ok = _ROLES[lw].match(text, m.end()), False, False
        elif lw in _RELATIONS:
            tail, lower_ok, words_ok = _RELATION_TAIL.match(text, m.end()), False, False
        if tail is None or m.start() and text[m.start() - 1].isalpha():
            continue
        end = _name_after(text, tail.end(), lower_ok, words_ok=words_ok)
        if end > tail.end():
            out.append(Span(tail.end(), end, "PERSON"))
    # (without a line break, "^" and "$" of _SIGNATURE hold only at the text's
    # ends: one match at 0 instead of a scan trying every position)
    for m in _SIGNATURE.finditer(text) if "\n" in text else filter(None, [_SIGNATURE.match(text)]):
        dashed = m.group().lstrip().startswith("-")
        if not dashed and (m[1].islower() or "\n" not in text[:m.start()]
                           or text[m.end():].strip()):
            continue   # initials in capitals ending a note with a body, or after "--"
        k = m[1].lower()
        if k not in lexicon.vocabulary() and k not in STOP and not is_ordinary(k):
            out.append(Span(m.start(1), m.end(1), "PERSON"))
    for m in _DICTATION.finditer(text) if _DICTATION_HINT.search(text) else ():
        caps, *rest = _SPLIT_DICTATION.split(m.group())
        if caps.lower() not in lexicon.vocabulary() or any(
                not is_ordinary(w) for w in rest):
            out.append(Span(m.start(), m.end(), "PERSON"))
    for m in _SURNAME_FIRST.finditer(text) if _COMMA_CAPITAL.search(text) else ():
        first = m.group().split(",")[0]
        a, b = key(first), key(m[2])
        if len(m[2]) == 2 and m[2] in _STATES and a in lexicon.places():
            continue   # ("Newton, MA": a town and its state)
        if a in lexicon.places() and not is_name(a) or b in lexicon.places() and not is_name(b):
            continue
        if b in lexicon.vocabulary() or a in lexicon.vocabulary():
            continue
        if first.isupper() and m[2].isupper():
            # both names, or a name and no word ("OKAFOR, CHIDI"); not two
            # words of a line in capitals ("CRACKLES, NO", "INTACT, STRENGTH")
            ok = a not in STOP and b not in STOP and (b in lexicon.first_names() and is_name(a) or (
                is_name(a) or is_name(b)) and not is_ordinary(a) and not is_ordinary(b))
        else:
            ok = b in lexicon.first_names() and is_name(a) and not is_ordinary(a)
        if ok:
            out.append(Span(m.start(), m.end(), "PERSON"))
    return out
