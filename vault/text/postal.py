"""Postcodes that `addresses` does not read by their form alone (issue 14,
ninth session): a European code before its town ("10115 Berlin", "75011
Paris", "1012 AB Amsterdam", "D-80331 Munich", "1010 Wien"), a four- or
six-digit code after its town ("Auckland 1010", "Wellington 6011",
"Bengaluru 560001", "Mumbai - 400001"), an Irish Eircode ("D02 X285",
"T12 X70A"), and a code after its word ("postcode 3000", "PLZ 10115",
"code postal 75011", "PIN code 560001", "Eircode D02X285"). The town
must be in the place list and end its line, clause or address ("1500
Berlin residents" is a count); four digits alone before it count only
after a comma or at a line's start, and never a year ("in 2019 Paris"), four
digits after it when they are no year ("Tokyo 2020"). The town is reported as a PLACE too. Pure, no I/O.
"""

from __future__ import annotations

import re

from . import lexicon
from .span import Span, Windows, digit_runs, scan, starts_at_digits, starts_at_words

_TOWN = r"(?P<town>[A-ZÀ-Þ][a-zß-ÿ'’]+(?:[ \t-][A-ZÀ-Þ][a-zß-ÿ'’]+)?)"
# "10115 Berlin", "1012 AB Amsterdam", "D-80331 Munich", "F-75011 Paris"
_BEFORE_TOWN = re.compile(
    r"(?P<code>(?:(?<![\w-])[A-Z]{1,2}-)?\d(?<![\w.,/:$£€]\d)(?:\d{4}|\d{3}(?:[ \t]?[A-Z]{2})?))"
    r"[ \t]+" + _TOWN + r"\b(?=[ \t]*(?:$|[\r\n,;.)(]|[A-ZÀ-Þ]))", re.M)
starts_at_digits(_BEFORE_TOWN, lambda n, after: n in (4, 5) and (after == " " or after == "\t"),
                 before=(0, 2, 3))
# "Auckland 1010", "Bengaluru 560001", "Mumbai - 400001"
_AFTER_TOWN = re.compile(r"[ \t]*,?[ \t]*(?:[-–][ \t]*)?(?P<code>\d{4}|\d{6})(?![\w-]|[.,/]\d)")
_DIGITS_AFTER = re.compile(r"(?P<town>[^\W\d_]+)[ \t]*,?[ \t]*(?:[-–][ \t]*)?\Z")
# Eircode: a routing key ("D02", "D6W") and four letters and digits, both
_EIRCODE = re.compile(r"[ACDEFHKNPRTVWXY](?<!\w[ACDEFHKNPRTVWXY])(?:\d\d|6W)[ \t]?"
                      r"(?P<id>[0-9ACDEFHKNPRTVWXY]{4})\b")
starts_at_digits(_EIRCODE, lambda n, after: n == 2 and (after in " \t" or "A" <= after <= "Y")
                 or n == 1 and after == "W", before=(1,))
_CUE = re.compile(
    r"(?i:post[ \t]?code|postal[ \t]+code|pin[ \t]+code|plz|postleitzahl|code[ \t]+postal|"
    r"c[oó]digo[ \t]+postal|eircode|cp)[ \t]*[:#]?[ \t]*"
    r"(?P<code>[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}|[A-Z]\d\d[ \t]?[0-9A-Z]{4}|"
    r"\d{3,6}(?:[ \t]?[A-Z]{2}\b)?)(?![\w-]|[.,]\d)")
starts_at_words(_CUE, frozenset("post postcode postal pin plz postleitzahl code codigo eircode "
                                "cp".split()), any_text=True)
_YEAR = re.compile(r"(?:19|20)\d\d")


def find(text: str, windows: Windows) -> list[Span]:
    out = []
    places = lexicon.places()
    for m in scan(_BEFORE_TOWN, text, windows):
        town = m["town"]
        if town.lower() not in places and town.split()[0].lower() not in places \
                or lexicon.is_ordinary(lexicon.key(town.split()[0])):
            continue   # ("Reading", "Bath": words first)
        if m["code"].isdigit() and len(m["code"]) == 4 and (_YEAR.fullmatch(m["code"]) or text[
                max(0, m.start() - 3):m.start()].rstrip(" \t")[-1:] not in ("", "\n", ",")):
            continue   # "in 2019 Paris", "1500 Paris"; not "Rue X 12, 1000 Brussels"
        end = m.start("town") + len(town if town.lower() in places else town.split()[0])
        out += [Span(m.start("code"), m.end("code"), "POSTCODE"),
                Span(m.start("town"), end, "PLACE")]
    for start, end in _runs(text, windows):
        before = _DIGITS_AFTER.search(text, max(0, start - 30), start)
        if before is None or before["town"].lower() not in places or not before["town"][0].isupper() \
                or lexicon.is_ordinary(lexicon.key(before["town"])):
            continue
        m = _AFTER_TOWN.match(text, before.end("town"))
        if m is None or m.start("code") != start or _YEAR.fullmatch(m["code"]):
            continue   # "Auckland 1010"; not "Tokyo 2020"
        if len(m["code"]) == 6 and m["code"][0] == "0":
            continue
        out.append(Span(start, m.end("code"), "POSTCODE"))
    for m in scan(_EIRCODE, text, windows):
        unique = m["id"]
        if any(c.isdigit() for c in unique) and any(c.isalpha() for c in unique):
            out.append(Span(m.start(), m.end(), "POSTCODE"))
    for m in scan(_CUE, text, [(0, len(text))]) if windows else ():
        code = m["code"]
        if m.group().lower().startswith(("pin", "cp")) and not (
                len(code) in (5, 6) and code.isdigit()):
            continue   # "PIN 1234": a secret, not a code of India
        out.append(Span(m.start("code"), m.end("code"), "POSTCODE"))
    return out


def _runs(text: str, windows: Windows) -> list[tuple[int, int]]:
    return [(a, b) for a, b in digit_runs(text, windows) if b - a in (4, 6)]
