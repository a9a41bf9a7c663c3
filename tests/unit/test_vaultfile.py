"""The unlocked vault (vaultfile/unlocked.py and its parts) and the commands
without the CLI: keys, binding, fail-closed logging."""

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from vault.commands import log as log_commands, notes as core
from vault.errors import AuthenticationFailed, IntegrityError, NotFound, VaultError
from vault.models import KdfParams
from vault.validate import normalise_name
from vault.vaultfile.records import blind_form
from vault.vaultfile.unlocked import UnlockedVault
from vault.vaultfile.store import Store

PW = b"a passphrase for unit tests"
FAST = KdfParams(memory_kib=8192, iterations=1, parallelism=1)


@pytest.fixture
def path(tmp_path):
    core.init(tmp_path / "v" / "vault.sqlite", PW, FAST)
    return tmp_path / "v" / "vault.sqlite"


@pytest.fixture
def session(path):
    s = UnlockedVault.unlock(Store.open(path), PW)
    yield s
    s.store.close()


def sql(path, statement, *args):
    db = sqlite3.connect(path)
    with db:
        rows = db.execute(statement, args).fetchall()
    db.close()
    return rows


def test_notes_come_back_oldest_first_with_tags(session):
    t = datetime(2026, 1, 1, tzinfo=timezone.utc)
    core.add(session, "Jane Doe", "first", ["intake"], create=True, now=t)
    core.add(session, "Jane Doe", "second", now=t + timedelta(days=1))
    client, notes = core.view(session, "jane doe")
    assert client.name == "Jane Doe"
    assert [(n.text, n.tags) for n in notes] == [("first", ("intake",)), ("second", ())]
    assert [n.text for n in core.view(session, "Jane Doe", last=1)[1]] == ["second"]
    later = core.view(session, "Jane Doe", since=t + timedelta(hours=12))[1]
    assert [n.text for n in later] == ["second"]


@pytest.mark.parametrize("typed", ["jane doe", "  JANE   DOE ", "Ｊａｎｅ Ｄｏｅ"])
def test_names_match_after_normalisation(session, typed):
    core.add(session, "Jane Doe", "x", create=True)
    assert core.view(session, typed)[0].name == "Jane Doe"


def test_the_blind_index_form_folds_case_width_and_space():
    # The blind index's form is fixed by the format: accents stay.
    assert blind_form("  Ｍüller\tStraße ") == "müller strasse"


def test_normalise_name_also_folds_accents_for_lookup():
    """Issue 11: one normaliser for lookup, suggestions and search."""
    assert normalise_name("  Ｍüller\tStraße ") == "muller strasse"
    assert normalise_name("José") == normalise_name("JOSE") == normalise_name("Jose\u0301")


def test_unknown_client_is_not_created_without_create(session):
    core.add(session, "Jane Doe", "x", create=True)
    with pytest.raises(NotFound) as err:
        core.add(session, "Jane Do", "typo")
    assert err.value.suggestions == ("Jane Doe",)
    assert [c.name for c in core.list_clients(session)] == ["Jane Doe"]


def test_wrong_passphrase_is_recorded_then_signed_at_next_unlock(path):
    store = Store.open(path)
    with pytest.raises(AuthenticationFailed):
        UnlockedVault.unlock(store, b"wrong")
    assert sql(path, "SELECT action, signature IS NULL FROM log ORDER BY seq DESC LIMIT 1") \
        == [("unlock-failed", 1)]
    session = UnlockedVault.unlock(store, PW)
    core.list_clients(session)
    assert session.failed_attempts == 1
    assert sql(path, "SELECT count(*) FROM log WHERE signature IS NULL") == [(0,)]
    assert log_commands.verify_log(store, session).ok


def test_view_shows_nothing_when_its_log_entry_cannot_be_written(path, session):
    core.add(session, "Jane Doe", "private words", create=True)
    sql(path, "CREATE TRIGGER no_log BEFORE INSERT ON log "
              "BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END")
    with pytest.raises(VaultError):
        core.view(session, "Jane Doe")
    with pytest.raises(VaultError):
        core.add(session, "Jane Doe", "never stored")
    sql(path, "DROP TRIGGER no_log")
    assert [n.text for n in core.view(session, "Jane Doe")[1]] == ["private words"]


def test_a_note_moved_to_another_client_fails_authentication(path, session):
    core.add(session, "Ann", "ann's note", create=True)
    core.add(session, "Bob", "bob's note", create=True)
    sql(path, "UPDATE notes SET body = (SELECT body FROM notes WHERE id = 1) WHERE id = 2")
    with pytest.raises(IntegrityError, match="note 2"):
        core.view(session, "Bob")


