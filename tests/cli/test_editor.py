"""Issue 15, item 2: editors leave no client text on disk.

Through the real CLI: a known editor (vim, nvim, vi that is vim, emacs, nano,
micro) is started with the flags that keep it from writing history, swap,
backup, undo or auto-save files; any other editor draws one warning; with no
$VISUAL or $EDITOR, vi is used (said on stderr); with no editor at all, or
one that is not installed, `vault add` fails before asking for the passphrase.

Then the real editors in a real terminal (tmux): a line is typed, deleted,
another typed, the note saved; $HOME (with a leaky vimrc, init.vim, init.el
or nanorc in it), the XDG folders, the temp folders and /dev/shm are scanned
for the deleted line and the kept one. A control run of the same editor
behind an unknown name (so without the flags) shows that the scan finds the
deleted line when an editor does keep it. Each real-editor test is skipped,
saying why, only when the editor or tmux is not installed.
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from ..checks import files_under, ok
from ..conftest import PASSPHRASE
from .test_tty_prompt import run_on_tty

NO_SOURCE = {"VAULT_PASSPHRASE_FILE": None}


@pytest.fixture
def jane(vault_env):
    ok(vault_env.run("add", "Jane Doe", "-m", "first note", "--new"))
    return vault_env


def notes_of(venv, client="Jane Doe") -> list[str]:
    import json
    return [n["text"] for n in json.loads(ok(venv.run("view", client, "--json")).stdout)["notes"]]


def fake_editor(folder: Path, name: str, version: str = "") -> Path:
    """An executable called `name` that records its arguments, one per line,
    and appends a line to the draft (its last argument)."""
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text("#!/bin/sh\n"
                      f'if [ "$1" = --version ]; then echo "{version}"; exit 0; fi\n'
                      f'for a in "$@"; do printf "%s\\n" "$a"; done > "{folder}/args.txt"\n'
                      'for last in "$@"; do :; done\n'
                      'printf "written by the fake editor\\n" >> "$last"\n')
    script.chmod(0o755)
    return script


def recorded_args(folder: Path) -> list[str]:
    return (folder / "args.txt").read_text().splitlines()[:-1]  # without the draft


# -- which editor, which flags ---------------------------------------------------

VIM_SET = "silent! set nobackup nowritebackup noswapfile noundofile {}="
EXPECTED = {
    "vim": ["-n", "-i", "NONE", "--cmd", VIM_SET.format("viminfo"),
            "-c", VIM_SET.format("viminfo")],
    "nvim": ["-n", "-i", "NONE", "--cmd", VIM_SET.format("shada"),
             "-c", VIM_SET.format("shada")],
    "nano": ["--ignorercfiles"],
    "micro": ["-backup", "false", "-permbackup", "false", "-savehistory", "false",
              "-saveundo", "false"],
}


@pytest.mark.parametrize("name", ["vim", "nvim", "nano", "micro", "vim.basic", "emacs",
                                  "emacs-nox"])
def test_a_known_editor_gets_its_quiet_flags(jane, tmp_path, name):
    bin_dir = tmp_path / "bin"
    fake_editor(bin_dir, name)
    code, shown = run_on_tty({**jane.env, "VISUAL": str(bin_dir / name)}, ["add", "Jane Doe"])
    assert code == 0, shown
    assert "may keep" not in shown
    args = recorded_args(bin_dir)
    family = name.split(".")[0].split("-")[0]
    if family == "emacs":
        assert args[0] == "--eval" and "make-backup-files nil" in args[1]
        assert "auto-save-default nil" in args[1] and "create-lockfiles nil" in args[1]
    else:
        assert args == EXPECTED[family]
    assert notes_of(jane)[-1] == "written by the fake editor\n"


def test_the_users_own_editor_arguments_are_kept_before_the_flags(jane, tmp_path):
    bin_dir = tmp_path / "bin"
    fake_editor(bin_dir, "vim")
    code, shown = run_on_tty({**jane.env, "VISUAL": f"{bin_dir / 'vim'} -f +startinsert"},
                             ["add", "Jane Doe"])
    assert code == 0, shown
    assert recorded_args(bin_dir) == ["-f", "+startinsert", *EXPECTED["vim"]]


def test_editor_is_recognised_by_the_file_a_link_points_to(jane, tmp_path):
    """`editor` (Debian's alternative) pointing to nano gets nano's flags; a
    link called vim that points to an unknown program gets none."""
    bin_dir = tmp_path / "bin"
    fake_editor(bin_dir, "nano")
    (bin_dir / "editor").symlink_to(bin_dir / "nano")
    code, shown = run_on_tty({**jane.env, "VISUAL": str(bin_dir / "editor")},
                             ["add", "Jane Doe"])
    assert code == 0, shown
    assert recorded_args(bin_dir) == EXPECTED["nano"]

    other = tmp_path / "other"
    fake_editor(other, "busybox")
    (other / "vim").symlink_to(other / "busybox")
    code, shown = run_on_tty({**jane.env, "VISUAL": str(other / "vim")}, ["add", "Jane Doe"])
    assert code == 0, shown
    assert recorded_args(other) == []
    assert "may keep some" in shown


@pytest.mark.parametrize("version, flags", [("VIM - Vi IMproved 9.0", EXPECTED["vim"]),
                                            ("", [])])
def test_a_program_called_vi_gets_vim_flags_only_if_it_is_vim(jane, tmp_path, version, flags):
    bin_dir = tmp_path / "bin"
    fake_editor(bin_dir, "vi", version)
    code, shown = run_on_tty({**jane.env, "VISUAL": str(bin_dir / "vi")}, ["add", "Jane Doe"])
    assert code == 0, shown
    assert recorded_args(bin_dir) == flags
    assert ("may keep some" in shown) == (not flags)


def test_an_unknown_editor_is_warned_about_once_before_the_passphrase(jane, tmp_path):
    bin_dir = tmp_path / "bin"
    fake_editor(bin_dir, "my-editor")
    code, shown = run_on_tty({**jane.env, **NO_SOURCE, "VISUAL": str(bin_dir / "my-editor")},
                             ["add", "Jane Doe"],
                             answers=[(b"Passphrase", PASSPHRASE.encode() + b"\n")])
    assert code == 0, shown
    warning = ("vault: warning: vault cannot stop my-editor from keeping copies of the note "
               "outside the draft")
    assert shown.count(warning) == 1
    assert shown.index(warning) < shown.index("Passphrase")
    assert recorded_args(bin_dir) == []
    assert notes_of(jane)[-1] == "written by the fake editor\n"


def test_without_visual_or_editor_vi_is_used_and_said(jane, tmp_path):
    bin_dir = tmp_path / "bin"
    fake_editor(bin_dir, "vi", "VIM - Vi IMproved 9.0")
    env = {**jane.env, "VISUAL": None, "EDITOR": None, "PATH": str(bin_dir)}
    code, shown = run_on_tty(env, ["add", "Jane Doe"])
    assert code == 0, shown
    assert ("vault: $VISUAL and $EDITOR are not set; using vi (set EDITOR to choose "
            "another)") in shown
    assert recorded_args(bin_dir) == EXPECTED["vim"]
    assert notes_of(jane)[-1] == "written by the fake editor\n"


def test_no_editor_at_all_fails_before_the_passphrase_is_asked(jane, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    env = {**jane.env, **NO_SOURCE, "VISUAL": None, "EDITOR": None, "PATH": str(empty)}
    code, shown = run_on_tty(env, ["add", "Jane Doe"],
                             answers=[(b"Passphrase", PASSPHRASE.encode() + b"\n")])
    assert code == 1, shown
    assert ("vault: error: no note text and no editor: give -m TEXT, pipe the text on "
            "stdin, or set $EDITOR") in shown
    assert "vault: hint: e.g. export EDITOR=nano" in shown
    assert "Passphrase" not in shown
    assert notes_of(jane) == ["first note"]


def test_an_editor_that_is_not_installed_fails_before_the_passphrase(jane, tmp_path):
    env = {**jane.env, **NO_SOURCE, "VISUAL": None, "EDITOR": "no-such-editor-4471 -w"}
    code, shown = run_on_tty(env, ["add", "Jane Doe"],
                             answers=[(b"Passphrase", PASSPHRASE.encode() + b"\n")])
    assert code == 1, shown
    assert ("vault: error: cannot start the editor: no-such-editor-4471 ($EDITOR) is not "
            "installed or not on PATH") in shown
    assert "Passphrase" not in shown
    assert notes_of(jane) == ["first note"]


def test_unparsable_editor_variable_fails_before_the_passphrase(jane):
    env = {**jane.env, **NO_SOURCE, "VISUAL": "vim 'unbalanced"}
    code, shown = run_on_tty(env, ["add", "Jane Doe"],
                             answers=[(b"Passphrase", PASSPHRASE.encode() + b"\n")])
    assert code == 1, shown
    assert "vault: error: cannot parse $VISUAL or $EDITOR (unbalanced quotes?)" in shown
    assert "Passphrase" not in shown


def test_sealed_add_without_an_editor_fails_and_seals_nothing(jane, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    env = {**jane.env, "VISUAL": None, "EDITOR": None, "PATH": str(empty)}
    code, shown = run_on_tty(env, ["add", "--sealed", "Jane Doe"])
    assert code == 1, shown
    assert "no note text and no editor" in shown
    assert notes_of(jane) == ["first note"]  # an unlock files whatever was sealed


# -- real editors in a real terminal -----------------------------------------------

def _need(*programs: str) -> None:
    for program in programs:
        if shutil.which(program) is None:
            pytest.skip(f"{program} is not installed (apt-get install {program})")


class Tmux:
    """One tmux server of the test's own, running one command in a 100x30 pane
    that stays after the command exits."""

    def __init__(self, root: Path, env: dict[str, str], command: str) -> None:
        self.root = root
        conf = root / "tmux.conf"
        conf.write_text("set -g remain-on-exit on\nset -g escape-time 0\n"
                        "set -g default-terminal screen\n")
        self.base = ["tmux", "-S", str(root / "tmux.sock"), "-f", str(conf)]
        self.env = env
        subprocess.run([*self.base, "new-session", "-d", "-x", "100", "-y", "30", "-s", "t",
                        command], env=env, check=True, timeout=30)

    def screen(self) -> str:
        return subprocess.run([*self.base, "capture-pane", "-p", "-t", "t"], env=self.env,
                              capture_output=True, text=True, timeout=30, check=False).stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "t", *(["-l"] if literal else []),
                        *keys], env=self.env, check=True, timeout=30)

    def wait(self, condition, what: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if condition(shown):
                return shown
            time.sleep(0.02)  # a poll interval, not a wait for a timer
        raise AssertionError(f"timed out waiting for {what}; the screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], env=self.env, timeout=30,
                       capture_output=True, check=False)


def _scanned_folders(home: Path, runtime: Path) -> list[Path]:
    folders = [home, runtime, Path(tempfile.gettempdir()), Path("/tmp"), Path("/var/tmp"),
               Path("/dev/shm")]
    return [f for f in dict.fromkeys(folders) if f.is_dir()]


def _found(needle: str, folders: list[Path], since: float) -> list[Path]:
    hits = []
    for folder in folders:
        for path in files_under(folder, since=since):
            try:
                if needle.encode() in path.read_bytes() and path not in hits:
                    hits.append(path)
            except OSError:
                continue
    return hits


def _session(venv, tmp_path: Path, editor_cmd: str, leaky: dict[str, str]):
    """HOME, XDG folders and rc files for one editor run; returns (env, home)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    for rel, text in leaky.items():
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_text(text)
    for d in ("vimundo", "vimbackup", "vimswap", "nanobackup", ".config", ".local/share",
              ".local/state", ".cache"):
        (home / d).mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "XDG_", "TMUX"))}
    env.update({k: v for k, v in venv.env.items() if v is not None})
    env.update({"HOME": str(home), "VISUAL": editor_cmd, "EDITOR": editor_cmd,
                "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_DATA_HOME": str(home / ".local/share"),
                "XDG_STATE_HOME": str(home / ".local/state"),
                "XDG_CACHE_HOME": str(home / ".cache"), "TERM": "screen", "LANG": "C.UTF-8"})
    return env, home


