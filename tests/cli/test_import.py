"""`vault import jrnl|dir|jsonl` (issue 5).

Covers, per format, the happy path (client, text, tags and date of every
note; clients created as needed or matched to existing ones; the JSON
counts; one `import` log entry with the counts), `--dry-run` (counts, nothing
stored, nothing logged), and malformed input: every case exits 1 with one
error line saying "nothing was imported", with the error in the LAST entry
so that a half import would show, and the vault's tables byte for byte
unchanged. jsonl: `view --json` of one vault imports into another with the
same texts, tags and dates, from a file or stdin. dir: the modification time
dates a note; hidden files and folders, symlinks and other suffixes are
skipped. A failure while storing (a damaged client met half way) rolls the
whole import back. Also: `--dry-run` counts clients as the import matches
them; dates the vault cannot store (outside 1000..9999 in UTC) are refused;
an unreadable folder in `dir` is an error, never skipped; errors number a
client's folder instead of naming it (the full path only in a hint on a
terminal) and never print a control character raw.

Issue 15, item 4 (moving in from jrnl; the real jrnl 4.6 export is in
test_import_jrnl46.py): jrnl's `@` is dropped from tags and a star becomes
the tag `starred`; `--client-map FILE` names the clients of tags (every way
of writing a tag, comments, blank lines; alone, its tags are the client
tags) and each of its errors gives a line number, never a tag or a name,
all bad lines at once; every problem of a jrnl export is reported in one
run (each on its own line, then one error line with the count), untagged
entries as one list; `--unassigned CLIENT` and `--skip-untagged`, and the
usage errors of combining them with `--client`; a note already in the
client's file (same date to the second and text), or earlier in the same
import, is skipped and counted, for every format, and `--dry-run` (which
now unlocks the vault and logs `import-preview`) counts the same.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ..checks import assert_one_error_line, code, db, ok
from ..conftest import FAST_KDF, copy_vault, private_env

NOTHING = "nothing was imported"


def snapshot(venv):
    with db(venv) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("clients", "notes", "log", "head", "tombstones")}


def notes_of(venv, name, env=None):
    """(text, tags, created) of each note, oldest first (by date, then as stored)."""
    result = ok(venv.run("view", name, "--json", env=env))
    notes = json.loads(result.stdout)["notes"]
    return sorted(((n["text"], n["tags"], n["created"]) for n in notes), key=lambda n: n[2])


def names(venv, env=None):
    return sorted(c["client"] for c in json.loads(ok(venv.run("list", "--json", env=env)).stdout))


def imports_logged(venv, env=None):
    return [e for e in json.loads(ok(venv.run("log", "--json", env=env)).stdout)
            if e["action"] == "import"]


def utc(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def jrnl_time(day: str, time: str) -> str:
    """jrnl keeps local time without a zone: read as this machine's local time."""
    return utc(datetime.fromisoformat(f"{day}T{time}").astimezone())


def write(path: Path, content) -> Path:
    if isinstance(content, (dict, list)):
        content = json.dumps(content)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def refused(venv, before, *args, input=None):
    """Exit 1, one error line naming the problem, the vault unchanged."""
    result = code(venv.run(*args, input=input), 1)
    assert result.stdout == ""
    assert_one_error_line(result.stderr)
    assert snapshot(venv) == before
    return result


@pytest.fixture(scope="module")
def office_template(tmp_path_factory):
    venv = private_env(tmp_path_factory.mktemp("office"))
    ok(venv.run("init", *FAST_KDF))
    ok(venv.run("add", "Jane Doe", "-m", "already here", "--new"))
    return venv


@pytest.fixture
def office(office_template, blank_env):
    """One client, Jane Doe, with one note."""
    return copy_vault(office_template, blank_env)


# -- jrnl --------------------------------------------------------------------------

def entry(title="A title", body="", date="2021-03-04", time="09:15", tags=(), **extra):
    return {"title": title, "body": body, "date": date, "time": time, "tags": list(tags),
            "starred": False, **extra}


GOOD_JRNL = {"tags": {"@c_Jane_Doe": 2, "@intake": 1}, "entries": [
    entry("First session.", "Talked about sleep.\n\nAnd work.", "2021-03-04", "09:15",
          ["@c_Jane_Doe", "@intake"]),
    entry("Phone call", "", "2021-03-05", "17:40", ["@c_Max_Mustermann"]),
    entry("Group", "  padded body  ", "2021-03-06", "10:00", ["@group"]),
    entry("Earlier, listed later", "x", "2021-03-01", "08:00", ["@c_Jane_Doe"]),
]}


