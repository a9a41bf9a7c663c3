"""What the residual-risk report's context rules find in a note as written,
replaced in every mode rather than only listed (issue 14, recall): a
number after a record keyword ("Medical Record #: 000 482 117", "pager
50311", "tracking KG 4481"), a room, flat or unit ("unit 610", "Rm 14"),
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
from .span import Span, Windows, scan

# A flat or unit someone lives in: "unit 610", "flat 3B". (The report's
# rule also lists rooms, beds and cells: a hospital or meeting room names
# no one, so only strict mode replaces those.)
_DWELLING = re.compile(r"(?=[UuFAaSs])\b(?:[Uu]nit|UNIT|Flat|FLAT|(?i:apt|apartment|suite|ste))\.?"
                       r"[ \t]*#?[ \t]*(\d+[A-Za-z]?)\b")   # (not "a flat 3 times")
_YEAR = re.compile(r"(?:19|20)\d\d")
# A number after these is a telephone's.
_PHONE_WORDS = ("pager", "bleep", "ext", "pgr")
# What closes a note and is no one's initials.
_NOT_SIGNATURES = frozenset("etc end ok yes yep nope thx ty tbc tba fyi asap nfa prn bye "
                            "fin done".split())


def find(text: str, windows: Windows) -> list[Span]:
    """Spans of what the report's context rules find in `text`; the rules
    that need a digit are tried only in `windows` (near the digits)."""
    out: list[Span] = []
    states = lexicon.report_lists()["states"]
    if windows:
        out += [Span(m.start(), m.end(), "ADDRESS") for rx in (_DWELLING, r._BLOCK)
                for m in scan(rx, text, windows)]
        for m in scan(r._KEYED, text, windows):
            if _YEAR.fullmatch(m[1]):
                continue   # "in case 2024 goes well"
            word = m.group().lower()
            kind = "PHONE" if word.startswith(_PHONE_WORDS) else "ID"
            out.append(Span(m.start(1), m.end(1), kind))
        out += [Span(m.start(1), m.end(1), "ID") for rx in (r._AFTER_CREDENTIAL, r._SLASH_CODE)
                for m in scan(rx, text, windows)]
    for m in r._TAX_STATE.finditer(text):
        g = 1 if m[1] else 2
        if m[g].lower() in states:
            out.append(Span(m.start(g), m.end(g), "PLACE"))
    out += [Span(m.start(1), m.end(1), "PLACE") for m in r._PLATE_STATE.finditer(text)
            if m[1].lower() in states]
    out += [Span(m.start(1), m.end(1), "PLACE") for m in r._COUNTY.finditer(text)]
    out += [Span(m.start(1), m.end(1), "PERSON") for rx in (r._SLASH_INITIALS,
            r._BEFORE_CREDENTIAL) for m in rx.finditer(text) if key(m[1]) not in lexicon.STOP]
    m = r._SIGN_OFF.search(text.rstrip())   # "gs", "NB", "-ar"; not "Fine."
    if m and key(m[1]) not in _NOT_SIGNATURES and key(m[1]) not in lexicon.STOP \
            and (not m[1].istitle() or not is_ordinary(key(m[1]))) and "\n" in text.strip():
        out.append(Span(m.start(1), m.end(1), "PERSON"))
    return out