def _run_editor(venv, tmp_path: Path, editor_cmd: str, leaky: dict[str, str], drive) -> dict:
    """`vault add "Jane Doe"` in tmux with `editor_cmd`; `drive(tmux, deleted, kept)`
    types the note. Returns what was found where."""
    deleted = f"DELETED-{secrets.token_hex(8)}"
    kept = f"KEPT-{secrets.token_hex(8)}"
    env, home = _session(venv, tmp_path, editor_cmd, leaky)
    rc = tmp_path / "rc.txt"
    errors = tmp_path / "stderr.txt"
    command = (f"{shlex.quote(sys.executable)} -m vault add 'Jane Doe' 2>{shlex.quote(str(errors))}"
               f"; echo $? > {shlex.quote(str(rc))}")
    started = time.time() - 1
    tmux = Tmux(tmp_path, env, command)
    try:
        tmux.wait(lambda s: "note.md" in s or "~" in s, "the editor to start")
        drive(tmux, deleted, kept)
        deadline = time.monotonic() + 30
        while not rc.exists() or not rc.read_text().strip():
            assert time.monotonic() < deadline, tmux.screen()
            time.sleep(0.02)
    finally:
        tmux.close()
    folders = _scanned_folders(home, Path(venv.env["XDG_RUNTIME_DIR"]))
    return {"rc": int(rc.read_text()), "stderr": errors.read_text(), "kept": kept,
            "deleted_found": _found(deleted, folders, started),
            "kept_found": _found(kept, folders, started), "home": home}