def test_jrnl_with_clients_from_tags_and_a_fallback(office, tmp_path):
    src = write(tmp_path / "journal.json", GOOD_JRNL)
    result = ok(office.run("import", "jrnl", str(src), "--client-from-tag", "@c_",
                           "--client", "Group Work", "--json"))
    assert json.loads(result.stdout) == {"notes": 4, "clients": 3, "new_clients": 2,
                                         "skipped": 0, "untagged": 0}
    assert names(office) == ["Group Work", "Jane Doe", "Max Mustermann"]
    assert notes_of(office, "Jane Doe") == [
        ("Earlier, listed later\nx", [], jrnl_time("2021-03-01", "08:00")),
        ("First session.\nTalked about sleep.\n\nAnd work.", ["intake"],
         jrnl_time("2021-03-04", "09:15")),
        ("already here", [], notes_of(office, "Jane Doe")[-1][2])]
    assert notes_of(office, "Max Mustermann") == [
        ("Phone call", [], jrnl_time("2021-03-05", "17:40"))]
    assert notes_of(office, "Group Work") == [
        ("Group\npadded body", ["group"], jrnl_time("2021-03-06", "10:00"))]
    [logged] = imports_logged(office)
    assert logged["detail"] == {"format": "jrnl", "notes": 4, "clients": 3, "new_clients": 2,
                                "skipped": 0}
    assert logged["clients"] == 3 and logged["signed"]
    ok(office.run("log", "verify"))
    ok(office.run("check"))


def test_jrnl_with_one_client_for_everything(office, tmp_path):
    src = write(tmp_path / "journal.json", GOOD_JRNL)
    result = ok(office.run("import", "jrnl", str(src), "--client", "jane  DOE"))
    assert result.stdout == ""
    assert "imported 4 note(s) for 1 client(s), 0 of them new" in result.stderr
    assert names(office) == ["Jane Doe"]  # matched to the existing client
    assert len(notes_of(office, "Jane Doe")) == 5
    tags = [t for _, t, _ in notes_of(office, "Jane Doe")]
    assert ["c_Jane_Doe", "intake"] in tags  # without --client-from-tag, tags are tags


def test_jrnl_from_stdin(office):
    doc = json.dumps({"entries": [entry("from a pipe", tags=["@x"])]})
    ok(office.run("import", "jrnl", "-", "--client", "Piped Pia", input=doc))
    assert [t for t, _, _ in notes_of(office, "Piped Pia")] == ["from a pipe"]


def test_jrnl_needs_to_be_told_whose_notes(office, tmp_path):
    src = write(tmp_path / "journal.json", GOOD_JRNL)
    before = snapshot(office)
    result = code(office.run("import", "jrnl", str(src)), 2)
    assert "--client" in result.stderr
    assert snapshot(office) == before


def stored(venv):
    """The vault's clients and notes (a dry run logs `import-preview`, nothing else)."""
    return {t: rows for t, rows in snapshot(venv).items() if t in ("clients", "notes")}


def previews_logged(venv):
    return [e for e in json.loads(ok(venv.run("log", "--json")).stdout)
            if e["action"] == "import-preview"]


def test_jrnl_dry_run_stores_nothing(office, tmp_path):
    src = write(tmp_path / "journal.json", GOOD_JRNL)
    before = stored(office)
    result = ok(office.run("import", "jrnl", str(src), "--client-from-tag", "@c_",
                           "--client", "Group Work", "--dry-run", "--json"))
    assert json.loads(result.stdout) == {"dry_run": True, "notes": 4, "clients": 3,
                                         "new_clients": 2, "skipped": 0, "untagged": 0}
    plain = ok(office.run("import", "jrnl", str(src), "--client", "X", "--dry-run"))
    assert plain.stdout == "" and "nothing was stored" in plain.stderr
    assert stored(office) == before
    assert not imports_logged(office)
    assert [e["detail"] for e in previews_logged(office)] == [
        {"format": "jrnl", "notes": 4, "clients": 3, "new_clients": 2, "skipped": 0},
        {"format": "jrnl", "notes": 4, "clients": 1, "new_clients": 1, "skipped": 0}]


def jrnl_doc(last):
    """Three good entries, then the one under test: a half import would show."""
    good = [entry(f"good {i}", tags=["@c_Jane_Doe"]) for i in range(3)]
    return {"entries": good + [last]}


MALFORMED_JRNL = {
    "not JSON": b'{"entries": [',
    "not UTF-8": b'{"entries": [{"title": "caf\xe9", "date": "2021-01-01"}]}',
    "no entries list": {"items": []},
    "entries is not a list": {"entries": {"a": 1}},
    "top level is a list": [entry()],
    "an entry is not an object": jrnl_doc("just a string"),
    "a bad date": jrnl_doc(entry(date="2021-13-01", tags=["@c_Jane_Doe"])),
    "a bad time": jrnl_doc(entry(time="25:61", tags=["@c_Jane_Doe"])),
    "no date": jrnl_doc({"title": "t", "body": "b", "tags": ["@c_Jane_Doe"]}),
    "a date that is a number": jrnl_doc(entry(date=20210101, tags=["@c_Jane_Doe"])),
    "no client tag and no --client": jrnl_doc(entry(tags=["@intake"])),
    "two client tags": jrnl_doc(entry(tags=["@c_Jane_Doe", "@c_Max"])),
    "a title that is a number": jrnl_doc(entry(title=42, tags=["@c_Jane_Doe"])),
    "a body that is a list": jrnl_doc(entry(body=["x"], tags=["@c_Jane_Doe"])),
    "tags that are a string": {"entries": [entry(tags=["@c_Jane_Doe"]),
                                           {**entry(), "tags": "@c_Jane_Doe"}]},
    "a tag that is a number": jrnl_doc(entry(tags=["@c_Jane_Doe", 7])),
    "an empty note": jrnl_doc(entry(title="  ", body="\n", tags=["@c_Jane_Doe"])),
    "a client tag naming nobody": jrnl_doc(entry(tags=["@c__"])),
    "a control character in a tag": jrnl_doc(entry(tags=["@c_Jane_Doe", "bad\x07tag"])),
    "a date before the year 1000": jrnl_doc(entry(date="0999-06-01", tags=["@c_Jane_Doe"])),
    "a star that is not true or false": jrnl_doc(entry(tags=["@c_Jane_Doe"], starred="yes")),
    "a missing file": None,
}


