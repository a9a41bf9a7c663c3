"""`vault redact --pii` finds the phone numbers the anonymized export finds
(issue 11: the two used separate detectors, and --pii missed these).

Covers, through the real CLI: a German number without a country code
(`030 901820`), an Australian mobile after a phone word (`mobile 0412 345
678`), a French number (`06 12 34 56 78`) and a fictional 555 number after
`tel:` (`tel: 555-0142`), each marked exactly in the --dry-run preview and
counted in the --json summary, with nothing changed; and, for the four in
one client's notes, that `--yes` replaces exactly the strings that
`export-anonymized` replaces with [PHONE].
"""

from __future__ import annotations

import json

import pytest

from ..checks import ok

CLIENT = "Victor Hale"

# (phone number as written, a note around it)
PHONES = [
    # No town names: the export replaces places since issue 14, --pii does not.
    ("030 901820", "Head office 030 901820, ask for the front desk."),
    ("0412 345 678", "New mobile 0412 345 678 since the move."),
    ("06 12 34 56 78", "Reach her at home on 06 12 34 56 78 in the evenings."),
    ("555-0142", "Crisis line tel: 555-0142, any time."),
]


def add(venv, text: str, *extra: str) -> int:
    return json.loads(ok(venv.run("add", CLIENT, "-m", text, "--json", *extra)).stdout)["note"]


def texts(venv) -> dict[int, str]:
    data = json.loads(ok(venv.run("view", CLIENT, "--json")).stdout)
    return {n["id"]: n["text"] for n in data["notes"]}


@pytest.mark.parametrize("phone,note", PHONES, ids=[p for p, _ in PHONES])
def test_dry_run_marks_the_phone_number_and_changes_nothing(vault_env, phone, note):
    add(vault_env, note, "--new")
    before = texts(vault_env)
    out = ok(vault_env.run("redact", CLIENT, "--pii", "--dry-run")).stdout
    assert note.replace(phone, f"⟦{phone}⟧") in out
    assert out.count("⟦") == 1
    summary = json.loads(ok(vault_env.run("redact", CLIENT, "--pii", "--dry-run",
                                          "--json")).stdout)
    assert summary["dry_run"] is True
    assert (summary["spans"], summary["characters"]) == (1, len(phone))
    assert texts(vault_env) == before


def test_redact_removes_what_the_export_replaces(vault_env):
    ids = [add(vault_env, note, *(["--new"] if i == 0 else []))
           for i, (_, note) in enumerate(PHONES)]
    exported = [json.loads(line)["text"] for line in ok(vault_env.run(
        "export-anonymized", "--dates", "keep")).stdout.splitlines()]
    assert sorted(exported) == sorted(note.replace(phone, "[PHONE]") for phone, note in PHONES)

    summary = json.loads(ok(vault_env.run("redact", CLIENT, "--pii", "--yes",
                                          "--json")).stdout)
    assert summary["spans"] == 4 and sorted(summary["notes"]) == sorted(ids)
    after = texts(vault_env)
    assert [after[i] for i in ids] == [note.replace(phone, "[REDACTED:PHONE]")
                                       for phone, note in PHONES]
    assert sorted(t.replace("[REDACTED:PHONE]", "[PHONE]") for t in after.values()) == \
        sorted(exported)
