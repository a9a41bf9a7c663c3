"""Where a passphrase comes from, in order of precedence:

1. `--passphrase-file PATH` given after the command name
2. `VAULT_PASSPHRASE_FILE`
3. `VAULT_PASSPHRASE_COMMAND` (its stdout, as restic does)
4. a prompt without echo on the terminal: stdin's when stdin and stderr
   are terminals, else the controlling terminal (/dev/tty), so that
   `echo TEXT | vault add NAME` still asks; with no terminal at all, exit 3

Never from a command-line argument. One trailing newline is removed from a
file or command output; nothing else is.
"""

from __future__ import annotations

import os
import stat
import subprocess

from ..errors import AuthenticationFailed
from . import argfile, ui

MAX_PASSPHRASE_BYTES = 64 * 1024
COMMAND_TIMEOUT_S = 120
FILE_TIMEOUT_S = 30
MAX_KEYFILE_BYTES = 16 * 1024 * 1024


def _strip_newline(data: bytes) -> bytes:
    if data.endswith(b"\r\n"):
        return data[:-2]
    if data.endswith(b"\n"):
        return data[:-1]
    return data


def _checked(data: bytes, source: str) -> bytes:
    data = _strip_newline(data)
    if not data:
        raise AuthenticationFailed(f"the passphrase from {source} is empty")
    if len(data) > MAX_PASSPHRASE_BYTES:
        raise AuthenticationFailed(f"the passphrase from {source} is too long")
    return data


