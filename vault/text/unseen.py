"""Organisations and addresses in forms of writing the other detectors did
not read (issue 14, eighth session): a saint's name with a possessive ("St.
V's"), a head word abbreviated ("Riverside Med. Ctr.", "Lansing Comm.
Coll.", "Dept. of Corrections"), a co-op ("Brambleford Co-op"), a school
named in lower case ("hillcrest elementary"), an initialism after a verb
that hires, refers or pays ("referred by KVHC"); a street corner ("corner
of 5th and Pine"), an Indian cross or main road ("14th Cross"), an
Australian state before its postcode ("Fitzroy VIC 3065") and a
postcode of four digits after the town of an address ("48 Whitmore Rd,
Ponsonby, Auckland 1011"). Each pattern runs only when a literal it needs
is in the note. Pure functions, no I/O.
"""

from __future__ import annotations

import re

from . import lexicon
from .lexicon import STOP, is_name, is_ordinary, key
from .orgs import GENERIC
from .span import Span

_UP = "A-ZÀ-ÖØ-Þ"

# -- organisations ---------------------------------------------------------------------

# "St. V's", "St Agatha's", "Saint Brigid's"; not "St John's wort", "St
# Patrick's Day".
_SAINT = re.compile(
    rf"(?<![\w.])(?:St|Saint|Ste)\.?[ \t]+[{_UP}][\w-]*['’]s\b"
    r"(?![ \t]+(?i:wort|day|eve|night|fire|disease|dance|island)\b)")
# Abbreviated heads and the abbreviated words that may stand before them.
_ABBR_HEADS = "Hosp|Ctr|Cntr|Assoc|Assn|Coll|Univ|Inst|Dept|Acad|Bros|Mfg|Intl|Hlth|Svcs"
_ABBR_HEAD = re.compile(rf"(?<![\w.])(?:{_ABBR_HEADS})\.(?=[\s,;)]|\Z)|"
                        rf"(?<![\w.])(?:Hosp|Ctr|Assoc|Coll|Univ)(?=[ \t]*[,;)\n]|[ \t]+[a-z])")
_ABBR_WORDS = frozenset(
    "med comm cmty mem reg gen natl nat fam cty ment hlth ctr hosp co st mt ft pt "
    "sch coll univ inst assoc dept intl".split())
# "Dept. of Corrections", "Univ. of Otago", "Assoc. of Retired Nurses".
_ABBR_OF = re.compile(
    rf"(?<![\w.])(?:Dept|Univ|Assoc|Inst|Coll|Hosp)\.?[ \t]+of[ \t]+(?:the[ \t]+)?"
    rf"[{_UP}][\w'’-]*(?:[ \t]+(?:&[ \t]+|and[ \t]+)?[{_UP}][\w'’-]*){{0,3}}")
_WORD_BEFORE = re.compile(rf"(?:(?P<w>[{_UP}][\w'’-]*\.?)|(?P<amp>&))[ \t]+\Z")
_CO_OP = re.compile(r"(?<![\w-])(?:Co-op|Co-Op|CO-OP|Coop)\b")
# A school named in lower case: "hillcrest elementary", "oakmere primary".
_LOW_SCHOOL = re.compile(
    r"(?<![\w'’-])(?P<run>[a-z][a-z'’-]{2,}(?:[ \t]+[a-z][a-z'’-]{2,})?)[ \t]+"
    r"(?:elementary|middle|primary|high|academy|montessori|preschool|prep)"
    r"(?:[ \t]+school)?\b")
_SCHOOL_WORDS = ("elementary", "middle", "primary", "high", "academy", "montessori",
                 "preschool", "prep")
# An initialism after a verb of hiring, referring, paying or running:
# "referred by KVHC", "funded by OHCF" (not a known abbreviation: "seen by ENT").
_BY_ACRONYM = re.compile(
    r"\b(?i:referred|employed|hired|funded|sponsored|owned|run|insured|represented|"
    r"contracted|placed|supported|managed|audited|sued|dismissed|fired)[ \t]+by[ \t]+"
    r"(?:the[ \t]+)?(?P<a>[A-Z][A-Z&]{1,6})\b(?![-'’]\w)")


