"""A review of the seventh session's changes, through the real CLI and a
real agent where possible: `list` through the agent printing the lines the
agent wrote after its count (Listing.shown, ui.zone_key), the two-column
client_rows_blob, the search index's text in shared anonymous memory, the
index following workers' reports between commands, and long tables drawn
line by line on a terminal (cli/tables.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..cli.test_agent import JANE, NO_SOURCE, kill_agents, ok, unlock
from ..conftest import FAST_KDF, PASSPHRASE, copy_vault, private_env
from .test_tamper_matrix import ALICE, BOB, sql, template, vault  # noqa: F401

ALONE = {"VAULT_NO_AGENT": "1"}
NAMES = ("Zoë Ångström", "東京 太郎", "Ayşe ﬁnal", "Ω omega", "a b", "Straße Groß",
         "e\u0301mile", "emoji \u2764\ufe0f")


def _zone(folder: Path, name: str, rule: str, rules: str = "") -> Path:
    """A zone file `name` under `folder`, compiled by zic from one zone line."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder.parent / f"{folder.name}-{name}.zi"
    source.write_text(f"{rules}Zone {name} {rule}\n")
    subprocess.run(["zic", "-d", str(folder), str(source)], check=True, capture_output=True)
    return folder / name


@pytest.fixture
def office(tmp_path):
    """(agent, alone): the same vault twice, clients with awkward names."""
    template = private_env(_mkdir(tmp_path / "template"))
    template.passphrase_file.chmod(0o600)
    assert template.run("init", *FAST_KDF).exit_code == 0
    for name in (JANE, *NAMES):
        done = template.run("add", name, "--new", "-m", f"a note of {name}: visit café")
        assert done.exit_code == 0, done.output
    venvs = []
    for name in ("agent", "alone"):
        venv = copy_vault(template, private_env(_mkdir(tmp_path / name)))
        venv.passphrase_file.chmod(0o600)
        venvs.append(venv)
    yield venvs[0], venvs[1]
    kill_agents(venvs[0])


def _mkdir(p: Path) -> Path:
    p.mkdir(parents=True)
    return p


def _list(venv, env: dict, *args: str) -> bytes:
    """`list` through the agent, or without it if env says VAULT_NO_AGENT."""
    source = {} if env.get("VAULT_NO_AGENT") else NO_SOURCE
    return ok(venv.subprocess("list", *args, env={**source, **env})).stdout


# -- zones --------------------------------------------------------------------------


def test_list_through_the_agent_in_another_tzdir_is_list_without_it(office, tmp_path):
    """The agent started in TZ=Test with TZDIR=a (+01:00); the caller has
    TZ=Test with TZDIR=b (+05:00). Without the agent, list writes +05:00."""
    agent, _ = office
    a = _zone(tmp_path / "zones-a", "Test", "1:00 - AAA")
    b = _zone(tmp_path / "zones-b", "Test", "5:00 - BBB")
    agent.env.update(TZ="Test", TZDIR=str(a.parent))
    unlock(agent)
    first = _list(agent, {})
    assert first == _list(agent, ALONE)
    caller = {"TZ": "Test", "TZDIR": str(b.parent)}
    _list(agent, caller)   # the count that keeps the listing happens after a list
    assert _list(agent, caller) == _list(agent, {**caller, **ALONE})



# Two zones with the same abbreviation and the same offsets on 1 January and
# 1 July (what the C library reports as tzname, timezone, altzone, daylight),
# but not on the days in between: B keeps summer time from 10 July to
# 20 December, every year.
SUMMER = ("Rule S 1970 max - Jul 10 0:00 1:00 -\n"
          "Rule S 1970 max - Dec 20 0:00 0 -\n")


def _in_summer() -> bool:
    from datetime import datetime, timezone
    now = datetime.now(timezone.utc)
    return (now.month, now.day) > (7, 12) and (now.month, now.day) < (12, 18)


