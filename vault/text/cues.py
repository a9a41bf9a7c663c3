"""What the residual-risk report's context rules find in a note as written,
replaced in every mode rather than only listed (issue 14, recall): a
number after a record keyword ("Medical Record #: 000 482 117", "pager
50311", "tracking KG 4481"), a flat or unit ("unit 610"; not a room),
a code after a credential ("M.D. PG41"), a code with slashes
("GUM/24/4471"), a state in tax writing or on a plate ("CA owes $220", "MA
reg"), a county ("Co. Mayo"), and the initials of a dictation line or a
signature ("NB/cl", "tl RN", "gs" closing the note). These rules were
written for the report; each needs a keyword or a form that rarely means
anything else, so they take few ordinary words. Pure functions, no I/O
but the lists' first read.
"""

from __future__ import annotations

import re

from . import lexicon
from . import residual as r
from .lexicon import is_ordinary, key
from .span import Span, Windows, has_word, scan, word_starts

# A flat or unit someone lives in: "unit 610", "flat 3B". (The report's
# rule also lists rooms, beds and cells: a hospital or meeting room names
# no one, so only strict mode replaces those.)
_DWELLING = re.compile(r"(?=[UuFAaSs])\b(?:[Uu]nit|UNIT|Flat|FLAT|(?i:apt|apartment|suite|ste))\.?"
                       r"[ \t]*#?[ \t]*(\d+[A-Za-z]?)\b")   # (not "a flat 3 times")
# What follows the slash of a dictation line's initials ("NB/cl" at a line's end)
_SLASH_TAIL = re.compile(r"/[ \t]*[A-Za-z]{2,3}(?:[ \t]*$|[ \t]{2,}|[ \t]+(?:D:|T:|Dictated|"
                         r"Transcribed))", re.M)
_YEAR = re.compile(r"(?:19|20)\d\d")
# A number after these is a telephone's.
_PHONE_WORDS = ("pager", "bleep", "ext", "pgr")
# What closes a note and is no one's initials.
_NOT_SIGNATURES = frozenset("etc end ok yes yep nope thx ty tbc tba fyi asap nfa prn bye "
                            "fin done".split())


# Where each rule can start, found from the note's words (span.word_starts,
# a str.find per word) instead of trying the rule at every character: the
# keyword of a record number, a "$" or a tax word, a credential, a slash.
_KEYED_WORDS = frozenset("""mrn record chart account acct policy member pager bleep ext license
    licence plate reg registration tag case docket claim ref reference index batch bib badge
    employee student tracking serial certificate permit passport""".split())
_DWELLING_WORDS = frozenset("unit flat apt apartment suite ste".split())
_CREDENTIALS = frozenset("md rn np pa phd lpn cna".split())   # ("do": a common word)
# The word after the state ("CA owes"), or the last of the words after it
# ("MD has none", "NY state tax", "CA does not conform"): common words such
# as "has" would send the rule to every one of them.
_TAX_WORDS = frozenset("owes refund return resident residency withholding estimate estimates"
                       .split())
_TAX_LAST = frozenset("none tax conform conforms".split())
_PLATE_WORDS = frozenset("tag tags reg plate plates registration license licence dl".split())
_BLOCK_WORD = frozenset({"block"})
_FEDERAL = frozenset({"federal"})
_ALL_WORDS = (_KEYED_WORDS | _DWELLING_WORDS | _CREDENTIALS | _TAX_WORDS | _PLATE_WORDS
              | _BLOCK_WORD | _FEDERAL | _TAX_LAST)
_WORD = re.compile(r"[A-Za-z]+")


_LISTS = (_KEYED_WORDS, _DWELLING_WORDS, _CREDENTIALS, _TAX_WORDS, _PLATE_WORDS, _BLOCK_WORD,
          _FEDERAL, _TAX_LAST)
_INDEX = {id(words): i for i, words in enumerate(_LISTS)}
_LISTS_OF = {w: tuple(i for i, words in enumerate(_LISTS) if w in words) for w in _ALL_WORDS}


def _starts(text: str) -> list[list[int]] | None:
    """Where each list's words start in an ASCII text (one word_starts for all),
    in the order of _LISTS."""
    found = word_starts(text, _ALL_WORDS)
    if found is None:
        return None
    out: list[list[int]] = [[] for _ in _LISTS]
    for p in found:
        word = _WORD.match(text, p)
        assert word is not None   # (a word starts at p)
        for i in _LISTS_OF[word[0].lower()]:
            out[i].append(p)
    return out


def _chars(text: str, chars: str) -> list[int]:
    """Where each of these characters stands in the text."""
    return _after(text, tuple(chars))


def _after(text: str, needles: tuple[str, ...]) -> list[int]:
    out = []
    for needle in needles:
        at = text.find(needle)
        while at >= 0:
            out.append(at)
            at = text.find(needle, at + 1)
    return out


