"""Issue 12: sealed capture is authenticated by a capture key kept outside
the vault file.

Covers: `init` writes the capture key to the config folder (folder 0700,
file 0600, one file per vault id, and the vault's wrapped copy matches it);
an inbox row planted with only the public box key (the attack: anyone who
can read the file can seal one), or MAC'd with another key, is never filed
even when it names a client, is reported by `vault inbox` (stderr and
`"authentic": false`) and by `vault check` (exit 5), and once dropped,
`check` passes again; `add --sealed` on a machine without the key fails with
exit 3 and a hint, stores nothing, and works after any unlock there (which
writes the key from the vault's wrapped copy, as on a new machine); a
damaged or stale key file is rewritten by the next unlock; a filed note
keeps the time it was sealed and is marked as captured while locked by
`view` (plain and JSON), also after a redaction re-encrypts it.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone

from vault.vaultfile import capture

from ..checks import assert_one_error_line, code, db, ok
from .test_inbox import (
    JANE,
    NO_SOURCE,
    SEALED_TEXT,
    capture_key,
    inbox,
    plant,
    sealed,
    texts,
)


def vault_id(venv) -> bytes:
    with db(venv) as conn:
        return conn.execute("SELECT vault_id FROM header").fetchone()[0]


def inbox_rows(venv) -> int:
    with db(venv) as conn:
        return conn.execute("SELECT count(*) FROM inbox").fetchone()[0]


def test_init_writes_the_capture_key_to_the_config_folder(vault_env):
    file = capture.location(vault_id(vault_env))
    assert file.parent.name == "capture" and file.name == vault_id(vault_env).hex()
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    assert str(file).startswith(os.environ["XDG_CONFIG_HOME"])
    line = file.read_text()
    assert line.startswith(f"cvk1:{vault_id(vault_env).hex()}:") and line.endswith("\n")
    with db(vault_env) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM keys")}
    assert "capture" in names
    # the key itself is not in the vault file in the clear
    assert bytes.fromhex(line.split(":")[2]) not in vault_env.path.read_bytes()


def test_a_row_planted_with_only_the_public_box_key_is_never_filed(vault_env):
    ok(vault_env.run("add", JANE, "-m", "first visit", "--new"))
    plant(vault_env, text="planted by someone with the file",
          created="2020-01-01T00:00:00Z", tags=["backdated"])
    view = ok(vault_env.run("view", JANE))
    assert "planted" not in view.stdout
    assert texts(vault_env, JANE) == ["first visit"]
    # reported by `vault inbox`...
    result = ok(vault_env.run("inbox", "--json"))
    assert "1 note(s) in the inbox failed authentication" in result.stderr
    (row,) = json.loads(result.stdout)
    assert row["authentic"] is False and row["readable"] is False and row["client"] is None
    plain = ok(vault_env.run("inbox"))
    assert "failed authentication" in plain.stderr and "(unreadable)" in plain.stdout
    # ...and by `vault check`, exit 5
    checked = code(vault_env.run("check"), 5)
    assert "failed authentication" in checked.stderr
    assert "planted" not in checked.stderr + checked.stdout
    # it cannot be filed by hand either
    code(vault_env.run("inbox", "file", str(row["id"]), JANE), 4)
    assert texts(vault_env, JANE) == ["first visit"]
    ok(vault_env.run("inbox", "drop", str(row["id"]), "--yes"))
    ok(vault_env.run("check"))
    ok(vault_env.run("log", "verify"))


def test_a_row_with_a_mac_under_another_key_is_never_filed(vault_env):
    ok(vault_env.run("add", JANE, "-m", "first visit", "--new"))
    plant(vault_env, mac_key=bytes(32), text="planted with a guessed key")
    plant(vault_env, mac="00" * 32, text="planted with a made-up mac")
    ok(vault_env.run("list"))
    assert texts(vault_env, JANE) == ["first visit"]
    assert [r["authentic"] for r in inbox(vault_env)] == [False, False]
    code(vault_env.run("check"), 5)


def test_a_genuine_sealed_note_is_filed_and_check_passes(vault_env):
    ok(vault_env.run("add", JANE, "-m", "first visit", "--new"))
    sealed(vault_env, JANE, SEALED_TEXT)
    ok(vault_env.run("check"))   # checks the waiting row, then files it at no unlock
    assert texts(vault_env, JANE) == ["first visit", SEALED_TEXT]
    ok(vault_env.run("check"))


def test_add_sealed_without_the_capture_key_on_this_machine_fails_with_a_hint(vault_env):
    ok(vault_env.run("add", JANE, "-m", "first visit", "--new"))
    file = capture.location(vault_id(vault_env))
    file.unlink()   # another machine, or a fresh config folder
    before = inbox_rows(vault_env)
    result = code(vault_env.run("add", "--sealed", JANE, "-m", SEALED_TEXT, env=NO_SOURCE), 3)
    assert result.stdout == ""
    assert_one_error_line(result.stderr)
    assert "no capture key" in result.stderr and "vault: hint: unlock the vault once" \
        in result.stderr and str(file) in result.stderr
    assert inbox_rows(vault_env) == before
    # any unlock on this machine writes it from the vault's wrapped copy
    ok(vault_env.run("list"))
    assert capture.load(vault_id(vault_env)) is not None
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    sealed(vault_env, JANE, SEALED_TEXT)
    ok(vault_env.run("list"))
    assert texts(vault_env, JANE) == ["first visit", SEALED_TEXT]


def test_a_stale_or_damaged_key_file_is_rewritten_at_the_next_unlock(vault_env):
    ok(vault_env.run("add", JANE, "-m", "first visit", "--new"))
    right = capture_key(vault_env)
    file = capture.location(vault_id(vault_env))
    file.write_text(f"cvk1:{vault_id(vault_env).hex()}:{'ab' * 32}\n")   # stale
    sealed(vault_env, JANE, "sealed with a stale key")
    ok(vault_env.run("list"))
    assert texts(vault_env, JANE) == ["first visit"]   # not filed: reported instead
    assert [r["authentic"] for r in inbox(vault_env)] == [False]
    assert capture_key(vault_env) == right             # rewritten from the vault
    file.write_text("garbage")
    ok(vault_env.run("list"))
    assert capture_key(vault_env) == right


def test_a_filed_note_keeps_its_sealed_time_and_is_marked_captured(vault_env):
    ok(vault_env.run("add", JANE, "-m", "first visit", "--new"))
    sealed_at = datetime.now(timezone.utc).replace(microsecond=0)
    sealed(vault_env, JANE, SEALED_TEXT, "--tag", "phone")
    notes = json.loads(ok(vault_env.run("view", JANE, "--json")).stdout)["notes"]
    assert [n.get("captured") for n in notes] == [None, True]
    created = datetime.fromisoformat(notes[1]["created"].replace("Z", "+00:00"))
    assert abs((created - sealed_at).total_seconds()) <= 60
    # the time its `add-sealed` entry was recorded, to the second
    (entry,) = [e for e in json.loads(ok(vault_env.run("log", "--json")).stdout)
                if e["action"] == "add-sealed"]
    assert entry["time"][:19] == notes[1]["created"][:19]
    plain = ok(vault_env.run("view", JANE)).stdout
    assert plain.count("(captured while locked)") == 1
    assert plain.index("(captured while locked)") > plain.index("first visit")
    # a redaction re-encrypts every note of the client: the mark stays
    ok(vault_env.run("redact", JANE, "--text", "marmalade", "--yes"))
    notes = json.loads(ok(vault_env.run("view", JANE, "--json")).stdout)["notes"]
    assert [n.get("captured") for n in notes] == [None, True]
    assert "marmalade" not in notes[1]["text"]
