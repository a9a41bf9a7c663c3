"""People and places by the packaged gazetteers (`lexicon`): one pass over
the capitalised words of a text, in runs ("Salt Lake City", "Karen
Jennings"), each word's kind (a name, a place, an ordinary word, an
abbreviation) looked up once and cached. Names and places that the lists
know and that are not ordinary words, or are but stand next to a name,
or after a cue ("in Reading", "at BMC"). Split from `people`, which finds
names by their context; pure functions, no I/O but the lists' first read."""

from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon
from .firms import (_HOLIDAY, _LEADING, not_a_firm, _RANKS, _a_label_or_credential, a_cue_char,
                    _an_acronym, _before_a_holding, _bracketed, _cue_in_a_sentence, _firm,
                    _firm_run, _holdings_in, _mid_sentence, _prev_word)
from .lexicon import STOP, is_name, is_ordinary, key
from .placecues import COMPASS, MOVED, STATES, TITLE_BEFORE, ZIP_NEXT
from .span import Span, has_word

_UP = "A-ZÀ-ÖØ-Þ"
# A capitalised word, with its apostrophes and hyphens: "O'Brien", "Smith-Jones" (at most 8 parts:
_CAP = re.compile(rf"[{_UP}](?<![^\W_][{_UP}])[^\W\d_]*(?:['’][{_UP}][^\W\d_]*|-[^\W\d_]+){{0,8}}"
                  r"(?![\w@-])")   # unbounded, "AA-AA-..." was read to its end from each part)
_ORG_CUE = frozenset(
    "at with joined join joining via through employer works worked working to from "
    "company firm bank account shop store app platform".split())
_ACRONYM_CUE = frozenset(
    "at from joined join via through employer works worked working transferred "
    "admitted attends attended studied".split())
_PLACE_CUE = frozenset(
    "in from to near at outside around visiting moved lives living born towards toward "
    "via between of into across".split())


def find_gazetteer(text: str) -> list[Span]:
    """Capitalised words (and runs of them) that the name and place lists
    know and that are not ordinary words, or are but stand next to a name."""
    out: list[Span] = []
    run: list[re.Match[str]] = []
    ranks = has_word(text, _RANKS)
    holds = ranks or _holdings_in(text)
    quiet = _quiet_alone
    end = 0   # where the run's last word ends
    initial = False   # that word is one letter
    for m in _CAP.finditer(text):
        at = m.start()
        # (a run goes on across " " and "-", and across ". " after an initial)
        if run and not ((gap := text[end:at]) == " " or gap == "-" or gap == ". " and initial):
            first = run[0]
            start = first.start()
            # (most runs: one quiet word with no cue before it and nothing
            # after it that a firm holds; no call for them)
            if len(run) > 1 or holds or not quiet(first[0]) or start and (
                    text[start - 1] == "(" or text[start - 1] == " " and start > 1
                    and a_cue_char(text[start - 2])):
                out += _run(text, run, ranks, holds)
            run = []
        run.append(m)
        end = m.end()
        initial = end - at == 1
    if run:
        out += _run(text, run, ranks, holds)
    return out


def _run(text: str, run: list[re.Match[str]], ranks: bool, holds: bool) -> list[Span]:
    """What one run of capitalised words names."""
    if len(run) > 1 and run[-1][0] in STATES and ZIP_NEXT.match(text, run[-1].end()):
        # ("Portland OR 97216": a town and its state, not a person's name)
        state = Span(run[-1].start(), run[-1].end(), "PLACE")
        return [state] + [s if s.kind != "PERSON" or len(run) > 2 else Span(s.start, s.end, "PLACE")
                          for s in _run(text, run[:-1], ranks, holds)]
    first = run[0]
    end = run[-1].end()
    after = text[end:end + 1]
    if len(run) == 1:
        start = first.start()
        if after == ")" and start and text[start - 1] == "(":
            found = _bracketed(first[0])
            if found == "ORG" and _prev_word(text, start - 1) in _LEADING:
                found = "PERSON"   # ("Son (Mikey)": a name after kin or a title)
            if found:
                return [Span(start, end, found)]
        out = _firm(text, first) if _quiet_alone(first[0]) else _classify(text, run) or (
            _firm(text, first) if first[0][1:].islower() and not is_name(key(first[0])) else [])  # "with Beacon"
    else:
        out = _classify(text, run)
        start = first.start()
        if start > 2 and text[start - 1] == " " and a_cue_char(text[start - 2]):
            # (a cue can stand right before the run)
            if _quiet_alone(first[0]):
                out += _firm(text, first)
            out += _firm_run(text, run)
    if holds and (after == " " or after == "\t" or len(run) > 1):
        out += _before_a_holding(text, run, ranks)
    return out


