"""The residual-risk report's safety net (for `residual.candidates`): what
the export left in a form that only a detector knows, and names that their
neighbours give away (eleventh session). The knock-out benchmark
(benchmarks/bench_report.py: the export run with one detector family off)
showed the report blind to these once the detector that replaces them
misses:

- contact details left whole: an e-mail address, a web address, a number
  in groups ("503-555-0182", "(503) 555-0144", "632-41-8802",
  "203.0.113.77", "1122-4478-9901-2231");
- codes: capitals and digits that start with a digit ("8FJK221", a VIN),
  UK and Canadian postcodes and UK plates ("NR1 3LY", "M5T 1G5",
  "KX19 ODP"), user names with an underscore ("lzhang_sf");
- names by their neighbours: the rest of a hyphenated name beside a
  replaced one ("[PERSON]-Bonsu"), a surname in capitals before a replaced
  first name ("BLOOM, [PERSON]"), an organisation in capitals ending in a
  head word ("VALLEY PRESBYTERIAN HOSPITAL"), a state after a town
  ("Portland, OR"), a lower-case word no list knows where a firm or a
  place stands ("at brackenfield", "at the walmart", "interviewing with
  zaptec", "oakmere primary");
- ages over 89 in forms the age rules leave: "nonagenarian", "in her
  nineties", "turned 102", "[PERSON], 101,".

Each is listed, not replaced: the reviewer decides. Each match is listed
whole (its words inside are not listed again). Pure functions, no I/O but
the word lists' first read."""

from __future__ import annotations

import re

from . import lexicon
from .lexicon import key
from .span import has_word

_NAMED = r"(?:\[(?:PERSON|NAME)\]|Client-[0-9A-F]+)"

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]*\w@[\w-]+(?:\.[\w-]+)+")
_TLD = r"(?:com|org|net|edu|gov|io|me|dev|co|uk|us|ca|au|nz|ie|app|ly|info|biz|de|fr|nl)"
_WEB = re.compile(r"(?<![\w@/.-])(?:(?i:https?://|www\.)[^\s<>\"'()\[\]]+"
                  r"|[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\." + _TLD +
                  r"(?![\w-])(?:/[^\s<>\"'()\[\]]*)?)")
# digit groups: "+1 (503) 555-0144", "632-41-8802", "203.0.113.77"
_GROUPED = re.compile(r"(?<![\w$£€.,/:+-])(?:\+\d{1,3}[ \t]?)?(?:\(\d{2,5}\)[ \t]?|\d{1,6})"
                      r"(?:(?:[.-]|[ \t])\d{1,10}){1,5}(?![\w/]|[.,:-]\d)")
_DATE_LIKE = re.compile(r"\d{4}[.-]\d{1,2}[.-]\d{1,2}|\d{1,2}[.-]\d{1,2}[.-](?:\d{2}|\d{4})")
_DIGIT_CODE = re.compile(r"(?=[\dA-Z])(?:(?<![\w'’./-])\d[\dA-Z]*[A-Z][\dA-Z]*(?:-[\dA-Z]+)*(?![\w'’-])"
                         r"|(?<![\w'’./-])[A-Z\d]+(?:-[A-Z\d]+){2,}(?![\w'’/-]))")   # "AT-22-9183"
# "GL/EMP/0457", "GUM/24/4471": a code with slashes that is no date (as strict mode's)
_SLASH_CODE = re.compile(r"(?<![\w/])(?=[\w/]*[A-Za-z])(?=[\w/]*\d)[A-Za-z\d]+(?:/[A-Za-z\d]+){2,}(?![\w/])")
# "Ward 7C", "ward 12": where in a hospital (as a room is)
_WARD = re.compile(r"(?=[Ww])\b(?i:ward)[ \t]+(\d{1,3}[A-Za-z]?)\b")
# "[ORG] 7C", "[PERSON] II": the rest of a replaced name (a ward's code, a regnal number;
# not an age and sex, "[PERSON] 29M", nor a form, "SA100")
_NAME_TAIL = re.compile(r"\[(?:ORG|PLACE|ADDRESS|PERSON)\][ \t]+((?!\d{1,3}[MF]\b)\d{1,4}[A-Z]{1,2}|[A-Z]\d{1,2}|"
                        r"II|III|IV|VI|VII|VIII)(?![\w'’-])")
_SORT_CODE = re.compile(r"\d\d-\d\d-\d\d")
_SORT = re.compile(r"(?i:sort[ \t]*code|sort|s/c)\W*$")
_POSTCODE = re.compile(r"(?=[A-Z])(?<![\w'’-])(?:[A-Z]{1,2}\d[A-Z\d]?[ \t]+\d[A-Z]{2}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d"
                       r"|[A-Z]{2}\d{2}[ \t]?[A-Z]{3}|[A-Z]{2}\d{2}(?=[ \t]\[))(?![\w'’-])")
