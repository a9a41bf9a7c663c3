"""The thin client every `vault` command starts with (vault/entry.py), as
chg is to hg: when an agent runs for the vault the command names, it hands
it the whole command (argv, working folder, environment, and stdin, stdout
and stderr as descriptors), forwards signals to the worker the agent forks,
and returns the worker's exit code. None means "run it in-process": no
agent, VAULT_NO_AGENT, an agent of another protocol version, a locked one,
or one that went away before the command started.

It imports only what Python loaded at start (os, sys) and C modules
(`_socket`, `_json`, `_signal`, `_blake2`): `json`, `socket`, `pathlib`,
`signal` and `enum` would cost every command about 20 ms, as much as
starting Python. So it speaks protocol.py's wire format itself (`_dump`
writes what `json.dumps(..., separators=(",", ":"))` writes; replies go
through the scanner `json.loads` uses) and finds the vault and socket as
paths.resolve and protocol.socket_path do, for paths already spelled as
pathlib spells them; any other spelling (`~`, `.`, `//`, a trailing slash,
another platform, no $XDG_RUNTIME_DIR) asks those modules. Each is checked
against its original in tests/unit/test_thin_client.py.
"""

from __future__ import annotations

import os
import sys

import _signal
import _socket
from _json import encode_basestring_ascii as _quote
from _json import make_scanner as _make_scanner

try:   # hashlib's BLAKE2b itself, without hashlib loading OpenSSL
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover - another Python
    from hashlib import blake2b as _blake2b

PROTOCOL = 2
MAX_MESSAGE = 4096
MAX_RUN = 1024 * 1024     # argv may carry a note (-m TEXT); env is a few KiB
TIMEOUT_S, ANSWER_TIMEOUT_S = 2.0, 60.0   # to connect; for an answer to `run` (_start)
# Never run by the agent: `unlock` starts one, `passwd` and `restore` must
# prove both factors and change what its key opens, `init` has none to ask.
IN_PROCESS = frozenset({"unlock", "passwd", "restore", "init"})
FORWARDED = (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP, _signal.SIGWINCH)
FILE_NAME = "vault.sqlite"   # paths.FILE_NAME
_FD_BYTES = 4                 # a C int, as SCM_RIGHTS carries descriptors


class Said(Exception):
    """For the user: the command was handed over, and its fate is unknown."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def command_and_vault(argv: list[str]) -> tuple[str | None, str | None]:
    """The command word and the last `--vault` value, as the CLI reads them
    (global options may come before or after the command)."""
    command = vault = None
    it = iter(argv)
    for a in it:
        if a == "--vault":
            vault = next(it, None)
        elif a.startswith("--vault="):
            vault = a[len("--vault="):]
        elif command is None and not a.startswith("-"):
            command = a
    return command, vault


# -- where: the vault's path and its agent's socket ---------------------------------

def _plain(path: str) -> bool:
    """True if pathlib spells `path` as it is: no `~` to expand, no empty
    or `.` part, no trailing slash."""
    if not path or path.startswith("~") or "//" in path:
        return False
    if path != "/" and path.endswith("/"):
        return False
    return "." not in path.split("/")


def _absolute(path: str) -> str:
    """str(Path(path).absolute()) for a plain path."""
    if path.startswith("/"):
        return path
    cwd = os.getcwd()
    return ("" if cwd == "/" else cwd) + "/" + path


def locate(option: str | None) -> tuple[str, str] | None:
    """(the vault's absolute path, its agent's socket path) as
    str(paths.resolve(option).absolute()) and str(protocol.socket_path(...,
    create=False)) give them; None where those raise (a folder given as the
    vault, a runtime folder that is not private): the CLI then decides, in
    this process."""
    if option:
        raw = option
    elif os.environ.get("VAULT_PATH"):
        raw = os.environ["VAULT_PATH"]
    elif sys.platform.startswith("linux"):
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = xdg if os.path.isabs(xdg) else os.path.expanduser("~/.local/share")
        raw = base + "/client-vault/" + FILE_NAME
    else:
        return _locate_slowly(option)
    base = os.environ.get("XDG_RUNTIME_DIR")
    if not _plain(raw) or not base or not _plain(base) or base == "/":
        return _locate_slowly(option)
    vault = _absolute(raw)
    if os.path.isdir(vault):
        return None   # the CLI says why
    if not os.path.isdir(base):
        return _locate_slowly(option)   # the temp folder, as protocol.runtime_dir
    folder = base + "/client-vault"
    try:
        st = os.lstat(folder)
    except OSError:
        return None
    if (st.st_mode & 0o170000) != 0o040000 or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    digest = _blake2b(os.fsencode(vault), digest_size=12).hexdigest()
    return vault, f"{folder}/agent-{digest}.sock"


def _locate_slowly(option: str | None) -> tuple[str, str] | None:
    """The same, by the modules the CLI uses."""
    from .. import paths
    from ..errors import VaultError
    from .protocol import socket_path
    try:
        vault = paths.resolve(option)
        return str(vault.absolute()), str(socket_path(vault, create=False))
    except VaultError:
        return None


# -- the wire (agent/protocol.py has the agent's side) -------------------------------

def _dump(value: object) -> str:
    """JSON, exactly as json.dumps(value, separators=(",", ":")) writes it,
    for what a request holds: dicts with str keys, lists, str, int, bool, None."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is str:
        return _quote(value)
    if kind is int:
        return int.__repr__(value)
    if kind is list or kind is tuple:
        return "[" + ",".join([_dump(v) for v in value]) + "]"   # type: ignore[attr-defined]
    if kind is dict:
        parts = []
        for k, v in value.items():   # type: ignore[attr-defined]
            if type(k) is not str:
                raise TypeError("keys are strings")
            parts.append(_quote(k) + ":" + _dump(v))
        return "{" + ",".join(parts) + "}"
    raise TypeError(f"{kind.__name__} is not sent")


