"""Compose a note in $VISUAL or $EDITOR without leaving it on disk.

The draft lives in a private 0700 folder in RAM (/dev/shm, else
$XDG_RUNTIME_DIR) and is overwritten with zeros and removed afterwards,
together with anything the editor left beside it (swap or backup files),
even when the editor fails. Editors vault knows are started so that they
write nothing outside the draft (as pass's vim plugin does): no history,
swap, backup, undo or auto-save files. Any other editor draws one warning.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import VaultError
from . import ui


def ram_folder() -> str | None:
    for candidate in ("/dev/shm", os.environ.get("XDG_RUNTIME_DIR")):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK):
            return candidate
    return None


def _wipe(folder: Path) -> None:
    for path in folder.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink():
                size = path.stat().st_size
                with open(path, "r+b") as f:
                    f.write(bytes(size))
                    f.flush()
                    os.fsync(f.fileno())
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


class _HungUp(VaultError):
    pass


@contextlib.contextmanager
def _wipe_on_hangup() -> Iterator[None]:
    """SIGTERM or SIGHUP (a closed terminal window) while the editor runs
    becomes an exception, so compose()'s `finally` still wipes the draft."""
    def raise_hangup(signum: int, frame: object) -> None:
        raise _HungUp(f"stopped by signal {signum}; the draft was wiped")
    previous = {sig: signal.signal(sig, raise_hangup) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# -- which editor, and how to start it --------------------------------------

# vim and nvim: no swap file (-n), no viminfo/ShaDa history, which keeps
# registers and so every deleted line (-i NONE), and no backup or undo
# file, set before and again after the user's vimrc.
_VIM_SET = "silent! set nobackup nowritebackup noswapfile noundofile {}="
_EMACS_SETQ = ("(progn (setq make-backup-files nil backup-inhibited t auto-save-default nil"
               " create-lockfiles nil auto-save-list-file-prefix nil)"
               " (when (fboundp 'savehist-mode) (savehist-mode -1)))")
_QUIET_FLAGS: dict[str, list[str]] = {
    "vim": ["-n", "-i", "NONE", "--cmd", _VIM_SET.format("viminfo"),
            "-c", _VIM_SET.format("viminfo")],
    "nvim": ["-n", "-i", "NONE", "--cmd", _VIM_SET.format("shada"),
             "-c", _VIM_SET.format("shada")],
    # After the user's init file: no foo~ backup, no #foo# auto-save, no
    # .#foo lock, no auto-save list, no saved minibuffer history.
    "emacs": ["--eval", _EMACS_SETQ],
    # No nanorc: one could turn on backups (-B) or the search history (-H).
    "nano": ["--ignorercfiles"],
    # micro keeps backups and command history in ~/.config/micro by default.
    "micro": ["-backup", "false", "-permbackup", "false", "-savehistory", "false",
              "-saveundo", "false"],
}
_FAMILIES = {"vim": "vim", "gvim": "vim", "nvim": "nvim", "emacs": "emacs", "nano": "nano",
             "micro": "micro"}


@dataclass(frozen=True)
class Editor:
    """The editor command to run with the draft's path appended."""
    argv: tuple[str, ...]
    known: bool


def _family(path: str) -> str | None:
    """The editor a command runs, by the name of the file it resolves to
    (vim.basic, vim.tiny, emacs-nox; `editor` is often nano), so that a `vi`
    that is really busybox or nvi gets no vim flags. A file named just `vi`
    (Fedora's vim-minimal, BSD's nvi) is asked for its version."""
    name = os.path.basename(os.path.realpath(path))
    stem = re.split(r"[.-]", name, maxsplit=1)[0] or name
    if stem != "vi":
        return _FAMILIES.get(stem)
    try:
        version = subprocess.run([path, "--version"], stdin=subprocess.DEVNULL,
                                 capture_output=True, timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return "vim" if version.startswith(b"VIM - Vi IMproved") else None


def find() -> Editor:
    """$VISUAL, else $EDITOR, else vi as git does (said on stderr). Called
    before the passphrase is asked, so a missing editor costs no unlock."""
    variable = "VISUAL" if os.environ.get("VISUAL") else "EDITOR"
    try:
        argv = shlex.split(os.environ.get(variable) or "")
    except ValueError:
        raise VaultError("cannot parse $VISUAL or $EDITOR (unbalanced quotes?)") from None
    if not argv:
        if shutil.which("vi") is None:
            raise VaultError("no note text and no editor: give -m TEXT, pipe the text on "
                             "stdin, or set $EDITOR", hint="e.g. export EDITOR=nano")
        ui.info("$VISUAL and $EDITOR are not set; using vi (set EDITOR to choose another)")
        argv, variable = ["vi"], ""
    path = shutil.which(argv[0])
    if path is None:
        raise VaultError(f"cannot start the editor: {argv[0]} (${variable}) is not "
                         "installed or not on PATH", hint="set $EDITOR to an installed "
                         "editor, or give -m TEXT")
    family = _family(path)
    if family is None:
        ui.warn(f"vault cannot stop {os.path.basename(argv[0])} from keeping copies of the "
                "note outside the draft (swap, backup, undo or history files); it may keep "
                "some. vim, nvim, emacs, nano and micro are started so that they keep none")
        return Editor(tuple(argv), known=False)
    wait = ["-f"] if os.path.basename(path).startswith("gvim") else []  # stay in the foreground
    return Editor((*argv, *wait, *_QUIET_FLAGS[family]), known=True)


def compose(editor: Editor | None = None) -> bytes:
    editor = editor or find()
    base = ram_folder()
    if base is None:
        ui.warn("no RAM-backed folder found; the draft is kept on disk until it is "
                "overwritten and removed")
    folder = Path(tempfile.mkdtemp(prefix="vault-draft-", dir=base))  # mode 0700
    try:
        draft = folder / "note.md"
        os.close(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            with _wipe_on_hangup():
                done = subprocess.run([*editor.argv, str(draft)], check=False)
        except OSError as e:
            raise VaultError(f"cannot start the editor: {e.strerror}") from None
        if done.returncode != 0:
            raise VaultError(f"the editor exited with code {done.returncode}; "
                             "nothing was added")
        return draft.read_bytes()
    finally:
        _wipe(folder)
