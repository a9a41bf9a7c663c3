"""Free text given in a file instead of on the command line
(`redact --text-file`, `search --query-file`, `hold --reason-file`): what
is typed as an argument lands in shell history and in `ps` for every user
to see; a file, a pipe or stdin (`-`) does not.

The text is never repeated in an error. A FIFO or `<(command)` that gives
nothing for a while times out instead of hanging a cron job.
"""

from __future__ import annotations

import os
import select
import stat
import sys
import time

from ..errors import UsageError, VaultError

MAX_BYTES = 1024 * 1024
TIMEOUT_S = 30


def read_text(path: str, option: str) -> str:
    """The file's text (`-` is stdin): strict UTF-8, one trailing newline
    dropped, at most 1 MiB."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        data = _read_file(path, option)
    if len(data) > MAX_BYTES:
        raise UsageError(f"the file given to {option} is larger than 1 MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UsageError(f"the file given to {option} is not valid UTF-8 (bad byte at "
                         f"offset {e.start})") from None
    text = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
    if not text.strip():
        raise UsageError(f"the file given to {option} is empty")
    return text


def _read_file(path: str, option: str) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise VaultError(f"cannot read the file given to {option}: "
                         f"{(e.strerror or 'error').lower()}") from None
    try:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise UsageError(f"the file given to {option} is a folder")
        try:
            data = read_bounded(fd, MAX_BYTES, TIMEOUT_S)
        except OSError as e:
            raise VaultError(f"cannot read the file given to {option}: "
                             f"{(e.strerror or 'error').lower()}") from None
        if data is None:
            raise VaultError(f"the file given to {option} gave nothing within {TIMEOUT_S} s")
        return data
    finally:
        os.close(fd)


def read_bounded(fd: int, limit: int, timeout_s: float) -> bytes | None:
    """Up to a little more than `limit` bytes from `fd` (opened O_NONBLOCK),
    until end of file; None if it gives nothing for `timeout_s` in all: a
    FIFO with no writer, or a slow `<(command)`. OSError is the caller's."""
    data = b""
    deadline = time.monotonic() + timeout_s
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while len(data) <= limit:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            return None
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            continue
        if not chunk:
            break
        data += chunk
    return data


def one_of(value: str | None, path: str | None, option: str, file_option: str) -> str | None:
    """The text from OPTION or from FILE_OPTION, never both."""
    if value is not None and path is not None:
        raise UsageError(f"give {option} or {file_option}, not both")
    return read_text(path, file_option) if path is not None else value
