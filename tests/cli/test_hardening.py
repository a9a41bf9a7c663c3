"""Smaller holes of issue 12, each through the real CLI on a real file.

- A key file that is a FIFO with no writer: exit 3 within the timeout, as
  for a passphrase file (the timeout shortened here; 30 s in use); a pipe
  with a writer still works.
- The CLI is not dumpable (no ptrace, no /proc/PID/mem for the user's other
  processes) while it holds a passphrase: seen from outside on a real
  `python -m vault` waiting on its passphrase FIFO, and from inside for which
  invocations do it (all but help and status, which stay fast).
- `hold --reason` text with escape sequences and bidi controls never reaches
  stdout or stderr raw.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from vault.cli import passphrase

from ..checks import code, ok
from ..conftest import FAST_KDF, PASSPHRASE

CLIENT = "Jane Doe"


def keyfile_vault(venv, tmp_path):
    kf = tmp_path / "key"
    ok(venv.run("keyfile", "new", str(kf)))
    ok(venv.run("init", *FAST_KDF, "--keyfile", str(kf)))
    ok(venv.run("add", CLIENT, "--new", "-m", "first visit", "--keyfile", str(kf)))
    return kf


def test_a_keyfile_fifo_without_writer_is_exit_3_in_time(blank_env, tmp_path, monkeypatch):
    keyfile_vault(blank_env, tmp_path)
    fifo = tmp_path / "key.fifo"
    os.mkfifo(fifo)
    monkeypatch.setattr(passphrase, "FILE_TIMEOUT_S", 0.5)
    for how in ({"VAULT_KEYFILE": str(fifo)}, None):
        started = time.monotonic()
        if how is None:
            result = blank_env.run("view", CLIENT, "--keyfile", str(fifo))
        else:
            result = blank_env.run("view", CLIENT, env=how)
        code(result, 3)
        assert result.stdout == ""
        assert "gave nothing within 0.5 s" in result.stderr, result.stderr
        assert time.monotonic() - started < 10


def test_a_keyfile_pipe_with_a_writer_still_works(blank_env, tmp_path):
    kf = keyfile_vault(blank_env, tmp_path)
    fifo = tmp_path / "key.fifo"
    os.mkfifo(fifo)

    def writer():
        with open(fifo, "wb") as f:   # opens once the vault opens its end
            f.write(kf.read_bytes())

    thread = threading.Thread(target=writer)
    thread.start()
    result = ok(blank_env.run("view", CLIENT, "--keyfile", str(fifo)))
    thread.join()
    assert "first visit" in result.stdout


def _waiting_on(pid: int, path: str) -> bool:
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == path
                   for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs Linux /proc")
@pytest.mark.skipif(os.getuid() == 0, reason="as root every /proc entry belongs to root "
                    "whether dumpable or not; test_only_help_and_status_stay_dumpable "
                    "checks the flag from inside")
def test_the_cli_is_not_dumpable_while_it_waits_for_its_passphrase(vault_env, tmp_path):
    """/proc/PID's files belong to root while a process is not dumpable."""
    fifo = tmp_path / "pw.fifo"
    os.mkfifo(fifo, 0o600)
    held = os.open(fifo, os.O_RDWR)   # a writer that has not written yet
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update({k: v for k, v in vault_env.env.items() if v is not None})
    env["VAULT_PASSPHRASE_FILE"] = str(fifo)
    child = subprocess.Popen([sys.executable, "-m", "vault", "list"], env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while not _waiting_on(child.pid, str(fifo)):
            assert child.poll() is None and time.monotonic() < deadline
        assert os.stat(f"/proc/{child.pid}/status").st_uid != os.getuid()
        os.write(held, (PASSPHRASE + "\n").encode())
        os.close(held)
        held = -1
        _out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        assert CLIENT.encode() not in err
    finally:
        if held >= 0:
            os.close(held)
        if child.poll() is None:
            child.kill()
            child.wait()


PROBE = ("import ctypes, sys\n"
         "from vault.cli.base import main\n"
         "try:\n"
         "    main(sys.argv[1:])\n"
         "except SystemExit:\n"
         "    pass\n"
         "sys.__stderr__.write('dumpable=%d\\n' % ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))\n")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
@pytest.mark.parametrize("args, dumpable", [
    ((), 1), (("--help",), 1), (("status",), 1), (("--vault", "x", "status", "--json"), 1),
    (("help", "view"), 1), (("list",), 0), (("view", "status"), 0), (("--debug", "log"), 0),
    (("add", CLIENT, "--sealed", "-m", "x"), 0), (("--bogus",), 0)])
def test_only_help_and_status_stay_dumpable(blank_env, args, dumpable):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update({k: v for k, v in blank_env.env.items() if v is not None})
    done = subprocess.run([sys.executable, "-c", PROBE, *args], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
                          check=False)
    assert f"dumpable={dumpable}".encode() in done.stderr, done.stderr


RAW = "court \x1b[31mRED\x1b]0;title\x07 \u202eevil\u202c order"


def test_a_hold_reason_never_reaches_the_terminal_raw(vault_env, tmp_path):
    ok(vault_env.run("add", CLIENT, "--new", "-m", "first visit"))
    ok(vault_env.run("hold", CLIENT, "--reason", RAW))
    reason_file = tmp_path / "reason.txt"
    reason_file.write_text(RAW)
    outputs = [vault_env.subprocess("shred", CLIENT, "--yes"),
               vault_env.subprocess("redact", CLIENT, "--text", "first", "--yes"),
               vault_env.subprocess("list"), vault_env.subprocess("view", CLIENT),
               vault_env.subprocess("export", CLIENT),
               vault_env.subprocess("hold", CLIENT, "--reason-file", str(reason_file))]
    assert outputs[0].returncode == 6
    assert b"\\x1b[31mRED" in outputs[0].stderr and b"\\u202eevil" in outputs[0].stderr
    for done in outputs:
        for raw in (b"\x1b", b"\x07", "\u202e".encode(), "\u202c".encode()):
            assert raw not in done.stdout and raw not in done.stderr, (done.args, raw)
