"""Faults from outside the program (issue 7): a full disk, a read-only vault
(file, folder, mount), a vault folder that disappears (before a command and
while one runs), a file that is not a vault, a vault truncated at every 4 KiB
boundary, and a vault from a newer format version.

Each fault gives one `vault: error:` line (warnings allowed) and its
documented exit code (vault/errors.py ExitCode), never a traceback or
"internal error", and nothing on stdout: a `view` that cannot write its log
entry shows nothing. It leaves the vault as it was: the vault file's bytes
unchanged where the command failed, no file made beside it (a full disk is
the exception: SQLite may leave its empty -wal and -shm files, which the next
command removes), no half-written export or backup; and once the fault is
gone the vault opens, passes `vault check` and `vault log verify`, holds
exactly the notes whose `add` exited 0, and its log has one `view` entry per
`view` that showed anything.

How the faults are made:

- Full disk: RLIMIT_FSIZE set on a child process (preexec_fn; SIGXFSZ ignored,
  so a write past the limit fails with EFBIG instead of killing it), at three
  limits; and a small tmpfs filled to a few KiB of its end, where the test can
  make a mount namespace (`unshare -m` as root, `unshare -Urm` otherwise),
  else skipped. The commands run inside that child (DRIVER), in process.
- Read-only: chmod of the file or the folder, in a child process. Root
  ignores file modes, so as root the child runs without CAP_DAC_OVERRIDE and
  CAP_DAC_READ_SEARCH (dropped from its bounding set before exec); skipped
  where that is not possible. A read-only mount, where a mount namespace can be
  made.
- The rest in this process (CliRunner): files written before the command, a
  folder removed, moved or replaced from inside `view` (monkeypatched), and
  the same from the editor of a real `vault add` on a pseudo-terminal.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import json
import os
import pty
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

import pytest
import typer.main
import typer.testing

from vault.vaultfile import unlocked
from vault.cli import app

from ..checks import assert_one_error_line, foreign_sqlite, ok
from ..conftest import FAST_KDF, VaultEnv
from .harness import assert_sound, child_env, copy_vault, make_env, opened, snapshot

ADA, BOB, CY = "Ada Lovelace", "Bob Jones", "Cy Young"
LINUX = sys.platform.startswith("linux")


# -- running the CLI in process, fast ---------------------------------------------

@functools.cache
def _click_command():
    return typer.main.get_command(app)


def quick(venv: VaultEnv, *args: str, input: str | bytes | None = None,
          env: dict[str, str | None] | None = None):
    """VaultEnv.run without typer rebuilding the click command at every call,
    which costs 0.1 to 0.3 s; these suites run thousands of commands."""
    with mock.patch.object(typer.testing, "_get_command", lambda _app: _click_command()):
        return venv.run(*args, input=input, env=env)


# -- the template vault and its copies ---------------------------------------------

def _text(rng: random.Random, words: int) -> str:
    vocab = ["sleep", "work", "family", "anxiety", "progress", "session", "plan",
             "medication", "goal", "week", "call", "letter", "review", "mood"]
    return " ".join(rng.choice(vocab) for _ in range(words))


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> VaultEnv:
    """Three clients, eleven notes over ~29 pages, a view and a list logged."""
    venv = make_env(tmp_path_factory.mktemp("faults"))
    rng = random.Random(7)
    ok(quick(venv, "init", *FAST_KDF))
    for i, name in enumerate([ADA, ADA, ADA, ADA, BOB, BOB, BOB, CY, CY, CY, CY]):
        new = ["--new"] if i in (0, 4, 7) else []
        ok(quick(venv, "add", name, "-m", f"{name} note {i}: " + _text(rng, 300), *new))
    ok(quick(venv, "view", ADA))
    ok(quick(venv, "list"))
    return venv


@pytest.fixture
def fresh(template, tmp_path) -> VaultEnv:
    """A copy of the template in this test's own folder."""
    venv = make_env(tmp_path / "t")
    copy_vault(template.path, venv.path.parent)
    return venv


def texts(venv: VaultEnv, name: str = ADA) -> list[str]:
    return [n["text"] for n in json.loads(ok(quick(venv, "view", name, "--json")).stdout)["notes"]]


def folder_state(folder: Path) -> dict[str, str]:
    """Every file in the folder with its SHA-256."""
    if not folder.is_dir():
        return {}
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def failed(result, code: int | tuple[int, ...], *fragments: str):
    """The documented exit code, one error line, no traceback, nothing on stdout."""
    codes = (code,) if isinstance(code, int) else code
    assert result.exit_code in codes, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == "", result.stdout
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert_one_error_line(result.stderr)
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    return result


