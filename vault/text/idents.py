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
from bisect import bisect_left
from functools import lru_cache

from . import lexicon
from .span import (Span, Windows, at_starts, digit_runs, has_word, scan, starts_at_digits,
                   word_starts)

_UNITS = frozenset(
    "mg mcg ug g kg ml l dl lb lbs oz cm mm km m mi ft in hr hrs h min mins sec s ms x "
    "k mo mos wk wks yr yrs y yo d am pm st nd rd th iu u units mmhg bpm kcal cal gb mb "
    "tb kb hz khz mhz ghz mmol meq ng pg mgs tabs tab caps cap puffs gtt cc mph kph "
    "pcs pts am pm a p sq ct w v mah".split())
_PHONE_EXT = re.compile(r"[\d-]+(?:x|ext)\d{1,6}", re.I)   # "415-555-0142x123": a phone's
_EXTENSION = re.compile(r"[xX]\d{1,2}-?\d{3,4}")
_NUMBER_UNIT = re.compile(r"(\d+)([a-z]+)")
_WORD_NUMBER = re.compile(r"([a-z]+)(\d{1,2})([a-z]?)")
_UPPER_HEX = re.compile(r"[0-9A-F]+")
_HEX = re.compile(r"[0-9a-f]+(?:-[0-9a-f]+)*")
_KEYWORDS = r"""
    mrn medical\s+record chart record pager pgr beeper bleep ext extension plan group grp
    subscriber member serial s/n sn device vin plate license\s+plate tag badge employee
    emp user(?:name)? user\s+id login routing ein tin itin npi dea medicaid medicare acct
    a/c account policy patient pt unit\s+no bed mr med\s+rec dl driver'?s\s+licen[cs]e licen[cs]e
    passport claim case docket file invoice ref reference ticket matter id ending
    sort\s+code nhs\s+no nhs\s+number nino ni\s+number utr job hicn mbi csn fin har encounter
    accession crn rx req cert certificate permit abn acn tfn ird pps ppsn sin
    order voucher check cheque confirmation conf transaction txn booking reservation receipt
    inmate""".split()
_KEYWORD = re.compile(
    r"\b(?P<kw>(?i:" + "|".join(sorted(_KEYWORDS, key=len, reverse=True)) + r"))"
    r"\b\.?(?:[ \t]*(?i:no\b\.?|number|num\b\.?|nbr|#|id\b))?[ \t]*[:#]?[ \t]*"
    # "00123456", "A12-3456", "SP 0029 4412", "0048 2291", "001.022417"
    r"(?P<v>(?:[A-Z]{1,3}[ ](?=\d))?(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]*"
    r"(?:\.\d+)*(?:[ ](?=\d)\d+(?:-\d+)*){0,3})"
    r"(?![\w@]|[./]\w)")
# The words before a token with a digit, read backwards: the keyword is
# looked up in a set, and only then is _KEYWORD tried where it starts,
# instead of the alternation at every word. (What _word_before finds
# without a search; kept as its definition, for the tests.)
_WORDS_BEFORE = re.compile(r"[A-Za-z][A-Za-z/'#.:]*[ \t]*[#:]*[ \t]*\Z")
_KEYWORD_WORDS = frozenset(w for k in _KEYWORDS for w in re.findall(r"[a-z/']+", k)) | {
    "no", "number", "num", "nbr", "id", "#"}