def jrnl_source(tmp_path, what) -> str:
    content = MALFORMED_JRNL[what]
    if content is None:
        return str(tmp_path / "no-such-journal.json")
    return str(write(tmp_path / "journal.json", content))


@pytest.mark.parametrize("what", list(MALFORMED_JRNL))
def test_malformed_jrnl_imports_nothing(office, tmp_path, what):
    before = snapshot(office)
    result = refused(office, before, "import", "jrnl", jrnl_source(tmp_path, what),
                     "--client-from-tag", "@c_")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert "good 0" not in result.stderr  # no note text echoed


@pytest.mark.parametrize("what", list(MALFORMED_JRNL))
def test_malformed_jrnl_says_nothing_was_imported(blank_env, tmp_path, what):
    result = blank_env.run("import", "jrnl", jrnl_source(tmp_path, what),
                           "--client-from-tag", "@c_")
    assert result.exit_code == 1
    assert NOTHING in result.stderr, result.stderr
    assert result.stderr.count("nothing was") == 1, result.stderr  # not "added" as well


def test_an_entry_without_a_client_tag_goes_to_the_fallback(office, tmp_path):
    src = write(tmp_path / "j.json", jrnl_doc(entry("no tag", tags=["@intake"])))
    done = json.loads(ok(office.run("import", "jrnl", src.as_posix(), "--client-from-tag",
                                    "@c_", "--client", "Fallback Fred", "--json")).stdout)
    assert done == {"notes": 4, "clients": 2, "new_clients": 1, "skipped": 0, "untagged": 0}
    assert [t for t, _, _ in notes_of(office, "Fallback Fred")] == ["no tag"]


def test_two_client_tags_hint_at_a_narrower_prefix(office, tmp_path):
    src = write(tmp_path / "j.json", jrnl_doc(entry(tags=["@c_Jane_Doe", "@work"])))
    result = refused(office, snapshot(office), "import", "jrnl", str(src),
                     "--client-from-tag", "@")
    assert "2 tags" in result.stderr and "entry 4" in result.stderr
    assert "hint" in result.stderr


# -- dir ---------------------------------------------------------------------------

T0 = 1_700_000_000  # 2023-11-14T22:13:20Z


def stamp(path: Path, offset: int) -> None:
    os.utime(path, (T0 + offset, T0 + offset), follow_symlinks=False)


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "notes"
    jane, max_ = root / "Jane Doe", root / "Max Mustermann"
    (jane / "sub").mkdir(parents=True)
    max_.mkdir()
    files = {jane / "2023-11-14.md": ("# UnlockedVault\nslept better\n", 100),
             jane / "sub" / "deeper.txt": ("from a subfolder", 300),
             jane / "upper.MD": ("suffix in capitals", 200),
             max_ / "intake.txt": ("first meeting with Max", 50)}
    for path, (text, offset) in files.items():
        write(path, text)
        stamp(path, offset)
    # all of these are skipped
    write(jane / ".hidden.md", "hidden file")
    (jane / ".git").mkdir()
    write(jane / ".git" / "x.md", "inside a hidden folder")
    write(jane / "photo.png", b"\x89PNG not a note")
    write(jane / "report.docx", "not a note either")
    write(jane / "README", "no suffix")
    write(root / "loose.md", "a file outside any client folder")
    (root / ".Hidden Client").mkdir()
    write(root / ".Hidden Client" / "x.md", "hidden client")
    outside = tmp_path / "outside"
    outside.mkdir()
    write(outside / "secret.md", "reached through a symlink")
    (jane / "link.md").symlink_to(outside / "secret.md")
    (root / "Linked Client").symlink_to(outside)
    (jane / "linked-folder").symlink_to(outside)
    return root