@lru_cache(maxsize=50_000)
def _quiet_alone(word: str) -> bool:
    """_classify finds nothing in `word` alone, whatever stands around it
    ("The", "Discussed", most capitalised words of a note): a cached answer
    saves the lookups of _classify for every one of them."""
    # _classify's branches for a run of one word: only the kind "" finds
    # nothing, and only if no cue before the word can make it an
    # organisation ("at BMC") or a place ("in Reading").
    if len(word) < 2:
        return True   # an initial, or a letter: nothing alone
    k, acronym, kind = _word_kind(word, True)
    return not acronym and kind == "" and not (
        k in lexicon.places() and len(word) > 2 and k not in STOP
        and k not in lexicon.CALENDAR)


@lru_cache(maxsize=100_000)
def _word_kind(word: str, alone: bool) -> tuple[str, bool, str]:
    """(key, whether a cue before it makes it an organisation, kind) of a
    capitalised word in a run of capitalised words (`alone`: a run of one):
    what _classify needs from the word lists, cached per word."""
    k = key(word)
    vocabulary = lexicon.vocabulary()
    ordinary = is_ordinary(k) or (word.isupper() and k in vocabulary)
    # "at BMC", "from UCD": an organisation if a cue comes before it
    acronym = word.isupper() and k not in vocabulary and not is_ordinary(k) \
        and not lexicon.is_abbreviation(k)   # ("from NSR", "at LTACH": a term)
    if word.isupper() and len(word) <= 3:
        return k, acronym, ""   # "SI", "ROM", "OB": abbreviations, not names
    name = is_name(k) and k not in lexicon.FUNCTION
    places = lexicon.places()
    if word.isupper() and alone and (len(word) < 5 or k in vocabulary):
        kind = ""   # "IBAN", "NASA": one word in capitals, no context
    elif name and not ordinary and k in places and alone:
        kind = "place"   # "Leeds", "Houston": a town before a surname
    elif name and not ordinary:
        kind = "name"
    elif name:
        kind = "weak"
    elif k in places and not ordinary:
        kind = "place"
    elif not ordinary and k not in STOP and not lexicon.is_abbreviation(k):
        kind = "unknown"   # ("Sch C", "Adm": abbreviations name nobody)
    else:
        kind = ""
    return k, acronym, kind


def _classify(text: str, run: list[re.Match[str]]) -> list[Span]:
    """Names and places in one run of capitalised words."""
    words = tuple([m[0] for m in run])
    node = _CLASSIFIED.get(words)
    # Replay what an earlier run of the same words asked about the text
    # around it: the same answers lead to the same spans.
    while isinstance(node, tuple):
        question, answers = node
        node = answers.get(_ask(text, run, question))
    if node is None:
        context = _Context(text, run)
        node = _classify_words(words, context)
        _remember(words, context.asked, node)
    return [Span(run[i].start(), run[j].end(), kind) for i, j, kind in node]


# (first word, last word, kind) of each span of a run of capitalised words,
# by its words: a list when the words alone decide, else a question about
# the text around the run and the next node for each answer seen so far.
_Node = list[tuple[int, int, str]] | tuple[tuple[str, int], dict[object, "_Node"]]
_CLASSIFIED: dict[tuple[str, ...], _Node] = {}
_remembered = 0


def _remember(words: tuple[str, ...], asked: list[tuple[tuple[str, int], object]],
              found: list[tuple[int, int, str]]) -> None:
    global _remembered
    if _remembered > 100_000:
        _CLASSIFIED.clear()
        _remembered = 0
    _remembered += 1
    node: _Node = found
    for question, answer in reversed(asked):
        node = (question, {answer: node})
    at: dict = _CLASSIFIED
    slot: object = words
    for question, answer in asked:
        here = at.get(slot)
        if here is None:
            break
        # (the same words with the same answers so far ask the same question)
        assert type(here) is tuple and here[0] == question
        at, slot = here[1], answer
        assert isinstance(node, tuple)   # (built above: a question for each answer)
        node = node[1][answer]
    at[slot] = node