_HANDLE = re.compile(r"(?<![\w@./-])[A-Za-z][A-Za-z\d]*(?:_[A-Za-z\d]+)+(?![\w@-])")
_FILE_PREFIX = frozenset("img dsc dcim pxl vid scan screenshot".split())
_HYPHENED = re.compile(_NAMED + r"-([A-Z][a-z'’]+)(?![\w-])|(?<![\w'’-])([A-Z][a-z'’]+)-" + _NAMED)
_NAMED_OR_PLACE = r"(?:\[(?:PERSON|NAME|PLACE)\]|Client-[0-9A-F]+)"
_SURNAME_FIRST = re.compile(r"(?<![\w'’-])([A-Z][A-Z'’-]+),[ \t]*" + _NAMED_OR_PLACE
                            + r"|(?::[ \t]*([A-Z][a-z'’-]+),[ \t]*" + _NAMED_OR_PLACE
                            + r"|^[ \t]*([A-Z][a-z'’-]+),[ \t]*" + _NAMED_OR_PLACE + r"[ \t]*$)", re.M)
_CAPS_RUN = re.compile(r"(?=[A-Z])(?<![\w'’&.-])((?:[A-Z][A-Z'’&.-]*[ \t]+){1,4}[A-Z]{3,})(?![\w'’&-])")
_STATE = re.compile(r"(?=[A-Z\[])(?:(?<![\w'’-])[A-Z][a-z]+|\[(?:ADDRESS|PLACE)\]),[ \t]+([A-Z]{2})(?=[ \t]+\d{5}|[ \t]*[.,;)\n]"
                    r"|[ \t]*$|[ \t]+(?:with|and|to|for|in|on|where|after|before|since|until)\b|[ \t]+\[POSTCODE\])"
                    r"|(?<![\w'’-])([A-Z]{2})(?=\s*\[POSTCODE\])", re.M)
# languages, which stand where a surname does ("interpreter: French, [PERSON]")
_LANGUAGES = frozenset("""english french spanish italian german polish arabic mandarin cantonese
    portuguese russian urdu hindi punjabi bengali somali farsi turkish vietnamese korean japanese
    tagalog greek romanian ukrainian dutch swahili amharic tigrinya pashto dari kurdish""".split())
_CREDENTIALS = frozenset("""md do pa np rn dc od lcsw licsw lpc lmft msw esq cpa dds pmhnp phd psyd lpn
    cna aprn fnp dnp mft lmhc pharmd crnp pa-c""".split())
_AT_A_FIRM = re.compile(
    r"(?=[aAfFjJnNvViIwWbBeEpP])\b(?i:at|from|joined|near|via|(?:interview\w*|work\w*|bank\w*|employed|placed|job)[ \t]+with)"
    r"[ \t]+(?:the[ \t]+)?([a-z][a-z'’&-]{3,})(?![\w'’&-])")
# "oakmere primary", "brackenfield school": before a head word in lower case
# (looked for only in a text that holds one of them)
_LOW_HEADS = frozenset("primary school academy college hospital clinic surgery practice church "
                       "bank hotel pub cafe bakery centre center".split())
_BEFORE_A_HEAD = re.compile(r"(?<![\w'’&-])([a-z][a-z'’&-]{3,})(?=[ \t]+(?:"
                            + "|".join(sorted(_LOW_HEADS)) + r")\b)")
# endings of clinical words, which stand after "from" ("anemia from menorrhagia")
_CLINICAL_END = re.compile(r"(?:itis|osis|sepsis|emia|aemia|rrhagia|rrh?o?ea|algia|pathy|ectomy|otomy|"
                           r"ostomy|plasty|scopy|graphy|ology|iatric|iatry|al|ic|ive|ous|ary|ia|ism)$")
_AGE_WORDS = re.compile(r"(?=[cCnNsSiI])\b(?:(?i:(?:super)?centenarians?|nonagenarians?)\b|(?i:in[ \t]+"
                        r"(?:his|her|their)[ \t]+(?:early[ \t]+|mid-?[ \t]*|late[ \t]+)?(nineties))\b)")
# a number of 90 to 129 (the age rules' own are replaced or listed already), then what
# stands before it or after it says it is an age
_AGE_NUMBER = re.compile(r"(?=[19])(?<![\w.,/:$£€+-])(?:9\d|1[0-2]\d)(s|st|nd|rd|th)?\b(?![.,/:-]\d)")
_IN_HER = re.compile(r"(?i:\bin[ \t]+(?:his|her|their)[ \t]+(?:early[ \t]+|mid-?[ \t]*|late[ \t]+)?)\Z")
_IS = re.compile(r"\b(?i:is|turned|turns|turning|be|aged?)[ \t]+\Z")
_NOT_AN_AGE = re.compile(r"[\w.,/%]|[ \t]*(?i:%|per|mg|mcg|kg|lbs?|ml|minutes|mins|hours|days|weeks|percent|"
                         r"dollars|pounds|points|times|bpm|mmhg)")