def commands(out: Path) -> list[list[str]]:
    """Every command that opens the vault, reading or writing."""
    return [["view", ADA], ["view", ADA, "--json"], ["list", "--json"],
            ["add", ADA, "-m", "a new note"], ["add", "Dee New", "--new", "-m", "x"],
            ["add", "--sealed", ADA, "-m", "sealed"], ["log", "--json"],
            ["log", "verify"], ["log", "verify", "--no-unlock"], ["log", "checkpoint"],
            ["check"], ["search", "sleep"], ["inbox"], ["close", BOB],
            ["export", ADA, "--yes", "-o", str(out / "export.md")],
            ["export-anonymized", "-o", str(out / "anon.jsonl")],
            ["backup", str(out / "backup.vaultbackup")]]


# -- a file that is not a vault, truncated, or newer ---------------------------------

NOT_A_VAULT = ["random bytes", "zeros", "empty", "a text file", "a foreign SQLite file",
               "a foreign SQLite file claiming version 2", "a vault backup",
               "a vault without its header row"]


def _make_not_a_vault(kind: str, venv: VaultEnv, tmp_path: Path) -> None:
    path = venv.path
    if kind == "a vault backup":
        backup = tmp_path / "b.vaultbackup"
        ok(quick(venv, "backup", str(backup)))
        path.write_bytes(backup.read_bytes())
    elif kind == "a vault without its header row":
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("DELETE FROM header")
        conn.close()
    else:
        path.unlink()
        if kind.startswith("a foreign SQLite file"):
            foreign_sqlite(path, 2 if kind.endswith("2") else 0)
        else:
            path.write_bytes({"random bytes": random.Random(5).randbytes(64 * 1024),
                              "zeros": bytes(64 * 1024), "empty": b"",
                              "a text file": b"Ada: call back on Tuesday\n" * 400}[kind])
    os.chmod(path, 0o600)


@pytest.mark.parametrize("kind", NOT_A_VAULT)
def test_a_file_that_is_not_a_vault_is_exit_5_and_stays_as_it_was(fresh, tmp_path, kind):
    _make_not_a_vault(kind, fresh, tmp_path)
    folder = fresh.path.parent
    out = tmp_path / "out"
    out.mkdir()
    before = folder_state(folder)
    for argv in commands(out):
        result = failed(quick(fresh, *argv), 5)
        assert "not a vault" in result.stderr or "damaged" in result.stderr, result.stderr
        assert folder_state(folder) == before, argv   # bytes, and no -wal or -shm left
    assert list(out.iterdir()) == []


def test_a_vault_truncated_at_every_4_kib_boundary(fresh, tmp_path):
    data = fresh.path.read_bytes()
    assert len(data) >= 16 * 4096, len(data)
    argvs = [["view", ADA], ["list"], ["add", ADA, "-m", "x"], ["log", "verify"],
             ["log", "verify", "--no-unlock"], ["check"],
             ["backup", str(tmp_path / "b.vaultbackup")]]
    cuts = range(0, len(data), 4096)
    for cut in cuts:
        fresh.path.write_bytes(data[:cut])
        before = folder_state(fresh.path.parent)
        for argv in argvs:
            failed(quick(fresh, *argv), (1, 5))
            assert folder_state(fresh.path.parent) == before, (cut, argv)
    assert not (tmp_path / "b.vaultbackup").exists()
    fresh.path.write_bytes(data)
    assert len(texts(fresh)) == 4   # the intact file still opens: the copies were the damage


@pytest.mark.parametrize("how", ["user_version 5", "format_version 2"])
def test_a_vault_from_a_newer_format_version_is_exit_1_with_an_upgrade_hint(fresh, tmp_path,
                                                                             how):
    conn = sqlite3.connect(fresh.path, isolation_level=None)
    if how == "user_version 5":
        conn.execute("PRAGMA user_version = 5")
    else:
        conn.execute("UPDATE header SET format_version = 2")
    conn.close()
    folder = fresh.path.parent
    out = tmp_path / "out"
    out.mkdir()
    before = folder_state(folder)
    for argv in commands(out):
        result = failed(quick(fresh, *argv), 1, "version")
        assert "vault: hint: upgrade client-vault" in result.stderr, (argv, result.stderr)
        assert folder_state(folder) == before, argv
    assert list(out.iterdir()) == []


