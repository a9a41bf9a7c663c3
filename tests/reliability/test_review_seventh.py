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
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ..checks import files_under
from ..cli.test_agent import JANE, NO_SOURCE, agent_pids, kill_agents, ok, unlock, wait_for
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



# Times around London's changes of offset, on days when the offset changes
# (local_time's per-day shortcut does not apply) and in 1968-71 (British
# Standard Time, +01:00 all year), and at the ends of a UTC day.
IMPORTED = [
    {"client": "Imported Ünïcode 東京", "notes": [
        {"id": 1, "created": created, "tags": [], "text": f"imported {i} café"}
        for i, created in enumerate(("1971-01-15T23:59:00Z", "2026-03-29T00:59:00Z",
                                     "2026-03-29T01:00:00Z", "2026-10-25T00:30:00Z",
                                     "2026-10-25T01:30:00Z", "1999-12-31T23:59:59Z"))]},
    {"client": "Imported Late", "notes": [
        {"id": 1, "created": "2026-10-25T01:00:00Z", "tags": [], "text": "late"}]},
]
ZONES = ({"TZ": None}, {"TZ": "Europe/London"}, {"TZ": "UTC0"}, {"TZ": ""},
         {"TZ": "XST-5:30"}, {"TZ": ":Europe/London"}, {"TZ": "America/St_Johns"})


def _same_in_every_zone(agent, zones=ZONES) -> None:
    for zone in zones:
        expected = _list(agent, {**zone, **ALONE})
        for _ in range(2):   # the first after a write may count; the second may use the lines
            assert _list(agent, zone) == expected, zone
        assert _list(agent, zone, "--json") == _list(agent, {**zone, **ALONE}, "--json"), zone