def drive_vim(tmux: Tmux, deleted: str, kept: str) -> None:
    """Type a line, delete it with dd, type another, :wq."""
    tmux.keys("i")
    tmux.wait(lambda s: "-- INSERT --" in s, "insert mode")
    tmux.keys(deleted, literal=True)
    tmux.wait(lambda s: deleted in s, "the typed line")
    tmux.keys("Escape")
    tmux.wait(lambda s: "-- INSERT --" not in s, "normal mode")
    tmux.keys("d", "d")
    tmux.wait(lambda s: deleted not in s, "the line to be deleted")
    tmux.keys("i")
    tmux.wait(lambda s: "-- INSERT --" in s, "insert mode")
    tmux.keys(kept, literal=True)
    tmux.wait(lambda s: kept in s, "the second line")
    tmux.keys("Escape")
    tmux.wait(lambda s: "-- INSERT --" not in s, "normal mode")
    tmux.keys(":wq", "Enter")


# A vimrc that keeps everything it can: undo and backup files, a swap folder
# and viminfo with registers, all in $HOME.
LEAKY_VIMRC = ("set nocompatible showmode undofile undodir=~/vimundo// backup "
               "backupdir=~/vimbackup// directory=~/vimswap// viminfo='100,<500,s100,h "
               "viminfofile=~/.viminfo\n")


