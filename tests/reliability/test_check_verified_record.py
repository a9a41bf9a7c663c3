"""`vault check` and its verified-through record (issue 12, `vault check` at
100,000 notes under 2 s; docs/format.md section 16).

After a clean check, this machine keeps, beside the rollback witness, a
MACed record of how far the log's signatures were verified; the next check
verifies only the newer signatures. The record may only ever save time:
an older entry's signature damaged after a clean check is still reported by
name, and a record that is deleted, damaged, forged, stale or another
vault's leaves every signature verified. All through the real CLI, on real
files; the vault file is edited with sqlite3, as in tests/cli/test_tamper.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vault import paths
from vault.vaultfile import audit, verified

from ..checks import assert_one_error_line, db, ok
from ..conftest import FAST_KDF, VaultEnv, private_env


def check(venv: VaultEnv) -> tuple[int, dict, str]:
    result = venv.run("check", "--json")
    assert "Traceback" not in result.stderr, result.stderr
    return result.exit_code, json.loads(result.stdout), result.stderr


def vault_id(venv: VaultEnv) -> bytes:
    with db(venv) as conn:
        return conn.execute("SELECT vault_id FROM header").fetchone()[0]


def record_file(venv: VaultEnv) -> Path:
    return verified.record_file(paths.witness_file(vault_id(venv), venv.path))


def signatures(venv: VaultEnv) -> list[bytes]:
    with db(venv) as conn:
        return [r[0] for r in conn.execute("SELECT signature FROM log ORDER BY seq")]


def damage_signature(venv: VaultEnv, seq: int) -> None:
    with db(venv) as conn:
        sig = conn.execute("SELECT signature FROM log WHERE seq = ?", (seq,)).fetchone()[0]
        bad = bytearray(sig)
        bad[10] ^= 0x01
        conn.execute("UPDATE log SET signature = ? WHERE seq = ?", (bytes(bad), seq))


def fails_naming(venv: VaultEnv, problem: str) -> dict:
    result = venv.run("check", "--json")
    assert result.exit_code == 5, (result.exit_code, result.stdout, result.stderr)
    assert_one_error_line(result.stderr)
    report = json.loads(result.stdout)
    assert problem in report["problems"], report["problems"]
    return report


@pytest.fixture
def checked(vault_env):
    """A few entries, and one clean check that wrote the record."""
    ok(vault_env.run("add", "Alice", "-m", "alice one", "--new"))
    ok(vault_env.run("add", "Alice", "-m", "alice two"))
    ok(vault_env.run("add", "Bob", "-m", "bob one", "--new"))
    ok(vault_env.run("view", "Alice"))
    code, report, _ = check(vault_env)
    assert code == 0 and report["ok"], report
    assert report["signatures_verified"] == report["log_entries"] >= 5
    assert report["signatures_known"] == 0
    assert record_file(vault_env).is_file()
    return vault_env


def test_a_second_check_verifies_only_the_newer_signatures(checked):
    code, report, stderr = check(checked)
    assert code == 0 and report["ok"], report
    assert report["signatures_verified"] == 0
    assert report["signatures_known"] == report["log_entries"]
    assert "record of how far" not in stderr
    before = report["log_entries"]
    ok(checked.run("add", "Bob", "-m", "bob two"))
    ok(checked.run("view", "Bob"))
    code, report, _ = check(checked)
    assert code == 0, report
    assert report["signatures_known"] == before
    assert report["signatures_verified"] == report["log_entries"] - before >= 2
    # ...and the record moved on with it.
    assert check(checked)[1]["signatures_verified"] == 0


def test_the_record_is_private_to_this_user(checked):
    file = record_file(checked)
    assert file.stat().st_mode & 0o777 == 0o600
    assert file.parent.stat().st_mode & 0o777 == 0o700
    assert file.read_bytes().startswith(b"cvv1:" + vault_id(checked).hex().encode())


@pytest.mark.parametrize("seq", [1, 2, 3])
def test_an_older_signature_damaged_after_a_clean_check_is_named(checked, seq):
    damage_signature(checked, seq)
    report = fails_naming(checked, f"entry {seq}: signature does not verify "
                                   "(edited or replaced)")
    assert report["signatures_known"] == 0
    # Never written after a failed check: the next one is as thorough.
    fails_naming(checked, f"entry {seq}: signature does not verify (edited or replaced)")


def test_an_older_entry_edited_after_a_clean_check_is_named_as_by_a_full_check(checked):
    """Its signature is unchanged, but the chain no longer holds through the
    record's entry: every signature is verified, and the report is the one a
    check without a record gives."""
    with db(checked) as conn:
        conn.execute("UPDATE log SET action = 'list' WHERE seq = 3")
    with_record = fails_naming(checked, "entry 3: signature does not verify "
                                        "(edited or replaced)")
    record_file(checked).unlink()
    without = fails_naming(checked, "entry 3: signature does not verify (edited or replaced)")
    assert with_record["problems"] == without["problems"]


def test_log_verify_still_verifies_every_signature(checked):
    """The auditor's command does not read this machine's record."""
    damage_signature(checked, 2)
    result = checked.run("log", "verify")
    assert result.exit_code == 5
    assert "entry 2: signature does not verify" in result.stderr + result.stdout


def write_record(venv: VaultEnv, data: bytes) -> None:
    file = record_file(venv)
    file.write_bytes(data)
    os.chmod(file, 0o600)


def forged_for_damage(venv: VaultEnv) -> None:
    """Damage entry 2's signature, then rewrite the record's digest to match
    the damaged signatures, keeping its MAC: a forger without the key."""
    file = record_file(venv)
    fields = file.read_text().strip().split(":")
    damage_signature(venv, 2)
    seq = int(fields[2])
    fields[4] = audit.signatures_digest(signatures(venv)[:seq]).hex()
    write_record(venv, (":".join(fields) + "\n").encode())


def other_vault_record(venv: VaultEnv, root: Path) -> bytes:
    root.mkdir()
    other = private_env(root)
    ok(other.run("init", *FAST_KDF))
    ok(other.run("add", "Carol", "-m", "carol one", "--new"))
    ok(other.run("check"))
    return record_file(other).read_bytes()


def _mac_flipped(venv: VaultEnv, tmp: Path) -> None:
    fields = record_file(venv).read_text().strip().split(":")
    fields[5] = ("1" if fields[5][0] == "0" else "0") + fields[5][1:]
    write_record(venv, (":".join(fields) + "\n").encode())


def _renamed_other(venv: VaultEnv, tmp: Path) -> None:
    """Another vault's record with this vault's id put in: its MAC, made
    under the other vault's key, does not verify."""
    fields = other_vault_record(venv, tmp / "other").decode().split(":")
    fields[1] = vault_id(venv).hex()
    write_record(venv, ":".join(fields).encode())