def encode(message: dict, limit: int = MAX_MESSAGE) -> bytes:
    data = _dump(message).encode("utf-8")
    if len(data) > limit:
        raise ValueError("message too large")
    return len(data).to_bytes(4, "big") + data


class _Context:
    """What the C scanner of `json.loads` reads from its decoder."""
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int

    @staticmethod
    def parse_constant(name: str) -> object:
        raise ValueError(f"{name} is not sent")


_scan = _make_scanner(_Context())


def parse(data: bytes) -> dict:
    """One reply; ValueError if malformed or of another protocol version."""
    try:
        text = data.decode("utf-8")
        message, end = _scan(text, 0)
    except (UnicodeDecodeError, ValueError, StopIteration, RecursionError):
        raise ValueError("not JSON") from None
    if text[end:].strip(" \t\n\r"):
        raise ValueError("not JSON")
    # `type(...) is int`: JSON true would otherwise equal 1
    if type(message) is not dict or type(message.get("v")) is not int \
            or message["v"] != PROTOCOL:
        raise ValueError("unknown protocol version")
    return message


def _exactly(sock: _socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ValueError("short message")
        data += chunk
    return data


def receive(sock: _socket.socket) -> dict:
    length = int.from_bytes(_exactly(sock, 4), "big")
    if not 0 < length <= MAX_MESSAGE:
        raise ValueError("bad length")
    return parse(_exactly(sock, length))


def send(sock: _socket.socket, message: dict, fds: list[int], limit: int) -> None:
    data = encode(message, limit)
    rights = b"".join(fd.to_bytes(_FD_BYTES, sys.byteorder, signed=True) for fd in fds)
    sent = sock.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, rights)])
    if sent < len(data):
        sock.sendall(data[sent:])


def connect(path: str) -> _socket.socket | None:
    """A connection to the agent at `path`, None if none answers; a long
    path through /proc/self/fd/N of its folder, as protocol.address."""
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT_S)
    folder = None
    try:
        if len(os.fsencode(path)) < 100:
            sock.connect(path)
        else:
            head, _, name = path.rpartition("/")
            folder = os.open(head or "/", os.O_RDONLY | os.O_DIRECTORY)
            sock.connect(f"/proc/self/fd/{folder}/{name}")
    except OSError:
        sock.close()
        return None   # a stale socket: its agent is gone
    finally:
        if folder is not None:
            os.close(folder)
    return sock


# -- the command -------------------------------------------------------------------

