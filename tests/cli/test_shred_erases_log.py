"""Issue 12: what a shred erases from the log.

Free text in log details that concerns a client (export destinations,
recipients and purposes, `export-anonymized` destinations, redaction
reasons) is sealed under the log keys of the clients concerned, kept in
their sealed records: `vault log` shows it while they exist, and
"(erased by shred)" once one of them is shredded; then no log detail the
passphrase opens names anything of that client.

Covers, each through the real CLI: `export -o` to a path holding a sentinel,
`export-anonymized -o` to one (with another client in the export, who
stays), `redact --reason` and `hold --reason` sentinels: present in `vault log
--json` before the shred (the JSON shape as before), absent after it from
`vault log --json` and from the raw vault files (the shred's secure delete);
the log still verifies; an entry about a client who stays keeps its text; a
redaction that changed nothing keeps no reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..checks import ok

BOB = "Bob Brook"
CAROL = "Carol Crane"
DAVE = "Dave Dune"
ERASED = "(erased by shred)"


@pytest.fixture
def office(vault_env):
    ok(vault_env.run("add", BOB, "-m", "bob talks about the harbour", "--new"))
    ok(vault_env.run("add", CAROL, "-m", "carol talks about the orchard", "--new"))
    ok(vault_env.run("add", DAVE, "-m", "dave talks about the orchard too", "--new"))
    return vault_env


def on_disk(venv) -> bytes:
    return b"".join(p.read_bytes() for p in (venv.path, Path(f"{venv.path}-wal"),
                                             Path(f"{venv.path}-shm"),
                                             Path(f"{venv.path}-journal")) if p.exists())


def log_text(venv) -> str:
    return ok(venv.run("log", "--json")).stdout


def entries(venv, action: str) -> list[dict]:
    return [e for e in json.loads(log_text(venv)) if e["action"] == action]


def shred(venv, name: str) -> None:
    ok(venv.run("shred", name, "--yes"))
    ok(venv.run("log", "verify"))


def gone(venv, *sentinels: str) -> None:
    text, raw = log_text(venv), on_disk(venv)
    for s in sentinels:
        assert s not in text, s
        assert s.encode() not in raw and s.encode("utf-16-le") not in raw, s


def test_an_export_path_is_erased_from_the_log_by_a_shred(office, tmp_path):
    target = tmp_path / "bob-brook-SSN-123-45-6789.md"
    ok(office.run("export", BOB, "-o", str(target), "--yes",
                  "--recipient", "Bob's lawyer Quimby", "--purpose", "harbour claim"))
    (entry,) = entries(office, "export")
    # while Bob exists: the entry as it always was
    assert entry["detail"]["destination"] == str(target)
    assert (entry["recipient"], entry["purpose"]) == ("Bob's lawyer Quimby", "harbour claim")
    assert set(entry["detail"]) == {"notes", "format", "destination", "disclosure",
                                    "recipient", "purpose"}
    assert "SSN-123-45-6789" not in on_disk(office).decode("latin-1")
    shred(office, BOB)
    gone(office, "SSN-123-45-6789", "bob-brook", "Quimby", "harbour claim")
    (entry,) = entries(office, "export")
    assert entry["detail"]["destination"] == ERASED
    assert (entry["recipient"], entry["purpose"]) == (ERASED, ERASED)
    assert entry["detail"]["notes"] and entry["detail"]["format"] == "md"


def test_an_anonymized_export_path_naming_a_client_is_erased_by_her_shred(office, tmp_path):
    named = tmp_path / "Carol Crane supervision.md"
    ok(office.run("export-anonymized", CAROL, DAVE, "-o", str(named),
                  "--purpose", "Carol's supervision"))
    other = tmp_path / "dave-only-orchard.md"
    ok(office.run("export-anonymized", DAVE, "-o", str(other)))
    first, second = entries(office, "export-anonymized")
    assert first["detail"]["destination"] == str(named)
    assert first["purpose"] == "Carol's supervision"
    shred(office, CAROL)
    gone(office, "Carol Crane supervision", "Carol's supervision")
    first, second = entries(office, "export-anonymized")
    # the entry concerned Carol too: erased, though Dave stays
    assert first["detail"]["destination"] == ERASED and first["purpose"] == ERASED
    assert first["detail"]["notes"] == 2
    # an entry about Dave alone keeps its text
    assert second["detail"]["destination"] == str(other)
    disclosed = json.loads(ok(office.run("log", "--client", DAVE, "--disclosures",
                                         "--json")).stdout)
    assert [e["detail"]["destination"] for e in disclosed] == [ERASED, str(other)]


def test_a_redact_reason_is_erased_by_a_shred(office):
    ok(office.run("redact", BOB, "--text", "harbour", "--reason",
                  "Bob Brook asked, ticket RR-4471", "--yes"))
    (entry,) = entries(office, "redact")
    assert entry["detail"]["reason"] == "Bob Brook asked, ticket RR-4471"
    shred(office, BOB)
    gone(office, "RR-4471", "Bob Brook asked")
    (entry,) = entries(office, "redact")
    assert entry["detail"]["reason"] == ERASED and entry["detail"]["spans"] == 1


def test_a_redact_reason_of_a_client_who_stays_is_kept(office):
    ok(office.run("redact", "--everywhere", "--text", "orchard", "--reason",
                  "orchard sweep OS-19", "--yes"))
    shred(office, BOB)   # not concerned by the redaction
    (entry,) = entries(office, "redact")
    assert entry["detail"]["reason"] == "orchard sweep OS-19"


def test_a_redaction_that_changed_nothing_keeps_no_reason(office):
    ok(office.run("redact", "--everywhere", "--text", "no such words", "--reason",
                  "nothing to see NS-7", "--yes"))
    (entry,) = entries(office, "redact")
    assert entry["detail"]["reason"] is None and entry["detail"]["notes"] == []
    assert "NS-7" not in log_text(office)


def test_a_hold_reason_is_erased_by_a_shred(office):
    ok(office.run("hold", BOB, "--reason", "Subpoena HX-5521 for Bob Brook"))
    assert "HX-5521" not in log_text(office)   # the log keeps only its length
    ok(office.run("release", BOB))
    shred(office, BOB)
    gone(office, "HX-5521", "Subpoena")