@pytest.mark.skipif(not _in_summer(), reason="the two zones differ from 10 July to 20 December")
def test_a_zone_file_replaced_under_the_same_tz_and_tzdir(office, tmp_path):
    """tzdata upgraded while the agent runs: the file TZ names changes, the
    names and offsets the C library reports on 1 January and 1 July do not.
    `list` without the agent writes the new zone's times."""
    agent, _ = office
    a = _zone(tmp_path / "zones", "Test", "1:00 - AAA")
    agent.env.update(TZ="Test", TZDIR=str(a.parent))
    unlock(agent)
    _list(agent, {})
    before = _list(agent, {})     # the agent's count keeps its lines now
    b = _zone(tmp_path / "zones-new", "Test", "1:00 S AAA", SUMMER)
    os.replace(b, a)
    assert _list(agent, ALONE) != before
    assert _list(agent, {}) == _list(agent, ALONE)



# Run inside a mount namespace of its own (unshare -m), where /etc/localtime
# is a bind mount of zone A, then of zone B: the machine's zone changed while
# the agent runs (timedatectl set-timezone), for these processes only.
IN_NAMESPACE = r"""
import json, os, subprocess, sys
a, b, env, when, argv = (sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4],
                         sys.argv[5:])
def mount(zone):
    subprocess.run(["mount", "--bind", zone, "/etc/localtime"], check=True)
def vault(*args, extra=None):
    done = subprocess.run([sys.executable, "-m", "vault", *args], env={**env, **(extra or {})},
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode()
mount(a)
source = env.pop("PASSPHRASE_FILE")
vault("unlock", "--passphrase-file", source)
if when == "before the count":
    subprocess.run(["umount", "/etc/localtime"], check=True)
    mount(b)
first = vault(*argv)                  # no lines kept yet: the worker writes them
before = vault(*argv)                 # the agent's count after the first kept its lines
if when == "after the count":
    subprocess.run(["umount", "/etc/localtime"], check=True)
    mount(b)
print(json.dumps({"first": first, "before": before, "agent": vault(*argv),
                  "alone": vault(*argv, extra={"VAULT_NO_AGENT": "1",
                                                  "VAULT_PASSPHRASE_FILE": source})}))
vault("lock")
"""