# -- the vault folder disappears ------------------------------------------------------

def test_a_vault_folder_that_is_gone_is_exit_1_and_nothing_is_made(fresh, tmp_path):
    folder = fresh.path.parent
    shutil.rmtree(folder)
    out = tmp_path / "out"
    out.mkdir()
    for argv in commands(out) + [["passwd"], ["shred", BOB, "--yes"],
                                 ["redact", ADA, "--text", "sleep", "--yes"]]:
        failed(quick(fresh, *argv), 1, "no vault here")
        assert not folder.exists(), argv
    assert list(out.iterdir()) == []


def _vanish(how: str, path: Path) -> None:
    """What happens to the vault's folder while a command runs."""
    folder = path.parent
    if how == "deleted":
        shutil.rmtree(folder)
    elif how == "moved":
        folder.rename(folder.with_name(folder.name + "-moved"))
    else:  # replaced: a copy put in its place, as a sync tool or a restore would
        shutil.copyfile(path, folder / "copy")
        os.replace(folder / "copy", path)


def _left(how: str, venv: VaultEnv) -> Path | None:
    """Where the vault is after it vanished: None if deleted."""
    folder = venv.path.parent
    return {"deleted": None, "replaced": venv.path,
            "moved": folder.with_name(folder.name + "-moved") / venv.path.name}[how]


def _after_vanishing(how: str, venv: VaultEnv, before: dict) -> None:
    """The vault that is left (moved or replaced) is the vault as it was."""
    path = _left(how, venv)
    if path is None:
        assert not venv.path.parent.exists()
        return
    with opened(path) as session:
        assert snapshot(session) == before
        assert_sound(session, how)


@pytest.mark.parametrize("how", ["deleted", "moved", "replaced"])
def test_a_view_whose_vault_vanishes_before_its_log_entry_shows_nothing(fresh, monkeypatch,
                                                                        how):
    with opened(fresh.path) as session:
        before = snapshot(session)
    views_before = _count_views(fresh.path)
    real_notes = unlocked.UnlockedVault.notes

    def notes_then_vanish(self, client):
        found = real_notes(self, client)
        _vanish(how, fresh.path)
        return found

    monkeypatch.setattr(unlocked.UnlockedVault, "notes", notes_then_vanish)
    result = failed(quick(fresh, "view", ADA), 1, "moved, replaced or deleted")
    assert "note" not in result.stdout
    monkeypatch.undo()
    left = _left(how, fresh)
    if left is not None:
        assert _count_views(left) == views_before   # nothing shown, nothing recorded
    _after_vanishing(how, fresh, before)


def _count_views(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM log WHERE action = 'view'").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.skipif(not LINUX, reason="a pseudo-terminal and /proc")
@pytest.mark.parametrize("how", ["deleted", "moved", "replaced"])
def test_an_add_whose_vault_vanishes_while_the_editor_is_open_fails(fresh, tmp_path, how):
    """A real `vault add` (stdin a terminal, so it opens $EDITOR); the editor
    removes, moves or replaces the vault's folder, then saves the note. The
    add must not report a note that went nowhere."""
    with opened(fresh.path) as session:
        before = snapshot(session)
    editor = tmp_path / "editor.sh"
    action = {"deleted": 'rm -rf "$FOLDER"',
              "moved": 'mv "$FOLDER" "$FOLDER-moved"',
              "replaced": 'cp "$FOLDER/vault.sqlite" "$FOLDER/copy" && '
                          'mv "$FOLDER/copy" "$FOLDER/vault.sqlite"'}[how]
    editor.write_text(f"#!/bin/sh\n{action}\nprintf 'written as the folder went' > \"$1\"\n")
    editor.chmod(0o700)
    env = child_env(fresh)
    env.update({"EDITOR": str(editor), "VISUAL": "", "FOLDER": str(fresh.path.parent)})
    primary, secondary = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "vault", "add", ADA], stdin=secondary,
                              capture_output=True, env=env, timeout=60)
    finally:
        os.close(primary)
        os.close(secondary)
    err = done.stderr.decode()
    assert done.returncode == 1, (done.returncode, err)
    assert done.stdout == b"" and "Traceback" not in err and "internal error" not in err
    assert_one_error_line(err)
    assert "moved, replaced or deleted" in err and "nothing was changed" in err
    _after_vanishing(how, fresh, before)


# -- a child process that runs commands in process: full disk, read-only -------------

