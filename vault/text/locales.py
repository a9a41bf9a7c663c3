"""Places and addresses as notes in South Africa, India, New Zealand,
Ireland, Australia and Canada write them (issue 14, eleventh session,
h55), where the other detectors missed them: a property described by its
erf, stand, portion or survey number ("Erf 1234 Stellenbosch", "Portion 12
of Farm Rietvlei 101", "Survey No. 45/2"), a rural delivery or route
before its town ("RD 2 Te Awamutu", "RR 1, Antigonish"), Bengaluru's house
number before its cross and main roads ("45, 2nd Cross", "No. 7, 4th Main
Road"), a house before its block or street ("C-12, Vasant Kunj", "House
12, Street 4"), Québec's streets ("55 boul. René-Lévesque", "300 ch. de la
Côte-des-Neiges"), Ontario's concession roads ("4521 Concession Rd 6"),
Dublin's postal districts ("Dublin 22"), Ontario after a town ("Uxbridge,
ON"), South Africa's provinces named by a compass word ("Northern Cape",
"North West" after a town), a street's type and a postcode after an
address ("17 Harbour View Tce", "Bellville, 7530") and places written with a macron ("Ōtaki").
Each pattern runs only when a literal it needs is in the note. Pure
functions, no I/O.
"""

from __future__ import annotations

import re

from . import lexicon
from .lexicon import is_ordinary, key
from .span import Span, letter_runs

_UP = "A-ZÀ-ÖØ-ÞĀĒĪŌŪ"
_NAME = rf"[{_UP}][\w'’-]+"

# A property by its erf, stand, portion or survey number.
_PROPERTY = re.compile(
    r"\b(?:Erf|ERF|Stand|Survey[ \t]+No\.?)[ \t]+\d[\d/-]*[A-Z]?\b(?!-)"
    rf"|\bPortion[ \t]+\d{{1,4}}[ \t]+of[ \t]+(?:the[ \t]+)?(?:Farm[ \t]+)?{_NAME}"
    rf"(?:[ \t]+{_NAME})?(?:[ \t]+(?:No\.?[ \t]*)?\d{{1,5}})?")
# "Stand" is also a verb and a noun: a stand number has three digits or more,
# or an address label or a town follows.
_STAND_OK = re.compile(r"Stand[ \t]+\d{3}")
# New Zealand's rural delivery and Canada's rural route, before a town.
# (a respiratory rate is "RR 18": a rural route has one digit; the town is
# a word in no dictionary)
_RURAL = re.compile(r"\b(?:RD[ \t]?\d{1,2}|R\.D\.[ \t]?\d{1,2}|RR[ \t]?\d|R\.R\.[ \t]?\d)"
                    rf"\b(?=,?[ \t]+(?P<t>[{_UP}][a-zà-ÿāēīōū][\w'’-]*))")
# A house number before Bengaluru's cross and main roads, or before a street
# number: "45, 2nd Cross", "No. 7, 4th Main Road", "House 12, Street 4".
_HOUSE_ROAD = re.compile(
    r"(?<![\w/.-])\d{1,4}[A-Z]?,[ \t]*"
    r"(?:\d{1,2}(?:st|nd|rd|th)[ \t]+(?:Cross|Main)(?:[ \t]+(?:Road|Rd|Street|St))?"
    r"(?:,[ \t]*\d{1,2}(?:st|nd|rd|th)[ \t]+(?:Cross|Main)(?:[ \t]+(?:Road|Rd))?)?"
    r"|Street[ \t]+\d{1,3}[A-Za-z]?)\b")
_HOUSE_STREET = re.compile(r"\bHouse[ \t]+\d{1,4}[A-Z]?,[ \t]*Street[ \t]+\d{1,3}[A-Za-z]?\b")
# A house by its block letter before its colony, after an address label:
# "Address: C-12, Vasant Kunj".
_BLOCK_HOUSE = re.compile(rf"(?<![\w-])[A-Z]{{1,2}}-\d{{1,4}}[A-Z]?,[ \t]*{_NAME}(?:[ \t]+{_NAME})?(?=,)")
_LABEL = re.compile(r"(?i:address|residence|resides at|lives at|living at|r/o)[:\t ]+\Z")
# Québec's streets: "1234 rue Saint-Denis", "55 boul. René-Lévesque".
_QC_WORDS = ("boul.", "boulevard", "ch.", "chemin", "av.", "avenue", "rang", "montée", "côte",
             "place", "rue", "route", "impasse", "allée", "promenade")
# The words as written one of which a note needs for any pattern but the
# macrons' (an ASCII note holds no macron).
_TRIGGERS = frozenset("""Erf ERF Stand Survey Portion RD RR R Cross Main Street House Concession
    Dublin ON West State address residence resides lives living Address Residence
    Lives Living ADDRESS RESIDENCE o""".split()) | frozenset(w.rstrip(".") for w in _QC_WORDS)
