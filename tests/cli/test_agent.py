"""`vault unlock`, `vault lock`, `vault status` and the agent (issue 6).

Every agent here is a real detached process (`python -m vault.serve`)
started by `vault unlock` in a child process; a finalizer kills whatever agent
is left for the test's vault, so none outlives its test. Each test has its own
XDG_RUNTIME_DIR (conftest), so agents never meet.

Covers: unlock, then add and view with no passphrase source at all, logged
via "agent" (unlock itself via "passphrase"); `vault unlock` returns at once
and a second unlock replaces the first agent; lock, after which a command
needs the passphrase again (exit 3 without a source); `status` before, during
and after (no passphrase, no client data, socket 0600 in a 0700 folder); the
idle timeout is test_agent_clock.py's; `passwd` and `restore`
lock the agent; a forged peer (another uid, when running as root) gets no
key; garbage on the socket (random bytes, huge and zero length prefixes,
truncated and invalid JSON, wrong versions, unknown ops, another vault's
path, oversized messages, 50 silent connections) leaves the agent alive and
unlocked; SIGKILL of the agent leaves the vault intact and the next command
asks for the passphrase; no key material (the KEK, raw, hex or base64, or
the passphrase) in any file of the runtime folder, the test folder or the
temp folder after unlock; the agent has a core-file limit of 0, is not
dumpable, and its argv and environment hold neither passphrase nor key.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import sqlite3
import stat
import struct
import sys
import tempfile
import time
from pathlib import Path

import pytest

from vault.agent.protocol import address

from ..checks import files_under
from ..conftest import FAST_KDF, VaultEnv

JANE = "Jane Doe-Agentova"
NO_SOURCE = {"VAULT_PASSPHRASE_FILE": None}
LINUX = sys.platform.startswith("linux")


# -- helpers -------------------------------------------------------------------------

def ok(done):
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    assert b"Traceback" not in done.stderr
    return done


def exit_code(done, expected: int):
    assert done.returncode == expected, (done.returncode, done.stdout, done.stderr)
    assert b"Traceback" not in done.stderr
    return done


def agent_pids(venv: VaultEnv) -> list[int]:
    """Live agent processes serving this test's vault (read from /proc)."""
    return agent_pids_of(venv.path)


