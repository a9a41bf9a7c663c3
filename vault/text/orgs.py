"""Organisations and places by their form: a run of capitalised words ending
in a head word ("Burnside Clinic", "Nimbus Labs", "Lincoln High", "ST.
BRENDAN'S REGIONAL MEDICAL CENTER"), "University of Oregon", a county or a
district ("Multnomah County", "Pearl District"), a state after a town
("Portland, OR"), a ZIP code after a place. Part of the detectors that the
export and `redact --pii` share; pure functions, no I/O.
"""

from __future__ import annotations

import re

from . import lexicon
from .lexicon import is_name, is_ordinary, key
from .span import Span, has_word

_UP = "A-ZÀ-ÖØ-Þ"
# Heads that end an organisation's name whatever comes before them...
_STRONG = (
    "Hospital|Hospitals|Clinic|Clinics|Medical Center|Medical Centre|Health Center|"
    "Health Centre|Health System|Healthcare|Labs|Lab|Laboratory|Laboratories|Inc|LLC|LLP|"
    "PLLC|Ltd|Corp|Corporation|Church|Care Home|Nursing Home|Hospice|Pharmacy|University|"
    "College|Academy|Elementary|Preschool|Montessori|Daycare|Foundation|Institute|"
    "Cardiology|Oncology|Pediatrics|Paediatrics|Orthopedics|Orthopaedics|Dermatology|"
    "Psychiatry|Neurology|Radiology|Urology|Rehab|Rehabilitation|Associates|Partners|"
    "Ministries|Temple|Mosque|Synagogue|Cathedral|Chapel|YMCA|YWCA|Credit Union|Bank|"
    "Insurance|Realty|Motors|Bakery|Cafe|Café|Restaurant|Diner|Brewery|Dental|Dentistry|"
    "Surgery|Surgical|Family Medicine|Internal Medicine|Medicine|Counseling|Counselling|"
    "Therapy|Wellness|Behavioral Health|Behavioural Health|Mental Health|Law Group|"
    "Law Firm|Law Office|Law Offices|Legal|Accounting|Consulting|Logistics|Technologies|"
    "Solutions|Systems|Industries|Enterprises|Holdings|Group|Agency|Services|Center|Centre|"
    "School|High School|Middle School|High|Practice|Home|Trust|Club|Gym|Market|Store|"
    "Shelter|Mission|Library|Museum|Prison|Jail|Court|Company|Co|Physicians|Manor|Rescue|"
    "Collective|Society|Committee|Express|Depot|Campus|Studio|Studios|Law|Mortgage|Title|"
    "Games|Kitchens|Robotics|Ophthalmology|Care|Health|HealthCare|Hotels|Hotel|Drywall|"
    "Pub|Inn|Tavern|Bar|Grill|Coffee|Roasters|Farms|Foods|Motors|Partnership|Fund|"
    "Capital|Ventures|Media|Press|Publishing|Records|Airlines|Airways|Energy|Power|"
    "Works|Construction|Builders|Roofing|Plumbing|Electric|Landscaping|Cleaning|Salon|"
    "Spa|Fitness|Yoga|Dance|Theatre|Theater|Cinema|Gallery|Union|Council|Authority|"
    "Department|Ministry|Office|Bureau|Board|Commission|Federation|Association|League|"
    "Network|Alliance|Coalition|Initiative|Project|Programme|Program|Fellowship|"
    "Memorial|Lutheran|Baptist|Methodist|Presbyterian|Episcopal|Pentecostal")
