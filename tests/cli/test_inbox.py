"""`vault add --sealed` and `vault inbox` (issue 6): quick capture while locked.

Covers: `add --sealed` with no passphrase source at all succeeds, prints
{"sealed": true, "inbox": ID} and never runs the KDF (the KDF is made to
raise); it is recorded as an unsigned `add-sealed` entry (via "none") that
the next unlock signs; neither the note's text nor the name it was given
appears in the raw vault files (.sqlite, -wal, -shm); the next unlock files
a note whose name matches a client (stderr says so, `view` shows it with
its tags, an `inbox-file` entry is logged) and `log verify` passes; a name
that matches no client waits, listed by `vault inbox` (plain and JSON),
until `inbox file ID CLIENT --new` files it (without --new, exit 4) or
`inbox drop ID --yes` deletes it (without --yes and no terminal, exit 6);
an unknown id is exit 4; a copied inbox row is filed once, never twice;
a garbage inbox row is listed as unreadable, cannot be filed (exit 4), can
be dropped, and blocks no other command; bad input to `add --sealed`
(empty text, a name with control characters) is refused with exit 2 and
nothing stored.
"""

from __future__ import annotations

import json

import pytest

from ..checks import assert_one_error_line, code, db, ok

JANE = "Jane Doe"
SEALED_TEXT = "Zanzibar marmalade incident, call back Thursday"
STRANGER = "Quentin Unmatched-Name"
NO_SOURCE = {"VAULT_PASSPHRASE_FILE": None, "VAULT_PASSPHRASE_COMMAND": None}


@pytest.fixture
def office(vault_env):
    ok(vault_env.run("add", JANE, "-m", "first visit", "--new"))
    return vault_env


def sealed(venv, client: str, text: str, *extra: str) -> int:
    result = ok(venv.run("add", "--sealed", client, "-m", text, *extra, "--json",
                         env=NO_SOURCE))
    reply = json.loads(result.stdout)
    assert reply["sealed"] is True and isinstance(reply["inbox"], int)
    return reply["inbox"]


def inbox(venv) -> list[dict]:
    return json.loads(ok(venv.run("inbox", "--json")).stdout)


def raw_files(venv) -> bytes:
    data = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = venv.path.with_name(venv.path.name + suffix)
        if p.exists():
            data += p.read_bytes()
    return data


def texts(venv, client: str) -> list[str]:
    return [n["text"] for n in json.loads(ok(venv.run("view", client, "--json")).stdout)["notes"]]


def log(venv) -> list[dict]:
    return json.loads(ok(venv.run("log", "--json")).stdout)


# -- adding while locked -------------------------------------------------------------

def test_add_sealed_needs_no_passphrase_and_no_kdf(office, monkeypatch):
    import vault.crypto

    def no_kdf(*args, **kwargs):
        raise AssertionError("the KDF ran")

    monkeypatch.setattr(vault.crypto, "kdf", no_kdf)
    monkeypatch.setattr(vault.crypto, "hash_secret_raw", no_kdf)
    result = ok(office.run("add", "--sealed", JANE, "-m", SEALED_TEXT, "--json",
                           env=NO_SOURCE))
    assert json.loads(result.stdout) == {"sealed": True, "inbox": 1}
    assert "Traceback" not in result.stderr
    human = ok(office.run("add", "--sealed", JANE, "-m", "second", env=NO_SOURCE))
    assert human.stdout == "" and "sealed" in human.stderr
    # ...and a command that needs the key still cannot run
    code(office.run("list", env=NO_SOURCE), 3)


def test_sealed_note_is_not_in_the_raw_file_and_is_logged_unsigned(office):
    sealed(office, JANE, SEALED_TEXT, "--tag", "phone")
    sealed(office, STRANGER, "stranger danger text")
    raw = raw_files(office)
    for secret in (SEALED_TEXT, "Zanzibar", "stranger danger", STRANGER, "Quentin", "phone"):
        assert secret.encode() not in raw, secret
        assert secret.encode("utf-16-le") not in raw, secret
    with db(office) as conn:
        rows = conn.execute("SELECT action, via, signature IS NULL FROM log "
                            "ORDER BY seq DESC LIMIT 2").fetchall()
    assert rows == [("add-sealed", "none", 1), ("add-sealed", "none", 1)]


