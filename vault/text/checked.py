"""Detectors that find a value by its form and then check it: e-mail
addresses, US SSNs, payment card numbers (Luhn), IBANs (mod-97) and IP
addresses. Part of the one detector set in `detect`; pure functions, no I/O.
Checksums cut false positives: a 16-digit case number is not a card unless
it passes Luhn.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from .span import Span, Windows, scan, starts_at_digits, starts_at_words

# Starts only at the beginning of a run of local-part characters, so a long
# run without "@" is scanned once, not once per position (was quadratic).
_EMAIL = re.compile(r"(?<![\w.%+'-])[\w.%+'-]{1,64}@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
# Patterns start with a plain character class and check what comes before
# it afterwards ("\d(?<![\d-]\d)" is "(?<![\d-])\d"): re then skips quickly
# to the next digit instead of trying the pattern at every position.
_SSN = re.compile(r"\d(?<![\d-]\d)\d\d(?<!000)(?<!666)(?<!9\d\d)-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])")
# "SSN 123 45 6789", "social security number: 123456789": written without
# the dashes _SSN needs.
_SSN_WORD = re.compile(
    r"[Ss](?<!\w[Ss])(?i:sn|s#|ocial\s+security(?:\s+(?:no\b\.?|number|#))?)\s*[:#]?\s*"
    r"(?P<v>\d{3}[ .-]?\d{2}[ .-]?\d{4})(?![\d-])")
# Not glued to letters: a digit run inside a hash or a code is no card.
_CARD = re.compile(r"\d(?<![\w-]\d)(?:[ -]?\d){12,18}(?![\w-])")
# The country code in capitals, as IBANs are written: a lower-case hex
# string ("ae27af4ad0...") passes mod-97 one time in 97.
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){11,30}\b")
_IBAN_HINT = re.compile(r"\d(?<=[A-Z]{2}\d)\d")
# Not after a word character or dot (v1.2.3.4 is a version), and not before
# a digit or ".digit" (1.2.3.4.5 is not an address); a full stop may follow.
_IPV4 = re.compile(r"\d(?<![\w.]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?!\.?\d)")
# Where each can start (span.starts_at_digits): a run of three digits and
# "-"; thirteen digits, or a few and a separator; up to three digits and ".".
starts_at_digits(_SSN, lambda n, after: n == 3 and after == "-")
starts_at_words(_SSN_WORD, frozenset({"ssn", "ss", "social"}), any_text=True)   # ("ss#")
starts_at_digits(_CARD, lambda n, after: n >= 13 or after in (" ", "-"))
starts_at_digits(_IPV4, lambda n, after: n <= 3 and after == ".")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
# Two colons at most four hex digits apart, which every IPv6 match holds:
# a literal first, that re finds fast ("10:30 and 11:00" has none).
_IPV6_HINT = re.compile(r":[0-9A-Fa-f]{0,4}:")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card_ok(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    return 13 <= len(digits) <= 19 and luhn_ok(digits)


# IBAN length by country (SWIFT IBAN registry). Without it, one run in 97
# that swallows the next word ("GB82 WEST ... 32 bnog") also passes mod-97.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    "YE": 30,
}


def iban_ok(candidate: str) -> bool:
    s = candidate.replace(" ", "").replace("-", "").upper()
    if len(s) != _IBAN_LENGTHS.get(s[:2]) or not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def _ip_ok(candidate: str) -> bool:
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    # "::" or "::1" in prose is punctuation or loopback, not somebody's address.
    return ":" not in candidate or sum(bool(g) for g in candidate.split(":")) >= 2


def _shrink(candidate: str, ok: Callable[[str], bool], separators: str) -> str:
    """The longest prefix, cut at a separator, that passes `ok`; "" if none.
    A run may swallow a following word or number ("... 32 GBP", a card
    number followed by its CVV)."""
    while candidate and not ok(candidate):
        cut = max(candidate.rfind(sep) for sep in separators)
        candidate = candidate[:cut] if cut > 0 else ""
    return candidate


def _email_windows(text: str) -> Windows:
    # A local part is at most 64 characters, a domain at most 255.
    out: Windows = []
    at = text.find("@")
    while at >= 0:
        start, end = max(0, at - 70), min(len(text), at + 260)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
        at = text.find("@", at + 1)
    return out


def find_checked(text: str, windows: Windows | None = None) -> list[Span]:
    """Emails, dashed SSNs, cards, IBANs and IPs, unsorted and possibly
    overlapping. `windows` (start, end) limits the search for all but e-mail
    addresses to the parts of a long text near its digits, for speed; e-mail
    addresses are looked for around each "@"."""
    found = [Span(m.start(), m.end(), "EMAIL")
             for m in scan(_EMAIL, text, None if windows is None else _email_windows(text))]
    found += [Span(m.start(), m.end(), "SSN") for m in scan(_SSN, text, windows)]
    for m in scan(_CARD, text, windows):
        card = _shrink(m.group(), _card_ok, " -")
        if card:
            found.append(Span(m.start(), m.start() + len(card), "CARD"))
    # Every IBAN has two letters then two digits; most notes have none.
    for m in scan(_IBAN, text, windows) if _IBAN_HINT.search(text) else ():
        iban = _shrink(m.group(), iban_ok, " -")
        if iban:
            found.append(Span(m.start(), m.start() + len(iban), "IBAN"))
    # An IPv6 address has at least two colons; written with "::" it may have
    # no digit at all ("dead:beef::cafe"), so it is then looked for everywhere.
    ip_patterns = [(_IPV4, windows)]
    if text.count(":") >= 2 and _IPV6_HINT.search(text):
        ip_patterns.append((_IPV6, None if "::" in text else windows))
    found += [Span(m.start(), m.end(), "IP") for rx, where in ip_patterns
              for m in scan(rx, text, where) if _ip_ok(m.group())]
    # A device's MAC address: six pairs of hex digits ("00:1B:44:11:3A:B7"),
    # looked for everywhere (letters only: "aa:bb:cc:dd:ee:ff")
    if text.count(":") >= 5 or text.count("-") >= 5:
        found += [Span(m.start(), m.end(), "ID") for m in _MAC.finditer(text)]
    return found


_MAC = re.compile(r"(?<![\w:.-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![\w:.-])")


def find_ssns(text: str, windows: Windows) -> list[Span]:
    """SSNs after the word ("SSN 123 45 6789"), with or without dashes."""
    return [Span(m.start("v"), m.end("v"), "SSN") for m in scan(_SSN_WORD, text, windows)]