def _name_start(text: str, end: int) -> int | None:
    """Where the capitalised words of a name that ends at `end` begin (up to
    four, abbreviations such as "Med." and "&" among them), leading ordinary
    words dropped ("PCP at Greyfield Family Hosp."); None if there are none."""
    starts: list[tuple[int, str]] = []
    pos = end
    for _ in range(4):
        m = _WORD_BEFORE.search(text, max(0, pos - 30), pos)
        if m is None:
            break
        word = m["w"] or "&"
        if word.endswith(".") and key(word[:-1]) not in _ABBR_WORDS:
            break   # the end of a sentence
        starts.insert(0, (m.start(), word))
        pos = m.start()
    # (a capitalised word before the name that is a stop word or a word of
    # the trade: "The", "PCP", "Patient")
    while starts and (starts[0][1] == "&" or key(starts[0][1].rstrip(".")) in STOP or (
            key(starts[0][1]) in lexicon.vocabulary() and key(starts[0][1]) not in _ABBR_WORDS
            and key(starts[0][1]) not in _GENERIC_FIRST and len(starts) > 1)):
        starts.pop(0)
    if not starts or all(key(w.rstrip(".")) in _ABBR_WORDS or key(w) in _GENERIC_FIRST
                         or key(w) in GENERIC for _, w in starts):
        return None   # ("Emergency Dept.", "Family Hosp.": a kind, not a name)
    return starts[0][0]


# Words that may begin a name though they are ordinary ("Family", "Mercy").
_GENERIC_FIRST = frozenset("family general community mercy memorial regional county state "
                           "city children's st saint mount".split())


# Work named by what is done there: "drives for Lyft", "delivers for Ocado",
# "shifts at Kroger"; a firm in lower case after "works at (the)": "the walmart
# in town" (a word no dictionary has; "works at the mill" stays).
_WORK_FOR = re.compile(
    r"\b(?i:drives|drove|driving|delivers|delivered|delivering|shifts|interns|interned|"
    r"temps|temped|cleans|cleaned|stocks|volunteer(?:s|ed|ing)?)[ \t]+(?:at|for|with)[ \t]+"
    rf"(?:the[ \t]+)?(?P<run>[{_UP}][\w'’&-]*(?:[ \t]+[{_UP}][\w'’&-]*){{0,2}})")
_WORK_LOW = re.compile(
    r"\b(?i:works|worked|working|work|job|shifts|employed|cashier|clerk|manager|student|"
    r"(?P<study>studies|studying|studied|enrolled|treated)|(?P<bank>banks|banked|banking))[ \t]+"
    r"(?P<prep>at|for|with)[ \t]+(?:the[ \t]+)?(?:local[ \t]+)?(?P<w>[a-z][a-z'’&-]{2,})\b")
_WORK_WORDS = ("work", "Work", "job", "shift", "rive", "deliver", "intern", "temp", "clean",
               "stock", "olunteer", "cashier", "clerk", "manager", "employed", "student",
               "stud", "enrolled", "treated", "bank", "Bank")


def _work_places(text: str) -> list[Span]:
    from .orgs import HEADS, _firm_words, _run_end, vocab
    out: list[Span] = []
    for m in _WORK_FOR.finditer(text):
        words = _firm_words(m["run"])
        if words is not None and not (len(words) == 1 and words[0] in lexicon.first_names()
                                      and is_ordinary(words[0])):
            out.append(Span(m.start("run"), m.start("run") + _run_end(m["run"]), "ORG"))
    for m in _WORK_LOW.finditer(text):
        k = key(m["w"])
        if m["study"] and m["prep"] != "at":
            continue   # ("treated for urosepsis")
        if (not is_ordinary(k) or m["bank"]) and k not in STOP and k not in lexicon.vocabulary() \
                and k not in vocab("workplaces") and k not in HEADS \
                and not lexicon.is_abbreviation(k):
            out.append(Span(m.start("w"), m.end("w"), "ORG"))
    return out


# Initials joined by "&" after a firm's cue: "previously with AT&T", "at B&Q".
_AMP_INITIALS = re.compile(r"\b(?:at|with|for|from|by|joined|ex-)[ \t]+(?P<a>[A-Z]{1,3}&[A-Z]{1,3})"
                           r"(?![\w&])")
# A name after the kind of place it is, set off by a comma: "her aunt's
# cafe, The Salted Fig", "the practice, Quenby Dental".
_APPOSED = re.compile(
    r"\b(?:cafe|café|restaurant|bakery|shop|store|pub|bar|salon|charity|church|gym|nursery|"
    r"daycare|practice|firm|agency|business|company|employer|school|college|shelter|"
    r"boutique|bistro|deli|brewery|studio|clinic)[ \t]*,[ \t]+(?P<run>(?P<the>The[ \t]+)?"
    rf"[{_UP}][\w'’-]*(?:[ \t]+(?:&[ \t]+)?[{_UP}][\w'’-]*){{0,3}})")


def _apposed(text: str) -> list[Span]:
    from .orgs import _firm_words
    out: list[Span] = []
    for m in _APPOSED.finditer(text):
        run = m["run"][len(m["the"] or ""):]
        words = _firm_words(run)
        if words is None or any(w in lexicon.vocabulary() or w in lexicon.CALENDAR
                                for w in words):
            continue
        if len(words) == 1 and is_name(words[0]) and not m["the"]:
            continue   # ("the clinic, Maria said": a person)
        if m["the"] or any(not is_ordinary(w) for w in words):
            out.append(Span(m.start("run"), m.end("run"), "ORG"))
    return out


