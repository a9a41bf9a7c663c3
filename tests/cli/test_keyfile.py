"""Key files as a second factor (issue 5).

Covers: `vault keyfile new` (0600, 64 hex characters and a newline, a fresh
one each time, never overwriting a file or following a symlink: exit 6);
`vault init --keyfile`; every unlocking command taking `--keyfile PATH` after
its name and VAULT_KEYFILE; a missing key file (exit 3, "needs its key
file", said before any passphrase is asked), an extra one for a vault without
one ("does not use a key file"), an unreadable one (missing, a folder,
empty), and a wrong passphrase or a wrong key file when both are given (exit
3 with the very same stderr whichever factor is wrong, so an attacker cannot
test one factor at a time); the header's key-file flag being bound to the
wrapped master key; `passwd --add-keyfile`, `--remove-keyfile`, replacing a
key file, and passwd keeping the key file when neither is given.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest

from ..checks import assert_one_error_line, code, ok
from ..conftest import FAST_KDF

CLIENT = "Jane Doe"
NEEDS = "needs its key file"
EXTRA = "does not use a key file"
WRONG = "wrong passphrase or key file"


def auth_failed(result, words: str):
    code(result, 3)
    assert result.stdout == ""
    assert_one_error_line(result.stderr)
    assert words in result.stderr, result.stderr
    return result


def new_keyfile(venv, name: str):
    path = venv.root / name
    ok(venv.run("keyfile", "new", str(path)))
    return path


@pytest.fixture
def keyfile(blank_env):
    return new_keyfile(blank_env, "vault.key")


@pytest.fixture
def kf_env(blank_env, keyfile):
    """A vault made with `init --keyfile`, holding one note."""
    ok(blank_env.run("init", *FAST_KDF, "--keyfile", str(keyfile)))
    ok(blank_env.run("add", CLIENT, "-m", "first words", "--new", "--keyfile", str(keyfile)))
    return blank_env


@pytest.fixture
def wrong_pw(tmp_path):
    path = tmp_path / "wrong-passphrase.txt"
    path.write_text("not the right passphrase at all\n")
    return path


def notes(venv, *extra: str, env=None):
    return json.loads(ok(venv.run("view", CLIENT, "--json", *extra, env=env)).stdout)["notes"]


def header_kdf(venv) -> str:
    conn = sqlite3.connect(venv.path)
    try:
        return conn.execute("SELECT kdf FROM header").fetchone()[0]
    finally:
        conn.close()


# -- vault keyfile new -------------------------------------------------------------

def test_keyfile_new_is_private_random_hex(blank_env):
    one = new_keyfile(blank_env, "one.key")
    two = new_keyfile(blank_env, "two.key")
    for path in (one, two):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        data = path.read_bytes()
        assert len(data) == 65 and data.endswith(b"\n")
        int(data[:64], 16)
        assert data[:64] == data[:64].lower()
    assert one.read_bytes() != two.read_bytes()
    assert not [p for p in blank_env.root.iterdir() if p.name.startswith(".")]  # no temp left


def test_keyfile_new_never_overwrites(blank_env):
    existing = blank_env.root / "precious.key"
    existing.write_bytes(b"my old key file")
    result = code(blank_env.run("keyfile", "new", str(existing)), 6)
    assert result.stdout == ""
    assert existing.read_bytes() == b"my old key file"
    # a symlink, even a dangling one, is not followed
    link = blank_env.root / "link.key"
    link.symlink_to(blank_env.root / "nowhere.key")
    code(blank_env.run("keyfile", "new", str(link)), 6)
    assert not (blank_env.root / "nowhere.key").exists()


def test_keyfile_new_needs_no_vault_and_creates_none(blank_env, keyfile):
    assert keyfile.exists()
    assert not blank_env.path.exists() and not blank_env.path.parent.exists()


# -- init and unlocking ------------------------------------------------------------

def test_init_with_keyfile_records_it_in_header_and_log(kf_env, keyfile):
    assert header_kdf(kf_env) == "argon2id+keyfile"
    log = json.loads(ok(kf_env.run("log", "--json", "--keyfile", str(keyfile))).stdout)
    assert log[0]["action"] == "init" and log[0]["detail"]["keyfile"] is True


def test_a_vault_without_keyfile_says_so_in_header(vault_env):
    assert header_kdf(vault_env) == "argon2id"


def test_missing_keyfile_is_named_as_the_missing_factor(kf_env):
    auth_failed(kf_env.run("view", CLIENT), NEEDS)
    assert "--keyfile" in kf_env.run("view", CLIENT).stderr  # the hint says how
    # said before a passphrase is even asked for: no source, no terminal
    auth_failed(kf_env.run("view", CLIENT, env={"VAULT_PASSPHRASE_FILE": None}), NEEDS)


def test_keyfile_for_a_vault_without_one_is_refused(vault_env, tmp_path):
    stray = tmp_path / "stray.key"
    stray.write_text("0" * 64 + "\n")
    ok(vault_env.run("add", CLIENT, "-m", "hello", "--new"))
    auth_failed(vault_env.run("view", CLIENT, "--keyfile", str(stray)), EXTRA)
    auth_failed(vault_env.run("view", CLIENT, env={"VAULT_KEYFILE": str(stray)}), EXTRA)
    assert len(notes(vault_env)) == 1


def test_keyfile_from_the_environment(kf_env, keyfile):
    assert [n["text"] for n in notes(kf_env, env={"VAULT_KEYFILE": str(keyfile)})] == \
        ["first words"]
    # --keyfile wins over VAULT_KEYFILE
    bogus = kf_env.root / "bogus.key"
    bogus.write_text("f" * 64 + "\n")
    assert len(notes(kf_env, "--keyfile", str(keyfile),
                     env={"VAULT_KEYFILE": str(bogus)})) == 1
    # an empty VAULT_KEYFILE counts as not set
    auth_failed(kf_env.run("view", CLIENT, env={"VAULT_KEYFILE": ""}), NEEDS)


def test_wrong_factor_is_never_named(kf_env, keyfile, wrong_pw):
    other = new_keyfile(kf_env, "other.key")
    wrong_key = auth_failed(kf_env.run("view", CLIENT, "--keyfile", str(other)), WRONG)
    wrong_pass = auth_failed(kf_env.run("view", CLIENT, "--keyfile", str(keyfile),
                                        env={"VAULT_PASSPHRASE_FILE": str(wrong_pw)}), WRONG)
    both = auth_failed(kf_env.run("view", CLIENT, "--keyfile", str(other),
                                  env={"VAULT_PASSPHRASE_FILE": str(wrong_pw)}), WRONG)
    assert wrong_key.stderr == wrong_pass.stderr == both.stderr
    assert "first words" not in wrong_key.stderr + wrong_pass.stderr + both.stderr
    # the failures are logged and reported at the next unlock; the log verifies
    actions = [e["action"] for e in json.loads(
        ok(kf_env.run("log", "--json", "--keyfile", str(keyfile))).stdout)]
    assert actions.count("unlock-failed") == 3
    ok(kf_env.run("log", "verify", "--keyfile", str(keyfile)))


def test_every_byte_of_the_keyfile_counts(kf_env, keyfile):
    data = keyfile.read_bytes()
    variants = {"no newline": data[:-1], "one hex digit changed":
                (b"0" if data[:1] != b"0" else b"1") + data[1:], "extra byte": data + b"\n"}
    for what, content in variants.items():
        changed = kf_env.root / "changed.key"
        changed.write_bytes(content)
        result = kf_env.run("view", CLIENT, "--keyfile", str(changed))
        assert result.exit_code == 3 and WRONG in result.stderr, (what, result.stderr)


@pytest.mark.parametrize("kind", ["missing", "folder", "empty"])
def test_an_unreadable_keyfile_is_exit_3(kf_env, kind):
    target = kf_env.root / f"bad-{kind}.key"
    if kind == "folder":
        target.mkdir()
    elif kind == "empty":
        target.write_bytes(b"")
    result = auth_failed(kf_env.run("view", CLIENT, "--keyfile", str(target)), "key file")
    assert NEEDS not in result.stderr
    via_env = auth_failed(kf_env.run("view", CLIENT, env={"VAULT_KEYFILE": str(target)}),
                          "key file")
    assert "VAULT_KEYFILE" in via_env.stderr


def test_the_keyfile_flag_in_the_header_cannot_be_dropped(kf_env, keyfile):
    """Someone with the file and the passphrase but not the key file cannot
    turn the second factor off by editing the header."""
    conn = sqlite3.connect(kf_env.path, isolation_level=None)
    conn.execute("UPDATE header SET kdf = 'argon2id'")
    conn.close()
    result = kf_env.run("view", CLIENT)
    assert result.exit_code in (3, 5), (result.exit_code, result.stderr)
    assert result.stdout == "" and "first words" not in result.stderr


def test_every_unlocking_command_takes_keyfile_after_its_name(kf_env, keyfile, tmp_path):
    k = ["--keyfile", str(keyfile)]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(json.dumps({"client": "Imported Ida", "notes": [
        {"created": "2024-01-02T03:04:05Z", "tags": [], "text": "imported"}]}) + "\n")
    backup = tmp_path / "b.vaultbackup"
    ok(kf_env.run("backup", str(backup)))  # needs no factor at all
    commands = [["add", CLIENT, "-m", "second"], ["view", CLIENT], ["list"], ["log"],
                ["log", "verify"], ["check"], ["hold", CLIENT, "--reason", "case 1"],
                ["release", CLIENT], ["close", CLIENT], ["reopen", CLIENT],
                ["redact", CLIENT, "--text", "second", "--yes"],
                ["import", "jsonl", str(jsonl)],
                ["passwd", "--new-passphrase-file", str(kf_env.passphrase_file)],
                ["shred", "Imported Ida", "--yes"], ["restore", str(backup), "--yes"]]
    for cmd in commands:
        missing = kf_env.run(*cmd)
        assert missing.exit_code == 3 and NEEDS in missing.stderr, (cmd, missing.stderr)
        result = kf_env.run(*cmd, *k)
        assert result.exit_code == 0, (cmd, result.stderr)


# -- passwd and key files ----------------------------------------------------------

def test_passwd_add_keyfile(vault_env, tmp_path):
    ok(vault_env.run("add", CLIENT, "-m", "kept as it was", "--new"))
    before = notes(vault_env)
    key = new_keyfile(vault_env, "added.key")
    result = ok(vault_env.run("passwd", "--new-passphrase-file", str(vault_env.passphrase_file),
                              "--add-keyfile", str(key), "--json"))
    assert json.loads(result.stdout) == {"changed": True, "kdf_memory_mib": 8,
                                         "kdf_iterations": 1, "keyfile": True}
    assert header_kdf(vault_env) == "argon2id+keyfile"
    auth_failed(vault_env.run("view", CLIENT), NEEDS)
    assert notes(vault_env, "--keyfile", str(key)) == before
    other = new_keyfile(vault_env, "other.key")
    auth_failed(vault_env.run("view", CLIENT, "--keyfile", str(other)), WRONG)


def test_passwd_remove_keyfile(kf_env, keyfile):
    before = notes(kf_env, "--keyfile", str(keyfile))
    result = ok(kf_env.run("passwd", "--new-passphrase-file", str(kf_env.passphrase_file),
                           "--remove-keyfile", "--keyfile", str(keyfile), "--json"))
    assert json.loads(result.stdout)["keyfile"] is False
    assert header_kdf(kf_env) == "argon2id"
    assert notes(kf_env) == before
    auth_failed(kf_env.run("view", CLIENT, "--keyfile", str(keyfile)), EXTRA)


def test_passwd_replaces_the_keyfile(kf_env, keyfile):
    newer = new_keyfile(kf_env, "newer.key")
    # --add-keyfile on a vault that has one: unlock with the old, require the new
    auth_failed(kf_env.run("passwd", "--new-passphrase-file", str(kf_env.passphrase_file),
                           "--add-keyfile", str(newer)), NEEDS)
    ok(kf_env.run("passwd", "--new-passphrase-file", str(kf_env.passphrase_file),
                  "--add-keyfile", str(newer), "--keyfile", str(keyfile)))
    auth_failed(kf_env.run("view", CLIENT, "--keyfile", str(keyfile)), WRONG)
    assert len(notes(kf_env, "--keyfile", str(newer))) == 1


def test_passwd_keeps_the_keyfile_when_not_told_otherwise(kf_env, keyfile, tmp_path):
    newpw = tmp_path / "new.txt"
    newpw.write_text("an entirely new passphrase for the vault\n")
    result = ok(kf_env.run("passwd", "--new-passphrase-file", str(newpw), "--json",
                           env={"VAULT_KEYFILE": str(keyfile)}))
    assert json.loads(result.stdout)["keyfile"] is True
    new_env = {"VAULT_PASSPHRASE_FILE": str(newpw)}
    auth_failed(kf_env.run("view", CLIENT, env=new_env), NEEDS)
    assert len(notes(kf_env, "--keyfile", str(keyfile), env=new_env)) == 1
    auth_failed(kf_env.run("view", CLIENT, "--keyfile", str(keyfile)), WRONG)  # old passphrase


def test_passwd_add_and_remove_together_is_a_usage_error(kf_env, keyfile):
    other = new_keyfile(kf_env, "other.key")
    before = kf_env.path.read_bytes()
    code(kf_env.run("passwd", "--new-passphrase-file", str(kf_env.passphrase_file),
                    "--add-keyfile", str(other), "--remove-keyfile", "--keyfile", str(keyfile)), 2)
    assert kf_env.path.read_bytes() == before


def test_passwd_add_keyfile_that_cannot_be_read_changes_nothing(vault_env):
    before = vault_env.path.read_bytes()
    auth_failed(vault_env.run("passwd", "--new-passphrase-file", str(vault_env.passphrase_file),
                              "--add-keyfile", str(vault_env.root / "absent.key")), "key file")
    assert vault_env.path.read_bytes() == before
    assert header_kdf(vault_env) == "argon2id"


def test_init_keyfile_that_cannot_be_read_creates_nothing(blank_env):
    auth_failed(blank_env.run("init", *FAST_KDF, "--keyfile", str(blank_env.root / "no.key")),
                "key file")
    assert not blank_env.path.exists()


def test_keyfile_vault_backup_needs_the_keyfile_to_restore(kf_env, keyfile, tmp_path):
    backup = tmp_path / "kf.vaultbackup"
    ok(kf_env.run("backup", str(backup)))
    fresh = {"VAULT_PATH": str(tmp_path / "elsewhere" / "vault.sqlite")}
    auth_failed(kf_env.run("restore", str(backup), env=fresh), NEEDS)
    assert not (tmp_path / "elsewhere" / "vault.sqlite").exists()
    ok(kf_env.run("restore", str(backup), "--keyfile", str(keyfile), env=fresh))
    assert [n["text"] for n in notes(kf_env, "--keyfile", str(keyfile), env=fresh)] == \
        ["first words"]
