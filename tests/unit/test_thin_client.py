"""The thin client (vault/agent/thin.py) does with C modules what the agent's
side does with json, socket and pathlib: each of its shortcuts must give
exactly what the original gives, or the agent would refuse (or misroute)
every command."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault import paths
from vault.agent import protocol, thin
from vault.errors import VaultError

# -- the wire ---------------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=()), max_size=30)   # surrogates too
SCALARS = st.none() | st.booleans() | st.integers(-2**70, 2**70) | TEXT
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(TEXT, inner, max_size=4), max_leaves=20)


@given(st.dictionaries(TEXT, VALUES, max_size=6))
def test_a_request_is_encoded_as_json_dumps_encodes_it(message):
    assert thin._dump(message) == json.dumps(message, separators=(",", ":"))


def test_a_run_request_is_read_by_the_agent_as_it_was_written():
    request = {"v": 2, "op": "run", "vault": "/v/vault.sqlite",
               "argv": ["add", "Jane \udcff Doe", "-m", "é\n\x1b[31m"], "cwd": "/",
               "env": {"A": "1"}, "size": None, "streams": [["utf-8", "strict", True], None, None]}
    data = thin.encode(request, thin.MAX_RUN)
    assert int.from_bytes(data[:4], "big") == len(data) - 4
    assert json.loads(data[4:].decode("utf-8")) == request


def test_what_is_not_json_data_is_not_sent():
    with pytest.raises(TypeError):
        thin._dump({"v": 2, "x": 1.5})
    with pytest.raises(TypeError):
        thin._dump({1: "a"})
    with pytest.raises(ValueError):
        thin.encode({"v": 2, "argv": ["x" * 5000]})


@given(st.dictionaries(TEXT, VALUES, max_size=6), st.integers(0, 3))
def test_a_reply_is_read_as_json_loads_reads_it(message, version):
    message["v"] = version
    data = json.dumps(message, separators=(",", ":")).encode("utf-8")
    if version == thin.PROTOCOL:
        assert thin.parse(data) == json.loads(data)
    else:
        with pytest.raises(ValueError):
            thin.parse(data)


@given(st.binary(max_size=200) | st.text(max_size=100).map(str.encode))
def test_any_bytes_give_a_message_or_value_error(data):
    try:
        message = thin.parse(data)
    except ValueError:
        return
    assert message == json.loads(data) and message["v"] == thin.PROTOCOL


@pytest.mark.parametrize("data", [b'{"v":2}  x', b'{"v":2,"a":NaN}', b'[2]', b'{"v":true}',
                                  b'{"v":2.0}', b"\xff", b'{"v":2', b"[" * 100000])
def test_malformed_replies_are_refused(data):
    with pytest.raises(ValueError):
        thin.parse(data)


def test_the_protocol_constants_are_the_agents():
    assert (thin.PROTOCOL, thin.MAX_MESSAGE, thin.MAX_RUN) == \
        (protocol.PROTOCOL, protocol.MAX_MESSAGE, protocol.MAX_RUN)
    assert thin.FILE_NAME == paths.FILE_NAME


# -- where ------------------------------------------------------------------------------

PARTS = st.sampled_from(["a", "b c", "..", ".", "", "~", "~x", "vault.sqlite", "é", "-"])
SPELLINGS = st.lists(PARTS, max_size=5).map("/".join) | st.sampled_from(
    ["/", "//x", "///x", "x/", "./x", "~", "~/v", "a//b/", "/a/./b"])


@pytest.fixture
def places(tmp_path, monkeypatch):
    runtime = tmp_path / "run"
    (runtime / "client-vault").mkdir(parents=True, mode=0o700)
    home = tmp_path / "home"
    (home / "a").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.chdir(home)
    return tmp_path


def _original(option):
    try:
        vault = paths.resolve(option)
        return str(vault.absolute()), str(protocol.socket_path(vault, create=False))
    except VaultError:
        return None


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=300)
@given(option=st.none() | SPELLINGS, env=st.none() | SPELLINGS, data=st.none() | SPELLINGS)
def test_the_vault_and_socket_are_found_where_the_cli_finds_them(places, monkeypatch,
                                                                 option, env, data):
    for name, value in (("VAULT_PATH", env), ("XDG_DATA_HOME", data)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert thin.locate(option) == _original(option)


@pytest.mark.parametrize("runtime", ["plain", "trailing slash", "missing", "shared", "unset"])
def test_the_runtime_folder_is_checked_as_the_agent_checks_it(places, monkeypatch, runtime):
    folder = places / "run"
    if runtime == "trailing slash":
        monkeypatch.setenv("XDG_RUNTIME_DIR", f"{folder}/")
    elif runtime == "missing":
        (folder / "client-vault").rmdir()
    elif runtime == "shared":
        os.chmod(folder / "client-vault", 0o755)
    elif runtime == "unset":
        monkeypatch.delenv("XDG_RUNTIME_DIR")
        monkeypatch.setenv("TMPDIR", str(places))
    monkeypatch.setenv("VAULT_PATH", str(places / "v.sqlite"))
    assert thin.locate(None) == _original(None)
    if runtime in ("missing", "shared"):
        assert thin.locate(None) is None


def test_a_folder_given_as_the_vault_is_left_to_the_cli(places, monkeypatch):
    assert thin.locate(str(places)) is None
    assert thin.through_agent(["--vault", str(places), "list"]) is None


# -- what it costs ---------------------------------------------------------------------

def private_runtime_env(tmp_path, **extra: str) -> dict[str, str]:
    """The environment of a child `vault`: no VAULT_ settings of the test
    run, a private (empty) runtime folder, and `extra`."""
    runtime = tmp_path / "run"
    (runtime / "client-vault").mkdir(parents=True, mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    env.update(XDG_RUNTIME_DIR=str(runtime), **extra)
    return env


def test_the_thin_client_loads_no_module_beyond_c_ones(tmp_path):
    """Each module it imported would cost every command: only what Python
    loaded at start, the C modules and vault's own three may be new."""
    code = ("import sys; before = set(sys.modules); import vault.entry; "
            "from vault.agent import thin; assert thin.through_agent(['view', 'x']) is None; "
            "print(' '.join(sorted(set(sys.modules) - before)))")
    env = private_runtime_env(tmp_path, VAULT_PATH=str(tmp_path / "vault.sqlite"))
    new = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, env=env).stdout.split())
    assert new <= {"vault", "vault.entry", "vault.agent", "vault.agent.thin", "_socket",
                   "_json", "_blake2", "_signal"}, new


@pytest.mark.parametrize("no_agent", ["1", ""])
def test_a_vault_path_under_no_home_is_a_usage_error_not_a_crash(tmp_path, no_agent):
    env = private_runtime_env(tmp_path, VAULT_NO_AGENT=no_agent)
    done = subprocess.run([sys.executable, "-m", "vault", "--vault", "~no-such-user-4242/v",
                           "list"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("vault: error: the vault path starts with ~ but names no "
                                  "home folder\n")


@pytest.mark.parametrize("script", ["vault", "client-vault"])
def test_the_installed_command_imports_only_what_the_thin_client_needs(tmp_path, script):
    """The command pip installs is bin/vault, not an entry-point wrapper,
    which imports `re` (about 5 ms of every command) before the thin client
    runs: the installed script imports `sys` and vault.entry, nothing else,
    and runs."""
    path = Path(sys.executable).parent / script
    if not path.exists():
        pytest.skip(f"{script} is not installed next to this interpreter")
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert imported == {"sys", "vault.entry"}, imported
    env = private_runtime_env(tmp_path, VAULT_PATH=str(tmp_path / "vault.sqlite"))
    done = subprocess.run([str(path), "--version"], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("vault "), done