TAMPERED = {
    # how: (what is done to the record, whether check warns about it)
    "deleted": (lambda v, tmp: record_file(v).unlink(), False),
    "emptied": (lambda v, tmp: write_record(v, b""), False),
    "garbage": (lambda v, tmp: write_record(v, b"\x00\xff not a record\n"), True),
    "mac-flipped": (_mac_flipped, True),
    "another-vault": (lambda v, tmp: write_record(v, other_vault_record(v, tmp / "other")),
                      True),
    "another-vault-renamed": (_renamed_other, True),
}


@pytest.mark.parametrize("how", sorted(TAMPERED))
def test_a_tampered_record_on_an_intact_vault_costs_only_time(checked, tmp_path, how):
    change, warns = TAMPERED[how]
    change(checked, tmp_path)
    code, report, stderr = check(checked)
    assert code == 0 and report["ok"], report
    assert report["signatures_verified"] == report["log_entries"]
    assert report["signatures_known"] == 0
    assert ("vault: warning: this machine's record of how far the log was verified"
            in stderr) == warns, stderr
    # The clean full check wrote a good record again.
    assert check(checked)[1]["signatures_known"] == report["log_entries"]


@pytest.mark.parametrize("how", sorted(TAMPERED))
def test_a_tampered_record_never_hides_a_damaged_signature(checked, tmp_path, how):
    change, _ = TAMPERED[how]
    change(checked, tmp_path)
    damage_signature(checked, 2)
    report = fails_naming(checked, "entry 2: signature does not verify (edited or replaced)")
    assert report["signatures_known"] == 0


def test_a_forged_digest_does_not_hide_a_damaged_signature(checked):
    forged_for_damage(checked)
    result = checked.run("check", "--json")
    assert result.exit_code == 5
    assert "failed authentication" in result.stderr
    assert "entry 2: signature does not verify (edited or replaced)" in \
        json.loads(result.stdout)["problems"]


def test_an_older_record_still_in_step_saves_what_it_covers(checked):
    """A stale but genuine record (say, a state folder put back from a
    backup) covers the entries it names; the newer ones are verified."""
    old = record_file(checked).read_bytes()
    first = check(checked)[1]["log_entries"]
    ok(checked.run("add", "Alice", "-m", "alice three"))
    assert check(checked)[0] == 0
    write_record(checked, old)
    code, report, stderr = check(checked)
    assert code == 0 and "record of how far" not in stderr
    assert report["signatures_known"] == first
    assert report["signatures_verified"] == report["log_entries"] - first