def find_orgs(text: str) -> list[Span]:
    out: list[Span] = []
    if "&" in text:
        from .orgs import vocab
        out += [Span(m.start("a"), m.end("a"), "ORG") for m in _AMP_INITIALS.finditer(text)
                if m["a"].lower() not in vocab("ampersand")]
    if ", " in text:
        out += _apposed(text)
    if any(w in text for w in _WORK_WORDS):
        out += _work_places(text)
    if "St" in text or "Saint" in text:
        out += [Span(m.start(), m.end(), "ORG") for m in _SAINT.finditer(text)]
    if "." in text or "Hosp" in text or "Ctr" in text or "Assoc" in text:
        for m in _ABBR_HEAD.finditer(text):
            start = _name_start(text, m.start())
            if start is not None:
                out.append(Span(start, m.end(), "ORG"))
        if "of" in text:
            for m in _ABBR_OF.finditer(text):
                out.append(Span(_name_start(text, m.start()) or m.start(), m.end(), "ORG"))
    if "o-op" in text or "Coop" in text or "O-OP" in text:
        for m in _CO_OP.finditer(text):
            start = _name_start(text, m.start())
            if start is not None:
                out.append(Span(start, m.end(), "ORG"))
    if any(w in text for w in _SCHOOL_WORDS):
        for m in _LOW_SCHOOL.finditer(text):
            words = m["run"].split()
            k = key(words[0])
            if all(not is_ordinary(key(w)) and key(w) not in STOP
                   and key(w) not in lexicon.vocabulary() for w in words):
                out.append(Span(m.start(), m.end(), "ORG"))
            elif len(words) == 2 and not is_ordinary(key(words[1])) and k in ("the", "at"):
                out.append(Span(m.start() + len(words[0]) + 1, m.end(), "ORG"))
    if " by " in text:
        for m in _BY_ACRONYM.finditer(text):
            k = key(m["a"])
            if len(m["a"]) >= 3 and not lexicon.is_abbreviation(k) and not is_ordinary(k) \
                    and k not in lexicon.vocabulary():
                out.append(Span(m.start("a"), m.end("a"), "ORG"))
    return out


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
_UK_ROAD = re.compile(r"\b(?:off|on|along|near|by|past|up|down|from|to)[ \t]+the[ \t]+"
                      r"(?P<a>[AM]\d{1,4}(?:\([MT]\))?)(?![\w-])")
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
# An Australian state and its postcode: "Fitzroy VIC 3065", "NSW 2038".
_AU_STATE = re.compile(r"(?<![\w-])(?P<s>VIC|NSW|QLD|TAS|ACT|NT|SA|WA|Vic|Qld|Tas)"
                       r"[ \t]+(?P<p>\d{4})(?![\w/.,:-]?\d)")
_AU_WORD_STATES = frozenset({"ACT", "SA", "WA", "NT", "Vic", "Tas"})
_AU_WORDS = ("VIC", "NSW", "QLD", "TAS", "ACT ", "NT ", "SA ", "WA ", "Vic ", "Qld ", "Tas ")
# A Canadian province after a town: "Montréal QC", "Kelowna, BC" (not ON or
# NL, also words).
_PROVINCE = re.compile(r",?[ \t]+(?P<p>QC|BC|AB|MB|SK|NS|NB|PE|YT|NU)\b(?![-/'’.]?\w)")
# A postcode of four digits after the town of an address on the same line.
_TOWN_CODE = re.compile(rf"[{_UP}][\w'’-]+[ \t]+(?P<p>\d{{4}})(?![\w/:%-]|[.,]\d)")


def _ordinary_pair(a: str) -> bool:
    """Both sides of a corner are words that name no street ("corner of
    fear and doubt")."""
    words = re.split(r"[ \t]+(?:and|&)[ \t]+", a)
    return all(not w[0].isdigit() and not w[0].isupper() for w in words)


# A numbered road named as a place: "lives off Route 9", "on Hwy 12".
_ROUTE = re.compile(r"\b(?:off|on|along|near|by|past)[ \t]+(?:the[ \t]+)?(?:old[ \t]+)?"
                    r"(?P<a>(?:Old[ \t]+)?(?:Route|Rte\.?|Highway|Hwy\.?|State[ \t]+Route|"
                    r"County[ \t]+(?:Road|Rd\.?)|Farm[ \t]+Road|FM)[ \t]+\d{1,4}[A-Z]?)\b")
