"""Organisations in forms the other detectors leave (issue 14, eleventh
session): two names joined by "&" wherever they stand ("cc: Norcross &
Vale", "HALVORSEN & PIKE -- ATTENDANCE NOTE"), initials before a kind
written in lower case ("the DRC clinic", "at the KVH practice"), a firm
whose shares someone holds ("her shares in Vellum"), a firm in lower case
that is no word after a verb of working ("interning w/ quellwater"), the
first party of a case's title ("Re: Cobalt Ridge v. Client"), and a firm named in
lower case again once a rule has found it ("works at costco ... costco
again"). Each pattern runs only when a literal it needs is in the note.
Pure functions, no I/O but the word lists' first read.
"""

from __future__ import annotations

import re

from . import lexicon, orgs
from .firms import _an_acronym
from .lexicon import STOP, is_name, is_ordinary, key
from .span import Span, has_word, word_starts

_UP = "A-ZÀ-ÖØ-Þ"
_NAME = rf"[{_UP}][\w'’-]+"
# "Halvorsen & Pike", "Garvey, Schubert & Barer", "Norcross & Vale LLP".
_AMPERSAND = re.compile(
    rf"(?<![\w&'’-])(?:(?P<a0>{_NAME}),[ \t]+)?(?P<a>{_NAME})[ \t]*&[ \t]*(?P<b>{_NAME})"
    r"(?:[ \t]+(?:LLP|LLC|PLLC|Ltd|Inc|Co|Sons|Partners|Associates|Solicitors|Accountants)\b\.?)?"
    r"(?![\w&])")
# Kin and words that pair with "&" in a note without naming a firm.
_NOT_PAIRED = frozenset("""mom mum dad mother father son sons daughter daughters wife husband
    brother sister grandma grandpa nana papa aunt uncle mr mrs ms dr""".split())


def _pair_names_firm(*words: str) -> bool:
    """Two capitalised words joined by "&" name a firm: neither is kin, a
    function word or a clinical word, and one at least is a surname that
    is no first name and no ordinary word ("Halvorsen & Pike", not
    "Anxiety & Depression" or "Sarah & Mike")."""
    keys = [key(w) for w in words]
    if any(k in _NOT_PAIRED or k in STOP or len(k) < 2 or lexicon.is_clinical(k) for k in keys) \
            or "&".join(keys[-2:]) in orgs.vocab("ampersand"):
        return False
    # (a surname that is no first name and no word: not "Black & White",
    # "Obstetrics & Gynaecology", "Sarah & James", "Anxiety & Sarah")
    firsts = lexicon.first_names()
    return any(is_name(k) and not is_ordinary(k) and k not in firsts for k in keys)


def _ampersands(text: str) -> list[Span]:
    out = []
    for m in _AMPERSAND.finditer(text):
        if m["a0"] and _pair_names_firm(m["a0"], m["a"], m["b"]):
            out.append(Span(m.start("a0"), m.end(), "ORG"))   # ("Garvey, Schubert & Barer")
        elif _pair_names_firm(m["a"], m["b"]):
            out.append(Span(m.start("a"), m.end(), "ORG"))
    return out


# Initials before a kind in lower case: "the DRC clinic", "at the KVH practice".
_KINDS = "clinic|clinics|practice|surgery|office|offices|hospital|school|college|centre|center|pharmacy"
_INITIALS_KIND = re.compile(rf"(?<![\w&/-])(?P<i>[A-Z]{{3,5}})[ \t]+(?:{_KINDS})\b")
_KIND_WORDS = frozenset(_KINDS.split("|"))


def _initials(text: str) -> list[Span]:
    return [Span(m.start("i"), m.end("i"), "ORG") for m in _INITIALS_KIND.finditer(text)
            if _an_acronym(m["i"])]


# A firm whose shares, stock or stake someone holds or sells.
_SHARES = re.compile(
    rf"\b(?:shares|stock|stake|shareholding|equity)[ \t]+(?:in|of)[ \t]+"
    rf"(?P<run>{_NAME}(?:[ \t]+{_NAME}){{0,2}})")
_SHARE_WORDS = frozenset("shares stock stake shareholding equity".split())