# The last word of each head, looked up word by word (people.find_context).
HEADS = frozenset(h.split()[-1].lower() for h in _STRONG.split("|"))
_HEADS_FULL = {h.lower(): h for h in _STRONG.split("|")}
_LEGAL = frozenset("inc llc llp pllc ltd corp co plc".split())
# The words before a head that may belong to the name, read backwards.
_BEFORE = re.compile(rf"(?:[{_UP}][\w'’&.-]*|&|and|of|the|de|for)[ \t]+\Z")
# Heads that are also ordinary adjectives or nouns: need a modifier that is
# not an ordinary word ("Lincoln High", not "Very High").
_WEAK_HEADS = frozenset(
    "group agency services center centre school high practice home trust club gym "
    "market store shelter mission library museum prison jail court company co medicine "
    "therapy wellness counseling counselling legal accounting consulting surgery surgical "
    "dental insurance systems solutions care health press records power works union "
    "council office board department project program programme network title games law "
    "bar grill coffee inn express fund media energy electric fitness dance yoga theatre "
    "theater gallery cinema association league alliance initiative fellowship "
    "partnership commission authority bureau ministry federation".split())
GENERIC = _GENERIC = frozenset(
    "the a an of and for de st st. saint general family private mental health medical "
    "community primary care urgent dental outpatient inpatient public high middle "
    "elementary state county city regional national memorial university behavioral "
    "behavioural psychiatric rehabilitation physical therapy day senior nursing home law "
    "internal emergency children's childrens women's womens veterans va department dept "
    "our your his her their my this that local new old main central north south east "
    "west memory oncology pediatric paediatric cardiology neurology psychiatry surgery "
    "surgical orthopedic orthopaedic urology radiology dermatology maternity obstetric "
    "geriatric hospice sleep pain spine heart cancer eye diabetes fertility women's "
    "well child adult elderly acute critical intensive palliative specialist social "
    "the support home health human resources customer patient student services "
    "legal aid public defender probation parole police fire".split())
_OF = re.compile(
    rf"(?<![\w])(?:University|College|Hospital|Bank|Church|School|Institute|Academy|Department|"
    rf"Museum|Diocese|Archdiocese|Bureau|Office|Board)[ \t]+of[ \t]+(?:the[ \t]+)?"
    rf"[{_UP}][\w'’.-]*(?:[ \t]+[{_UP}][\w'’.-]*){{0,3}}")
_AREA = re.compile(
    rf"[{_UP}](?<![\w][{_UP}])[\w'’.-]*(?:[ \t]+[{_UP}][\w'’.-]*){{0,2}}[ \t]+"
    rf"(?:County|Parish|Borough|District|Township|Heights|Valley|Hills|Springs|Beach|"
    rf"Falls|Village|Estates|Quarter|Neighborhood|Neighbourhood|Reservation|Metro|Island|"
    rf"Heath|Common|Cemetery)\b")
# "Lake Minnetonka", "Mount Tabor", "Fort Collins"
_PREFIXED = re.compile(rf"(?:Lake|Mount|Mt\.?|Fort|Ft\.?|Port|Cape|Isle of)[ \t]+[{_UP}][a-z]+")
# A street named without a number: "Division St", "MLK Blvd", "SE 52nd Ave",
# "Railton Road"; a house name: "Rose Cottage", "The Old Rectory".
_STREET = re.compile(
    rf"(?<![\w])(?=[{_UP}\d])(?:(?:N|S|E|W|NE|NW|SE|SW)[ \t]+)?"
    rf"(?:[{_UP}][a-z]+|\d+(?:st|nd|rd|th)|[{_UP}]{{2,4}})(?:[ \t]+[{_UP}][a-z]+)?[ \t]+"
    rf"(?:Street|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Parkway|Pkwy|Highway|"
    rf"Hwy|Terrace|Crescent|Brow|St)\b\.?"
    rf"|[{_UP}](?<![\w][{_UP}])[a-z]+(?:[ \t]+[{_UP}][a-z]+)?[ \t]+"
    rf"(?:Cottage|Farm|Lodge|Manor|Rectory|Vicarage|Barn|Grange)\b")
_REGIONS = re.compile(
    r"(?<!\w)(?:Pacific Northwest|Midwest|New England|Bay Area|Upstate|Downstate|Deep South|"
    r"Tri-State|Inland Empire|East Bay|South Bay|North Shore|South Shore|Gulf Coast|"
    r"East Coast|West Coast|Lower Mainland|Home Counties|Highlands|Lake District|"
    r"Twin Cities|Silicon Valley|Central Valley|Panhandle)\b")
