"""Addresses in forms of writing the other detectors did not read (issue
14, eighth session): a street corner ("corner of 5th and Pine", "between
2nd and 3rd"), a numbered road named as a place ("lives off Route 9", "just
off the A30"), India's numbered cross roads, plots and sectors ("14th
Cross", "Plot 45, Sector 21"), Italy's and Spain's streets ("Via Roma 15",
"Calle Mayor 12, 3º B"), Canada's rural addresses and the Gulf's numbered
streets ("RR1 Site 5 Comp 12", "Villa 12, Street 7b"), an Australian state
before its postcode ("Fitzroy VIC 3065"), a Canadian province after a town
("Montréal QC"), and what follows an address the other detectors found: a
unit, a lot, a state before a ZIP, a Dutch postcode, a four-digit postcode
after the town ("Ponsonby, Auckland 1011"), the particles before a Dutch
street ("Van Baerlestraat"). Each pattern runs only when a literal it needs
is in the note. Pure functions, no I/O.
"""

from __future__ import annotations

import re

from . import lexicon
from .addresses import _US_STATES
from .lexicon import is_ordinary, key
from .span import Span, at_starts, known_words, letter_runs, word_starts

_UP = "A-ZÀ-ÖØ-Þ"

# -- addresses -------------------------------------------------------------------------

# "corner of 5th and Pine", "on the corner of Elm St & 3rd Ave".
_ORDINAL_OR_NAME = (rf"(?:\d{{1,3}}(?:st|nd|rd|th)|[{_UP}][\w'’-]+)"
                    r"(?:[ \t]+(?:St\.?|Street|Ave\.?|Avenue|Rd\.?|Road|Blvd|Dr\.?|Drive|Ln|Lane|Way|Pl))?")
_CORNER = re.compile(rf"(?i:corner)[ \t]+of[ \t]+(?P<a>{_ORDINAL_OR_NAME}[ \t]+(?:and|&)"
                     rf"[ \t]+{_ORDINAL_OR_NAME})")
# "on Delancey between 2nd and 3rd": two numbered streets.
_BETWEEN = re.compile(r"\bbetween[ \t]+(?P<a>\d{1,3}(?:st|nd|rd|th)(?:[ \t]+(?:St|Ave|Avenue|Street))?"
                      r"[ \t]+(?:and|&)[ \t]+\d{1,3}(?:st|nd|rd|th)(?:[ \t]+(?:St|Ave|Avenue|"
                      r"Street)\b)?)(?![ \t]+(?i:grade|trimester|percentile|centile|floor|year|"
                      r"week|day|dose|cycle|session|place|birthday|line|degree)s?\b)")
# A trunk road of Britain: "just off the A30", "along the M25".
_UK_ROAD = re.compile(r"(?<![\w-])(?P<a>[AM]\d{1,4}(?:\([MT]\))?)(?![\w-])")
_UK_ROAD_CUE = re.compile(r"\b(?:off|on|along|near|by|past|up|down|from|to)[ \t]+the[ \t]+\Z")
_SOUTH_WORDS = frozenset("via viale corso piazza calle avenida paseo carrer rua travessa "
                         "largo".split())


def matches_where(rx: re.Pattern[str], text: str, words: frozenset[str],
                  starts: dict[str, list[int]] | None) -> list[re.Match[str]]:
    """rx's matches where one of `words` starts (`starts`: where each word of
    the note that its caller looks for starts: starts_by_word), or all of
    them. Also unseen.py's."""
    if starts is None:
        return list(rx.finditer(text))
    at = sorted(i for w in words.intersection(starts) for i in starts[w])
    return at_starts(rx, text, [(0, len(text))], at) if at else []


def starts_by_word(text: str, words: frozenset[str]) -> dict[str, list[int]] | None:
    """Where each of `words` (lower case) that the note holds starts, from one
    span.word_starts; None when the note's words are not known."""
    runs = letter_runs(text)
    if runs is not None:   # (an ASCII text: each word found in its spaced copy)
        spaced = known_words(text)
        out: dict[str, list[int]] = {}
        for word in words.intersection(runs[1]):
            found, needle, step = [], f" {word} ", len(word) + 1
            at = spaced.find(needle)
            while at >= 0:
                found.append(at)
                at = spaced.find(needle, at + step)
            out[word] = found
        return out
    starts = word_starts(text, words, any_text=True)
    if starts is None:
        return None
    out = {}
    for i in starts:
        out.setdefault(_LETTERS.match(text, i)[0].lower(), []).append(i)
    return out


