"""Secrets hygiene (issue 7): what a realistic session leaves behind.

One session of real `python -m vault` processes, with a private HOME, TMPDIR
and XDG_RUNTIME_DIR: init; add with -m, from stdin, and in $EDITOR (on a
pseudo-terminal, the passphrase coming from VAULT_PASSPHRASE_COMMAND); view;
search; export-anonymized; export; backup; unlock, view and add through the
agent; lock. The passphrase, the client's name, a tag and every note are
random sentinels. Then:

- the vault's folder, the backup, HOME, TMPDIR, the agent's runtime folder
  and every file written since the session began in the system temp folder
  and /dev/shm hold none of them: raw, case-folded (the name), UTF-16,
  hex or base64 at any alignment. Only the files asked for hold plaintext:
  the export (notes and name), the anonymized export (notes, never the name);
  neither holds the passphrase;
- the editor's draft folder is gone;
- neither the editor nor the passphrase command (each a script that dumps
  its argv, its environment, and its parent's command line, environment and
  limits) nor the agent receives the passphrase in its arguments or
  environment;
- core dumps are off (RLIMIT_CORE 0) for the vault process, read from
  /proc/PID/limits while it waits for the editor, and inherited by the
  passphrase command.
"""

from __future__ import annotations

import base64
import os
import pty
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from ..checks import files_under
from ..conftest import FAST_KDF

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc and uses a pseudo-terminal")


def variants(secret: str, casefold: bool = False) -> dict[str, bytes]:
    """The secret as it might leak: raw, UTF-16, hex, base64 at every offset."""
    forms = {"raw": secret}
    if casefold:
        forms["case-folded"] = secret.casefold()
    found = {}
    for label, text in forms.items():
        raw = text.encode("utf-8")
        found[label] = raw
        found[f"{label} utf-16-le"] = text.encode("utf-16-le")
        found[f"{label} utf-16-be"] = text.encode("utf-16-be")
        found[f"{label} hex"] = raw.hex().encode()
        found[f"{label} HEX"] = raw.hex().upper().encode()
        for k in range(3):   # a base64 stream holds the secret at one of three offsets
            part = raw[k:][: (len(raw) - k) // 3 * 3]
            found[f"{label} base64+{k}"] = base64.b64encode(part)
    return found


def leaks(path: Path, needles: dict[str, bytes]) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError:
        return []
    return [what for what, needle in needles.items() if needle in data]


def agent_pids(vault: Path) -> list[int]:
    from ..cli.test_agent import agent_pids_of
    return agent_pids_of(vault)


class Session:
    """The folders of one user's session and a way to run `vault` in it."""

    def __init__(self, root: Path) -> None:
        token = secrets.token_hex(8)
        self.passphrase = f"hygiene passphrase {token} correct horse"
        self.name = f"Zebulon Quist{token[:6]}"
        self.tag = f"tag{secrets.token_hex(6)}"
        self.notes = {how: f"{how} note {secrets.token_hex(10)} about sleep"
                      for how in ("argv", "stdin", "editor", "agent")}
        self.root = root
        root.mkdir(mode=0o700)
        for sub in ("home", "tmp", "run", "out", "dumps", "inputs"):
            (root / sub).mkdir(mode=0o700)
        self.vault = root / "vaultdir" / "vault.sqlite"
        self.pw = root / "inputs" / "passphrase.txt"
        self.pw.write_text(self.passphrase + "\n")
        self.pw.chmod(0o600)
        self.note_source = root / "inputs" / "editor-note.txt"
        self.note_source.write_text(self.notes["editor"])
        self.editor = root / "inputs" / "editor.sh"
        self.editor.write_text(
            "#!/bin/sh\n"
            "{ echo \"argv: $0 $*\"; echo '-- env'; env; echo '-- parent cmdline';"
            " tr '\\0' ' ' < /proc/$PPID/cmdline; echo; echo '-- parent environ';"
            " tr '\\0' '\\n' < /proc/$PPID/environ; echo '-- parent limits';"
            " cat /proc/$PPID/limits; } > \"$DUMPS/editor.txt\"\n"
            "cat \"$NOTE_SOURCE\" > \"$1\"\n")
        self.passcmd = root / "inputs" / "passcmd.sh"
        self.passcmd.write_text(
            "#!/bin/sh\n"
            "{ echo \"argv: $0 $*\"; echo '-- env'; env; echo '-- limits';"
            " cat /proc/self/limits; } > \"$DUMPS/passcmd-$$.txt\"\n"
            "cat \"$PW_SOURCE\"\n")
        for script in (self.editor, self.passcmd):
            script.chmod(0o700)
        self.started = time.time() - 1

    def env(self, **extra: str) -> dict[str, str]:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "HOME": str(self.root / "home"), "TMPDIR": str(self.root / "tmp"),
               "XDG_RUNTIME_DIR": str(self.root / "run"), "LANG": "C.UTF-8",
               "NO_COLOR": "1", "VAULT_PATH": str(self.vault),
               "VAULT_PASSPHRASE_FILE": str(self.pw)}
        env.update(extra)
        return {k: v for k, v in env.items() if v}

    def run(self, *args: str, input: bytes | None = None, stdin=None, **extra: str):
        done = subprocess.run([sys.executable, "-m", "vault", *args], env=self.env(**extra),
                              input=input, stdin=stdin if input is None else None,
                              capture_output=True, timeout=60, cwd=self.root / "home")
        assert done.returncode == 0, (args, done.returncode, done.stderr.decode())
        assert b"Traceback" not in done.stderr
        return done


