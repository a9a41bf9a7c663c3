"""The one detector set for personal data in free text, used by both
`vault redact --pii` (`find`) and the anonymized export (`find_all`):
e-mail addresses, phone numbers, SSNs, payment cards, IBANs and IP addresses
(with `checked` and `phones`), URLs, street addresses and postcodes (with
`addresses`), and dates, ages over 89 and record numbers (here). Pure
functions, no I/O.

Every detector returns `Span`s, possibly overlapping. The export keeps the
earliest, then the longest, then the one whose kind comes first in
`PRIORITY`; `find` joins overlapping spans of the kinds in `PII_KINDS`.
"""

from __future__ import annotations

import re

from . import (ageforms, blocks, cues, eponyms, firmforms, gazetteer, headers, homes, idents, locales,
               orgs, people, plates, postal, postforms, shortnames, streets, unseen, when)
from .addresses import find_addresses, find_postcodes, find_urls
from .checked import find_checked, find_ssns, iban_ok, luhn_ok
from .phones import PHONE_REGIONS, find_phones
from .span import (Span, Windows, all_digit_runs, has_word, scan, starts_at_digits,
                   starts_at_words)

__all__ = ["DATE_PATTERNS", "MONTHS", "PHONE_REGIONS", "PII_KINDS", "PRIORITY", "Span",
           "date_fields", "digit_windows", "find", "find_all", "iban_ok", "luhn_ok"]

# Ties between spans of equal start and length go to the kind listed first:
# a record number after "MRN" is an ID even if it parses as a phone number.
# A registered name (NAME) wins over the same span found by context (PERSON).
PRIORITY = ("EMAIL", "URL", "IBAN", "CARD", "SSN", "IP", "DATE", "ID", "POSTCODE",
            "PHONE", "ADDRESS", "AGE", "BAREID", "NAME", "ORG", "PLACE", "PERSON", "REDACTED")
# What `vault redact --pii` removes: the kinds that identify or reach a
# person. Not dates (the export shifts them; removing them from the vault
# would lose the record's chronology), nor ages, URLs or bare runs of six
# digits (too often an amount, a link or a count to destroy for good).
PII_KINDS = frozenset({"EMAIL", "PHONE", "SSN", "CARD", "IBAN", "IP", "ADDRESS", "POSTCODE",
                       "ID"})


# -- dates -----------------------------------------------------------------------------

# Month names: a capital, then any month's tail; month_number() rejects "Jarch".
_MONTH = (r"(?P<mon>[JFMASOND](?<!\w[JFMASOND])(?:an(?:uary)?|eb(?:ruary)?|ar(?:ch)?|"
          r"pr(?:il)?|ay|une?|uly?|ug(?:ust)?|ep(?:t(?:ember)?)?|ct(?:ober)?|ov(?:ember)?|"
          r"ec(?:ember)?))\.?")
# After a day, the tail in any case too: "5-MAR-24", "12 DEC 2023".
_MONTH_ANY = _MONTH.replace("(?:an(?:uary)", "(?i:an(?:uary)")
_ORD = r"(?P<ord>st|nd|rd|th)?"
# Looked for just before a date, to be shifted with it: "Tuesday, March 5, 2024".
_WEEKDAY = re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
                      r"Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun)\.?,?\s+$")