def test_a_replayed_older_note_body_fails(path, session):
    core.add(session, "Ann", "one", create=True)
    core.add(session, "Ann", "two")
    sql(path, "UPDATE notes SET body = (SELECT body FROM notes WHERE id = 1) WHERE id = 2")
    with pytest.raises(IntegrityError):
        core.view(session, "Ann")


def test_a_cut_log_tail_stops_every_command(path, session, tmp_path, monkeypatch):
    core.add(session, "Ann", "one", create=True)
    sql(path, "DELETE FROM log WHERE seq = (SELECT max(seq) FROM log)")
    with pytest.raises(IntegrityError, match="cut off"):
        core.view(session, "Ann")
    report = log_commands.verify_log(session.store, session)
    assert any("cut off" in p for p in report.problems)
    # Without the passphrase, this machine's rollback witness tells...
    assert any("older than this machine" in p
               for p in log_commands.verify_log(session.store).problems)
    # ...and on a machine that never saw the vault, nothing can.
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "another-machine"))
    assert log_commands.verify_log(session.store).ok


def test_edited_kdf_parameters_do_not_unlock(path):
    sql(path, "UPDATE header SET kdf_iterations = 2")
    with pytest.raises(AuthenticationFailed):
        UnlockedVault.unlock(Store.open(path), PW)


def test_hostile_kdf_parameters_are_refused_before_running(path):
    sql(path, "UPDATE header SET kdf_memory_kib = ?", 1 << 40)
    with pytest.raises(IntegrityError, match="KDF"):
        UnlockedVault.unlock(Store.open(path), PW)


def test_a_replaced_header_public_key_is_caught_at_unlock(path):
    from vault import crypto
    sql(path, "UPDATE header SET sign_public = ?", crypto.sign_public_key(bytes(32)))
    with pytest.raises(IntegrityError, match="public key"):
        UnlockedVault.unlock(Store.open(path), PW)


def test_a_newer_format_is_refused_with_an_upgrade_hint(path):
    sql(path, "PRAGMA user_version = 9")
    with pytest.raises(VaultError) as err:
        Store.open(path)
    assert err.value.exit_code == 1 and "upgrade" in (err.value.hint or "")


def test_a_file_that_is_not_a_vault_is_an_integrity_error(tmp_path):
    p = tmp_path / "junk"
    p.write_bytes(b"not a database at all" * 100)
    with pytest.raises(IntegrityError):
        Store.open(p)


def test_init_refuses_an_existing_vault(path):
    before = path.read_bytes()
    with pytest.raises(VaultError) as err:
        core.init(path, PW, FAST)
    assert err.value.exit_code == 6 and path.read_bytes() == before


def test_calibration_keeps_at_least_64_mib():
    params = core.calibrate_kdf(target_seconds=0.01)
    assert params.memory_kib >= 64 * 1024 and params.iterations >= 1


def test_a_forged_unsigned_entry_is_never_signed(path, session):
    core.add(session, "Ann", "one", create=True)
    from vault.vaultfile.ledger import last_entry
    seq, prev = last_entry(session.store, session.vault_id)
    sql(path, "INSERT INTO log VALUES (?, ?, 'unlock-failed', 'passphrase', ?, x'', ?, NULL)",
        seq + 1, "1999-01-01T00:00:00.000000Z", bytes(16), prev)
    with pytest.raises(IntegrityError, match="not written by this vault"):
        core.view(session, "Ann")
    assert sql(path, "SELECT count(*) FROM log WHERE signature IS NULL") == [(1,)]


def test_swapped_name_indexes_are_caught(path, session):
    core.add(session, "Ann", "ann's", create=True)
    core.add(session, "Bob", "bob's", create=True)
    a, b = (r[0] for r in sql(path, "SELECT blind FROM clients ORDER BY id"))
    sql(path, "UPDATE clients SET blind = ? WHERE id = 1", b"\x00" * 32)
    sql(path, "UPDATE clients SET blind = ? WHERE id = 2", a)
    sql(path, "UPDATE clients SET blind = ? WHERE id = 1", b)
    for name in ("Ann", "Bob"):
        with pytest.raises(IntegrityError):
            core.view(session, name)
    with pytest.raises(IntegrityError):
        core.add(session, "Ann", "must not land in Bob's file")


def test_swapped_opaque_ids_are_caught(path, session):
    core.add(session, "Ann", "ann's", create=True)
    core.add(session, "Bob", "bob's", create=True)
    a, b = (r[0] for r in sql(path, "SELECT uid FROM clients ORDER BY id"))
    sql(path, "UPDATE clients SET uid = ? WHERE id = 1", b"\x00" * 16)
    sql(path, "UPDATE clients SET uid = ? WHERE id = 2", a)
    sql(path, "UPDATE clients SET uid = ? WHERE id = 1", b)
    with pytest.raises(IntegrityError):
        log_commands.read_log(session, "Ann")