@pytest.fixture
def session(tmp_path):
    s = Session(tmp_path / "s")
    yield s
    for pid in agent_pids(s.vault):   # never leave an agent of ours running
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_session_leaves_no_secret_behind(session):
    s = session
    s.run("init", *FAST_KDF)
    s.run("add", s.name, "--new", "-m", s.notes["argv"], "--tag", s.tag)
    s.run("add", s.name, input=s.notes["stdin"].encode())
    # The editor, on a terminal; the passphrase from a command this time.
    primary, secondary = pty.openpty()
    try:
        s.run("add", s.name, stdin=secondary, VAULT_PASSPHRASE_FILE="",
              VAULT_PASSPHRASE_COMMAND=str(s.passcmd), EDITOR=str(s.editor),
              DUMPS=str(s.root / "dumps"), NOTE_SOURCE=str(s.note_source),
              PW_SOURCE=str(s.pw))
    finally:
        os.close(primary)
        os.close(secondary)
    shown = s.run("view", s.name).stdout.decode()
    assert all(s.notes[how] in shown for how in ("argv", "stdin", "editor"))
    hits = s.run("search", "sleep").stdout.decode()   # matches are marked: ⟦sleep⟧
    assert all(s.notes[how].split(" about")[0] in hits for how in ("argv", "stdin", "editor"))
    s.run("export-anonymized", s.name, "-o", str(s.root / "out" / "anon.jsonl"))
    s.run("export", s.name, "--yes", "-o", str(s.root / "out" / "export.md"))
    s.run("backup", str(s.root / "out"))
    s.run("unlock", "--passphrase-file", str(s.pw), VAULT_PASSPHRASE_FILE="")
    (agent,) = agent_pids(s.vault)
    agent_cmdline = Path(f"/proc/{agent}/cmdline").read_bytes()
    assert s.notes["editor"] in s.run("view", s.name, VAULT_PASSPHRASE_FILE="").stdout.decode()
    s.run("add", s.name, "-m", s.notes["agent"], VAULT_PASSPHRASE_FILE="")
    s.run("lock", VAULT_PASSPHRASE_FILE="")
    deadline = time.monotonic() + 10
    while agent_pids(s.vault) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not agent_pids(s.vault)

    passphrase = variants(s.passphrase)
    everything = {**passphrase, **variants(s.name, casefold=True), **variants(s.tag),
                  **{f"{how} note {form}": needle for how, note in s.notes.items()
                     for form, needle in variants(note).items()}}

    # -- files ------------------------------------------------------------------------
    deliberate = {s.pw, s.note_source, s.editor, s.passcmd,
                  s.root / "out" / "export.md", s.root / "out" / "anon.jsonl"}
    dumps = set((s.root / "dumps").iterdir())
    scanned, found = 0, []
    for path in files_under(s.root):
        if path in deliberate or path in dumps:
            continue
        scanned += 1
        found += [(str(path), what) for what in leaks(path, everything)]
    system_temp = Path(tempfile.gettempdir())
    for root in (system_temp, Path("/dev/shm")):
        if not root.is_dir():
            continue
        for path in files_under(root, since=s.started):
            if s.root in path.parents:
                continue
            found += [(str(path), what) for what in leaks(path, everything)]
    assert not found, found
    assert scanned >= 2, scanned   # at least the vault and the backup
    assert list((s.root / "tmp").iterdir()) == [], "TMPDIR is not empty"
    assert [p for p in (s.root / "run").rglob("*") if p.is_file()] == []
    assert {p.name for p in s.vault.parent.iterdir()} <= {
        "vault.sqlite", "vault.sqlite-wal", "vault.sqlite-shm"}

    # What was asked for holds plaintext, but never the passphrase; the
    # anonymized export never the name.
    assert not leaks(s.root / "out" / "export.md", passphrase)
    assert s.notes["argv"].encode() in (s.root / "out" / "export.md").read_bytes()
    anon = s.root / "out" / "anon.jsonl"
    assert not leaks(anon, {**passphrase, **variants(s.name, casefold=True)})
    assert s.notes["argv"].encode() in anon.read_bytes()

    # -- child processes ----------------------------------------------------------------
    editor = (s.root / "dumps" / "editor.txt").read_text()
    passcmds = [p.read_text() for p in s.root.joinpath("dumps").glob("passcmd-*.txt")]
    assert passcmds, "the passphrase command never ran"
    for dump in [editor, *passcmds]:
        for what, needle in passphrase.items():
            assert needle.decode("latin-1") not in dump, what
        assert "VAULT_PASSPHRASE=" not in dump
    for what, needle in passphrase.items():
        assert needle not in agent_cmdline, what
    draft = Path(editor.splitlines()[0].split()[-1])
    assert draft.name == "note.md" and not draft.parent.exists(), draft   # wiped and gone

    # -- core dumps ---------------------------------------------------------------------
    def core_limit(limits: str) -> list[str]:
        (line,) = [x for x in limits.splitlines() if x.startswith("Max core file size")]
        return line.split()[4:6]

    assert "vault" in editor.split("-- parent cmdline")[1].splitlines()[1]
    assert core_limit(editor.split("-- parent limits")[1]) == ["0", "0"]
    for dump in passcmds:
        assert core_limit(dump.split("-- limits")[1]) == ["0", "0"]
