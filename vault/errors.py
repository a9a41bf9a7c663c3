"""Exit codes and the one exception tree every failure travels through.

`cli.main()` is the only place that turns a `VaultError` into an exit code.
Messages never contain client names, note text or passphrases: they may end
up in a cron job's log file.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    AUTH = 3
    NOT_FOUND = 4
    INTEGRITY = 5
    REFUSED = 6
    INTERRUPTED = 130
    PIPE_CLOSED = 141


class VaultError(Exception):
    exit_code = ExitCode.ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotInitialized(VaultError):
    """No vault at the resolved path."""


class UsageError(VaultError):
    exit_code = ExitCode.USAGE


class AuthenticationFailed(VaultError):
    """Wrong passphrase, or no way to get one."""

    exit_code = ExitCode.AUTH


class NeedsTerminal(AuthenticationFailed):
    """A prompt was needed but stdin or stderr is not a terminal."""


class NotFound(VaultError):
    exit_code = ExitCode.NOT_FOUND

    def __init__(self, message: str, hint: str | None = None,
                 suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message, hint)
        # Client names: shown by the CLI only on a terminal, never logged.
        self.suggestions = suggestions


class IntegrityError(VaultError):
    """Bad MAC, broken chain, bad signature, corrupt or foreign file."""

    exit_code = ExitCode.INTEGRITY


class Refused(VaultError):
    exit_code = ExitCode.REFUSED


class CryptoError(Exception):
    """Raised by crypto.py for every failure, saying nothing about why.

    Not a VaultError on purpose: callers must decide what it means
    (wrong passphrase while unwrapping, tampering while opening a row).
    """
