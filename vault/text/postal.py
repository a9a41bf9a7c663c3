"""Postcodes that `addresses` does not read by their form alone (issue 14,
ninth session): a European code before its town ("10115 Berlin", "75011
Paris", "1012 AB Amsterdam", "D-80331 Munich", "1010 Wien"), a four- or
six-digit code after its town ("Auckland 1010", "Bengaluru 560001",
"Mumbai - 400001"), an Irish Eircode ("D02 X285", "T12 X70A"), and a code
after its word ("postcode 3000", "PLZ 10115", "code postal 75011", "PIN
code 560001"). The town must be in the place list and no English word
("Reading"); four digits alone before it count only after a comma or at a
line's start, before the end of the line or clause, and never a year ("in
2019 Paris", "1500 Berlin residents"); four digits after it, only when no
year ("Tokyo 2020"). The town is reported as a PLACE too. Pure, no I/O.
"""

from __future__ import annotations

import re

from . import lexicon
from .span import Span, Windows, all_digit_runs, scan, starts_at_digits, starts_at_words

# A code before a town: "10115 Berlin", "1012 AB Amsterdam", "D-80331 Munich"
_CODE_BEFORE = re.compile(r"(?P<code>(?:(?<![\w-])[A-Z]{1,2}-)?(?<![\w.,/:$£€-])"
                          r"(?:\d{5}|\d{4}(?:[ \t]?[A-Z]{2})?))[ \t]+\Z")
# (after a town with four digits alone before it: the address's end)
_TOWN_END = re.compile(r"[ \t]*(?:$|[\r\n,;.)(]|[A-ZÀ-Þ])", re.M)
# A code after a town: "Auckland 1010", "Bengaluru 560001", "Mumbai - 400001"
_CODE_AFTER = re.compile(r"[ \t]*,?[ \t]*(?:[-–][ \t]*)?(?P<code>\d{4}|\d{6})(?![\w-]|[.,/]\d)")
# Eircode: a routing key ("D02", "D6W") and four letters and digits, both
_EIRCODE = re.compile(r"[ACDEFHKNPRTVWXY](?<!\w[ACDEFHKNPRTVWXY])(?:\d\d(?!\d)|6W)[ \t]?"
                      r"(?P<id>[0-9ACDEFHKNPRTVWXY]{4})\b")
starts_at_digits(_EIRCODE, lambda n, after: n == 2 and (after == " " or after == "\t" or "A" <= after <= "Y")
                 or n == 1 and after == "W", before=(1,))
_CUE = re.compile(
    r"(?i:post[ \t]?code|postal[ \t]+code|pin[ \t]+code|plz|postleitzahl|code[ \t]+postal|"
    r"c[oó]digo[ \t]+postal|eircode|cp)[ \t]*[:#]?[ \t]*"
    r"(?P<code>[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}|[A-Z]\d\d[ \t]?[0-9A-Z]{4}|"
    r"\d{3,6}(?:[ \t]?[A-Z]{2}\b)?)(?![\w-]|[.,]\d)")
starts_at_words(_CUE, frozenset("post postcode postal pin plz postleitzahl code codigo eircode "
                                "cp".split()), any_text=True)
_YEAR = re.compile(r"(?:19|20)\d\d")
_TOWN_KINDS = frozenset({"PLACE", "PERSON"})


def find(text: str, windows: Windows) -> list[Span]:
    """Eircodes, and codes after their word."""
    out: list[Span] = []
    for m in scan(_EIRCODE, text, windows):
        if any(c.isdigit() for c in m["id"]) and any(c.isalpha() for c in m["id"]):
            out.append(Span(m.start(), m.end(), "POSTCODE"))
    for m in scan(_CUE, text, [(0, len(text))]) if windows else ():
        code = m["code"]
        if m.group().lower().startswith(("pin", "cp")) and not (
                len(code) in (5, 6) and code.isdigit()):
            continue   # "PIN 1234": a secret, not a code of India
        out.append(Span(m.start("code"), m.end("code"), "POSTCODE"))
    return out


def near_towns(text: str, spans: list[Span]) -> list[Span]:
    """Codes before or after a town the word detectors found (a PLACE, or a
    PERSON that the place list names: "1012 AB Amsterdam"), and that town
    as a PLACE."""
    out: list[Span] = []
    # Where a town can start or end next to a run of four to six digits:
    # one space after it ("10115 Berlin"), four after it ("1012 AB
    # Amsterdam"); up to four before it ("Auckland 1010", "Mumbai - 400001").
    starts: set[int] = set()
    ends: set[int] = set()
    for a, b in all_digit_runs(text):
        if 4 <= b - a <= 6:
            starts.update((b + 1, b + 4))
            ends.update(range(a - 4, a))
    if not starts:
        return out
    places = None
    for s in spans:
        code_before = s.start in starts
        if not code_before and s.end not in ends or s.kind not in _TOWN_KINDS \
                or not text[s.start].isupper():
            continue
        town = text[s.start:s.end]
        places = lexicon.places() if places is None else places
        if town.lower() not in places or lexicon.is_ordinary(lexicon.key(town)):
            continue   # ("Reading", "Bath": words first)
        before = _CODE_BEFORE.search(text, max(0, s.start - 12), s.start) if code_before else None
        if before is not None:
            code = before["code"]
            if code.isdigit() and len(code) == 4 and (
                    _YEAR.fullmatch(code) or text[max(0, before.start() - 3):before.start()].rstrip(
                        " \t")[-1:] not in ("", "\n", ",") or _TOWN_END.match(text, s.end) is None):
                continue   # "in 2019 Paris", "1500 Berlin residents"; not "Rue X 12, 1000 Brussels"
            out += [Span(before.start("code"), before.end("code"), "POSTCODE"),
                    Span(s.start, s.end, "PLACE")]
            continue
        after = _CODE_AFTER.match(text, s.end)
        if after is not None and not _YEAR.fullmatch(after["code"]) and not (
                len(after["code"]) == 6 and after["code"][0] == "0"):
            out += [Span(after.start("code"), after.end("code"), "POSTCODE"),
                    Span(s.start, s.end, "PLACE")]   # ("Tokyo 2020": a year)
    return out
