"""Closing a client file with a retention date, reopening it, legal holds.

Covers: `close` without a date, with --retain-until DATE (also a past one) and
with --retain 7y / 18m / 30d; both options or a bad value (exit 2, nothing
changed); `reopen`; `hold` with a required --reason, `release`; unknown clients
(exit 4) for each command; the status, retain_until and hold keys of
`list --json` next to the old ones; closed and held files still view; each
command leaves one signed log entry about that client only; and the hold
reason is not stored in the clear.
"""

from __future__ import annotations

import calendar
import contextlib
import json
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest
from ..checks import code, ok

ANN = "Ann Archer"
BEN = "Ben Brook"


def listing(venv):
    return {c["client"]: c for c in json.loads(ok(venv.run("list", "--json")).stdout)}


def snapshot(venv):
    conn = sqlite3.connect(venv.path, isolation_level=None)
    try:
        return (conn.execute("SELECT * FROM clients ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM notes ORDER BY id").fetchall())
    finally:
        conn.close()


def add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def todays() -> set[date]:
    """Local and UTC dates: the two may differ around midnight."""
    return {date.today(), datetime.now(timezone.utc).date()}


@pytest.fixture
def two(vault_env):
    ok(vault_env.run("add", ANN, "-m", "ann note one", "--new"))
    ok(vault_env.run("add", ANN, "-m", "ann note two"))
    ok(vault_env.run("add", BEN, "-m", "ben note", "--new"))
    return vault_env


def test_list_json_has_the_new_keys_for_an_open_client(two):
    items = json.loads(ok(two.run("list", "--json")).stdout)
    assert [set(i) for i in items] == [{"client", "notes", "last", "status",
                                        "retain_until", "hold"}] * 2
    ann = listing(two)[ANN]
    assert (ann["notes"], ann["status"], ann["retain_until"], ann["hold"]) == \
        (2, "open", None, False)


def test_close_without_a_date_and_reopen(two):
    ok(two.run("close", ANN))
    ann, ben = listing(two)[ANN], listing(two)[BEN]
    assert (ann["status"], ann["retain_until"], ann["hold"]) == ("closed", None, False)
    assert ben["status"] == "open"
    data = json.loads(ok(two.run("view", ANN, "--json")).stdout)
    assert [n["text"] for n in data["notes"]] == ["ann note one", "ann note two"]
    ok(two.run("reopen", ANN))
    assert listing(two)[ANN]["status"] == "open"


@pytest.mark.parametrize("value", ["2031-03-15", "2001-01-01", "2024-02-29"])
def test_close_with_a_retention_date(two, value):
    ok(two.run("close", ANN, "--retain-until", value))
    ann = listing(two)[ANN]
    assert (ann["status"], ann["retain_until"]) == ("closed", value)
    assert ann["notes"] == 2
    ok(two.run("view", ANN))


@pytest.mark.parametrize("duration,expected", [
    ("7y", lambda d: add_months(d, 84)),
    ("18m", lambda d: add_months(d, 18)),
    ("30d", lambda d: d + timedelta(days=30)),
])
def test_close_with_a_retention_period(two, duration, expected):
    ok(two.run("close", ANN, "--retain", duration))
    got = listing(two)[ANN]["retain_until"]
    assert got in {expected(d).isoformat() for d in todays()}, got


def test_reopen_clears_the_retention_date_and_close_can_set_a_new_one(two):
    ok(two.run("close", ANN, "--retain-until", "2001-01-01"))
    ok(two.run("reopen", ANN))
    ann = listing(two)[ANN]
    assert (ann["status"], ann["retain_until"]) == ("open", None)
    ok(two.run("close", ANN, "--retain-until", "2040-12-31"))
    assert listing(two)[ANN]["retain_until"] == "2040-12-31"


