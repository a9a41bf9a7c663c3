"""Three rules of the residual-risk report for words whose place, not their
spelling, says what they are (for `residual.candidates`):

- a word where an organisation stands, after a verb of being treated,
  working, studying or banking and its preposition ("checking at RBC",
  "treated at mayo", "employed by acme"): an abbreviation the vocabulary
  knows as a term (RBC, red blood cells) or a lower-case word the name and
  place lists know, which the detectors leave because the word alone is
  ordinary;
- a month in lower case standing alone ("born (feb)", "oct was hard"),
  which the date detectors leave without a day, a year or a cue beside it
  (after "since", "in" or "next" they shift it: "since oct" is written
  back as another month, not listed).

- an ordinary word that starts a sentence before what a firm does or
  has ("Nimbus offered him severance", "Lantern's EAP covers six
  sessions", "Kestrel layoffs hit"): a firm named by an ordinary word, which
  the detectors leave where no rule found it first (tenth session).

Each is listed, not replaced: the reviewer decides. Pure functions, no I/O
but the word lists' first read."""

from __future__ import annotations

import re

from . import lexicon
from .span import has_word

_FIRM_CUE = re.compile(
    r"\b(?i:(?:treated|seen|checking|savings|banks?|works?|worked|working|volunteers?|"
    r"volunteered|enrolled|studies|studied|attends|attended|account|accounts)[ \t]+at"
    r"|(?:banks?|banking|insured|accounts?)[ \t]+with|insured[ \t]+(?:through|by)"
    r"|admitted[ \t]+to|employed[ \t]+by|joined)[ \t]+([A-Za-z][A-Za-z&'’-]*)")
_CUE_WORDS = frozenset("treated seen checking savings bank banks banking work works worked "
                       "working employed volunteer volunteers volunteered enrolled studies "
                       "studied attends attended admitted insured account accounts "
                       "joined".split())
# Places in a hospital or a programme of care, which stand after "seen at"
# and "admitted to" and name no one.
_VENUES = frozenset("ed er icu ccu nicu picu micu sicu pacu or pt ot iop php pcp ltc snf alf "
                    "ip op ome ent gi ob gyn rehab hospice home school work church court".split())
# The months a note writes in lower case as months: not "may" and "march"
# (verbs, with "mar"), nor "dec" ("decreased").
_MONTH_WORDS = frozenset(w for m in lexicon.MONTHS if m not in ("march", "may")
                         for w in (m, m[:3]) if w != "dec") | {"sep", "sept"}
# (not after the words before which the date detectors shift a month alone:
# "since oct" is written back as another month, which names nothing)
_MONTHS = re.compile(
    r"(?<![\w'’-])(?<!since )(?<!in )(?<!last )(?<!next )(?<!until )(?<!from )(?<!by )"
    r"(?<!early )(?<!mid )(?<!late )(?<!of )(?<!before )(?<!after )(?<!through )"
    "(" + "|".join(sorted(_MONTH_WORDS, key=lambda w: (-len(w), w))) + r")(?![\w'’-])")


# What a firm does or has, after its name at the start of a sentence.
_FIRM_NEXT = frozenset("""acquired announced approved audited credited debited denied deposited
    flagged foreclosed froze garnished hired issued laid quoted refunded rehired reimbursed
    reissued repossessed rescinded restructured terminated underwrote wired withheld offered
    cut fired promoted closed merged downsized relocated sent hr eap layoffs badge
    employees recruiter severance headquarters""".split())
_FIRST_WORD = re.compile(
    r"(?:(?<![^\n])|(?<=[.!?;][ \t])|(?<=[.!?;][ \t]{2}))(?P<w>[A-Z][a-z]{2,40})(?:['’]s)?[ \t]+"
    r"(?P<next>[A-Za-z]{2,16})(?![\w-])")
# Words that start a sentence before those and name no firm: who else acts.
_NOT_FIRST = frozenset("""management company corporate payroll finance billing leadership
    hr admin staff everyone someone nobody insurance bank school clinic hospital employer
    court county city state police union board government agency office work job""".split())


def _first_words(text: str, names: frozenset[str] | set[str]) -> list[tuple[int, int, str]]:
    out = []
    for m in _FIRST_WORD.finditer(text):
        k = lexicon.key(m["w"])
        if m["next"].lower() not in _FIRM_NEXT or k in names or k in lexicon.STOP \
                or k in _NOT_FIRST or k in lexicon.vocabulary() or not lexicon.is_ordinary(k) \
                or k in lexicon.CALENDAR or lexicon.is_name(k):
            continue   # (a word in no list is listed already, as is a first name)
        out.append((m.start("w"), m.end("w"), "an ordinary word where a firm stands"))
    return out


def find(text: str, names: frozenset[str] | set[str]) -> list[tuple[int, int, str]]:
    """(start, end, why) of each word the three rules list."""
    out = _first_words(text, names) if has_word(text, _FIRM_NEXT) else []
    if has_word(text, _CUE_WORDS):
        for m in _FIRM_CUE.finditer(text):
            word = m[1].rstrip("'’-.")
            k = lexicon.key(word)
            if k in _VENUES or k in lexicon.STOP or k in names or len(k) < 2:
                continue
            known_term = word.isupper() and len(word) <= 5 and lexicon.is_abbreviation(k)
            lower_name = word.islower() and (lexicon.is_name(k) or k in lexicon.places()
                                             or not lexicon.is_ordinary(k))
            if known_term or lower_name:
                out.append((m.start(1), m.start(1) + len(word), "a word where a firm stands"))
    if has_word(text, _MONTH_WORDS):
        # (not beside a day, "oct 11", "11 oct": a date the export shifted)
        out += [(m.start(1), m.end(1), "a month in lower case") for m in _MONTHS.finditer(text)
                if not text[m.end():m.end() + 3].lstrip(" \t")[:1].isdigit()
                and not text[max(0, m.start() - 3):m.start()].rstrip(" \t")[-1:].isdigit()]
    return out