def test_dir_one_note_per_file_dated_by_mtime(office, tree):
    result = ok(office.run("import", "dir", str(tree), "--json"))
    assert json.loads(result.stdout) == {"notes": 4, "clients": 2, "new_clients": 1,
                                         "skipped": 0}
    at = lambda offset: utc(datetime.fromtimestamp(T0 + offset, timezone.utc))  # noqa: E731
    assert notes_of(office, "Jane Doe")[:-1] == [
        ("# UnlockedVault\nslept better\n", [], at(100)),
        ("suffix in capitals", [], at(200)),
        ("from a subfolder", [], at(300))]
    assert notes_of(office, "Max Mustermann") == [("first meeting with Max", [], at(50))]
    assert names(office) == ["Jane Doe", "Max Mustermann"]
    all_text = json.dumps([notes_of(office, n) for n in names(office)])
    for skipped in ("hidden", "PNG", "not a note", "no suffix", "outside any", "symlink"):
        assert skipped not in all_text, skipped
    assert imports_logged(office)[0]["detail"] == {"format": "dir", "notes": 4, "clients": 2,
                                                   "new_clients": 1, "skipped": 0}


def test_dir_dry_run(office, tree):
    before = stored(office)
    result = ok(office.run("import", "dir", str(tree), "--dry-run", "--json"))
    assert json.loads(result.stdout) == {"dry_run": True, "notes": 4, "clients": 2,
                                         "new_clients": 1, "skipped": 0}
    assert stored(office) == before


@pytest.mark.parametrize("what", ["not UTF-8", "an empty file", "only whitespace"])
def test_a_bad_file_in_the_last_folder_imports_nothing(office, tree, what):
    content = {"not UTF-8": b"caf\xe9 au lait", "an empty file": b"",
               "only whitespace": b" \n\t\n"}[what]
    last = tree / "Zz Last Client"
    last.mkdir()
    write(last / "a-good-one.md", "fine")
    write(last / "z-bad.md", content)
    before = snapshot(office)
    result = refused(office, before, "import", "dir", str(tree))
    assert NOTHING in result.stderr
    assert "z-bad.md" in result.stderr
    assert "Zz Last Client" not in result.stderr  # the folder is the client's name
    assert "<client folder 3>" in result.stderr


def test_dir_an_unreadable_subfolder_imports_nothing(office, tree, monkeypatch):
    """os.walk skipped a folder it could not list, and the import went ahead
    without its notes. (Simulated: the tests may run as root.)"""
    real_scandir = os.scandir
    blocked = str(tree / "Jane Doe" / "sub")

    def scandir(path="."):
        if os.fspath(path) == blocked:
            raise PermissionError(13, "Permission denied", blocked)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = refused(office, snapshot(office), "import", "dir", str(tree))
    assert "cannot read" in result.stderr and NOTHING in result.stderr
    assert "<client folder 1>/sub" in result.stderr and "Jane" not in result.stderr


def test_dir_on_a_terminal_the_hint_names_the_file(office, tree, monkeypatch):
    """Off a terminal the client's folder is a number; on one, where a person
    reads it, the hint gives the whole path (as "did you mean" does)."""
    write(tree / "Max Mustermann" / "bad.txt", b"\xff")
    result = refused(office, snapshot(office), "import", "dir", str(tree))
    assert "Max" not in result.stderr
    monkeypatch.setattr("vault.cli.ui.stderr_is_tty", lambda: True)
    result = refused(office, snapshot(office), "import", "dir", str(tree))
    assert f'hint: the full path is "{tree / "Max Mustermann" / "bad.txt"}"' in result.stderr


def test_control_characters_in_paths_and_names_are_never_printed_raw(office, tmp_path):
    """A file or folder name is hostile input too: an escape sequence in the
    error could rewrite the terminal."""
    src = write(tmp_path / "in\x1b]0;pwned\x07.jsonl", b"{")
    result = refused(office, snapshot(office), "import", "jsonl", str(src))
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "in\\x1b]0;pwned\\x07.jsonl: line 1: not valid JSON" in result.stderr
    root = tmp_path / "notes"
    (root / "Bad\x1b[2J Name").mkdir(parents=True)
    write(root / "Bad\x1b[2J Name" / "n\x9b1m.md", "text")
    result = refused(office, snapshot(office), "import", "dir", str(root))
    assert "control or invisible characters" in result.stderr
    assert "\x1b" not in result.stderr and "\x9b" not in result.stderr
    assert "Name" not in result.stderr


@pytest.mark.parametrize("what", ["a file", "a missing path"])
def test_dir_needs_a_folder(office, tmp_path, what):
    target = tmp_path / "x"
    if what == "a file":
        write(target, "not a folder")
    result = refused(office, snapshot(office), "import", "dir", str(target))
    assert "not a folder" in result.stderr


# -- jsonl ---------------------------------------------------------------------------