# A token with a digit in it, grown from the digit run outwards.
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_TOKEN_RIGHT = re.compile(r"[A-Za-z0-9_-]*")
_PHONE_WORDS = frozenset({"pager", "pgr", "beeper", "bleep", "ext", "extension"})
_FIXED = frozenset(
    "covid19 covid-19 sars-cov-2 h1n1 hba1c a1c sglt2 sglt2i glp1 glp-1 dpp4 dpp-4 "
    "phq-9 phq9 phq-2 gad-7 gad7 pcl-5 pcl5 sf-36 sf36 dsm-5 dsm5 dsm-iv icd-10 icd10 "
    "icd-9 t2dm t1dm nt-probnp mp3 mp4 w-2 w-4 w-9 i-9 1099-misc 1099-nec 1099-k 1099-int "
    "1099-div 1099-r 1099-b 1099-g 1099-sa 1040-es 1040-sr 1040-x 1040x 1120s 1120-s "
    "k-1 401k 403b 457b 529s 5500-sf 990-ez 990ez c-ptsd k-12 y2k b12 b6 d3 vitd3 "
    "co2 spo2 sao2 fev1 fvc1 cd4 cd8 t3 t4 ft4 il-6 4g 5g 3d 2fa mmr tdap hpv9 "
    "ca125 ca-125 ca19-9 ca199 ca15-3 ca153 ca27-29 her2 brca1 brca2 egfr2 pd-l1 "
    "hla-b27 apoe4 g6pd h2o o2 n95 kn95 "
    # tests and scores a note names (tenth session): "MMPI-2", "ADOS-2", "CHA2DS2-VASc"
    "mmpi-2 mmpi-2-rf mmpi-a ados-2 wisc-v wisc-iv wppsi-iv wiat-4 wiat-iii basc-3 "
    "brief-2 scared-41 cha2ds2-vasc chads2 curb-65 audit-c has-bled bi-rads pcl-m pcl-c "
    "epds-10 k10 k6 dass-21 ors srs-2 mdq-13 asrs-5 ybocs y-bocs cy-bocs hba1c% "
    # immigration forms: "Form I-130", "the I-485", "N-400"
    "i-130 i-485 i-765 i-131 i-140 i-539 i-589 i-751 i-864 i-94 i-20 i-90 i-129 i-129f "
    "i-601 i-601a i-212 i-821 i-821d i-912 n-400 n-600 ds-160 ds-260 ds-11 ds-82 "
    "aaox3 aaox4 aaox2 aox3 aox4 aox2 ox3 ox4 "
    # tax forms, returns and schedules of the UK, Ireland, Canada, Australia,
    # New Zealand and India (eleventh session: "SA103 pages", "CT600 return")
    "sa100 sa101 sa102 sa103 sa103s sa103f sa104 sa104s sa104f sa105 sa106 sa107 sa108 "
    "sa109 sa110 sa800 sa900 ct600 ct41g p11d p87 p85 p50 p53 p55 r40 r185 ch2 sdlt1 tr1 "
    "tr2 ap1 ds1 tp1 "
    "t1 t2 t3 t4 t4a t4e t4rsp t4rif t5 t5007 t5008 t2125 t776 t777 t1135 t1213 t2200 "
    "t2091 td1 rc59 nr4 gst34 "
    "ir3 ir4 ir526 ir330 ir345 ir348 ir833 "
    "itr-1 itr-2 itr-3 itr-4 itr-5 itr-6 itr-7 gstr-1 gstr-3b gstr-9 26as 15g 15h 12bb "
    "form16 form-16 ".split())


# "Form CT1", "Schedule K-1", "Form RP102": a code right after these words
# names a form, not a person's file.
_FORM_BEFORE = re.compile(r"\b(?:Form|FORM|form|Schedule|SCHEDULE)[ \t]+\Z")
_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d")   # "2024-03-04T10:15": a date and a time


def _exempt(token: str) -> bool:
    low = token.lower()
    if low in _FIXED or _ISO_TIME.fullmatch(token) or _HEX.fullmatch(token) and len(token) >= 8:
        return True
    parts = low.split("-")
    if all(p.isdigit() and len(p) <= 4 or len(p) > 1 and (
            p in lexicon.vocabulary() or p in _UNITS or p in lexicon.dictionary())
           for p in parts):
        return True   # "1099-MISC", "24-hour", "12-step"
    m = _NUMBER_UNIT.fullmatch(low)
    if m and (m[2] in _UNITS or len(m[2]) > 1 and m[2] in lexicon.dictionary()):
        return True   # "200mg", "1990s", "3rd", "10am"
    m = _WORD_NUMBER.fullmatch(low)
    if m and (m[1] in lexicon.vocabulary() or m[1] in lexicon.dictionary()) \
            and sum(c.isdigit() for c in low) < 5:
        return True   # "ICD10", "COVID19", "PHQ9", "Hep2" but not "jdoe42" nor "MD44718"
    return False


