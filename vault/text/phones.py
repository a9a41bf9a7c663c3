"""Phone numbers in many regions' national formats and in international
format: the one phone detector of `detect`, for both `vault redact --pii`
and the anonymized export. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .span import Span

# Regions tried for a number written without "+", after the practice's own.
PHONE_REGIONS = ("US", "GB", "CA", "AU", "IE", "DE", "FR", "NL", "IN")

# Cheap pre-filter: a run of digits with single separators, maybe after "+"
# or "00". phonenumbers only ever sees these windows, never the whole note.
_PHONE_WINDOW = re.compile(
    r"[+(\d](?<![\w@/.+-][+(\d])"          # "+", "(" or a digit, not inside a word
    r"(?:(?<=\+)[ ]?\(?\d|(?<=\()\d|(?<=\d))"
    r"(?:\d|[ \t.\-/\u00a0]?\(?\d|\)[ \t.\-/\u00a0]?\d)*")
_PHONE_WORD = re.compile(
    r"(?i)\b(?:phone|ph|tel|telephone|mobile|mob|cell|cellphone|call|called|ring|fax|"
    r"text|sms|whatsapp|landline|contact|number)\b[.:#]?[^\w\n]{0,12}$")
# An extension goes with its number: "555-0142 ext. 12", "415-555-2671 x123".
_EXTENSION = re.compile(r"(?i),? ?(?:ext(?:ension)?\.? ?|x)\d{1,6}(?!\w)")
_GLUED = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=8192)   # a client's numbers recur from note to note
def _phone_check(window: str, regions: tuple[str, ...]) -> tuple[bool, bool]:
    """(valid in some region, possible in some region)."""
    import phonenumbers  # lazy: a large module
    from phonenumbers import NumberParseException
    possible = False
    for region in regions:
        try:
            number = phonenumbers.parse(window, region)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True, True
        possible = possible or phonenumbers.is_possible_number(number)
        if window.startswith("+"):
            break   # the country code is written out: one region says it all
    return False, possible


_BLOCKS_PHONE = frozenset({"EMAIL", "URL", "IBAN", "CARD", "SSN", "IP", "DATE", "ID", "POSTCODE"})


def find_phones(text: str, regions: tuple[str, ...], taken: list[Span]) -> list[Span]:
    """Phone numbers in any of `regions`' national formats or in international
    format. What other detectors already explain (a date, a card, a record
    number) is masked first, so "on 03/05/2024 555-0132" is not one window."""
    original = text
    blocks = sorted((f.start, f.end) for f in taken
                    if f.kind in _BLOCKS_PHONE or f.kind.startswith("DATE:"))
    if blocks:
        pieces, pos = [], 0
        for start, end in blocks:
            if end <= pos:
                continue
            start = max(start, pos)
            pieces += [text[pos:start], "#" * (end - start)]
            pos = end
        text = "".join(pieces) + text[pos:]
    out = []
    for m in _PHONE_WINDOW.finditer(text):
        window = m.group()
        digits = sum(map(str.isdigit, window))
        if not 6 <= digits <= 17:
            continue
        valid, possible = _phone_check(window, regions) if digits >= 7 else (False, True)
        near = bool(_PHONE_WORD.search(text, max(0, m.start() - 40), m.start()))
        if valid and not near and _SINGLE_DIGITS.fullmatch(window):
            # "2 2 2 2 2 2 2": counts or scores side by side, not a number
            # anyone writes down as a phone (unless a phone word says so).
            valid = False
        elif not valid:
            # Fictional ranges (UK drama numbers, 555-01xx) are "possible" but
            # not valid: accept them written as phone numbers are, "+44 ..."
            # or after "tel:"; after a phone word, any grouped number will do.
            valid = (possible and (near or window.startswith("+"))
                     or near and digits >= 7 and _phone_shape(window))
        extension = _EXTENSION.match(text, m.end())
        # (in the text as written: what another detector masked may be
        # glued to the digits, "0March")
        if valid and not extension and _GLUED.match(original, m.end()):
            # Digits glued to letters ("13606271a08d", a hash or a code) are
            # part of a token, not a phone number.
            valid = False
        if valid:
            # ("(541-322-7500)": the bracket that opens the number stays
            # when the one that closes it is not part of it)
            start = m.start() + (window[0] == "(" and ")" not in window)
            out.append(Span(start, extension.end() if extension else m.end(), "PHONE"))
        elif digits >= 10 and " " in window:
            out += _phone_inside(window, m.start(), regions)
    return out


_SINGLE_DIGITS = re.compile(r"\d(?:[ .\-]+\d)+")


def _phone_inside(window: str, offset: int, regions: tuple[str, ...]) -> list[Span]:
    """Numbers inside a window that is not one number: two numbers side by
    side, or a number and a count ("020 7946 0958 2 sessions")."""
    import phonenumbers
    for region in regions:
        found = [Span(offset + x.start, offset + x.end, "PHONE")
                 for x in phonenumbers.PhoneNumberMatcher(window, region,
                                                          leniency=phonenumbers.Leniency.VALID)]
        if found:
            return found
    return []


def _phone_shape(window: str) -> bool:
    """After a phone word, a grouped number ("555-0142", "0412 345 678") is a
    phone even if no region's rules accept it."""
    return bool(re.fullmatch(r"\+?[\d()]+(?:[ .\-][\d()]+)+", window))