def _ask(text: str, run: list[re.Match[str]], question: tuple[str, int]) -> object:
    """The answer to one of _Context's questions about word i of the run."""
    what, i = question
    m = run[i]
    if what == "prev_word":
        return _prev_word(text, m.start())
    if what == "mid_sentence":
        return _mid_sentence(text, m.start())
    if what == "cue_in_a_sentence":
        return _cue_in_a_sentence(text, m.start())
    if what == "label_or_credential":
        return _a_label_or_credential(text, m)
    if what == "after":
        return text[m.end():m.end() + 3]
    if what == "moved":
        return MOVED.search(text, max(0, m.start() - 24), m.start()) is not None
    if what == "titled":
        return TITLE_BEFORE.search(text, max(0, m.start() - 15), m.start()) is not None
    assert what == "before"
    return text[m.start() - 3:m.start()]


class _Context:
    """What _classify_words may know of the text around a run: answers to
    questions about its words (by index), each recorded in `asked`."""
    __slots__ = ("text", "run", "asked")

    def __init__(self, text: str, run: list[re.Match[str]]) -> None:
        self.text, self.run = text, run
        self.asked: list[tuple[tuple[str, int], object]] = []

    def _ask(self, what: str, i: int) -> object:
        answer = _ask(self.text, self.run, (what, i))
        self.asked.append(((what, i), answer))
        return answer

    def prev_word(self, i: int) -> str:
        return self._ask("prev_word", i)  # type: ignore[return-value]

    def mid_sentence(self, i: int) -> bool:
        return self._ask("mid_sentence", i)  # type: ignore[return-value]

    def cue_in_a_sentence(self, i: int) -> bool:
        return self._ask("cue_in_a_sentence", i)  # type: ignore[return-value]

    def label_or_credential(self, i: int) -> bool:
        return self._ask("label_or_credential", i)  # type: ignore[return-value]

    def moved(self, i: int) -> bool:
        """Word i follows a move or a trip and "to" or "from" ("moved to Ohio")."""
        return self._ask("moved", i)  # type: ignore[return-value]

    def titled(self, i: int) -> bool:
        """A title stands right before word i ("Dr. Haines")."""
        return self._ask("titled", i)  # type: ignore[return-value]

    def after(self, i: int) -> str:
        """The three characters after word i."""
        return self._ask("after", i)  # type: ignore[return-value]

    def before(self, i: int) -> str:
        """The three characters before word i (as text[start - 3:start] reads)."""
        return self._ask("before", i)  # type: ignore[return-value]


