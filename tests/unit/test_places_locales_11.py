"""Issue 14, eleventh session (h55): places and addresses as notes in South
Africa, India, New Zealand, Ireland, Australia and Canada write them
(vault/text/locales.py, the regions of org_words.txt's [known_places] in
lower case after a place word, the languages and words of vocabulary.txt).
Each form inside a line of the kind of note it comes from, through
`Anonymizer.text`; the lines next to them that must stay as they are; a
property over ordinary prose made of the words the rules look at.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault.text import locales
from vault.text.anonymize import Anonymizer, Person


def anon(text: str) -> str:
    a = Anonymizer([Person(("Harold Jennings",), "Client-0001")], region="US")
    return a.text(text, day_offset=37)


def gone(text: str, *secrets: str) -> str:
    out = anon(text)
    for secret in secrets:
        assert secret not in out, (secret, out)
    return out


@pytest.mark.parametrize(("text", "secrets"), [
    ("Property described as Erf 1234 Stellenbosch, transfer pending.", ("1234",)),
    ("Address: Stand 4471, Mamelodi East, Pretoria", ("4471",)),
    ("Plot at Portion 12 of Farm Rietvlei 101 near Midrand.", ("Rietvlei", "101")),
    ("Property at Survey No. 45/2, Hinjewadi.", ("45/2",)),
    ("Rural address: RD 2 Te Awamutu.", ("RD 2",)),
    ("Lives at RR 1, Antigonish, NS B2G 2K8.", ("RR 1",)),
    ("He stays at 45, 2nd Cross, 3rd Main, Indiranagar.", ("45", "2nd Cross")),
    ("Living at No. 7, 4th Main Road, Jayanagar.", ("7,", "4th Main")),
    ("Address: House 12, Street 4, Model Town, Lahore", ("House 12", "Street 4")),
    ("Address: C-12, Vasant Kunj, New Delhi 110070", ("C-12", "Vasant")),
    ("Apartment at 55 boul. René-Lévesque, Québec QC.", ("René", "Lévesque")),
    ("Address: 300 ch. de la Côte-des-Neiges, Montréal", ("Côte-des-Neiges",)),
    ("Farm at 4521 Concession Rd 6, Uxbridge, ON.", ("4521", "Rd 6", ", ON")),
    ("Lives at 12 Lakeshore Concession 3, Prince Edward County.", ("Lakeshore",)),
    ("She lives in Clondalkin, Dublin 22.", ("22",)),
    ("Address: Flat 2, 14 Oak Grove, Ranelagh, Dublin 6", ("Dublin 6",)),
    ("Site visit to 17 Harbour View Tce, Nelson.", ("Tce",)),
    ("Address: 45 Voortrekker Rd, Bellville, 7530", ("7530",)),
    ("Client's mother lives in Mthatha, Eastern Cape.", ("Eastern Cape",)),
    ("Moved from the Western Cape to Limpopo last year.", ("Western", "Limpopo")),
    ("Lives in Kimberley, Northern Cape.", ("Northern Cape",)),
    ("Client from Rustenburg, North West.", ("North West",)),
    ("Native place Madurai, Tamil Nadu.", ("Tamil", "Nadu")),
    ("Client resides at 88 Beach Road, Sea Point.", ("Sea Point",)),
    ("Whānau in Ōtaki and Kaikōura.", ("Ōtaki",)),
    ("Born in Ōamaru, raised in Dunedin.", ("Ōamaru",)),
    ("moved to khayelitsha after the fire.", ("khayelitsha",)),
    ("family is from tamil nadu originally.", ("tamil nadu",)),
    ("Seen with Summer, her daughter, in clinic.", ("Summer",)),
    ("Lives in Spring Hill with her mum.", ("Spring Hill",)),
    ("Near Charminar, old city area.", ("Charminar",)),
    ("Shop near Gandhi Chowk, Nagpur.", ("Gandhi", "Chowk")),
    ("Referred to St Mary's Day Hospital.", ("Mary",)),
])
def test_places_and_addresses_of_six_countries(text, secrets):
    gone(text, *secrets)


@pytest.mark.parametrize(("text", "kept"), [
    ("Native language Zulu; also speaks Xhosa and Afrikaans.", "Zulu; also speaks Xhosa and Afrikaans"),
    ("Whānau hui held; karakia opened the session.", "Whānau hui"),
    ("Eircode on file.", "Eircode"),
    ("He works FIFO out of Karratha.", "works FIFO"),
    ("Erf and transfer duties discussed as concepts.", "Erf and"),
    ("Protea flowers brought to session.", "Protea"),
    ("Jacaranda season reminds her of exams.", "Jacaranda"),
    ("Banksia and Wattle pictures in art therapy.", "Banksia"),
    ("RR 18, HR 72, BP 120/80 at rest.", "RR 18"),
    ("RR 16 Sats 98% on air.", "RR 16"),
    ("Stand 2 of the exercise: balance.", "Stand 2"),
    ("Stand up meeting at work stressful.", "Stand up"),
    ("Portion size discussed with dietitian.", "Portion size"),
    ("Survey No. response pending.", "Survey No."),
    ("Meet ON Friday about the plan.", "ON Friday"),
    ("Turned the TV ON. Then slept.", "ON."),
    ("Lives at Home, 4th Main concern is money.", "concern"),
    ("Dublin was discussed as a holiday idea in 2019.", "in 2019"),
    ("He moved from North West to South West of the ward.", "of the ward"),
    ("Discussed the route 3 times in session.", "route 3 times"),
    ("Lives in camden with her mum.", "with her mum"),
    ("Patient transferred from Ward 7 to ICU.", "from Ward 7 to ICU"),
    ("Moved to Ward 4B overnight.", "Ward 4B"),
    ("Holiday in Summer; returned Monday.", "in Summer"),
    ("Planning to sell the house in Spring.", "in Spring"),
    ("Worse in Winter, better in Summer.", "Worse in Winter, better in Summer"),
    ("Grew up in Foster Care, moved to Kinship Care at 12.", "Foster Care, moved to Kinship Care"),
    ("Moved from the Night Shift to Day Shift last year.", "Night Shift to Day Shift"),
    ("Near Charminar, old city area.", "Near "),
    ("Near Miss reported.", "Near Miss"),
])
def test_lines_that_stay(text, kept):
    assert kept in anon(text)


# -- must not fire on ordinary prose -------------------------------------------------

WORDS = ("the client was seen today and we discussed her plan for the next weeks "
         "Erf Stand Portion Survey No of Farm RD RR HR BP Cross Main Road Street House "
         "boul ch de la rue place route avenue Concession Rd Dublin ON North West Free "
         "State Cape Tce Oak View in to from near at lives moved address Plan Goal Sleep "
         "Mood Work Home").split()
NUMBERS = [str(n) for n in (1, 2, 3, 5, 12, 45, 120, 2019)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS + NUMBERS), min_size=3, max_size=25),
       st.sampled_from([" ", ", ", " - ", ". ", "\n"]))
def test_ordinary_prose_of_the_words_the_rules_look_at(words, sep):
    """Only an erf, stand or survey number with its number, a road number
    after a house number, a concession road with its number, a rural route
    before a town, or a Dublin district: no other address or place from
    these words alone."""
    text = sep.join(words)
    for span in locales.find(text, []):
        piece = text[span.start:span.end]
        assert any(c.isdigit() for c in piece), (text, piece)
        assert not piece.startswith(("HR", "BP")), (text, piece)
        if piece.startswith(("RR", "RD")):   # (only before a town: "Dublin" is one)
            assert text[span.end:].lstrip(" ,").startswith("Dublin"), (text, piece)
