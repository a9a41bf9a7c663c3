"""The rollback witness (issue 12; docs/format.md, "Witness file"): an older
copy of the whole vault file put back is caught at the next command without
a checkpoint, through the real CLI on real files.

Each test gets a state folder of its own (XDG_STATE_HOME), as a machine has.
"""

from __future__ import annotations

import json
import random
import shutil
import stat
from pathlib import Path

import pytest

from ..checks import assert_one_error_line
from ..conftest import FAST_KDF, VaultEnv, private_env
from ..reliability.harness import child_env, run_killed

NAME = "Jane Doe"
OLDER = "older than this machine last saw it"


def env_at(root: Path, state: Path) -> VaultEnv:
    """A test environment under `root` whose state folder is `state`."""
    root.mkdir(parents=True, exist_ok=True)
    v = private_env(root)
    v.passphrase_file.chmod(0o600)
    v.env["XDG_STATE_HOME"] = str(state)
    return v


@pytest.fixture
def venv(tmp_path: Path) -> VaultEnv:
    v = env_at(tmp_path, tmp_path / "state")
    ok(v.run("init", *FAST_KDF))
    ok(v.run("add", NAME, "-m", "first note", "--new"))
    return v


def ok(result):
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return result


def rolled_back(result):
    """Exit 5, one error line naming the rollback and a hint, nothing on
    stdout, no client name anywhere."""
    assert result.exit_code == 5, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert OLDER in result.stderr and "rolled back" in result.stderr
    assert "vault restore" in result.stderr and "--accept-rollback" in result.stderr
    assert NAME not in result.stderr
    assert "Traceback" not in result.stderr
    assert_one_error_line(result.stderr)
    return result


def save(venv: VaultEnv, dest: Path) -> None:
    """The vault's files as they are now (the vault is closed between commands)."""
    dest.mkdir()
    for p in venv.path.parent.iterdir():
        shutil.copy2(p, dest / p.name)


def put_back(src: Path, venv: VaultEnv) -> None:
    for p in venv.path.parent.iterdir():
        p.unlink()
    for p in src.iterdir():
        shutil.copy2(p, venv.path.parent / p.name)


def witness_files(venv: VaultEnv) -> list[Path]:
    folder = Path(venv.env["XDG_STATE_HOME"]) / "client-vault" / "witness"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def actions(venv: VaultEnv) -> list[str]:
    return [e["action"] for e in json.loads(ok(venv.run("log", "--json")).stdout)]


def test_a_whole_file_rolled_back_fails_the_next_command_without_a_checkpoint(venv, tmp_path):
    save(venv, tmp_path / "t1")
    ok(venv.run("add", NAME, "-m", "second note"))
    put_back(tmp_path / "t1", venv)
    for command in (["view", NAME], ["list"], ["add", NAME, "-m", "third"], ["log"]):
        rolled_back(venv.run(*command))
    # Through the real entry point too.
    child = venv.subprocess("list")
    assert child.returncode == 5 and OLDER in child.stderr.decode(), child.stderr
    # Nothing was written meanwhile: still the T1 copy, and still refused.
    rolled_back(venv.run("list"))


def test_accept_rollback_re_pins_the_witness_once_and_is_logged(venv, tmp_path):
    save(venv, tmp_path / "t1")
    ok(venv.run("add", NAME, "-m", "second note"))
    ok(venv.run("add", NAME, "-m", "third note"))
    put_back(tmp_path / "t1", venv)
    rolled_back(venv.run("view", NAME))
    result = ok(venv.run("view", NAME, "--accept-rollback"))
    assert "second note" not in result.stdout and "first note" in result.stdout
    ok(venv.run("list"))                         # later commands work without it
    ok(venv.run("add", NAME, "-m", "after"))
    entries = json.loads(ok(venv.run("log", "--json")).stdout)
    accepted = [e for e in entries if e["action"] == "accept-rollback"]
    assert len(accepted) == 1
    assert accepted[0]["detail"] == {"witness_seq": 4, "seq": 2}
    # Before the command name as well; on a vault that was not rolled back it
    # logs nothing.
    ok(venv.run("--accept-rollback", "list"))
    assert actions(venv).count("accept-rollback") == 1


def test_accept_rollback_lasts_one_run(venv, tmp_path):
    """In one process (as the tests run the CLI) the flag of one run must not
    carry over to the next."""
    ok(venv.run("list", "--accept-rollback"))
    save(venv, tmp_path / "t1")
    ok(venv.run("add", NAME, "-m", "second note"))
    put_back(tmp_path / "t1", venv)
    rolled_back(venv.run("list"))