_QC_NUMBER = re.compile(r"(?<![\w.,/-])\d{1,5}(?:-\d{1,4})?,?[ \t]+\Z")
_QC_STREET = re.compile(
    r"(?:boul\.|boulevard|ch\.|chemin|av\.|avenue|rang|"
    r"montée|côte|place|rue|route|impasse|allée|promenade)[ \t]+"
    r"(?:(?:de[ \t]+la|de[ \t]+l['’]|du|des|de|d['’])[ \t]*)?"
    rf"{_NAME}(?:[ \t]+{_NAME})?")
# Ontario's concession roads: "4521 Concession Rd 6", "12 Lakeshore Concession 3".
_CONCESSION = re.compile(
    rf"\b\d{{1,5}}[ \t]+(?:{_NAME}[ \t]+)?Concession(?:[ \t]+(?:Rd\.?|Road|St\.?|Street))?"
    r"[ \t]+\d{1,2}[A-Z]?\b|\bConcession[ \t]+(?:Rd\.?|Road)[ \t]+\d{1,2}\b")
# Dublin's postal districts: "Dublin 22", "Dublin 6W".
_DUBLIN = re.compile(r"\bDublin[ \t]+(?P<d>\d{1,2}W?)\b(?![:/.,]\d)")
# Ontario after a town: "Uxbridge, ON." (ON is also a word: only before the
# end of a line or sentence, or a postal code).
_ONTARIO = re.compile(r",?[ \t]+(?P<p>ON)(?=[ \t]*(?:[.;]?[ \t]*$|[.;][ \t]+[A-Z]|"
                      r"[ \t]+[A-Z]\d[A-Z]))", re.M)
# South Africa's provinces and regions named by a compass word, after a town.
_COMPASS = re.compile(r",[ \t]+(?P<p>(?:North|South|East|West)[ \t]+West|Free[ \t]+State)\b")
# After an address: a street's type the address rules lack ("17 Harbour
# View Tce"), and South Africa's postcode after a comma at the end of the
# address ("45 Voortrekker Rd, Bellville, 7530").
_SUFFIX = re.compile(r"[ \t]+(?:Tce|Pde|Cct|Cl|Gr|Esp|Gdns|Mews|Rise|Row)\b\.?")
_CODE_LAST = re.compile(rf"(?:,[ \t]*{_NAME}(?:[ \t]+{_NAME})?){{1,2}},?[ \t]+(?P<p>\d{{4}})"
                        r"(?=[ \t]*(?:$|\.[ \t]*$))", re.M)
# A word that starts with a vowel with a macron: "Ōtaki", "Ōamaru".
_MACRON = re.compile(r"(?<!\w)[ĀĒĪŌŪ][^\W\d_]+(?:[ \t]+[A-Z][^\W\d_]+)?")


def _two(text: str, at: int) -> str:
    """The two words from `at` ("Te Awamutu")."""
    words = text[at:at + 40].split()[:2]
    return " ".join(words).rstrip(".,;") if len(words) == 2 else ""


def find(text: str, found: list[Span]) -> list[Span]:
    """Addresses and places of the forms above. `found`: the spans the
    other detectors found (the towns before a province)."""
    runs = letter_runs(text)   # (the note's words, as written and in lower case)
    out = [] if runs is not None and runs[0].isdisjoint(_TRIGGERS) else _by_words(
        text, found, None if runs is None else runs[1])
    for s in [s for s in found if s.kind == "ADDRESS"]:
        m = _SUFFIX.match(text, s.end)
        if m:
            out.append(Span(s.start, m.end(), "ADDRESS"))
        m = _CODE_LAST.match(text, m.end() if m else s.end)
        if m and m["p"][:2] not in ("19", "20"):
            out.append(Span(m.start("p"), m.end("p"), "POSTCODE"))
    if runs is None and any(c in text for c in "ĀĒĪŌŪ"):   # (an ASCII note holds none)
        places = lexicon.places()
        for m in _MACRON.finditer(text):
            words = m[0].split()
            if key(m[0]) in places:
                out.append(Span(m.start(), m.end(), "PLACE"))
            elif key(words[0]) in places:
                out.append(Span(m.start(), m.start() + len(words[0]), "PLACE"))
    return out