def _wrapper(tmp_path: Path, program: str) -> str:
    """`program` behind a name vault does not know: started without flags."""
    script = tmp_path / "wrapped-editor"
    script.write_text(f'#!/bin/sh\nexec {shutil.which(program)} "$@"\n')
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize("program", ["vim", "vi", "vim.tiny"])
def test_real_vim_leaves_no_deleted_line_anywhere(jane, tmp_path, program):
    _need("tmux", program)
    found = _run_editor(jane, tmp_path, program, {".vimrc": LEAKY_VIMRC}, drive_vim)
    assert found["rc"] == 0, found["stderr"]
    if program == "vi" and "may keep some" in found["stderr"]:
        pytest.skip("vi here is not vim")
    assert found["deleted_found"] == [] and found["kept_found"] == []
    assert notes_of(jane)[-1].strip() == found["kept"]
    assert not (found["home"] / ".viminfo").exists()
    assert list((found["home"] / "vimundo").iterdir()) == []
    assert list((found["home"] / "vimbackup").iterdir()) == []
    assert list((found["home"] / "vimswap").iterdir()) == []


def test_the_scan_finds_what_vim_keeps_without_the_flags(jane, tmp_path):
    """The control: the same session through an unknown wrapper around vim."""
    _need("tmux", "vim")
    found = _run_editor(jane, tmp_path, _wrapper(tmp_path, "vim"), {".vimrc": LEAKY_VIMRC},
                        drive_vim)
    assert found["rc"] == 0, found["stderr"]
    assert "may keep some" in found["stderr"]
    assert found["home"] / ".viminfo" in found["deleted_found"]
    assert notes_of(jane)[-1].strip() == found["kept"]


