"""audit.py: the hash chain and signatures catch every edit, cut and reorder."""

import dataclasses
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vault.vaultfile import audit
from vault import crypto
from vault.errors import IntegrityError

VAULT_ID = bytes(range(16))
SEED = bytes(range(100, 132))
PUBLIC = crypto.sign_public_key(SEED)
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def chain(n, unsigned_tail=0):
    rows, prev = [], audit.GENESIS
    for seq in range(1, n + 1):
        locked = seq > n - unsigned_tail
        if locked:
            e = audit.make_entry(seq=seq, prev_hash=prev, action="unlock-failed", via="none",
                                 now=T0)
        else:
            e = audit.make_entry(seq=seq, prev_hash=prev, action="view", via="passphrase",
                                 refs=(bytes([seq]) * 16,), detail=b"sealed-%d" % seq, now=T0)
        if not locked:
            e = dataclasses.replace(e, signature=audit.sign(e, VAULT_ID, SEED))
        rows.append(audit.to_row(e))
        prev = audit.entry_hash(e, VAULT_ID)
    return rows


def verify(rows, anchors=()):
    return audit.verify(rows, VAULT_ID, PUBLIC, tuple(anchors))


def test_an_intact_chain_verifies():
    report = verify(chain(10))
    assert report.ok and report.entries == 10 and report.signed == 10


def test_an_unsigned_tail_of_locked_entries_is_allowed_and_counted():
    report = verify(chain(6, unsigned_tail=2))
    assert report.ok and report.unsigned_tail == 2 and report.signed == 4


def test_an_edited_entry_fails_its_signature():
    rows = chain(5)
    rows[2] = rows[2][:2] + ("list",) + rows[2][3:]
    report = verify(rows)
    assert any("entry 3: signature does not verify" in p for p in report.problems)


def test_a_deleted_entry_is_named():
    rows = chain(6)
    del rows[3]
    assert any("entry 4 is missing" in p for p in verify(rows).problems)


def test_an_inserted_entry_breaks_the_chain():
    rows = chain(4)
    forged = audit.make_entry(seq=3, prev_hash=bytes(32), action="view", via="passphrase")
    rows.insert(2, audit.to_row(dataclasses.replace(
        forged, signature=audit.sign(forged, VAULT_ID, bytes(32)))))
    report = verify([(i + 1,) + r[1:] for i, r in enumerate(rows)])
    assert not report.ok


def test_reordered_entries_are_caught():
    rows = chain(5)
    rows[1], rows[2] = (2,) + rows[2][1:], (3,) + rows[1][1:]
    report = verify(rows)
    assert any("signature does not verify" in p for p in report.problems)


def test_an_unsigned_entry_before_signed_ones_is_refused():
    rows = chain(5)
    rows[1] = rows[1][:7] + (None,)
    report = verify(rows)
    assert any("unsigned" in p for p in report.problems)


def test_a_cut_tail_is_caught_by_the_head_anchor():
    rows = chain(8)
    last = audit.from_row(rows[-1])
    anchor = audit.Anchor(8, audit.entry_hash(last, VAULT_ID), "the vault's sealed head")
    assert verify(rows, [anchor]).ok
    report = verify(rows[:-2], [audit.Anchor(8, anchor.hash, "the vault's sealed head")])
    assert any("cut off" in p for p in report.problems)


def test_an_unsigned_entry_with_references_or_detail_is_refused():
    rows = chain(4, unsigned_tail=1)
    rows[-1] = rows[-1][:4] + (bytes(16),) + rows[-1][5:]
    assert any("unsigned" in p for p in verify(rows).problems)


def test_two_anchors_on_the_same_entry_are_both_checked():
    rows = chain(5)
    h = audit.entry_hash(audit.from_row(rows[-1]), VAULT_ID)
    assert verify(rows, [audit.Anchor(5, h, "the checkpoint"),
                         audit.Anchor(5, h, "the vault's sealed head")]).ok
    report = verify(rows, [audit.Anchor(5, bytes(32), "the checkpoint"),
                           audit.Anchor(5, h, "the vault's sealed head")])
    assert [p for p in report.problems if "checkpoint" in p]


def test_a_rewritten_entry_is_caught_by_a_checkpoint():
    rows = chain(5)
    anchor = audit.Anchor(3, b"\x00" * 32, "the checkpoint")
    assert any("differs" in p for p in verify(rows, [anchor]).problems)


def test_a_replaced_public_key_fails_every_signature():
    report = audit.verify(chain(4), VAULT_ID, crypto.sign_public_key(bytes(32)))
    assert any("public key was replaced" in p for p in report.problems)


def test_problems_are_capped():
    rows = [r[:7] + (bytes(64),) for r in chain(50)]
    report = verify(rows)
    assert len(report.problems) <= audit.MAX_PROBLEMS + 2
    assert any("more problems" in p for p in report.problems)


def test_client_refs_are_unlinkable_across_entries():
    key, uid = bytes(32), bytes(range(16))
    assert audit.client_ref(key, uid, 1) != audit.client_ref(key, uid, 2)
    assert audit.client_ref(key, uid, 1) == audit.client_ref(key, uid, 1)


@given(st.integers(1, 2**62), st.binary(min_size=32, max_size=32), st.binary(min_size=16, max_size=16))
def test_checkpoint_lines_round_trip(seq, h, vid):
    line = audit.checkpoint_line(vid, seq, h, PUBLIC)
    assert audit.parse_checkpoint(line) == (vid, seq, h, audit.key_fingerprint(PUBLIC))


FP = ":" + "00" * 16


@pytest.mark.parametrize("line", ["", "cv1:zz:1:00" + FP, "cv2:" + "00" * 16 + ":1:" + "00" * 32 + FP,
                                  "cv1:" + "00" * 16 + ":x:" + "00" * 32 + FP,
                                  "cv1:" + "00" * 16 + ":0:" + "00" * 32 + FP,
                                  "cv1:" + "00" * 16 + ":1:" + "00" * 32,
                                  "cv1:" + "00" * 16 + ": 1:" + "00" * 32 + FP])
def test_malformed_checkpoints_are_refused(line):
    with pytest.raises(ValueError):
        audit.parse_checkpoint(line)


row_fields = st.tuples(
    st.one_of(st.integers(-5, 10), st.text(max_size=3), st.none()),
    st.one_of(st.text(max_size=30), st.binary(max_size=4), st.none()),
    st.one_of(st.text(max_size=12), st.integers()),
    st.one_of(st.text(max_size=12), st.none()),
    st.one_of(st.binary(max_size=40), st.text(max_size=3)),
    st.one_of(st.binary(max_size=40), st.none()),
    st.one_of(st.binary(min_size=30, max_size=34), st.none()),
    st.one_of(st.binary(min_size=62, max_size=66), st.none()))


@settings(max_examples=400)
@given(st.lists(row_fields, max_size=6))
def test_hostile_rows_never_crash_verification(rows):
    report = verify(rows)
    assert report.entries <= len(rows)
    if rows:
        assert not report.ok


@settings(max_examples=300)
@given(row_fields)
def test_from_row_raises_only_integrity_error(row):
    try:
        audit.from_row(row)
    except IntegrityError:
        pass
