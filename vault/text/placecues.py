"""Cues around a capitalised word that say whether it is a person, a place
or a firm (issue 14, ninth session), for `gazetteer` and `firms`: a title
or a kin word before it ("Dr. Haines", "her son Arthur": a surname), a
move or a trip before "to" or "from" ("moved to Ohio": a place), a
compass word before a town ("Northeast Portland"), a state and a ZIP code
after a town ("Portland OR 97216"). Pure, no I/O.
"""

from __future__ import annotations

import re

from . import addresses, lexicon

TITLE_BEFORE = re.compile(rf"(?<![\w.])(?:(?:{lexicon.TITLES}|DR|MR|MRS|MS)\.?|(?i:son|"
                           r"daughter|wife|husband|brother|sister|mother|father|nephew|niece|"
                           r"grandson|granddaughter|cousin|friend|boss|law|aunt|uncle|partner|"
                           r"boyfriend|girlfriend|grandma|grandpa|stepson|stepdaughter))[ \t]+\Z")
STATES = addresses._STATES
# A move or a trip, then "to" or "from": a place follows, not a firm.
MOVED = re.compile(r"(?i:moved|moving|moves|relocat\w*|travell?ed|travell?ing|trip|flew|flying|"
                   r"drove|went|back|return\w*|visit\w*|emigrated|immigrated|came|coming|"
                   r"arrived|fled|deported|holiday|vacation|originally|commut\w*|is|are|was|were)"
                   r"[ \t]+(?:to|from)[ \t]+\Z")
COMPASS = frozenset("north south east west northeast northwest southeast southwest "
                     "central upstate downstate inner outer greater".split())
ZIP_NEXT = re.compile(r"[ \t,]+\d{5}(?:-\d{4})?\b")
