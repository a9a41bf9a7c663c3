"""URLs, street addresses and postcodes: part of the one detector set in
`detect` (which re-exports find_urls, find_addresses and find_postcodes).
Street numbers and postcodes start at a run of digits and are tried only
there (span.starts_at_digits); unit and PO box forms only where their
words start. Pure functions, no I/O.
"""

from __future__ import annotations

import re

from . import lexicon
from .span import (Span, Windows, at_starts, has_word, letter_runs, scan, starts_at_digits,
                   starts_at_words, word_starts)

_UP = "A-ZÀ-ÖØ-Þ"   # a capital letter, in a character class

# -- URLs, addresses, postcodes ------------------------------------------------------

_TLD = (r"(?:com|org|net|edu|gov|io|co|uk|us|de|fr|nl|au|ca|ie|in|info|biz|me|app|health|"
        r"so|ai|dev|ly|gg|tv|xyz|site|online|shop|page|link|nz|ch|dk)")
_URL = re.compile(
    r"(?i)\b(?:https?://|www\.)[^\s<>\"']+"
    # a label never ends with "-" ("b-.ly" is no domain); 63 characters and 30
    # labels at most ("a-a-a-...", unbounded, was read to its end from each "a")
    r"|\b[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?){0,30}\." + _TLD
    + r"\b(?:/[^\s<>\"']*)?")
_URL_TAIL = ".,;:!?)]}'\""

_STREET_TYPE = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|"
    r"Place|Pl|Terrace|Ter|Way|Close|Crescent|Cres|Square|Sq|Parkway|Pkwy|Highway|"
    r"Hwy|Circle|Cir|Trail|Row|Gardens|Grove|Mews|Hill|Walk|Parade|Alley|Plaza|"
    # (issue 14: more of the UK's and the US's street types)
    r"Brow|Rise|Wynd|Gate|Green|Vale|View|Wharf|Quay|Causeway|Loop|Pike|Ridge|Crossing|"
    r"Bend)\b\.?")
# Two patterns, each starting with a character class (see checked._SSN).
_ADDRESS_NUMBER_FIRST = re.compile(
    # "221B Baker Street", "1600 Pennsylvania Ave NW", "350 5th Ave"
    # ("3/27 Bondi Rd": a unit and a number; "4410 S Cedar Ave #12": a unit after)
    r"\d(?<!\w\d)\d{0,5}[A-Z]?(?:[-/]\d{1,4})?,?\s+(?:"
    r"(?:(?:[A-Z][\w'’.-]*|\d+(?:st|nd|rd|th))\s+){1,4}" + _STREET_TYPE
    + r"(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?(?P<unit_after>[ \t]*#[ \t]?\d{1,5}[A-Z]?\b)?"
    # "1120 NE Alberta": a quadrant and a street's name, its type left out
    r"|(?<=\d\d\d[ ])(?:NE|NW|SE|SW)\s+(?P<quadrant>[A-Z][a-z]+)\b"
    # "12 rue de la Paix"
    r"|(?:(?:bis|ter),?\s+)?(?:rue|Rue|avenue|boulevard|bd|place|chemin|allée|impasse|quai)"
    r"\s+(?:(?:de|du|des|la|le|l'|d')\s*)*[A-ZÉ][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)")
_ADDRESS_WORD_FIRST = re.compile(
    r"[A-ZÄÖÜafsp](?<!\w[A-ZÄÖÜafsp])(?:"
    # "Hauptstraße 12", "Keizersgracht 123"
    # ("Van Baerlestraat 14-2", "Karl-Marx-Allee 90a")
    # (a name of at most 48 characters: unbounded, "A11-A11-..." was quadratic)
    r"[\wäöüß-]{0,48}(?i:straße|strasse|str\.|weg|allee|platz|gasse|gracht|laan|plein|straat|kade|"
    r"singel|dijk|damm|ufer|steeg)\s+\d{1,4}(?:[a-z]|-\d{1,3})?\b"
    # "Apt 4B", "Suite 200": the word is checked in code ("ate 2" is no address)
    r"|(?P<unit>pt|partment|uite|te|lat|nit|PT|PARTMENT|UITE|TE|LAT|NIT)\.?\s*#?\s*\d+[A-Za-z]?\b"
    # "PO Box 123"
    r"|(?P<box>\.?\s?[Oo]\.?\s?[Bb][Oo][Xx])\s+\d+\b)")
