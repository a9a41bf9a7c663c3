"""Street addresses that carry no street type (issue 14, tenth session):
what makes `14 Sycamore`, `22 Riverside` or `2210 W. Addison` an address
is the word about a home before it (`lives at`, `address is`, `moved to`,
`sale of`, `property at`), or a unit after it (`88 Kingsway, Apt 12B`).
Also a corner of a name and a numbered street after `at`, `on` or `near`
(`at Elm and 3rd`), a house
number and a street of France, Portugal, Spain, Malaysia or Poland
(`14 Chemin des Pins`, `40 Jalan Ampang`) and a Wisconsin rural address
(`W12345 State Road 21`). Pure functions, no I/O.
"""

from __future__ import annotations

import re

from .lexicon import CALENDAR, is_ordinary, key
from .span import Span, Windows, all_digit_runs, has_word, scan

_CUE_WORDS = frozenset(
    "lives live living lived reside resides residing resided address home house property "
    "flat apartment moved move moving relocated staying stays grew sale title deed rents "
    "rented renting leased".split())
_NUMBER_NAME = (r"(?P<a>\d{1,4}[A-Z]?(?:[-/]\d{1,5}[A-Z]?)?[ \t]+(?:[NSEW]\.?[ \t]+)?"
                r"(?P<name>[A-Z][a-z'’]+(?:[ \t]+[A-Z][a-z'’]+){0,2}))")
# What may follow an address in a sentence: the clause ends, or a word
# that goes on about the place ("22 Riverside, next to", "to the trust").
_END = (r"(?=[ \t]*(?:[,.;:)(]|[-–—][ \t]|$)|[ \t]+(?:to|was|is|has|had|in|near|since|until|"
        r"which|where|when|before|after|for|with)\b)")
# A word about a home and a little word ("at", "to", "is", a colon) before
# the number; the number and the name, and the clause ends.
_HOME_BEFORE = re.compile(
    r"\b(?i:lives?|living|lived|resides?|residing|resided|address|home|house|property|flat|"
    r"apartment|moved|move|moving|relocated|staying|stays|grew[ \t]+up|sale|title|deed|rents|"
    r"rented|renting|leased|tenancy|tenant|rental|street|addr|residence|domicile|returned|"
    r"returning|discharged|(?:mum|mom|dad|mother|father|parents|sister|brother|daughter|son|"
    r"friend|partner|gran|grandma|aunt|uncle)(?:'s|’s|'|’))"
    r"(?:[ \t]+(?i:now|back|still|currently|on[ \t]+file|was|is|out|in)){0,3}"
    r"(?:[ \t]+(?i:at|to|of|is|into|from)|[ \t]*[:(,-])[ \t]*\Z")
# (what must stand right before the number, tried first: cheap)
_LITTLE = re.compile(r"(?:\b(?i:at|to|of|is|into|from)[ \t]+|[:(,-][ \t]*)\Z")
# "Flat 2, 17 Cheviot": a number and a name after a unit.
_AFTER_UNIT = re.compile(r"\b(?i:apt|apartment|unit|flat|suite|ste)\.?[ \t]*#?[ \t]*\w{1,5},[ \t]*\Z")
# "at 19 Elmwood", "at 66 Brackenbury": after "at" alone, a name that is no word.
_AT = re.compile(r"\b(?i:at)[ \t]+\Z")
_NUMBER_NAME_END = re.compile(_NUMBER_NAME + _END, re.M)
# (a name that is no word may be followed by anything: "27 Rosedale completed")
_NUMBER_NAME_ANY = re.compile(_NUMBER_NAME + r"(?![\w'’-])")
# "88 Kingsway, Apt 12B": the number and the name, then a unit.
_NUMBER_NAME_UNIT = re.compile(_NUMBER_NAME + r",[ \t]*(?i:apt|apartment|unit|flat|suite|ste)\.?"
                               r"[ \t]*#?\d")
_NOT_BEFORE = frozenset("$£€.,/-_")
_UNIT_WORDS = frozenset("apt apartment unit flat suite ste".split())
# Not a street: a ward ("moved to 4 North"), a date ("moved on 12 March"),
# a count ("home 3 Days").
_NOT_NAMES = frozenset("north south east west main days weeks months years hours minutes times "
                       "day week month year hour minute am pm ward floor bed bay room step page "
                       "grade phase level stage chapter section session visit line dose cycle "
                       "round tier band class group team unit block wing".split()) | CALENDAR