def test_next_unlock_files_it_and_the_log_verifies(office):
    sealed(office, JANE, SEALED_TEXT, "--tag", "phone")
    view = ok(office.run("view", JANE))
    assert "filed 1 note(s) added while locked" in view.stderr
    assert SEALED_TEXT in view.stdout
    notes = json.loads(ok(office.run("view", JANE, "--json")).stdout)["notes"]
    assert [n["text"] for n in notes] == ["first visit", SEALED_TEXT]
    assert notes[1]["tags"] == ["phone"]
    entries = log(office)
    actions = [e["action"] for e in entries]
    assert actions[2:5] == ["add-sealed", "inbox-file", "view"]
    assert all(e["signed"] for e in entries)
    assert entries[3]["clients"] == 1
    ok(office.run("log", "verify"))
    assert inbox(office) == []
    # filed once: later unlocks do not file it again
    assert texts(office, JANE).count(SEALED_TEXT) == 1


def test_add_sealed_refuses_bad_input(office):
    before = raw_files(office)
    for args in (["add", "--sealed", JANE, "-m", "   "],
                 ["add", "--sealed", "Bad\x1bName", "-m", "text"],
                 ["add", "--sealed", "", "-m", "text"]):
        result = code(office.run(*args, env=NO_SOURCE), 2)
        assert result.stdout == ""
        assert_one_error_line(result.stderr)
    with db(office) as conn:
        assert conn.execute("SELECT count(*) FROM inbox").fetchone() == (0,)
    assert b"Bad\x1bName" not in before + raw_files(office)


# -- names that match no client --------------------------------------------------------

def test_unmatched_name_waits_in_the_inbox(office):
    item = sealed(office, STRANGER, "waiting note", "--tag", "t1")
    listed = ok(office.run("list"))
    assert "1 note(s) added while locked wait in the inbox" in listed.stderr
    assert STRANGER not in listed.stdout
    (row,) = inbox(office)
    assert row["id"] == item and row["readable"] is True and row["client"] == STRANGER
    assert row["chars"] == len("waiting note") and row["created"].endswith("Z")
    plain = ok(office.run("inbox"))
    assert plain.stdout.startswith(f"{item}\t{STRANGER}\t")
    # without --new a missing client is not created
    code(office.run("inbox", "file", str(item), STRANGER), 4)
    assert inbox(office)[0]["id"] == item


def test_inbox_file_new_files_it(office):
    item = sealed(office, STRANGER, "waiting note", "--tag", "t1")
    result = ok(office.run("inbox", "file", str(item), STRANGER, "--new"))
    assert "filed as note" in result.stderr
    notes = json.loads(ok(office.run("view", STRANGER, "--json")).stdout)["notes"]
    assert [(n["text"], n["tags"]) for n in notes] == [("waiting note", ["t1"])]
    assert inbox(office) == []
    ok(office.run("log", "verify"))


def test_inbox_file_under_an_existing_client(office):
    item = sealed(office, "Jane D", "typo in the name")
    ok(office.run("inbox", "file", str(item), JANE))
    assert texts(office, JANE) == ["first visit", "typo in the name"]


def test_inbox_drop(office):
    item = sealed(office, STRANGER, "to be dropped")
    refused = code(office.run("inbox", "drop", str(item)), 6)
    assert_one_error_line(refused.stderr)
    assert [r["id"] for r in inbox(office)] == [item]
    ok(office.run("inbox", "drop", str(item), "--yes"))
    assert inbox(office) == []
    assert "inbox-drop" in [e["action"] for e in log(office)]
    code(office.run("view", STRANGER), 4)
    ok(office.run("log", "verify"))


def test_unknown_inbox_id_is_exit_4(office):
    sealed(office, STRANGER, "waiting")
    for args in (["inbox", "file", "99", JANE], ["inbox", "drop", "99", "--yes"]):
        result = code(office.run(*args), 4)
        assert result.stdout == ""
        assert_one_error_line(result.stderr)
    assert len(inbox(office)) == 1


# -- rows that were not written by `add --sealed` ---------------------------------------

def test_a_copied_row_is_not_filed_twice(office):
    item = sealed(office, JANE, SEALED_TEXT)
    with db(office) as conn:
        conn.execute("INSERT INTO inbox (sealed) SELECT sealed FROM inbox WHERE id = ?", (item,))
        conn.execute("INSERT INTO inbox (sealed) SELECT sealed FROM inbox WHERE id = ?", (item,))
        assert conn.execute("SELECT count(*) FROM inbox").fetchone() == (3,)
    ok(office.run("list"))
    assert texts(office, JANE).count(SEALED_TEXT) == 1
    with db(office) as conn:
        assert conn.execute("SELECT count(*) FROM inbox").fetchone() == (0,)
    ok(office.run("log", "verify"))