_NAME_COMMA = re.compile(r"(?:" + _NAMED + r"|[A-Z][a-z]+),[ \t]+\Z")
_AFTER_AGE = re.compile(r"[ \t]*[,;)]")
_BIRTHDAY = re.compile(r"[ \t]+(?i:birthday)")

# (what each rule's matches hold: a text without it is not scanned)
_STATE_HINT = re.compile(r",[ \t]+[A-Z]{2}(?![a-z])")   # (_STATE's first form holds it)
_WEB_HINT = re.compile(r"://|(?i:www)\.|\." + _TLD + r"(?![\w-])")
_SLASH_HINT = re.compile(r"/[A-Za-z\d]+/")
_HYPHEN_HINT = re.compile(r"\]-|-\[|-Client-|Client-[0-9A-F]+-")
_SURNAME_HINT = re.compile(r",[ \t]*(?:\[(?:PERSON|NAME|PLACE)\]|Client-)")

# reasons whose match is listed whole: the words inside are not listed again
WHOLE = frozenset({"an e-mail address left", "a web address left", "a number in groups (a phone or an account)",
                   "a code starting with a digit", "a postcode or a number plate", "a user name",
                   "a code with slashes"})


def find(text: str, names: frozenset[str] | set[str]) -> list[tuple[int, int, str]]:
    """(start, end, why) of what the rules above list in an anonymized text."""
    out: list[tuple[int, int, str]] = []
    if "@" in text:
        out += [(a, b, "an e-mail address left") for m in _EMAIL.finditer(text)
                for a, b in _unnamed(text, m.start(), m.end())]
    if "." in text:
        out += [(a, b, "a web address left")
                for m in (_WEB.finditer(text) if _WEB_HINT.search(text) else ())
                if "@" not in text[max(0, m.start() - 1):m.start()] for a, b in _unnamed(text, m.start(), m.end())]
    if any(c.isdigit() for c in text):
        out += [(m.start(), m.end(), "a number in groups (a phone or an account)")
                for m in _GROUPED.finditer(text) if _grouped(m[0], text, m.start())]
        out += [(m.start(), m.end(), "a code starting with a digit") for m in _DIGIT_CODE.finditer(text)
                if _a_code(m[0])]
        out += [(m.start(), m.end(), "a postcode or a number plate") for m in _POSTCODE.finditer(text)]
        out += [(m.start(), m.end(), "a code with slashes") for m in (
            _SLASH_CODE.finditer(text) if "/" in text and _SLASH_HINT.search(text) else ())]
        out += [(m.start(1), m.end(1), "a ward number") for m in _WARD.finditer(text)]
        out += _ages(text)
    if "_" in text:
        out += [(m.start(), m.end(), "a user name") for m in _HANDLE.finditer(text) if _a_handle(m[0])]
    if "[" in text:
        out += [(m.start(1), m.end(1), "the rest of a replaced name") for m in _NAME_TAIL.finditer(text)]
    out += _neighbours(text, names)
    return out


def _grouped(number: str, text: str, start: int) -> bool:
    """Digit groups that are no date, time, range of years nor short count."""
    groups = re.findall(r"\d+", number)
    digits = sum(map(len, groups))
    m = _SORT_CODE.fullmatch(number)   # "sort code 60-83-71", not "a 30-60-90 day plan"
    if m:
        return bool(_SORT.search(text, max(0, start - 16), start))
    if digits < 7 or max(map(len, groups)) < 3 or _DATE_LIKE.fullmatch(number.strip()):
        return False
    if all(len(g) == 4 and "1900" <= g <= "2099" for g in groups):
        return False   # "2019-2023"
    if len(set(re.findall(r"(?<=\d)[ \t.-]+(?=\d)", number))) > 1 and "." in number:
        return False   # "2024 98.6": a dot among other separators marks a decimal
    spaced_only = not any(c in number for c in ".-()+")
    return not spaced_only or (digits >= 9 and groups[0][0] == "0" and not any(
        len(g) == 4 and "1900" <= g <= "2099" for g in groups))


def _a_code(word: str) -> bool:
    from .idents import _exempt
    plain = word.replace("-", "")
    digits = sum(c.isdigit() for c in plain)   # ("4418820219K": no amount in thousands)
    if word.count("-") >= 2:   # "AT-22-9183", not "ICD-10-CM"
        return digits >= 3 and any(map(str.isalpha, word))
    return len(plain) >= 5 and digits >= 2 and (digits >= 7 or not _exempt(word))


