"""A discharge summary written the way templates write it, in Title Case
(tenth session): "CXR with Pulmonary Vascular Congestion", "Sister with
Breast Cancer", "Rate controlled with Metoprolol Succinate" were taken for
firms after "with"; "Brief Hospital Course" and "Major Surgical or
Invasive Procedure" for organisations by their head word; "on RA. Labs
notable" for "RA Labs"; "Paroxysmal Atrial Fibrillation", "CKD IIIb",
"Sulfa (Sulfonamide Antibiotics)" and "AAOx3" for names and codes. A discharge summary of 515 words written
for the probe had 32 stretches changed; it has none now."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from vault.text import lexicon
from vault.text.anonymize import Anonymizer, Person

JONES = Person(("Katherine Jones",), "Client-0001")
LINES = (
    "CXR with Pulmonary Vascular Congestion and Bilateral Pleural Effusions, R>L.",
    "Family History: Mother with CHF, Sister with Breast Cancer.",
    "Afib: Rate controlled with Metoprolol Succinate; continued Apixaban 5 mg BID.",
    "Diuresed with IV Furosemide, transitioned to Torsemide 40 mg daily.",
    "Past Medical History: Heart Failure with Preserved Ejection Fraction; Paroxysmal "
    "Atrial Fibrillation; CKD IIIb.",
    "Brief Hospital Course: # Acute on Chronic HFpEF Exacerbation.",
    "Major Surgical or Invasive Procedure: Right heart catheterization.",
    "SpO2 91% on RA. Labs notable for BNP 2,340.",
    "Allergies: Penicillins / Sulfa (Sulfonamide Antibiotics)",
    "Neuro: AAOx3, non-focal.",
    "Discharge Disposition: Home With Service",
)


@settings(max_examples=60, deadline=None)
@given(line=st.sampled_from(LINES), offset=st.integers(-180, -1))
def test_a_discharge_summarys_lines_are_left(line, offset):
    assert Anonymizer([JONES]).text(line, day_offset=offset) == line


def test_firms_after_with_and_before_a_head_are_still_replaced():
    anonymizer = Anonymizer([JONES])
    for text, firm in (("Works as a line cook at The Copper Kettle on Main.", "Copper"),
                       ("Banks with Summit Credit Union.", "Summit"),
                       ("Admitted to Mercy Hospital on Tuesday.", "Mercy"),
                       ("ST. BRENDAN'S HOSPITAL\nDISCHARGE SUMMARY", "BRENDAN"),
                       ("Clients: HCL, Infosys. Registered office in Pune.", "HCL")):
        assert firm not in anonymizer.text(text, day_offset=-40), text


def test_drug_stems_are_clinical_words_but_names_are_not():
    for word in ("metoprolol", "lisinopril", "losartan", "atorvastatin", "pantoprazole",
                 "empagliflozin", "furosemide", "paroxysmal", "pleural", "cardiorenal"):
        assert lexicon.is_ordinary(word) and lexicon.is_clinical(word), word
    for word in ("copper", "iron", "camila"):
        assert not lexicon.is_clinical(word), word


def test_a_firm_named_by_clinical_words_and_a_head_is_still_replaced():
    anonymizer = Anonymizer([JONES])
    for text, firm in (("Referred to Acute Care Partners.", "Acute"),
                       ("Referred to Chronic Pain Associates.", "Chronic"),
                       ("Referred to Primary Health Partners for follow up.", "Primary")):
        assert firm not in anonymizer.text(text, day_offset=-40), text


def test_a_firm_with_one_clinical_word_after_a_cue_is_still_replaced():
    anonymizer = Anonymizer([JONES])
    for text, firm in (("Works at Cardiac Solutions now.", "Solutions"),
                       ("Works for Renal Dynamics since May.", "Dynamics")):
        assert firm not in anonymizer.text(text, day_offset=-40), text
