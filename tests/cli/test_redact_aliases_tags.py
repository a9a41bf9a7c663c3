"""Issue 12: `redact --text` also strikes matching aliases, and reports tags
that match.

Covers, through the real CLI: `redact --everywhere --text "Tom Tailor"` strikes
the text from every note and the alias "Tom Tailor" from the client record
that has it (a relation alias of another client too), so the next
`export-anonymized` no longer knows the name as an alias; an alias that
matches with no note matching is struck as well; `--dry-run` and the JSON
report count the aliases and change nothing; a client under legal hold with
only a matching alias refuses the whole redaction (exit 6); `--note` and
`--pattern` leave aliases alone; tags that match are reported (stderr and
`tags_matched` in `--json`) and left as they are; the log entry counts them;
the vault checks and its log verifies afterwards.
"""

from __future__ import annotations

import json

import pytest

from ..checks import code, ok

BOB = "Bob Brook"
CAROL = "Carol Crane"
TOM = "Tom Tailor"


@pytest.fixture
def office(vault_env):
    ok(vault_env.run("add", BOB, "-m", "Bob met Tom Tailor at the harbour", "--new",
                     "--tag", "tailor"))
    ok(vault_env.run("add", CAROL, "-m", "carol talks about her garden", "--new"))
    ok(vault_env.run("alias", "add", BOB, TOM))
    ok(vault_env.run("alias", "add", CAROL, "Tom  tailor", "--relation", "neighbour"))
    ok(vault_env.run("alias", "add", CAROL, "Cee"))
    return vault_env


def aliases(venv, name: str) -> list[str]:
    rows = json.loads(ok(venv.run("alias", "list", name, "--json")).stdout)["aliases"]
    return [r["alias"] for r in rows]


def texts(venv, name: str) -> list[str]:
    return [n["text"] for n in json.loads(ok(venv.run("view", name, "--json")).stdout)["notes"]]


def test_redact_everywhere_text_strikes_matching_aliases(office):
    result = ok(office.run("redact", "--everywhere", "--text", TOM, "--yes"))
    assert "removed 1 span(s)" in result.stderr
    assert "removed 2 matching alias(es)" in result.stderr
    assert aliases(office, BOB) == []
    assert aliases(office, CAROL) == ["Cee"]
    assert TOM not in texts(office, BOB)[0]
    out = ok(office.run("export-anonymized", "--dates", "keep")).stdout
    assert TOM not in out
    ok(office.run("check"))
    ok(office.run("log", "verify"))
    (entry,) = [e for e in json.loads(ok(office.run("log", "--json")).stdout)
                if e["action"] == "redact"]
    assert entry["detail"]["aliases"] == 2 and entry["clients"] == 2


def test_an_alias_that_matches_is_struck_even_when_no_note_does(office):
    ok(office.run("alias", "add", CAROL, "Zed Quill"))
    result = ok(office.run("redact", "--everywhere", "--text", "Zed Quill", "--yes",
                           "--json"))
    reply = json.loads(result.stdout)
    assert reply["notes"] == [] and reply["aliases"] == 1
    assert aliases(office, CAROL) == ["Tom tailor", "Cee"]
    ok(office.run("check"))


def test_dry_run_counts_aliases_and_changes_nothing(office):
    result = ok(office.run("redact", "--everywhere", "--text", TOM, "--dry-run", "--json"))
    reply = json.loads(result.stdout)
    assert reply["dry_run"] is True and reply["aliases"] == 2
    assert aliases(office, BOB) == [TOM]
    human = ok(office.run("redact", "--everywhere", "--text", TOM, "--dry-run"))
    assert "would remove 2 matching alias(es)" in human.stderr


def test_a_held_client_whose_alias_matches_refuses_the_redaction(office):
    ok(office.run("hold", CAROL, "--reason", "audit"))
    code(office.run("redact", "--everywhere", "--text", TOM, "--yes"), 6)
    assert aliases(office, CAROL) == ["Tom tailor", "Cee"]
    assert aliases(office, BOB) == [TOM]
    assert TOM in texts(office, BOB)[0]


def test_note_and_pattern_leave_aliases_alone(office):
    note = json.loads(ok(office.run("view", BOB, "--json")).stdout)["notes"][0]["id"]
    ok(office.run("redact", BOB, "--note", str(note), "--text", TOM, "--yes"))
    assert aliases(office, BOB) == [TOM]
    ok(office.run("redact", "--everywhere", "--pattern", "Tom Tailor", "--yes"))
    assert aliases(office, BOB) == [TOM]


def test_tags_that_match_are_reported_not_changed(office):
    result = ok(office.run("redact", BOB, "--text", "tailor", "--yes"))
    assert "1 tag(s) also match and are not changed by redact: note 1 #tailor" \
        in result.stderr
    notes = json.loads(ok(office.run("view", BOB, "--json")).stdout)["notes"]
    assert notes[0]["tags"] == ["tailor"]
    reply = json.loads(ok(office.run("redact", BOB, "--text", "tailor", "--dry-run",
                                     "--json")).stdout)
    assert reply["tags_matched"] == [{"note": 1, "tag": "tailor"}]
    entry = [e for e in json.loads(ok(office.run("log", "--json")).stdout)
             if e["action"] == "redact"][-1]
    assert entry["detail"]["tags_matched"] == 1