def test_restore_of_a_backup_moves_the_witness(venv, tmp_path):
    backup = tmp_path / "t1.vaultbackup"
    ok(venv.run("backup", str(backup)))
    save(venv, tmp_path / "t1")
    ok(venv.run("add", NAME, "-m", "second note"))
    # Restoring over the current vault, then commands work.
    ok(venv.run("restore", str(backup), "--yes"))
    result = ok(venv.run("view", NAME))
    assert "second note" not in result.stdout
    ok(venv.run("add", NAME, "-m", "after the restore"))
    # Restoring over a vault that was rolled back by hand needs the owner's
    # word: the rolled-back copy may have lost the `shred` entries that keep
    # shredded clients out of the restore.
    ok(venv.run("add", NAME, "-m", "one more"))
    put_back(tmp_path / "t1", venv)
    rolled_back(venv.run("list"))
    refused = venv.run("restore", str(backup), "--yes")
    assert refused.exit_code == 5 and "--accept-rollback" in refused.stderr
    ok(venv.run("restore", str(backup), "--yes", "--accept-rollback"))
    ok(venv.run("list"))


def test_a_vault_seen_for_the_first_time_is_trusted(venv, tmp_path):
    save(venv, tmp_path / "t1")
    ok(venv.run("add", NAME, "-m", "second note"))
    put_back(tmp_path / "t1", venv)
    fresh = {"XDG_STATE_HOME": str(tmp_path / "another-machine")}
    ok(venv.run("list", env=fresh))           # trust on first use
    ok(venv.run("view", NAME, env=fresh))
    rolled_back(venv.run("list"))             # this machine still knows better


def test_the_witness_file_is_private_and_names_the_head(venv):
    files = witness_files(venv)
    assert len(files) == 1
    folder = files[0].parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    line = files[0].read_text()
    vault_id, seq = line.split(":")[1], int(line.split(":")[2])
    assert files[0].name.startswith(vault_id + "-")
    assert line.startswith("cvw2:") and line.endswith("\n") and line.count("\n") == 1
    assert seq == 2                        # init, add
    assert NAME not in line and "first note" not in line
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]   # no temp left


def test_copies_at_other_paths_have_witnesses_of_their_own(venv, tmp_path):
    """The same vault id at two paths (a copy kept elsewhere): each moves on
    its own, neither is taken for a rollback of the other."""
    other = env_at(tmp_path / "other", Path(venv.env["XDG_STATE_HOME"]))
    other.path.parent.mkdir(mode=0o700)
    for p in venv.path.parent.iterdir():
        shutil.copy2(p, other.path.parent / p.name)
    ok(venv.run("add", NAME, "-m", "in the first"))
    ok(other.run("add", NAME, "-m", "in the copy"))
    ok(other.run("add", NAME, "-m", "in the copy again"))
    ok(venv.run("list"))
    ok(other.run("list"))
    assert len(witness_files(venv)) == 2


def test_a_damaged_witness_is_exit_5_until_accepted(venv):
    [file] = witness_files(venv)
    file.write_text("cvw1:not a witness\n")
    result = venv.run("list")
    assert result.exit_code == 5 and "witness file of this vault is damaged" in result.stderr
    assert_one_error_line(result.stderr)
    ok(venv.run("list", "--accept-rollback"))
    ok(venv.run("list"))


def test_an_empty_witness_is_first_sight_not_damage(venv):
    """An ordinary command's witness write is not synced: after a power loss
    the file may be empty. That reads as no witness, and the next command
    writes it again."""
    [file] = witness_files(venv)
    file.write_bytes(b"")
    ok(venv.run("list"))
    assert file.read_text().startswith("cvw2:")


def test_entries_written_while_locked_move_the_vault_forward(venv, tmp_path):
    """A backup recorded while locked, a sealed note and a failed unlock
    append unsigned entries past the witness: newer, never a rollback."""
    ok(venv.run("backup", str(tmp_path / "b.vaultbackup")))
    ok(venv.run("add", NAME, "-m", "sealed", "--sealed"))
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    wrong.chmod(0o600)
    assert venv.run("list", "--passphrase-file", str(wrong)).exit_code == 3
    ok(venv.run("list"))
    assert "sealed" in ok(venv.run("view", NAME)).stdout


def test_a_cut_tail_with_the_older_sealed_head_put_back_is_caught(venv, tmp_path):
    """Cutting the signed tail and putting the older head record back makes a
    file that verifies on its own; the witness still names the cut entry."""
    import sqlite3
    db = sqlite3.connect(venv.path)
    seq, head = db.execute("SELECT max(seq) FROM log").fetchone()[0], \
        db.execute("SELECT sealed FROM head").fetchone()[0]
    db.close()
    ok(venv.run("view", NAME))
    ok(venv.run("add", NAME, "-m", "second note"))
    db = sqlite3.connect(venv.path)
    with db:
        db.execute("DELETE FROM log WHERE seq > ?", (seq,))
        db.execute("UPDATE head SET sealed = ?", (head,))
    db.close()
    # The file alone still verifies (an auditor elsewhere, with no witness)...
    ok(venv.run("log", "verify", "--no-unlock",
                env={"XDG_STATE_HOME": str(tmp_path / "an-auditor's-machine")}))
    # ...but not on this machine, whose witness names the cut entry.
    verify = venv.run("log", "verify", "--no-unlock")
    assert verify.exit_code == 5 and "older than this machine last saw it" in verify.stderr
    rolled_back(venv.run("view", NAME))