def _from_file(path: str, source: str) -> bytes:
    """Read a passphrase file without ever blocking for long: a FIFO with no
    writer (or a slow `<(command)`) times out instead of hanging a cron job."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise AuthenticationFailed(f"cannot read the passphrase file given by {source}: "
                                   f"{e.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise AuthenticationFailed(f"the passphrase file given by {source} is a folder")
        if info.st_mode & 0o077 and stat.S_ISREG(info.st_mode):
            ui.warn(f"the passphrase file given by {source} can be read by other "
                    "users; run `chmod 600` on it")
        return _checked(_read_bounded(fd, source), source)
    finally:
        os.close(fd)


def _read_bounded(fd: int, source: str) -> bytes:
    try:
        data = argfile.read_bounded(fd, MAX_PASSPHRASE_BYTES + 2, FILE_TIMEOUT_S)
    except OSError as e:
        raise AuthenticationFailed(f"cannot read the passphrase file given by {source}: "
                                   f"{e.strerror}") from None
    if data is None:
        raise AuthenticationFailed(f"the passphrase file given by {source} gave no "
                                   f"passphrase within {FILE_TIMEOUT_S} s")
    return data


def _from_command(command: str) -> bytes:
    try:
        # The command gets no passphrase in its arguments or environment:
        # it produces one. stdin is closed so it cannot hang waiting for input.
        done = subprocess.run(command, shell=True, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, timeout=COMMAND_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise AuthenticationFailed("VAULT_PASSPHRASE_COMMAND did not finish in "
                                   f"{COMMAND_TIMEOUT_S} s") from None
    except OSError as e:
        raise AuthenticationFailed(f"cannot run VAULT_PASSPHRASE_COMMAND: {e.strerror}") from None
    if done.returncode != 0:
        raise AuthenticationFailed(f"VAULT_PASSPHRASE_COMMAND failed with exit code "
                                   f"{done.returncode}")
    return _checked(done.stdout, "VAULT_PASSPHRASE_COMMAND")


def configured(option: str | None) -> bool:
    """Whether a non-interactive source is set up."""
    return bool(option is not None or os.environ.get("VAULT_PASSPHRASE_FILE")
                or os.environ.get("VAULT_PASSPHRASE_COMMAND"))


def get(option: str | None, prompt: str = "Passphrase: ") -> bytes:
    if option is not None:
        return _from_file(option, "--passphrase-file")
    if os.environ.get("VAULT_PASSPHRASE_FILE"):
        return _from_file(os.environ["VAULT_PASSPHRASE_FILE"], "VAULT_PASSPHRASE_FILE")
    if os.environ.get("VAULT_PASSPHRASE_COMMAND"):
        return _from_command(os.environ["VAULT_PASSPHRASE_COMMAND"])
    return _typed(prompt)


def _typed(prompt: str) -> bytes:
    passphrase = ui.prompt_passphrase(prompt)
    if not passphrase:
        raise AuthenticationFailed("the passphrase is empty")
    return passphrase


def new(option: str | None) -> bytes:
    """A new passphrase: from a source once, or typed twice on a terminal."""
    if configured(option):
        return get(option)
    first = get(None, "New passphrase: ")
    if first != get(None, "Repeat the passphrase: "):
        raise AuthenticationFailed("the two passphrases differ; nothing was created")
    return first


def replacement(option: str | None) -> bytes:
    """The new passphrase for `vault passwd`: from --new-passphrase-file or
    VAULT_NEW_PASSPHRASE_FILE, else typed twice on a terminal. Never from the
    sources of the current passphrase."""
    if option is not None:
        return _from_file(option, "--new-passphrase-file")
    if os.environ.get("VAULT_NEW_PASSPHRASE_FILE"):
        return _from_file(os.environ["VAULT_NEW_PASSPHRASE_FILE"], "VAULT_NEW_PASSPHRASE_FILE")
    if not ui.can_ask():
        from ..errors import NeedsTerminal
        raise NeedsTerminal("a new passphrase is needed and there is no terminal to ask on",
                            hint="give it with --new-passphrase-file PATH or "
                                 "VAULT_NEW_PASSPHRASE_FILE")
    # Typed, never get(None): that would read VAULT_PASSPHRASE_FILE, the
    # current passphrase's source, and "change" it to itself.
    first = _typed("New passphrase: ")
    if first != _typed("Repeat the new passphrase: "):
        raise AuthenticationFailed("the two passphrases differ; nothing was changed")
    return first


def keyfile(option: str | None) -> bytes | None:
    """The key file's bytes from --keyfile or VAULT_KEYFILE, or None. Any
    file will do; its whole content counts."""
    path = option if option is not None else os.environ.get("VAULT_KEYFILE") or None
    if path is None:
        return None
    source = "--keyfile" if option is not None else "VAULT_KEYFILE"
    try:
        # Never blocking for long, as for a passphrase file: a FIFO with no
        # writer times out (exit 3) instead of hanging.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise AuthenticationFailed(f"the key file given by {source} is a folder")
            if stat.S_ISREG(info.st_mode):
                with os.fdopen(fd, "rb", closefd=False) as f:
                    data = f.read(MAX_KEYFILE_BYTES + 1)
            else:
                data = argfile.read_bounded(fd, MAX_KEYFILE_BYTES, FILE_TIMEOUT_S)
        finally:
            os.close(fd)
    except OSError as e:
        raise AuthenticationFailed(f"cannot read the key file given by {source}: "
                                   f"{(e.strerror or 'error').lower()}") from None
    if data is None:
        raise AuthenticationFailed(f"the key file given by {source} gave nothing within "
                                   f"{FILE_TIMEOUT_S} s")
    if not data:
        raise AuthenticationFailed(f"the key file given by {source} is empty")
    if len(data) > MAX_KEYFILE_BYTES:
        raise AuthenticationFailed(f"the key file given by {source} is larger than "
                                   f"{MAX_KEYFILE_BYTES // (1024 * 1024)} MiB")
    return data


def weakness(passphrase: bytes) -> str | None:
    """A reason to warn about a passphrase, or None. A nudge, not a rule."""
    text = passphrase.decode("utf-8", "replace")
    if len(text) < 12:
        return "the passphrase is shorter than 12 characters"
    if len(set(text)) < 6:
        return "the passphrase repeats a few characters"
    return None
