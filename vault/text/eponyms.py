"""Names that name a disease, a sign, a test or a method, not a person:
"Parkinson's disease", "Romberg sign", "Whipple procedure", "Glasgow Coma
Scale", "Maslow's hierarchy", "Gottman method". Clinical, therapy and
coaching notes are full of them, and the name and place lists know every
one, so without this the export wrote "[PERSON]'s disease". Pure, no I/O.

A person, place or organisation found by its capitals alone is dropped when
the word right after it (or its own last word) is one of HEADS, the nouns
an eponym stands before. What stands after a title stays a person ("Dr.
Whipple"), and so does every registered client (`names`, which this never
sees). The eponyms that usually stand alone ("Romberg negative", "Phalen
and Tinel positive") are words of the vocabulary (vault/data/vocabulary.txt).

Holidays are named after people and places too ("Canada Day", "Saint
Patrick's Day", "Easter Monday", "the August Bank Holiday"): `drop_holidays`
drops what lies inside one (eleventh session).
"""

from __future__ import annotations

import re

from . import lexicon
from .lexicon import key
from .span import Span

# The nouns an eponym stands before. Not "case", "chart", "file", "family",
# "hearing", "house" or "account": "the Jones chart" is a person's; nor "plan" or "IRA",
# which follow a firm ("Aetna plan", "Vanguard IRA").
HEADS = frozenset("""
    disease diseases syndrome syndromes sign signs test tests maneuver maneuvers manoeuvre
    manoeuvres procedure procedures operation phenomenon palsy lymphoma sarcoma catheter
    triad scale scales score criteria position method technique hierarchy stages stage
    effect matrix principle window curve anomaly contracture fracture cyst esophagus
    oesophagus thyroiditis encephalopathy diverticulum kyphosis gait respirations breathing
    pattern virus reflex reflexes dementia disorder ulcer dystrophy ataxia chorea neuralgia
    neuroma hernia aneurysm fundoplication acuity delusion inventory questionnaire
    classification equation formula tremor tumor tumour cell cells bodies nodes node lesion
    repair bypass theory model approach questioning rights warnings warning
    material violation motion standard typology exercise exercises dilemma
    paradox pyramid triangle cycle loop sequence
    """.split())
# Heads that a person's possessive stands before too ("Maria's test",
# "Henderson's motion", "Mom's dementia"): eponyms only without one.
_NOT_AFTER_POSSESSIVE = frozenset("""
    test tests score scale scales criteria position method technique approach model theory
    exercise exercises motion rights warning warnings material violation standard disorder ulcer tumor tumour tremor gait breathing respirations acuity
    questionnaire inventory repair bypass operation pattern cycle loop sequence questioning
    """.split())
# "Parkinson's disease", "Graves' disease", "Crohn disease"; "Kernig and
# Brudzinski signs" (the first of two before one head)
_HEAD_AFTER = re.compile(r"(['’]s?)?[ \t]+(?:(?:and|or|&)[ \t]+[A-Z][\w'’-]*[ \t]+)?"
                         r"([A-Za-z]+)\b")
_TITLE_BEFORE = re.compile(
    rf"(?:\b(?:{lexicon.TITLES}|Sir|Dame|Judge|Officer|Rev)\.?|\b(?:DR|MR|MRS|MS))[ \t]+\Z")
_CAPITALS_AFTER = re.compile(r"(?:[ \t]+[A-Z][a-z]+){2,4}\b")
# "type" is a head only before a number or a code ("Mobitz type II", "Myers-Briggs type ENFP")
_TYPE_AFTER = re.compile(r"[ \t]+type[ \t]+(?:[0-9IVX]|[A-Z]{2,4}\b)")


def _titled(text: str, start: int) -> bool:
    return _TITLE_BEFORE.search(text, max(0, start - 8), start) is not None


def is_eponym(text: str, span: Span) -> bool:
    """text[span] stands before one of HEADS, or ends in one (a person's or
    a place's: "Smith Family Law" is a firm), and no title stands before
    it. After a possessive, the head is one no person's possessive takes,
    and the word is no first name ("Addison's disease" stays replaced:
    Addison is a girl's name)."""
    return _before_a_head(text, span) and not _titled(text, span.start)