_NI_AFTER = frozenset(" ABCD")
# Forms that the token rule cannot see: spaces inside, or no letter.
_SHAPES = (
    # UK National Insurance number "AB 12 34 56 C": labelled as the SSN it is
    (re.compile(r"[A-Z](?<!\w[A-Z])[A-Z][ ]?\d\d[ ]?\d\d[ ]?\d\d[ ]?[A-D]\b"), "SSN"),
    # UK number plate "KX19 ODP"; letters then spaced digit groups "XA 441 882 190"
    (re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]\d\d[ ]?[A-Z]{3}\b"), "ID"),
    (re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]{1,2}[ ]\d{3,4}[ ]\d{3,4}[ ]"
                r"(?:\d{2,4}[A-Z]{0,2}|\d[A-Z]{2})\b"), "ID"),   # "KG 4481 2207 6GB": a parcel
    # digit groups with three dashes or more: a parcel or account number
    (re.compile(r"\d(?<![\w.-]\d)\d*(?:-\d+){3,}(?![\w-])"), "ID"),
    # handles with a digit: "nathan.greer.1988", "tr3illy_draws" (after "@": handles())
    (re.compile(r"[a-z](?<![\w.@][a-z])[a-z0-9]*(?:[._][a-z0-9]+)+(?![\w@]|\.\w)"), "HANDLE"),
)

starts_at_digits(_SHAPES[3][0], lambda n, after: after == "-")
# two capitals before the digits ("AB 12 34 56 C", "KX19 ODP"), two or
# three and a space ("XA 441 882 190")
starts_at_digits(_SHAPES[0][0], lambda n, after: n in (2, 4, 6) and after in _NI_AFTER,
                 before=(2, 3))
starts_at_digits(_SHAPES[1][0], lambda n, after: n == 2 and (after == " " or "A" <= after <= "Z"),
                 before=(2,))
starts_at_digits(_SHAPES[2][0], lambda n, after: n in (3, 4) and after == " ", before=(3, 4))


def find(text: str, windows: Windows) -> list[Span]:
    out = []
    for rx, kind in _SHAPES:
        if kind == "HANDLE":
            found = at_starts(rx, text, windows, _handle_starts(text, windows))
        else:
            found = scan(rx, text, windows if kind != "ID" or rx.pattern[0] != "@" else None)
        for m in found:
            if kind == "SSN" and " " not in m.group() and _UPPER_HEX.fullmatch(m.group()):
                continue   # "AA000000A" unspaced and all hex: a code, unless after "NI number"
            if kind == "HANDLE":
                token = m.group()
                if not any(c.isdigit() for c in token) or "." in token and \
                        token.rsplit(".", 1)[1] in ("com", "org", "net", "pdf", "txt", "docx"):
                    continue
                kind = "ID"
            if sum(c.isdigit() for c in m.group()) >= 9 or not m.group()[0].isdigit():
                out.append(Span(m.start(), m.end(), kind))
            kind = "HANDLE" if rx is _SHAPES[-1][0] else kind
    keywords = _keyword_starts(text)
    for start, end in _digit_tokens(text, windows):
        token = text[start:end]
        if keywords is None or _near(keywords, start):
            before = _keyword_before(text, start)
            if before is not None:
                _keyword(before, out)
        if len(token) < 5 or token.isdigit() or token.replace("-", "").isdigit():
            continue
        if text[start - 1:start] in "@./$€£+" and start or text[end:end + 1] == "@" or \
                text[end:end + 1] in "./" and text[end + 1:end + 2].isalnum():
            continue   # part of an e-mail, a URL, an amount or a dotted code
        if not any(c.isalpha() for c in token) or token.strip("-_") != token:
            continue
        if _EXTENSION.fullmatch(token):
            out.append(Span(start, end, "PHONE"))   # an extension alone: "x4-8821", "x4471"
        elif not _exempt(token) and not _PHONE_EXT.fullmatch(token) \
                and not (len(token) <= 8 and _FORM_BEFORE.search(text, max(0, start - 10), start)):
            out.append(Span(start, end, "ID"))
    return out


def _digit_tokens(text: str, windows: Windows) -> list[tuple[int, int]]:
    """(start, end) of every token with a digit in the windows: letters,
    digits, "-" and "_" around a run of digits."""
    out: list[tuple[int, int]] = []
    for start, end in digit_runs(text, windows):
        if out and start < out[-1][1]:
            continue
        while start > 0 and text[start - 1] in _TOKEN_CHARS:
            start -= 1
        right = _TOKEN_RIGHT.match(text, end)
        assert right is not None   # (it matches the empty string)
        out.append((start, right.end()))
    return out


