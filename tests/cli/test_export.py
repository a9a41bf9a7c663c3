"""`vault export-anonymized`, `vault export` and `vault log --disclosures`
(issue 4), end to end through the CLI. The anonymizer's own rules have unit
tests; the hard no-name-leaks test is in test_export_names.py.

Covers, for export-anonymized: the JSONL records (keys, Client-XXXX
pseudonyms consistent within an export, notes renumbered from 1 per client,
tags, no vault ids); CSV (header, quoting, a leading apostrophe on cells that
start with = + - @) and Markdown (one "## Client-XXXX" section per client);
pseudonyms differing between exports and identical with --stable-pseudonyms
(and date shifts too); --dates shift (±1..180 days, one offset per client,
applied to the note's date and the dates in its text), year and keep; emails,
SSNs, cards, IBANs and phones replaced; -o FILE written 0600 with nothing on
stdout, an existing file refused (exit 6, untouched, nothing logged) unless
--force, -o - for stdout; the residual report on stderr (counts; suspect
words never on a non-terminal stderr, but in --report FILE); usage errors
(exit 2) and an unknown client (exit 4) leaving no file and no log entry of
an export; a subset of clients; the `export-anonymized` log entry (refs,
detail, the destination encrypted). For export: refusal without a terminal
and without --yes (exit 6, nothing logged), JSON and Markdown, the whole
non-anonymized file, -o/--force, exit 4 and 2, the `export` entry with
disclosure true. For log --disclosures: only view, export and
export-anonymized entries concerning that client; without --client, exit 2.
On a terminal (a pty): export asks first, and the residual report names the
suspect words.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from ..checks import assert_one_error_line, code, db, ok
from .test_terminal import run_on_tty

ALICE = "Alice Whitcombe"
BOB = "Bob Ferrante"
CAROL = "Carol Ashdown"
NEVER = "Kasimir Zed"
PSEUDONYM = re.compile(r"^Client-[0-9A-F]{4,}$")
KEYS = ["client", "note", "date", "tags", "text"]

# Marker words tell whose note a record is; lower-case so no detector touches them.
ALICE_NOTES = [
    ("quokka intake on 2024-03-05; Bob Ferrante was mentioned. ZORBLAX came too.",
     ["intake"]),
    ("quokka second: email alice.w@example.com, SSN 123-45-6789, card "
     "4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, phone +44 20 7946 0958.", []),
    ("quokka third, with Whitcombe's sister.", ["billing", "follow-up"]),
]
BOB_NOTES = [("rhubarb first; Alice Whitcombe recommended us on 2023-12-31.", []),
             ("rhubarb second, nothing new.", ["review"])]
CAROL_NOTES = [("zucchini only note.", [])]
SECRETS = ["alice.w@example.com", "123-45-6789", "4111 1111 1111 1111", "4111",
           "GB82", "WEST 1234", "5698", "7946 0958", "+44"]


def add_all(venv, name, notes):
    for i, (text, tags) in enumerate(notes):
        ok(venv.run("add", name, "-m", text, *[a for t in tags for a in ("--tag", t)],
                    *(["--new"] if i == 0 else [])))


@pytest.fixture
def practice(vault_env):
    add_all(vault_env, ALICE, ALICE_NOTES)
    add_all(vault_env, BOB, BOB_NOTES)
    add_all(vault_env, CAROL, CAROL_NOTES)
    return vault_env


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def export(venv, *args) -> list[dict]:
    return jsonl(ok(venv.run("export-anonymized", *args)).stdout)


def by_marker(records) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in records:
        marker = next(m for m in ("quokka", "rhubarb", "zucchini") if m in r["text"])
        out.setdefault(marker, []).append(r)
    return out


def pseudonyms_of(records) -> dict[str, str]:
    return {m: {r["client"] for r in rs}.pop() for m, rs in by_marker(records).items()}


def created_dates(venv, name) -> list[date]:
    data = json.loads(ok(venv.run("view", name, "--json")).stdout)
    return [date.fromisoformat(n["created"][:10]) for n in data["notes"]]


def log_count(venv) -> int:
    with db(venv) as conn:
        return conn.execute("SELECT count(*) FROM log").fetchone()[0]


def log_json(venv, *args) -> list[dict]:
    return json.loads(ok(venv.run("log", *args, "--json")).stdout)


def last_entry(venv, action) -> dict:
    return [e for e in log_json(venv) if e["action"] == action][-1]


def on_disk(venv) -> bytes:
    return b"".join(p.read_bytes() for p in (venv.path, Path(f"{venv.path}-wal"),
                                             Path(f"{venv.path}-shm")) if p.exists())


def mode(path) -> int:
    return os.stat(path).st_mode & 0o777


# -- export-anonymized: formats ---------------------------------------------------

def test_jsonl_records(practice):
    result = ok(practice.run("export-anonymized"))
    records = jsonl(result.stdout)
    assert len(records) == 6
    assert all(list(r) == KEYS for r in records)
    assert all(PSEUDONYM.match(r["client"]) for r in records)
    groups = by_marker(records)
    assert [r["note"] for r in groups["quokka"]] == [1, 2, 3]
    assert [r["note"] for r in groups["rhubarb"]] == [1, 2]
    assert [r["note"] for r in groups["zucchini"]] == [1]
    names = pseudonyms_of(records)
    assert len({r["client"] for r in groups["quokka"]}) == 1   # consistent within a client
    assert len(set(names.values())) == 3
    assert [r["tags"] for r in groups["quokka"]] == [["intake"], [], ["billing", "follow-up"]]
    # the same person, the same pseudonym, whoever's note names them
    assert names["quokka"] in groups["rhubarb"][0]["text"]
    assert names["rhubarb"] in groups["quokka"][0]["text"]
    assert groups["quokka"][2]["text"] == f"quokka third, with {names['quokka']}'s sister."
    for name in (ALICE, BOB, CAROL, "Alice", "Whitcombe", "Ferrante", "Ashdown"):
        assert name not in result.stdout
    assert all(isinstance(r["note"], int) and isinstance(r["date"], str) for r in records)


def test_personal_data_is_replaced(practice):
    out = ok(practice.run("export-anonymized", ALICE)).stdout
    for secret in SECRETS:
        assert secret not in out
    text = by_marker(jsonl(out))["quokka"][1]["text"]
    for placeholder in ("[EMAIL]", "[SSN]", "[CARD]", "[IBAN]", "[PHONE]"):
        assert placeholder in text, text
    for fmt in ("csv", "md"):
        other = ok(practice.run("export-anonymized", "--format", fmt)).stdout
        assert not [s for s in SECRETS if s in other], fmt


def test_csv(practice):
    out = ok(practice.run("export-anonymized", "--format", "csv")).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == KEYS
    assert len(rows) == 7 and all(len(r) == 5 for r in rows)
    assert all(PSEUDONYM.match(r[0]) for r in rows[1:])
    quokka = [r for r in rows[1:] if "quokka" in r[4]]
    assert [r[1] for r in quokka] == ["1", "2", "3"]
    assert [r[3] for r in quokka] == ["intake", "", "billing; follow-up"]
    assert len({r[0] for r in quokka}) == 1
    assert ALICE not in out and "Ferrante" not in out


def test_csv_cells_that_look_like_formulas_get_an_apostrophe(vault_env):
    texts = ["=SUM(A1:A9) mango", "+SUM(1) mango", "-mango minus", "@mango at"]
    ok(vault_env.run("add", "Dana Formula", "-m", texts[0], "--tag", "=cmd", "--new"))
    for text in texts[1:]:
        ok(vault_env.run("add", "Dana Formula", "-m", text))
    rows = list(csv.reader(io.StringIO(
        ok(vault_env.run("export-anonymized", "--format", "csv")).stdout)))[1:]
    assert [r[4] for r in rows] == ["'" + t for t in texts]
    assert [r[3] for r in rows] == ["'=cmd", "", "", ""]
    # only CSV: JSONL keeps the text as it is
    assert [r["text"] for r in export(vault_env)] == texts


def test_markdown(practice):
    out = ok(practice.run("export-anonymized", "--format", "md", "--dates", "keep")).stdout
    headings = re.findall(r"^## (.*)$", out, re.M)
    assert len(headings) == 3 and all(PSEUDONYM.match(h) for h in headings)
    assert out.startswith(f"## {headings[0]}\n")
    today = created_dates(practice, ALICE)[0].isoformat()
    notes = re.findall(r"^### Note (\d+), (\S+?)(?: \((.*)\))?$", out, re.M)
    assert [n for n, _, _ in notes] == ["1", "2", "3", "1", "2", "1"]
    assert notes[0] == ("1", today, "intake")
    assert notes[2] == ("3", today, "billing, follow-up")
    sections = re.split(r"^## ", out, flags=re.M)[1:]
    assert [s.count("### Note") for s in sections] == [3, 2, 1]
    assert "quokka" in sections[0] and "rhubarb" in sections[1] and "zucchini" in sections[2]
    assert ALICE not in out and "Whitcombe" not in out


def test_an_empty_vault_exports_nothing(vault_env):
    result = ok(vault_env.run("export-anonymized"))
    assert result.stdout == ""
    assert "vault: exported 0 note(s) of 0 client(s), anonymized" in result.stderr.splitlines()
    csv_out = ok(vault_env.run("export-anonymized", "--format", "csv")).stdout
    assert csv_out == "client,note,date,tags,text\n"


# -- pseudonyms ------------------------------------------------------------------

def test_pseudonyms_change_between_exports(practice):
    first, second = export(practice), export(practice)
    a, b = pseudonyms_of(first), pseudonyms_of(second)
    assert a != b   # all three equal by chance: about 2**-48
    assert len(set(a.values())) == len(set(b.values())) == 3
    # inside each export, mentions follow that export's pseudonyms
    assert a["quokka"] in by_marker(first)["rhubarb"][0]["text"]
    assert b["quokka"] in by_marker(second)["rhubarb"][0]["text"]


def test_stable_pseudonyms_repeat_with_the_same_date_shifts(practice):
    one = ok(practice.run("export-anonymized", "--stable-pseudonyms")).stdout
    two = ok(practice.run("export-anonymized", "--stable-pseudonyms")).stdout
    assert one == two
    assert all(PSEUDONYM.match(r["client"]) for r in jsonl(one))
    # a subset keeps the same pseudonym and shift for the client it contains
    bob = ok(practice.run("export-anonymized", BOB, "--stable-pseudonyms")).stdout
    assert jsonl(bob) == by_marker(jsonl(one))["rhubarb"]
    fresh = export(practice)
    assert pseudonyms_of(fresh) != pseudonyms_of(jsonl(one))
    assert ok(practice.run("export-anonymized", "--stable-pseudonyms", "--format",
                           "csv")).stdout.split("\n")[1].split(",")[0] == jsonl(one)[0]["client"]


# -- dates -----------------------------------------------------------------------

def test_dates_shift_by_one_offset_per_client(practice):
    real = {"quokka": created_dates(practice, ALICE), "rhubarb": created_dates(practice, BOB),
            "zucchini": created_dates(practice, CAROL)}
    offsets = []
    for _ in range(2):
        groups = by_marker(export(practice))
        for marker, records in groups.items():
            shifts = {(date.fromisoformat(r["date"]) - d).days
                      for r, d in zip(records, real[marker])}
            assert len(shifts) == 1, (marker, shifts)       # one offset per client
            (shift,) = shifts
            assert -180 <= shift <= -1   # back, never into the future (issue 14)
            offsets.append(shift)
            if marker == "quokka":   # the date in the text moves by the same offset
                moved = (date(2024, 3, 5) + timedelta(days=shift)).isoformat()
                assert f"intake on {moved};" in records[0]["text"]
            if marker == "rhubarb":
                moved = (date(2023, 12, 31) + timedelta(days=shift)).isoformat()
                assert f"us on {moved}." in records[0]["text"]
        assert "2024-03-05" not in json.dumps(groups)
    assert offsets[:3] != offsets[3:]   # a fresh key each export


def test_dates_year(practice):
    groups = by_marker(export(practice, "--dates", "year"))
    year = str(created_dates(practice, ALICE)[0].year)
    assert {r["date"] for rs in groups.values() for r in rs} == {year}
    assert "intake on 2024;" in groups["quokka"][0]["text"]
    assert "us on 2023." in groups["rhubarb"][0]["text"]


def test_dates_keep(practice):
    groups = by_marker(export(practice, "--dates", "keep"))
    assert [r["date"] for r in groups["quokka"]] == \
        [d.isoformat() for d in created_dates(practice, ALICE)]
    assert "intake on 2024-03-05;" in groups["quokka"][0]["text"]
    assert "us on 2023-12-31." in groups["rhubarb"][0]["text"]


# -- output files ----------------------------------------------------------------

def test_output_file_is_private_and_stdout_stays_empty(practice):
    target = practice.root / "out.jsonl"
    result = ok(practice.run("export-anonymized", "-o", str(target), "--dates", "keep"))
    assert result.stdout == ""
    assert mode(target) == 0o600
    records = jsonl(target.read_text(encoding="utf-8"))
    assert len(records) == 6 and all(list(r) == KEYS for r in records)
    dash = ok(practice.run("export-anonymized", "-o", "-", "--dates", "keep"))
    assert len(jsonl(dash.stdout)) == 6
    assert not (practice.root / "-").exists()
    # the same records but for the fresh pseudonyms
    strip = [{k: v for k, v in r.items() if k != "client"} for r in records]
    for r in strip:
        r["text"] = re.sub(r"Client-[0-9A-F]+", "C", r["text"])
    other = [{k: v for k, v in r.items() if k != "client"} for r in jsonl(dash.stdout)]
    for r in other:
        r["text"] = re.sub(r"Client-[0-9A-F]+", "C", r["text"])
    assert strip == other


def test_an_existing_file_is_refused_before_anything_is_logged(practice):
    target = practice.root / "out.csv"
    target.write_text("precious\n")
    os.chmod(target, 0o644)
    before = log_count(practice)
    result = code(practice.run("export-anonymized", "--format", "csv", "-o", str(target)), 6)
    assert result.stdout == ""
    assert_one_error_line(result.stderr)
    assert target.read_text() == "precious\n"
    assert log_count(practice) == before
    assert [p.name for p in practice.root.iterdir() if "out.csv" in p.name] == \
        ["out.csv"]   # no temp file left behind
    ok(practice.run("export-anonymized", "--format", "csv", "-o", str(target), "--force"))
    assert target.read_text().startswith("client,note,date,tags,text\n")
    assert mode(target) == 0o600
    assert log_count(practice) > before


def test_an_existing_symlink_is_refused(practice):
    real = practice.root / "real.txt"
    real.write_text("precious\n")
    link = practice.root / "link.jsonl"
    link.symlink_to(real)
    code(practice.run("export-anonymized", "-o", str(link)), 6)
    assert real.read_text() == "precious\n"


def test_report_file(practice):
    report = practice.root / "report.json"
    result = ok(practice.run("export-anonymized", "--report", str(report)))
    assert mode(report) == 0o600
    data = json.loads(report.read_text())
    assert set(data) == {"clients", "notes", "replaced", "strict", "suspects", "candidates"}
    assert data["clients"] == 3 and data["notes"] == 6
    for kind in ("NAME", "EMAIL", "SSN", "CARD", "IBAN", "PHONE", "DATE"):
        assert data["replaced"].get(kind, 0) >= 1, kind
    assert {"word": "ZORBLAX", "count": 1} in data["suspects"]
    assert all(set(s) == {"word", "count"} for s in data["suspects"])
    # Each word left, where it is in which record (issue 14).
    (found,) = [c for c in data["candidates"] if c["text"] == "ZORBLAX"]
    assert set(found) == {"client", "note", "field", "start", "end", "text", "why"}
    assert found["field"] == "text" and found["note"] == 1
    assert "ZORBLAX" not in result.stderr   # (it stays in the notes: nobody registered it)
    assert "listed in the report" in result.stderr
    # an existing report is refused like an existing output
    before = log_count(practice)
    code(practice.run("export-anonymized", "--report", str(report)), 6)
    assert log_count(practice) == before
    ok(practice.run("export-anonymized", "--report", str(report), "--force"))


# -- the residual report on stderr -------------------------------------------------

def test_residual_report_on_stderr_without_the_suspect_words(practice):
    result = ok(practice.run("export-anonymized"))
    lines = result.stderr.splitlines()
    assert all(line.startswith("vault: ") for line in lines)
    assert "vault: exported 6 note(s) of 3 client(s), anonymized" in lines
    replaced = next(line for line in lines if line.startswith("vault: replaced: "))
    counts = dict(part.rsplit(" ", 1) for part in replaced[len("vault: replaced: "):].split(", "))
    entry = last_entry(practice, "export-anonymized")
    assert {k: int(v) for k, v in counts.items()} == entry["detail"]["replaced"]
    warning = [line for line in lines if line.startswith("vault: warning: ")
               and "may be names" in line]
    assert len(warning) == 1
    assert "ZORBLAX" not in result.stderr   # not a terminal: words from notes stay out
    assert "--report" in warning[0]
    for name in (ALICE, "Whitcombe", "Ferrante", "quokka"):
        assert name not in result.stderr


# -- refusals ---------------------------------------------------------------------

def test_bad_options_are_usage_errors_and_log_nothing(practice):
    target = practice.root / "never.jsonl"
    before = log_count(practice)
    for args in (["--format", "xml"], ["--format", "JSON"], ["--dates", "drop"],
                 ["--region", "XX"], ["--region", "GBR"]):
        result = code(practice.run("export-anonymized", *args, "-o", str(target)), 2)
        assert result.stdout == "", args
        assert not target.exists()
    assert log_count(practice) == before


def test_region_is_case_insensitive(practice):
    assert len(export(practice, "--region", "gb")) == 6


def test_an_unknown_client_is_not_found(practice):
    target = practice.root / "never.jsonl"
    result = code(practice.run("export-anonymized", ALICE, NEVER, "-o", str(target)), 4)
    assert result.stdout == ""
    assert_one_error_line(result.stderr)
    assert not target.exists()
    assert [e for e in log_json(practice) if e["action"] == "export-anonymized"] == []


# -- choosing clients, and the log --------------------------------------------------

def test_a_subset_of_clients(practice):
    result = ok(practice.run("export-anonymized", BOB, "bob ferrante", ALICE.upper()))
    records = jsonl(result.stdout)
    groups = by_marker(records)
    assert sorted(groups) == ["quokka", "rhubarb"]
    assert "vault: exported 5 note(s) of 2 client(s), anonymized" in result.stderr.splitlines()
    bob_only = jsonl(ok(practice.run("export-anonymized", BOB)).stdout)
    assert [r["note"] for r in bob_only] == [1, 2]
    # Alice is not exported, but her name in Bob's note is still replaced
    text = bob_only[0]["text"]
    assert "Alice" not in text and "Whitcombe" not in text
    assert re.fullmatch(r"rhubarb first; Client-[0-9A-F]{4,} recommended us on \S+\.", text)
    assert re.search(r"Client-[0-9A-F]+", text).group() != bob_only[0]["client"]


def test_the_export_is_logged_with_refs_and_detail(practice):
    target = practice.root / "study-xq7.csv"
    ok(practice.run("export-anonymized", ALICE, BOB, "--format", "csv", "-o", str(target),
                    "--dates", "year", "--stable-pseudonyms"))
    entry = last_entry(practice, "export-anonymized")
    assert entry["clients"] == 2
    detail = entry["detail"]
    assert set(detail) == {"notes", "replaced", "dates", "stable_pseudonyms", "destination"}
    assert detail["notes"] == 5 and detail["dates"] == "year"
    assert detail["stable_pseudonyms"] is True
    assert detail["destination"] == str(target.absolute())
    assert detail["replaced"]["NAME"] >= 3 and detail["replaced"]["EMAIL"] == 1
    assert b"study-xq7" not in on_disk(practice)   # the destination is encrypted
    for name, exported in ((ALICE, True), (BOB, True), (CAROL, False)):
        actions = [e["action"] for e in log_json(practice, "--client", name)]
        assert ("export-anonymized" in actions) is exported, name
    ok(practice.run("export-anonymized"))
    entry = last_entry(practice, "export-anonymized")
    assert entry["clients"] == 3 and entry["detail"]["destination"] == "-"
    assert entry["detail"]["stable_pseudonyms"] is False and entry["detail"]["dates"] == "shift"
    ok(practice.run("log", "verify"))


# -- vault export: the client's own records ------------------------------------------

def test_export_without_a_terminal_and_without_yes_is_refused(practice):
    target = practice.root / "alice.md"
    before = log_count(practice)
    for extra in ([], ["-o", str(target)], ["--format", "json"]):
        result = code(practice.run("export", ALICE, *extra), 6)
        assert result.stdout == ""
        assert_one_error_line(result.stderr)
        assert "--yes" in result.stderr
    assert not target.exists()
    assert log_count(practice) == before


def test_export_json_is_the_whole_file(practice):
    ok(practice.run("alias", "add", ALICE, "Allie"))
    result = ok(practice.run("export", ALICE, "--format", "json", "--yes"))
    assert len(result.stdout.splitlines()) == 1
    data = json.loads(result.stdout)
    assert list(data) == ["client", "created", "status", "retain_until", "hold", "aliases",
                          "notes"]
    assert data["client"] == ALICE and data["status"] == "open"
    assert data["retain_until"] is None and data["hold"] is False
    assert data["aliases"] == [{"alias": "Allie", "relation": None}]
    view = json.loads(ok(practice.run("view", ALICE, "--json")).stdout)
    assert data["notes"] == view["notes"]
    assert [list(n) for n in data["notes"]] == [["id", "created", "tags", "text"]] * 3
    assert [(n["text"], n["tags"]) for n in data["notes"]] == \
        [(t, tags) for t, tags in ALICE_NOTES]   # nothing anonymized
    assert data["created"] <= data["notes"][0]["created"]


def test_export_markdown(practice):
    result = ok(practice.run("export", "alice whitcombe", "--yes"))
    out = result.stdout
    assert out.startswith(f"# {ALICE}\n")
    assert "3 note(s)" in out
    for text, _ in ALICE_NOTES:
        assert text in out
    assert out.count("\n## ") == 3
    assert "rhubarb" not in out and "zucchini" not in out
    assert "exported 3 note(s)" in result.stderr


def test_export_to_a_file(practice):
    target = practice.root / "alice.json"
    result = ok(practice.run("export", ALICE, "--format", "json", "--yes", "-o", str(target)))
    assert result.stdout == ""
    assert mode(target) == 0o600
    assert json.loads(target.read_text(encoding="utf-8"))["client"] == ALICE
    before = log_count(practice)
    target.write_text("precious\n")
    code(practice.run("export", ALICE, "--yes", "-o", str(target)), 6)
    assert target.read_text() == "precious\n"
    assert log_count(practice) == before
    ok(practice.run("export", ALICE, "--yes", "-o", str(target), "--force"))
    assert target.read_text(encoding="utf-8").startswith(f"# {ALICE}\n")
    assert mode(target) == 0o600


def test_export_errors(practice):
    before = log_count(practice)
    result = code(practice.run("export", ALICE, "--format", "csv", "--yes"), 2)
    assert result.stdout == ""
    assert log_count(practice) == before
    result = code(practice.run("export", NEVER, "--yes"), 4)
    assert result.stdout == ""
    assert_one_error_line(result.stderr)
    assert not [e for e in log_json(practice) if e["action"] == "export"]


def test_export_is_logged_as_a_disclosure(practice):
    target = practice.root / "records-zq9.md"
    ok(practice.run("export", ALICE, "--yes", "-o", str(target)))
    entry = last_entry(practice, "export")
    assert entry["clients"] == 1
    assert entry["detail"]["disclosure"] is True
    assert entry["detail"]["destination"] == str(target.absolute())
    assert b"records-zq9" not in on_disk(practice)
    assert [e["action"] for e in log_json(practice, "--client", ALICE)].count("export") == 1
    assert "export" not in [e["action"] for e in log_json(practice, "--client", BOB)]


# -- on a terminal ------------------------------------------------------------------

def test_export_on_a_terminal_asks_first(practice):
    status, output = run_on_tty(practice.env, ["export", ALICE],
                                [(b"[y/N]", b"n\n")])
    assert status == 6, output
    assert "quokka" not in output
    assert "export" not in [e["action"] for e in log_json(practice)]
    # Issue 15: then the recipient and the purpose are asked for (Enter: none)
    status, output = run_on_tty(practice.env, ["export", ALICE],
                                [(b"[y/N]", b"y\n"), (b"Recipient", b"\n"),
                                 (b"Purpose", b"\n")])
    assert status == 0, output
    assert f"# {ALICE}" in output and "quokka intake" in output
    assert last_entry(practice, "export")["detail"]["disclosure"] is True


def test_on_a_terminal_the_report_names_the_suspect_words(practice):
    # --recipient and --purpose given: not asked for (issue 15)
    given = ["--recipient", "Dr. Supervisor", "--purpose", "supervision"]
    status, output = run_on_tty(practice.env, ["export-anonymized", CAROL, BOB, *given])
    assert status == 0, output
    assert "ZORBLAX" not in output   # only Alice's note has it
    status, output = run_on_tty(practice.env, ["export-anonymized", *given])
    assert status == 0, output
    warning = next(line for line in output.splitlines() if "may be names" in line)
    assert "ZORBLAX (1)" in warning


# -- log --disclosures -------------------------------------------------------------

def test_disclosures_list_only_views_and_exports_of_that_client(practice):
    ok(practice.run("alias", "add", ALICE, "Allie"))
    ok(practice.run("view", ALICE))
    ok(practice.run("view", BOB))
    ok(practice.run("view", BOB, "--json"))
    ok(practice.run("export", ALICE, "--yes"))
    ok(practice.run("export", BOB, "--yes"))
    ok(practice.run("export-anonymized", BOB))          # not Alice
    ok(practice.run("export-anonymized"))               # everyone
    ok(practice.run("add", ALICE, "-m", "quokka later"))
    ok(practice.run("list"))

    alice = log_json(practice, "--client", ALICE, "--disclosures")
    assert [e["action"] for e in alice] == ["view", "export", "export-anonymized"]
    assert alice[-1]["clients"] == 3
    bob = log_json(practice, "--client", BOB, "--disclosures")
    assert [e["action"] for e in bob] == ["view", "view", "export", "export-anonymized",
                                          "export-anonymized"]
    carol = log_json(practice, "--client", CAROL, "--disclosures")
    assert [e["action"] for e in carol] == ["export-anonymized"]
    # everything about Alice includes more than her disclosures
    assert {"add", "alias-add"} <= {e["action"] for e in log_json(practice, "--client", ALICE)}
    plain = ok(practice.run("log", "--client", ALICE, "--disclosures")).stdout
    assert [line.split("\t")[2] for line in plain.splitlines()] == \
        ["view", "export", "export-anonymized"]


def test_disclosures_need_a_client(practice):
    before = log_count(practice)
    for extra in ([], ["--json"]):
        result = code(practice.run("log", "--disclosures", *extra), 2)
        assert result.stdout == ""
        assert "--client" in result.stderr
    assert log_count(practice) == before
    code(practice.run("log", "--client", NEVER, "--disclosures"), 4)


# Review of issue 4: `-o VAULT_PATH --force` replaced the vault with plaintext.
@pytest.mark.parametrize("command", [["export", ALICE, "--yes"], ["export-anonymized"]])
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_the_output_may_never_be_the_vault_or_its_companions(practice, command, suffix):
    before = on_disk(practice)
    target = f"{practice.path}{suffix}"
    result = code(practice.run(*command, "-o", target, "--force"), 2)
    assert "vault file" in result.stderr and result.stdout == ""
    assert on_disk(practice) == before
    ok(practice.run("list"))


def test_the_report_may_not_be_the_vault_nor_the_output(practice, tmp_path):
    code(practice.run("export-anonymized", "--report", str(practice.path), "--force"), 2)
    same = tmp_path / "both.json"
    code(practice.run("export-anonymized", "-o", str(same), "--report", str(same)), 2)
    assert not same.exists()