def _before_a_head(text: str, span: Span) -> bool:
    after = text[span.end:span.end + 1]
    if after == " " or after == "\t" or after == "'" or after == "’":
        m = _HEAD_AFTER.match(text, span.end)
        if m is not None and (head := m[2].lower()) in HEADS:
            if span.kind == "ORG" and head in _NOT_AFTER_POSSESSIVE:
                return False   # ("Quest test results", "the Kaiser approach": a firm's)
            if not m[1]:
                return True
            last = text[span.start:span.end].rsplit(None, 1)[-1]
            return head not in _NOT_AFTER_POSSESSIVE and key(last) not in lexicon.first_names()
    if span.kind == "ORG":
        return False
    words = text[span.start:span.end].rsplit(None, 1)
    if len(words) == 2 and words[1].lower() in HEADS:
        return True
    if after != " ":
        return False
    if text[span.end + 1:span.end + 2].isupper() and (
            run := _CAPITALS_AFTER.match(text, span.end)) is not None:
        # ("Edinburgh Postnatal Depression Scale": ordinary words, then a head)
        *middle, last = run.group().split()
        if last.lower() in HEADS and all(lexicon.is_ordinary(key(w)) for w in middle):
            return True
    return text.startswith("type", span.end + 1) and _TYPE_AFTER.match(text, span.end) is not None


def drop_eponyms(text: str, spans: list[Span]) -> list[Span]:
    """spans (people, places and organisations found by their capitals)
    without the eponyms."""
    return [s for s in spans if not is_eponym(text, s)]


_SAINT = r"(?:St\.?|Saint)[ \t]+(?:Patrick|George|Andrew|David|Brigid|Stephen|Valentine|John)['’]?s?"
_DAY_OF = (r"(?:Martin[ \t]+Luther[ \t]+King(?:,?[ \t]+Jr\.?)?|MLK|Presidents['’]?|Washington['’]?s|"
           r"Columbus|Indigenous[ \t]+Peoples['’]?|Veterans['’]?|Memorial|Labou?r|Independence|"
           r"Republic|Canada|Victoria|Australia|Anzac|ANZAC|Waitangi|Boxing|Remembrance|"
           r"Armistice|Family|Heritage|Emancipation|Juneteenth|Thanksgiving|Mother['’]?s|"
           r"Father['’]?s|Valentine['’]?s|Election|Patriots['’]?|Cesar[ \t]+Chavez|May|Pancake|"
           + _SAINT + ")")
# The holidays of the countries whose notes this reads: a person's or a
# place's name in one names no one ("Off on Victoria Day", "Closed for
# Easter Monday"). A month in one is still a date ("August Bank Holiday").
_HOLIDAYS = re.compile(
    rf"\b(?:{_DAY_OF}[ \t]+Day|(?:Easter|Whit)[ \t]+(?:Monday|Sunday)|Shrove[ \t]+Tuesday|"
    r"Burns[ \t]+Night|Guy[ \t]+Fawkes(?:[ \t]+Night)?|(?:Gandhi|Ambedkar)[ \t]+Jayanti|"
    r"(?:(?:Easter|Christmas|Spring|Summer|August|May|June|October)[ \t]+)?Bank[ \t]+Holiday"
    r"(?:[ \t]+(?:Monday|Weekend))?|Civic[ \t]+Holiday|(?:King|Queen|Sovereign)['’]s[ \t]+Birthday)\b")
_HOLIDAY_HINT = re.compile(r"Day\b|Holiday|Monday|Sunday|Tuesday|Night|Fawkes|Jayanti|Birthday")


def drop_holidays(text: str, spans: list[Span]) -> list[Span]:
    """spans without the people, places and organisations inside a holiday's
    name; what a title stands before stays ("Dr. Victoria Day")."""
    if not spans or _HOLIDAY_HINT.search(text) is None:
        return spans
    holidays = [(m.start(), m.end()) for m in _HOLIDAYS.finditer(text)]
    if not holidays:
        return spans
    return [s for s in spans if s.kind not in ("PERSON", "ORG", "PLACE")
            or not any(a <= s.start and s.end <= b for a, b in holidays)
            or _titled(text, s.start)]
