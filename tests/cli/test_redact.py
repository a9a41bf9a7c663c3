"""`vault redact`: removing text from notes for good.

Covers: the usage rules (exactly one of --text/--pattern/--pii, CLIENT xor
--everywhere, no --pii/--note with --everywhere, a bad regex; exit 2, nothing
changed, the pattern not echoed); refusal without a terminal and without
--yes (exit 6); --dry-run marking spans as ⟦…⟧ with control characters
escaped and changing nothing; --yes replacing spans with [REDACTED] or
[REDACTED:KIND] while keeping ids, dates, tags and every other character;
the --json summary; spans at the start and end, overlapping pattern matches,
case-insensitive Unicode matches, a pattern matching nothing; --note limits
(another client's note or an unknown one: exit 4); a legal hold refusing it,
also for --everywhere when any affected client is held; exactly one `redact`
log entry with counts and reason and never the removed text; and that the
removed text cannot be recovered: neither it nor the client's old note
ciphertexts nor its old wrapped key remain in the vault file, its -wal/-shm,
or new files in the temp folder or /dev/shm, while other clients stay intact
and the log verifies.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

import pytest
from ..checks import code, db, ok

SECRET = "Quasimodo7c1f"           # the text to remove; appears nowhere else
OTHER = "Esmeralda42b"             # Alice's own words, must survive
VICTOR = "Victor Hale"
ALICE = "Alice Smith"


def snapshot(venv):
    """Every ciphertext a redaction could change."""
    with db(venv) as conn:
        return (conn.execute("SELECT id, client_id, body FROM notes ORDER BY id").fetchall(),
                conn.execute("SELECT c.id, c.uid, c.blind, c.wrapped_key, r.sealed "
                             "FROM clients c JOIN records r USING (id) ORDER BY id").fetchall())


def notes(venv, name):
    """{note id: (text, created, tags)} through `vault view --json`."""
    data = json.loads(ok(venv.run("view", name, "--json")).stdout)
    return {n["id"]: (n["text"], n["created"], n["tags"]) for n in data["notes"]}


def texts(venv, name):
    return {i: t for i, (t, _, _) in notes(venv, name).items()}


def add(venv, name, text, *extra):
    return json.loads(ok(venv.run("add", name, "-m", text, "--json", *extra)).stdout)["note"]


def redact_json(venv, *args):
    result = ok(venv.run("redact", *args, "--json"))
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


@pytest.fixture
def clinic(vault_env):
    """Victor: n1 (secret inside), n2 (no secret), n3 (secret at both ends, tagged);
    Alice: n4 (her own words and the secret), n5 (her own words)."""
    ids = {
        "n1": add(vault_env, VICTOR, f"Intake. {SECRET} said hello.", "--new"),
        "n2": add(vault_env, VICTOR, "Second session, nothing special."),
        "n3": add(vault_env, VICTOR, f"{SECRET} at the start and the end {SECRET}",
                  "--tag", "intake", "--tag", "risk"),
        "n4": add(vault_env, ALICE, f"{OTHER} mentions {SECRET} too", "--new"),
        "n5": add(vault_env, ALICE, f"{OTHER} alone"),
    }
    vault_env.ids = ids
    return vault_env


# -- usage ---------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    [VICTOR],
    [VICTOR, "--text", "a", "--pattern", "b"],
    [VICTOR, "--text", "a", "--pii"],
    [VICTOR, "--pattern", "a", "--pii"],
    [VICTOR, "--text", "a", "--pattern", "b", "--pii"],
    ["--text", "a"],
    [VICTOR, "--everywhere", "--text", "a"],
    ["--everywhere", "--pii"],
    ["--everywhere", "--note", "1", "--text", "a"],
    [VICTOR, "--pattern", "("],
    [VICTOR, "--pattern", "[unclosed"],
    [VICTOR, "--pattern", "a{2,1}"],
    ["--everywhere", "--pattern", "(?P<x"],
], ids=lambda a: " ".join(a))
def test_usage_errors_change_nothing(clinic, args):
    before = snapshot(clinic)
    result = code(clinic.run("redact", *args, "--yes"), 2)
    assert result.stdout == ""
    assert snapshot(clinic) == before
    assert [ln for ln in result.stderr.splitlines() if ln.startswith("vault: error: ")]


def test_an_invalid_pattern_is_not_echoed(clinic):
    # The pattern is often a name; errors never repeat it.
    result = code(clinic.run("redact", VICTOR, "--pattern", "(Bartholomew|Quux", "--yes"), 2)
    assert "Bartholomew" not in result.stderr


# -- confirmation, dry run -------------------------------------------------------------

def test_refused_without_a_terminal_and_without_yes(clinic):
    before = snapshot(clinic)
    result = code(clinic.run("redact", VICTOR, "--text", SECRET), 6)
    assert result.stdout == ""
    assert snapshot(clinic) == before
    result = code(clinic.run("redact", "--everywhere", "--text", SECRET), 6)
    assert result.stdout == ""
    assert snapshot(clinic) == before


def test_dry_run_marks_every_span_and_changes_nothing(clinic):
    ids = clinic.ids
    before, shown_before = snapshot(clinic), texts(clinic, VICTOR)
    result = ok(clinic.run("redact", VICTOR, "--text", SECRET.upper(), "--dry-run"))
    out = result.stdout
    assert f"Intake. ⟦{SECRET}⟧ said hello." in out
    assert f"⟦{SECRET}⟧ at the start and the end ⟦{SECRET}⟧" in out
    assert f"note {ids['n1']} " in out and f"note {ids['n3']} " in out  # as view names them
    assert OTHER not in out  # Alice's notes are not Victor's business
    assert snapshot(clinic) == before
    assert texts(clinic, VICTOR) == shown_before


def test_dry_run_escapes_control_characters_like_view(clinic):
    # (--text matches whole words, so the secret stands apart from the "31m")
    add(clinic, VICTOR, f"red \x1b[31m {SECRET}\x1b[0m bell \x07 bidi \u202eX\u202c")
    result = ok(clinic.run("redact", VICTOR, "--text", SECRET, "--dry-run"))
    raw = result.stdout_bytes
    for b in (b"\x1b", b"\x07", "\u202e".encode()):
        assert b not in raw, b
    assert f"red \\x1b[31m ⟦{SECRET}⟧\\x1b[0m bell \\x07 bidi \\u202eX\\u202c" in result.stdout


def test_dry_run_json_reports_what_would_go(clinic):
    ids = clinic.ids
    before = snapshot(clinic)
    data = redact_json(clinic, VICTOR, "--text", SECRET, "--dry-run")
    assert data == {"dry_run": True, "clients": 1, "notes": [ids["n1"], ids["n3"]],
                    "spans": 3, "characters": 3 * len(SECRET), "aliases": 0,
                    "tags_matched": []}
    assert snapshot(clinic) == before


# -- applying ----------------------------------------------------------------------------

def test_yes_replaces_every_occurrence_and_keeps_everything_else(clinic):
    ids = clinic.ids
    victor_before, alice_before = notes(clinic, VICTOR), notes(clinic, ALICE)
    result = ok(clinic.run("redact", VICTOR, "--text", SECRET.lower(), "--yes"))
    assert result.stdout == ""
    assert result.stderr.startswith("vault: ") and SECRET not in result.stderr
    after = notes(clinic, VICTOR)
    assert list(after) == list(victor_before)  # same notes, same ids, same order
    assert after[ids["n1"]][0] == "Intake. [REDACTED] said hello."
    assert after[ids["n2"]] == victor_before[ids["n2"]]
    assert after[ids["n3"]][0] == "[REDACTED] at the start and the end [REDACTED]"
    for i in after:  # dates and tags survive
        assert after[i][1:] == victor_before[i][1:]
    assert notes(clinic, ALICE) == alice_before  # another client's secret is hers


def test_json_summary_counts_spans_and_characters(clinic):
    ids = clinic.ids
    data = redact_json(clinic, VICTOR, "--text", SECRET, "--yes", "--reason", "asked")
    assert data == {"dry_run": False, "clients": 1, "notes": [ids["n1"], ids["n3"]],
                    "spans": 3, "characters": 3 * len(SECRET), "aliases": 0,
                    "tags_matched": []}
    # Done once, there is nothing left to do.
    data = redact_json(clinic, VICTOR, "--text", SECRET, "--yes")
    assert data["spans"] == 0 and data["notes"] == [] and data["characters"] == 0


def test_pii_replacements_name_the_kind(clinic):
    n = add(clinic, VICTOR, "Mail zoe@example.org or call +44 20 7946 0958; "
                            "card 4111 1111 1111 1111, not 4111 1111 1111 1112.")
    data = redact_json(clinic, VICTOR, "--pii", "--yes", "--note", str(n))
    assert data["spans"] == 3 and data["notes"] == [n]
    assert texts(clinic, VICTOR)[n] == ("Mail [REDACTED:EMAIL] or call [REDACTED:PHONE]; "
                                        "card [REDACTED:CARD], not 4111 1111 1111 1112.")


def test_pattern_redaction_and_overlapping_matches(clinic):
    n = add(clinic, VICTOR, "abc then room 12-34 and 56-78 end")
    ok(clinic.run("redact", VICTOR, "--pattern", r"\d+-\d+", "--yes"))
    assert texts(clinic, VICTOR)[n] == "abc then room [REDACTED] and [REDACTED] end"
    ok(clinic.run("redact", VICTOR, "--pattern", "ab|bc", "--yes", "--note", str(n)))
    # "ab" and "bc" overlap in "abc": whatever goes, no "ab" and no letter of it remains
    # half-redacted in front of the placeholder, and the rest is kept.
    assert texts(clinic, VICTOR)[n] in ("[REDACTED] then room [REDACTED] and [REDACTED] end",
                                        "[REDACTED]c then room [REDACTED] and [REDACTED] end")


def test_unicode_matches_case_insensitively(clinic):
    n = add(clinic, VICTOR, "İstanbul: Zoë met ZOË and zoë; Zoey stayed.")
    data = redact_json(clinic, VICTOR, "--text", "ZOË", "--yes")
    assert data["spans"] == 3 and data["notes"] == [n] and data["characters"] == 9
    assert texts(clinic, VICTOR)[n] == \
        "İstanbul: [REDACTED] met [REDACTED] and [REDACTED]; Zoey stayed."


def test_a_pattern_matching_nothing_changes_no_text(clinic):
    before = notes(clinic, VICTOR)
    data = redact_json(clinic, VICTOR, "--pattern", r"no\s+such\s+thing", "--yes")
    assert data == {"dry_run": False, "clients": 0, "notes": [], "spans": 0, "characters": 0,
                    "aliases": 0, "tags_matched": []}
    assert notes(clinic, VICTOR) == before
    ok(clinic.run("log", "verify"))


# -- which notes -----------------------------------------------------------------------

def test_note_option_limits_the_redaction(clinic):
    ids = clinic.ids
    data = redact_json(clinic, VICTOR, "--text", SECRET, "--note", str(ids["n3"]), "--yes")
    assert data["notes"] == [ids["n3"]] and data["spans"] == 2
    after = texts(clinic, VICTOR)
    assert after[ids["n1"]] == f"Intake. {SECRET} said hello."
    assert SECRET not in after[ids["n3"]]
    data = redact_json(clinic, VICTOR, "--text", SECRET, "--note", str(ids["n1"]),
                       "--note", str(ids["n2"]), "--yes")
    assert data["notes"] == [ids["n1"]]
    assert not any(SECRET in t for t in texts(clinic, VICTOR).values())


@pytest.mark.parametrize("which", ["another client's", "unknown"])
def test_a_note_that_is_not_the_clients_is_not_found(clinic, which):
    note = clinic.ids["n4"] if which == "another client's" else 9999
    before = snapshot(clinic)
    result = code(clinic.run("redact", VICTOR, "--text", SECRET, "--note",
                             str(clinic.ids["n1"]), "--note", str(note), "--yes"), 4)
    assert result.stdout == ""
    assert snapshot(clinic) == before
    assert OTHER not in result.stderr and SECRET not in result.stderr


# -- legal hold ----------------------------------------------------------------------------

def test_a_legal_hold_refuses_redaction(clinic):
    ok(clinic.run("hold", VICTOR, "--reason", "Subpoena 2026-117"))
    before = snapshot(clinic)
    result = code(clinic.run("redact", VICTOR, "--text", SECRET, "--yes"), 6)
    assert "legal hold" in result.stderr and "Subpoena 2026-117" in result.stderr
    assert result.stdout == ""
    assert snapshot(clinic) == before
    ok(clinic.run("release", VICTOR))
    ok(clinic.run("redact", VICTOR, "--text", SECRET, "--yes"))
    assert not any(SECRET in t for t in texts(clinic, VICTOR).values())


# -- everywhere ----------------------------------------------------------------------------

@pytest.mark.parametrize("how", [["--text", SECRET], ["--pattern", "Quasi[a-z]+7c1f"]])
def test_everywhere_redacts_in_every_client(clinic, how):
    result = ok(clinic.run("redact", "--everywhere", *how, "--yes"))
    assert VICTOR not in result.stderr and ALICE not in result.stderr
    assert not any(SECRET in t for t in texts(clinic, ALICE).values())
    data = redact_json(clinic, "--everywhere", *how, "--yes")
    assert data["spans"] == 0


def test_everywhere_json_counts_every_client(clinic):
    ids = clinic.ids
    data = redact_json(clinic, "--everywhere", "--text", SECRET, "--yes")
    assert data["clients"] == 2 and data["spans"] == 4
    assert sorted(data["notes"]) == sorted([ids["n1"], ids["n3"], ids["n4"]])
    assert data["characters"] == 4 * len(SECRET)
    entries = [e for e in json.loads(ok(clinic.run("log", "--json")).stdout)
               if e["action"] == "redact"]
    assert len(entries) == 1 and entries[0]["clients"] == 2
    assert texts(clinic, ALICE) == {ids["n4"]: f"{OTHER} mentions [REDACTED] too",
                                    ids["n5"]: f"{OTHER} alone"}
    assert not any(SECRET in t for t in texts(clinic, VICTOR).values())


def test_everywhere_with_an_affected_client_on_hold_changes_nothing_anywhere(clinic):
    ok(clinic.run("hold", ALICE, "--reason", "Audit 77"))
    before = snapshot(clinic)
    result = code(clinic.run("redact", "--everywhere", "--text", SECRET, "--yes"), 6)
    assert "legal hold" in result.stderr and "Audit 77" in result.stderr
    assert snapshot(clinic) == before


def test_everywhere_ignores_a_held_client_it_does_not_touch(clinic):
    add(clinic, "Carl Held", "nothing to remove here", "--new")
    ok(clinic.run("hold", "Carl Held", "--reason", "Audit 78"))
    data = redact_json(clinic, "--everywhere", "--text", SECRET, "--yes")
    assert data["clients"] == 2
    assert texts(clinic, "Carl Held") == {clinic.ids["n5"] + 1: "nothing to remove here"}


# -- the log ---------------------------------------------------------------------------------

def test_one_redact_log_entry_without_the_removed_text(clinic):
    ids = clinic.ids
    ok(clinic.run("redact", VICTOR, "--text", SECRET, "--yes", "--reason", "client request"))
    result = ok(clinic.run("log", "--json"))
    assert SECRET not in result.stdout
    entries = [e for e in json.loads(result.stdout) if e["action"] == "redact"]
    assert len(entries) == 1
    e = entries[0]
    assert e["signed"] is True and e["clients"] == 1
    d = e["detail"]
    assert d["notes"] == [ids["n1"], ids["n3"]]
    assert d["spans"] == 3 and d["characters"] == 3 * len(SECRET)
    assert d["reason"] == "client request"
    assert SECRET not in ok(clinic.run("log")).stdout
    mine = json.loads(ok(clinic.run("log", "--client", VICTOR, "--json")).stdout)
    assert "redact" in [x["action"] for x in mine]
    theirs = json.loads(ok(clinic.run("log", "--client", ALICE, "--json")).stdout)
    assert "redact" not in [x["action"] for x in theirs]


# -- nothing left to recover -------------------------------------------------------------------

def files_near(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"),
                        Path(f"{path}-journal")) if p.exists()]


def temp_entries() -> set[Path]:
    found = set()
    for folder in {Path(tempfile.gettempdir()), Path("/dev/shm")}:
        with contextlib.suppress(OSError):
            found |= set(folder.iterdir())
    return found


def new_files(before: set[Path]) -> list[Path]:
    out = []
    for entry in temp_entries() - before:
        if entry.is_file():
            out.append(entry)
        elif entry.is_dir():
            for root, _, names in os.walk(entry):
                out += [Path(root, n) for n in names]
    return out


def assert_absent(files: list[Path], needles: dict[str, bytes]) -> None:
    for f in files:
        try:
            if f.stat().st_size > 256 * 1024 * 1024:
                continue
            data = f.read_bytes()
        except OSError:
            continue
        for what, needle in needles.items():
            assert needle not in data, f"{what} found in {f}"


def test_the_removed_text_cannot_be_recovered_from_disk(clinic):
    ids = clinic.ids
    with db(clinic) as conn:
        victor = conn.execute("SELECT client_id FROM notes WHERE id = ?",
                              (ids["n1"],)).fetchone()[0]
        bodies = [r[0] for r in conn.execute("SELECT body FROM notes WHERE client_id = ?",
                                             (victor,))]
        wrapped = conn.execute("SELECT wrapped_key FROM clients WHERE id = ?",
                               (victor,)).fetchone()[0]
    assert len(bodies) == 3
    on_disk = b"".join(f.read_bytes() for f in files_near(clinic.path))
    assert all(b in on_disk for b in bodies) and wrapped in on_disk  # the scan can see them
    alice_before = notes(clinic, ALICE)
    temp_before = temp_entries()

    ok(clinic.run("redact", VICTOR, "--text", SECRET, "--yes"))

    needles = {"secret (utf-8)": SECRET.encode(), "secret (utf-16-le)": SECRET.encode("utf-16-le"),
               "old wrapped key": wrapped}
    needles.update({f"old ciphertext of note {i}": b for i, b in enumerate(bodies)})
    assert_absent(files_near(clinic.path), needles)
    assert_absent(new_files(temp_before), needles)

    assert notes(clinic, ALICE) == alice_before
    view = ok(clinic.run("view", VICTOR))
    assert SECRET not in view.stdout and "[REDACTED]" in view.stdout
    for args in (["log"], ["log", "--json"], ["view", VICTOR, "--json"]):
        assert SECRET not in ok(clinic.run(*args)).stdout
    ok(clinic.run("log", "verify"))
    assert_absent(files_near(clinic.path), needles)


def test_the_real_entry_point_leaves_nothing_behind_either(clinic):
    """The same promise through `python -m vault`, whose process exits at the end."""
    with db(clinic) as conn:
        bodies = [r[0] for r in conn.execute(
            "SELECT body FROM notes WHERE client_id = "
            "(SELECT client_id FROM notes WHERE id = ?)", (clinic.ids["n1"],))]
    temp_before = temp_entries()
    result = clinic.subprocess("redact", VICTOR, "--text", SECRET, "--yes")
    assert result.returncode == 0, result.stderr
    needles = {"secret": SECRET.encode(), "secret (utf-16-le)": SECRET.encode("utf-16-le")}
    needles.update({f"old ciphertext {i}": b for i, b in enumerate(bodies)})
    assert_absent(files_near(clinic.path) + new_files(temp_before), needles)
    assert not any(SECRET in t for t in texts(clinic, VICTOR).values())


def test_the_log_records_each_span_length_but_never_the_text(vault_env):
    """Issue 3: the entry holds the number and length of spans removed."""
    assert vault_env.run("add", "Len Test", "-m", "one SPANTEXTX and SPANTEXTX two",
                         "--new").exit_code == 0
    assert vault_env.run("redact", "Len Test", "--text", "spantextx", "--yes").exit_code == 0
    entries = json.loads(vault_env.run("log", "--json").stdout)
    detail = [e for e in entries if e["action"] == "redact"][-1]["detail"]
    assert detail["spans"] == 2 and detail["span_lengths"] == [[9, 9]]
    assert detail["characters"] == 18
    assert "SPANTEXTX" not in json.dumps(entries).upper()
