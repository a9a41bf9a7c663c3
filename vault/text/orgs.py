"""Organisations and places by their form: a run of capitalised words ending
in a head word ("Burnside Clinic", "Nimbus Labs", "Lincoln High", "ST.
BRENDAN'S REGIONAL MEDICAL CENTER"), "University of Oregon", a county or a
district ("Multnomah County", "Pearl District"), a state after a town
("Portland, OR"), a ZIP code after a place. Part of the detectors that the
export and `redact --pii` share; pure functions, no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import addresses, lexicon, orgnames
from .addresses import (areas, cue_starts, find_all_of, regions_and_states,
                        streets_without_number)
from .lexicon import STOP, is_name, is_ordinary, key
from .orgnames import (DIRECTIONS, EXTRA_HEADS, NOT_FIRST, NOT_IN_NAMES, drops_first,
                       ends_a_sentence, of_role)
from .span import Span, has_word

_UP = "A-ZÀ-ÖØ-Þ"
# Heads that end an organisation's name whatever comes before them...
_STRONG = (
    "Hospital|Hospitals|Clinic|Clinics|Medical Center|Medical Centre|Health Center|"
    "Health Centre|Health System|Healthcare|Labs|Lab|Laboratory|Laboratories|Inc|LLC|LLP|"
    "PLLC|Ltd|PLC|GmbH|Corp|Corporation|Church|Centers|Centres|Investments|Dialysis|Residence|Living|Care Home|Nursing Home|Hospice|Pharmacy|University|"
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
    "Collegiate|Coop|Co-op|Cooperative|Choir|Chorus|Orchestra|Memorial|Lutheran|Baptist|Methodist|Presbyterian|Episcopal|Pentecostal|"
    # (a school named for its grade, "Roosevelt Middle"; a club, "Leeds United")
    "Middle|United|Athletic|Rovers|Wanderers|Albion|FC|AFC|"
    # (a shop or a kitchen after its owner: "Rosie's Kitchen", "Henny's Pantry")
    "Kitchen|Pantry|Deli|Bistro|Eatery|Corrections|Drugs|" + EXTRA_HEADS)
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
    "partnership commission authority bureau ministry federation middle united athletic "
    "rovers wanderers albion kitchen pantry living residence investments dialysis centers "
    "centres corrections drugs".split()) | frozenset(EXTRA_HEADS.lower().split("|"))
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
    "legal aid public defender probation parole police fire assisted independent "
    "supported sheltered retirement kidney living".split())
_OF = re.compile(
    rf"(?<![\w])(?:University|College|Hospital|Bank|Church|School|Institute|Academy|Department|"
    rf"Museum|Diocese|Archdiocese|Bureau|Office|Board)[ \t]+of[ \t]+(?:the[ \t]+)?"
    rf"[{_UP}][\w'’.-]*(?:[ \t]+[{_UP}][\w'’.-]*){{0,3}}")
# Words without which a pattern cannot match, looked up in the note's set of
# words (span.letter_runs) before the pattern scans it: lower case...
_OF_WORD = frozenset({"of"})
_OF_CAPITAL = re.compile(rf"of[ \t]+(?:the[ \t]+)?[{_UP}]")   # (a literal first: fast)
_OF_HEADS = frozenset(w.lower() for w in re.findall(r"[A-Z][a-z]+", _OF.pattern.split("of[")[0]))


@lru_cache(maxsize=None)
def vocab(section: str) -> frozenset[str]:
    """One list of vault/data/org_words.txt (general vocabulary: nationalities,
    kinds of workplace, ...), read on first use."""
    out: dict[str, list[str]] = {}
    current = out.setdefault("", [])
    for line in lexicon._read("org_words.txt"):
        if line.startswith("["):
            current = out.setdefault(line.strip("[]"), [])
        elif not line.startswith("#"):
            current += line.split()
    return frozenset(out[section])


def org_before(text: str, m: re.Match[str]) -> Span | None:
    """The organisation that ends with the head word m ("Clinic"), if the
    capitalised words before it name one."""
    head = m.group()
    end = m.end() + (text[m.end():m.end() + 1] == "." and head.lower() in ("inc", "ltd",
                                                                             "corp", "co"))
    after = text[end:end + 1]
    if after and (after.isalnum() or after in "-'’"):
        return None
    start = m.start()
    words: list[str] = []
    starts: list[int] = []
    for _ in range(5):
        before = _BEFORE.search(text, max(0, start - 40), start)
        if before is None:
            break
        word = before.group().strip()
        if ends_a_sentence(word) or word.lower() in NOT_IN_NAMES:
            break   # the end of a sentence ("on RA. Labs"); "TO", "HIS" in capitals
        # (a head word before the head is the name's: "African Services Committee")
        start = before.start()
        words.insert(0, word)
        starts.insert(0, start)
    # Drop leading words that are not part of a name ("at the", "Seen at").
    while words and (words[0].lower() in ("the", "a", "an", "and", "of", "for", "&")
                     or drops_first(text, words, starts, head, _GENERIC, vocab("demonyms"))):
        words.pop(0)
        starts.pop(0)
    if not words or words[-1].lower() in ("the", "and", "of", "for", "a"):
        return None
    keys = [key(w.strip(".,")) for w in words]
    # A nationality with another word before the head names one body
    # ("African Services Committee"); alone it is a kind ("Chinese Restaurant").
    nation = len(keys) > 1 and any(k in vocab("demonyms") for k in keys)
    if all(k in _GENERIC for k in keys) and not nation:
        return None   # "General Hospital", "Family Practice": a kind, not a name
    if head.lower() in _WEAK_HEADS and all(
            is_ordinary(k) and not is_name(k) and k not in lexicon.places() and k not in DIRECTIONS
            for k in keys if k not in _GENERIC and k not in NOT_FIRST) and not nation and not (
            head.lower() in _GRADES and _SCHOOL_BEFORE.search(text, max(0, starts[0] - 20),
                                                              starts[0])):
        return None   # "Very High", "Support Group"; not "Summit High / Pacific Crest Middle"
    if head.isupper() != all(w.isupper() for w in words if w[0].isalpha()) and \
            head.lower() in _WEAK_HEADS:
        return None
    tail = _FOR_TAIL.match(text, end)   # "Lawyers' Committee for Better Housing"
    if tail and (key(tail["first"]) in lexicon.CALENDAR or key(tail["first"]) in lexicon.STOP):
        tail = None   # "Burnside Clinic for Monday visits"
    return Span(starts[0], tail.end() if tail else end, "ORG")


# A school before this one, in a list of schools ("both at Summit High School /
# Pacific Crest Middle"): the next one is a school too, whatever its words.
_GRADES = frozenset("high middle elementary".split())
_SCHOOL_BEFORE = re.compile(r"(?:School|High|Middle|Elementary|Academy)[ \t]*(?:/|,|&|and)[ \t]*\Z")


_FOR_TAIL = re.compile(rf"[ \t]+for[ \t]+(?:the[ \t]+)?(?P<first>[{_UP}][\w'’]*)(?:[ \t]+[{_UP}][\w'’]*){{0,3}}")
# (a first word of at most 61 characters: unbounded, "CA'CA'..." was read to
# its end from each capital after an apostrophe, quadratic)
_X_OF_Y = re.compile(
    rf"[{_UP}](?<![\w][{_UP}])[\w'’]{{1,60}}(?:[ \t]+[{_UP}][\w'’]+){{0,2}}[ \t]+of[ \t]+(?:the[ \t]+)?"
    rf"[{_UP}][\w'’.]*(?:[ \t]+[{_UP}][\w'’]+){{0,2}}")


# "Estate of Mildred Ostrander", "Guardian of ...": a person's, not an organisation
_OF_PERSON = frozenset("estate executor executrix guardian widow heirs".split())


def find_orgs(text: str) -> list[Span]:
    """Organisations named "X of Y", and those only their context names (see
    `named_by_context`); those ending in a head word are found in
    people.find_context's pass over the words."""
    out: list[Span] = named_by_context(text)
    if not has_word(text, _OF_WORD) or not _OF_CAPITAL.search(text):
        return out   # both patterns need "of" before a capital
    for m in _X_OF_Y.finditer(text):
        words = [key(w.strip(".")) for w in m.group().split() if w not in ("of", "the")]
        # "Our Lady of Sorrows", "Friends of Forest Park": some word is no
        # ordinary word, or the name is a known place or person
        if any(not is_ordinary(k) or k in lexicon.places() for k in words[1:]) \
                and words[0] not in lexicon.STOP and words[0] not in lexicon.CALENDAR \
                and words[0] not in _OF_PERSON or m.group().startswith("Our Lady of "):
            out.append(Span(of_role(m), m.end() - m.group().endswith("."), "ORG"))
    if has_word(text, _OF_HEADS):
        out += [Span(m.start(), m.end() - m.group().endswith("."), "ORG")
                for m in _OF.finditer(text)]
    return out