# Run as `python -c DRIVER` with a JSON spec on stdin: setup steps (mount a
# tmpfs, copy the vault in, fill the disk, remount read-only) and commands,
# each run through CliRunner with the state of the vault's folder (and of an
# output folder) before and after. Prints the results as JSON after a marker.
DRIVER = r'''
import hashlib, json, os, shutil, subprocess, sys
from pathlib import Path

spec = json.loads(sys.stdin.read())
folder, out = Path(spec["folder"]), Path(spec["out"])


def state():
    found = {}
    if folder.is_dir():
        for p in sorted(folder.iterdir()):
            try:
                found[p.name] = hashlib.sha256(p.read_bytes()).hexdigest()
            except OSError:
                found[p.name] = None
    return {"vault": found, "out": sorted(os.listdir(out)) if out.is_dir() else []}


def fill(where, free):
    filler = Path(where) / "filler"
    with open(filler, "wb", buffering=0) as f:
        for size in (1 << 16, 512):
            try:
                while True:
                    f.write(bytes(size))
            except OSError:
                pass
    os.truncate(filler, max(0, filler.stat().st_size - free))


results, runner = [], None
for step in spec["steps"]:
    op = step["op"]
    if op == "mount-tmpfs":
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d,mode=0700" % step["size"],
                        "tmpfs", step["dir"]], check=True)
    elif op == "remount-ro":
        subprocess.run(["mount", "-o", "remount,ro", step["dir"]], check=True)
    elif op == "mkdir":
        os.makedirs(step["dir"], mode=0o700, exist_ok=True)
    elif op == "copy":
        shutil.copyfile(step["src"], step["dst"])
        os.chmod(step["dst"], 0o600)
    elif op == "fill":
        fill(step["dir"], step["free"])
    elif op == "unfill":
        os.unlink(Path(step["dir"]) / "filler")
    elif op == "probe-write":
        try:
            os.close(os.open(step["file"], os.O_WRONLY))
            results.append({"probe": "writable"})
        except OSError as e:
            results.append({"probe": e.strerror})
    elif op == "run":
        if runner is None:
            import typer.main
            import typer.testing
            from vault.cli import app
            command = typer.main.get_command(app)
            typer.testing._get_command = lambda _app: command   # built once, not per run
            runner = typer.testing.CliRunner()
        before = state()
        r = runner.invoke(app, step["args"], env=spec["env"])
        exc = r.exception
        results.append({"args": step["args"], "code": r.exit_code, "stdout": r.stdout,
                        "stderr": r.stderr, "before": before, "after": state(),
                        "exception": None if exc is None or isinstance(exc, SystemExit)
                        else repr(exc)})
sys.stdout.write("\n@@RESULTS@@" + json.dumps(results))
'''


def drive(venv: VaultEnv, steps: list[dict], folder: Path, out: Path,
          prefix: tuple[str, ...] = (), preexec=None) -> list[dict]:
    env = child_env(venv)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    spec = {"steps": steps, "folder": str(folder), "out": str(out), "env": venv.env}
    done = subprocess.run([*prefix, sys.executable, "-c", DRIVER],
                          input=json.dumps(spec).encode(), capture_output=True, env=env,
                          preexec_fn=preexec, timeout=180)
    assert done.returncode == 0, (done.returncode, done.stderr.decode()[-3000:])
    return json.loads(done.stdout.split(b"@@RESULTS@@")[-1])


def run(*argv: str) -> dict:
    return {"op": "run", "args": list(argv)}


def check_run(r: dict, codes: tuple[int, ...] = (0, 1), *fragments: str) -> bool:
    """One result: a documented code, never a traceback; on failure nothing on
    stdout, one error line, and the vault file's bytes as they were (unless a
    WAL left by an earlier command was folded in), no export or backup left.
    True if it succeeded."""
    where = (r["args"], r["code"], r["stderr"])
    assert r["exception"] is None, where
    assert r["code"] in codes, where
    assert "Traceback" not in r["stderr"] and "internal error" not in r["stderr"], where
    if r["code"] == 0:
        return True
    assert r["stdout"] == "", where
    assert_one_error_line(r["stderr"])
    for fragment in fragments:
        assert fragment in r["stderr"], where
    before, after = r["before"]["vault"], r["after"]["vault"]
    wal_had_frames = before.get("vault.sqlite-wal") not in (None, hashlib.sha256().hexdigest())
    assert after.get("vault.sqlite") == before.get("vault.sqlite") or wal_had_frames, where
    assert r["after"]["out"] == r["before"]["out"], where
    return False