def _tried(rx: re.Pattern[str], text: str, starts: list[int] | None,
           back: tuple[int, ...] = (0,)) -> list[re.Match[str]]:
    """rx's matches that start at one of `starts` less one of `back` (how far
    before the word found the match may start); every match when `starts`
    is None (text that is not ASCII)."""
    if starts is None:
        return list(rx.finditer(text))
    out: list[re.Match[str]] = []
    end = -1
    for q in sorted({p - b for p in starts for b in back}) if starts else ():
        if q >= end and q >= 0:
            m = rx.match(text, q)
            if m:
                out.append(m)
                end = m.end()
    return out


def _token_starts(text: str, slashes: list[int]) -> list[int]:
    """The start of the token of letters, digits and slashes around each slash
    (`slashes` in order: a walk back that reaches the slash before stops
    there with its start, so a long token costs its length, not its square)."""
    out = []
    last, last_start = -1, 0
    for slash in slashes:
        i = slash
        while i > 0 and (text[i - 1].isalnum() or text[i - 1] == "/"):
            i -= 1
            if i == last:
                i = last_start
                break
        out.append(i)
        last, last_start = slash, i
    return out


# A room in a care home, a nursing home or a long-term care unit is where a
# resident lives: "Maple Grove Care Home, Rm 14", "LTC ... room 117B". (A
# room in a hospital or a meeting names no one: those stay.)
_ROOM = re.compile(r"(?<![\w])(?:[Rr]oom|ROOM|[Rr]m|RM)\.?[ \t]*#?[ \t]*\d{1,4}[A-Za-z]?\b")
_ROOM_WORDS = frozenset("room rm".split())
# (the first word of each of _CARE_HOME's alternatives)
_CARE_WORDS = frozenset("care nursing rest residential retirement group assisted memory long "
                        "skilled ltc snf alf manor".split())


def _a_care_home(text: str) -> bool:
    """The note names a care home, tried only where one of _CARE_WORDS starts."""
    starts = word_starts(text, _CARE_WORDS)
    if starts is None:   # (a copy in ASCII, one "?" for each other character)
        starts = word_starts(text.encode("ascii", "replace").decode("ascii"), _CARE_WORDS)
    return any(_CARE_HOME.match(text, i) for i in starts or ())
_CARE_HOME = re.compile(
    r"(?i:care[ \t-]+home|nursing[ \t-]+home|rest[ \t-]+home|residential[ \t-]+home|"
    r"retirement[ \t-]+home|group[ \t-]+home|assisted[ \t-]+living|memory[ \t-]+care|"
    r"long[ \t-]+term[ \t-]+care|skilled[ \t-]+nursing|care[ \t-]+facility)"
    r"|(?<!\w)(?:LTC|SNF|ALF|Manor|MANOR)\b")
# A building's name before the number of its street: "First Avenue House,
# 42-49 High Holborn" (a street without a type); after a unit: "Unit 4,
# Paintworks, Bath Road".
_NUMBER_STREET = re.compile(
    r",[ \t]*\d{1,4}[A-Za-z]?(?:[-–]\d{1,4}[A-Za-z]?)?[ \t]+[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+){0,2}")
_BUILDING = re.compile(
    r"(?:[A-Z][\w'’-]*[ \t]+){0,3}(?:House|Court|Chambers|Buildings|Building|Centre|Center|"
    r"Tower|Works|Mill|Hall|Exchange|Yard|Wharf|Mansions|Plaza|Studios|Arcade)\Z")
_BUILDING_WORDS = frozenset(_BUILDING.pattern.split("(?:House|")[1].split(")")[0].split("|")
                            ) | {"House"}
_UNIT_BUILDING = re.compile(
    r"(?=[UuFAaSs])\b(?:[Uu]nit|UNIT|Flat|FLAT|(?i:apt|apartment|suite|ste))\.?[ \t]*#?[ \t]*"
    r"\d+[A-Za-z]?,[ \t]*(?P<b>[A-Z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*){0,3}),[ \t]*(?=[A-Z\d])")


# A state before the number of its income-tax form, in tax writing: "CA 540",
# "NY IT-201", "MD 502"; only in a note that speaks of a federal return.
_STATE_FORM = re.compile(r"(?<![\w/-])([A-Z]{2})[ \t]+(?:Form[ \t]+)?(?:[A-Z]{1,2}-)?\d{1,4}"
                         r"(?:-[A-Z]{1,3})?\b(?![.,]\d)")
_RETURN_WORDS = frozenset("IRS MFJ MFS AGI Sch".split())
_FEDERAL_RETURN = re.compile(r"\b(?:1040|W-2|IRS|MFJ|MFS|AGI|Sch[ \t]+[A-F]|Schedule[ \t]+[A-F])\b")


def _state_forms(text: str, states: frozenset[str]) -> list[Span]:
    if not ("1040" in text or "W-2" in text or has_word(text, _RETURN_WORDS, lower=False)
            and (text.isascii() or any(word in text for word in _RETURN_WORDS))) \
            or not _FEDERAL_RETURN.search(text):
        return []
    return [Span(m.start(1), m.end(1), "PLACE") for m in _STATE_FORM.finditer(text)
            if m[1].lower() in states]


