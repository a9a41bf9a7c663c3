"""Addresses by their layout (issue 14, seventh session): what makes
`1187 Orchard` or `#2` an address is the line it stands on, above a town
and a postcode, not a street type. An address block ends with a postcode,
alone on its line (`NR1 3LY`), after a town (`Liverpool L17 2AB`) or
after a town and a state or province (`Brandon, MB R7A 5Y3`); the lines
above it that read like the lines of an address (a number and a name, a
unit, a flat, a floor, a PO box, a rural route, a house's name) are
taken, up to the first line that does not. On one line, `27 Sefton,
Liverpool L17 2AB` gives its number and street the same way. Also
rural routes (`Rural Route 3`, `RR 2, Box 118`), roads by their number
after a house number (`4471 County Road 12`) and a floor of a named
building (`3rd Floor, Quayside House`). Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .span import Span, all_digit_runs, letter_runs

# A postcode: a US ZIP (ZIP+4), a UK postcode, a Canadian one.
_PC = (r"(?:\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[ABD-HJLNP-UW-Z]{2}"
       r"|[ABCEGHJ-NPRSTVXY]\d[A-Z][ \t-]?\d[A-Z]\d)")
_NAME = r"[A-Z][\w'’.-]*(?:[ \t]+(?:[A-Z][\w'’.-]*|of|on|upon|de|la))*"
# The last line of a block: [town[,] [state[,]]] postcode, alone on its line.
_LAST_LINE = re.compile(
    rf"[ \t]*(?:(?P<town>{_NAME}?),?[ \t]+(?:(?P<st>[A-Z]{{2}}),?[ \t]+)?)?(?P<pc>{_PC})"
    r"[ \t]*[.;,]?[ \t]*")

# A town above a postcode alone: "Gig Harbor WA", "Toronto, ON", "Norwich".
_TOWN_LINE = re.compile(rf"[ \t]*(?P<town>{_NAME}?)(?:,?[ \t]+(?P<st>[A-Z]{{2}}))?[ \t]*,?[ \t]*")
# The lines of an address above it.
_UNIT = (r"(?i:unit|flat|apt|apartment|suite|ste|room|rm|floor|building|bldg|block|"
         r"p\.?[ \t]?o\.?[ \t]+box|box|rural[ \t]+route|r\.?r\.?|hc)\.?[ \t]*#?[ \t]*\d")
_ADDRESS_LINE = re.compile(
    r"[ \t]*(?P<a>(?:\d{1,5}[A-Za-z]?(?:[-–/]\d{1,5}[A-Za-z]?)?,?[ \t]+(?:[A-Z]|\d+(?:st|nd|rd|th)\b)"
    rf"|{_UNIT}|#[ \t]*\d|\d{{1,2}}(?:st|nd|rd|th)[ \t]+(?i:floor)\b"
    r"|(?:The[ \t]+)?(?:[A-Z][\w'’-]*[ \t]+){0,3}(?:House|Cottage|Farm|Lodge|Court|Works|Mill|"
    r"Hall|Manor|Mansions|Buildings|Building|Tower|Towers|Chambers|Barn|Grange|Maltings)\b)"
    r"[^\n]{0,56}?)[ \t]*,?[ \t]*")
# A full stop between words: a sentence, not an address line.
_SENTENCE = re.compile(r"[a-z]{2}\.[ \t]+[A-Za-z]|[!?]")
_STATES = frozenset((
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC "
    "AB BC MB NB NL NS NT NU ON PE QC SK YT").split())
# On one line, before a postcode: "27 Sefton, Liverpool L17 2AB",
# "165 Glenwood, Minneapolis 55405".
_INLINE = re.compile(
    r"(?<![\w.,/$£€-])(?P<a>\d{1,5}[A-Za-z]?[ \t]+[A-Z][a-z'’-]+(?:[ \t]+[A-Z][a-z'’-]+){0,2}),"
    r"[ \t]*(?P<town>[A-Z][a-z'’.-]+(?:[ \t]+[A-Z][a-z'’.-]+){0,2}),?[ \t]+"
    r"(?:(?P<st>[A-Z]{2}),?[ \t]+)?\Z")
# Rural routes, roads by number after a house number, a floor of a building.
_RURAL = re.compile(
    r"(?:[Rr]ural[ \t]+[Rr]oute|RURAL[ \t]+ROUTE)[ \t]*#?[ \t]*\d{1,3}(?:,?[ \t]*[Bb]ox[ \t]+\d{1,5})?\b"
    r"|\b(?:R\.R\.|RR|HC)[ \t]*(?:#[ \t]*\d{1,3}|\d{1,3},?[ \t]*[Bb]ox[ \t]+\d{1,5})\b")
_ROAD = re.compile(
    r"\d(?<![\w.,/$£€-]\d)\d{0,5}[ \t]+(?:(?:County|State|US|U\.S\.|Farm[ \t]+to[ \t]+Market|"
    r"Township)[ \t]+(?:Road|Rd\.?|Route|Rte\.?|Highway|Hwy\.?)|Highway|Hwy\.?|Route|Rte\.?|"
    r"CR|SR|FM)[ \t]+\d{1,4}[A-Z]?\b")
_ROAD_WORDS = frozenset("Road Rd Route Rte Highway Hwy CR SR FM".split())
_RURAL_WORDS = frozenset("Rural rural RURAL RR R HC".split())
_FLOOR = re.compile(
    r"(?:\b\d{1,2}(?:st|nd|rd|th)|\b(?:Ground|First|Second|Third|Fourth|Fifth|Sixth|Top))"
    r"[ \t]+[Ff]loor,[ \t]*(?:[A-Z][\w'’-]*[ \t]+){1,3}(?:House|Court|Chambers|Building|"
    r"Buildings|Centre|Center|Tower|Works|Mill|Hall|Exchange|Wharf|Plaza|Place)\b")
# A Canadian province before its postcode: "Brandon, MB R7A 5Y3".
_PROVINCE = re.compile(r"\b(?P<st>AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT)\.?,?[ \t]+\Z")


# A ZIP code after a state written in full ("Boise Idaho 83702"), an Irish
# Eircode after a place ("Dublin D02 X285").
_STATE_NAMES = ("Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|"
                "Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|"
                "Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|"
                "Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|"
                "North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|"
                "South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|"
                "Wisconsin|Wyoming")
_STATE_ZIP = re.compile(rf"\b(?:{_STATE_NAMES}),?[ \t]+(?P<pc>\d{{5}}(?:-\d{{4}})?)\b(?![.,]\d)")
_STATE_WORDS = frozenset(w.lower() for w in re.findall(r"[A-Z][a-z]+$|[A-Z][a-z]+(?=\|)",
                                                          _STATE_NAMES))
_EIRCODE = re.compile(r"[ \t,]+(?P<pc>(?:[AC-FHKNPRTV-Y]\d\d|D6W)[ \t]?"
                      r"(?=[0-9AC-FHKNPRTV-Y]*\d)(?=[0-9AC-FHKNPRTV-Y]*[A-Z])[0-9AC-FHKNPRTV-Y]{4})\b")


def find(text: str, found: list[Span], places: Sequence[Span] = ()) -> list[Span]:
    """ADDRESS spans of the lines above a postcode that the other detectors
    found, of a number and street before a town and postcode, of rural
    routes, numbered roads and floors; PLACE spans of the town and the
    state or province in a block."""
    out: list[Span] = []
    done = set()
    runs = letter_runs(text, any_text=True)   # (the note's words, read once by every detector)
    if runs is None or not _STATE_WORDS.isdisjoint(runs[1]):
        zips = []
        for a, b in all_digit_runs(text):
            m = _STATE_ZIP.search(text, max(0, a - 18), b + 6) if b - a == 5 else None
            if m and m.start("pc") == a:
                zips.append(Span(a, m.end("pc"), "POSTCODE"))
        out += zips
        found = found + zips
    for s in found:
        if s.kind != "POSTCODE" and not (s.kind == "PLACE" and text[s.start].isdigit()) \
                or s.end in done:
            continue
        done.add(s.end)
        stop = text.find("\n", s.end)
        if not text[s.end:len(text) if stop < 0 else stop].strip(" \t.;,"):
            _block(text, s.end, out)
        m = _INLINE.search(text, max(0, s.start - 80), s.start)
        if m:
            out.append(Span(m.start("a"), m.end("a"), "ADDRESS"))
            _places(m, out)
        m = _PROVINCE.search(text, max(0, s.start - 6), s.start)
        if m:
            out.append(Span(m.start("st"), m.end("st"), "PLACE"))
    for s in places:
        # (an Eircode's routing key: a letter and two digits, after ", " or " ")
        if s.kind == "PLACE" and (text[s.end + 2:s.end + 4].isdigit()
                                  or text[s.end + 3:s.end + 5].isdigit()) \
                and (m := _EIRCODE.match(text, s.end)):
            out.append(Span(m.start("pc"), m.end("pc"), "POSTCODE"))
    if runs is None or not _RURAL_WORDS.isdisjoint(runs[0]):
        out += [Span(m.start(), m.end(), "ADDRESS") for m in _RURAL.finditer(text)]
    if runs is None or not _ROAD_WORDS.isdisjoint(runs[0]):
        out += [Span(m.start(), m.end(), "ADDRESS") for m in _ROAD.finditer(text)]
    if "loor," in text:
        out += [Span(m.start(), m.end(), "ADDRESS") for m in _FLOOR.finditer(text)]
    return out


def _places(m: re.Match[str], out: list[Span]) -> None:
    if m["town"]:
        out.append(Span(m.start("town"), m.end("town"), "PLACE"))
    if m["st"] and m["st"] in _STATES:
        out.append(Span(m.start("st"), m.end("st"), "PLACE"))


def _block(text: str, end: int, out: list[Span]) -> None:
    """The block whose postcode ends at `end`, if its line is a last line:
    kept when an address line stands above it, or its line has a town and
    a state ("Brandon, MB R7A 5Y3")."""
    start = text.rfind("\n", 0, end) + 1
    stop = text.find("\n", end)
    last = _LAST_LINE.fullmatch(text, start, len(text) if stop < 0 else stop)
    if last is None:
        return
    found: list[Span] = []
    _places(last, found)
    town = last["town"]
    lines = 0
    for i in range(4):
        if start == 0:
            break
        prev = text.rfind("\n", 0, start - 1) + 1
        if i == 0 and not town:
            t = _TOWN_LINE.fullmatch(text, prev, start - 1)
            if t is None or not t["town"] or _ADDRESS_LINE.match(text, prev, start - 1) \
                    or t["st"] is not None and t["st"] not in _STATES:
                return
            _places(t, found)
            start, town = prev, t["town"]
            continue
        line = _ADDRESS_LINE.fullmatch(text, prev, start - 1)
        if line is None or _SENTENCE.search(text, prev, start - 1):
            break
        found.append(Span(line.start("a"), line.end("a"), "ADDRESS"))
        lines += 1
        start = prev
    if lines or last["town"] and last["st"] in _STATES:
        out += found
