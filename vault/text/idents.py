"""Identifiers by their form: a token of five characters or more that mixes
letters and digits (an MRN glued to its prefix, a VIN, a plate, a device
serial, a health-plan id, a user id), unless it is a measurement ("200MG"),
a known form or code ("1099-MISC", "COVID-19", "HbA1c") or a lower-case hex
string (a hash or a token, which identifies no one); and the number after a
record word (MRN, chart, record, pager, ext, account, policy, plan, VIN,
plate...), spaces and all ("MRN 0048 2291", "SSN 123 45 6789" is `checked`'s).
Part of the detectors the export and `redact --pii` share; pure, no I/O.
"""

from __future__ import annotations

import re

from . import lexicon
from .span import Span, Windows, scan

_TOKEN = re.compile(
    r"[A-Za-z0-9](?<![\w@./#$€£+-][A-Za-z0-9])[A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(?![\w@]|[./]\w)")
_UNITS = frozenset(
    "mg mcg ug g kg ml l dl lb lbs oz cm mm km m mi ft in hr hrs h min mins sec s ms x "
    "k mo mos wk wks yr yrs y yo d am pm st nd rd th iu u units mmhg bpm kcal cal gb mb "
    "tb kb hz khz mhz ghz mmol meq ng pg mgs tabs tab caps cap puffs gtt cc mph kph "
    "pcs pts am pm a p sq ct w v mah".split())
_PHONE_EXT = re.compile(r"[\d-]+(?:x|ext)\d{1,6}", re.I)   # "415-555-0142x123": a phone's
_HEX = re.compile(r"[0-9a-f]+(?:-[0-9a-f]+)*")
_KEYWORDS = r"""
    mrn medical\s+record chart record pager pgr beeper bleep ext extension plan group grp
    subscriber member serial s/n sn device vin plate license\s+plate tag badge employee
    emp user(?:name)? user\s+id login routing ein tin itin npi dea medicaid medicare acct
    a/c account policy patient pt unit\s+no bed mr dl driver'?s\s+licen[cs]e licen[cs]e
    passport claim case docket file invoice ref reference ticket matter id ending
    sort\s+code nhs\s+no nhs\s+number nino ni\s+number utr""".split()
_KEYWORD = re.compile(
    r"\b(?P<kw>(?i:" + "|".join(sorted(_KEYWORDS, key=len, reverse=True)) + r"))"
    r"\b\.?(?:[ \t]*(?i:no\b\.?|number|num\b\.?|nbr|#|id\b))?[ \t]*[:#]?[ \t]*"
    # "00123456", "A12-3456", "SP 0029 4412", "0048 2291", "001.022417"
    r"(?P<v>(?:[A-Z]{1,3}[ ](?=\d))?(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]*"
    r"(?:\.\d+)*(?:[ ](?=\d)\d+(?:-\d+)*){0,3})"
    r"(?![\w@]|[./]\w)")
_PHONE_WORDS = frozenset({"pager", "pgr", "beeper", "bleep", "ext", "extension"})
_FIXED = frozenset(
    "covid19 covid-19 sars-cov-2 h1n1 hba1c a1c sglt2 sglt2i glp1 glp-1 dpp4 dpp-4 "
    "phq-9 phq9 phq-2 gad-7 gad7 pcl-5 pcl5 sf-36 sf36 dsm-5 dsm5 dsm-iv icd-10 icd10 "
    "icd-9 t2dm t1dm nt-probnp mp3 mp4 w-2 w-4 w-9 i-9 1099-misc 1099-nec 1099-k 1099-int "
    "1099-div 1099-r 1099-b 1099-g 1099-sa 1040-es 1040-sr 1040-x 1040x 1120s 1120-s "
    "k-1 401k 403b 457b 529s 5500-sf 990-ez 990ez c-ptsd k-12 y2k b12 b6 d3 vitd3 "
    "co2 spo2 sao2 fev1 fvc1 cd4 cd8 t3 t4 ft4 il-6 4g 5g 3d 2fa mmr tdap hpv9 ".split())