def test_view_json_of_one_vault_imports_into_another(office, tmp_path):
    ok(office.run("add", "Jane Doe", "-m", "second\nwith two lines", "--tag", "a",
                  "--tag", "b c"))
    ok(office.run("add", "Émile Zola", "-m", "ünïcödé ✓", "--new", "--tag", "café"))
    lines = [ok(office.run("view", n, "--json")).stdout for n in ("Jane Doe", "Émile Zola")]
    src = write(tmp_path / "export.jsonl", "".join(lines))

    other = {"VAULT_PATH": str(tmp_path / "other" / "vault.sqlite")}
    ok(office.run("init", *FAST_KDF, env=other))
    result = ok(office.run("import", "jsonl", str(src), "--json", env=other))
    assert json.loads(result.stdout) == {"notes": 3, "clients": 2, "new_clients": 2,
                                         "skipped": 0}
    for name in ("Jane Doe", "Émile Zola"):
        assert notes_of(office, name, env=other) == notes_of(office, name)
    [logged] = imports_logged(office, env=other)
    assert logged["detail"]["format"] == "jsonl"
    ok(office.run("check", env=other))


def test_jsonl_from_stdin_into_an_existing_client(office):
    doc = {"client": "JANE   doe", "notes": [
        {"id": 9, "created": "2024-01-02T05:04:05.678+02:00", "tags": ["x", "x"], "text": "t"}]}
    result = ok(office.run("import", "jsonl", "-", "--json",
                           input=json.dumps(doc) + "\n\n"))  # blank lines are fine
    assert json.loads(result.stdout) == {"notes": 1, "clients": 1, "new_clients": 0,
                                         "skipped": 0}
    assert ("t", ["x"], "2024-01-02T03:04:05Z") in notes_of(office, "Jane Doe")
    assert names(office) == ["Jane Doe"]


def test_jsonl_dry_run(office, tmp_path):
    doc = {"client": "New Person", "notes": [
        {"created": "2024-01-02T03:04:05Z", "tags": [], "text": f"n{i}"} for i in range(3)]}
    src = write(tmp_path / "in.jsonl", json.dumps(doc) + "\n" + json.dumps(
        {"client": "Other Person", "notes": [doc["notes"][0]]}) + "\n")
    before = stored(office)
    result = ok(office.run("import", "jsonl", str(src), "--dry-run", "--json"))
    assert json.loads(result.stdout) == {"dry_run": True, "notes": 4, "clients": 2,
                                         "new_clients": 2, "skipped": 0}
    assert stored(office) == before


def test_dry_run_counts_clients_as_the_import_does(office, tmp_path):
    note = {"created": "2024-01-02T03:04:05Z", "tags": [], "text": "t"}
    src = write(tmp_path / "in.jsonl", "\n".join(json.dumps({"client": c, "notes": [note]})
                                                for c in ("Sam Lee", "SAM LEE")))
    dry = json.loads(ok(office.run("import", "jsonl", str(src), "--dry-run", "--json")).stdout)
    real = json.loads(ok(office.run("import", "jsonl", str(src), "--json")).stdout)
    assert dry["clients"] == real["clients"] == 1


GOOD_NOTE = {"id": 1, "created": "2024-01-02T03:04:05Z", "tags": ["t"], "text": "good"}


def jsonl_doc(last_note=None, **override) -> bytes:
    """Two good lines, then the one under test."""
    good = [json.dumps({"client": f"Good {i}", "notes": [GOOD_NOTE]}) for i in range(2)]
    doc = {"client": "Last Client", "notes": [GOOD_NOTE, last_note or GOOD_NOTE]}
    doc.update(override)
    return ("\n".join(good) + "\n" + json.dumps(doc) + "\n").encode()


def note(**change):
    return {**GOOD_NOTE, **change}


MALFORMED_JSONL = {
    "not JSON": jsonl_doc() + b'{"client": "x", "notes": [\n',
    "not UTF-8": jsonl_doc() + b'{"client": "caf\xe9", "notes": []}\n',
    "a JSON list": jsonl_doc() + b"[1, 2]\n",
    "no notes list": jsonl_doc(notes="none"),
    "a note that is not an object": jsonl_doc(notes=[GOOD_NOTE, "text"]),
    "no created date": jsonl_doc({"tags": [], "text": "x"}),
    "a date without a zone": jsonl_doc(note(created="2024-01-02T03:04:05")),
    "a date that is garbage": jsonl_doc(note(created="yesterday")),
    "a date that is a number": jsonl_doc(note(created=1704164645)),
    "a client that is a number": jsonl_doc(client=42),
    "no client": jsonl_doc(client=None),
    "an empty client name": jsonl_doc(client="   "),
    "text that is a number": jsonl_doc(note(text=3.5)),
    "no text": jsonl_doc({"created": "2024-01-02T03:04:05Z", "tags": []}),
    "an empty note": jsonl_doc(note(text=" \n ")),
    "tags that are a string": jsonl_doc(note(tags="t")),
    "a tag that is a number": jsonl_doc(note(tags=["t", 1])),
    "an empty tag": jsonl_doc(note(tags=[""])),
    "a client name with a control character": jsonl_doc(client="Bad\x1bName"),
    "deep nesting": jsonl_doc() + b"[" * 100000 + b"]" * 100000 + b"\n",
    "a huge number": jsonl_doc() + b'{"client": "x", "notes": [{"created": ' + b"9" * 5000
                     + b"}]}\n",
    # stored as "999-12-31T...": the client's file would no longer open (exit 5)
    "a date before the year 1000": jsonl_doc(note(created="0999-12-31T23:59:59Z")),
    "a NUL in the date": jsonl_doc(note(created="2024-01-02T03:04:05\u0000Z")),
    "a line that is a number": jsonl_doc() + b"1e999\n",
}


