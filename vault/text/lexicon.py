"""The packaged word lists the anonymizer reads, each on first use (never at
import, so `vault --help` loads none of them): the English dictionary, first
names, surnames, places, drug names and the hand-written ordinary and
clinical vocabulary. Where each list comes from and its licence:
vault/data/GAZETTEERS.md and docs/anonymization.md.

Every list is folded the way `key()` folds a word (lower case, accents
dropped), so a lookup is one set membership test.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache

from ..validate import fold

# Function words and the commonest verbs: never a name or a place, even in
# capitals after a title ("Dr. Said", yes; "Dr said", no) or a relation word.
STOP = frozenset("""
    a an the and or but nor so yet if then than that this these those there here
    of in on at to for with from by about into onto over under after before since
    until till during through between among against without within upon via per
    is am are was were be been being has have had having do does did done doing
    will would shall should can could may might must ought
    i me my mine we us our you your he him his she her hers it its they them their
    who whom whose which what when where why how all any both each every few more
    most other some such no not only own same too very just also again once
    said says say saw seen see sees told tells asked asks called calls came come
    went goes going gone got get gets gave give given took take taken made make
    reports reported states stated notes noted denies denied feels felt thinks
    today tomorrow yesterday now later soon still well back out up down off
    mom dad mum brother sister son daughter wife husband partner friend family
    patient pt client pts clients doctor dr nurse staff team
    """.split())
# Words of grammar that the name lists also hold ("In", "On", "To", "Over"
# are given names or surnames somewhere): never a name, so "In January she
# moved" is no person "In January". Not "An", "So", "Per" or "Till": given
# names and surnames in use ("An Nguyen", "Per Lindqvist").
FUNCTION = frozenset("""
    a the and or but of in on at to for with from by about into onto over under after
    before since until during through between among against without within upon via if as
    """.split())
# Titles before a name, as a regex alternation; each rule that reads a
# title adds its own (eponyms: "Judge", "Rev"; placecues: kin words).
TITLES = "Dr|Mr|Mrs|Ms|Mx|Miss|Prof"
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CALENDAR = frozenset((*MONTHS, *(m[:3] for m in MONTHS), "sept", *WEEKDAYS,
                      *(d[:3] for d in WEEKDAYS), "tues", "thur", "thurs"))


def key(word: str) -> str:
    """A word as the lists hold it: "José's" is "jose"."""
    if word[-2:] in ("'s", "’s", "'S", "’S"):
        word = word[:-2]
    return word.lower() if word.isascii() else fold(word)[0]


def _read(name: str) -> list[str]:
    from importlib import resources
    data = resources.files("vault").joinpath("data/" + name).read_bytes()
    text = (gzip.decompress(data) if name.endswith(".gz") else data).decode("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


@lru_cache(maxsize=1)
def dictionary() -> frozenset[str]:
    """Lower-case English words (SCOWL via Debian's wamerican): no first names
    or surnames, since their capitalised entries are left out."""
    return frozenset(_read("words.txt.gz"))


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    return frozenset(_read("first_names.txt.gz"))


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    return frozenset(_read("surnames.txt.gz"))


# Words of templated phrases that a gazetteer also lists as a town: "Prays
# to God", "Up To Date", "At Time Of Discharge", "Wound Vac", "into Roth IRA"
# name no town.
_NOT_PLACES = frozenset(("god", "date", "time", "vac", "roth"))


@lru_cache(maxsize=1)
def places() -> frozenset[str]:
    """Countries, capitals, US states and counties, cities over 15,000 people
    and towns over 5,000 in English-speaking countries: words joined by one
    space ("salt lake city"). Not the words of _NOT_PLACES."""
    return frozenset(_read("places.txt.gz")) - _NOT_PLACES


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Words that name nobody and nowhere: the hand-written list of headers,
    abbreviations, units and forms, and the names of drugs that are no
    first name ("Camila", "Diane", "Makena" and "Kendrick" are drug brands
    too: a person's name first; the hand-written list may still hold one)."""
    own = (w for line in _read("vocabulary.txt") if not line.startswith("#")
           for w in line.split())
    firsts = first_names()
    drugs = (w for w in _drugs() if w not in firsts)
    return frozenset((*own, *drugs, *CALENDAR, *CLINICAL_NOUNS))


@lru_cache(maxsize=1)
def ordinary() -> frozenset[str]:
    """Every word that is a word: the dictionary and the vocabulary."""
    return dictionary() | vocabulary()


# Clinical words by their endings ("pyelonephritis", "hemiparesis",
# "cholecystectomy"): no list holds them all. Not a name or a place so
# ending: "Arvanitis" and "Bohemia" stay names.
_CLINICAL = re.compile(r"(?:ectomy|otomy|ostomy|oscopy|ography|ogram|plasty|emia|uria|pathy|algia|"
                       r"megaly|penia|cytosis|plegia|paresis|pnoea|pnea|cardia|phagia|arthria|"
                       r"rrhoea|rrhea|rrhage|ptysis|ectasis|centesis|itis|osis|emesis|chezia|"
                       r"esthesia|phoresis|plasia|thyroidism|otension|ology|ologist|ologic|ological|"
                       r"ocephalic|olol|pril|sartan|statin|azole|mycin|cillin|cycline|floxacin|"
                       r"tidine|gliflozin|gliptin|glutide|semide|thiazide|onamide|ysmal|eural|"
                       r"orenal|oscopic|thymic|thymia|ometry|algic)(?:e?s)?\Z")


# Words made of a word: a prefix before one ("noncontributory",
# "intracranial", "preoperative", "unlabored"); "-ional", "-al" for "-e" or
# "-ness" after one ("decisional", "spousal", "tearfulness"). Only for words
# no list holds as a name or a place (asked after that test), and the word
# inside has five letters or more ("re": seven, "repositioned",
# "reaffirmation"). Not "co", "dis" or "over": "Costain", "Dissinger",
# "Overfield" are surnames (of the listed names, 12 would match: "Unthank",
# "Holderness", "Repenning").
_PREFIXES = ("non", "un", "under", "pre", "post", "intra", "inter", "extra", "sub", "supra",
             "trans", "anti", "hyper", "hypo", "peri", "oro", "naso", "retro", "semi", "multi",
             "micro", "pseudo", "poly")


def _derived(k: str) -> bool:
    return k.endswith("al") and (k.endswith("ional") and _american(k[:-2], dictionary())
                                 or len(k) >= 7 and k[:-2] + "e" in dictionary()) \
        or k.endswith("ness") and len(k) >= 9 and is_ordinary(k[:-4]) \
        or any(k.startswith(p) and len(k) - len(p) >= 5 and is_ordinary(k[len(p):])
               for p in _PREFIXES) \
        or k.startswith("re") and len(k) >= 9 and is_ordinary(k[2:])


# (each tried once, anywhere in the word: "organisation" -> "organization")
_BRITISH = (("our", "or"), ("isation", "ization"), ("ise", "ize"), ("ising", "izing"),
            ("yse", "yze"), ("ae", "e"), ("oe", "e"), ("tre", "ter"), ("ence", "ense"),
            ("elled", "eled"), ("elling", "eling"), ("eller", "eler"), ("ogue", "og"),
            ("mme", "m"), ("ll", "l"), ("que", "ck"), ("yre", "ire"))
_INFLECTIONS = (("s", ""), ("es", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
                ("ies", "y"), ("ly", ""))


def _american(k: str, words: frozenset[str]) -> bool:
    """k is a word of the dictionary or an inflection of one."""
    return k in words or any(
        k.endswith(suffix) and len(k) > len(suffix) + 2 and k[:-len(suffix)] + back in words
        for suffix, back in _INFLECTIONS)


def _is_ordinary(k: str) -> bool:
    """k (folded) is a word, or an inflection of one ("hopes", "tried"), a
    clinical word by its ending, or a British spelling of a word."""
    words = ordinary()
    if k in words:
        return True
    if "-" in k:
        return all(is_ordinary(p) or p in _PREFIXES for p in k.split("-") if p)   # "pre-action"
    if _american(k, words):
        return True
    if len(k) < 5 or is_name(k) or k in places():
        return False
    if len(k) >= 7 and _CLINICAL.search(k):
        return True
    if _derived(k):
        return True
    # British spelling: the dictionary is American ("behaviours", "oedema")
    # ("ae" and "oe" before an "i" are no British spelling: "Boeing" is not "being")
    return any(british in k and _american(k.replace(british, american, 1), words)
               and not (british[1] == "e" and len(british) == 2 and "i" == k[
                   k.index(british) + 2:k.index(british) + 3])
               for british, american in _BRITISH)


# Asked of the same words many times a note by most detectors, and a word
# that is none tries eight suffixes: the answers are kept.
is_ordinary = lru_cache(maxsize=100_000)(_is_ordinary)


# Clinical words a note writes in Title Case after "with", "to" or "from"
# ("CXR with Pulmonary Vascular Congestion", "Sister with Breast Cancer"):
# no firm holds them (tenth session).
CLINICAL_NOUNS = frozenset("""
    congestion effusion effusions failure fraction ejection cancer carcinoma infiltrates
    consolidation edema oedema fibrillation flutter pneumonia infection sepsis stenosis
    regurgitation insufficiency hypertension diabetes obesity anemia anaemia dementia
    delirium seizure seizures stroke infarction ischemia embolism thrombosis fracture
    contusion laceration abscess ulcer ulcers nodule nodules mass lesion lesions opacity
    opacities atelectasis pulmonary vascular bilateral pleural cardiac renal hepatic
    exacerbation acute chronic preserved reduced systolic diastolic paroxysmal persistent
    dyspnea orthopnea edema cough fever pain nausea vomiting diarrhea bleeding hemorrhage
    atrial ventricular breast lung prostate ovarian cervical pancreatic colon colorectal
    kidney liver bladder thyroid
    """.split())


@lru_cache(maxsize=1)
def _drugs() -> frozenset[str]:
    """The drug list, read once for both vocabulary() and is_clinical()."""
    return frozenset(_read("drugs.txt.gz"))


def is_clinical(k: str) -> bool:
    """k (folded) is a drug that is no word ("copper", "iron" are), a
    clinical noun of CLINICAL_NOUNS, or a clinical word by its ending, and
    no name."""
    return k in CLINICAL_NOUNS or k in _drugs() and k not in first_names() \
        and k not in dictionary() or (
        len(k) >= 7 and _CLINICAL.search(k) is not None and not is_name(k))


def is_name(k: str) -> bool:
    return k in first_names() or k in surnames()


def is_abbreviation(k: str) -> bool:
    """k (folded) is an abbreviation that names nobody (the vocabulary, and
    the residual-risk report's abbreviations.txt)."""
    return k in vocabulary() or k in report_lists()["abbreviations"]


def beside_a_name(text: str, start: int, end: int) -> bool:
    """Next to a name in capitals that is no word ("JOHN WELLS", "WELLS, JOHN")."""
    left = re.search(r"([A-Z][A-Z'’-]+),?[ \t]+$", text[max(0, start - 30):start])
    right = re.match(r",?[ \t]+([A-Z][A-Z'’-]+)\b", text[end:end + 30])
    first = first_names()
    return any(m and is_name(n := key(m[1])) and (key(text[start:end]) in first or n in first
                                                  or not is_ordinary(n)) for m in (left, right))


@lru_cache(maxsize=1)
def lower_names() -> frozenset[str]:
    """Names and places that are no ordinary word, for finding them in
    lower case ("spokane", "kaminski": the residual-risk report)."""
    words = ordinary()
    single = (w for w in (*first_names(), *surnames(), *places()) if " " not in w and len(w) > 3)
    return frozenset(w for w in single if w not in words and w not in STOP)


@lru_cache(maxsize=1)
def report_lists() -> dict[str, frozenset[str]]:
    """The report's own word lists, from vault/data/: residual_words.txt (heads,
    generic, roles, job, states), abbreviations.txt (abbreviations that name
    nobody) and months_other.txt (month names in other languages that are no
    English one: the date detector shifts those)."""
    from importlib import resources
    out: dict[str, set[str]] = {}
    section = ""
    for name in ("residual_words.txt", "abbreviations.txt", "months_other.txt"):
        text = resources.files("vault").joinpath("data/" + name).read_text(encoding="utf-8")
        for word in (w for line in text.splitlines() if not line.startswith("#")
                     for w in line.split()):
            section = word[1:-1] if word[0] == "[" else section   # "[heads]" starts a list
            out.setdefault(section, set()).add(word)
    out["months"] -= CALENDAR
    return {k: frozenset(v) for k, v in out.items()}