# Where each starts (span.starts_at_digits): at most six digits, then a
# capital, "-", "," or a space.
starts_at_digits(_ADDRESS_NUMBER_FIRST,
                 lambda n, after: n <= 6 and (after.isspace() or after in (",", "-", "/")
                                              or "A" <= after <= "Z"))
_UNIT_WORDS = frozenset({"apt", "apartment", "suite", "Apt", "Apartment", "Suite", "Ste",
                         "Flat", "Unit", "APT", "APARTMENT", "SUITE", "STE", "FLAT", "UNIT"})
_US_STATES = frozenset((
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC").split())
_AU_STATES = frozenset("NSW VIC QLD SA WA TAS NT ACT".split())
# Each alternative starts with a character class, which lets re skip ahead
# cheaply; "\b" is written as a lookbehind after the first character.
_POSTCODES = (
    re.compile(
        r"[A-Z](?<!\w[A-Z])(?:"
        r"(?<=Z)IP(?:\s*[Cc]ode)?\s*[:#]?\s*(?P<zip2>\d{5}(?:-\d{4})?)\b"
        # "NY 10001", "CA 90210-1234", "NSW 2000": the state is checked in code
        r"|(?P<st>(?<=[A-Z])[A-Z][A-Z]?),?\s+(?P<zip>\d{5}(?:-\d{4})?|\d{4})\b"
        # UK: "NW1 6XE", "SW1A 1AA"; Canada: "K1A 0B1"
        r"|(?P<uk>[A-Z]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b"
        r"|(?<=[ABCEGHJ-NPRSTVXY])(?P<ca>\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d)\b)"),
    re.compile(r"[Zz](?<!\w[Zz])ip(?:\s*code)?\s*[:#]?\s*(?P<zip2>\d{5}(?:-\d{4})?)\b"),
    re.compile(
        r"\d(?<!\w\d)(?:(?P<zip4>\d{4}-\d{4})\b"
        # "75002 Paris", "10115 Berlin" after a comma, as in an address line
        r"|(?<=, \d)(?P<eu>\d{3,4})(?=\s+[A-ZÄÖÜ][a-zäöüßéèê]+))"),
)

starts_at_words(_POSTCODES[1], frozenset({"zip", "zipcode"}))
starts_at_digits(_POSTCODES[2], lambda n, after: n == 5 and after == "-"
                 or n in (4, 5) and after.isspace())


_URL_HINT = re.compile(r"\." + _TLD + r"\b")   # a literal first: re finds "." fast
_SPACE = re.compile(r"\s")


def _url_windows(text: str) -> Windows:
    """From the whitespace before each hint of a URL to the whitespace after."""
    hints = [m.start() for m in _URL_HINT.finditer(text)]
    for literal in ("://", "www."):
        at = text.find(literal)
        while at >= 0:
            hints.append(at)
            at = text.find(literal, at + 4)
    out: Windows = []
    for hint in sorted(hints):
        if out and hint < out[-1][1]:
            continue
        # (not back into the window before: after "\r" each began at 0, quadratic)
        lo = out[-1][1] if out else 0
        start = max(lo, max(text.rfind(c, lo, hint) for c in " \n\t") + 1)
        after = _SPACE.search(text, hint)
        out.append((start, after.start() if after else len(text)))
    return out


def find_urls(text: str) -> list[Span]:
    out = []
    for m in scan(_URL, text, _url_windows(text)):
        url = m.group().rstrip(_URL_TAIL)
        if url:
            out.append(Span(m.start(), m.start() + len(url), "URL"))
    return out


# What may follow a street address on its line: ", Springfield 62704",
# ", Springfield, IL 62704", ", Springfield IL". A city alone is not taken
# (", Monday" is no town), only with a ZIP code or a state after it.
_ADDRESS_TAIL = re.compile(
    r",?\s+(?:[A-Z][a-z'’.-]+\s+){0,2}[A-Z][a-z'’.-]+,?\s+"
    r"(?:(?P<st>[A-Z]{2})\b(?:,?\s+\d{5}(?:-\d{4})?\b)?|\d{5}(?:-\d{4})?\b)")


# The street words of _ADDRESS_WORD_FIRST ("Hauptstrasse 12" ends a word
# with one), and the words its unit and PO box forms start with: a capital
# (or a, f, s, p) and a unit's tail ("Apt", "Suite"; "Ate" is dropped
# later), or the first letters of "P.O. Box", "PO Box", "POBox".
_STREET_ENDS = ("strasse", "str", "weg", "allee", "platz", "gasse", "gracht", "laan", "plein",
                "straat", "kade", "singel", "dijk", "damm", "ufer", "steeg")
_UNIT_OR_BOX = frozenset(
    [c + tail for c in "abcdefghijklmnopqrstuvwxyz"
     for tail in ("pt", "partment", "uite", "te", "lat", "nit")]
    + [c + tail for c in "abcdefghijklmnopqrstuvwxyz" for tail in ("", "o", "obox")])


def _word_first(text: str, windows: Windows) -> list[re.Match[str]]:
    """_ADDRESS_WORD_FIRST's matches: when no word of the note ends like a
    street, only its unit and box forms can match, and only where one of
    their words starts."""
    runs = letter_runs(text)
    if runs is None or any(word.endswith(_STREET_ENDS) for word in runs[1]):
        return scan(_ADDRESS_WORD_FIRST, text, windows)
    starts = word_starts(text, _UNIT_OR_BOX)
    if starts is None:
        return scan(_ADDRESS_WORD_FIRST, text, windows)
    return at_starts(_ADDRESS_WORD_FIRST, text, windows, starts)


_SLASH_DOCTOR = re.compile(r"\bDr\b\.?\Z")


def _not_a_unit(text: str, m: re.Match[str]) -> bool:
    """Whether "a/b" before a street is a date before a doctor or a blood
    pressure rather than a unit and a house number ("3/27 Bondi Rd")."""
    a, b = re.match(r"\d+", m[0])[0], re.search(r"/(\d+)", m[0])[1]
    return bool(_SLASH_DOCTOR.search(m[0]) or len(a) > 3 or int(a) >= 40 and int(b) >= 30
                or not _UNIT_BEFORE.search(text, max(0, m.start() - 12), m.start()))


# What stands before a unit and a number: the start of a line, a label, "at".
_UNIT_BEFORE = re.compile(r"(?:^|[:\n(]|\bat|\b(?i:address|addr|unit|flat|villa|shop))[ \t]*\Z")


def find_addresses(text: str, windows: Windows) -> list[Span]:
    out = []
    for m in scan(_ADDRESS_NUMBER_FIRST, text, windows):
        if m["quadrant"] and lexicon.is_ordinary(lexicon.key(m["quadrant"])):
            continue   # "120 SE Asian patients"
        if "/" in m[0].split(None, 1)[0] and _not_a_unit(text, m):
            continue   # "3/12 Saw Dr Lee": a date and a doctor; "BP 120/80"
        end = m.end()
        tail = _ADDRESS_TAIL.match(text, end)
        if tail and (not tail["st"] or tail["st"] in _US_STATES):
            end = tail.end()
        out.append(Span(m.start(), end, "ADDRESS"))
    for m in _word_first(text, windows):
        if m["unit"] and m[0][0] + m["unit"] not in _UNIT_WORDS:
            continue
        if m["box"] and m[0][0] not in "Pp":
            continue
        out.append(Span(m.start(), m.end(), "ADDRESS"))
    return out


def find_postcodes(text: str, windows: Windows) -> list[Span]:
    out = []
    for rx in _POSTCODES:
        for m in scan(rx, text, windows):
            groups = m.groupdict()
            if groups.get("zip"):
                if m[0][0] + m["st"] in (_US_STATES if len(m["zip"]) > 4 else _AU_STATES) and not (
                        m["zip"][:2] in ("18", "19", "20") and m[0][0] + m["st"] == "ACT"):
                    # (no ACT postcode is a year: "the Care ACT 2024" is a law)
                    out.append(Span(m.start("zip"), m.end("zip"), "POSTCODE"))
            elif groups.get("zip2"):
                out.append(Span(m.start("zip2"), m.end("zip2"), "POSTCODE"))
            else:
                # UK, Canadian, ZIP+4 and European codes start at the match.
                out.append(Span(m.start(), m.end(), "POSTCODE"))
    return out


# -- where cue words stand (for the rules of orgs.py) ---------------------------------

def cue_starts(text: str, words: frozenset[str]) -> list[int]:
    """Where one of `words` (lower case) starts, in any case (span.word_starts;
    in a text that is not ASCII, in a copy with "?" for each other
    character, which keeps every offset), not inside a longer word."""
    found = word_starts(text, words)
    if found is None:
        found = [i for i in word_starts(text.encode("ascii", "replace").decode("ascii"), words)
                 or () if not (i and text[i - 1].isalnum())]
    return found


def find_all_of(text: str, needle: str) -> list[int]:
    """Every place where needle stands in text."""
    out = []
    at = text.find(needle)
    while at >= 0:
        out.append(at)
        at = text.find(needle, at + 1)
    return out


# -- areas (for orgs.find_areas) ------------------------------------------------------

_AREA = re.compile(
    # (a full stop only after an initial or "St": "St. Johns County", not
    # across two sentences, "Kingsmead Estate. Real Estate")
    # (words of at most 60 characters: unbounded, "O'éAA-O'éAA-..." was quadratic)
    rf"[{_UP}](?<![\w][{_UP}])(?:[a-z]?\.|[\w'’-]{{0,60}})(?:[ \t]+[{_UP}](?:[a-z]?\.|[\w'’-]{{0,60}})){{0,2}}"
    rf"[ \t]+(?:County|Parish|Borough|District|Township|Heights|Valley|Hills|Springs|Beach|"
    rf"Falls|Village|Estates|Quarter|Neighborhood|Neighbourhood|Reservation|Metro|Island|"
    rf"Heath|Common|Cemetery|Cove|Harbor|Harbour|Estate|Park|Plaza|Building|Tower|Towers)\b")
# "Lake Minnetonka", "Mount Tabor", "Fort Collins"
_PREFIXED = re.compile(rf"(?:Lake|Mount|Mt\.?|Fort|Ft\.?|Port|Cape|Isle of)[ \t]+[{_UP}][a-z]+")
# Its heads as written (the pattern wants them capitalised), and in lower case.
_AREA_WRITTEN = frozenset(re.findall(r"[A-Z][a-z]+", _AREA.pattern.split("(?:County")[1])
                          ) | {"County"}
_AREA_HEADS = frozenset(w.lower() for w in _AREA_WRITTEN)
# Heads of an area or a building that are a kind with a generic word before
# them: "Real Estate", "Car Park", "Office Building", "Water Tower".
_BARE_HEADS = ("Estate", "Park", "Plaza", "Building", "Tower", "Towers")


def areas(text: str, generic: frozenset[str]) -> list[Span]:
    """Counties, districts and the like ("Multnomah County", "Bay Cove",
    "Kingsmead Estate"; not "Real Estate": `generic` words before Estate,
    Park, ... make a kind) and "Lake Minnetonka", as places."""
    out = []
    for m in _AREA.finditer(text) if has_word(text, _AREA_WRITTEN, lower=False) else ():
        first = m.group().split()[0]
        if first.lower() in ("the", "in", "at", "of", "from") or lexicon.key(first) in lexicon.STOP:
            start = m.start() + len(first) + 1
            while text[start] in " \t":
                start += 1
        else:
            start = m.start()
        if start < m.end() - 6 and not (m.group().endswith(_BARE_HEADS) and all(
                lexicon.key(w) in generic for w in text[start:m.end()].split()[:-1])):
            out.append(Span(start, m.end(), "PLACE"))
    out += [Span(m.start(), m.end(), "PLACE") for m in _PREFIXED.finditer(text)]
    return out


# -- streets without a number (for orgs.find_areas) ----------------------------------

# A street named without a number: "Division St", "MLK Blvd", "SE 52nd Ave",
# "Railton Road"; a house name: "Rose Cottage", "The Old Rectory".
_STREET = re.compile(
    rf"(?<![\w])(?=[{_UP}\d])(?:(?:N|S|E|W|NE|NW|SE|SW)[ \t]+)?"
    rf"(?:[{_UP}][a-z]+|\d+(?:st|nd|rd|th)|[{_UP}]{{2,4}})(?:[ \t]+[{_UP}][a-z]+)?[ \t]+"
    rf"(?:Street|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Parkway|Pkwy|Highway|"
    rf"Hwy|Terrace|Crescent|Brow|St)\b\.?"
    rf"|[{_UP}](?<![\w][{_UP}])[a-z]+(?:[ \t]+[{_UP}][a-z]+)?[ \t]+"
    rf"(?:Cottage|Farm|Lodge|Manor|Rectory|Vicarage|Barn|Grange)\b")

# A street type or house word after a space: where _STREET may end.
_STREET_HINT = re.compile(
    r" (?:Street|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Parkway|Pkwy|Highway|Hwy|"
    r"Terrace|Crescent|Brow|St|Cottage|Farm|Lodge|Manor|Rectory|Vicarage|Barn|Grange)\b")


# The street types _STREET_HINT looks for, as written.
_STREET_WORDS = frozenset(_STREET_HINT.pattern[4:].split(")\\b")[0].split("|"))


def _streets(text: str) -> list[re.Match[str]]:
    """_STREET's matches, looked for only just before a street type."""
    out: list[re.Match[str]] = []
    for hint in _STREET_HINT.finditer(text) if has_word(text, _STREET_WORDS, lower=False) else ():
        if out and hint.start() < out[-1].end():
            continue
        m = None
        for m in _STREET.finditer(text, max(0, hint.start() - 30), hint.end() + 1):
            if m.end() >= hint.end():
                break
        if m is not None and m.end() >= hint.end():
            out.append(m)
    return out


# A street named without a number after "on", "off", "along": "the old mill
# on Carr Walk", "a flat off Laurel Way"; the types _STREET leaves out
# because alone they are common words ("Walk", "Way", "Hill", "Green").
_ON_STREET = re.compile(
    rf"(?<![^\W\d_])(?:on|off|along|onto|in)[ \t]+(?P<st>[{_UP}][a-z]+(?:[ \t]+[{_UP}][a-z]+)?"
    r"[ \t]+(?:Walk|Way|Close|Row|Mews|Gardens|Grove|Place|Court|Square|Parade|Trail|Circle|"
    r"Alley|Rise|Wynd|Gate|Green|Vale|View|Wharf|Quay|Causeway|Loop|Pike|Ridge|Crossing|"
    r"Bend|Ct|Pl|Cir|Sq))\b")
_ON_STREET_WORDS = frozenset(_ON_STREET.pattern.split("(?:Walk|")[1].split(")")[0].split("|")
                             ) | {"Walk"}


def streets_without_number(text: str, generic: frozenset[str]) -> list[Span]:
    """Streets named without a number ("Division St", "Railton Road", "on
    Carr Walk") and house names ("Rose Cottage"), as places: `redact --pii`
    removes addresses from the vault, and a street without a number is too
    weak to destroy. `generic`: words that make no street's name ("on
    Main Way" stays a place; "on General Way" is not one)."""
    out = []
    for m in _ON_STREET.finditer(text) if has_word(text, _ON_STREET_WORDS, lower=False) else ():
        first = lexicon.key(m["st"].split()[0])
        if first not in lexicon.STOP and first not in lexicon.CALENDAR and first not in generic:
            out.append(Span(m.start("st"), m.end("st"), "PLACE"))
    for m in _streets(text):
        first = m.group().split()[0]
        if first in ("Dr", "St", "Mr", "Mrs", "Ms") or lexicon.key(first) in lexicon.STOP and \
                len(m.group().split()) < 3:
            continue
        end = m.end() - (m.group().endswith(".") and not m.group().endswith(("St.", "Rd.",
                                                                              "Ave.")))
        out.append(Span(m.start(), end, "PLACE"))
    return out


# -- regions and states (for orgs.find_areas) ------------------------------------------

_REGIONS = re.compile(
    r"(?<!\w)(?:Pacific Northwest|Midwest|New England|Bay Area|Upstate|Downstate|Deep South|"
    r"Tri-State|Inland Empire|East Bay|South Bay|North Shore|South Shore|Gulf Coast|"
    r"East Coast|West Coast|Lower Mainland|Home Counties|Highlands|Lake District|"
    r"Twin Cities|Silicon Valley|Central Valley|Panhandle)\b")
# "Portland, OR", "Salem, Oregon", "Boise ID 83702": a state after a town.
_STATE_AFTER = re.compile(
    rf"[{_UP}][\w'’.-]{{0,60}},?[ \t]+(?P<st>AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|"
    rf"LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|"
    rf"VT|VA|WA|WV|WI|WY|DC)\b(?:[ \t,]+(?P<zip>\d{{5}}(?:-\d{{4}})?)\b)?")
# (the last word of each region: "Northwest", "Coast", "Empire")
_REGION_WORDS = frozenset(w.split()[-1].split("-")[-1].lower()
                          for w in _REGIONS.pattern[8:].split(")\\b")[0].split("|"))
# (the states as written)
_STATES = frozenset(_STATE_AFTER.pattern.split("(?P<st>")[1].split(")")[0].split("|"))


def regions_and_states(text: str) -> list[Span]:
    """Regions ("Pacific Northwest") and a US state after a town ("Portland,
    OR", "Boise ID 83702"; not "Kessler, MD"), as places."""
    out = []
    if has_word(text, _REGION_WORDS):
        out += [Span(m.start(), m.end(), "PLACE") for m in _REGIONS.finditer(text)]
    for m in _STATE_AFTER.finditer(text) if has_word(text, _STATES, lower=False) else ():
        town = lexicon.key(m.group().split()[0].rstrip(","))
        credential = m["st"] in ("MD", "PA", "MA", "DO") and not m["zip"] and (
            town not in lexicon.places() or lexicon.is_name(town) and "," not in m.group())
        word = m["st"] in ("IN", "OR", "ME", "OK", "HI") and "," not in m.group()
        if (town in lexicon.places() or m["zip"] or not lexicon.is_ordinary(town)
                and "," in m.group()) and not credential and not word:
            out.append(Span(m.start("st"), m.end("st"), "PLACE"))
            if m["zip"]:
                out.append(Span(m.start("zip"), m.end("zip"), "PLACE"))   # (see zip_after)
    return out


_ZIP_AFTER = re.compile(r"[ \t,]+(\d{5}(?:-\d{4})?)\b")


def zip_after(text: str, spans: list[Span]) -> list[Span]:
    """A ZIP code right after a place ("Beaverton 97005", "Portland, 97239")."""
    out = []
    for s in spans:
        if s.kind == "PLACE":
            m = _ZIP_AFTER.match(text, s.end)
            if m:
                # PLACE, not POSTCODE: found only by the export's word
                # detectors, and --pii removes every POSTCODE they report
                out.append(Span(m.start(1), m.end(1), "PLACE"))
    return out