BIG = "a long note that does not fit on a full disk " * 4000   # ~180 KB


def full_disk_sequence(out: Path) -> list[dict]:
    return [run("view", ADA), run("add", ADA, "-m", BIG),
            run("add", ADA, "-m", "a short note written on a full disk"),
            run("view", ADA, "--json"), run("list"), run("search", "sleep"),
            run("backup", str(out / "full.vaultbackup")),
            run("export", ADA, "--yes", "-o", str(out / "export.md")),
            run("add", "--sealed", ADA, "-m", "sealed on a full disk")]


def assert_full_disk_outcome(results: list[dict], baseline: list[str], views_before: int,
                             after: list[dict]) -> dict[str, int]:
    """The runs on a full disk, then `check --json`, `view ADA --json`,
    `log --json` and `log verify` once there is room again."""
    expected, views, outcome = list(baseline), views_before, {"ok": 0, "failed": 0}
    sealed = []
    for r in results:
        succeeded = check_run(r)
        outcome["ok" if succeeded else "failed"] += 1
        if not succeeded:
            continue
        argv = r["args"]
        if argv[0] == "add" and "--sealed" in argv:
            sealed.append(argv[-1])
        elif argv[0] == "add":
            expected.append(argv[3])
        elif argv[0] == "view":
            views += 1
            assert "note 0" in r["stdout"]   # what it showed was the notes
    check, view, log, verify = after
    assert check["code"] == 0, check
    assert json.loads(check["stdout"])["ok"] is True
    assert verify["code"] == 0, verify
    shown = [n["text"] for n in json.loads(view["stdout"])["notes"]]
    assert shown == expected + sealed   # every add that exited 0, none that did not
    entries = json.loads(log["stdout"])
    # One `view` entry per view that showed notes, plus the check view above.
    assert sum(e["action"] == "view" for e in entries) == views + 1
    return outcome


AFTER = [run("check", "--json"), run("view", ADA, "--json"), run("log", "--json"),
         run("log", "verify")]


@pytest.mark.parametrize("limit", [0, 40_000, 120_000])
def test_a_full_disk_from_rlimit_fsize(fresh, tmp_path, limit):
    """A child process that may not make any file larger than `limit` bytes."""
    baseline = texts(fresh)
    views_before = _count_views(fresh.path)
    out = tmp_path / "out"
    out.mkdir()

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    results = drive(fresh, full_disk_sequence(out), fresh.path.parent, out, preexec=limited)
    after = [quick(fresh, *step["args"]) for step in AFTER]
    after = [{"code": r.exit_code, "stdout": r.stdout, "stderr": r.stderr} for r in after]
    outcome = assert_full_disk_outcome(results, baseline, views_before, after)
    if limit == 0:
        assert outcome["ok"] == 0   # nothing at all can be written


@functools.cache
def namespace_prefix() -> tuple[str, ...] | None:
    """A way to run a child in its own mount namespace, where it may mount a
    tmpfs; None if this machine does not allow one."""
    if not LINUX or not shutil.which("unshare") or not shutil.which("mount"):
        return None
    candidates = [("unshare", "-m"), ("unshare", "-Urm")] if os.geteuid() == 0 \
        else [("unshare", "-Urm")]
    probe = tempfile.mkdtemp(prefix="vault-mount-probe-")
    try:
        for prefix in candidates:
            try:
                done = subprocess.run([*prefix, "mount", "-t", "tmpfs", "-o", "size=64k",
                                       "tmpfs", probe], capture_output=True, timeout=20)
            except (OSError, subprocess.SubprocessError):
                continue
            if done.returncode == 0:
                return prefix
    finally:
        os.rmdir(probe)
    return None


def needs_namespace() -> tuple[str, ...]:
    prefix = namespace_prefix()
    if prefix is None:
        pytest.skip("cannot make a mount namespace with a tmpfs here")
    return prefix