def agent_pids_of(vault: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"vault.serve" in argv and os.fsencode(vault) in argv \
                and not _is_worker(entry):
            found.append(int(entry.name))
    return found


def _is_worker(proc: Path) -> bool:
    """A worker the agent forked shares its argv. It renames itself
    (`vault-worker`), but a moment after the fork; until then it is told by
    its parent, which runs the same argv (after the agent's death its parent
    is init, and its name tells)."""
    try:
        if (proc / "comm").read_text().strip() == "vault-worker":
            return True
        stat = (proc / "stat").read_text()
        parent = Path("/proc") / stat[stat.rindex(")") + 2:].split()[1]
        return (parent / "cmdline").read_bytes() == (proc / "cmdline").read_bytes()
    except (OSError, IndexError):
        return False


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def unlock(venv: VaultEnv, *extra: str):
    started = time.monotonic()
    done = ok(venv.subprocess("unlock", "--passphrase-file", str(venv.passphrase_file),
                              *extra, env=NO_SOURCE, timeout=20))
    # detached: the caller's captured streams were not held open by the agent
    assert time.monotonic() - started < 10
    assert len(agent_pids(venv)) == 1
    return done


def status(venv: VaultEnv) -> dict:
    return json.loads(ok(venv.subprocess("status", "--json", env=NO_SOURCE)).stdout)


def runtime_folder(venv: VaultEnv) -> Path:
    return Path(venv.env["XDG_RUNTIME_DIR"]) / "client-vault"


def the_socket(venv: VaultEnv) -> Path:
    (sock,) = runtime_folder(venv).glob("agent-*.sock")
    return sock


def connect_when_the_backlog_allows(s: socket.socket, where: str) -> None:
    """A Unix socket's connect() fails with EAGAIN while the listener's
    backlog is full (a slow agent on a loaded machine); a client retries."""
    for _ in range(200):
        try:
            s.connect(where)
            return
        except BlockingIOError:
            time.sleep(0.01)
    s.connect(where)


def frame(message: dict | bytes) -> bytes:
    data = message if isinstance(message, bytes) else json.dumps(message).encode()
    return struct.pack(">I", len(data)) + data


def talk(path: Path | str, payload: bytes, close_write: bool = True) -> bytes:
    """Send raw bytes on one connection; everything the agent sent back."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        with address(Path(path)) as where:  # pytest's tmp paths are long
            s.connect(where)
        if payload:
            s.sendall(payload)
        if close_write:
            s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk
    except (ConnectionResetError, BrokenPipeError):
        return b""
    finally:
        s.close()


def reply_of(data: bytes) -> dict | None:
    if len(data) < 4:
        return None
    return json.loads(data[4:4 + struct.unpack(">I", data[:4])[0]])


def log(venv: VaultEnv) -> list[dict]:
    return json.loads(ok(venv.subprocess("log", "--json")).stdout)


def kill_agents(venv: VaultEnv) -> None:
    for pid in agent_pids(venv):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert wait_for(lambda: not agent_pids(venv), 5)


@pytest.fixture
def office(vault_env):
    ok(vault_env.subprocess("add", JANE, "-m", "first visit", "--new"))
    yield vault_env
    kill_agents(vault_env)


@pytest.fixture
def secret_office(blank_env):
    """A vault with a passphrase no other file on this machine holds."""
    passphrase = "agent test " + secrets.token_urlsafe(24)
    blank_env.passphrase_file.write_text(passphrase + "\n")
    result = blank_env.run("init", *FAST_KDF)
    assert result.exit_code == 0, result.stderr
    ok(blank_env.subprocess("add", JANE, "-m", "first visit", "--new"))
    yield blank_env, passphrase
    kill_agents(blank_env)


# -- unlock, use, lock ------------------------------------------------------------------

def test_unlock_then_add_and_view_with_no_passphrase_source(office):
    done = unlock(office, "--timeout", "5m")
    assert done.stdout == b"" and b"unlocked until" in done.stderr
    ok(office.subprocess("add", JANE, "-m", "added through the agent", env=NO_SOURCE))
    view = ok(office.subprocess("view", JANE, env=NO_SOURCE)).stdout.decode()
    assert "first visit" in view and "added through the agent" in view
    entries = log(office)
    by_action = [(e["action"], e["via"]) for e in entries]
    assert by_action[:5] == [("init", "passphrase"), ("add", "passphrase"),
                             ("unlock", "passphrase"), ("add", "agent"), ("view", "agent")]
    assert entries[2]["detail"] == {"timeout_s": 300}
    ok(office.subprocess("log", "verify", env=NO_SOURCE))


def test_a_second_unlock_replaces_the_first_agent(office):
    unlock(office)
    (first,) = agent_pids(office)
    unlock(office)
    assert wait_for(lambda: first not in agent_pids(office), 3)
    assert len(agent_pids(office)) == 1
    ok(office.subprocess("view", JANE, env=NO_SOURCE))


def test_lock_then_a_command_needs_the_passphrase_again(office):
    unlock(office)
    done = ok(office.subprocess("lock", env=NO_SOURCE))
    assert b"locked" in done.stderr
    assert wait_for(lambda: not agent_pids(office), 3)
    refused = exit_code(office.subprocess("view", JANE, env=NO_SOURCE), 3)
    assert refused.stdout == b""
    assert b"first visit" in ok(office.subprocess("view", JANE)).stdout
    assert [(e["action"], e["via"]) for e in log(office)][2:4] == [
        ("unlock", "passphrase"), ("lock", "agent")]
    # locking again is harmless
    again = ok(office.subprocess("lock", env=NO_SOURCE))
    assert b"not unlocked" in again.stderr


def test_status_before_during_and_after(office):
    before = status(office)
    assert before == {"vault": str(office.path), "exists": True, "unlocked": False,
                      "until": None, "index": None}
    unlock(office)
    during = ok(office.subprocess("status", "--json", env=NO_SOURCE))
    human = ok(office.subprocess("status", env=NO_SOURCE))
    for done in (during, human):
        for shown in (done.stdout, done.stderr):
            assert JANE.encode() not in shown and b"Jane" not in shown
            assert b"first visit" not in shown
    data = json.loads(during.stdout)
    assert data["unlocked"] is True and data["until"].endswith("Z")
    # each command through the agent is a use: `until` may move on a second
    lines = human.stdout.decode().splitlines()
    assert lines[0] == f"vault: {office.path}" and len(lines) == 2
    assert lines[1].startswith("unlocked until ") and lines[1].endswith("Z")
    assert lines[1][len("unlocked until "):] >= data["until"]
    folder, sock = runtime_folder(office), the_socket(office)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(sock.lstat().st_mode) == 0o600
    ok(office.subprocess("lock", env=NO_SOURCE))
    assert status(office)["unlocked"] is False
    nothing = ok(office.subprocess("status", "--json",
                                   env={**NO_SOURCE, "VAULT_PATH": str(office.root / "no.sqlite")}))
    assert json.loads(nothing.stdout)["exists"] is False


def test_passwd_locks_the_agent(office, tmp_path):
    unlock(office)
    new = tmp_path / "new-passphrase.txt"
    new.write_text("a brand new passphrase for the agent test\n")
    ok(office.subprocess("passwd", "--passphrase-file", str(office.passphrase_file),
                         "--new-passphrase-file", str(new), env=NO_SOURCE))
    assert wait_for(lambda: status(office)["unlocked"] is False, 3)
    assert wait_for(lambda: not agent_pids(office), 3)
    exit_code(office.subprocess("view", JANE, env=NO_SOURCE), 3)
    exit_code(office.subprocess("view", JANE), 3)  # the old passphrase
    ok(office.subprocess("view", JANE, env={"VAULT_PASSPHRASE_FILE": str(new)}))


def test_passwd_never_takes_the_key_from_the_agent(office, tmp_path):
    """Review of issue 6: through the agent, passwd needed no old passphrase,
    so anyone at an unlocked account could lock the owner out."""
    unlock(office)
    new = tmp_path / "new-passphrase.txt"
    new.write_text("a brand new passphrase for the agent test\n")
    refused = exit_code(office.subprocess("passwd", "--new-passphrase-file", str(new),
                                          env=NO_SOURCE), 3)
    assert b"passphrase" in refused.stderr
    assert status(office)["unlocked"] is True  # nothing changed
    ok(office.subprocess("view", JANE, env={**NO_SOURCE, "VAULT_NO_AGENT": "1",
                                            "VAULT_PASSPHRASE_FILE": str(office.passphrase_file)}))


def test_passwd_keeps_the_key_file_while_the_agent_runs(blank_env, tmp_path):
    """Review of issue 6: passwd through the agent, with no --keyfile named,
    silently dropped the key file as a second factor."""
    kf = tmp_path / "vault.key"
    ok(blank_env.subprocess("keyfile", "new", str(kf)))
    ok(blank_env.subprocess("init", *FAST_KDF, "--keyfile", str(kf)))
    ok(blank_env.subprocess("add", JANE, "--new", "-m", "first visit", "--keyfile", str(kf)))
    unlock(blank_env, "--keyfile", str(kf))
    new = tmp_path / "new-passphrase.txt"
    new.write_text("a brand new passphrase for the agent test\n")
    # the passphrase alone is not enough: the key file is asked for
    exit_code(blank_env.subprocess("passwd", "--passphrase-file", str(blank_env.passphrase_file),
                                   "--new-passphrase-file", str(new), env=NO_SOURCE), 3)
    ok(blank_env.subprocess("passwd", "--passphrase-file", str(blank_env.passphrase_file),
                            "--keyfile", str(kf), "--new-passphrase-file", str(new),
                            env=NO_SOURCE))
    with_new = {"VAULT_NO_AGENT": "1", "VAULT_PASSPHRASE_FILE": str(new)}
    exit_code(blank_env.subprocess("view", JANE, env=with_new), 3)  # still needs the key file
    ok(blank_env.subprocess("view", JANE, "--keyfile", str(kf), env=with_new))
    kill_agents(blank_env)


def test_lock_forgets_the_key_even_when_the_log_cannot_be_written(office):
    """Review of issue 6: a lock whose log entry failed left the agent
    holding the key."""
    unlock(office)
    conn = sqlite3.connect(office.path)
    conn.execute("DELETE FROM head")
    conn.commit()
    conn.close()
    refused = exit_code(office.subprocess("lock", env=NO_SOURCE), 5)
    assert b"not written to the log" in refused.stderr
    assert wait_for(lambda: status(office)["unlocked"] is False, 3)
    assert wait_for(lambda: not agent_pids(office), 3)


def test_restore_locks_the_agent(office, tmp_path):
    backup = tmp_path / "before.vbak"
    ok(office.subprocess("backup", str(backup)))
    unlock(office)
    ok(office.subprocess("add", JANE, "-m", "added after the backup", env=NO_SOURCE))
    ok(office.subprocess("restore", str(backup), "--yes", "--passphrase-file",
                         str(office.passphrase_file), env=NO_SOURCE))
    assert wait_for(lambda: status(office)["unlocked"] is False, 3)
    assert wait_for(lambda: not agent_pids(office), 3)
    exit_code(office.subprocess("view", JANE, env=NO_SOURCE), 3)
    view = ok(office.subprocess("view", JANE)).stdout
    assert b"first visit" in view and b"added after the backup" not in view


# -- who may ask, and what ---------------------------------------------------------------

def _as_other_user(folder: Path, sock_name: str, payload: bytes) -> bytes:
    """Connect and send `payload` from a forked child running as uid 65534."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        out = b"X:"
        try:
            os.close(r)
            os.chdir(folder)  # then no folder above it needs to be searchable
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(5)
            try:
                s.connect(sock_name)
            except OSError as e:
                out = b"E:" + str(e).encode()
            else:
                out = b"C:"
                try:
                    s.sendall(payload)
                    s.shutdown(socket.SHUT_WR)
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        out += chunk
                except OSError:
                    pass
        except BaseException as e:  # noqa: BLE001
            out = b"X:" + repr(e).encode()
        finally:
            os.write(w, out)
            os._exit(0)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return data


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0,
                    reason="needs root to act as a second user")