# -- crashes: never a false exit 5 --------------------------------------------------

KINDS = {
    "add": lambda t: ["add", NAME, "-m", "crash note"],
    "redact": lambda t: ["redact", NAME, "--text", "first", "--yes"],
    "shred": lambda t: ["shred", NAME, "--yes"],
    "passwd": lambda t: ["passwd", "--new-passphrase-file", str(t / "new.txt")],
    "restore": lambda t: ["restore", str(t / "t0.vaultbackup"), "--yes"],
    "import": lambda t: ["import", "jsonl", str(t / "import.jsonl")],
}
TRIALS = 5


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_command_killed_at_any_moment_never_leaves_a_false_rollback(kind, tmp_path):
    """SIGKILL during each kind of write, at moments spread over the whole
    run, on a vault this machine has a witness for: the next command never
    fails with exit 5 (the witness names only committed entries, and a
    restore keeps both heads until its swap). tests/reliability/test_crash.py
    checks the same after each of its trials (its in-process checks run a
    command, in the state folder the killed child used)."""
    state = tmp_path / "state"
    template = env_at(tmp_path / "template", state)
    ok(template.run("init", *FAST_KDF))
    ok(template.run("add", NAME, "-m", "first note", "--new"))
    ok(template.run("backup", str(tmp_path / "t0.vaultbackup")))
    ok(template.run("add", NAME, "-m", "second note"))
    new = tmp_path / "new.txt"
    new.write_text("another passphrase, long enough 42\n")
    new.chmod(0o600)
    (tmp_path / "import.jsonl").write_text(json.dumps({"client": "Ann Other", "notes": [
        {"text": "imported", "created": "2024-01-02T03:04:05Z", "tags": []}]}) + "\n")
    argv = KINDS[kind](tmp_path)
    rng = random.Random(f"witness/{kind}")
    length = None
    for index in range(TRIALS + 1):
        trial = env_at(tmp_path / f"t{index}", state)
        trial.path.parent.mkdir(mode=0o700)
        for p in template.path.parent.iterdir():
            shutil.copy2(p, trial.path.parent / p.name)
        if index % 2:                               # half on a vault this machine saw
            ok(trial.run("list"))
        delay = None if length is None else rng.uniform(0.0, 1.1) * length
        run = run_killed(argv, child_env(trial), delay)
        assert "Traceback" not in run.stderr, run.stderr
        if length is None:                          # the first run, un-killed, is the measure
            assert run.returncode == 0, run.stderr
            length = run.seconds
        after = trial.run("list")
        if after.exit_code == 3:                    # passwd completed
            after = trial.run("list", env={"VAULT_PASSPHRASE_FILE": str(new)})
        assert after.exit_code == 0, (kind, index, run.killed, after.exit_code, after.stderr)


@pytest.mark.parametrize("seen", [True, False], ids=["witnessed", "first seen"])
@pytest.mark.parametrize("when", ["before the swap", "after the swap"])
def test_a_restore_that_dies_either_side_of_its_swap_is_no_rollback(venv, tmp_path, when,
                                                                    seen):
    """The one moment a crash could leave the witness naming what the vault at
    the path does not hold: between moving the witness and swapping the
    restored file in. Until the swap, the witness names both heads."""
    from unittest import mock

    from vault.commands import restore as restoring
    backup = tmp_path / "t1.vaultbackup"
    ok(venv.run("backup", str(backup)))
    ok(venv.run("add", NAME, "-m", "second note"))
    if not seen:                # a vault this machine has no witness of yet
        for file in witness_files(venv):
            file.unlink()
    real = restoring.swap_in

    def dies(*args, **kwargs):
        if when == "after the swap":
            real(*args, **kwargs)
        raise KeyboardInterrupt

    with mock.patch.object(restoring, "swap_in", dies):
        assert venv.run("restore", str(backup), "--yes").exit_code == 130
    [file] = witness_files(venv)
    assert len(file.read_text().splitlines()) == 2    # both heads, as the crash left it
    result = ok(venv.run("view", NAME))
    assert ("second note" in result.stdout) == (when == "before the swap")
    assert len(file.read_text().splitlines()) == 1