def find_areas(text: str) -> list[Span]:
    """Counties, districts, coves, estates, parks ("Multnomah County", "Pearl
    District"), "Lake Minnetonka", streets without a number, regions and
    states after a town: places by their form (addresses.py)."""
    return (areas(text, _not_areas()) + streets_without_number(text, _GENERIC)
            + [s for s in regions_and_states(text) if not orgnames.a_credential(text, s)])


# (detect and the tests look these up here, where they were before addresses.py)
zip_after, _streets, _STREET_HINT, _STREET_WORDS = (
    addresses.zip_after, addresses._streets, addresses._STREET_HINT, addresses._STREET_WORDS)
_AREA, _AREA_HEADS, _REGIONS, _REGION_WORDS, _STATES, _STATE_AFTER = (
    addresses._AREA, addresses._AREA_HEADS, addresses._REGIONS, addresses._REGION_WORDS,
    addresses._STATES, addresses._STATE_AFTER)


# -- organisations that only their context names (issue 14, fourth session) -------------

# A run of capitalised words, "&" between them allowed: "The Copper Kettle",
# "Thistle & Pine". (Words of 61 characters at most: unbounded, a long word was
# read to its end from each capital in it ("A..A..", a payer) or "ex-" ("ex-A'ex-A'").)
_RUN = rf"[{_UP}][\w'’.&-]{{0,60}}(?:[ \t]+(?:&[ \t]+)?[{_UP}][\w'’.&-]{{0,60}}){{0,4}}"
# Where someone works or is paid from: "employer (The Copper Kettle, ...)",
# "works for Acme", "W-2 from Northwind", "offer letter from Brightline", a
# former employer "(ex-Picnic)".
# (Each alternative is tried only where its first word starts: span.word_starts.)
_EMPLOYER = re.compile(
    r"(?:(?i:employer)(?:s(?![ \t]*,))?|(?i:employed)[ \t]+(?:by|at|with)|"
    r"(?i:works|worked|working|work)[ \t]+(?:at|for|@)|(?i:hired)[ \t]+by|"
    r"(?:W-?2|1099(?:-[A-Z]{2,4})?|K-1|P60|P45)s?[ \t]+from|"
    r"(?i:offer)[ \t]+(?:letter[ \t]+)?from|(?i:job)[ \t]+(?:at|with))"
    rf"[ \t]*(?:[:,(–—-][ \t]*)?(?:(?:is|was)[ \t]+)?(?:(?i:the)[ \t]+)?(?P<run>{_RUN})"
    rf"|(?<![\w-])ex-(?P<ex>{_RUN})"
    # in a note written in lower case: "the offer letter from halcyon",
    # "ok to work tmrw at the kettle" (a word that is no kind of workplace)
    r"|(?:offer[ \t]+(?:letter[ \t]+)?from|employer[ \t]*(?:is|:|-)"
    r"|work(?:s|ed|ing)?(?:[ \t]+(?:tmrw|tomorrow|today|tonight|tmr))?[ \t]+at[ \t]+the)"
    r"[ \t]+(?P<low>[a-z][a-z'’&-]{2,})\b")