# India's plots, houses and sectors: "Plot 45, Sector 21", "H.No. 12-3-456".
_PLOT = re.compile(r"\b(?:Plot|H\.[ \t]?No|House[ \t]+No|Door[ \t]+No)\.?[ \t]*(?:No\.?[ \t]*)?"
                   r"\d[\d/-]*[A-Z]?\b(?:,[ \t]*(?:Sector|Phase|Block|Street)[ \t]+\d{1,3}[A-Z]?\b)?"
                   r"|\bSector[ \t]+\d{1,3}[A-Z]?(?=,[ \t]*(?P<town>[A-Z][a-z]+))")
# A Dutch postcode after an address: "Van Baerlestraat 14-2, 1071 AZ Amsterdam".
_NL_CODE = re.compile(r",?[ \t]+(?P<p>[1-9]\d{3}[ \t]?[A-Z]{2})(?=[ \t]+[A-Z][a-z])")
# The particles of a street's name before the word that ends like a street
# ("Van Baerlestraat", "Prins Hendrikkade", "Am Kupfergraben").
_PARTICLES = re.compile(r"(?:(?:Van|De|Den|Der|Sint|Prins|Prinses|Koningin|Nieuwe|Oude|"
                        r"Am|An|Auf|Alte|Neue|Unter|Ober)[ \t]+)+\Z")


def find_addresses(text: str, found: list[Span]) -> list[Span]:
    out: list[Span] = []
    if "Route" in text or "Rte" in text or "Hwy" in text or "Highway" in text \
            or "County R" in text or "Farm Road" in text or "FM " in text:
        out += [Span(m.start("a"), m.end("a"), "ADDRESS") for m in _ROUTE.finditer(text)]
    if "Plot" in text or "Sector" in text or "No" in text and (
            "H." in text or "House No" in text or "Door No" in text):
        out += [Span(m.start(), m.end(), "ADDRESS") for m in _PLOT.finditer(text)
                if not m["town"] or key(m["town"]) in lexicon.places()]
    if "between" in text:
        out += [Span(m.start("a"), m.end("a"), "ADDRESS") for m in _BETWEEN.finditer(text)]
    if "the A" in text or "the M" in text:
        out += [Span(m.start("a"), m.end("a"), "ADDRESS") for m in _UK_ROAD.finditer(text)]
    if any(w in text for w in ("Via ", "Viale", "Corso", "Piazza", "Calle", "Avenida", "Paseo",
                               "Carrer", "Rua ", "Travessa", "Largo")):
        out += [Span(m.start(), m.end(), "ADDRESS") for m in _SOUTH.finditer(text)]
    if "orner" in text:
        out += [Span(m.start("a"), m.end("a"), "ADDRESS") for m in _CORNER.finditer(text)
                if not _ordinary_pair(m["a"])]
    if "Cross" in text or "Main" in text:
        out += [Span(m.start(), m.end(), "ADDRESS") for m in _CROSS.finditer(text)]
    for m in _AU_STATE.finditer(text) if any(w in text for w in _AU_WORDS) else ():
        if m["s"] in _AU_WORD_STATES and m["p"][:2] in ("19", "20"):
            continue   # "ACT 2024", "SA 2019": a year (their postcodes are not)
        out += [Span(m.start("s"), m.end("s"), "PLACE"), Span(m.start("p"), m.end("p"),
                                                               "POSTCODE")]
    for s in found if "QC" in text or "BC" in text or "AB" in text or "MB" in text \
            or "SK" in text or "NS" in text or "NB" in text or "PE" in text else ():
        if s.kind == "PLACE" or s.kind == "ORG" and " " not in text[s.start:s.end]:
            # (one word taken for a firm: a town the gazetteer lacks, "Kelowna")
            m = _PROVINCE.match(text, s.end)
            if m:
                out.append(Span(m.start("p"), m.end("p"), "PLACE"))
    addresses = [s for s in found if s.kind == "ADDRESS"]
    for s in addresses:
        line_end = text.find("\n", s.end)
        line_end = len(text) if line_end < 0 else line_end
        particles = _PARTICLES.search(text, max(0, s.start - 30), s.start)
        if particles:
            out.append(Span(particles.start(), s.end, "ADDRESS"))
        nl = _NL_CODE.match(text, s.end)
        if nl:
            out.append(Span(nl.start("p"), nl.end("p"), "POSTCODE"))
        for m in _TOWN_CODE.finditer(text, s.end, min(line_end, s.end + 60)):
            town = key(m[0].split()[0])
            if (text[m.start() - 2:m.start()] in (", ", ",\t") or m.start() == s.end + 2) \
                    and town not in lexicon.CALENDAR and (
                        town in lexicon.places() or not is_ordinary(town)):
                out.append(Span(m.start("p"), m.end("p"), "POSTCODE"))
    return out