def _namespaced(venv, tmp_path: Path, when: str, b_zone: tuple[str, str], *argv: str) -> dict:
    if os.geteuid() != 0 or not Path("/etc/localtime").exists():
        pytest.skip("needs root and /etc/localtime, to bind-mount zones in a namespace")
    a = _zone(tmp_path / "ns-a", "Here", "1:00 - AAA")
    b = _zone(tmp_path / "ns-b", "Here", *b_zone)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("VAULT_") and k not in ("TZ", "TZDIR")}
    env.update({k: v for k, v in venv.env.items() if v is not None})
    env.pop("VAULT_PASSPHRASE_FILE")
    env["PASSPHRASE_FILE"] = str(venv.passphrase_file)
    done = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, "-c",
                           IN_NAMESPACE, str(a), str(b), json.dumps(env), when, *argv],
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0 and "unshare" in done.stderr and "Traceback" not in done.stderr:
        pytest.skip(f"no mount namespace here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_list_after_the_machines_zone_changed_is_list_without_the_agent(office, tmp_path):
    """TZ unset (the agent's own zone: the lines it keeps are reused) and
    /etc/localtime replaced after the agent kept its lines."""
    agent, _ = office
    seen = _namespaced(agent, tmp_path, "after the count", ("5:00 - BBB", ""), "list")
    assert seen["alone"] != seen["before"]          # the zones differ: +01:00, +05:00
    assert seen["agent"] == seen["alone"]


@pytest.mark.skipif(not _in_summer(), reason="the two zones differ from 10 July to 20 December")
@pytest.mark.xfail(strict=True, reason=(
    "the agent writes its kept `list` lines with the zone its C library loaded at start "
    "(the agent never calls tzset), but keys them with zone_key(), which stats the "
    "current /etc/localtime; /etc/localtime replaced (timedatectl, a tzdata upgrade) by "
    "a zone with the same names and 1 Jan/1 Jul offsets gives equal keys, and `list` "
    "through the agent prints times in the old zone (a worker re-reads the zone on its "
    "tzset and writing afresh it is right). Fix: time.tzset() in the agent before "
    "zone_key() and the lines (listing_lines), or key on the zone file's bytes"))
def test_list_when_the_machines_zone_changed_before_the_agents_count(office, tmp_path):
    """/etc/localtime replaced after the agent started, before its count:
    the agent's C library still has the zone it started in (it never calls
    tzset again), while zone_key() in the agent stats the new file. With
    the same names and offsets on 1 January and 1 July, the keys agree."""
    agent, _ = office
    seen = _namespaced(agent, tmp_path, "before the count", ("1:00 S AAA", SUMMER), "list")
    assert seen["first"] == seen["alone"]          # a worker writing its own lines is right
    assert seen["agent"] == seen["alone"]


# -- tampering after the agent wrote its lines ---------------------------------------

# A worker as the agent forks it: the agent's count with the CLI's own
# renderer (serve.py), then, after a line on stdin (the attack), `list`.
SHOWN_WORKER = r"""
import sys
from pathlib import Path
from vault import entry
from vault.agent import client
from vault.agent.state import LastVerified
from vault.cli import notes
from vault.vaultfile.store import Store
from vault.vaultfile.unlocked import UnlockedVault

path, passphrase = Path(sys.argv[1]), sys.argv[2].encode()
store = Store.open(path)
kek = UnlockedVault.unlock(store, passphrase).kek
store.close()
checked = LastVerified(path, lambda: kek, render=notes.listing_lines)
checked.records_wanted = True
current = checked.refresh()
print("shown" if current is not None and current.listing is not None
      and current.listing.shown is not None else "not shown", flush=True)
client.hold(path, kek, None, current)
sys.stdin.readline()
raise SystemExit(entry.in_process(sys.argv[3:]))
"""


class ShownWorker:
    def __init__(self, venv, *argv: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
        env.update({k: v for k, v in venv.env.items() if v is not None})
        env["VAULT_NO_AGENT"] = "1"
        self.proc = subprocess.Popen([sys.executable, "-c", SHOWN_WORKER, str(venv.path),
                                      PASSPHRASE, *argv], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        assert self.proc.stdout is not None
        self.shown = self.proc.stdout.readline().decode().strip() == "shown"

    def run(self) -> tuple[int, str, str]:
        out, err = self.proc.communicate(b"go\n", timeout=60)
        return self.proc.returncode, out.decode(), err.decode()


def _row(venv, cid: int) -> tuple[bytes, bytes, bytes, bytes]:
    return sql(venv, "SELECT uid, blind, meta, wrapped_key FROM clients WHERE id = ?", cid)[0]


def _swap_ids(venv) -> None:
    """Alice's and Bob's rows (and their records and notes) trade ids."""
    for table, column in (("clients", "id"), ("records", "id"), ("notes", "client_id")):
        sql(venv, f"UPDATE {table} SET {column} = -{column} WHERE {column} IN (1, 2)")
        sql(venv, f"UPDATE {table} SET {column} = 3 + {column} WHERE {column} IN (-1, -2)")


def _renumber(venv) -> None:
    """Bob's client id 2 -> 20, everywhere it is named."""
    sql(venv, "PRAGMA foreign_keys = OFF")
    for table, column in (("clients", "id"), ("records", "id"), ("notes", "client_id")):
        sql(venv, f"UPDATE {table} SET {column} = 20 WHERE {column} = 2")


def _swap_fields(venv, field: str) -> None:
    a, b = (sql(venv, f"SELECT {field} FROM clients WHERE id = ?", i)[0][0] for i in (1, 2))
    sql(venv, f"UPDATE clients SET {field} = x'00' WHERE id = 2")   # UNIQUE columns
    sql(venv, f"UPDATE clients SET {field} = ? WHERE id = 1", b)
    sql(venv, f"UPDATE clients SET {field} = ? WHERE id = 2", a)


def _swap_records(venv) -> None:
    a, b = (sql(venv, "SELECT sealed FROM records WHERE id = ?", i)[0][0] for i in (1, 2))
    sql(venv, "UPDATE records SET sealed = ? WHERE id = 1", b)
    sql(venv, "UPDATE records SET sealed = ? WHERE id = 2", a)


def _move_bytes(venv) -> None:
    """The last byte of Alice's meta becomes the first of Bob's uid: the
    rows' bytes joined in id order are unchanged."""
    meta1 = _row(venv, 1)[2]
    uid2 = _row(venv, 2)[0]
    sql(venv, "UPDATE clients SET meta = ? WHERE id = 1", meta1[:-1])
    sql(venv, "UPDATE clients SET uid = ? WHERE id = 2", meta1[-1:] + uid2)
    # and a byte of Bob's meta moved out so that the total length holds
    meta2 = _row(venv, 2)[2]
    sql(venv, "UPDATE clients SET meta = ? WHERE id = 2", meta2[:-1])


ATTACKS = {
    "ids swapped": _swap_ids,
    "id changed": _renumber,
    "uids swapped": lambda v: _swap_fields(v, "uid"),
    "blinds swapped": lambda v: _swap_fields(v, "blind"),
    "metas swapped": lambda v: _swap_fields(v, "meta"),
    "bytes moved between rows": _move_bytes,
    "meta retyped": lambda v: sql(v, "UPDATE clients SET meta = CAST(meta AS TEXT) WHERE id = 1"),
    "meta null-padded": lambda v: sql(v, "UPDATE clients SET meta = meta || x'00' WHERE id = 2"),
    "uid short": lambda v: sql(v, "UPDATE clients SET uid = substr(uid, 1, 15) WHERE id = 2"),
    "meta as integer": lambda v: sql(v, "UPDATE clients SET meta = 7 WHERE id = 2"),
    "planted copy": lambda v: sql(
        v, "INSERT INTO clients SELECT 3, randomblob(16), randomblob(32), wrapped_key, meta "
           "FROM clients WHERE id = 1"),
    "deleted": lambda v: (sql(v, "DELETE FROM notes WHERE client_id = 2"),
                          sql(v, "DELETE FROM records WHERE id = 2"),
                          sql(v, "DELETE FROM clients WHERE id = 2")),
    "a note deleted": lambda v: sql(v, "DELETE FROM notes WHERE id = 3"),
    "a note planted": lambda v: sql(
        v, "INSERT INTO notes (client_id, body) SELECT client_id, body FROM notes WHERE id = 3"),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_change_after_the_agent_wrote_its_lines_fails_list(vault, attack):  # noqa: F811
    """Any change to the client rows after the count (and after the lines)
    ends `list` with exit 5 and nothing on stdout, as without the agent."""
    w = ShownWorker(vault, "list")
    assert w.shown
    ATTACKS[attack](vault)
    code, out, err = w.run()
    assert (code, out) == (5, ""), (code, out, err)
    alone = vault.subprocess("list", env=ALONE)
    assert (alone.returncode, alone.stdout) == (5, b""), alone.stderr


UNREAD = {
    "wrapped keys swapped": lambda v: _swap_fields(v, "wrapped_key"),
    "records swapped": _swap_records,
    "a wrapped key damaged": lambda v: sql(
        v, "UPDATE clients SET wrapped_key = zeroblob(length(wrapped_key)) WHERE id = 2"),
}


@pytest.mark.xfail(strict=True, reason=(
    "not of this session (the listing of the sixth holds the same hole): the listing is "
    "reused when client_rows_blob() (uid, blind, meta nonce, ids) is unchanged, but a "
    "client row's wrapped_key, and the records row its nonce names, are not in it: "
    "swapped or damaged after the count, `list` through the agent exits 0 with the old "
    "listing, while without the agent it exits 5 (tampering / key failed "
    "authentication). Fix: join length/bytes of wrapped_key and records.sealed's first "
    "24 bytes (which must equal meta) into the blob"))
@pytest.mark.parametrize("attack", sorted(UNREAD))
def test_a_key_or_record_changed_after_the_count_fails_list(vault, attack):  # noqa: F811
    alone_before = vault.subprocess("list", env=ALONE)
    assert alone_before.returncode == 0
    w = ShownWorker(vault, "list")
    assert w.shown
    UNREAD[attack](vault)
    alone = vault.subprocess("list", env=ALONE)
    assert (alone.returncode, alone.stdout) == (5, b""), alone.stderr
    code, out, err = w.run()
    assert (code, out) == (5, ""), (code, out, err)