@pytest.mark.parametrize("free_kib", [0, 24, 64])
def test_a_full_small_filesystem(fresh, tmp_path, free_kib):
    """The vault on a tmpfs filled to `free_kib` KiB of its end: SQLite sees
    ENOSPC. The mount lives in the child's namespace, so the checks after the
    disk has room again run there too."""
    prefix = needs_namespace()
    baseline = texts(fresh)
    views_before = _count_views(fresh.path)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    folder, out = mnt / "d", mnt / "out"
    inside = make_env(tmp_path / "inside")
    inside.env["VAULT_PATH"] = str(folder / "vault.sqlite")
    steps = [{"op": "mount-tmpfs", "dir": str(mnt), "size": 8 << 20},
             {"op": "mkdir", "dir": str(folder)}, {"op": "mkdir", "dir": str(out)},
             {"op": "copy", "src": str(fresh.path), "dst": str(folder / "vault.sqlite")},
             {"op": "fill", "dir": str(mnt), "free": free_kib * 1024},
             *full_disk_sequence(out),
             {"op": "unfill", "dir": str(mnt)}, *AFTER]
    results = drive(inside, steps, folder, out, prefix=prefix)
    n = len(full_disk_sequence(out))
    outcome = assert_full_disk_outcome(results[:n], baseline, views_before, results[n:])
    if free_kib == 0:
        assert outcome["ok"] == 0
    full = [r for r in results[:n] if r["code"] == 1]
    assert full, "the disk was never full"


# -- read-only ------------------------------------------------------------------------

CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, PR_CAPBSET_DROP = 1, 2, 24


def _without_dac_override() -> None:
    """preexec_fn for root: the child keeps uid 0 but loses the capabilities
    that let root ignore file modes."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def read_only_sequence(out: Path) -> tuple[list[dict], list[dict]]:
    """Commands refused on a read-only vault (exit 1), and those documented to
    work there (exit 0): an auditor's read-only copy can be verified."""
    refused = [run("view", ADA), run("view", ADA, "--json"), run("list"),
               run("add", ADA, "-m", "x"), run("add", "--sealed", ADA, "-m", "x"),
               run("log"), run("search", "sleep"), run("check"),
               run("backup", str(out / "b.vaultbackup")),
               run("export", ADA, "--yes", "-o", str(out / "e.md"))]
    allowed = [run("log", "verify"), run("log", "verify", "--no-unlock"),
               run("log", "checkpoint")]
    return refused, allowed


def assert_read_only_outcome(results: list[dict], n_refused: int) -> None:
    for r in results[:n_refused]:
        assert check_run(r, (1,), "read-only") is False
        assert r["after"] == r["before"], r["args"]   # not a byte, not a file
    for r in results[n_refused:]:
        assert r["code"] == 0, (r["args"], r["stderr"])
        assert r["after"] == r["before"], r["args"]


@pytest.mark.skipif(not LINUX, reason="file modes and capabilities as on Linux")
@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_vault(fresh, tmp_path, what):
    baseline = texts(fresh)
    with opened(fresh.path) as session:
        before = snapshot(session)
    target = fresh.path if what == "file" else fresh.path.parent
    out = tmp_path / "out"
    out.mkdir()
    refused, allowed = read_only_sequence(out)
    preexec = _without_dac_override if os.geteuid() == 0 else None
    os.chmod(target, 0o400 if what == "file" else 0o500)
    try:
        try:
            results = drive(fresh, [{"op": "probe-write", "file": str(fresh.path)},
                                    *refused, *allowed],
                            fresh.path.parent, out, preexec=preexec)
        except subprocess.SubprocessError as e:
            pytest.skip(f"cannot run a child that honours file modes: {e}")
        if what == "file" and results[0]["probe"] == "writable":
            pytest.skip("file modes do not stop this process from writing")
        assert_read_only_outcome(results[1:], len(refused))
    finally:
        os.chmod(target, 0o600 if what == "file" else 0o700)
    # Writable again: the vault works, and nothing the refused commands did lingers.
    assert texts(fresh) == baseline
    with opened(fresh.path) as session:
        assert snapshot(session) == before
        assert_sound(session, f"read-only {what}")


def test_a_read_only_mount(fresh, tmp_path):
    prefix = needs_namespace()
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    folder, out = mnt / "d", tmp_path / "out"
    out.mkdir()
    inside = make_env(tmp_path / "inside")
    inside.env["VAULT_PATH"] = str(folder / "vault.sqlite")
    refused, allowed = read_only_sequence(out)
    steps = [{"op": "mount-tmpfs", "dir": str(mnt), "size": 8 << 20},
             {"op": "mkdir", "dir": str(folder)},
             {"op": "copy", "src": str(fresh.path), "dst": str(folder / "vault.sqlite")},
             {"op": "remount-ro", "dir": str(mnt)}, *refused, *allowed]
    results = drive(inside, steps, folder, out, prefix=prefix)
    assert_read_only_outcome(results, len(refused))
