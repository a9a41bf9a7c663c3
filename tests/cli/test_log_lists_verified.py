"""`vault log` verifies as it lists (issue 12).

Through the real CLI on a real file, edited with sqlite3 as someone with
write access would: a log that verifies is listed as before (same --json
keys); an edited, deleted or reordered entry anywhere in the log, with or
without --client, is exit 5 with one error line, nothing on stdout and no
`log` entry written; entries recorded while locked are signed at the next
unlock when their times go forward, and left unsigned and reported (by
`vault log` too) when dated back.
"""

from __future__ import annotations

import json

from vault.models import LogEntry
from vault.vaultfile import audit

from ..checks import assert_one_error_line, code, db, ok

JANE, JOHN = "Jane Doe", "John Roe"
KEYS = {"seq", "time", "action", "via", "signed", "clients", "detail", "recipient", "purpose"}


def populated(venv):
    ok(venv.run("add", JANE, "-m", "first visit", "--new"))
    ok(venv.run("add", JOHN, "-m", "intake", "--new"))
    ok(venv.run("view", JANE))
    return venv


def log_count(venv) -> int:
    with db(venv) as conn:
        return conn.execute("SELECT count(*) FROM log").fetchone()[0]


def refused(result, *fragments: str):
    code(result, 5)
    assert result.stdout == ""
    assert_one_error_line(result.stderr)
    assert "run `vault log verify` for details" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    return result


def test_a_log_that_verifies_is_listed_with_the_same_keys(vault_env):
    populated(vault_env)
    rows = json.loads(ok(vault_env.run("log", "--json")).stdout)
    assert all(set(r) == KEYS for r in rows)
    assert [r["action"] for r in rows][-3:] == ["add", "add", "view"]
    assert all(r["signed"] for r in rows)
    assert len(json.loads(ok(vault_env.run("log", "--client", JANE, "--json")).stdout)) == 2


def test_an_edited_entry_shows_nothing_and_logs_nothing(vault_env):
    populated(vault_env)
    with db(vault_env) as conn:
        conn.execute("UPDATE log SET action = 'list' WHERE seq = 3")
    before = log_count(vault_env)
    for extra in ((), ("--json",), ("--client", JOHN), ("--client", JANE, "--disclosures")):
        refused(vault_env.run("log", *extra), "does not verify",
                "entry 3: signature does not verify")
    assert log_count(vault_env) == before


def test_a_deleted_entry_shows_nothing(vault_env):
    populated(vault_env)
    with db(vault_env) as conn:
        conn.execute("DELETE FROM log WHERE seq = 2")
    refused(vault_env.run("log"), "entry 2 is missing")


def test_a_failed_unlock_is_signed_at_the_next_unlock_and_listed(vault_env, tmp_path):
    populated(vault_env)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    wrong.chmod(0o600)
    code(vault_env.run("list", "--passphrase-file", str(wrong)), 3)
    result = ok(vault_env.run("log", "--json"))
    assert "1 failed unlock attempt" in result.stderr
    failed = [r for r in json.loads(result.stdout) if r["action"] == "unlock-failed"]
    assert [(r["via"], r["signed"]) for r in failed] == [("none", True)]


def test_an_entry_recorded_while_locked_and_dated_back_is_reported_by_vault_log(vault_env):
    populated(vault_env)
    with db(vault_env) as conn:
        vault_id = conn.execute("SELECT vault_id FROM header").fetchone()[0]
        last = audit.from_row(conn.execute(
            "SELECT * FROM log ORDER BY seq DESC LIMIT 1").fetchone())
        fake = LogEntry(last.seq + 1, "2020-01-01T00:00:00.000000Z", "unlock-failed", "none",
                        (), b"", audit.entry_hash(last, vault_id), None)
        conn.execute("INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?, ?)", audit.to_row(fake))
    refused(vault_env.run("log", "--json"),
            f"entry {fake.seq} (unlock-failed, recorded while locked) is dated before")
    assert "failed unlock" not in ok(vault_env.run("list")).stderr
    with db(vault_env) as conn:
        assert conn.execute("SELECT signature FROM log WHERE seq = ?",
                            (fake.seq,)).fetchone() == (None,)