@pytest.mark.parametrize("args", [
    ["--retain-until", "2031-01-01", "--retain", "7y"],
    ["--retain", "7x"], ["--retain", "y"], ["--retain", "-3d"], ["--retain", "7"],
    ["--retain", "seven years"], ["--retain", ""],
    ["--retain-until", "2031-02-30"], ["--retain-until", "tomorrow"],
    ["--retain-until", "31.01.2031"], ["--retain-until", ""],
], ids=lambda a: " ".join(a) or "empty")
def test_bad_retention_options_are_usage_errors(two, args):
    before = snapshot(two)
    result = code(two.run("close", ANN, *args), 2)
    assert result.stdout == ""
    assert snapshot(two) == before
    assert listing(two)[ANN]["status"] == "open"


def test_hold_needs_a_reason_and_release_lifts_it(two):
    before = snapshot(two)
    code(two.run("hold", ANN), 2)
    assert snapshot(two) == before
    ok(two.run("hold", ANN, "--reason", "Litigation Z-9"))
    ann, ben = listing(two)[ANN], listing(two)[BEN]
    assert ann["hold"] is True and ben["hold"] is False
    assert ann["status"] == "open"
    ok(two.run("view", ANN))  # a hold keeps the file readable
    ok(two.run("close", ANN, "--retain-until", "2001-01-01"))
    ann = listing(two)[ANN]
    assert (ann["status"], ann["hold"], ann["retain_until"]) == ("closed", True, "2001-01-01")
    ok(two.run("release", ANN))
    assert listing(two)[ANN]["hold"] is False
    assert listing(two)[ANN]["status"] == "closed"


@pytest.mark.parametrize("cmd", [["close"], ["close", "--retain", "7y"], ["reopen"],
                                 ["hold", "--reason", "r"], ["release"]])
def test_unknown_client_is_not_found(two, cmd):
    before = snapshot(two)
    result = code(two.run(cmd[0], "Nobody Atall", *cmd[1:]), 4)
    assert result.stdout == ""
    assert snapshot(two) == before


@pytest.mark.parametrize("cmd", [["close"], ["reopen"], ["hold", "--reason", "r"],
                                 ["release"]])
def test_names_match_loosely_like_everywhere_else(two, cmd):
    ok(two.run(cmd[0], "  ann   ARCHER ", *cmd[1:]))


def test_each_command_leaves_one_log_entry_about_that_client(two):
    steps = [("close", ["close", ANN, "--retain", "30d"]), ("reopen", ["reopen", ANN]),
             ("hold", ["hold", ANN, "--reason", "Litigation Z-9"]),
             ("release", ["release", ANN])]
    def entries():  # without the entries that reading the log leaves
        return [e for e in json.loads(ok(two.run("log", "--json")).stdout)
                if e["action"] != "log"]

    for action, args in steps:
        n = len(entries())
        ok(two.run(*args))
        new = entries()[n:]
        assert [e["action"] for e in new] == [action], new
        assert new[0]["signed"] is True and new[0]["clients"] == 1
    mine = [e["action"] for e in json.loads(ok(two.run("log", "--client", ANN,
                                                       "--json")).stdout)]
    assert [a for a in mine if a in {"close", "reopen", "hold", "release"}] == \
        ["close", "reopen", "hold", "release"]
    theirs = [e["action"] for e in json.loads(ok(two.run("log", "--client", BEN,
                                                         "--json")).stdout)]
    assert not {"close", "reopen", "hold", "release"} & set(theirs)
    ok(two.run("log", "verify"))


def test_the_hold_reason_is_not_stored_in_the_clear(two):
    reason = "Subpoena Kowalczyk v Brightwater"
    ok(two.run("hold", ANN, "--reason", reason))
    ok(two.run("close", ANN, "--retain-until", "2031-01-01"))
    with contextlib.suppress(FileNotFoundError):
        for suffix in ("", "-wal"):
            data = open(f"{two.path}{suffix}", "rb").read()
            assert reason.encode() not in data and b"Kowalczyk" not in data
            assert "Kowalczyk".encode("utf-16-le") not in data