def test_a_record_beyond_the_log_is_not_used(checked):
    """A record naming an entry the log does not have (the vault's log was
    cut off, or the record is from a later copy): every signature is
    verified, and the cut is reported as it would be without a record."""
    n = check(checked)[1]["log_entries"]
    with db(checked) as conn:
        conn.execute("DELETE FROM log WHERE seq > ?", (n - 2,))
    result = checked.run("check", "--json")
    assert result.exit_code == 5
    report = json.loads(result.stdout)
    assert report["signatures_known"] == 0
    assert any("cut off" in p for p in report["problems"]), report["problems"]


def test_the_record_matches_its_known_answer_values():
    """docs/format.md section 16, recomputed with hashlib."""
    import hashlib
    from types import SimpleNamespace
    log_key = bytes(range(32))
    state_key = hashlib.blake2b(b"client-vault/v1/state", key=log_key, digest_size=32).digest()
    key = verified.key(SimpleNamespace(state_key=state_key))
    assert key.hex() == "201dfda2caca1f59c498ed411eb891d5694fe0ee0135434800e234bb3c31a513"
    sigs = audit.signatures_digest([b"\x66" * 64] * 3)
    assert sigs.hex() == "96d6b3df0adf3ba4a5f7b760aab868c0cdc5bebd9f871ea0de03cc348906b758"
    mac = verified.mac(key, b"\x11" * 16, b"\x22" * 16, audit.Verified(3, b"\x33" * 32, sigs))
    assert mac.hex() == "4cc2c3414e9daa36015b09707b82b30f2acc5c5beb593c9b6185dab4fb28ca9a"


# -- the walk itself: with a record, the same report as without ---------------

def _chain(n: int, unsigned_tail: int) -> list[tuple]:
    import dataclasses
    from datetime import datetime, timezone
    rows, prev = [], audit.GENESIS
    for seq in range(1, n + 1):
        locked = seq > n - unsigned_tail
        e = audit.make_entry(seq=seq, prev_hash=prev, action="unlock-failed" if locked else "view",
                             via="none" if locked else "passphrase",
                             refs=() if locked else (bytes([seq]) * 16,),
                             detail=b"" if locked else b"sealed-%d" % seq,
                             now=datetime(2026, 12, 6, 12, 0, seq, tzinfo=timezone.utc))
        if not locked:
            e = dataclasses.replace(e, signature=audit.sign(e, _VID, _SEED))
        rows.append(audit.to_row(e))
        prev = audit.entry_hash(e, _VID)
    return rows


_VID, _SEED = bytes(range(16)), bytes(range(100, 132))


@given(n=st.integers(1, 9), tail=st.integers(0, 2), grow=st.integers(0, 3),
       seq=st.integers(1, 12), column=st.integers(1, 7), byte=st.integers(0, 200),
       cut=st.booleans())
@settings(max_examples=300, deadline=None)
def test_a_record_never_changes_what_the_walk_reports(n, tail, grow, seq, column, byte, cut):
    """Record a clean walk, let the log grow, then damage one byte of one
    field of one entry (or cut the log): the walk with the record reports
    exactly what the walk without it reports."""
    from vault import crypto
    public = crypto.sign_public_key(_SEED)
    first = _chain(n + grow, 0)[:n]
    walked = audit.verify_known(lambda: first, _VID, public)
    assert walked.report.ok and walked.reached is not None
    rows = [list(r) for r in _chain(n + grow, tail if grow == 0 else 0)]
    if cut:
        rows = rows[:max(0, seq - 1)]
    elif seq <= len(rows):
        value = rows[seq - 1][column]
        if isinstance(value, bytes) and value:
            b = bytearray(value)
            b[byte % len(b)] ^= 0x01
            rows[seq - 1][column] = bytes(b)
        elif isinstance(value, str):
            rows[seq - 1][column] = value[:-1] + ("0" if value[-1] != "0" else "1")
    rows = [tuple(r) for r in rows]
    anchors = lambda: (audit.Anchor(n, walked.reached.entry_hash, "the head"),)  # noqa: E731
    plain = audit.verify(rows, _VID, public, anchors())
    known = audit.verify_known(lambda: rows, _VID, public, anchors(), walked.reached)
    assert known.report == plain
    assert known.known + known.verified == plain.signed
    if tail == 0 and not cut and seq > n:   # the entries the record names are intact
        assert known.known == n