# "at Elm and 3rd": before a numbered street, and after it.
_CORNER_BEFORE = re.compile(r"\b(?:at|on|near)[ \t]+(?P<a>[A-Z][a-z]+)[ \t]+(?:and|&)[ \t]+\Z")
_CORNER_AFTER = re.compile(r"(?:st|nd|rd|th)\b(?![ \t]+[a-z])")
# "14 Chemin des Pins", "40 Jalan Ampang", "5 Rua das Flores"
_ABROAD = re.compile(
    r"(?<![\w.,/$£€-])(?P<a>\d{1,5}[A-Za-z]?,?[ \t]+(?:Chemin|Jalan|Jln\.?|Lorong|Rua|Avenida|Av\.|"
    r"Camino|Carrera|Strada|Ulica|ul\.|Allée|Impasse|Quai|Boulevard|Bd)[ \t]+"
    r"(?:(?:de|du|des|la|le|l'|d'|da|das|do|dos|del|di)[ \t]*)*[A-ZÀ-Ö][\w'’-]*"
    r"(?:[ \t]+[A-Z][\w'’-]*){0,2})")
_ABROAD_WORDS = frozenset("chemin jalan jln lorong rua avenida av camino carrera strada ulica "
                          "ul allee impasse quai boulevard bd".split())
# "W12345 State Road 21", "N4512 County Hwy K"
_RURAL = re.compile(r"\b(?P<a>[NSEW]\d{3,6}[ \t]+(?:County|State|US)[ \t]+(?:Road|Rd|Highway|Hwy|"
                    r"Route|Rte|Trunk)[ \t]+[A-Z0-9]{1,4})\b")


def find(text: str, windows: Windows) -> list[Span]:
    """ADDRESS spans of the forms above; only in a note with digits."""
    if not windows:
        return []
    out = []
    n = len(text)
    units = has_word(text, _UNIT_WORDS, any_text=True)
    for a, b in all_digit_runs(text):
        if b - a > 4 or b >= n - 2 or a and (text[a - 1].isalnum() or text[a - 1] in _NOT_BEFORE):
            continue
        c = text[b]
        if c == " " and ("A" <= text[b + 1] <= "Z") or c == "\t" or "A" <= c <= "Z" or c in "-/":
            m = _NUMBER_NAME_UNIT.match(text, a) if units else None
            if m is None and _LITTLE.search(text, max(0, a - 6), a):
                if _HOME_BEFORE.search(text, max(0, a - 48), a):
                    m = _NUMBER_NAME_END.match(text, a) or _no_word(_NUMBER_NAME_ANY.match(text, a))
                elif _AT.search(text, max(0, a - 4), a):
                    m = _no_word(_NUMBER_NAME_ANY.match(text, a))
            if m is None and _AFTER_UNIT.search(text, max(0, a - 16), a):
                m = _NUMBER_NAME_END.match(text, a) or _no_word(_NUMBER_NAME_ANY.match(text, a))
            first = key(m["name"].split()[0]) if m else ""
            if m and first not in _NOT_NAMES and first[:-1] not in _NOT_NAMES:
                out.append(Span(a, m.end("a"), "ADDRESS"))
        elif b - a <= 3 and c in "snrt":
            corner = _CORNER_BEFORE.search(text, max(0, a - 40), a)
            if corner and (after := _CORNER_AFTER.match(text, b)):
                out.append(Span(corner.start("a"), after.end(), "ADDRESS"))
    abroad = scan(_ABROAD, text, windows) if has_word(text, _ABROAD_WORDS, any_text=True) else []
    rural = scan(_RURAL, text, windows) if "County" in text or "State" in text or "US " in text \
        else []
    out += [Span(m.start("a"), m.end("a"), "ADDRESS") for m in abroad + rural]
    return out


def _no_word(m: re.Match[str] | None) -> re.Match[str] | None:
    """m, if its name's first and last words are no words ("27 Rosedale",
    not "3 Apple")."""
    if m is None:
        return None
    words = m["name"].split()
    return None if is_ordinary(key(words[0])) or is_ordinary(key(words[-1])) else m