def _classify_words(words: tuple[str, ...], context: _Context) -> list[tuple[int, int, str]]:
    """_classify's spans as (first word, last word, kind): from the words,
    and what `context` answers about the text around them."""
    places = lexicon.places()
    firsts = lexicon.first_names()
    out: list[tuple[int, int, str]] = []
    info, keys, multi, taken, cue_places = _words_of(list(words))
    # Places of two or three words first: "Salt Lake City", "New York".
    for i, size in multi:
        out.append((i, i + size - 1, "PLACE"))
    kinds = []
    for i, k in enumerate(keys):
        word = words[i]
        if taken[i] or len(word) < 2:
            # (an initial: a letter and a dot, not the M of "M.D.")
            kinds.append("initial" if len(word) == 1 and not taken[i]
                         and (after := context.after(i))[:1] == "." and after != ".D."
                         else "")
            continue
        _, acronym, kind = info[i]
        if kind == "place" and context.titled(i):
            kind = "name"   # ("Dr. Haines", "Mr. Portland": a surname)
        if acronym and (context.prev_word(i) in _ACRONYM_CUE
                        or _an_acronym(word) and not context.label_or_credential(i)) \
                or len(word) > 2 and word.isupper() and context.before(i) == "at " \
                and not lexicon.is_abbreviation(k):   # "a coach at CODA": a word too
            out.append((i, i, "ORG"))   # "at BMC", "from UCD"
            kinds.append("")
            continue
        kinds.append(kind)
    i = 0
    while i < len(words):
        if not kinds[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(words) and kinds[j + 1] and not taken[j + 1]:
            j += 1
        group = kinds[i:j + 1]
        strong = "name" in group
        pair = (len(group) >= 2 and group[0] in ("name", "weak") and keys[i] in firsts
                and group[1] in ("name", "weak", "unknown"))
        # (whether a lower-case word stands before: asked only when it
        # matters, after what the words alone decide)
        if not strong and not pair and group[0] == "weak" and keys[i] in firsts \
                and keys[i] not in lexicon.vocabulary() and keys[i] not in STOP \
                and not words[i].isupper() and context.mid_sentence(i) \
                and not (i == j and keys[i] in places and context.prev_word(i) in _PLACE_CUE
                         and context.prev_word(i) not in ("at", "with", "of")):
            strong = True   # "her daughter Ivy": a capitalised name mid-sentence (not "in Newton")
        if not strong and not pair and i == j and not words[i].isupper() \
                and keys[i] not in lexicon.vocabulary() \
                and keys[i] not in STOP and not not_a_firm(keys[i]) and keys[i] not in _HOLIDAY \
                and keys[i] not in _LEADING \
                and context.mid_sentence(i) \
                and context.prev_word(i) in _ORG_CUE \
                and not (kinds[i] == "place" and context.prev_word(i) in ("to", "from")) \
                and not (kinds[i] == "unknown" and context.moved(i)) \
                and context.cue_in_a_sentence(i):
            # "from Boeing to Fidelity", "an account at Vanguard": a capitalised
            # word after "at", "with", "joined" names a firm even when it is a word.
            out.append((i, i, "ORG"))
            i += 1
            continue
        if not strong and not pair and "unknown" in group:
            # A capitalised word that is no word at all: a name, a place or
            # an organisation nobody listed ("Coinbase", "Haringey", "Kwame").
            cue = context.prev_word(i)
            kind = "PLACE" if cue in _PLACE_CUE and cue not in ("at", "of") else "ORG" \
                if cue in _ORG_CUE else "PERSON"
            if not all(words[t].isupper() for t in range(i, j + 1)):
                out.append((i, j, kind))
                i = j + 1
                continue
        if strong or pair:
            # Trim ordinary-only ends that are not names ("Seen" of "Seen Kessler").
            a, b = i, j
            while a < b and kinds[a] in ("unknown", "initial") and kinds[a + 1] == "initial":
                a += 1
            while a < b and keys[a] in _LEADING:
                a += 1   # "Officer Brannigan", "Son Greg": the title or kin word stays
            if kinds[a] == "place" and a == b:
                out.append((a, b, "PLACE"))
            else:
                out.append((a, b, "PERSON"))
        else:
            for t in range(i, j + 1):
                if kinds[t] == "place" or kinds[t] == "weak" and keys[t] in places:
                    if kinds[t] == "place" or context.prev_word(t) in _PLACE_CUE:
                        out.append((t, t, "PLACE"))
                elif kinds[t] == "unknown" and context.prev_word(t) in _PLACE_CUE \
                        and not words[t].isupper() and t == i:
                    out.append((t, j, "PLACE"))
                    break
        i = j + 1
    # Ordinary-word places after a cue ("in Reading", "from Mobile").
    for t in cue_places:
        if not kinds[t] and context.prev_word(t) in _PLACE_CUE:
            out.append((t, t, "PLACE"))
    return out


_Words = tuple[list[tuple[str, bool, str]], list[str], list[tuple[int, int]], list[bool],
               list[int]]
_RUNS: dict[tuple[str, ...], _Words] = {}


def _words_of(words: list[str]) -> _Words:
    """What _classify finds in a run's words alone, whatever stands around
    them, cached per run ("Jennifer Smith" recurs in every note about her):
    each word's kind, the keys, the places of two or three words (index,
    size), which words those take, and which words not taken may be a
    place after a cue ("in Reading"). `taken` is shared: read it only."""
    found = _RUNS.get(tuple(words))
    if found is not None:
        return found
    if len(_RUNS) > 50_000:
        _RUNS.clear()
    places = lexicon.places()
    alone = len(words) == 1
    info = [_word_kind(w, alone) for w in words]
    keys = [k for k, _, _ in info]
    taken = [False] * len(words)
    multi = []
    for size in (3, 2):
        for i in range(len(words) - size + 1):
            if not any(taken[i:i + size]) and " ".join(keys[i:i + size]) in places:
                multi.append((i, size))
                taken[i:i + size] = [True] * size
    for i in range(len(words) - 1):
        if keys[i] in COMPASS and not taken[i] and not taken[i + 1] and keys[i + 1] in places \
                and keys[i + 1] not in lexicon.CALENDAR and (i == 0 or keys[i - 1] not in places):
            multi.append((i, 2))   # ("Northeast Portland", "Greater Manchester")
            taken[i:i + 2] = [True, True]
    cue_places = [t for t, k in enumerate(keys)
                  if not taken[t] and k in places and len(words[t]) > 2 and k not in STOP
                  and k not in lexicon.CALENDAR]
    found = _RUNS[tuple(words)] = (info, keys, multi, taken, cue_places)
    return found