_LETTERS = re.compile(r"[A-Za-z]+")


# Italy's and Spain's street first, then the number: "Via Roma 15", "Calle
# Mayor 12, 3º B".
_SOUTH = re.compile(
    rf"\b(?:Via|Viale|Corso|Piazza|Calle|Avenida|Paseo|Carrer|Rua|Travessa|Largo)[ \t]+"
    rf"(?:(?:de|del|della|delle|dei|di|la|dos|das|do|da|de[ \t]+la)[ \t]+)*[{_UP}][\w'’-]*"
    rf"(?:[ \t]+[{_UP}][\w'’-]*){{0,2}},?[ \t]+\d{{1,4}}[A-Za-z]?"
    r"(?:,[ \t]*\d{1,2}[º°ª]?[ \t]?[A-Z]?\b)?(?=[ \t]*(?:,|\n|\Z|\d{5}))")
# Bengaluru's numbered cross and main roads: "14th Cross", "5th Main Road".
_CROSS = re.compile(r"(?<![\w-])\d{1,2}(?:st|nd|rd|th)[ \t]+(?:Cross|Main)"
                    r"(?:[ \t]+(?:Road|Rd|Street|St))?\b")
_ORDINAL_ENDS = frozenset({"st", "nd", "rd", "th"})
# An Australian state and its postcode: "Fitzroy VIC 3065", "NSW 2038".
_AU_STATE = re.compile(r"(?<![\w-])(?P<s>VIC|NSW|QLD|TAS|ACT|NT|SA|WA|Vic|Qld|Tas)"
                       r"[ \t]+(?P<p>\d{4})(?![\w/.,:-]?\d)")
_AU_WORD_STATES = frozenset({"ACT", "SA", "WA", "NT", "Vic", "Tas"})
_AU_WORDS = frozenset("vic nsw qld tas act nt sa wa".split())
# After an address: a unit ("Unit B", "Apt 3B"), a lot of a park ("Lot 14"),
# or a town and a state before a ZIP ("Portland OR 97216").
_AFTER_ADDRESS = re.compile(
    r"(?P<unit>[ \t,]+(?:Unit|Apt|Apartment|Ste|Suite|Flat)\.?[ \t]*#?[ \t]*(?:[A-Z]|\d{1,5}[A-Z]?)"
    r"\b)?(?:,[ \t]*(?P<lot>(?:Lot|Space|Pad)[ \t]+#?\d{1,4}[A-Z]?)\b)?"
    rf"(?:,?[ \t]+[{_UP}][\w'’.-]*(?:[ \t]+[{_UP}][\w'’.-]*)?,?[ \t]+(?P<st>[A-Z]{{2}})[ \t]+"
    r"\d{5}(?:-\d{4})?\b)?")
# Canada's rural addresses ("RR1 Site 5 Comp 12") and the Gulf's numbered
# streets ("Villa 12, Street 7b").
_RURAL_OR_GULF = re.compile(
    r"\bRR[ \t]?\d{1,2}[ \t,]+Site[ \t]+\d{1,3}[ \t,]+(?:Comp|C)[ \t]+\d{1,3}\b"
    r"|\b(?:Villa|Building|Bldg)[ \t]+\d{1,4}[A-Z]?,[ \t]*Street[ \t]+\d{1,3}[A-Za-z]?\b")
# A Canadian province after a town: "Montréal QC", "Kelowna, BC" (not ON or
# NL, also words).
_PROVINCE = re.compile(r",?[ \t]+(?P<p>QC|BC|AB|MB|SK|NS|NB|PE|YT|NU)\b(?![-/'’.]?\w)")
_PROVINCE_ALONE = re.compile(r"(?:QC|BC|AB|MB|SK|NS|NB|PE|YT|NU)\b(?![-/'’.]?\w)")
_PROVINCE_WORDS = frozenset("qc bc ab mb sk ns nb pe yt nu".split())
# A postcode of four digits after the town of an address on the same line.
_TOWN_CODE = re.compile(rf"[{_UP}][\w'’-]+[ \t]+(?P<p>\d{{4}})(?![\w/:%-]|[.,]\d)")