_EMPLOYER_WORDS = frozenset("employer employers employed works worked working work hired "
                            "offer job".split())
# A form before "from" ("W-2 from"), looked for only just before each "from".
_FORM_BEFORE = re.compile(r"(?:W-?2|1099(?:-[A-Z]{2,4})?|K-1|P60|P45)s?[ \t]+\Z")
# A post, lodge or local of a body, with its number: "VFW Post 4248",
# "Teamsters Local 117", "Scout Troop 12".
_NUMBER_AFTER = re.compile(r"(?:Post|Lodge|Local|Chapter|Troop|Pack)[ \t]+(?:No\.?[ \t]*|#[ \t]*)?"
                           r"\d{1,5}\b")
# A run of capitalised words that ends where a search ends.
_RUN_BEFORE = re.compile(
    rf"(?<![\w'’.&-])(?P<run>[{_UP}][\w'’.&-]*(?:[ \t]+[{_UP}][\w'’.&-]*){{0,3}})[ \t]+\Z")
_NUMBERED_WORDS = frozenset("post lodge local chapter troop pack".split())
# Two initials joined by "&" before a capitalised word: "H&R Block", "A&W
# Restaurants"; not "A&E Department", "C&P exam".
_AMPERSAND = re.compile(rf"(?<![\w&])[A-Z]{{1,3}}&[A-Z]{{1,3}}(?![\w&])(?P<run>[ \t]+{_RUN})")
# Two capitalised words joined by "&" after a firm's cue in mid-sentence:
# "a role at Thistle & Pine"; one of them a name or no ordinary word (not
# "at Labor & Delivery").
_AMP_CUE = re.compile(
    rf"(?<![^\W\d_])(?:at|with|via|from|for|joined|by|(?i:retained|instructed|engaged))[ \t]+(?:the[ \t]+)?"
    rf"(?P<run>[{_UP}][\w'’]*[ \t]*&[ \t]*[{_UP}][\w'’]*)")
