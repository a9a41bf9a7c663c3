"""Opening the vault for a command, and `vault unlock` / `vault lock`.

The unlock policy lives here, once: a key held by the agent (`vault unlock`)
when the command may use it and no passphrase file was named on the command
line; otherwise both factors, checked for presence before the passphrase is
asked. Every unlocked command then files the notes sealed while locked.

Nothing here prompts or prints. What needs a person (the passphrase, where a
sealed note goes) comes in as callbacks from the CLI; what needs the agent
process comes in as an `AgentLink`, so this layer never imports the agent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import paths
from ..errors import VaultError
from ..vaultfile.keyring import check_factors
from ..vaultfile.store import Store
from ..vaultfile.unlocked import UnlockedVault
from . import transaction
from .transaction import client_exists, close_matches, log_event


@dataclass(frozen=True)
class Factors:
    """Where the secrets come from. Each is called only when it is needed, so
    a command served by the agent never asks for a passphrase."""
    passphrase: Callable[[], bytes]
    keyfile: Callable[[], bytes | None]
    # False when the command line named a passphrase file, and for commands
    # that must prove the passphrase (passwd).
    agent_ok: bool = True


@dataclass(frozen=True)
class AgentLink:
    """The agent process of this vault, as the CLI reaches it."""
    key: Callable[[], bytes | None]
    lock: Callable[[], None]
    start: Callable[[bytes, int], None]
    status: Callable[[], str | None]
    # In the agent's worker, the state the agent verified after the last
    # command (vaultfile.state.Verified); None elsewhere.
    verified: Callable[[], Any] = lambda: None
    # In the agent's worker, where each committed command's state goes back
    # to the agent (UnlockedVault.committed); nothing elsewhere.
    handback: Callable[[Any, frozenset[int], bool], None] = lambda *_: None
    untrusted: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class Prompts:
    """What the CLI is told, and on a terminal asked, while a vault opens."""
    loose: Callable[[Path], None]                        # a vault file others can read
    filed: Callable[[int], None]                         # sealed notes filed at this unlock
    # A sealed note's name and the clients' names close to it (logged as
    # `suggest` when there are any) -> a client, or "" to leave it waiting.
    ask_client: Callable[[str, tuple[str, ...]], str] | None = None
    confirm_create: Callable[[str], bool] | None = None  # no such client: create it?
    busy: Callable[[], None] | None = None               # waiting for another process
    upgraded: Callable[[int, int], None] | None = None   # the file's format, from -> to


@dataclass
class Unlocked:
    """One command's unlocked vault, and what it reports besides its result.
    Made by the caller, so that the counts are there even if unlocking or
    filing fails half-way."""
    session: UnlockedVault | None = None
    inbox_waiting: int = 0

    @property
    def failed_attempts(self) -> int:
        return 0 if self.session is None else self.session.failed_attempts


def accept_rollback(on: bool) -> None:
    """`--accept-rollback`, for this run: a command that finds the vault older
    than this machine's witness re-pins the witness (and logs that) instead
    of failing. The CLI sets it and clears it when the run ends."""
    transaction.accept_rollback(on)


def open_store(path: Path, read_only: bool = False, prompts: Prompts | None = None) -> Store:
    store = Store.open(path, read_only=read_only)
    if prompts is not None:
        store.on_busy = prompts.busy
        if store.upgraded_from is not None and prompts.upgraded is not None:
            prompts.upgraded(store.upgraded_from, store.version)
    loose = paths.loose_modes(path)
    if loose and prompts is not None:
        prompts.loose(loose[0])
    return store


@contextlib.contextmanager
def opened(path: Path, read_only: bool = False,
           prompts: Prompts | None = None) -> Iterator[Store]:
    store = open_store(path, read_only, prompts)
    try:
        yield store
    finally:
        store.close()


def unlock(store: Store, factors: Factors, agent: AgentLink | None = None) -> UnlockedVault:
    """The policy above, on an open store."""
    if factors.agent_ok and agent is not None:
        kek = agent.key()
        if kek is not None:
            session = UnlockedVault.from_agent(store, kek)
            if session is not None:
                session.trust(agent.verified(), agent.handback)
                return session
            agent.lock()  # it holds a key that no longer opens this vault
    if agent is not None:
        agent.untrusted()   # in the agent's worker: what this session writes is not carried
    secret_file = factors.keyfile()
    check_factors(store.header(), secret_file)
    return UnlockedVault.unlock(store, factors.passphrase(), secret_file)


@contextlib.contextmanager
def unlocked(path: Path, factors: Factors, agent: AgentLink | None = None,
             prompts: Prompts | None = None,
             report: Unlocked | None = None) -> Iterator[UnlockedVault]:
    """An unlocked vault for one command, its sealed notes filed first."""
    report = Unlocked() if report is None else report
    with opened(path, prompts=prompts) as store:
        session = report.session = unlock(store, factors, agent)
        _file_inbox(session, prompts)
        report.inbox_waiting = session.inbox_waiting
        yield session


def _file_inbox(session: UnlockedVault, prompts: Prompts | None) -> None:
    """File the notes sealed while locked; with prompts, ask where the ones
    that name no client go; the rest wait in `vault inbox`."""
    from . import inbox
    inbox.file_pending(session)
    if prompts is not None and session.inbox_filed:
        prompts.filed(session.inbox_filed)
    if session.inbox_waiting and prompts is not None and prompts.ask_client is not None \
            and prompts.confirm_create is not None:
        for w in inbox.waiting(session):
            if w.item is None:
                continue
            close = tuple(c.name for c in close_matches(session, w.item.client))
            answer = prompts.ask_client(w.item.client, close)
            if not answer:
                continue
            exists = client_exists(session, answer)
            if exists or prompts.confirm_create(answer):
                inbox.file_item(session, w.id, answer, create=not exists)
        session.inbox_waiting = session.store.inbox_count()


# -- vault unlock, vault lock ----------------------------------------------------

def start_agent(path: Path, factors: Factors, agent: AgentLink, timeout_s: int,
                prompts: Prompts | None = None, report: Unlocked | None = None) -> None:
    """`vault unlock`: always the passphrase (a fresh unlock never reuses an
    old agent), then an agent holding the key, then the `unlock` entry. If
    the entry cannot be written, the agent is locked again (fail closed)."""
    agent.lock()
    with unlocked(path, Factors(factors.passphrase, factors.keyfile, agent_ok=False),
                  None, prompts, report) as session:
        agent.start(session.kek, timeout_s)
        try:
            log_event(session, "unlock", {"timeout_s": timeout_s})
        except BaseException:
            agent.lock()
            raise


def lock(path: Path, agent: AgentLink) -> tuple[bool, VaultError | None]:
    """`vault lock`: (whether an agent was running, the error that kept the
    `lock` entry out of the log). The agent is locked whatever happens to the
    entry: a lock that fails to log must not leave the key in memory."""
    if agent.status() is None:
        return False, None
    unlogged: VaultError | None = None
    try:
        if path.exists():
            unlogged = _log_lock(path, agent)
    finally:
        agent.lock()
    return True, unlogged


def _log_lock(path: Path, agent: AgentLink) -> VaultError | None:
    """Log `lock` through the agent's own key (never a prompt: it may have
    timed out meanwhile, and then there is nothing to log)."""
    try:
        with opened(path) as store:
            kek = agent.key()
            session = None if kek is None else UnlockedVault.from_agent(store, kek)
            if session is not None:
                log_event(session, "lock", {})
    except VaultError as e:
        return e
    return None
