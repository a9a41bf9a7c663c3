"""Postcodes in prose (issue 14, tenth session), where no address line or
town stands next to them: a ZIP or a postcode after its word and a verb
(`her zip is 60614`), before its word (`the 60614 zip code`, `the BT7
area`, `the E17 postcode`), a UK outward code after its word (`Postcode:
BS8`, `outward code M20`) or after a move or a home (`moved to SW1`,
`lives in G12`, `moved from NW3 to N16`), a ZIP after a home (`lives in
10027 now`; `in 90210,`), a ZIP in brackets after a town (`Austin
(78704)`), a ZIP alone on the line below a town, and the letters of a
Dutch postcode after its digits (`Amsterdam 1017 AB`). An outward code's
letters must be one of the UK's postcode areas (`B12`, `D3` after `low
in` are vitamins: no home before them). Only the runs of digits that can
be a code are looked at (five digits; one or two after one or two
capitals), the words around them read by patterns anchored there. Pure
functions, no I/O.
"""

from __future__ import annotations

import re

from .span import Span, Windows, all_digit_runs

# The UK's postcode areas.
_AREAS = frozenset((
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT "
    "DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA "
    "LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE "
    "SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV "
    "YO ZE").split())
_WORDS = (r"(?i:zip(?:[ \t]*code)?|zipcode|post[ \t]*code|postal[ \t]+code|outward[ \t]+code|"
          r"postcode[ \t]+(?:area|district))")
# Before the code: "zip is 60614", "Postcode: BS8", "outward code M20".
_WORD_BEFORE = re.compile(rf"\b{_WORDS}(?:[ \t]+(?i:is|was|now|of|area|district))*[ \t]*[:#=-]?"
                          r"[ \t]*\Z")
# After it: "the 60614 zip code", "the BT7 area", "E17 postcode".
_WORD_AFTER = re.compile(r"[ \t]+(?:(?i:zip(?:[ \t]*code)?|zipcode|post[ \t]*code|postal[ \t]+code)\b"
                         r"|(?:area|district)\b(?=[ \t]*(?:[,.;)]|$|of\b|[a-z])))", re.M)
# A move or a home, then "in", "to", "from" in the same clause ("moved
# from NW3 to N16"; not "Lives in fear; switched to M20")...
_HOME_BEFORE = re.compile(
    r"\b(?i:lives?|living|lived|resides?|residing|resided|moved?|moving|relocat(?:ed|ing|e)|"
    r"based|home|house|flat|apartment|rents?|renting|stays?|staying|grew[ \t]+up|born|raised|"
    r"address)\b[^;.!?\n]{0,40}?\b(?:in|to|from|near|around)[ \t]+(?:the[ \t]+)?\Z")
# ...and the code ends its clause, or a word that goes on about a place follows.
_GOES_ON = re.compile(r"[ \t]*(?:[,;:)(]|\.(?!\d)|$)|[ \t]+(?:and|but|for|to|from|in|with|near|"
                      r"after|since|last|this|when|where|now|recently|so|because|area|postcode|"
                      r"district)\b", re.M)
# "in 10027," "in 90210." without a home before: a ZIP alone in its clause.
_IN_BEFORE = re.compile(r"\bin[ \t]\Z")
_IN_AFTER = re.compile(r"[ \t]*(?:[,;)]|\.(?!\d)|$|now\b|area\b)", re.M)
# "Austin (78704)", "Peckham (SE15)"
_BRACKET = re.compile(r"[ \t]*\([ \t]*(?P<pc>\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?)[ \t]*\)")
# The line above a ZIP alone on its line, ending with a state.
_STATE_END = re.compile(r"\b[A-Z]{2}\.?[ \t]*,?[ \t]*\r?\n[ \t]*\Z")
_EOL = re.compile(r"[ \t]*(?:\r?\n|\Z)")
# "1017 AB": the letters of a Dutch postcode (never SA, SD, SS).
_DUTCH = re.compile(r"[ \t](?P<l>(?!S[ADS])[A-Z]{2})(?![\w-])")
_PLUS4 = re.compile(r"-\d{4}(?![\w-])")
_NOT_BEFORE = frozenset("$£€.,/-_")
_SUFFIX = frozenset("ABCDEFGHJKPSTUW")   # (a London district's letter: "SW1A", "W1K")


def _outward(code: str) -> bool:
    """A ZIP, or a UK outward code of one of the postcode areas ("SE15")."""
    return code[0].isdigit() or (code[:2] if code[1].isalpha() else code[:1]) in _AREAS


def _codes(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is a ZIP) of what may be a ZIP or a UK outward code."""
    out = []
    n = len(text)
    for a, b in all_digit_runs(text):
        if b - a == 5:
            if a and (text[a - 1].isalnum() or text[a - 1] in _NOT_BEFORE) or \
                    b < n and (text[b].isalnum() or text[b] == "_"):
                continue
            plus4 = _PLUS4.match(text, b)
            out.append((a, plus4.end() if plus4 else b, True))
        elif b - a <= 2 and a and "A" <= text[a - 1] <= "Z":
            start = a - 2 if a >= 2 and "A" <= text[a - 2] <= "Z" else a - 1
            if start and (text[start - 1].isalnum() or text[start - 1] in _NOT_BEFORE):
                continue
            end = b + 1 if b - a == 1 and b < n and text[b] in _SUFFIX else b
            if end < n and (text[end].isalnum() or text[end] in "-_"):
                continue
            if text[start:a] in _AREAS:
                out.append((start, end, False))
    return out


def find(text: str, windows: Windows, postcodes: list[Span], places: list[Span]) -> list[Span]:
    """POSTCODE spans of the forms above; only in a note with digits."""
    if not windows:
        return []
    out = []
    ends = {p.end for p in places}
    for start, end, is_zip in _codes(text):
        lo = max(0, start - 96)
        if _WORD_BEFORE.search(text, max(0, start - 40), start) \
                or _WORD_AFTER.match(text, end) \
                or _GOES_ON.match(text, end) and _HOME_BEFORE.search(
                    text, text.rfind("\n", lo, start) + 1 or lo, start) \
                or is_zip and _IN_BEFORE.search(text, max(0, start - 4), start) \
                and _IN_AFTER.match(text, end):
            out.append(Span(start, end, "POSTCODE"))
        elif is_zip and _EOL.match(text, end) and _alone_below_a_town(text, start, ends):
            out.append(Span(start, end, "POSTCODE"))
    for p in places:
        m = _BRACKET.match(text, p.end)
        if m and _outward(m["pc"]):
            out.append(Span(m.start("pc"), m.end("pc"), "POSTCODE"))
    for s in postcodes + out:
        if s.end - s.start == 4 and text[s.start:s.end].isdigit():
            m = _DUTCH.match(text, s.end)
            if m:
                out.append(Span(s.start, m.end("l"), "POSTCODE"))
    return out


def _alone_below_a_town(text: str, start: int, ends: set[int]) -> bool:
    """The ZIP at start stands alone on its line, and the line above ends
    with a town the word detectors found or a state's two capitals."""
    line = text.rfind("\n", 0, start)
    if line < 0 or text[line + 1:start].strip():
        return False
    above = text.rfind("\n", 0, line)
    end = line
    while end > above + 1 and text[end - 1] in " \t,\r":
        end -= 1
    return end in ends or _STATE_END.search(text, above + 1, start) is not None