def _addresses(text: str, windows: Windows, dwellings: list[int] | None) -> list[Span]:
    """Care-home rooms, buildings before a street's number, buildings after a
    unit: parts of an address that only their neighbours mark."""
    out: list[Span] = []
    if has_word(text, _ROOM_WORDS) and _a_care_home(text):
        out += [Span(m.start(), m.end(), "ADDRESS") for m in _ROOM.finditer(text)]
    if has_word(text, _BUILDING_WORDS, lower=False):
        for m in scan(_NUMBER_STREET, text, windows):
            b = _BUILDING.search(text, max(0, m.start() - 60), m.start())
            if b:
                out.append(Span(b.start(), m.end(), "ADDRESS"))
    for m in _tried(_UNIT_BUILDING, text, dwellings):
        out.append(Span(m.start("b"), m.end("b"), "ADDRESS"))
    return out


def find(text: str, windows: Windows) -> list[Span]:
    """Spans of what the report's context rules find in `text`; those that
    need a digit only where the note has one."""
    out: list[Span] = []
    if not text:
        return out
    states = lexicon.report_lists()["states"]
    ascii_ = text.isascii()
    # (an ASCII copy with one "?" for each other character keeps every
    # offset: the keywords are ASCII words, and each match is checked on
    # the text itself)
    found = _starts(text if ascii_ else text.encode("ascii", "replace").decode("ascii"))

    def at(words: frozenset[str]) -> list[int] | None:
        return None if found is None else found[_INDEX[id(words)]]

    if windows:
        out += [Span(m.start(), m.end(), "ADDRESS") for m in _tried(_DWELLING, text,
                at(_DWELLING_WORDS))]
        out += _addresses(text, windows, at(_DWELLING_WORDS))
        out += _state_forms(text, states)
        out += [Span(m.start(), m.end(), "ADDRESS") for m in _tried(r._BLOCK, text,
                at(_BLOCK_WORD), back=(3, 4, 5, 6, 7))]
        starts = at(_KEYED_WORDS)
        for m in _tried(r._KEYED, text, None if starts is None else
                        starts + _chars(text, "#") + _after(text, ("no.", "No.", "NO.", "a/c"))):
            if _YEAR.fullmatch(m[1]):
                continue   # "in case 2024 goes well"
            word = m.group().lower()
            kind = "PHONE" if word.startswith(_PHONE_WORDS) else "ID"
            out.append(Span(m.start(1), m.end(1), kind))
        credentials = at(_CREDENTIALS)
        out += [Span(m.start(1), m.end(1), "ID") for m in _tried(
                r._AFTER_CREDENTIAL, text, None if credentials is None
                else credentials + _after(text, ("M.D.",)))]
        slashes = _chars(text, "/")
        out += [Span(m.start(1), m.end(1), "ID") for m in _tried(
                r._SLASH_CODE, text, _token_starts(text, slashes))
                if slashes]
    taxed = at(_TAX_WORDS)
    # ("$1,100 MD", "federal and CA": at the "$" or the word; "CA owes": the
    # state and a space or two before the word)
    federal = at(_FEDERAL)   # (None exactly when taxed is)
    matches = _tried(r._TAX_STATE, text, None if taxed is None or federal is None else
                     _chars(text, "$£€") + federal)
    matches += _tried(r._TAX_STATE, text, taxed, back=(3, 4)) if taxed is not None else []
    matches += _tried(r._TAX_STATE, text, at(_TAX_LAST), back=tuple(range(7, 14))) \
        if taxed is not None else []
    for m in matches:
        g = 1 if m[1] else 2
        if m[g].lower() in states:
            out.append(Span(m.start(g), m.end(g), "PLACE"))
    out += [Span(m.start(1), m.end(1), "PLACE") for m in _tried(
            r._PLATE_STATE, text, at(_PLATE_WORDS), back=(3, 4, 5)) if m[1].lower() in states]
    if "Co." in text or "County" in text:
        out += [Span(m.start(1), m.end(1), "PLACE") for m in r._COUNTY.finditer(text)]
    slashed = r._SLASH_INITIALS.finditer(text) if "/" in text and any(
        _SLASH_TAIL.match(text, i) for i in _chars(text, "/")) else ()
    for m in (*slashed, *_tried(r._BEFORE_CREDENTIAL, text, at(_CREDENTIALS), back=(3, 4, 5, 6))):
        if key(m[1]) not in lexicon.STOP:
            out.append(Span(m.start(1), m.end(1), "PERSON"))
    end = len(text)
    while end and text[end - 1].isspace():
        end -= 1
    # ("\A" holds only at the text's start, not at pos: a search of the last
    # characters finds what a search of the whole text would)
    off = r._SIGN_OFF.search(text, max(0, end - 12), end)   # "gs", "NB", "-ar"; not "Fine."
    if off and key(off[1]) not in _NOT_SIGNATURES and key(off[1]) not in lexicon.STOP \
            and (not off[1].istitle() or not is_ordinary(key(off[1]))):
        begin = 0
        while begin < end and text[begin].isspace():
            begin += 1
        if text.find("\n", begin, end) >= 0:   # a note of several lines
            out.append(Span(off.start(1), off.end(1), "PERSON"))
    return out
