"""What the vault leaves on disk.

Covers: the vault folder it creates is 0700 and every file in it (including a
live -wal and -shm) 0600, and a loose file mode draws a warning; the raw bytes of the vault
files never contain a client name, note text, tag or the passphrase (UTF-8
and UTF-16-LE, any case); the editor draft (`vault.cli.editor.compose`) lives in
a private 0700 folder that is gone afterwards, also when the editor fails,
together with anything the editor left beside it; and after a whole session
of real commands no new file in the vault folder, the temp dir or /dev/shm
holds any of those secrets.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
import tempfile
from pathlib import Path

import pytest

from vault.cli import editor
from vault.errors import VaultError

from ..checks import ok
from ..conftest import FAST_KDF

NAME = "SENTINELNAME7731 Zoë"
NOTE = "SENTINELNOTE4402 private diagnosis: 😀 ünïcødé"
TAG = "SENTINELTAG9915"
PASSPHRASE = "SENTINELPASS6620 horse battery staple"
TOKENS = ["SENTINELNAME7731", "SENTINELNOTE4402", "SENTINELTAG9915", "SENTINELPASS6620",
          "private diagnosis"]


def leaks(data: bytes) -> list[str]:
    """Sentinels found in raw bytes, as UTF-8 or UTF-16-LE, in any ASCII case."""
    lowered = data.lower()
    found = []
    for token in TOKENS:
        for encoding in ("utf-8", "utf-16-le"):
            if token.lower().encode(encoding) in lowered:
                found.append(f"{token} ({encoding})")
    return found


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def secret_env(blank_env, tmp_path):
    """A vault whose passphrase and contents are all sentinels."""
    pw = tmp_path / "sentinel-passphrase.txt"
    pw.write_text(PASSPHRASE + "\n")
    blank_env.passphrase_file = pw
    blank_env.env["VAULT_PASSPHRASE_FILE"] = str(pw)
    ok(blank_env.run("init", *FAST_KDF))
    ok(blank_env.run("add", NAME, "-m", NOTE, "--new", "--tag", TAG))
    return blank_env


# -- modes -------------------------------------------------------------------------

def test_vault_folder_is_0700_and_every_file_0600(secret_env):
    folder = secret_env.path.parent
    assert mode(folder) == 0o700
    files = list(folder.iterdir())
    assert secret_env.path in files
    for f in files:
        assert mode(f) == 0o600, (f, oct(mode(f)))


def test_live_wal_and_shm_files_are_0600_and_hold_no_secrets(secret_env):
    reader = sqlite3.connect(secret_env.path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM log").fetchone()  # hold a snapshot open
        done = secret_env.subprocess("add", NAME, "--tag", TAG, input=NOTE.encode())
        assert done.returncode == 0, done.stderr
        files = {p.name: p for p in secret_env.path.parent.iterdir()}
        wal = files.get(secret_env.path.name + "-wal")
        assert wal is not None and wal.stat().st_size > 0, files
        for f in files.values():
            assert mode(f) == 0o600, (f, oct(mode(f)))
            assert leaks(f.read_bytes()) == [], f
    finally:
        reader.close()
    assert leaks(secret_env.path.read_bytes()) == []


def test_raw_vault_file_holds_no_name_note_tag_or_passphrase(secret_env):
    ok(secret_env.run("add", NAME.lower(), "-m", NOTE * 50, "--tag", TAG.lower()))
    ok(secret_env.run("view", NAME))
    ok(secret_env.run("list"))
    ok(secret_env.run("log"))
    data = b"".join(p.read_bytes() for p in secret_env.path.parent.iterdir())
    assert leaks(data) == []
    # the check itself works: the plaintext would have been found
    assert leaks((NAME + NOTE).encode("utf-16-le")) and leaks(TAG.lower().encode())


def test_loose_file_mode_draws_a_warning(secret_env):
    os.chmod(secret_env.path, 0o644)
    result = ok(secret_env.run("list", "--json"))
    assert "can be read by other users" in result.stderr
    assert result.stdout.startswith("[")


# -- the editor draft -------------------------------------------------------------------

EDITOR_SCRIPT = """\
import os, stat, sys
path = sys.argv[-1]
folder = os.path.dirname(path)
with open(path, "a", encoding="utf-8") as f:
    f.write(os.environ["EDITOR_TEXT"])
with open(path + ".swp", "w") as f:     # what a real editor leaves beside the draft
    f.write("swap " + os.environ["EDITOR_TEXT"])
with open(os.environ["EDITOR_RECORD"], "w") as f:
    f.write("\\n".join([path, oct(stat.S_IMODE(os.stat(folder).st_mode)),
                       oct(stat.S_IMODE(os.stat(path).st_mode))]))