_HANDLE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._")


def _handle_starts(text: str, windows: Windows) -> list[int]:
    """Where a handle with a digit in it can start: the first character of
    the run of [a-z0-9._] around a run of digits, if it is a letter (the
    handle pattern starts only there, and one without a digit is dropped)."""
    out: list[int] = []
    prev_start = prev_first = -1
    for start, _ in digit_runs(text, windows):
        first = start
        while first > 0 and text[first - 1] in _HANDLE_CHARS:
            first -= 1
            if first == prev_start:   # the same run as the last digits': known
                first = prev_first
                break
        prev_start, prev_first = start, first
        if "a" <= text[first] <= "z" and (not out or out[-1] != first):
            out.append(first)
    return out


# The first word of each keyword, as a run of letters: "medical record"
# starts with "medical", "s/n" with "s".
_KEYWORD_FIRST = frozenset(re.findall(r"^[a-z]+", k)[0] for k in _KEYWORDS) | {
    "licence", "license", "drivers", "username"}   # (licen[cs]e, driver'?s, user(?:name)?)
# How far before a token _keyword_before looks: four words, each found
# within 24 characters of the one after it.
_LOOKBACK = 4 * 24


def _keyword_starts(text: str) -> list[int] | None:
    """Where a keyword's first word starts in an ASCII text (None for other
    text); "a" and "s" only before "/" ("a/c", "s/n")."""
    starts = word_starts(text, _KEYWORD_FIRST, any_text=True)
    if starts is None:
        return None
    return [s for s in starts if text[s] not in "aAsS" or text[s + 1:s + 2] == "/"
            or text[s + 1:s + 2].isalpha()]


def _near(starts: list[int], start: int) -> bool:
    """A keyword starts within _LOOKBACK characters before `start`: only then
    can _keyword_before find one."""
    i = bisect_left(starts, start - _LOOKBACK)
    return i < len(starts) and starts[i] < start


def _keyword_before(text: str, start: int) -> re.Match[str] | None:
    """_KEYWORD matched at one of the three words before `start`, if one
    of them is a keyword's word."""
    pos, found = start, None
    for _ in range(4):
        before = _word_before(text, pos)
        if before < 0:
            break
        word = text[before:pos].rstrip(" \t.:#").lower()
        if word not in _KEYWORD_WORDS and not (len(word) <= 3 and word.isalpha()):
            break
        pos = before
        m = _KEYWORD.match(text, pos)
        if m is not None and m.start("v") <= start < m.end("v"):
            found = m
    return found


_WORD_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz/'#.:"
_LETTER = re.compile(r"[A-Za-z]")


def _word_before(text: str, pos: int) -> int:
    """Where _WORDS_BEFORE.search(text, max(0, pos - 24), pos) starts, -1
    if nowhere (with string methods: a search tries each of the 24 places).
    Its match is a letter, then the word's characters, then spaces or tabs
    up to pos: the first letter of the run of word characters that ends
    the 24 characters before pos, less their trailing spaces and tabs."""
    lo = pos - 24 if pos > 24 else 0
    # (a "#" or ":" alone before the number is the label's: "Group # 44719")
    before = text[lo:pos].rstrip(" \t").rstrip("#:").rstrip(" \t")
    tail = before[len(before.rstrip(_WORD_CHARS)):]
    letter = _LETTER.search(tail)
    return -1 if letter is None else lo + len(before) - len(tail) + letter.start()


def _keyword(m: re.Match[str], out: list[Span]) -> None:
    """The value after a record word, if it is one."""
    value = m["v"]
    if " " in value and all(len(g) == 1 for g in value.split()):
        return   # "plan 2 2 2": counts, not a number written in groups
    digits = sum(c.isdigit() for c in value)
    kw = m["kw"].lower()
    if kw in _PHONE_WORDS:
        if digits >= 3:
            out.append(Span(m.start("v"), m.end("v"), "PHONE"))
        return
    if kw in ("mrn", "medical record", "vin", "plate", "license plate", "serial",
              "s/n", "sn", "npi", "dea", "subscriber", "member", "policy", "plan",
              "group", "grp", "account", "acct", "badge", "employee", "user id",
              "medicaid", "medicare", "mr", "chart", "record", "passport", "dl",
              "license", "licence", "driver's license", "drivers license", "ending", "tag",
              "badge") and digits >= 3:
        out.append(Span(m.start("v"), m.end("v"), "ID"))
    elif digits >= 5 or digits >= 3 and (not value.replace(" ", "").isdigit() or _NUMBERED.search(
            m.string, m.end("kw"), m.start("v"))):   # "Invoice # 4471", "Case No. 4471"
        out.append(Span(m.start("v"), m.end("v"), "ID"))