def test_a_forged_peer_gets_no_answer(office):
    unlock(office)
    folder, sock = runtime_folder(office), the_socket(office)
    request = frame({"v": 2, "op": "status", "vault": str(office.path)})
    # the same request from this user is answered: the request is valid
    assert "until" in reply_of(talk(sock, request))
    os.chmod(folder, 0o711)
    os.chmod(sock, 0o777)
    try:
        got = _as_other_user(folder, sock.name, frame(
            {"v": 1, "op": "key", "vault": str(office.path)}))
        got_status = _as_other_user(folder, sock.name, request)
        got_lock = _as_other_user(folder, sock.name, frame(
            {"v": 2, "op": "lock", "vault": str(office.path)}))
    finally:
        os.chmod(sock, 0o600)
        os.chmod(folder, 0o700)
    for answer in (got, got_status, got_lock):
        # it reached the socket (so the refusal is the agent's), and heard nothing
        assert answer.startswith(b"C:"), answer
        assert b"key" not in answer and b"until" not in answer, answer
        assert answer == b"C:", answer
    assert status(office)["unlocked"] is True
    ok(office.subprocess("view", JANE, env=NO_SOURCE))


def test_the_agent_survives_garbage_on_its_socket(office):
    unlock(office)
    (pid,) = agent_pids(office)
    sock = the_socket(office)
    vault = str(office.path)
    payloads = [
        os.urandom(64),
        os.urandom(4096),
        b"\x00",
        b"\x00\x00",
        struct.pack(">I", 2 ** 31) + b"x" * 16,
        struct.pack(">I", 2 ** 32 - 1),
        struct.pack(">I", 0),
        frame(b'{"v":1,"op":"ke'),                       # truncated JSON
        struct.pack(">I", 100) + b'{"v":1,"op":"key"',   # shorter than announced
        frame(b"\xff\xfe\xfd"),                          # not UTF-8
        frame(b"[" * 4000),                              # deep nesting
        frame(b"[1, 2]"),
        frame(b"null"),
        frame(b'"v"'),
        frame({"v": 2, "op": "key", "vault": vault}),
        frame({"v": "1", "op": "key", "vault": vault}),
        frame({"v": True, "op": "key", "vault": vault}),
        frame({"op": "key", "vault": vault}),
        frame({"v": 1, "op": "dump", "vault": vault}),
        frame({"v": 1, "op": ["key"], "vault": vault}),
        frame({"v": 1, "op": "key"}),
        frame({"v": 1, "op": "key", "vault": vault + "x"}),
        frame({"v": 1, "op": "lock", "vault": vault + "x"}),
        frame({"v": 1, "op": "key", "vault": {"path": vault}}),
        frame({"v": 1, "op": "key", "vault": vault, "pad": "x" * 5000}),   # too long
        struct.pack(">I", 5000) + b"x" * 5000,
        frame({"v": 1, "op": "key", "vault": vault}) + b"trailing garbage",
        frame({"v": 2, "op": "key", "vault": vault}),
        frame({"v": 2, "op": "run", "vault": vault}),                 # no descriptors
        frame({"v": 2, "op": "run", "vault": vault, "argv": ["view", JANE]}),
        frame({"v": 2, "op": "status", "vault": vault, "pad": "x" * 5000}),
        struct.pack(">I", 2 * 1024 * 1024) + b"x" * 64,              # past the run limit
    ]
    for payload in payloads:
        data = talk(sock, payload)
        reply = reply_of(data) if data.startswith(b"\x00") else None
        if payload.endswith(b"trailing garbage"):
            continue  # a valid request followed by junk: answering it is fine
        assert reply is None or "key" not in reply, (payload[:40], data)
    # silent connections: opened and closed without a byte
    for _ in range(50):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with address(sock) as where:
            connect_when_the_backlog_allows(s, where)
        s.close()
    # half a header, then hang up
    talk(sock, b"\x00\x00")
    assert agent_pids(office) == [pid]
    assert status(office)["unlocked"] is True
    ok(office.subprocess("view", JANE, env=NO_SOURCE))


