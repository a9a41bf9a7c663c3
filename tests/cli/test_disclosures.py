"""Disclosures an auditor would accept (issue 15 items 9 and 10): `vault
export` and `vault export-anonymized` take --recipient and --purpose, sealed
in the log entry's detail, and `vault log --client X --disclosures` shows
them; `redact` previews and search hits count as disclosures.

Covers: both options recorded in the `export` / `export-anonymized` detail
(only when given, so an export without them is logged as before) and never
in the vault file as plaintext; `log --json` rows gain `recipient` and
`purpose` (null when absent and for every other action) without losing a
key; the --disclosures table gains two columns after `action`, printed
literally; blank text means none; bad text (control or invisible
characters, over 200 characters) is exit 2 with its message, before
anything is read, written or logged; `redact --dry-run` and a redact that
previews on a terminal are counted for the clients whose text it showed,
`search` for the clients it found, and neither for anyone else; on a
terminal, a missing recipient and purpose are asked for (after export's
confirmation; never with --yes, never when given, Enter leaving them empty)
and a bad answer is exit 2 with nothing exported.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..checks import assert_one_error_line, code, db, ok
from .test_terminal import run_on_tty

ALICE = "Alice Whitcombe"
BOB = "Bob Ferrante"
RECIPIENT = "Dr. Müller, [bold]Appeals[/bold] Board"
PURPOSE = "court order 2024-117 \\n not an escape"


@pytest.fixture
def office(vault_env):
    ok(vault_env.run("add", ALICE, "-m", "quokka intake, sleep poor", "--new"))
    ok(vault_env.run("add", ALICE, "-m", "quokka second session"))
    ok(vault_env.run("add", BOB, "-m", "rhubarb first visit", "--new"))
    return vault_env


def log_json(venv, *args) -> list[dict]:
    return json.loads(ok(venv.run("log", *args, "--json")).stdout)


def disclosures(venv, name: str) -> list[dict]:
    return log_json(venv, "--client", name, "--disclosures")


def log_count(venv) -> int:
    with db(venv) as conn:
        return conn.execute("SELECT count(*) FROM log").fetchone()[0]


def on_disk(venv) -> bytes:
    return b"".join(p.read_bytes() for p in (venv.path, Path(f"{venv.path}-wal"),
                                             Path(f"{venv.path}-shm")) if p.exists())


# -- recorded, sealed, shown -----------------------------------------------------------

def test_export_records_recipient_and_purpose(office):
    ok(office.run("export", ALICE, "--yes", "--recipient", RECIPIENT, "--purpose", PURPOSE))
    [entry] = disclosures(office, ALICE)
    assert entry["action"] == "export"
    assert entry["recipient"] == RECIPIENT and entry["purpose"] == PURPOSE
    assert entry["detail"]["recipient"] == RECIPIENT
    assert entry["detail"]["purpose"] == PURPOSE
    assert entry["detail"]["disclosure"] is True
    # the log row keeps every key it had, and gains two
    assert list(entry) == ["seq", "time", "action", "via", "signed", "clients", "detail",
                           "recipient", "purpose"]
    assert disclosures(office, BOB) == []


def test_recipient_and_purpose_are_sealed(office):
    ok(office.run("export", ALICE, "--yes", "--recipient", "Zebulon Quarterfield",
                  "--purpose", "xylophone-audit"))
    raw = on_disk(office)
    assert b"Zebulon" not in raw and b"xylophone" not in raw
    ok(office.run("log", "verify"))


def test_export_anonymized_records_them_for_every_client_exported(office):
    ok(office.run("export-anonymized", "--recipient", "Research team B",
                  "--purpose", "supervision"))
    for name in (ALICE, BOB):
        [entry] = disclosures(office, name)
        assert entry["action"] == "export-anonymized"
        assert (entry["recipient"], entry["purpose"]) == ("Research team B", "supervision")
    ok(office.run("export-anonymized", BOB, "--purpose", "teaching"))
    assert [(e["recipient"], e["purpose"]) for e in disclosures(office, BOB)] == \
        [("Research team B", "supervision"), (None, "teaching")]
    assert len(disclosures(office, ALICE)) == 1


def test_without_them_the_entry_is_logged_as_before(office):
    ok(office.run("export", ALICE, "--yes"))
    ok(office.run("export", ALICE, "--yes", "--recipient", "  ", "--purpose", ""))
    for entry in disclosures(office, ALICE):
        assert entry["recipient"] is None and entry["purpose"] is None
        assert set(entry["detail"]) == {"notes", "format", "destination", "disclosure"}


def test_whitespace_is_collapsed_like_a_name(office):
    ok(office.run("export", ALICE, "--yes", "--recipient", "  Jane\n  Roe\tesq. "))
    assert disclosures(office, ALICE)[0]["recipient"] == "Jane Roe esq."


def test_every_log_row_has_the_two_keys(office):
    ok(office.run("export", ALICE, "--yes", "--recipient", "Jane"))
    rows = log_json(office)
    assert all({"recipient", "purpose"} <= set(r) for r in rows)
    assert {r["recipient"] for r in rows if r["action"] != "export"} == {None}
    assert [r["recipient"] for r in rows if r["action"] == "export"] == ["Jane"]


def test_the_disclosures_table_shows_them_literally(office):
    ok(office.run("export", ALICE, "--yes", "--recipient", RECIPIENT, "--purpose", PURPOSE))
    ok(office.run("view", ALICE))
    lines = ok(office.run("log", "--client", ALICE, "--disclosures")).stdout.splitlines()
    cells = [line.split("\t") for line in lines]
    assert [c[2:5] for c in cells] == [["export", RECIPIENT, PURPOSE], ["view", "-", "-"]]
    assert all(len(c) == 9 for c in cells)
    # without --disclosures the table keeps its seven columns
    plain = ok(office.run("log", "--client", ALICE)).stdout.splitlines()
    assert {len(line.split("\t")) for line in plain} == {7}


# -- bad text: exit 2, nothing read, written or logged ------------------------------------

BAD = [
    ("--recipient", "Dr. \x1b[31mRed", "the recipient contains control or invisible characters"),
    ("--recipient", "Eve\u202eyranolleh", "the recipient contains control or invisible characters"),
    ("--recipient", "x" * 201, "the recipient is longer than 200 characters"),
    ("--purpose", "zero\u200bwidth", "the purpose contains control or invisible characters"),
    ("--purpose", "p" * 201, "the purpose is longer than 200 characters"),
]


@pytest.mark.parametrize("option,value,message", BAD)
@pytest.mark.parametrize("command", [["export", ALICE, "--yes"], ["export-anonymized"]])
def test_bad_text_is_a_usage_error(office, tmp_path, command, option, value, message):
    before = log_count(office)
    target = tmp_path / "out.txt"
    result = code(office.run(*command, option, value, "-o", str(target)), 2)
    assert result.stdout == ""
    assert_one_error_line(result.stderr)
    assert f"vault: error: {message}" in result.stderr
    assert not target.exists()
    assert log_count(office) == before


def test_two_hundred_characters_are_fine(office):
    ok(office.run("export", ALICE, "--yes", "--recipient", "r" * 200, "--purpose", "p" * 200))
    entry = disclosures(office, ALICE)[0]
    assert entry["recipient"] == "r" * 200 and entry["purpose"] == "p" * 200


# -- what else counts as a disclosure ----------------------------------------------------------

def test_redact_previews_count_for_the_clients_shown(office):
    ok(office.run("redact", ALICE, "--text", "sleep", "--dry-run"))
    ok(office.run("redact", ALICE, "--text", "sleep", "--dry-run", "--json"))
    ok(office.run("redact", ALICE, "--text", "nowhere-to-be-found", "--dry-run"))
    ok(office.run("redact", "--everywhere", "--text", "quokka", "--dry-run"))
    assert [e["action"] for e in disclosures(office, ALICE)] == ["redact-preview"] * 3
    assert disclosures(office, BOB) == []       # matched nothing of Bob's
    # a redact with --yes shows no text: not a disclosure
    ok(office.run("redact", ALICE, "--text", "poor", "--yes"))
    assert [e["action"] for e in disclosures(office, ALICE)] == ["redact-preview"] * 3


def test_search_hits_count_for_the_clients_found(office):
    ok(office.run("search", "quokka"))
    ok(office.run("search", "rhubarb", "--json"))
    ok(office.run("search", "first"))            # Bob's note only
    ok(office.run("search", "nothing-matches-this"))
    ok(office.run("search", "quokka", "--client", BOB))  # no hit in Bob's notes
    alice, bob = disclosures(office, ALICE), disclosures(office, BOB)
    assert [e["action"] for e in alice] == ["search"]
    assert [e["action"] for e in bob] == ["search", "search"]
    assert all(e["recipient"] is None and e["purpose"] is None for e in alice + bob)


def test_the_order_is_the_log_order(office):
    ok(office.run("view", ALICE))
    ok(office.run("search", "quokka"))
    ok(office.run("redact", ALICE, "--text", "sleep", "--dry-run"))
    ok(office.run("export", ALICE, "--yes", "--recipient", "Jane"))
    ok(office.run("alias", "add", ALICE, "Allie"))      # not a disclosure
    ok(office.run("add", ALICE, "-m", "quokka third"))  # not one either
    actions = [e["action"] for e in disclosures(office, ALICE)]
    assert actions == ["view", "search", "redact-preview", "export"]
    seqs = [e["seq"] for e in disclosures(office, ALICE)]
    assert seqs == sorted(seqs)


# -- on a terminal -------------------------------------------------------------------------

def test_export_asks_for_them_on_a_terminal(office):
    status, output = run_on_tty(office.env, ["export", ALICE], [
        (b"[y/N]", b"y\n"), (b"Recipient", b"Alice herself\n"),
        (b"Purpose", b"her request for her records\n")])
    assert status == 0, output
    assert output.index("[y/N]") < output.index("Recipient") < output.index("Purpose")
    entry = disclosures(office, ALICE)[-1]
    assert (entry["recipient"], entry["purpose"]) == ("Alice herself",
                                                      "her request for her records")


def test_enter_leaves_them_empty_and_a_given_one_is_not_asked(office):
    status, output = run_on_tty(office.env, ["export", ALICE, "--purpose", "audit"], [
        (b"[y/N]", b"y\n"), (b"Recipient", b"\n")])
    assert status == 0, output
    assert "Purpose (" not in output
    entry = disclosures(office, ALICE)[-1]
    assert (entry["recipient"], entry["purpose"]) == (None, "audit")


def test_yes_asks_nothing(office):
    status, output = run_on_tty(office.env, ["export", ALICE, "--yes"])
    assert status == 0, output
    assert "Recipient" not in output and "Purpose" not in output
    assert disclosures(office, ALICE)[-1]["recipient"] is None


def test_export_anonymized_asks_for_them_on_a_terminal(office):
    status, output = run_on_tty(office.env, ["export-anonymized", BOB], [
        (b"Recipient", b"Supervisor K.\n"), (b"Purpose", b"supervision\n")])
    assert status == 0, output
    entry = disclosures(office, BOB)[-1]
    assert (entry["recipient"], entry["purpose"]) == ("Supervisor K.", "supervision")


def test_a_bad_answer_is_a_usage_error(office):
    before = log_count(office)
    status, output = run_on_tty(office.env, ["export", ALICE], [
        (b"[y/N]", b"y\n"), (b"Recipient", b"r" * 201 + b"\n")])
    assert status == 2, output
    assert "the recipient is longer than 200 characters" in output
    assert "quokka" not in output and "Purpose" not in output
    assert "export" not in [e["action"] for e in log_json(office)[before:]]