def _ordinary_pair(a: str) -> bool:
    """Both sides of a corner are words that name no street ("corner of
    fear and doubt")."""
    words = re.split(r"[ \t]+(?:and|&)[ \t]+", a)
    return all(not w[0].isdigit() and not w[0].isupper() for w in words)


# A numbered road named as a place: "lives off Route 9", "on Hwy 12".
_ROUTE = re.compile(r"(?P<a>(?:Old[ \t]+)?(?:Route|Rte\.?|Highway|Hwy\.?|State[ \t]+Route|"
                    r"County[ \t]+(?:Road|Rd\.?)|Farm[ \t]+Road|FM)[ \t]+\d{1,4}[A-Z]?)\b")
_ROUTE_CUE = re.compile(r"\b(?:off|on|along|near|by|past)[ \t]+(?:the[ \t]+)?(?:old[ \t]+)?\Z")
_ROUTE_WORDS = frozenset("old route rte highway hwy state county farm fm".split())
# India's plots, houses and sectors: "Plot 45, Sector 21", "H.No. 12-3-456".
_PLOT = re.compile(r"\b(?:Plot|H\.[ \t]?No|House[ \t]+No|Door[ \t]+No)\.?[ \t]*(?:No\.?[ \t]*)?"
                   r"\d[\d/-]*[A-Z]?\b(?:,[ \t]*(?:Sector|Phase|Block|Street)[ \t]+\d{1,3}[A-Z]?\b)?"
                   r"|\bSector[ \t]+\d{1,3}[A-Z]?(?=,[ \t]*(?P<town>[A-Z][a-z]+))")
# A Dutch postcode after an address: "Van Baerlestraat 14-2, 1071 AZ Amsterdam".
_NL_CODE = re.compile(r",?[ \t]+(?P<p>[1-9]\d{3}[ \t]?[A-Z]{2})(?=[ \t]+[A-Z][a-z])")
# The particles of a street's name before the word that ends like a street
# ("Van Baerlestraat", "Prins Hendrikkade", "Am Kupfergraben").
_PARTICLE_WORDS = frozenset("Van De Den Der Sint Prins Prinses Koningin Nieuwe Oude Am An Auf "
                            "Alte Neue Unter Ober".split())
_PARTICLES = re.compile(r"(?:(?:Van|De|Den|Der|Sint|Prins|Prinses|Koningin|Nieuwe|Oude|"
                        r"Am|An|Auf|Alte|Neue|Unter|Ober)[ \t]+)+\Z")


WORDS = _ROUTE_WORDS | _SOUTH_WORDS | _AU_WORDS | _PROVINCE_WORDS