def _a_handle(word: str) -> bool:
    parts = [p for p in word.lower().split("_")]
    if parts[0] in _FILE_PREFIX:
        return False
    return not all(p.isdigit() or p in lexicon.vocabulary() or lexicon.is_ordinary(p) for p in parts)


_PSEUDONYM = re.compile(r"Client-[0-9A-F]+")


def _unnamed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The pieces of an address around the pseudonyms in it ("Client-3E1A@x.com":
    the pseudonym is no leak, the domain may be), without their punctuation."""
    pieces, pos = [], start
    for m in [*_PSEUDONYM.finditer(text, start, end), None]:
        a, b = pos, m.start() if m else end
        while a < b and not text[a].isalnum():
            a += 1
        while b > a and not text[b - 1].isalnum():
            b -= 1
        if a < b:
            pieces.append((a, b))
        pos = m.end() if m else end
    return pieces


def _ages(text: str) -> list[tuple[int, int, str]]:
    out = [(m.start(1) if m[1] else m.start(), m.end(), "an age over 89") for m in _AGE_WORDS.finditer(text)]
    for m in _AGE_NUMBER.finditer(text):
        before, end, suffix = text[max(0, m.start() - 40):m.start()], m.end(), m[1]
        if suffix in (None, "s") and _IN_HER.search(before) or suffix is None and (
                _IS.search(before) and not _NOT_AN_AGE.match(text, end)
                or _NAME_COMMA.search(before) and _AFTER_AGE.match(text, end)) \
                or suffix in ("st", "nd", "rd", "th") and _BIRTHDAY.match(text, end):
            out.append((m.start(), end, "an age over 89"))
    return out


def _neighbours(text: str, names: frozenset[str] | set[str]) -> list[tuple[int, int, str]]:
    lists, stop, vocabulary = lexicon.report_lists(), lexicon.STOP, lexicon.vocabulary()
    out = []
    if "-" in text:
        for m in _HYPHENED.finditer(text) if _HYPHEN_HINT.search(text) else ():
            g = 1 if m[1] else 2
            k = key(m[g])
            if k not in stop and k not in vocabulary and k not in names and k not in lists["roles"]:
                out.append((m.start(g), m.end(g), "the rest of a hyphenated name"))
    if "," in text:
        for m in _SURNAME_FIRST.finditer(text) if _SURNAME_HINT.search(text) else ():
            g = next(i for i in (1, 2, 3) if m[i])
            k = key(m[g])
            if k not in stop and k not in names and k.rstrip("s") not in lexicon.CALENDAR and k not in \
                    _CREDENTIALS and k not in _LANGUAGES and not (m[1] and k in vocabulary) and not (
                    m[1] and (k in lists["abbreviations"] or k in _CREDENTIALS or len(k) < 2)):
                out.append((m.start(g), m.end(g), "a surname before a replaced first name"))
    for m in _STATE.finditer(text) if "[POSTCODE]" in text or _STATE_HINT.search(text) else ():
        g = 1 if m[1] else 2
        k = m[g].lower()
        if k in lists["states"] and k not in _CREDENTIALS:
            out.append((m.start(g), m.end(g), "a state or province after a town"))
    for m in _CAPS_RUN.finditer(text):
        words = [key(w) for w in m[1].split()]
        if words[-1] in lists["heads"] and any(   # a word that names: "VALLEY", not "ONCOLOGY"
                w not in lists["generic"] and w not in lists["heads"] and w not in stop and w not in
                vocabulary and not lexicon.is_clinical(w) and (not lexicon.is_ordinary(w) or w in lexicon.places())
                for w in words[:-1]):
            out.append((m.start(1), m.end(1), "an organisation's name in capitals"))
    for m in (*_AT_A_FIRM.finditer(text),
              *(_BEFORE_A_HEAD.finditer(text) if has_word(text, _LOW_HEADS, any_text=True) else ())):
        if _unknown(m[1].lower(), names):
            out.append((m.start(1), m.end(1), "a word no list knows where a firm or place stands"))
    return out


def _unknown(k: str, names: frozenset[str] | set[str]) -> bool:
    """k (lower case) is in no list: no word, term, month, known name nor clinical word
    ("the client's": its stem is a word)."""
    k = k[:-2] if k.endswith(("'s", "’s")) else k.rstrip("'’")
    return k not in names and k not in lexicon.STOP and k not in lexicon.vocabulary() \
        and not lexicon.is_ordinary(k) and k not in lexicon.CALENDAR and not _CLINICAL_END.search(k)