_NUMBERED = re.compile(r"#|(?i:\bno\b|number)")


# A user name after its label, letters only too: "user: jsmith", "login: kwhite".
_HANDLE = re.compile(r"[ \t]*(?P<v>[A-Za-z][A-Za-z0-9._-]{1,30}[A-Za-z0-9])(?![\w@]|\.\w)")
_HANDLE_WORDS = frozenset({"user", "username", "login", "handle"})
_HANDLE_LABEL = re.compile(r"(?i:\b(?:user(?:name)?|login|handle|user[ \t]+id))[ \t]*\Z")


# A handle after "@", not an e-mail's: "@oskar.berglund.se", "@kayla_rose".
_AT_HANDLE = re.compile(r"@(?<![\w.]@)[A-Za-z][\w.]{2,}[A-Za-z0-9]")


def handles(text: str) -> list[Span]:
    """Handles after "@" (digits or none: any note), unless the word is an
    ordinary one ("pt @home", "@Nimbus" for "at"); user names after
    "user:", "login:"."""
    out: list[Span] = []
    if "@" in text:
        for m in _AT_HANDLE.finditer(text):
            low = m[0][1:].lower()
            if not low.isalpha() or not lexicon.is_ordinary(low):
                out.append(Span(m.start() + 1, m.end(), "ID"))   # ("@[ID]"; a
                # registered name run together, "@janedoe", is the name's)
    if not has_word(text, _HANDLE_WORDS, any_text=True):
        return out
    at = text.find(":")
    while at >= 0:
        # (each ":" after a letter: the label's word is looked for before it)
        if at and text[at - 1] in "erdnERDN \t" and _HANDLE_LABEL.search(
                text, max(0, at - 12), at):
            m = _HANDLE.match(text, at + 1)
            low = m["v"].lower() if m else ""
            if m and low not in lexicon.dictionary() and low not in lexicon.vocabulary():
                out.append(Span(m.start("v"), m.end("v"), "ID"))
        at = text.find(":", at + 1)
    return out


# A code's letters written apart from its number: "LAO 4471208", "24-2-01183-1
# SEA" (a court's suffix). Not a keyword or a unit ("SN 2201", "LOT 4471").
_PREFIX = re.compile(r"(?<![\w/-])[A-Z]{2,4}[ \t]\Z")
_SUFFIX = re.compile(r"[ \t][A-Z]{2,4}(?![\w/-])")
_NOT_AFFIXES = frozenset("no sn lot ph ext pin tel box apt ste rm ref id ok am pm est usd gbp "
                         "eur cad aud nzd dr mr ms mrs rev ln dob age sex cc bcc re fw fwd "
                         "and the for".split())


def affixes(text: str, spans: list[Span]) -> list[Span]:
    """ID spans of the capitals just before or after an ID found by its
    form or keyword, when they are no abbreviation or keyword."""
    out = []
    for s in spans:
        if s.kind != "ID" and s.kind != "BAREID":
            continue
        before = _PREFIX.search(text, max(0, s.start - 5), s.start) \
            if text[s.start - 2:s.start - 1].isupper() else None
        if before and _affix(before.group().strip()):
            out.append(Span(before.start(), s.end, s.kind))
        after = _SUFFIX.match(text, s.end) if text[s.end + 1:s.end + 2].isupper() else None
        if after and _affix(after.group().strip()):
            out.append(Span(s.start, after.end(), s.kind))
    return out


@lru_cache(maxsize=4096)
def _affix(word: str) -> bool:
    k = word.lower()
    # (a label of a number: "CRN", "VRN", "UTR": "... number", "... reference")
    return k[-1] not in "nr" and k not in _NOT_AFFIXES and not lexicon.is_abbreviation(k) and k not in _UNITS