def test_a_copied_waiting_row_is_not_filed_twice(office):
    item = sealed(office, STRANGER, "only once")
    with db(office) as conn:
        conn.execute("INSERT INTO inbox (sealed) SELECT sealed FROM inbox WHERE id = ?", (item,))
        copy = conn.execute("SELECT max(id) FROM inbox").fetchone()[0]
    ok(office.run("inbox", "file", str(item), STRANGER, "--new"))
    # the copy is dropped at the next unlock, or refused: never a second note
    result = office.run("inbox", "file", str(copy), STRANGER)
    assert result.exit_code in (0, 4) and "Traceback" not in result.stderr
    assert texts(office, STRANGER) == ["only once"]
    assert inbox(office) == []


def test_a_garbage_row_is_unreadable_and_blocks_nothing(office):
    with db(office) as conn:
        conn.execute("INSERT INTO inbox (sealed) VALUES (randomblob(120))")
        conn.execute("INSERT INTO inbox (sealed) VALUES (x'')")
    good = sealed(office, JANE, SEALED_TEXT)
    view = ok(office.run("view", JANE))
    assert SEALED_TEXT in view.stdout
    assert "2 note(s) added while locked wait in the inbox" in view.stderr
    ok(office.run("add", JANE, "-m", "still works"))
    ok(office.run("list"))
    ok(office.run("search", "marmalade"))
    ok(office.run("log", "verify"))
    rows = inbox(office)
    assert len(rows) == 2 and good not in [r["id"] for r in rows]
    assert all(r["readable"] is False and r["client"] is None for r in rows)
    assert "(unreadable)" in ok(office.run("inbox")).stdout
    bad = rows[0]["id"]
    refused = code(office.run("inbox", "file", str(bad), JANE), 4)
    assert_one_error_line(refused.stderr)
    for r in rows:
        ok(office.run("inbox", "drop", str(r["id"]), "--yes"))
    assert inbox(office) == []


# Review of issue 6: anyone with the public box key can seal a row. One with a
# sequence number past SQLite's integers made every unlock an internal error
# (so not even `inbox drop` could remove it); one dated before the year 1000
# was filed and made the client's file unreadable (exit 5) for good.
def plant(venv, mac_key: bytes | None = None, **fields) -> None:
    """An inbox row sealed to the public box key, as anyone who can read the
    file can seal one; with `mac_key`, also MAC'd with that key (the capture
    key: someone who also reads this machine's config folder)."""
    from datetime import datetime, timezone

    from vault import codec, crypto
    from vault.models import iso
    from vault.vaultfile import capture
    from vault.vaultfile.keyring import BOX_PUBLIC
    from vault.vaultfile.ledger import last_entry, record_locked
    from vault.vaultfile.store import Store
    store = Store.open(venv.path)
    try:
        with store.write():
            header = store.header()
            rec = {"vault_id": header.vault_id.hex(),
                   "seq": last_entry(store, header.vault_id)[0] + 1,
                   "client": JANE, "text": "planted", "tags": [],
                   "created": iso(datetime.now(timezone.utc)), **fields}
            if mac_key is not None:
                try:
                    rec["mac"] = capture.mac(mac_key, header.vault_id, rec).hex()
                except TypeError:   # a seq no MAC can cover: left without one
                    pass
            store.add_inbox(crypto.box_seal(store.key_or_none(BOX_PUBLIC), codec.pack(rec)))
            record_locked(store, "add-sealed")
    finally:
        store.close()


def capture_key(venv) -> bytes:
    """This machine's capture key of the vault (its config folder)."""
    from vault.vaultfile import capture
    with db(venv) as conn:
        vault_id = conn.execute("SELECT vault_id FROM header").fetchone()[0]
    key = capture.load(vault_id)
    assert key is not None
    return key


@pytest.mark.parametrize("fields", [
    {"seq": 2 ** 70}, {"seq": -1}, {"seq": True},
    {"created": "0999-06-01T00:00:00+00:00"}, {"created": "9999-12-31T23:59:59-05:00"},
], ids=["huge-seq", "negative-seq", "bool-seq", "year-999", "past-9999-in-utc"])
def test_a_planted_row_out_of_range_waits_unreadable_and_breaks_nothing(office, fields):
    # Made with the capture key (issue 12): only the bounds keep it out.
    plant(office, mac_key=capture_key(office), **fields)
    view = ok(office.run("view", JANE))
    assert "planted" not in view.stdout
    assert "1 note(s) added while locked wait in the inbox" in view.stderr
    # It can never be filed: `check` reports it (issue 12), nothing else breaks.
    code(office.run("check"), 5)
    ok(office.run("log", "verify"))
    (row,) = inbox(office)
    assert row["readable"] is False
    ok(office.run("inbox", "drop", str(row["id"]), "--yes"))
    assert inbox(office) == []
    ok(office.run("view", JANE))
    ok(office.run("check"))