def test_killing_the_agent_leaves_the_vault_intact(office):
    unlock(office)
    ok(office.subprocess("add", JANE, "-m", "before the kill", env=NO_SOURCE))
    (pid,) = agent_pids(office)
    os.kill(pid, signal.SIGKILL)
    assert wait_for(lambda: not agent_pids(office), 5)
    assert status(office)["unlocked"] is False
    refused = exit_code(office.subprocess("view", JANE, env=NO_SOURCE), 3)
    assert refused.stdout == b""
    ok(office.subprocess("check"))
    ok(office.subprocess("log", "verify"))
    view = ok(office.subprocess("view", JANE)).stdout
    assert b"first visit" in view and b"before the kill" in view
    # and a new agent can take the (stale) socket's place
    unlock(office)
    ok(office.subprocess("view", JANE, env=NO_SOURCE))


# -- secrets stay in memory ------------------------------------------------------------

def the_kek(venv: VaultEnv, passphrase: str) -> bytes:
    """The key-encryption key, derived here as vault/vaultfile/keyring.py `_kek` does."""
    from vault import crypto
    from vault.models import KdfParams
    conn = sqlite3.connect(f"file:{venv.path}?mode=ro", uri=True)
    try:
        salt, memory, iterations, parallelism = conn.execute(
            "SELECT salt, kdf_memory_kib, kdf_iterations, kdf_parallelism FROM header"
        ).fetchone()
    finally:
        conn.close()
    return crypto.kdf(passphrase.encode(), salt, KdfParams(memory, iterations, parallelism))