sys.exit(int(os.environ.get("EDITOR_EXIT", "0")))
"""


def listing() -> dict[str, set[str]]:
    dirs = [tempfile.gettempdir()] + (["/dev/shm"] if os.path.isdir("/dev/shm") else [])
    if os.environ.get("XDG_RUNTIME_DIR") and os.path.isdir(os.environ["XDG_RUNTIME_DIR"]):
        dirs.append(os.environ["XDG_RUNTIME_DIR"])
    return {d: set(os.listdir(d)) for d in dirs}


def new_files(before: dict[str, set[str]]) -> list[Path]:
    """Every file under the entries that appeared in the scanned folders since `before`."""
    found = []
    for d, names in listing().items():
        for name in sorted(set(os.listdir(d)) - before.get(d, set())):
            top = Path(d) / name
            if top.is_file():
                found.append(top)
            elif top.is_dir() and not top.is_symlink():
                found.extend(p for p in top.rglob("*") if p.is_file() and not p.is_symlink())
    return found


def assert_no_new_secrets(before):
    for f in new_files(before):
        try:
            if f.stat().st_size > 100_000_000:
                continue
            data = f.read_bytes()
        except OSError:
            continue
        assert leaks(data) == [], f


@pytest.fixture
def fake_editor(tmp_path, monkeypatch):
    script = tmp_path / "fake-editor.py"
    script.write_text(f"#!{sys.executable}\n" + EDITOR_SCRIPT)
    script.chmod(0o755)
    record = tmp_path / "editor-record.txt"
    monkeypatch.setenv("VISUAL", str(script))
    monkeypatch.setenv("EDITOR", "false")  # VISUAL wins
    monkeypatch.setenv("EDITOR_TEXT", NOTE + "\n")
    monkeypatch.setenv("EDITOR_RECORD", str(record))
    monkeypatch.delenv("EDITOR_EXIT", raising=False)
    return record


def read_record(record: Path) -> tuple[Path, int, int]:
    path, dir_mode, file_mode = record.read_text().splitlines()
    return Path(path), int(dir_mode, 8), int(file_mode, 8)


def test_compose_returns_the_text_from_a_private_draft_that_is_then_gone(fake_editor):
    before = listing()
    text = editor.compose()
    assert text.decode("utf-8") == NOTE + "\n"
    draft, dir_mode, file_mode = read_record(fake_editor)
    assert dir_mode == 0o700
    assert file_mode == 0o600
    ram = editor.ram_folder()
    if ram is not None:
        assert draft.parent.parent == Path(ram)
    assert not draft.exists()
    assert not draft.parent.exists()
    assert_no_new_secrets(before)


def test_compose_with_a_failing_editor_raises_and_still_removes_the_draft(fake_editor,
                                                                          monkeypatch):
    monkeypatch.setenv("EDITOR_EXIT", "3")
    before = listing()
    with pytest.raises(VaultError) as info:
        editor.compose()
    assert "exited with code 3" in info.value.message
    assert info.value.exit_code == 1
    draft, _, _ = read_record(fake_editor)
    assert not draft.parent.exists()
    assert_no_new_secrets(before)


def test_compose_without_an_editor_says_how_to_give_text(monkeypatch, tmp_path):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # not even vi, the fallback (issue 15)
    with pytest.raises(VaultError) as info:
        editor.compose()
    assert "-m TEXT" in info.value.message


def test_compose_with_a_missing_editor_program(monkeypatch):
    monkeypatch.setenv("VISUAL", "/nonexistent/editor-9931")
    before = listing()
    with pytest.raises(VaultError) as info:
        editor.compose()
    assert "cannot start the editor" in info.value.message
    assert not [p for p in new_files(before) if "vault-draft-" in str(p)]


# -- a whole session ----------------------------------------------------------------------

def test_a_session_of_commands_leaves_no_secret_anywhere(blank_env, tmp_path):
    pw = tmp_path / "sentinel-passphrase.txt"
    pw.write_text(PASSPHRASE + "\n")
    env = {"VAULT_PASSPHRASE_FILE": str(pw)}
    before = listing()

    def run(*args, input=None):
        done = blank_env.subprocess(*args, input=input, env=env)
        assert done.returncode == 0, (args, done.stderr)
        return done

    run("init", *FAST_KDF)
    run("add", NAME, "--new", "--tag", TAG, "-m", NOTE)
    run("add", NAME, "--tag", TAG, input=(NOTE + "\n").encode())
    assert NOTE in run("view", NAME).stdout.decode()
    run("view", NAME, "--json")
    run("list")
    run("list", "--json")
    run("log")
    run("log", "--client", NAME, "--json")
    run("log", "verify")
    run("log", "checkpoint")
    folder = blank_env.path.parent
    assert mode(folder) == 0o700
    for f in folder.iterdir():
        assert mode(f) == 0o600
        assert leaks(f.read_bytes()) == [], f
    assert_no_new_secrets(before)