LEAKY_INIT_VIM = ("set undofile undodir=~/vimundo// backup backupdir=~/vimbackup// "
                  "directory=~/vimswap// shada='100,<500,s100,h\n")


def test_real_nvim_leaves_no_deleted_line_anywhere(jane, tmp_path):
    _need("tmux", "nvim")
    found = _run_editor(jane, tmp_path, "nvim", {".config/nvim/init.vim": LEAKY_INIT_VIM},
                        drive_vim)
    assert found["rc"] == 0, found["stderr"]
    assert found["deleted_found"] == [] and found["kept_found"] == []
    assert notes_of(jane)[-1].strip() == found["kept"]


def test_the_scan_finds_what_nvim_keeps_without_the_flags(jane, tmp_path):
    _need("tmux", "nvim")
    found = _run_editor(jane, tmp_path, _wrapper(tmp_path, "nvim"),
                        {".config/nvim/init.vim": LEAKY_INIT_VIM}, drive_vim)
    assert found["rc"] == 0, found["stderr"]
    assert found["deleted_found"], "nvim without flags kept nothing: the scan proves nothing"


def drive_nano(tmux: Tmux, deleted: str, kept: str) -> None:
    """Type a line, save, search for it, cut it (^K), type another, save, exit."""
    tmux.wait(lambda s: "GNU nano" in s, "nano")
    tmux.keys(deleted, literal=True)
    tmux.wait(lambda s: deleted in s, "the typed line")
    tmux.keys("C-s")
    tmux.wait(lambda s: "Wrote" in s, "the first save")
    tmux.keys("C-w")
    tmux.wait(lambda s: "Search" in s, "the search prompt")
    tmux.keys(deleted, literal=True)
    tmux.keys("Enter")
    tmux.keys("C-k")
    tmux.wait(lambda s: deleted not in s, "the line to be cut")
    tmux.keys(kept, literal=True)
    tmux.wait(lambda s: kept in s, "the second line")
    tmux.keys("C-s")
    tmux.wait(lambda s: "Wrote" in s and kept in s, "the second save")
    tmux.keys("C-x")


LEAKY_NANORC = "set historylog\nset backup\nset backupdir \"~/nanobackup\"\n"


def test_real_nano_leaves_no_deleted_line_anywhere(jane, tmp_path):
    _need("tmux", "nano")
    found = _run_editor(jane, tmp_path, "nano", {".nanorc": LEAKY_NANORC}, drive_nano)
    assert found["rc"] == 0, found["stderr"]
    assert found["deleted_found"] == [] and found["kept_found"] == []
    assert notes_of(jane)[-1].strip() == found["kept"]


def test_the_scan_finds_what_nano_keeps_without_the_flags(jane, tmp_path):
    _need("tmux", "nano")
    found = _run_editor(jane, tmp_path, _wrapper(tmp_path, "nano"), {".nanorc": LEAKY_NANORC},
                        drive_nano)
    assert found["rc"] == 0, found["stderr"]
    assert found["deleted_found"], "nano without flags kept nothing: the scan proves nothing"