def _exempt(token: str) -> bool:
    low = token.lower()
    if low in _FIXED or _HEX.fullmatch(token) and len(token) >= 8:
        return True
    parts = low.split("-")
    if all(p.isdigit() and len(p) <= 4 or len(p) > 1 and (
            p in lexicon.vocabulary() or p in _UNITS or p in lexicon.dictionary())
           for p in parts):
        return True   # "1099-MISC", "24-hour", "12-step"
    m = re.fullmatch(r"(\d+)([a-z]+)", low)
    if m and (m[2] in _UNITS or m[2] in lexicon.dictionary()):
        return True   # "200mg", "1990s", "3rd", "10am"
    m = re.fullmatch(r"([a-z]+)(\d{1,2})([a-z]?)", low)
    if m and (m[1] in lexicon.vocabulary() or m[1] in lexicon.dictionary()):
        return True   # "ICD10", "COVID19", "PHQ9", "Hep2" but not "jdoe42"
    return False


# Forms that the token rule cannot see: spaces inside, or no letter.
_SHAPES = (
    # UK National Insurance number "AB 12 34 56 C": labelled as the SSN it is
    (re.compile(r"[A-Z](?<!\w[A-Z])[A-Z][ ]?\d\d[ ]?\d\d[ ]?\d\d[ ]?[A-D]\b"), "SSN"),
    # UK number plate "KX19 ODP"; letters then spaced digit groups "XA 441 882 190"
    (re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]\d\d[ ]?[A-Z]{3}\b"), "ID"),
    (re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]{1,2}[ ]\d{3,4}[ ]\d{3,4}[ ]\d{2,4}[A-Z]{0,2}\b"), "ID"),
    # digit groups with three dashes or more: a parcel or account number
    (re.compile(r"\d(?<![\w.-]\d)\d*(?:-\d+){3,}(?![\w-])"), "ID"),
    # handles: "@oskar.berglund.se", "nathan.greer.1988", "tr3illy_draws"
    (re.compile(r"@(?<![\w.]@)[A-Za-z][\w.]{2,}[A-Za-z0-9]"), "ID"),
    (re.compile(r"[a-z](?<![\w.@][a-z])[a-z0-9]*(?:[._][a-z0-9]+)+(?![\w@]|\.\w)"), "HANDLE"),
)


def find(text: str, windows: Windows) -> list[Span]:
    out = []
    for rx, kind in _SHAPES:
        for m in scan(rx, text, windows if kind != "ID" or rx.pattern[0] != "@" else None):
            if kind == "HANDLE":
                token = m.group()
                if not any(c.isdigit() for c in token) or "." in token and \
                        token.rsplit(".", 1)[1] in ("com", "org", "net", "pdf", "txt", "docx"):
                    continue
                kind = "ID"
            if sum(c.isdigit() for c in m.group()) >= 9 or not m.group()[0].isdigit():
                out.append(Span(m.start(), m.end(), kind))
            kind = "HANDLE" if rx is _SHAPES[-1][0] else kind
    for m in scan(_KEYWORD, text, windows):
        value = m["v"]
        digits = sum(c.isdigit() for c in value)
        kw = m["kw"].lower()
        if kw in _PHONE_WORDS:
            if digits >= 3:
                out.append(Span(m.start("v"), m.end("v"), "PHONE"))
            continue
        if kw in ("mrn", "medical record", "vin", "plate", "license plate", "serial",
                  "s/n", "sn", "npi", "dea", "subscriber", "member", "policy", "plan",
                  "group", "grp", "account", "acct", "badge", "employee", "user id",
                  "medicaid", "medicare", "mr", "chart", "record", "passport", "dl",
                  "license", "licence", "driver's license", "drivers license", "ending", "tag",
                  "badge") and digits >= 3:
            out.append(Span(m.start("v"), m.end("v"), "ID"))
        elif digits >= 5 or digits >= 3 and not value.replace(" ", "").isdigit():
            out.append(Span(m.start("v"), m.end("v"), "ID"))
    for m in scan(_TOKEN, text, windows):
        token = m.group()
        if len(token) < 5 or token.isdigit() or token.replace("-", "").isdigit():
            continue
        if not any(c.isdigit() for c in token) or not any(c.isalpha() for c in token):
            continue
        if not _exempt(token) and not _PHONE_EXT.fullmatch(token):
            out.append(Span(m.start(), m.end(), "ID"))
    return out