def _by_words(text: str, found: list[Span], held: frozenset[str] | None) -> list[Span]:
    """The patterns that need a word of _TRIGGERS. `held`: the note's words
    in lower case, or None when not known."""
    out: list[Span] = []
    if "Erf" in text or "ERF" in text or "Stand" in text or "Survey" in text \
            or "Portion" in text:
        for m in _PROPERTY.finditer(text):
            if m[0].startswith("Stand") and not _STAND_OK.match(m[0]):
                continue
            out.append(Span(m.start(), m.end(), "ADDRESS"))
    if "RD" in text or "RR" in text or "R." in text:
        out += [Span(m.start(), m.end(), "ADDRESS") for m in _RURAL.finditer(text)
                if not is_ordinary(key(m["t"])) and (len(m["t"]) > 3 or key(m["t"]) in
                lexicon.places()) or key(_two(text, m.start("t"))) in
                lexicon.places()]
    for needle in ("Cross", "Main", "Street"):
        at = text.find(needle, 3)
        while at >= 0:   # (from each road word back to its house number: "45, 2nd Cross")
            if text[at - 2] in ",dhtr" or text[at - 3] in ",dhtr":
                m = _HOUSE_ROAD.search(text, max(0, at - 14), at + 40)
                if m and m.start() < at < m.end():
                    out.append(Span(m.start(), m.end(), "ADDRESS"))
            at = text.find(needle, at + 4)
    if "House" in text:
        out += [Span(m.start(), m.end(), "ADDRESS") for m in _HOUSE_STREET.finditer(text)]
    at = text.find("-", 1)
    while at >= 0:   # (from each hyphen back to its block letter: "C-12")
        if "A" <= text[at - 1] <= "Z" and text[at + 1:at + 2].isdigit():
            m = _BLOCK_HOUSE.match(text, max(0, at - 2)) or _BLOCK_HOUSE.match(text, at - 1)
            if m and _LABEL.search(text, max(0, m.start() - 16), m.start()):
                out.append(Span(m.start(), m.end(), "ADDRESS"))
        at = text.find("-", at + 1)
    for word in _QC_WORDS if held is None else [w for w in _QC_WORDS if w.rstrip(".") in held]:
        at = text.find(f" {word} ")
        while at >= 0:   # (from each street word back to its number)
            number = _QC_NUMBER.search(text, max(0, at - 12), at + 1)
            m = number and _QC_STREET.match(text, at + 1)
            if m:
                out.append(Span(number.start(), m.end(), "ADDRESS"))
            at = text.find(f" {word} ", at + 1)
    if "Concession" in text:
        out += [Span(m.start(), m.end(), "ADDRESS") for m in _CONCESSION.finditer(text)]
    if "Dublin" in text:
        out += [Span(m.start("d"), m.end("d"), "PLACE") for m in _DUBLIN.finditer(text)]
    after = [m for rx, needle in ((_ONTARIO, " ON"), (_COMPASS, " West"), (_COMPASS, "State"))
             if needle in text for m in rx.finditer(text)]
    if after:
        towns = {s.end for s in found if s.kind in ("PLACE", "ORG", "PERSON", "ADDRESS")}
        out += [Span(m.start("p"), m.end("p"), "PLACE") for m in after if m.start() in towns]
    return out


# A season after a word of time ("worse in Winter", "sell in Spring"), and a
# hospital ward by its number ("transferred from Ward 7"): no person and no
# place (a ward is no address either).
_SEASONS = frozenset(("Spring", "Summer", "Autumn", "Fall", "Winter"))
_TIME_BEFORE = re.compile(r"(?<![^\W\d_])(?i:in|during|over|since|until|till|through|this|last|"
                          r"next|early|late|mid|the)[ \t-]+\Z")
_WARD = re.compile(r"[ \t]+\d{1,3}[A-Z]?\b")


# Services and shifts written with capitals ("grew up in Foster Care",
# "moved to Day Shift"): no name, wherever a span of them stands.
_SERVICES = re.compile(r"(?:Foster|Kinship|Respite|Residential|Day|Night|Home)[ \t]+"
                       r"(?:Care|Program|Programme|Shift|Shifts|Hospital|Placement)\b")
_SERVICE_HEADS = frozenset("Care Program Programme Shift Shifts Hospital Placement".split())
_DROP_WORDS = _SEASONS | _SERVICE_HEADS | frozenset("Ward Near Opp Opposite Behind Beside".split())
# A landmark's word before its name in an Indian address ("Near Gandhi
# Chowk", "Opp. Bus Stand"): the place is the name after it.
_LANDMARK = re.compile(r"(?:Near|Opp\.?|Opposite|Behind|Beside)[ \t]+(?=[A-Z])")


def drop_words(text: str, spans: list[Span]) -> list[Span]:
    """`spans` but a person, place or firm that is a season after a word of
    time, the word "Ward" before a number or inside a service's name; and
    without a landmark's word before it."""
    runs = letter_runs(text)
    if runs is not None and runs[0].isdisjoint(_DROP_WORDS):
        return spans
    services = [(m.start(), m.end()) for m in _SERVICES.finditer(text)] if runs is None \
        or not runs[0].isdisjoint(_SERVICE_HEADS) else []
    out = []
    for s in spans:
        word = text[s.start:s.end]
        if s.kind in ("PERSON", "PLACE", "ORG") and (
                word in _SEASONS and _TIME_BEFORE.search(text, max(0, s.start - 8), s.start)
                and not text[s.end:s.end + 2].lstrip(" \t")[:1].isupper()
                or word == "Ward" and _WARD.match(text, s.end)
                or any(a <= s.start and s.end <= b for a, b in services)):
            continue
        landmark = _LANDMARK.match(word) if s.kind in ("PERSON", "PLACE", "ORG") else None
        if landmark and landmark.end() < len(word):
            s = Span(s.start + landmark.end(), s.end, "PLACE")
        out.append(s)
    return out