DATE_PATTERNS = {
    "iso": re.compile(r"(?P<y>\d(?<![\w./-]\d)\d{3})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)"
                      r"(?P<d>\d{1,2})(?!(?!T\d)[\w/-]|\.\d)"),   # ("2024-03-04T10:15" too)
    "num": re.compile(r"(?P<a>\d(?<![\w./-]\d)\d?)(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)"
                      r"(?P<y>\d{4}|\d{2})(?![\w/-]|\.\d)"),
    # "5 March 2024", "5th of March", "5-Mar-2024"
    "dmy": re.compile(r"(?P<d>\d(?<!\w\d)\d?)" + _ORD + r"(?:(?:\s+of)?\s+|-)" + _MONTH_ANY
                      + r"(?:(?:,?\s+|-)(?P<y>\d{4}|(?<=-)\d\d|(?<=[ \t])\d\d"
                      # "2 Feb 24" ending its clause: a two-digit year
                      r"(?=[ \t]*(?:[\r\n,;)]|\.(?!\d)|\Z))))?(?![\w-])"),
    "mdy": re.compile(_MONTH + r"\s+(?P<d>\d{1,2})" + _ORD
                      + r"(?:,?\s+(?P<y>\d{4}))?(?![\w-])"),
    "my": re.compile(_MONTH + r",?\s+(?P<y>\d{4})(?![\w-])"),
}
starts_at_digits(DATE_PATTERNS["iso"], lambda n, after: n == 4 and after in ("-", "/", "."))
starts_at_digits(DATE_PATTERNS["num"], lambda n, after: n <= 2 and after in ("-", "/", "."))
starts_at_digits(DATE_PATTERNS["dmy"], lambda n, after: n <= 2 and (
    after.isspace() or after in ("s", "n", "r", "t", "-")))
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_VERSION = re.compile(r"(?i)(?:\bv|version|release)\s*$")


_MONTH_FORMS = {form: i for i, full in enumerate(MONTHS, 1)
                for form in (full, full[:3], "sept" if i == 9 else full)}