@pytest.mark.parametrize("what", list(MALFORMED_JSONL))
def test_malformed_jsonl_imports_nothing(office, tmp_path, what):
    src = write(tmp_path / "in.jsonl", MALFORMED_JSONL[what])
    result = refused(office, snapshot(office), "import", "jsonl", str(src))
    assert NOTHING in result.stderr
    assert "internal error" not in result.stderr
    assert "line 3" in result.stderr or "line 4" in result.stderr  # says where


@pytest.mark.parametrize("created", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_a_date_out_of_range_in_utc_is_a_clean_error(office, tmp_path, created):
    src = write(tmp_path / "in.jsonl", jsonl_doc(note(created=created)))
    result = refused(office, snapshot(office), "import", "jsonl", str(src))
    assert NOTHING in result.stderr


def test_jsonl_missing_file(office, tmp_path):
    result = refused(office, snapshot(office), "import", "jsonl", str(tmp_path / "none.jsonl"))
    assert "cannot read" in result.stderr


def test_wrong_passphrase_imports_nothing(office, tmp_path):
    src = write(tmp_path / "in.jsonl", jsonl_doc())
    wrong = write(tmp_path / "wrong.txt", "not the passphrase at all\n")
    before = snapshot(office)
    code(office.run("import", "jsonl", str(src), env={"VAULT_PASSPHRASE_FILE": str(wrong)}), 3)
    after = snapshot(office)
    assert {t: after[t] for t in ("clients", "notes")} == \
        {t: before[t] for t in ("clients", "notes")}


def test_a_failure_while_storing_rolls_everything_back(office, tmp_path):
    """New clients are created first; the existing client met afterwards is
    damaged, so storing fails half way: nothing of the import may remain."""
    with db(office) as conn:
        conn.execute("UPDATE records SET sealed = zeroblob(length(sealed))")
    src = write(tmp_path / "in.jsonl", "\n".join(json.dumps({"client": c, "notes": [
        GOOD_NOTE]}) for c in ("Brand New", "Another New", "Jane Doe")))
    before = snapshot(office)
    result = office.run("import", "jsonl", str(src))
    assert result.exit_code == 5, (result.exit_code, result.stderr)
    after = snapshot(office)
    assert after["clients"] == before["clients"] and after["notes"] == before["notes"]
    assert not [r for r in after["log"] if r[2] == "import"]


# -- issue 15: moving in from jrnl -------------------------------------------------

def test_tags_lose_jrnls_symbol_and_a_star_becomes_a_tag(office, tmp_path):
    src = write(tmp_path / "j.json", {"entries": [
        entry("starred", tags=["@c_Jane_Doe", "@sleep", "#work", "#sleep"], starred=True),
        entry("plain", date="2021-03-05", tags=["@c_Jane_Doe", "@@odd", "@"])]})
    ok(office.run("import", "jrnl", str(src), "--client-from-tag", "@C_"))  # any case
    assert [tags for text, tags, _ in notes_of(office, "Jane Doe")[:2]] == [
        ["sleep", "work", "starred"], ["@odd", "@"]]
    hits = json.loads(ok(office.run("search", "starred", "--tag", "sleep", "--json")).stdout)
    assert len(hits["hits"]) == 1


def map_file(tmp_path, content) -> str:
    return str(write(tmp_path / "clients.map", content))


def test_a_client_map_names_the_clients_of_tags(office, tmp_path):
    src = write(tmp_path / "j.json", {"entries": [
        entry("one", tags=["@c_jane_doe"]), entry("two", tags=["@c_max_m", "@mood"]),
        entry("three", tags=["@c_new_person"])]})
    cmap = map_file(tmp_path, "# comment\n\n  c_MAX_M = Max Mustermann  \r\n"
                              "@c_jane_doe\tJane Doe\n")
    done = json.loads(ok(office.run("import", "jrnl", str(src), "--client-from-tag", "@c_",
                                    "--client-map", cmap, "--json")).stdout)
    assert done == {"notes": 3, "clients": 3, "new_clients": 2, "skipped": 0, "untagged": 0}
    assert names(office) == ["Jane Doe", "Max Mustermann", "new person"]
    assert [(t, tags) for t, tags, _ in notes_of(office, "Max Mustermann")] == [
        ("two", ["mood"])]


def test_a_client_map_alone_makes_its_tags_the_client_tags(office, tmp_path):
    src = write(tmp_path / "j.json", {"entries": [
        entry("one", tags=["@ann", "@sleep"]), entry("two", tags=["@bo", "@ann_lee"]),
        entry("three", tags=["@sleep"])]})
    cmap = map_file(tmp_path, "ann = Ann Lee\nann_lee = Ann Lee\n@BO = Bo Brown\n")
    result = refused(office, snapshot(office), "import", "jrnl", str(src),
                     "--client-map", cmap)
    assert "entry 2: 2 tags name different clients" in result.stderr  # ann_lee and bo
    assert "entry 3: no client tag (no tag is in the client map)" in result.stderr
    src = write(tmp_path / "j.json", {"entries": [
        entry("one", tags=["@ann", "@sleep"]), entry("two", tags=["@ann_lee", "@ANN"]),
        entry("three", tags=["@sleep"])]})
    done = json.loads(ok(office.run("import", "jrnl", str(src), "--client-map", cmap,
                                    "--unassigned", "Practice", "--json")).stdout)
    assert done["notes"] == 3 and names(office) == ["Ann Lee", "Jane Doe", "Practice"]
    assert [tags for _, tags, _ in notes_of(office, "Ann Lee")] == [["sleep"], []]


BAD_MAPS = {
    "no separator": ("@c_jane_doe Jane Doe\n", "line 1: no \"=\" or tab between the tag "
                     "and the client's name"),
    "an empty name": ("\n# x\n@c_jane_doe =   \n", "line 3: the client's name is empty"),
    "an empty tag": ("= Jane Doe\n", "line 1: the tag is empty"),
    "a tag naming nobody": ("@c_ = Jane Doe\n", "line 1: the tag names nobody"),
    "a control character": ("@c_x = Jane\x1b[2J Doe\n", "line 1: the client's name contains "
                            "control or invisible characters"),
    "a long name": ("@c_x = " + "J" * 201 + "\n", "line 1: the client's name is longer "
                    "than 200 characters"),
    "a tag mapped twice": ("@c_jane = Jane Doe\nc_JANE = Jane Smith\n",
                           "line 2: the tag is mapped to another client on line 1"),
    "not UTF-8": (b"@c_x = Jos\xe9\n", "not valid UTF-8"),
}


@pytest.mark.parametrize("what", list(BAD_MAPS))
def test_client_map_errors_give_the_line_never_the_names(office, tmp_path, what):
    content, message = BAD_MAPS[what]
    cmap = map_file(tmp_path, content)
    src = write(tmp_path / "j.json", jrnl_doc(entry(tags=["@c_Jane_Doe"])))
    result = refused(office, snapshot(office), "import", "jrnl", str(src),
                     "--client-from-tag", "@c_", "--client-map", cmap)
    assert f"error: client map {cmap}: {message}; nothing was imported" in result.stderr
    for secret in ("Jane", "Smith", "Jos", "jane"):
        assert secret not in result.stderr.replace(cmap, "")


def test_every_bad_map_line_is_reported_at_once(office, tmp_path):
    cmap = map_file(tmp_path, "ok_tag = Fine Name\nbad line\n@c_x =\nc_y = A\nc_Y = B\n")
    src = write(tmp_path / "j.json", jrnl_doc(entry(tags=["@c_Jane_Doe"])))
    result = refused(office, snapshot(office), "import", "jrnl", str(src),
                     "--client-from-tag", "@c_", "--client-map", cmap)
    lines = result.stderr.splitlines()
    assert lines[:3] == [
        f"vault: client map {cmap}: line 2: no \"=\" or tab between the tag and the "
        "client's name",
        f"vault: client map {cmap}: line 3: the client's name is empty",
        f"vault: client map {cmap}: line 5: the tag is mapped to another client on line 4"]
    assert lines[3] == f"vault: error: client map {cmap}: 3 problems; nothing was imported"


def test_a_missing_client_map(office, tmp_path):
    src = write(tmp_path / "j.json", jrnl_doc(entry(tags=["@c_Jane_Doe"])))
    result = refused(office, snapshot(office), "import", "jrnl", str(src), "--client-map",
                     str(tmp_path / "none.map"))
    assert f"cannot read client map {tmp_path / 'none.map'}: no such file or directory" \
        in result.stderr


def test_every_problem_of_an_export_is_reported_in_one_run(office, tmp_path):
    bad = [entry("fine", tags=["@c_Jane_Doe"]), entry(date="2021-13-01", tags=["@c_A"]),
           entry("untagged one", tags=["@x"]), entry(title=7, tags=["@c_A"]),
           entry("untagged two", tags=[])]
    src = write(tmp_path / "j.json", {"entries": bad})
    result = refused(office, snapshot(office), "import", "jrnl", str(src),
                     "--client-from-tag", "@c_")
    assert result.stderr.splitlines()[:4] == [
        f"vault: {src}: entry 2: the date is not YYYY-MM-DD with time HH:MM",
        f"vault: {src}: entries 3 and 5: no client tag (no tag starts with '@c_')",
        f"vault: {src}: entry 4: title and body must be strings",
        f"vault: error: {src}: 3 problems; nothing was imported"]
    assert "--unassigned CLIENT" in result.stderr
    assert "fine" not in result.stderr and "untagged " not in result.stderr


def test_a_thousand_untagged_entries_are_one_short_line(office, tmp_path):
    src = write(tmp_path / "j.json", {"entries": [entry(f"n{i}") for i in range(1000)]})
    result = refused(office, snapshot(office), "import", "jrnl", str(src),
                     "--client-from-tag", "@c_")
    assert "entries 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 990 more: no client tag" \
        in result.stderr
    assert len(result.stderr) < 500


def test_unassigned_files_and_skip_untagged_leaves_out(office, tmp_path):
    src = write(tmp_path / "j.json", jrnl_doc(entry("untagged", tags=["@x"])))
    skipped = json.loads(ok(office.run("import", "jrnl", str(src), "--client-from-tag", "@c_",
                                       "--skip-untagged", "--json")).stdout)
    assert skipped == {"notes": 3, "clients": 1, "new_clients": 0, "skipped": 0,
                       "untagged": 1}
    plain = ok(office.run("import", "jrnl", str(src), "--client-from-tag", "@c_",
                          "--unassigned", "Office Admin"))
    assert ("imported 1 note(s) for 1 client(s), 1 of them new; 3 duplicate(s) skipped"
            in plain.stderr)
    assert [(t, tags) for t, tags, _ in notes_of(office, "Office Admin")] == [
        ("untagged", ["x"])]


@pytest.mark.parametrize("args,message", [
    (["--client", "A", "--unassigned", "B"], "give --client or --unassigned, not both"),
    (["--client-from-tag", "@c_", "--client", "A", "--skip-untagged"],
     "--skip-untagged leaves out the entries without a client tag, which --client or "
     "--unassigned would file: give only one"),
    (["--unassigned", "B", "--client-from-tag", "@c_", "--skip-untagged"],
     "--skip-untagged leaves out"),
    (["--skip-untagged"], "say whose notes these are: --client NAME, --client-from-tag "
     "PREFIX (such as @c_), or --client-map FILE"),
])
def test_contradictory_options_are_usage_errors(office, tmp_path, args, message):
    src = write(tmp_path / "j.json", GOOD_JRNL)
    before = snapshot(office)
    result = code(office.run("import", "jrnl", str(src), *args), 2)
    assert_one_error_line(result.stderr)
    assert f"error: {message}" in result.stderr
    assert snapshot(office) == before


def jsonl(client, *notes) -> str:
    return json.dumps({"client": client, "notes": [
        {"created": c, "tags": [], "text": t} for c, t in notes]}) + "\n"


def test_a_note_already_there_is_skipped_in_every_format(office, tmp_path, tree):
    first = ok(office.run("import", "dir", str(tree), "--json"))
    again = json.loads(ok(office.run("import", "dir", str(tree), "--json")).stdout)
    assert json.loads(first.stdout)["notes"] == 4
    assert again == {"notes": 0, "clients": 0, "new_clients": 0, "skipped": 4}
    t = "2024-01-02T03:04:05Z"
    src = write(tmp_path / "in.jsonl", jsonl("Jane Doe", (t, "a"), (t, "a"), (t, "b"),
                                             ("2024-01-02T03:04:06Z", "a"))
                + jsonl("jane  DOE", (t, "b")) + jsonl("Max Mustermann", (t, "a")))
    dry = json.loads(ok(office.run("import", "jsonl", str(src), "--dry-run",
                                   "--json")).stdout)
    done = json.loads(ok(office.run("import", "jsonl", str(src), "--json")).stdout)
    # same date and text, in the same import: skipped; another second, another
    # text or another client: a note of its own
    assert done == {"notes": 4, "clients": 2, "new_clients": 0, "skipped": 2}
    assert dry == {"dry_run": True, **done}
    assert json.loads(ok(office.run("import", "jsonl", str(src), "--json")).stdout) == {
        "notes": 0, "clients": 0, "new_clients": 0, "skipped": 6}
    assert [(c, x) for x, _, c in notes_of(office, "Jane Doe") if c.startswith("2024-01")] == [
        (t, "a"), (t, "b"), ("2024-01-02T03:04:06Z", "a")]


def test_a_dry_run_needs_the_passphrase_and_logs_a_preview(office, tmp_path):
    """Counting the notes already there means opening the clients' notes."""
    src = write(tmp_path / "in.jsonl", jsonl("Jane Doe", ("2024-01-02T03:04:05Z", "a")))
    wrong = write(tmp_path / "wrong.txt", "not the passphrase at all\n")
    before = stored(office)
    code(office.run("import", "jsonl", str(src), "--dry-run",
                    env={"VAULT_PASSPHRASE_FILE": str(wrong)}), 3)
    ok(office.run("import", "jsonl", str(src), "--dry-run"))
    assert stored(office) == before
    [preview] = previews_logged(office)
    assert preview["clients"] == 1 and preview["signed"]
    assert preview["detail"] == {"format": "jsonl", "notes": 1, "clients": 1,
                                 "new_clients": 0, "skipped": 0}