def through_agent(argv: list[str]) -> int | None:
    """The command's exit code, run by the agent; None to run it here."""
    if os.environ.get("VAULT_NO_AGENT"):
        return None
    command, option = command_and_vault(argv)
    if command in IN_PROCESS:
        return None
    try:
        where = locate(option)
        for fd in (0, 1, 2):
            os.fstat(fd)   # a closed standard stream: let the CLI deal with it
    except OSError:
        return None
    if where is None or not os.path.exists(where[1]):
        return None
    vault, path = where
    forwarder = _Forwarder()
    try:
        sock = connect(path)
        if sock is None:
            return None
        try:
            try:
                forwarder.pid = _start(sock, vault, argv)
            except Said as e:
                forwarder.pending.clear()
                _say(e)
                return 1
            if forwarder.pid is None:
                return None
            return _wait(sock, forwarder)
        finally:
            sock.close()
    finally:
        forwarder.close()


def _say(e: Said) -> None:
    _error(f"vault: error: {e.message}\n" + (f"vault: hint: {e.hint}\n" if e.hint else ""))


def _error(text: str) -> None:
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _kill(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except OSError:
        pass


class _Forwarder:
    """Installed before the agent is asked, so that no signal falls between
    two stools: one that comes before the worker's pid is known waits for
    it; if the command then runs here after all, it is raised here."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.pending: list[int] = []
        self.done = False
        self.previous = {sig: _signal.signal(sig, self) for sig in FORWARDED}

    def __call__(self, signum: int, frame: object) -> None:
        if self.done:
            return
        if self.pid is None:
            self.pending.append(signum)
        else:
            _kill(self.pid, signum)

    def started(self) -> None:
        for signum in self.pending:
            _kill(self.pid, signum)   # type: ignore[arg-type]
        self.pending = []

    def close(self) -> None:
        self.done = True
        for sig, handler in self.previous.items():
            _signal.signal(sig, handler)
        if self.pid is None:   # runs in-process: the signals are its own
            for signum in self.pending:
                if signum == _signal.SIGINT:
                    raise KeyboardInterrupt
                if signum != _signal.SIGWINCH:
                    os.kill(os.getpid(), signum)


def _start(sock: _socket.socket, vault: str, argv: list[str]) -> int | None:
    streams = [[s.encoding, s.errors, bool(s.line_buffering)] if s is not None else None
               for s in (sys.stdin, sys.stdout, sys.stderr)]
    try:
        size = list(os.get_terminal_size(2))
    except OSError:
        size = None
    try:
        cwd = os.getcwd()
    except OSError:
        return None   # a folder deleted under us: the CLI says so, in-process
    request = {"v": PROTOCOL, "op": "run", "vault": vault, "argv": argv, "cwd": cwd,
               "env": dict(os.environ), "size": size, "streams": streams}
    fds = [0, 1, 2]
    try:   # prompts on /dev/tty while stdin is a pipe (`echo TEXT | vault add`)
        fds.append(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC))
    except OSError:
        pass
    try:
        send(sock, request, fds, MAX_RUN)
    except (OSError, ValueError, TypeError):
        return None   # gone, or too large: a partial request is refused, never run
    finally:
        for fd in fds[3:]:
            os.close(fd)
    # Sent: from now on the agent may start it. Falling back to running it
    # here after a mere timeout could run it twice, so only an answer (or the
    # agent's end of the connection closing) decides; a busy agent is waited for.
    sock.settimeout(ANSWER_TIMEOUT_S)
    try:
        reply = receive(sock)
    except TimeoutError:
        raise Said("the agent did not answer in time; the command may still run "
                   "there", hint="see `vault status`, or `vault lock` to stop it") from None
    except (OSError, ValueError):
        return None   # gone before it started, or another protocol version
    pid = reply.get("pid")
    if reply.get("ok") is not True or type(pid) is not int or pid <= 1:
        return None   # locked, another vault: the CLI asks for the passphrase
    return pid


def _wait(sock: _socket.socket, forwarder: _Forwarder) -> int:
    """Forward signals to the worker until its exit code arrives."""
    forwarder.started()
    sock.settimeout(None)
    while True:
        try:
            message = receive(sock)
        except (OSError, ValueError):
            break
        if type(message.get("exit")) is int:
            return message["exit"]
    _error("vault: error: the agent went away before the command ended\n")
    return 1