def date_fields(kind: str, m: re.Match[str], month_first: bool) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of a date match, or None if impossible."""
    if kind == "num":
        a, b = int(m["a"]), int(m["b"])
        # Dotted dates are day-first everywhere ("5.3.2024").
        month_first = month_first and m["sep"] != "."
        month, day = (a, b) if month_first and a <= 12 or b > 12 else (b, a)
    elif kind == "iso":
        month, day = int(m["m"]), int(m["d"])
    else:
        month = _MONTH_FORMS.get(m["mon"].lower(), 0)
        day = int(m["d"]) if kind != "my" else 15
    year = None
    if m["y"]:
        year = int(m["y"])
        if len(m["y"]) == 2:
            year += 2000 if year < 70 else 1900
    if not (1 <= month <= 12 and 1 <= day <= 31) or year is not None and not 1800 <= year <= 2199:
        return None
    return year, month, day


def find_dates(text: str, month_first: bool, windows: Windows) -> list[Span]:
    out = []
    for kind, rx in DATE_PATTERNS.items():
        for m in scan(rx, text, windows):
            if date_fields(kind, m, month_first) is None:
                continue
            if kind == "num" and m["sep"] == "." and _VERSION.search(text, 0, m.start()):
                continue
            start = m.start()
            if kind in ("dmy", "mdy"):
                weekday = _WEEKDAY.search(text, max(0, start - 12), start)
                start = weekday.start() if weekday else start
            out.append(Span(start, m.end(), "DATE:" + kind, m))
    return out


# -- ages, record numbers ------------------------------------------------------------

_AGES = (
    re.compile(r"(?P<n>\d(?<!\w\d)\d\d?)(?:(?:\s*-\s*|\s+)(?i:years?|yrs?)(?:\s*-\s*|\s+)(?i:old)\b"
               r"|\s*(?i:y/o|y\.o\.(?:[mf]\.?)?|yo|yrs?)(?![\w/])|\s+(?i:years\s+of\s+age)\b)"),
    re.compile(r"[Aa](?<!\w[Aa])[Gg][Ee][DdSs]?\s*:?\s*(?P<n>\d{2,3})(?:\b|(?=[yY]\b))"),
)
starts_at_digits(_AGES[0], lambda n, after: n in (2, 3) and (
    after.isspace() or after in ("-", "y", "Y")))
# An age and a sex ("93F with CHF", "101 M"), an age's birthday ("her 100th
# birthday"); not a temperature ("temp 95 F", "98.6F").
_AGE_SEX = re.compile(r"(?P<n>\d(?<![\w.,/:°-]\d)\d\d?)(?:(?P<s>[MF])\b(?![.,'’/-]?\w)"
                      r"|(?:st|nd|rd|th)[ \t]+(?i:birthday))")
starts_at_digits(_AGE_SEX, lambda n, after: n in (2, 3) and after in "MFsnrt")
_AGE_SEX_SPACED = re.compile(r"(?P<n>\d(?<![\w.,/:°-]\d)\d\d?)[ \t](?P<s>[MF])\b(?![.,'’/-]?\w)")
starts_at_digits(_AGE_SEX_SPACED, lambda n, after: n in (2, 3) and (after == " " or after == "\t"))
_SEXES = frozenset({"M", "F"})
# An age in brackets after a relative, before when: "her father (100 in May)".
_AGE_BRACKET = re.compile(r"\((?P<n>9\d|1[01]\d)[ \t]+(?:in|by|come)\b")
_WORD_END = re.compile(r"([^\W\d_]+)[ \t]*\Z")
_TEMPERATURE = re.compile(r"\b(?i:temp\w*|t|fever|room|rm|bed|bay|unit|apt|suite|ste|flat|"
                          r"ward|no|#)[ \t:=.#]*(?:of[ \t]+)?\Z|°[ \t]*\Z")
_ID_WORDS = frozenset((
    "mrn nhs npi record case docket file claim policy account acct invoice member "
    "patient chart ref reference ticket matter licence license passport client id").split())
# A keyword's first letter, then the tails of all keywords ("Mase" passes
# here and is dropped in find_ids): cheaper than trying every word.
_ID = re.compile(
    r"(?P<kw>[MNRCDFPAILTmnrcdfpailt](?<!\w[A-Za-z])(?i:rn|hs|pi|ecord|ase|ocket|ile|laim|"
    r"olicy|ccount|cct|nvoice|ember|atient|hart|ef|eference|icket|atter|icen[cs]e|assport|"
    r"lient|d))\b"
    r"\.?(?i:\s*(?:no\b\.?|number|num\b\.?|#|id\b))?\s*[:#]?\s*"
    r"(?P<v>(?=[A-Za-z/-]*\d)[A-Za-z0-9][A-Za-z0-9/-]*[A-Za-z0-9]|\d)")
# (any of the first letters with any of the tails, as _ID reads them)
starts_at_words(_ID, frozenset(
    first + tail for first in "mnrcdfpailt" for tail in (
        "rn hs pi ecord ase ocket ile laim olicy ccount cct nvoice ember atient hart ef "
        "eference icket atter icence icense assport lient d").split()), any_text=True)
_BARE_ID = re.compile(r"\d(?<![\w$€£.,/-]\d)\d{5,}(?![\w/-]|[.,]\d)")

starts_at_digits(_BARE_ID, lambda n, after: n >= 6)
starts_at_words(_AGES[1], frozenset({"age", "aged", "ages"}), any_text=True)

# Spelled-out ages over 89 and "in her 90s": no digit, or not one the
# numeric pattern reads as an age.
_AGE_WORDS = re.compile(
    r"(?i)\b(?:ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|"
    r"(?:a |one )?hundred(?:\s+and\s+\w+)?)[- ]years?[- ]old\b"
    r"|\b(?:his|her|their)\s+(?P<decade>(?:early\s+|mid-?\s*|late\s+)?(?:9\d|1[01]\d)s)\b"
    r"|\b(?i:(?:super)?centenarian|nonagenarian)s?\b")

# An age over 89 at the end of a line after "is", "was" ("Pt is 93"; when's
# _AGE_ALONE wants a stop or a word after it), or after death at ("died at 96").
_AGE_EOL = re.compile(r"(?P<n>\d(?<![\w.,/:$£€-]\d)\d\d?)(?:\r?\n|\Z)")
starts_at_digits(_AGE_EOL, lambda n, after: n in (2, 3) and after in ("", "\n", "\r"))
_AGE_EOL_CUE = re.compile(r"\b(?P<who>[^\W\d_]+)[ \t]+(?i:is|was|turned|turns)(?:[ \t]+now)?[ \t]+\Z")
# (whose age: not "temp was 98", "Total is 95")
_AGE_WHO = when.KIN | {"he", "she", "who", "client", "patient"}
# "Age/Sex: 93/F", "93/M": an age and a sex after a slash
_AGE_SLASH = re.compile(r"(?P<n>\d(?<![\w.,/:$£€-]\d)\d\d?)/[MFmf]\b(?![/.-]?\w)")
starts_at_digits(_AGE_SLASH, lambda n, after: n in (2, 3) and after == "/")
_AGE_DIED = re.compile(r"\b(?i:died|passed[ \t]+away|death|widowed)[ \t]+(?i:at|aged)[ \t]+"
                       r"(?:(?i:age)[ \t]+)?(?P<n>9\d|1[01]\d)(?![\w%]|[.,/:-]\d)")
starts_at_words(_AGE_DIED, frozenset({"died", "passed", "death", "widowed"}), any_text=True)


def find_ages(text: str, windows: Windows) -> list[Span]:
    out = []
    for m in scan(_AGE_EOL, text, windows) + scan(_AGE_DIED, text, windows) + scan(
            _AGE_SLASH, text, windows):
        cue = None if m.re is not _AGE_EOL else _AGE_EOL_CUE.search(
            text, max(0, m.start() - 30), m.start())
        if int(m["n"]) > 89 and (cue is None and m.re is not _AGE_EOL
                                 or cue is not None and cue["who"].lower() in _AGE_WHO):
            out.append(Span(m.start("n"), m.end("n"), "AGE"))
    for m in (m for rx in _AGES for m in scan(rx, text, windows)):
        if int(m["n"]) > 89:
            out.append(Span(m.start(), m.end(), "AGE"))
    sexes = scan(_AGE_SEX_SPACED, text, windows) if has_word(text, _SEXES, lower=False) else []
    for m in scan(_AGE_SEX, text, windows) + sexes:
        if int(m["n"]) > 89 and not (m["s"] and _TEMPERATURE.search(
                text, max(0, m.start() - 14), m.start())):
            out.append(Span(m.start("n"), m.end("n") + (0 if m["s"] else 2), "AGE"))
    for m in _AGE_BRACKET.finditer(text) if windows and ("(9" in text or "(1" in text) else ():
        word = _WORD_END.search(text, max(0, m.start() - 24), m.start())
        if word and word[1].lower() in when.KIN and word[1].lower() not in ("pt", "patient"):
            out.append(Span(m.start("n"), m.end("n"), "AGE"))
    if "inety" in text or "undred" in text or "0s" in text or "enarian" in text:
        out += [Span(m.start(g), m.end(g), "AGE") for m in _AGE_WORDS.finditer(text)
                for g in ("decade" if m["decade"] else 0,)]
    return out


def find_ids(text: str, windows: Windows) -> list[Span]:
    out = []
    for m in scan(_ID, text, windows):
        if m["kw"].lower() not in _ID_WORDS:
            continue
        value = m["v"]
        digits = sum(c.isdigit() for c in value)
        # "file 2023" is a year; "MRN 00123456" and "Claim A12-3456" are ids.
        if digits >= 5 or digits >= 3 and not value.isdigit():
            out.append(Span(m.start("v"), m.end("v"), "ID"))
    out += [Span(m.start(), m.end(), "BAREID") for m in scan(_BARE_ID, text, windows)]
    return out


# Digits, with what lies between digits less than 24 characters apart.
_DIGITS = re.compile(r"\d(?:\D{0,24}\d)*")
# How far before and after a digit a detector's match may reach: "record
# number: 2023-...", "Bundesallee 12"; "1 Martin Luther King Jr Boulevard NW".
_BEFORE, _AFTER = 28, 44
# Windows closer than this are scanned as one: each scan has a cost of its own.
_MERGE = 600


def digit_windows(text: str) -> Windows:
    """The parts of text near a digit, overlapping ones merged. Every
    detector but e-mail, URL and names needs a digit, so the rest of a note,
    usually most of it, is never scanned by them. (What _DIGITS would find,
    from the runs of digits the detectors share: runs less than 24
    characters apart are one stretch.)"""
    out: Windows = []
    n = len(text)
    first = last = -1
    for start, end in all_digit_runs(text):
        if last >= 0 and start - last <= 24:
            last = end
            continue
        if last >= 0:
            _add_window(out, max(0, first - _BEFORE), min(n, last + _AFTER))
        first, last = start, end
    if last >= 0:
        _add_window(out, max(0, first - _BEFORE), min(n, last + _AFTER))
    return out


def _add_window(out: Windows, start: int, end: int) -> None:
    if out and start <= out[-1][1] + _MERGE:
        out[-1] = (out[-1][0], end)
    else:
        out.append((start, end))


def find_all(text: str, regions: tuple[str, ...], month_first: bool,
             words: bool = True) -> list[Span]:
    """Every detector's spans, overlapping; phones last, skipping what the
    others already explain. `words`: also people nobody registered, places
    and organisations (the export's; `redact --pii` does not remove them)."""
    windows = digit_windows(text)
    if windows and sum(b - a for a, b in windows) > len(text) // 3:
        windows = [(0, len(text))]   # most of it: one scan each is cheaper than many
    found = find_checked(text, windows)
    ids: list[Span] = []
    postcodes: list[Span] = []
    places: list[Span] = []
    if windows:
        found += find_dates(text, month_first, windows)
        ids = find_ids(text, windows) + idents.find(text, windows)
        found += ids
        found += find_addresses(text, windows) + homes.find(text, windows)
        postcodes = find_postcodes(text, windows) + postal.find(text, windows)
        found += postcodes
        found += find_ssns(text, windows)
    found += find_ages(text, windows) + ageforms.find(text, windows)
    found += find_urls(text) + idents.handles(text) + plates.find(text, windows)
    found += cues.find(text, windows)
    # Dates in words in both modes (they are not PII_KINDS, so `redact --pii`
    # keeps them): a phone number is looked for around the same masked
    # dates either way ("tel: March +1 000 000": the month masked, the
    # phone word is next to the number).
    found += when.find(text, windows)
    if words:
        places = gazetteer.find_gazetteer(text)
        places += orgs.find_orgs(text) + orgs.find_areas(text) + headers.find(text)
        starts = streets.starts_by_word(text, _UNSEEN_WORDS)
        places += unseen.find_orgs(text, starts) + firmforms.find(text)
        # (by their capitals alone, so "Parkinson's disease" is no person;
        # by their context, "daughter Chen's aneurysm" still is)
        places = eponyms.drop_holidays(
            text, people.find_context(text) + eponyms.drop_eponyms(text, places))
        places = locales.drop_words(text, places)
        zips = orgs.zip_after(text, places)
        towns = postal.near_towns(text, places)
        found += places + zips + towns + headers.coordinated(text, places)
        found += shortnames.find(text, places) + firmforms.again_lower(text, places)
        # (a ZIP code after a place is a PLACE: see zip_after)
        postcodes = postcodes + zips + [s for s in places + towns if text[s.start].isdigit()]
    if windows:   # (postcodes in prose: after the towns, before the blocks they end)
        prose = postforms.find(text, windows, postcodes, places)
        found += prose
        postcodes = postcodes + prose
    found += streets.find(text, found + places, starts) if words else streets.find(text, found)
    found += locales.find(text, found)
    if windows:
        found += blocks.find(text, postcodes, places)
        found += idents.affixes(text, ids)
        found += find_phones(text, regions, found)
    return found


_RANK = {kind: i for i, kind in enumerate(PRIORITY)}
_UNSEEN_WORDS = unseen.WORDS | streets.WORDS


def find(text: str, regions: tuple[str, ...] = PHONE_REGIONS) -> list[Span]:
    """What `vault redact --pii` removes: every span of a kind in PII_KINDS
    that `find_all` reports (so everything the anonymized export replaces
    with one of those placeholders), sorted, overlapping spans joined. A
    joined span takes the kind of the one that starts first, then of the
    longest, then PRIORITY's order (an SSN inside a longer card-like run
    stays one span). The word detectors run too, for what they tell the
    others: a postcode or an address found beside a town they name
    ("0000 Springfield, IL", `10115 Berlin`, `Austin (78704)`, the lines
    above `Leeds LS6 2QF`) is one the export replaces; the people, places
    and organisations themselves are not removed."""
    candidates = sorted((s for s in find_all(text, regions, month_first=True)
                         if s.kind in PII_KINDS),
                        key=lambda s: (s.start, -s.end, _RANK[s.kind]))
    out: list[Span] = []
    for s in candidates:
        if out and s.start < out[-1].end:
            if s.end > out[-1].end:
                out[-1] = Span(out[-1].start, s.end, out[-1].kind)
        else:
            out.append(Span(s.start, s.end, s.kind))
    return out