def test_list_through_the_agent_after_every_kind_of_write(office, tmp_path):
    """Writes through the agent and without it, alternately; after each,
    `list` through the agent is `list` without it, in several zones."""
    agent, _ = office
    unlock(agent)
    imported = tmp_path / "import.jsonl"
    imported.write_text("".join(json.dumps(doc) + "\n" for doc in IMPORTED))
    steps = [("add", NAMES[0], "-m", "one more"), ("add", "Brand Néw ß", "--new", "-m", "x"),
             ("hold", NAMES[1], "--reason", "subpoena"), ("close", NAMES[2], "--retain", "7y"),
             ("rename", NAMES[3], "Ω renamed"), ("shred", NAMES[4], "--yes"),
             ("redact", JANE, "--text", "visit", "--yes"), ("import", "jsonl", str(imported)),
             ("release", NAMES[1]), ("reopen", NAMES[2])]
    _same_in_every_zone(agent)
    for i, step in enumerate(steps):
        ok(agent.subprocess(*step, env=ALONE if i % 2 else NO_SOURCE))
        _same_in_every_zone(agent, ZONES[:3] if i < len(steps) - 1 else ZONES)
    # Names with a tab, a newline, controls, bidi overrides, an invisible
    # character: collapsed or refused, the same way through the agent.
    for i, name in enumerate(("tab\there", "new\nline", "bell\x07", "\u202eevil", "zw\u200bj",
                              "wide\u3000space", "  lead  trail  ")):
        runs = [agent.subprocess("add", f"{name} {i} {k}", "--new", "-m", "x", env=env)
                for k, env in enumerate((NO_SOURCE, ALONE))]
        assert runs[0].returncode == runs[1].returncode, name
        assert re.sub(rb"\d+", b"N", runs[0].stderr) == re.sub(rb"\d+", b"N", runs[1].stderr), name
    _same_in_every_zone(agent, ZONES[:2])


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
print(json.dumps({"first": first, "before": before,
                  "agent": [vault(*argv) for _ in range(4)],
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
    assert seen["agent"] == [seen["alone"]] * 4


@pytest.mark.skipif(not _in_summer(), reason="the two zones differ from 10 July to 20 December")
def test_list_when_the_machines_zone_changed_before_the_agents_count(office, tmp_path):
    """/etc/localtime replaced after the agent started, before its count:
    the agent's C library still has the zone it started in (it never calls
    tzset again), while zone_key() in the agent stats the new file. With
    the same names and offsets on 1 January and 1 July, the keys agree."""
    agent, _ = office
    seen = _namespaced(agent, tmp_path, "before the count", ("1:00 S AAA", SUMMER), "list")
    assert seen["first"] == seen["alone"]          # a worker writing its own lines is right
    # the agent's count (and its lines) comes after the first list, between
    # commands: of the later ones, some print its lines
    assert [seen["before"], *seen["agent"]] == [seen["alone"]] * 5


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


def _renumber(venv, new: int = 20) -> None:
    """Bob's client id 2 -> `new`, everywhere it is named."""
    for table, column in (("clients", "id"), ("records", "id"), ("notes", "client_id")):
        sql(venv, f"UPDATE {table} SET {column} = {new} WHERE {column} = 2")


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
    "id changed, as many digits": lambda v: _renumber(v, 7),
    "id negative": lambda v: _renumber(v, -2),
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


@pytest.mark.parametrize("attack", sorted(UNREAD))
def test_a_key_or_record_changed_after_the_count_is_caught_when_the_client_is_opened(
        vault, attack):  # noqa: F811
    """A known limit, written down in docs/threat-model.md section 3.5a:
    `list` through the agent compares each client row's id, uid, blind
    index and record nonce with its count, not the wrapped key or the
    record itself (reading them would double `list`'s time at 10,000
    clients). A key or record swapped or damaged after the count: `list`
    without the agent exits 5 (it opens every record); through the agent it
    may print its listing, and the next command that opens the client,
    and `check`, exit 5 with nothing shown."""
    assert vault.subprocess("list", env=ALONE).returncode == 0
    w = ShownWorker(vault, "list")
    assert w.shown
    UNREAD[attack](vault)
    alone = vault.subprocess("list", env=ALONE)
    assert (alone.returncode, alone.stdout) == (5, b""), alone.stderr
    code, out, err = w.run()
    assert code in (0, 5) and "Traceback" not in err, (code, err)
    viewed = [vault.subprocess("view", name, env=ALONE) for name in (ALICE, BOB)]
    assert any(v.returncode == 5 and v.stdout == b"" for v in viewed), viewed
    assert vault.subprocess("check", env=ALONE).returncode == 5


# -- search through the agent ---------------------------------------------------------

TEXTS = ("Straße und STRASSE, ẞig", "naïve cafe\u0301 façade", "東京タワー 東京都",
         "emoji 🎉 party 👍🏽 ok", "İstanbul ıi ǅemal", "Kelvin \u212a ﬃ ligature",
         "ends with abc", "def starts here", "x" * 300 + "tail", "ＦＵＬＬ width")
TERMS = ("strasse", "STRAẞE", "ß", "ss", "cafe", "café", "cafe\u0301", "naive", "NAÏVE",
         "東京", "京タ", "🎉", "👍", "🏽", "istanbul", "i̇stanbul", "dzemal", "ǆemal", "k",
         "kelvin k", "ffi", "abc", "abcdef", "abc def", "cdef", "xtail", "x" * 301, "full",
         "ｆｕｌｌ", "tail", "a", "e", "ok", "nothing", "\u0301", "ǅ")


def _search(venv, term: str, alone: bool) -> bytes:
    env = ALONE if alone else NO_SOURCE
    return ok(venv.subprocess("search", term, "--json", env=env)).stdout


def test_search_through_the_agent_finds_what_search_without_it_finds(office):
    """Non-ASCII texts and terms (casefold that lengthens, combining marks,
    compatibility forms, emoji and modifiers, CJK), terms at the end of one
    note and the start of the next; each search right after a write, made
    through the agent or without it, before or after the index follows."""
    agent, _ = office
    unlock(agent)
    assert json.loads(_search(agent, "visit", False))["hits"]   # the index is built
    for i, text in enumerate(TEXTS):
        ok(agent.subprocess("add", NAMES[i % len(NAMES)], "-m", text,
                            env=ALONE if i % 3 == 0 else NO_SOURCE))
        term = TERMS[i]
        assert _search(agent, term, False) == _search(agent, term, True), term
    for term in TERMS:
        assert _search(agent, term, False) == _search(agent, term, True), term
    for step in (("redact", NAMES[0], "--text", "Straße", "--yes"),
                 ("rename", NAMES[2], "Ayşe Renamed"), ("shred", NAMES[3], "--yes")):
        for env in (NO_SOURCE, ALONE):
            if step[0] == "shred" and env is ALONE:
                continue
            ok(agent.subprocess(*step, env=env if env is NO_SOURCE else ALONE))
            for term in ("strasse", "ß", "東京", "🎉", "k", "abc", "cafe", "visit"):
                assert _search(agent, term, False) == _search(agent, term, True), (step, term)
            if step[0] != "redact":
                break
            step = ("redact", NAMES[1], "--text", "東京都", "--yes")
    index = json.loads(ok(agent.subprocess("status", "--json", env=NO_SOURCE)).stdout)["index"]
    assert index["built"] is True and index["bytes"] > 0


def test_the_index_lives_in_memory_only_and_status_counts_its_utf8(office):
    """status --json's bytes are the folded texts' UTF-8 and separators;
    no note text in /dev/shm, the runtime folder, or any file the agent
    maps (its shared memory is anonymous)."""
    from vault.validate import fold
    agent, _ = office
    unlock(agent)
    marker = "Qwertzuiop 東京 Ünique"
    ok(agent.subprocess("add", JANE, "-m", f"the marker {marker}", env=NO_SOURCE))
    assert json.loads(_search(agent, "qwertzuiop", False))["hits"]
    index = json.loads(ok(agent.subprocess("status", "--json", env=NO_SOURCE)).stdout)["index"]
    texts = []
    for name in (JANE, *NAMES):
        view = json.loads(ok(agent.subprocess("view", name, "--json", env=NO_SOURCE)).stdout)
        texts += [n["text"] for n in view["notes"]]
    folded = sum(len(fold(t)[0].encode()) for t in texts)
    assert index["notes"] == len(texts) and index["clients"] == len(NAMES) + 1
    # one separator between two notes of a client and between two clients
    assert folded <= index["bytes"] <= folded + index["notes"] + index["clients"]
    assert index["bytes"] == folded + index["notes"] - 1
    needles = [fold(marker)[0].encode(), marker.encode(), b"qwertzuiop"]
    for root in (Path("/dev/shm"), Path(agent.env["XDG_RUNTIME_DIR"])):
        for path in files_under(root):
            try:
                data = path.read_bytes()
            except OSError:
                continue
            assert not [n for n in needles if n in data], path
    # The program's own files (its interpreter, its libraries, this checkout)
    # may lie under /tmp (a CI checkout); nothing else the agent maps may.
    own = tuple(str(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix,
                                                 Path(__file__).parents[2]))
    for pid in agent_pids(agent):
        for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
            mapped = line.split(maxsplit=5)[5:] or [""]
            if mapped[0].startswith(own):
                continue
            assert not mapped[0].startswith(("/dev/shm", "/tmp", "/memfd:", str(agent.root))), line


# -- long tables on a terminal ---------------------------------------------------------

# `vault list` in this process with tables.PLAIN_FROM as given (10**9: rich
# draws every row), stdout a terminal.
FORCED = r"""
import sys
from vault.cli import tables
tables.PLAIN_FROM = int(sys.argv[1])
from vault import entry
raise SystemExit(entry.in_process(sys.argv[2:]))
"""


def _on_a_terminal(venv, argv: list[str], columns: int, env: dict, expect_ok: bool = True):
    """stdout on a pty `columns` wide (stderr a pipe), everything it wrote."""
    import fcntl
    import pty
    import struct
    import termios
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    full = {k: v for k, v in os.environ.items()
            if not k.startswith("VAULT_") and k not in ("COLUMNS", "LINES")}
    for key, value in {**venv.env, **env}.items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    full.setdefault("TERM", "xterm-256color")
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=subprocess.PIPE, env=full)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    _, err = proc.communicate(timeout=60)
    if expect_ok:
        assert proc.returncode == 0, err
        return b"".join(chunks)
    return proc.returncode, b"".join(chunks), err


LONG_NAMES = ["東京 太郎", "e\u0301mile", "Zoë Ångström", "emoji \u2764\ufe0f", "ＦＵＬＬ",
              "a b c", "Ω", "ﬁ", "ア" * 20, "x" * 40, "İ", "\u0e01\u0e34", "한국어 이름"]


@pytest.fixture
def crowd(tmp_path):
    """A vault of 230 clients with awkward names, one of them held and one
    closed, made through import."""
    venv = private_env(_mkdir(tmp_path / "crowd"))
    venv.passphrase_file.chmod(0o600)
    assert venv.run("init", *FAST_KDF).exit_code == 0
    docs = [{"client": f"{LONG_NAMES[i % len(LONG_NAMES)]} {i}", "notes": [
        {"id": 1, "created": f"20{10 + i % 17}-0{1 + i % 9}-1{i % 10}T0{i % 10}:1{i % 6}:00Z",
         "tags": [], "text": f"note {i}"}]} for i in range(230)]
    source = tmp_path / "crowd.jsonl"
    source.write_text("".join(json.dumps(d) + "\n" for d in docs))
    ok(venv.subprocess("import", "jsonl", str(source), env=ALONE))
    ok(venv.subprocess("hold", docs[3]["client"], "--reason", "court", env=ALONE))
    ok(venv.subprocess("close", docs[5]["client"], "--retain", "7y", env=ALONE))
    yield venv
    kill_agents(venv)


def _exact_width(venv) -> int:
    from rich.cells import cell_len
    lines = ok(venv.subprocess("list", env=ALONE)).stdout.decode().splitlines()
    widths = [cell_len(c) for c in ("client", "notes", "last", "status", "retain until")]
    for line in lines:
        for i, cell in enumerate(line.split("\t")):
            widths[i] = max(widths[i], cell_len(cell))
    return sum(widths) + 2 * (len(widths) - 1)


@pytest.mark.parametrize("colour", [{"NO_COLOR": "1"}, {"NO_COLOR": None}], ids=["plain", "colour"])
def test_a_long_list_on_a_terminal_is_richs_own_drawing(crowd, colour):
    """`vault list` of 230 clients on a pty, without the agent and through
    it, at the table's exact width, one column less and more, and wide:
    byte for byte what rich draws when made to draw every row."""
    exact = _exact_width(crowd)
    unlock(crowd)
    for columns in (exact, exact - 1, exact + 1, 200, 60):
        rich = _on_a_terminal(crowd, [sys.executable, "-c", FORCED, str(10**9), "list"],
                              columns, {**colour, **ALONE})
        # a line a row where the table fits; rich wraps rows where it does not
        assert (rich.count(b"\n") == 231) == (columns >= exact), columns
        for env in (ALONE, NO_SOURCE):
            drawn = _on_a_terminal(crowd, [sys.executable, "-m", "vault", "list"], columns,
                                   {**colour, **env})
            assert drawn == rich, (columns, env)


def test_list_of_an_empty_vault_through_the_agent(tmp_path):
    venv = private_env(_mkdir(tmp_path / "empty"))
    venv.passphrase_file.chmod(0o600)
    assert venv.run("init", *FAST_KDF).exit_code == 0
    try:
        unlock(venv)
        alone = ok(venv.subprocess("list", env=ALONE))
        for _ in range(3):
            done = ok(venv.subprocess("list", env=NO_SOURCE))
            assert (done.stdout, done.stderr) == (alone.stdout, alone.stderr) == (
                b"", alone.stderr) and b"no clients yet" in done.stderr
    finally:
        kill_agents(venv)


def test_a_long_table_with_a_tab_in_a_cell_is_richs_own_drawing():
    import io

    from rich.console import Console

    from vault.cli import tables, ui
    rows = [[ui.literal(f"name\t{i}", multiline=False), str(i)] for i in range(210)]

    def drawn(plain_from: int) -> str:
        f = io.StringIO()
        tables.draw(Console(file=f, width=80, force_terminal=True, highlight=False,
                            no_color=True), ["client", "notes"], rows, plain_from=plain_from)
        return f.getvalue()

    assert drawn(tables.PLAIN_FROM) == drawn(10**9)


QUERIES = (b"\x00", b"a\x00b", b"line one\nline two", b"one\nline", b"caf\xc3\xa9",
           b"\xe6\x9d\xb1\xe4\xba\xac", b"\xff", b"x\x00y", b"\t", b"two\n")


def test_search_terms_from_a_query_file_the_same_through_the_agent(office, tmp_path):
    """Terms no argv can carry (NUL, the index's separator; newlines; bytes
    that are not UTF-8), from --query-file: the same exit code, output and
    errors as without the agent."""
    agent, _ = office
    unlock(agent)
    ok(agent.subprocess("add", JANE, input=b"line one\nline two\nx\x00y and a\tb\n", env=NO_SOURCE))
    ok(agent.subprocess("search", "visit", env=NO_SOURCE))   # the index is built
    query = tmp_path / "query"
    for term in QUERIES:
        query.write_bytes(term)
        runs = [agent.subprocess("search", "--query-file", str(query), "--json",
                                 env=env) for env in (NO_SOURCE, ALONE)]
        assert [(r.returncode, r.stdout, r.stderr) for r in runs][0] == \
            [(r.returncode, r.stdout, r.stderr) for r in runs][1], term
        assert b"Traceback" not in runs[0].stderr
    for term in ("caf\udcc3", "\udcff"):       # argv bytes that are not UTF-8
        raw = os.fsencode(term)
        runs = [agent.subprocess("search", raw, "--json", env=env)  # type: ignore[arg-type]
                for env in (NO_SOURCE, ALONE)]
        assert [(r.returncode, r.stdout, r.stderr) for r in runs][0] == \
            [(r.returncode, r.stdout, r.stderr) for r in runs][1], term


def test_search_across_the_index_chunks(crowd, tmp_path):
    """More than CHUNK_IDS clients: terms at the ends of a chunk's buffer
    and of the next one, through the agent as without it, after writes."""
    from vault.agent.index import CHUNK_IDS
    docs = [{"client": f"Extra {i}", "notes": [
        {"id": 1, "created": "2026-01-01T00:00:00Z", "tags": [], "text": f"extra {i} ünï"},
        {"id": 2, "created": "2026-01-02T00:00:00Z", "tags": [], "text": f"{i} tail"}]}
        for i in range(CHUNK_IDS - 230 + 40)]
    source = tmp_path / "extra.jsonl"
    source.write_text("".join(json.dumps(d) + "\n" for d in docs))
    ok(crowd.subprocess("import", "jsonl", str(source), env=ALONE))
    unlock(crowd)
    _search(crowd, "warm", False)
    assert wait_for(lambda: json.loads(ok(crowd.subprocess(
        "status", "--json", env=NO_SOURCE)).stdout)["index"]["built"], 30)
    terms = ("note 229", "extra 25", "tail", "ünï", "ünï 2", "ï", "25 tail", "extra 65 ünï",
             "note", "0", "9 tail")
    for i, term in enumerate(terms):
        if i == 3:
            ok(crowd.subprocess("add", "Extra 30", "-m", "tail end ünï", env=NO_SOURCE))
        if i == 6:
            ok(crowd.subprocess("shred", "Extra 29", "--yes", env=ALONE))
        assert _search(crowd, term, False) == _search(crowd, term, True), term
    index = json.loads(ok(crowd.subprocess("status", "--json", env=NO_SOURCE)).stdout)["index"]
    assert index["built"] and index["clients"] > CHUNK_IDS


@pytest.mark.parametrize("env", [{"TERM": "dumb"}, {"COLUMNS": "150"},
                                 {"PYTHONIOENCODING": "ascii"},
                                 {"PYTHONIOENCODING": "latin-1:replace"}],
                         ids=["dumb", "COLUMNS", "ascii", "latin-1"])
def test_a_long_list_on_odd_terminals_is_richs_own_drawing(crowd, env):
    """A dumb terminal, COLUMNS given, an encoding that cannot write the
    names: whatever rich does (even failing), the plain drawing does."""
    unlock(crowd)
    rich = _on_a_terminal(crowd, [sys.executable, "-c", FORCED, str(10**9), "list"], 120,
                          {**env, **ALONE}, expect_ok=False)
    for way in (ALONE, NO_SOURCE):
        drawn = _on_a_terminal(crowd, [sys.executable, "-m", "vault", "list"], 120,
                               {**env, **way}, expect_ok=False)
        assert drawn[:2] == rich[:2], (way, drawn[2], rich[2])


def _in_shared_memory(venv, needle: bytes) -> bool:
    """Whether the agent's shared anonymous mappings (the index's text)
    hold `needle` (read through /proc/PID/mem, as root)."""
    found = False
    for pid in agent_pids(venv):
        maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
        with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
            for line in maps:
                fields = line.split(maxsplit=5)
                if "s" not in fields[1] or not (len(fields) == 6 and
                                                fields[5].startswith("/dev/zero")):
                    continue
                start, end = (int(x, 16) for x in fields[0].split("-"))
                mem.seek(start)
                try:
                    found = found or needle in mem.read(end - start)
                except OSError:
                    continue
    return found


@pytest.mark.parametrize("how", ["through the agent", "without it"])
def test_a_shredded_clients_text_leaves_the_index_memory(office, how):
    """The index's text is in shared mappings: after a shred, once a search
    has brought the index to the new head, no mapping of the agent holds the
    shredded client's folded text."""
    if os.geteuid() != 0:
        pytest.skip("reads the agent's memory: root only")
    agent, _ = office
    unlock(agent)
    marker = "Gwyxplq Ünmistakable"
    ok(agent.subprocess("add", NAMES[0], "-m", f"only here: {marker}", env=NO_SOURCE))
    assert json.loads(_search(agent, "gwyxplq", False))["hits"]
    assert wait_for(lambda: json.loads(ok(agent.subprocess(
        "status", "--json", env=NO_SOURCE)).stdout)["index"]["built"], 30)
    folded = "gwyxplq unmistakable".encode()
    assert _in_shared_memory(agent, folded)
    ok(agent.subprocess("shred", NAMES[0], "--yes", env=NO_SOURCE if how[0] == "t" else ALONE))
    assert json.loads(_search(agent, "gwyxplq", False))["hits"] == []
    assert wait_for(lambda: not _in_shared_memory(agent, folded), 10)


# -- client_rows_blob: no two row sets with one value ----------------------------------

def _blob_of(rows: list[tuple[int, object, object, object]]) -> bytes:
    """Store.client_rows_blob() over exactly these client rows (any types),
    in a table of the vault's schema, in memory."""
    import sqlite3

    from vault.vaultfile import sqlfile
    from vault.vaultfile.versionreads import VersionReads
    conn = sqlite3.connect(":memory:")
    conn.text_factory = sqlfile._text
    conn.execute("CREATE TABLE clients (id INTEGER PRIMARY KEY AUTOINCREMENT, uid BLOB NOT NULL, "
                 "blind BLOB NOT NULL, wrapped_key BLOB NOT NULL, meta BLOB NOT NULL)")
    conn.executemany("INSERT INTO clients VALUES (?, ?, ?, x'00', ?)", rows)
    reads = object.__new__(VersionReads)
    reads._db = conn
    try:
        return reads.client_rows_blob()
    finally:
        conn.close()


def _mutations():
    from hypothesis import strategies as st
    return st.lists(st.tuples(st.sampled_from(["swap", "id", "type", "cut", "grow", "plant",
                                               "delete", "move", "same"]),
                              st.integers(0, 50), st.integers(0, 50), st.binary(max_size=3)),
                    min_size=1, max_size=4)


def test_no_other_rows_give_the_same_blob():
    """Rows as the agent's count kept them (all well-formed: 16, 32 and 24
    byte blobs), and rows changed by swaps of fields between rows, ids
    changed, values retyped, cut, grown, planted, deleted, bytes moved from
    one field or row to the next: an equal client_rows_blob() means equal
    rows, and the kept value has the length listing() expects."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    fields = st.tuples(st.binary(min_size=16, max_size=16), st.binary(min_size=32, max_size=32),
                       st.binary(min_size=24, max_size=24))

    @settings(max_examples=400, deadline=None, database=None, derandomize=True)
    @given(st.lists(st.tuples(st.integers(-20, 2000), fields), min_size=0, max_size=5,
                    unique_by=lambda r: r[0]), _mutations())
    def check(kept, mutations):
        rows = [[i, *f] for i, f in sorted(kept)]
        blob = _blob_of([tuple(r) for r in rows])
        assert len(blob) == sum(len(str(r[0])) + 73 for r in rows)
        changed = [list(r) for r in rows]
        for op, a, b, extra in mutations:
            if op == "plant":
                changed.append([max([r[0] for r in changed] + [0]) + 1 + a, extra * 16 or b"p" * 16,
                                b"q" * 32, b"r" * 24])
                continue
            if not changed:
                continue
            r, s = changed[a % len(changed)], changed[b % len(changed)]
            k, m = 1 + a % 3, 1 + b % 3
            if op == "swap":
                r[k], s[m] = s[m], r[k]
            elif op == "id":
                new = b - 25
                if new not in [x[0] for x in changed]:
                    r[0] = new
            elif op == "type" and isinstance(r[k], bytes):
                r[k] = r[k].decode("latin-1") if b % 2 else int.from_bytes(r[k][:4], "big")
            elif op == "cut" and isinstance(r[k], bytes):
                r[k] = r[k][:-1 - b % 3]
            elif op == "grow" and isinstance(r[k], bytes):
                r[k] = r[k] + (extra or b"\x00")
            elif op == "delete":
                changed.remove(r)
            elif op == "move" and isinstance(r[k], bytes) and isinstance(s[m], bytes) and r[k]:
                r[k], s[m] = r[k][:-1], r[k][-1:] + s[m]
        ids = [r[0] for r in changed]
        if len(set(ids)) != len(ids):
            return
        try:
            other = _blob_of([tuple(r) for r in changed])
        except Exception:  # noqa: BLE001 - a value SQLite refuses (none here)
            return
        if other == blob:
            assert sorted(map(tuple, changed)) == sorted(map(tuple, rows))

    check()


def test_a_search_while_an_add_waits_and_right_after_it(office):
    """An `add` through the agent waiting for its text on stdin, a search
    meanwhile, the text sent, a search at once (its report maybe not
    followed yet), the same after an add without the agent."""
    agent, _ = office
    unlock(agent)
    assert _search(agent, "visit", False) == _search(agent, "visit", True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update({k: v for k, v in {**agent.env, **NO_SOURCE}.items() if v is not None})
    env.pop("VAULT_PASSPHRASE_FILE", None)
    for i, way in enumerate(("agent", "alone", "agent")):
        word = f"pendingword{i}"
        if way == "alone":
            ok(agent.subprocess("add", NAMES[5], "-m", f"{word} ünï", env=ALONE))
        else:
            waiting = subprocess.Popen([sys.executable, "-m", "vault", "add", NAMES[5]],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, env=env)
            assert _search(agent, word, False) == _search(agent, word, True)
            _, err = waiting.communicate(f"{word} ünï\n".encode(), timeout=60)
            assert waiting.returncode == 0, err
        found = _search(agent, word, False)
        assert found == _search(agent, word, True)
        assert json.loads(found)["hits"], word