def drive_emacs(tmux: Tmux, deleted: str, kept: str) -> None:
    """Type a line, save, kill it (C-a C-k C-k), type another, save, exit."""
    tmux.wait(lambda s: "note.md" in s, "emacs")
    tmux.keys(deleted, literal=True)
    tmux.wait(lambda s: deleted in s, "the typed line")
    tmux.keys("C-x", "C-s")
    tmux.wait(lambda s: "Wrote" in s, "the first save")
    tmux.keys("C-a", "C-k", "C-k")
    tmux.wait(lambda s: deleted not in s, "the line to be killed")
    tmux.keys(kept, literal=True)
    tmux.wait(lambda s: kept in s, "the second line")
    tmux.keys("C-x", "C-s")
    tmux.wait(lambda s: "Wrote" in s and kept in s, "the second save")
    tmux.keys("C-x", "C-c")


# An init file that keeps the kill ring (the killed line) in a history file,
# auto-saves at once and puts backups in $HOME.
LEAKY_INIT_EL = """\
(setq backup-directory-alist '(("." . "~/emacs-backups")) version-control t
      auto-save-interval 1 auto-save-timeout 1
      savehist-file "~/emacs-history" savehist-additional-variables '(kill-ring))
(savehist-mode 1)
"""


def test_real_emacs_leaves_no_deleted_line_anywhere(jane, tmp_path):
    _need("tmux", "emacs")
    found = _run_editor(jane, tmp_path, "emacs -nw", {".emacs.d/init.el": LEAKY_INIT_EL},
                        drive_emacs)
    assert found["rc"] == 0, found["stderr"]
    assert found["deleted_found"] == [] and found["kept_found"] == []
    assert notes_of(jane)[-1].strip() == found["kept"]


def test_the_scan_finds_what_emacs_keeps_without_the_flags(jane, tmp_path):
    _need("tmux", "emacs")
    found = _run_editor(jane, tmp_path, _wrapper(tmp_path, "emacs") + " -nw",
                        {".emacs.d/init.el": LEAKY_INIT_EL}, drive_emacs)
    assert found["rc"] == 0, found["stderr"]
    assert found["deleted_found"], "emacs without flags kept nothing: the scan proves nothing"


def drive_micro(tmux: Tmux, deleted: str, kept: str) -> None:
    """Type a line, save, find it (^F), cut it (^K), type another, save, quit."""
    tmux.wait(lambda s: "note.md" in s, "micro")
    tmux.keys(deleted, literal=True)
    tmux.wait(lambda s: deleted in s, "the typed line")
    tmux.keys("C-s")
    tmux.wait(lambda s: "Saved" in s, "the first save")
    tmux.keys("C-f")
    tmux.wait(lambda s: "Find" in s, "the find prompt")
    tmux.keys(deleted, literal=True)
    tmux.keys("Enter")
    tmux.keys("C-k")
    tmux.wait(lambda s: deleted not in s, "the line to be cut")
    tmux.keys(kept, literal=True)
    tmux.wait(lambda s: kept in s, "the second line")
    tmux.keys("C-s")
    tmux.keys("C-q")


def test_real_micro_leaves_no_deleted_line_anywhere(jane, tmp_path):
    _need("tmux", "micro")
    found = _run_editor(jane, tmp_path, "micro", {}, drive_micro)
    assert found["rc"] == 0, found["stderr"]
    assert found["deleted_found"] == [] and found["kept_found"] == []
    assert notes_of(jane)[-1].strip() == found["kept"]


def test_the_scan_finds_what_micro_keeps_without_the_flags(jane, tmp_path):
    _need("tmux", "micro")
    found = _run_editor(jane, tmp_path, _wrapper(tmp_path, "micro"), {}, drive_micro)
    assert found["rc"] == 0, found["stderr"]
    assert found["deleted_found"], "micro without flags kept nothing: the scan proves nothing"