def find(text: str, found: list[Span], starts: dict[str, list[int]] | None = None) -> list[Span]:
    """`starts`: starts_by_word's answer for a set of words holding WORDS."""
    out: list[Span] = []
    if starts is None:
        starts = starts_by_word(text, WORDS)
    runs = letter_runs(text)   # (the note's words, read once for every detector)
    held = None if runs is None else runs[1]
    for m in matches_where(_ROUTE, text, _ROUTE_WORDS, starts):
        if _ROUTE_CUE.search(text, max(0, m.start() - 24), m.start()):
            out.append(Span(m.start("a"), m.end("a"), "ADDRESS"))
    if held is None or not held.isdisjoint(("plot", "sector")) or "no" in held and (
            "H." in text or "House No" in text or "Door No" in text):
        out += [Span(m.start(), m.end(), "ADDRESS") for m in _PLOT.finditer(text)
                if not m["town"] or key(m["town"]) in lexicon.places()]
    if held is None or "between" in held:
        out += [Span(m.start("a"), m.end("a"), "ADDRESS") for m in _BETWEEN.finditer(text)]
    for needle in ("the A", "the M") if held is None or runs[0].intersection(("A", "M")) else ():
        at = text.find(needle)
        while at >= 0:
            m = _UK_ROAD.match(text, at + 4)
            if m and _UK_ROAD_CUE.search(text, max(0, at - 8), at + 4):
                out.append(Span(m.start("a"), m.end("a"), "ADDRESS"))
            at = text.find(needle, at + 5)
    out += [Span(m.start(), m.end(), "ADDRESS")
            for m in matches_where(_SOUTH, text, _SOUTH_WORDS, starts)]
    if held is None or "corner" in held:
        out += [Span(m.start("a"), m.end("a"), "ADDRESS") for m in _CORNER.finditer(text)
                if not _ordinary_pair(m["a"])]
    for needle in ("Cross", "Main") if held is None or "cross" in held or "main" in held else ():
        at = text.find(needle, 4)
        while at >= 0:   # (from each word back to its ordinal: "14th Cross")
            if text[at - 3:at - 1] in _ORDINAL_ENDS:
                m = _CROSS.search(text, max(0, at - 8), at + 20)
                if m:
                    out.append(Span(m.start(), m.end(), "ADDRESS"))
            at = text.find(needle, at + 4)
    for m in matches_where(_AU_STATE, text, _AU_WORDS, starts):
        if m["s"] in _AU_WORD_STATES and m["p"][:2] in ("19", "20"):
            continue   # "ACT 2024", "SA 2019": a year (their postcodes are not)
        out += [Span(m.start("s"), m.end("s"), "PLACE"), Span(m.start("p"), m.end("p"),
                                                               "POSTCODE")]
    provinces = matches_where(_PROVINCE_ALONE, text, _PROVINCE_WORDS, starts)
    if provinces:
        towns = {s.end: s for s in found if s.kind == "PLACE" or s.kind == "ORG"
                 and " " not in text[s.start:s.end]}
        for m in provinces:
            # (after a town; one word taken for a firm is a town the
            # gazetteer lacks, "Kelowna")
            town = towns.get(m.start() - 1) or towns.get(m.start() - 2)
            if town and _PROVINCE.fullmatch(text, town.end, m.end()):
                out.append(Span(m.start(), m.end(), "PLACE"))
    if held is None or not held.isdisjoint(("rr", "villa", "building", "bldg")):
        out += [Span(m.start(), m.end(), "ADDRESS") for m in _RURAL_OR_GULF.finditer(text)]
    addresses = [s for s in found + out if s.kind == "ADDRESS"]
    for s in addresses:
        after = _AFTER_ADDRESS.match(text, s.end)
        if after and (after["unit"] or after["lot"]):
            end = after.end("unit") if after["unit"] else s.end
            out.append(Span(s.start, end, "ADDRESS"))
            if after["lot"]:
                out.append(Span(after.start("lot"), after.end("lot"), "ADDRESS"))
        if after and after["st"] and after["st"] in _US_STATES:
            out.append(Span(after.start("st"), after.end("st"), "PLACE"))
        if s.start > 3 and text[s.start - 1] == " " and text[
                text.rfind(" ", 0, s.start - 1) + 1:s.start - 1] in _PARTICLE_WORDS:
            particles = _PARTICLES.search(text, max(0, s.start - 30), s.start)
            if particles:
                out.append(Span(particles.start(), s.end, "ADDRESS"))
        nl = _NL_CODE.match(text, s.end)
        if nl:
            out.append(Span(nl.start("p"), nl.end("p"), "POSTCODE"))
        if not text.startswith(", ", s.end):
            continue
        line_end = text.find("\n", s.end)
        line_end = len(text) if line_end < 0 else line_end
        for m in _TOWN_CODE.finditer(text, s.end, min(line_end, s.end + 60)):
            town = key(m[0].split()[0])
            if (text[m.start() - 2:m.start()] in (", ", ",\t") or m.start() == s.end + 2) \
                    and town not in lexicon.CALENDAR and (
                        town in lexicon.places() or not is_ordinary(town)):
                out.append(Span(m.start("p"), m.end("p"), "POSTCODE"))
    return out
