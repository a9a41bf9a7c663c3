"""Which capitalised words before an organisation's head word belong to its
name (issue 14, ninth session), for `orgs.org_before`: an ordinary word
that is the only one naming the body is kept ("Hillside Pediatric
Associates", "Riverside Care Home", "Evergreen Family Dental": the words
after it are a kind), and before a legal form every capitalised word is
the firm's ("Acme Widgets Inc.", "Koala Freight Pty Ltd"). A verb or an
adverb that starts a sentence stays out ("Continue Physical Therapy").
Pure functions, no I/O but the lists' first read.
"""

from __future__ import annotations

import re

from . import lexicon
from .lexicon import STOP, is_name, is_ordinary, key
from .span import Span

# More heads of the kinds of business, practice and venue a note names
# ("Brackenridge Freight", "Okafor Solicitors", "Lakeside Chiropractic"):
# all also ordinary words, so `orgs` needs a word before them that is not.
EXTRA_HEADS = (
    "Tabernacle|Gurdwara|Nursery|Kindergarten|Polytechnic|Seminary|Orthodontics|Optometry|"
    "Opticians|Chiropractic|Physiotherapy|Homecare|Solicitors|Barristers|Chambers|"
    "Accountants|Advisors|Advisers|Securities|Brokerage|Properties|Lettings|Trucking|"
    "Freight|Haulage|Couriers|Cabs|Staffing|Recruitment|Consultancy|Software|Analytics|"
    "Networks|Productions|Printing|Architects|Manufacturing|Dairy|Brewing|"
    "Winery|Distillery|Pizzeria|Catering|Motel|Resort|Casino|Barbers|Marina|Speedway|"
    "Aquarium|Stadium")
# Compound directions that name an agency before a kind and a weak head
# ("Northwest Family Services", "Southside Community Center"; plain
# "North", "West" are generic: "North Group", "the West Wing").
DIRECTIONS = frozenset("northwest northeast southwest southeast eastside westside northside "
                       "southside midwest midwestern".split())
# Legal forms: whatever capitalised words stand before one name the firm.
LEGAL = frozenset("inc llc llp pllc ltd corp co plc gmbh pty lp".split())
# Words that stand in no organisation's name before its head: the walk back
# from the head stops at one. Only notes in capitals and Title Case reach
# them ("BROUGHT HIM IN FROM HIS HOME", "TRANSFERRED TO 4 WEST ON HOSPITAL
# DAY 2", "PRESENTED TO ST. BRENDAN'S EMERGENCY DEPARTMENT").
NOT_IN_NAMES = frozenset("""to in from on with by at into onto through via his her him their
    was were is are has had presented brought transferred
    admitted discharged seen sent referred attends attended lives lived works worked
    employed son daughter wife husband""".split())


def ends_a_sentence(word: str) -> bool:
    """A word with a full stop that ends a sentence, not an abbreviation
    inside a name ("St.", "ST.", "Mt."): four letters or more, or two
    capitals ("on RA. Labs notable": no "RA Labs")."""
    return word.endswith(".") and (len(word) > 3 or len(word) == 3 and word[:-1].isupper()
                                   and word not in ("ST.", "MT.", "FT."))
# Words that start a sentence or a line of a plan, not a name: what a
# clinician or an adviser does or asks for, and how.
NOT_FIRST = frozenset("""
    continue start started stop stopped resume begin refer referred recommend recommended
    consider discuss discussed discussion plan plans needs need good poor fair new old
    see seen call called attend attends attended attending schedule scheduled arrange
    arranged contact contacted review reviewed request requested complete completed
    declined decline accepted accept offer offered follow ongoing current previous prior
    outpatient inpatient home via per re regarding brief major minor
    morning evening afternoon night area small
    """.split())   # (eleventh session: "Morning Labs Drawn", "Pressure Area Care", "Small Claims Court")
_CLAUSE_START = re.compile(r"(?:\A|[\n.!?;•*]|\n[ \t]*[-–])[ \t]*(?:\([ \t]*)?\Z")