def test_no_key_material_in_any_file_after_unlock(secret_office):
    venv, passphrase = secret_office
    started = time.time() - 2
    unlock(venv)
    ok(venv.subprocess("add", JANE, "-m", "through the agent", env=NO_SOURCE))
    ok(venv.subprocess("view", JANE, env=NO_SOURCE))
    kek = the_kek(venv, passphrase)
    # no request hands it out (the agent holds it: the commands above used it)
    for op in ("key", "status", "run", "kek", "seed"):
        for v in (1, 2):
            data = talk(the_socket(venv), frame({"v": v, "op": op, "vault": str(venv.path)}))
            assert kek not in data and kek.hex().encode() not in data
    needles = {"kek": kek, "kek hex": kek.hex().encode(), "KEK HEX": kek.hex().upper().encode(),
               "kek base64": base64.b64encode(kek), "passphrase": passphrase.encode()}
    assert [p.name for p in runtime_folder(venv).iterdir()] == [the_socket(venv).name]
    scanned = 0
    # Everything in the runtime and test folders; in the temp folder, every file
    # written since the test began (an older file cannot hold this key).
    for root, since in ((Path(venv.env["XDG_RUNTIME_DIR"]), None), (venv.root, None),
                        (Path(tempfile.gettempdir()), started)):
        for path in files_under(root, since):
            if path == venv.passphrase_file:
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            scanned += 1
            for what, needle in needles.items():
                assert needle not in data, f"{what} found in {path}"
    assert scanned >= 2  # at least the vault file and its WAL or log


@pytest.mark.skipif(not LINUX, reason="reads /proc")
def test_the_agent_process_is_hardened_and_holds_no_secret_in_argv_or_env(secret_office):
    venv, passphrase = secret_office
    unlock(venv)
    (pid,) = agent_pids(venv)
    limits = Path(f"/proc/{pid}/limits").read_text()
    (core,) = [line for line in limits.splitlines() if line.startswith("Max core file size")]
    assert core.split()[4:6] == ["0", "0"], core
    reply = reply_of(talk(the_socket(venv), frame(
        {"v": 2, "op": "status", "vault": str(venv.path)})))
    assert reply["ok"] is True and reply["dumpable"] is False
    kek_hex = the_kek(venv, passphrase).hex()
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    assert b"vault.serve" in cmdline
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except PermissionError:
        environ = b""  # not dumpable: other processes of the user may not read it
    for blob in (cmdline, environ):
        for needle in (passphrase.encode(), kek_hex.encode(), kek_hex.upper().encode(),
                       str(venv.passphrase_file).encode()):
            assert needle not in blob
    if environ:
        names = {item.split(b"=", 1)[0] for item in environ.split(b"\0") if item}
        assert not {n for n in names if n.startswith(b"VAULT_")}, names