# "Portland, OR", "Salem, Oregon", "Boise ID 83702": a state after a town.
_STATE_AFTER = re.compile(
    rf"[{_UP}][\w'’.-]*,?[ \t]+(?P<st>AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|"
    rf"LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|"
    rf"VT|VA|WA|WV|WI|WY|DC)\b(?:[ \t,]+(?P<zip>\d{{5}}(?:-\d{{4}})?)\b)?")
_ZIP_AFTER = re.compile(r"[ \t,]+(\d{5}(?:-\d{4})?)\b")
# Words without which a pattern cannot match, looked up in the note's set of
# words (span.letter_runs) before the pattern scans it: lower case...
_OF_WORD = frozenset({"of"})
_OF_CAPITAL = re.compile(rf"of[ \t]+(?:the[ \t]+)?[{_UP}]")   # (a literal first: fast)
_OF_HEADS = frozenset(w.lower() for w in re.findall(r"[A-Z][a-z]+", _OF.pattern.split("of[")[0]))
_AREA_HEADS = frozenset(w.lower() for w in re.findall(r"[A-Z][a-z]+", _AREA.pattern.split("(?:County")[1])
                        ) | {"county"}
# (the last word of each region: "Northwest", "Coast", "Empire")
_REGION_WORDS = frozenset(w.split()[-1].split("-")[-1].lower()
                          for w in _REGIONS.pattern[8:].split(")\\b")[0].split("|"))
# ... and as written.
_STATES = frozenset(_STATE_AFTER.pattern.split("(?P<st>")[1].split(")")[0].split("|"))


def org_before(text: str, m: re.Match[str]) -> Span | None:
    """The organisation that ends with the head word m ("Clinic"), if the
    capitalised words before it name one."""
    head = m.group()
    end = m.end() + (text[m.end():m.end() + 1] == "." and head.lower() in ("inc", "ltd",
                                                                             "corp", "co"))
    after = text[end:end + 1]
    if after and (after.isalnum() or after in "-'’"):
        return None
    start, words, starts = m.start(), [], []
    for _ in range(5):
        before = _BEFORE.search(text, max(0, start - 40), start)
        if before is None:
            break
        word = before.group().strip()
        if word.endswith(".") and len(word) > 3:
            break   # the end of a sentence
        # (a head word before the head belongs to the name: "African Services
        # Committee", "Eastside Counseling Collective", "Thistle & Pine Group")
        start = before.start()
        words.insert(0, word)
        starts.insert(0, start)
    # Drop leading words that are not part of a name ("at the", "Seen at").
    while words and (words[0].lower() in ("the", "a", "an", "and", "of", "for", "&")
                     or (is_ordinary(key(words[0])) and not words[0].isupper()
                         or key(words[0]) in lexicon.vocabulary())
                     and not is_name(key(words[0])) and len(words) > 1
                     and words[0].lower() not in _GENERIC):
        words.pop(0)
        starts.pop(0)
    if not words or words[-1].lower() in ("the", "and", "of", "for", "a"):
        return None
    keys = [key(w.strip(".,")) for w in words]
    if all(k in _GENERIC for k in keys):
        return None   # "General Hospital", "Family Practice": a kind, not a name
    if head.lower() in _WEAK_HEADS and all(
            is_ordinary(k) and not is_name(k) and k not in lexicon.places()
            for k in keys if k not in _GENERIC):
        return None   # "Very High", "Support Group"
    if head.isupper() != all(w.isupper() for w in words if w[0].isalpha()) and \
            head.lower() in _WEAK_HEADS:
        return None
    tail = _FOR_TAIL.match(text, end)   # "Lawyers' Committee for Better Housing"
    if tail and (key(tail["first"]) in lexicon.CALENDAR or key(tail["first"]) in lexicon.STOP):
        tail = None   # "Burnside Clinic for Monday visits"
    return Span(starts[0], tail.end() if tail else end, "ORG")