def test_a_deleted_note_is_caught(path, session):
    core.add(session, "Ann", "one", create=True)
    core.add(session, "Ann", "two")
    sql(path, "DELETE FROM notes WHERE id = 2")
    with pytest.raises(IntegrityError, match="holds 1 notes"):
        core.view(session, "Ann")
    with pytest.raises(IntegrityError):
        core.list_clients(session)


def test_checkpoint_pins_the_public_key(path, session, tmp_path, monkeypatch):
    core.add(session, "Ann", "one", create=True)
    line = log_commands.checkpoint(session.store)
    assert log_commands.verify_log(session.store, session, line).ok
    from vault.vaultfile import audit
    from vault import crypto
    # Replace the key and re-sign every entry, as someone with write access could.
    other = bytes(range(32))
    sql(path, "UPDATE header SET sign_public = ?", crypto.sign_public_key(other))
    for row in sql(path, "SELECT * FROM log"):
        e = audit.from_row(row)
        sql(path, "UPDATE log SET signature = ? WHERE seq = ?",
            audit.sign(e, session.vault_id, other), e.seq)
    # This machine's witness holds the key's fingerprint...
    assert any("public key" in p for p in log_commands.verify_log(session.store).problems)
    # ...but an auditor elsewhere, without a checkpoint, is fooled.
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "an-auditor's-machine"))
    assert log_commands.verify_log(session.store).ok
    report = log_commands.verify_log(session.store, checkpoint=line)
    assert any("public key" in p for p in report.problems)


def test_the_agents_view_of_the_vault_follows_its_salt_and_file(path, tmp_path):
    """store.vault_identity: what the agent watches to forget its key."""
    import os
    from vault.vaultfile.store import vault_identity
    before = vault_identity(path)
    st = os.stat(path)
    assert before is not None and before[:2] == (st.st_dev, st.st_ino)
    session = UnlockedVault.unlock(Store.open(path), PW)
    with session.store.write():
        session.change_unlock(b"another passphrase", FAST, None)
    session.store.close()
    after = vault_identity(path)
    assert after is not None and after[:2] == before[:2] and after[2] != before[2]
    assert vault_identity(tmp_path / "missing.sqlite") is None
    (tmp_path / "not-a-vault").write_bytes(b"plain text, not SQLite")
    assert vault_identity(tmp_path / "not-a-vault") is None


def test_the_failed_unlock_is_recorded_as_a_plain_authentication_failure(path):
    """The keyring's own WrongPassphrase never leaves the unlocked vault."""
    with pytest.raises(AuthenticationFailed) as caught:
        UnlockedVault.unlock(Store.open(path), b"wrong")
    assert type(caught.value) is AuthenticationFailed


# -- accent-insensitive lookup (issue 11) ---------------------------------------

def test_an_accent_variant_finds_the_client_through_the_folded_index(session):
    core.add(session, "José Núñez", "x", create=True)
    assert session.find_client("Jose Nunez").name == "José Núñez"
    assert session.find_client("JOSE NUÑEZ").name == "José Núñez"
    assert session.find_client("Josefina") is None


def test_a_client_another_process_adds_is_found_by_its_folded_name(path, session):
    core.add(session, "Ann Lee", "x", create=True)
    assert session.find_client("Zoe") is None          # the folded index is built now
    other = UnlockedVault.unlock(Store.open(path), PW)
    try:
        core.add(other, "Zoë", "y", create=True)       # committed by another connection
    finally:
        other.store.close()
    with session.store.read():
        assert session.find_client("Zoe").name == "Zoë"


def test_a_rolled_back_creation_is_not_found_by_its_folded_name(session):
    assert session.find_client("Rene") is None
    with pytest.raises(ZeroDivisionError):
        with session.store.write():
            session.create_client("René", datetime(2026, 1, 1, tzinfo=timezone.utc))
            1 / 0
    with session.store.read():
        assert session.find_client("Rene") is None
        assert session.find_client("René") is None


def test_two_clients_differing_only_by_accents_are_never_guessed_between(path, session):
    """Vaults may hold both (made before lookup folded accents): the exact
    spelling finds each through the blind index; the folded one finds none."""
    for name in ("Rene Roy", "René Roy"):
        with session.store.write():
            session.create_client(name, datetime(2026, 1, 1, tzinfo=timezone.utc))
    with session.store.read():
        assert session.find_client("Rene Roy").name == "Rene Roy"
        assert session.find_client("René Roy").name == "René Roy"
        assert session.find_client("Rênê Roy") is None   # folds to both
