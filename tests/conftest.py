"""Shared fixtures: a fast vault per test, and two ways to run the CLI.

`vault_env` creates the vault exactly as a user would, through `vault init`,
only with small Argon2 settings (`--kdf-memory 8 --kdf-iterations 1`), so no
hidden test switch exists in production code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vault.cli import app

# The reliability suites' evidence summary (crash-trial counts), registered
# here so that pytest-xdist's controller loads it too and prints the counts.
pytest_plugins = ["tests.reliability.evidence"]

PASSPHRASE = "correct horse battery staple 42"
FAST_KDF = ["--kdf-memory", "8", "--kdf-iterations", "1"]


@pytest.fixture(scope="session", autouse=True)
def private_state_folder(tmp_path_factory) -> object:
    """The rollback witnesses (docs/format.md, "Witness file") of this test
    process and of every child it starts go to a state folder of its own, never
    the user's. One folder per process, as on one machine: witnesses are kept
    per vault path, and every test's vault has a path of its own."""
    old = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))
    yield
    if old is None:
        os.environ.pop("XDG_STATE_HOME", None)
    else:
        os.environ["XDG_STATE_HOME"] = old


@pytest.fixture(scope="session", autouse=True)
def private_config_folder(tmp_path_factory) -> object:
    """The capture keys of `add --sealed` (docs/format.md, "Capture key") go
    to a config folder of this test process's own, never the user's: one
    folder per process, as on one machine (a key per vault id)."""
    old = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config"))
    yield
    if old is None:
        os.environ.pop("XDG_CONFIG_HOME", None)
    else:
        os.environ["XDG_CONFIG_HOME"] = old


@dataclass
class VaultEnv:
    root: Path
    path: Path
    passphrase_file: Path
    env: dict[str, str]

    def run(self, *args: str, input: str | bytes | None = None,
            env: dict[str, str | None] | None = None):
        """Invoke the CLI in-process; stdout and stderr stay separate."""
        merged = {**self.env, **(env or {})}
        return CliRunner().invoke(app, list(args), input=input, env=merged)

    def subprocess(self, *args: str, input: bytes | None = None,
                   env: dict[str, str | None] | None = None, timeout: float = 60):
        """Run the real entry point (`python -m vault`) in a child process."""
        full = {k: v for k, v in os.environ.items()
                if not k.startswith("VAULT_")}
        for key, value in {**self.env, **(env or {})}.items():
            if value is None:
                full.pop(key, None)
            else:
                full[key] = value
        return subprocess.run([sys.executable, "-m", "vault", *args], input=input,
                              capture_output=True, env=full, timeout=timeout,
                              stdin=None if input is not None else subprocess.DEVNULL)


def private_env(root: Path) -> VaultEnv:
    """Paths and passphrase under `root`, no vault created yet. A runtime
    folder of its own, so no agent of the user (or of another test) is found."""
    pw = root / "passphrase.txt"
    pw.write_text(PASSPHRASE + "\n")
    runtime = root / "run"
    runtime.mkdir(mode=0o700)
    path = root / "vaultdir" / "vault.sqlite"
    return VaultEnv(root=root, path=path, passphrase_file=pw, env={
        "VAULT_PATH": str(path), "VAULT_PASSPHRASE_FILE": str(pw),
        "VAULT_PASSPHRASE_COMMAND": None, "VAULT_KEYFILE": None,
        "VAULT_NEW_PASSPHRASE_FILE": None, "VAULT_NO_AGENT": None,
        "XDG_RUNTIME_DIR": str(runtime), "NO_COLOR": "1"})


def copy_vault(template: VaultEnv, venv: VaultEnv) -> VaultEnv:
    """The template's vault files into `venv`'s own folder: a fresh vault in
    milliseconds instead of an init and a dozen adds per test (for vaults
    made once per module with private_env)."""
    venv.path.parent.mkdir(mode=0o700)
    for p in (template.path, Path(f"{template.path}-wal"), Path(f"{template.path}-shm")):
        if p.exists():
            shutil.copy2(p, venv.path.parent / p.name.replace(template.path.name,
                                                               venv.path.name))
    return venv


@pytest.fixture
def blank_env(tmp_path: Path) -> VaultEnv:
    """Paths and passphrase set, no vault created yet."""
    return private_env(tmp_path)


@pytest.fixture
def vault_env(blank_env: VaultEnv) -> VaultEnv:
    result = blank_env.run("init", *FAST_KDF)
    assert result.exit_code == 0, result.stderr
    return blank_env