# A payer in a list of income: "Income: Penguin Random House (£14,000)".
_PAYER = re.compile(rf"(?P<run>{_RUN})[ \t]*\([ \t]*[$£€]")


def _firm_words(run: str) -> list[str] | None:
    """The keys of a run's words, or None when they cannot name a firm: a
    date, a stop word or a title first, or only generic words ("HR": an abbreviation)."""
    words = [key(w.strip(".,")) for w in run.replace("&", " ").split()]
    if not words or words[0] in STOP or words[0] in lexicon.CALENDAR \
            or words[0] in vocab("not_a_firm") and words[-1] not in HEADS or all(
            w in _GENERIC or w in lexicon.CALENDAR for w in words) or run.isupper() and all(map(lexicon.is_abbreviation, words)):
        return None
    return words


_SENTENCE_END = re.compile(r"(?:[\w'’]{3,}|(?<![\w.])[A-Z]{2})\.[ \t]")   # (also "HR. ")


def _run_end(run: str) -> int:
    """The length of a run up to a sentence's end ("Nimbus Labs. W-2"),
    without its full stop or a trailing "&"."""
    m = _SENTENCE_END.search(run)
    if m and not run[:m.end()].rstrip().endswith(("Inc.", "Ltd.", "Corp.", "Bros.")):
        run = run[:m.end() - 1]
    n = len(run.rstrip(" \t&"))
    # (not an office of the firm after its name: "Nimbus Labs HR")
    while True:
        last = run[:n].rsplit(None, 1)
        if len(last) < 2 or not last[1].isupper() or not lexicon.is_abbreviation(key(last[1])):
            break
        n = len(last[0].rstrip(" \t&"))
    while n and run[n - 1] in ".,-" and not run[:n].endswith(("Inc.", "Ltd.", "Co.")):
        n -= 1
    return n


