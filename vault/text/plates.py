"""Number plates and registrations in the forms the token rule of
`idents.py` does not see (issue 14, tenth session): groups of capitals and
digits with spaces or dashes between them after a word about a vehicle
(`Plates JXK 4821`, `license plate reads "HGT 221"`, `vehicle R482 GTL`,
`boat registration FL 4821 KJ`, `The car's plate is 4471 KX`), and a
vanity plate of letters alone after a plate word (`vanity plate
GOBUCKS`). What `idents` finds already (`7ABC123`, `KX19 ODP`, a VIN) it
finds again here at most; a year after a word (`MOT 2024`) and a plate
word's ordinary meaning (`tag 2 cm`, `registration OK`) are no plate.
Each pattern starts only at its cue word. Pure functions, no I/O.
"""

from __future__ import annotations

import re

from .lexicon import is_abbreviation, is_ordinary, key
from .span import Span, Windows, at_words, has_word, scan, starts_at_words

_VEHICLE = frozenset("plate plates tag tags reg regn rego registration registered vrm vehicle "
                     "car van truck lorry motorcycle motorbike boat vessel trailer".split())
# The cue, then what stands between it and the plate: "plate no.", "reg
# number:", "plate is", "plate reads", "registration mark", a quotation mark or a bracket.
_PLATE = re.compile(
    r"(?i:plates?|tags?|regn?\.?|rego|registration|registered|vrm|vehicle|car|van|truck|lorry|"
    r"motorcycle|motorbike|boat|vessel|trailer)(?:'s)?"
    r"(?:[ \t]+(?i:no\.?|number|num|nbr|mark|plates?|is|was|reads|read|shows|of|as|reg(?:istration)?)"
    r"|[ \t]*[#:=(\"“']){0,3}[ \t]*[\"“']?"
    # two or three groups of capitals and digits, a digit and a capital among them
    r"(?P<v>(?=[A-Z0-9 -]{0,14}\d)(?=[A-Z0-9 -]{0,14}[A-Z])"
    r"[A-Z0-9]{1,7}(?:[ -][A-Z0-9]{1,5}){1,2})(?![\w-]|[.,]\w)")
# "vanity plate GOBUCKS", "tag LUVMYDOG": capitals alone, no word.
# (never two optional runs of blanks side by side: "plate" and a long run
# of blanks would be split every way, in quadratic time)
_VANITY = re.compile(r"(?i:plates?|tags?|rego)(?:[ \t]+(?i:reads|read|is|was|says))?(?:[ \t]*[:#])?"
                     r"[ \t]*[\"“']?(?P<v>[A-Z][A-Z0-9]{3,7})(?![\w-]|[.,]\w)")
_PLATE_ONLY = frozenset("plate plates tag tags rego".split())
_VIN = frozenset({"vin"})
_VIN_CUES = frozenset({"vin", "last"})
# The end of a VIN: "VIN ending in 4718", "last four of the VIN: 4718", "VIN ...244718".
_VIN_END = re.compile(r"\b(?i:vin)\b(?:[ \t]+(?i:ending|ends|in|with|no\.?|number|last|four|six|"
                      r"digits?|is))*(?:[ \t]*[:#])?[ \t]*(?:\.{2,3}|…|[xX*]{3,13})?"
                      r"(?P<v>[A-Z0-9]{4,8})(?![\w-])"
                      r"|\b(?i:last)[ \t]+(?i:four|4|six|6|digits)(?:[ \t]+(?i:digits|of|the)){0,3}"
                      r"[ \t]+(?i:vin)(?:[ \t]*[:#])?[ \t]*(?P<w>[A-Z0-9]{4,8})(?![\w-])")
starts_at_words(_PLATE, _VEHICLE, any_text=True)
_YEAR = re.compile(r"(?:19|20)\d\d")


def _plate(value: str) -> bool:
    """Groups that read as a plate: at least five capitals and digits, and
    not a word and a year or a number ("MOT 2024", "Vehicle 2 OK")."""
    groups = re.split(r"[ -]", value)
    if sum(map(len, groups)) < 5:
        return False
    words = [g for g in groups if g.isalpha()]
    numbers = [g for g in groups if g.isdigit()]
    if " " in value and len(numbers) > 1:
        return False   # ("BP 120 80", "M 10 10": numbers, not a plate; "7-ABC-123" is one)
    if len(groups) == 2 and len(words) == 1 and len(words[0]) == 1 and len(numbers) == 1:
        return False   # ("car M 1500": a sex and a number, a grade and a score)
    if len(groups) == 2 and len(numbers) == 1 and len(words) == 1 == len(words[0]) - 1 \
            and is_ordinary(key(words[0])):
        return False   # ("car BP 120": a reading after the car ride, not a plate)
    return not (len(words) + len(numbers) == len(groups)
                and any(_YEAR.fullmatch(n) for n in numbers))


def find(text: str, windows: Windows) -> list[Span]:
    """ID spans of plates after a word about a vehicle (with a digit: in
    the windows; a vanity plate anywhere)."""
    out = []
    if windows and has_word(text, _VIN, any_text=True):
        found = at_words(_VIN_END, text, _VIN_CUES, any_text=True)
        out += [Span(m.start(g), m.end(g), "ID")
                for m in (found if found is not None else _VIN_END.finditer(text))
                for g in ("v" if m["v"] else "w",) if any(c.isdigit() for c in m[g])]
    if not has_word(text, _VEHICLE, any_text=True):
        return out
    out += [Span(m.start("v"), m.end("v"), "ID") for m in scan(_PLATE, text, windows)
            if _plate(m["v"])]
    matches = at_words(_VANITY, text, _PLATE_ONLY, any_text=True)
    for m in matches if matches is not None else _VANITY.finditer(text):
        k = key(m["v"])
        if not any(c.isdigit() for c in k) and not is_ordinary(k) and not is_abbreviation(k):
            out.append(Span(m.start("v"), m.end("v"), "ID"))
    return out