def drops_first(text: str, words: list[str], starts: list[int], head: str,
                generic: frozenset[str], demonyms: frozenset[str]) -> bool:
    """Whether the first of `words` (capitalised, before `head`) is not part
    of the organisation's name."""
    word = words[0]
    k = key(word)
    vocabulary = lexicon.vocabulary()
    if not word.isupper() and (k in NOT_FIRST or len(words) > 1 and words[1] == "of"
                               and is_ordinary(k) and k not in generic):
        return True   # (also a surname: "Start", "Good"; a role: "Tenant of Peabody Trust";
        # alone before the head too: "Brief Hospital Course", "Major Surgical")
    if len(words) < 2 or is_name(k) or word.lower() in generic or k in demonyms or k in DIRECTIONS \
            or not (is_ordinary(k) and not word.isupper() or k in vocabulary):
        return False
    if k in vocabulary or k in STOP or k in lexicon.CALENDAR or k in NOT_FIRST \
            or k.endswith(("ed", "ing", "ly")):
        return True
    if head.lower() in LEGAL:
        return False   # ("Acme Widgets Inc.")
    rest = [key(w.strip(".,")) for w in words[1:]]
    if all(w in generic for w in rest):
        # the only word that names it, unless it starts a sentence or a line
        return _CLAUSE_START.search(text, max(0, starts[0] - 4), starts[0]) is not None
    return True


# A person's name of two or three words before a comma: "Priya Raman, MD".
_PERSON_BEFORE = re.compile(r"([A-Z][\w'’-]+)(?:[ \t]+[A-Z]\.?)?(?:[ \t]+[A-Z][\w'’-]+){1,2},?[ \t]+\Z")


def a_credential(text: str, span) -> bool:
    """"MD", "PA", "MA", "DO" after a person's name ("Priya Raman, MD"),
    not after a town ("Silver Spring, MD"): a credential, not a state."""
    if text[span.start:span.end] not in ("MD", "PA", "MA", "DO"):
        return False
    m = _PERSON_BEFORE.search(text, max(0, span.start - 50), span.start)
    return m is not None and key(m[1]) in lexicon.first_names() \
        and " ".join(key(w) for w in m[0].replace(",", " ").split()) not in lexicon.places()


# Two surnames joined by "&", the first no given name: a firm of partners
# ("Kirkland & Ellis", "Cushman & Wakefield"); not "Tom & Jerry", "A&E".
_PARTNERS = re.compile(r"(?<![\w&])([A-Z][a-z'’]+)[ \t]*&[ \t]*([A-Z][a-z'’]+)(?![\w&])")


def partners(text: str) -> list[Span]:
    out = []
    for m in _PARTNERS.finditer(text):
        a, b = key(m[1]), key(m[2])
        if a in lexicon.surnames() and b in lexicon.surnames() and a not in lexicon.first_names() \
                and not any(k in lexicon.vocabulary() or k in STOP or k in lexicon.CALENDAR
                            or is_ordinary(k) and k not in lexicon.places() for k in (a, b)):
            out.append(Span(m.start(), m.end(), "ORG"))
    return out


# A role of a person in a body, before "of": "Member of SEIU", "Tenant of
# Peabody Trust" (the body is what follows "of").
_ROLES_OF = re.compile(r"(?i:members?|tenants?|residents?|employees?|students?|graduates?|"
                       r"volunteers?|customers?|patients?|clients?|trustees?|directors?|"
                       r"chair|president|head|"
                       # (and the officers of a firm: "CFO of Harrowfield", "GM of the
                       # Nimbus plant", "co-founder of Plinth"; eleventh session)
                       r"ceo|cfo|coo|cto|cio|cmo|cpo|chro|vp|svp|evp|avp|gm|md|"
                       r"(?:co-?)?founders?|owners?|partners?|managers?|principal|dean|"
                       r"chairman|chairwoman|chairperson|treasurer|secretary|"
                       r"superintendent|governors?|officers?)[ \t]+of[ \t]+(?:the[ \t]+)?")


def of_role(m: re.Match[str]) -> int:
    """Where the organisation of an "X of Y" match starts: after a role."""
    role = _ROLES_OF.match(m.string, m.start())
    return role.end() if role else m.start()