def _shares(text: str) -> list[Span]:
    out = []
    for m in _SHARES.finditer(text):
        words = [key(w) for w in m["run"].split()]
        if words[0] in STOP or words[0] in lexicon.CALENDAR or all(
                w in orgs.GENERIC or lexicon.is_abbreviation(w) for w in words):
            continue
        out.append(Span(m.start("run"), m.end("run"), "ORG"))
    return out


# A firm in lower case after a verb of working and its preposition, when
# the word is no word at all, or a surname after "at": "interning w/
# quellwater", "works at zorbly", "works @ brightwell".
_WORK_LOW = re.compile(
    r"(?<![\w-])(?i:works?|worked|working|employed|employs|interning|interns?|interned|"
    r"volunteers?|volunteering|volunteered|hired|temping|contracting|placement)"
    r"[ \t]+(?:(?P<at>at|@)|for|with|by|w/)[ \t]+(?:the[ \t]+)?(?P<w>[a-z][a-z'’-]{3,})"
    r"(?![\w'’-])")
_WORK_WORDS = frozenset("""work works worked working employed employs interning intern interns
    interned volunteer volunteers volunteering volunteered hired temping contracting
    placement""".split())


def _work_low(text: str) -> list[Span]:
    out: list[Span] = []
    starts = word_starts(text, _WORK_WORDS, any_text=True)
    found = (_WORK_LOW.match(text, i) for i in starts) if starts is not None \
        else _WORK_LOW.finditer(text)
    dictionary = lexicon.dictionary()
    for m in found:
        if m is None:
            continue
        k = key(m["w"])
        # (a surname after "at", not "for": "works @ brightwell", "works for smith")
        if k in dictionary or is_ordinary(k) or is_name(k) and not m["at"] \
                or k in lexicon.first_names() or k in lexicon.places() \
                or lexicon.is_abbreviation(k) or lexicon.is_clinical(k) or k in STOP:
            continue
        out.append(Span(m.start("w"), m.end("w"), "ORG"))
    return out


# The first party of a case's title after "Re:", "Matter:" or "Case:":
# "Re: Cobalt Ridge v. Client" (headers.py reads the party after "v.").
_FIRST_PARTY = re.compile(
    rf"(?<![\w-])(?:Re|RE|Matter|Case)[ \t]*:[ \t]*(?P<run>{_NAME}(?:[ \t]+{_NAME}){{0,3}})"
    r"[ \t]+(?:v\.?|vs\.?|V\.?)[ \t]+[A-Z]")
_VERSUS_WORDS = frozenset({"v", "vs"})


def _first_party(text: str) -> list[Span]:
    out = []
    for m in _FIRST_PARTY.finditer(text):
        words = [key(w) for w in m["run"].split()]
        if words[0] in STOP or all(is_name(w) or w in orgs.GENERIC for w in words) \
                or all(lexicon.is_abbreviation(w) or w in lexicon.vocabulary() for w in words):
            continue   # ("Smith v. Jones": people; "State v. ...": no name)
        out.append(Span(m.start("run"), m.end("run"), "ORG"))
    return out


def find(text: str) -> list[Span]:
    """ORG spans of the forms above."""
    out: list[Span] = []
    if has_word(text, _VERSUS_WORDS):
        out += _first_party(text)
    out += _work_low(text)
    if "&" in text:
        out += _ampersands(text)
    if has_word(text, _KIND_WORDS):
        out += _initials(text)
    if has_word(text, _SHARE_WORDS):
        out += _shares(text)
    return out


_LOWER_WORD = re.compile(r"[a-z][a-z'’-]{3,}\Z")


def again_lower(text: str, spans: list[Span]) -> list[Span]:
    """A one-word organisation in lower case that a rule found ("works at
    costco"), found again in lower case elsewhere in the note ("costco
    again next week"): not an ordinary word, a name or a place ("target",
    "boots", "mayo" stay where no rule finds them)."""
    words = set()
    for s in spans:
        if s.kind == "ORG" and _LOWER_WORD.match(word := text[s.start:s.end]):
            k = key(word)
            if not is_ordinary(k) and k not in lexicon.vocabulary() and not is_name(k) \
                    and k not in lexicon.places():
                words.add(word)
    out = []
    for word in sorted(words)[:16]:   # (each searched once; at most 16 a note)
        for m in re.finditer(rf"(?<![\w'’-]){re.escape(word)}(?![\w'’-])", text):
            out.append(Span(m.start(), m.end(), "ORG"))
    return out