def named_by_context(text: str) -> list[Span]:
    """Organisations that only the words around them name: an employer
    ("employer (The Copper Kettle", "works for Acme", "W-2 from Northwind",
    "ex-Picnic"), a numbered post or lodge ("VFW Post 4248"), a name with
    "&" ("H&R Block", "at Thistle & Pine"), a payer in a list of income
    ("Income: Penguin Random House (£14,000)")."""
    out: list[Span] = []
    # (one look-up of the note's words for every rule: where each cue starts)
    starts: list[int] = []
    numbered: list[int] = []
    verbs: list[int] = []
    incomes: list[int] = []
    for i in cue_starts(text, _cue_words()):
        cue = _WORD.match(text, i)
        assert cue is not None   # (a word starts at i)
        word = cue[0].lower()
        if word == "from":
            form = _FORM_BEFORE.search(text, max(0, i - 16), i)
            if form:
                starts.append(form.start())
            continue
        (starts if word in _EMPLOYER_WORDS else numbered if word in _NUMBERED_WORDS
         else incomes if word == "income" else verbs).append(i)
    starts += find_all_of(text, "ex-")
    for m in map(lambda i: _EMPLOYER.match(text, i), sorted(starts)):
        if m:
            g = "run" if m["run"] else "ex" if m["ex"] else "low"
            if g == "low" and (m[g] in vocab("workplaces") or m[g] in HEADS or m[g] in _GENERIC
                               or m[g] in STOP or not _lower_case_sentence(text, m.start())):
                continue
            words = _firm_words(m[g][:_run_end(m[g])])
            if words is None or g == "ex" and words[0] in vocab("demonyms") or (
                    len(words) == 1 and words[0] in lexicon.first_names()
                    and not is_ordinary(words[0])):
                continue   # ("works for Sarah": a person; "ex-Catholic")
            out.append(Span(m.start(g), m.start(g) + _run_end(m[g]), "ORG"))
    for i in numbered:
        m = _NUMBER_AFTER.match(text, i)
        run = _RUN_BEFORE.search(text, max(0, i - 60), i) if m else None
        if m and run and _firm_words(run["run"]) is not None:
            out.append(Span(run.start("run"), m.end(), "ORG"))
    if "&" in text:
        for m in _AMPERSAND.finditer(text):
            first = m[0][:m.start("run") - m.start()]
            words = _firm_words(m["run"])
            if key(first) not in vocab("ampersand") and not lexicon.is_abbreviation(key(first)) \
                    and words is not None and not all(w in lexicon.vocabulary() for w in words):
                out.append(Span(m.start(), m.start("run") + _run_end(m["run"]), "ORG"))
        for m in _AMP_CUE.finditer(text):
            words = _firm_words(m["run"])
            if words is not None and any(is_name(w) or not is_ordinary(w) for w in words):
                out.append(Span(m.start("run"), m.end("run"), "ORG"))
    for i in verbs:
        m = _FIRM_FIRST.search(text, max(0, i - 50), i)
        if m:
            words = _firm_words(m["run"])
            if words is not None and not any(
                    w in vocab("leading_nouns") or w in lexicon.vocabulary() or w in HEADS
                    or lexicon.is_abbreviation(w) for w in words) and not (
                    len(words) == 1 and words[0] in lexicon.first_names()) and (
                    not all(is_ordinary(w) for w in words) or _named_elsewhere(text, m["run"])):
                out.append(Span(m.start("run"), m.end("run"), "ORG"))
    done = -1
    for i in incomes if "(" in text else ():
        begin, end = text.rfind("\n", 0, i) + 1, text.find("\n", i)
        if begin <= done:
            continue   # (the line's payers are in)
        done = begin
        for m in _PAYER.finditer(text, begin, end if end >= 0 else len(text)):
            words = _firm_words(m["run"])
            if words is not None and not any(w in vocab("money_words") for w in words):
                out.append(Span(m.start("run"), m.start("run") + _run_end(m["run"]), "ORG"))
    return out


def _named_elsewhere(text: str, run: str) -> bool:
    """Whether ordinary words ("Loan", "Fidelity") that start a sentence are
    written capitalised in mid-sentence too ("moved the IRA to Fidelity"):
    a proper name, not a noun that starts a sentence ("Loan approved")."""
    return re.search(rf"[^\W\d_][,;]?[ \t]+{re.escape(run)}\b", text) is not None


@lru_cache(maxsize=1)
def _not_areas() -> frozenset[str]:
    return _GENERIC | vocab("not_areas")


@lru_cache(maxsize=1)
def _cue_words() -> frozenset[str]:
    return _EMPLOYER_WORDS | _NUMBERED_WORDS | vocab("firm_verbs") | {"income", "from"}


_WORD = re.compile(r"[^\W\d_]+")
# A firm's name at the start of a sentence, before what a firm does (a verb
# of vocab("firm_verbs")): "Fidelity approved the rollover".
_FIRM_FIRST = re.compile(
    rf"(?:(?<![^\n])|(?<=[.!?][ \t])|(?<=[.!?][ \t]{{2}})|(?<=\n[ \t]))"
    rf"(?P<run>[{_UP}][\w'’&]*(?:[ \t]+[{_UP}][\w'’&]*){{0,2}})[ \t]+\Z")


def _lower_case_sentence(text: str, pos: int) -> bool:
    """The sentence around pos starts in lower case: a note written so."""
    stop = text.rfind(". ", 0, pos)
    begin = max(stop + 2 if stop >= 0 else 0, text.rfind("\n", 0, pos) + 1)
    first = _WORD.search(text, begin, pos + 1)
    return first is not None and first[0][0].islower()