_FOR_TAIL = re.compile(rf"[ \t]+for[ \t]+(?:the[ \t]+)?(?P<first>[{_UP}][\w'’]*)(?:[ \t]+[{_UP}][\w'’]*){{0,3}}")
_X_OF_Y = re.compile(
    rf"[{_UP}](?<![\w][{_UP}])[\w'’]+(?:[ \t]+[{_UP}][\w'’]+){{0,2}}[ \t]+of[ \t]+(?:the[ \t]+)?"
    rf"[{_UP}][\w'’.]*(?:[ \t]+[{_UP}][\w'’]+){{0,2}}")


# "Estate of Mildred Ostrander", "Guardian of ...": a person's, not an organisation
_OF_PERSON = frozenset("estate executor executrix guardian widow heirs".split())


def find_orgs(text: str) -> list[Span]:
    """Organisations named "X of Y"; those ending in a head word are found in
    people.find_context's pass over the words."""
    out: list[Span] = []
    if not has_word(text, _OF_WORD) or not _OF_CAPITAL.search(text):
        return out   # both patterns need "of" before a capital
    for m in _X_OF_Y.finditer(text):
        words = [key(w.strip(".")) for w in m.group().split() if w not in ("of", "the")]
        # "Our Lady of Sorrows", "Friends of Forest Park": some word is no
        # ordinary word, or the name is a known place or person
        if any(not is_ordinary(k) or k in lexicon.places() for k in words[1:]) \
                and words[0] not in lexicon.STOP and words[0] not in lexicon.CALENDAR \
                and words[0] not in _OF_PERSON or m.group().startswith("Our Lady of "):
            out.append(Span(m.start(), m.end() - m.group().endswith("."), "ORG"))
    if has_word(text, _OF_HEADS):
        out += [Span(m.start(), m.end() - m.group().endswith("."), "ORG")
                for m in _OF.finditer(text)]
    return out


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


def find_areas(text: str) -> list[Span]:
    out = []
    for m in _AREA.finditer(text) if has_word(text, _AREA_HEADS) else ():
        first = m.group().split()[0]
        if first.lower() in ("the", "in", "at", "of", "from") or lexicon.key(first) in lexicon.STOP:
            start = m.start() + len(first) + 1
            while text[start] in " \t":
                start += 1
        else:
            start = m.start()
        if start < m.end() - 6:
            out.append(Span(start, m.end(), "PLACE"))
    if has_word(text, _REGION_WORDS):
        out += [Span(m.start(), m.end(), "PLACE") for m in _REGIONS.finditer(text)]
    out += [Span(m.start(), m.end(), "PLACE") for m in _PREFIXED.finditer(text)]
    for m in _streets(text):
        first = m.group().split()[0]
        if first in ("Dr", "St", "Mr", "Mrs", "Ms") or key(first) in lexicon.STOP and \
                len(m.group().split()) < 3:
            continue
        end = m.end() - (m.group().endswith(".") and not m.group().endswith(("St.", "Rd.",
                                                                              "Ave.")))
        # A place, not an ADDRESS: `redact --pii` removes addresses from
        # the vault, and a street without a number is too weak to destroy.
        out.append(Span(m.start(), end, "PLACE"))
    for m in _STATE_AFTER.finditer(text) if has_word(text, _STATES, lower=False) else ():
        town = key(m.group().split()[0].rstrip(","))
        credential = m["st"] in ("MD", "PA", "MA", "DO") and not m["zip"] and (
            town not in lexicon.places() or is_name(town) and "," not in m.group())
        word = m["st"] in ("IN", "OR", "ME", "OK", "HI") and "," not in m.group()
        if (town in lexicon.places() or m["zip"] or not is_ordinary(town)
                and "," in m.group()) and not credential and not word:
            out.append(Span(m.start("st"), m.end("st"), "PLACE"))
            if m["zip"]:
                out.append(Span(m.start("zip"), m.end("zip"), "PLACE"))   # (see zip_after)
    return out


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
