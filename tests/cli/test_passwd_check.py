"""`vault passwd` and `vault check` (issue 5).

passwd: afterwards the old passphrase is exit 3 and the new one works; only
the wrapped master key and its salt change (clients, notes, keys rows byte
for byte the same), the old wrapped key is gone from the file and its WAL;
`--kdf-memory`/`--kdf-iterations` re-tune the KDF (visible in the header) or
it is kept; VAULT_NEW_PASSPHRASE_FILE; the JSON; the "passwd" log entry; no
terminal and no new source (exit 3, nothing changed); a wrong current
passphrase, an empty new one, and out-of-range KDF values change nothing.

check: a sound vault (exit 0, "vault ok: ..." on stdout, JSON counts), read
only; and exit 5 with every problem listed for a flipped note body, two
damaged clients at once, a deleted log row in the middle or at the end, a
deleted or slipped-in note, a damaged client record, a damaged head, and a
shredded client brought back behind the vault's back.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..checks import assert_one_error_line, code, db, ok
from ..conftest import FAST_KDF, copy_vault, private_env

CLIENTS = {"Alice Smith": ["alice one", "alice two"],
           "Bob Jones": ["bob one", "bob two", "bob three"]}
NEW_PASSPHRASE = "a brand new passphrase, five words long"


@pytest.fixture(scope="module")
def office_template(tmp_path_factory):
    venv = private_env(tmp_path_factory.mktemp("office"))
    ok(venv.run("init", *FAST_KDF))
    for name, texts in CLIENTS.items():
        for i, text in enumerate(texts):
            ok(venv.run("add", name, "-m", text, "--tag", f"t{i}",
                        *(["--new"] if i == 0 else [])))
    return venv


@pytest.fixture
def office(office_template, blank_env):
    """Two clients, five notes."""
    return copy_vault(office_template, blank_env)


@pytest.fixture
def new_pw(tmp_path) -> Path:
    path = tmp_path / "new-passphrase.txt"
    path.write_text(NEW_PASSPHRASE + "\n")
    return path


def views(venv, env=None):
    return {n: json.loads(ok(venv.run("view", n, "--json", env=env)).stdout) for n in CLIENTS}


def rows(venv):
    """Everything passwd must leave alone, and the header it must change."""
    with db(venv) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("clients", "notes", "keys", "header", "tombstones")}


def raw(venv) -> bytes:
    return b"".join(p.read_bytes() for p in (venv.path, Path(f"{venv.path}-wal"))
                    if p.exists())


def log(venv, env=None):
    return json.loads(ok(venv.run("log", "--json", env=env)).stdout)


def check_json(venv, expected_exit: int):
    result = code(venv.run("check", "--json"), expected_exit)
    assert len(result.stdout.splitlines()) == 1
    return json.loads(result.stdout), result


# -- passwd ------------------------------------------------------------------------

def test_passwd_old_fails_new_works_and_nothing_else_changes(office, new_pw):
    before_views = views(office)
    before = rows(office)
    old_wrapped = before["header"][0][9]
    assert old_wrapped in raw(office)

    result = ok(office.run("passwd", "--new-passphrase-file", str(new_pw)))
    assert result.stdout == ""
    assert "passphrase changed" in result.stderr

    after = rows(office)
    for table in ("clients", "notes", "keys", "tombstones"):
        assert after[table] == before[table], table
    (old_h,), (new_h,) = before["header"], after["header"]
    changed = {i for i, (a, b) in enumerate(zip(old_h, new_h)) if a != b}
    assert changed == {8, 9}  # salt, wrapped_master: nothing else in the header
    assert old_wrapped not in raw(office)  # erased, not just superseded

    wrong = code(office.run("view", "Alice Smith"), 3)
    assert wrong.stdout == "" and "alice" not in wrong.stderr
    assert_one_error_line(wrong.stderr)
    new_env = {"VAULT_PASSPHRASE_FILE": str(new_pw)}
    assert views(office, new_env) == before_views
    entries = log(office, new_env)
    passwd = [e for e in entries if e["action"] == "passwd"]
    assert len(passwd) == 1 and passwd[0]["signed"] and passwd[0]["clients"] == 0
    assert passwd[0]["detail"] == {"kdf_memory_kib": 8192, "kdf_iterations": 1,
                                   "keyfile": False}
    ok(office.run("log", "verify", env=new_env))
    ok(office.run("check", env=new_env))


def test_passwd_from_the_environment_and_json(office, new_pw):
    result = ok(office.run("passwd", "--json",
                          env={"VAULT_NEW_PASSPHRASE_FILE": str(new_pw)}))
    assert len(result.stdout.splitlines()) == 1
    assert json.loads(result.stdout) == {"changed": True, "kdf_memory_mib": 8,
                                         "kdf_iterations": 1, "keyfile": False}
    code(office.run("list"), 3)
    ok(office.run("list", env={"VAULT_PASSPHRASE_FILE": str(new_pw)}))


def test_passwd_retunes_the_kdf(office, new_pw):
    before = views(office)
    result = ok(office.run("passwd", "--new-passphrase-file", str(new_pw),
                           "--kdf-memory", "16", "--kdf-iterations", "2", "--json"))
    assert json.loads(result.stdout)["kdf_memory_mib"] == 16
    assert json.loads(result.stdout)["kdf_iterations"] == 2
    assert "below the recommended" in result.stderr
    with db(office) as conn:
        assert conn.execute("SELECT kdf_memory_kib, kdf_iterations FROM header").fetchone() \
            == (16 * 1024, 2)
    new_env = {"VAULT_PASSPHRASE_FILE": str(new_pw)}
    assert views(office, new_env) == before
    assert [e["detail"] for e in log(office, new_env) if e["action"] == "passwd"] == \
        [{"kdf_memory_kib": 16384, "kdf_iterations": 2, "keyfile": False}]
    # only one of the two: the other is kept
    ok(office.run("passwd", "--new-passphrase-file", str(new_pw), "--kdf-iterations", "3",
                  env=new_env))
    with db(office) as conn:
        assert conn.execute("SELECT kdf_memory_kib, kdf_iterations FROM header").fetchone() \
            == (16 * 1024, 3)


def test_passwd_to_the_same_passphrase_still_rewraps(office):
    before = rows(office)["header"][0]
    ok(office.run("passwd", "--new-passphrase-file", str(office.passphrase_file)))
    after = rows(office)["header"][0]
    assert after[8] != before[8] and after[9] != before[9]  # a fresh salt every time
    ok(office.run("list"))


def test_passwd_without_a_terminal_or_a_new_source_is_refused(office):
    before = rows(office)
    result = code(office.run("passwd"), 3)
    assert result.stdout == ""
    assert_one_error_line(result.stderr)
    assert "terminal" in result.stderr and "--new-passphrase-file" in result.stderr
    assert rows(office) == before
    assert "passwd" not in [e["action"] for e in log(office)]


def test_passwd_with_the_wrong_current_passphrase_changes_nothing(office, new_pw, tmp_path):
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("certainly not the passphrase\n")
    before = rows(office)
    code(office.run("passwd", "--new-passphrase-file", str(new_pw),
                    env={"VAULT_PASSPHRASE_FILE": str(wrong)}), 3)
    assert rows(office) == before
    code(office.run("list", env={"VAULT_PASSPHRASE_FILE": str(new_pw)}), 3)
    ok(office.run("list"))


@pytest.mark.parametrize("args", [["--kdf-memory", "0"], ["--kdf-memory", "5000"],
                                  ["--kdf-iterations", "0"], ["--kdf-iterations", "65"]])
def test_passwd_out_of_range_kdf_is_a_usage_error(office, new_pw, args):
    before = rows(office)
    code(office.run("passwd", "--new-passphrase-file", str(new_pw), *args), 2)
    assert rows(office) == before


def test_passwd_empty_new_passphrase_changes_nothing(office, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    before = rows(office)
    result = code(office.run("passwd", "--new-passphrase-file", str(empty)), 3)
    assert "empty" in result.stderr
    assert rows(office) == before


def test_passwd_from_the_real_entry_point(office, new_pw):
    result = office.subprocess("passwd", env={"VAULT_NEW_PASSPHRASE_FILE": str(new_pw)})
    assert result.returncode == 0, result.stderr
    assert office.subprocess("list").returncode == 3
    assert office.subprocess("list", env={"VAULT_PASSPHRASE_FILE": str(new_pw)}).returncode == 0


# -- check -------------------------------------------------------------------------

def test_check_a_sound_vault(office):
    entries = len(log(office)) + 1  # `vault log` adds its own entry after reading
    result = ok(office.run("check"))
    assert result.stdout == f"vault ok: 2 clients, 5 notes, {entries} log entries, " \
                            "0 tombstones\n"
    assert "alice" not in result.stdout + result.stderr.lower()
    data, _ = check_json(office, 0)
    # The check before left this machine's verified-through record: no
    # signature needs verifying again (docs/format.md section 16).
    assert data == {"ok": True, "clients": 2, "notes": 5, "log_entries": entries,
                    "tombstones": 0, "signatures_verified": 0,
                    "signatures_known": entries, "problems": []}


def test_check_counts_tombstones(office):
    ok(office.run("shred", "Bob Jones", "--yes"))
    data, _ = check_json(office, 0)
    assert (data["clients"], data["notes"], data["tombstones"]) == (1, 2, 1)


def test_check_is_read_only(office):
    ok(office.run("backup", str(office.root / "b.vaultbackup")))  # an unsigned entry
    with db(office) as conn:
        before = conn.execute("SELECT * FROM log ORDER BY seq").fetchall()
    snapshot = rows(office)
    ok(office.run("check"))
    with db(office) as conn:
        assert conn.execute("SELECT * FROM log ORDER BY seq").fetchall() == before
    assert rows(office) == snapshot


def test_check_wrong_passphrase_is_exit_3(office, tmp_path):
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("certainly not the passphrase\n")
    result = code(office.run("check", env={"VAULT_PASSPHRASE_FILE": str(wrong)}), 3)
    assert result.stdout == ""


def note_ids(venv, name):
    return [n["id"] for n in json.loads(ok(venv.run("view", name, "--json")).stdout)["notes"]]


def flip(conn, table: str, column: str, where: str, offset: int = -1) -> None:
    value = bytearray(conn.execute(f"SELECT {column} FROM {table} WHERE {where}").fetchone()[0])
    value[offset] ^= 0x01
    conn.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (bytes(value),))


def assert_failed_check(venv, *words: str):
    data, result = check_json(venv, 5)
    assert data["ok"] is False and data["problems"]
    text = "\n".join(data["problems"])
    for w in words:
        assert w in text, (w, data["problems"])
    assert "failed its check" in result.stderr
    assert_one_error_line(result.stderr)
    plain = code(venv.run("check"), 5)
    assert "vault ok" not in plain.stdout
    assert all(f"problem: {p}" in plain.stderr for p in data["problems"])
    return data


def test_check_finds_a_flipped_byte_in_a_note_body(office):
    bad = note_ids(office, "Bob Jones")[1]
    with db(office) as conn:
        flip(conn, "notes", "body", f"id = {bad}", offset=30)
    data = assert_failed_check(office, f"note {bad}")
    assert data["clients"] == 2


def test_check_lists_every_problem_not_just_the_first(office):
    alice, bob = note_ids(office, "Alice Smith")[0], note_ids(office, "Bob Jones")[2]
    with db(office) as conn:
        flip(conn, "notes", "body", f"id = {alice}")
        flip(conn, "notes", "body", f"id = {bob}")
    data = assert_failed_check(office, f"note {alice}", f"note {bob}")
    assert len(data["problems"]) >= 2


@pytest.mark.parametrize("which", ["middle", "last"])
def test_check_finds_a_deleted_log_row(office, which):
    with db(office) as conn:
        last = conn.execute("SELECT max(seq) FROM log").fetchone()[0]
        conn.execute("DELETE FROM log WHERE seq = ?", (3 if which == "middle" else last,))
    assert_failed_check(office)


def test_check_finds_a_deleted_note(office):
    gone = note_ids(office, "Alice Smith")[0]
    with db(office) as conn:
        conn.execute("DELETE FROM notes WHERE id = ?", (gone,))
    assert_failed_check(office, "notes")


def test_check_finds_a_note_slipped_in_from_another_client(office):
    alice, bob = note_ids(office, "Alice Smith"), note_ids(office, "Bob Jones")
    with db(office) as conn:
        cid = conn.execute("SELECT client_id FROM notes WHERE id = ?", (alice[0],)).fetchone()[0]
        body = conn.execute("SELECT body FROM notes WHERE id = ?", (bob[0],)).fetchone()[0]
        conn.execute("INSERT INTO notes (client_id, body) VALUES (?, ?)", (cid, body))
    assert_failed_check(office)


def test_check_finds_a_damaged_client_record(office):
    with db(office) as conn:
        flip(conn, "records", "sealed", "id = (SELECT min(id) FROM clients)")
    data = assert_failed_check(office)
    assert data["clients"] == 2


def test_check_finds_a_damaged_head(office):
    with db(office) as conn:
        flip(conn, "head", "sealed", "id = 1")
    result = office.run("check", "--json")
    # the head is checked when the vault opens or by check itself: exit 5 either way
    assert result.exit_code == 5, (result.stdout, result.stderr)


def test_check_finds_a_shredded_client_brought_back(office):
    with db(office) as conn:
        uid = conn.execute("SELECT uid FROM clients ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute("INSERT INTO tombstones (uid, shredded) VALUES (?, '2024-01-01')", (uid,))
    assert_failed_check(office, "shredded")


def test_check_after_passwd_needs_the_new_passphrase(office, new_pw):
    ok(office.run("passwd", "--new-passphrase-file", str(new_pw)))
    code(office.run("check"), 3)
    ok(office.run("check", env={"VAULT_PASSPHRASE_FILE": str(new_pw)}))
