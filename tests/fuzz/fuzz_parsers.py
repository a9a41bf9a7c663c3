"""Coverage-guided fuzzing of the parsers of hostile input, with atheris
(issue 7). The same parsers as tests/reliability/test_fuzz.py, which runs in
CI; this is for longer runs by hand. Not collected by pytest, and atheris is
not a test dependency:

    python3 -m venv /tmp/fuzz && /tmp/fuzz/bin/pip install atheris -e .
    /tmp/fuzz/bin/python tests/fuzz/fuzz_parsers.py TARGET -max_total_time=600

TARGET is one of:

  agent       agent.receive() on a socket: a protocol-1 dict or ValueError
  codec       codec.unpack(): a dict or IntegrityError
  checkpoint  audit.parse_checkpoint(): a tuple or ValueError
  log         audit.from_row() and audit.verify() on rows built from the input:
              IntegrityError only, and a report that is never ok for junk
  jsonl       importing.read_jsonl(): notes, or an ImportFailed/VaultError
  jrnl        importing.read_jrnl(): the same
  backup      backup.unpack_backup(): refuses everything but a backup
  vault       the input as a vault file, through `vault view` and `vault check`
              in process: never "internal error", and a view that succeeds
              shows exactly what the template vault held

Any other exception is a finding: atheris stops and writes the input to
crash-* in the current folder (-artifact_prefix=DIR/ puts it elsewhere); run
it again with that file in place of the options to replay it. Further
libFuzzer options (-runs=, -max_len=, a corpus folder) go after TARGET.
Each run works in a scratch folder, /dev/shm/vault-fuzz-* (libFuzzer exits
without running Python's clean-up): remove it afterwards.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from vault.agent import protocol as agent
    from vault.vaultfile import audit
    from vault import codec
    from vault.commands import backup, imports as importing
    from vault.errors import IntegrityError, VaultError

SCRATCH = Path(tempfile.mkdtemp(prefix="vault-fuzz-", dir="/dev/shm"
                                if os.path.isdir("/dev/shm") else None))


def fuzz_agent(data: bytes) -> None:
    a, b = socket.socketpair()
    try:
        a.settimeout(1)
        b.sendall(data[:8192])
        b.shutdown(socket.SHUT_WR)
        try:
            message = agent.receive(a)
        except ValueError:
            return
        assert isinstance(message, dict) and message.get("v") == agent.PROTOCOL
    finally:
        a.close()
        b.close()


def fuzz_codec(data: bytes) -> None:
    try:
        assert isinstance(codec.unpack(data), dict)
    except IntegrityError:
        pass


def fuzz_checkpoint(data: bytes) -> None:
    line = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(200)
    try:
        vault_id, seq, h, fp = audit.parse_checkpoint(line)
    except ValueError:
        return
    assert len(vault_id) == 16 and seq > 0 and len(h) == 32 and len(fp) == 16


def _value(fdp: atheris.FuzzedDataProvider):
    kind = fdp.ConsumeIntInRange(0, 4)
    if kind == 0:
        return None
    if kind == 1:
        return fdp.ConsumeInt(8)
    if kind == 2:
        return fdp.ConsumeUnicodeNoSurrogates(40)
    if kind == 3:
        return fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 70))
    return fdp.ConsumeFloat()


def fuzz_log(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    rows = [tuple(_value(fdp) for _ in range(8)) for _ in range(fdp.ConsumeIntInRange(0, 5))]
    for row in rows:
        try:
            audit.from_row(row)
        except IntegrityError:
            pass
    report = audit.verify(rows, bytes(16), bytes(32))
    assert not rows or not report.ok


def _read(reader, data: bytes) -> None:
    path = SCRATCH / "input"
    path.write_bytes(data)
    try:
        notes = reader(path)
    except VaultError:
        return
    assert all(n.text.strip() and n.client for n in notes)


def fuzz_jsonl(data: bytes) -> None:
    _read(importing.read_jsonl, data)


def fuzz_jrnl(data: bytes) -> None:
    _read(lambda p: importing.read_jrnl(p, client="Fallback", tag_prefix="@c_"), data)


def fuzz_backup(data: bytes) -> None:
    src, out = SCRATCH / "backup", SCRATCH / "image"
    src.write_bytes(data)
    out.unlink(missing_ok=True)
    try:
        backup.unpack_backup(src, out)
    except VaultError:
        assert not out.exists() or out.stat().st_size == 0
        out.unlink(missing_ok=True)
        return
    # Only a container whose digest matches gets this far; its image is then
    # checked like a vault by `restore`.
    out.unlink()


class VaultTarget:
    """A template vault made once; each input replaces its file."""

    def __init__(self) -> None:
        from typer.testing import CliRunner
        import typer.main
        import typer.testing
        from vault.cli import app
        command = typer.main.get_command(app)
        typer.testing._get_command = lambda _app: command
        self.app, self.runner = app, CliRunner()
        root = SCRATCH / "vault"
        root.mkdir()
        pw = root / "pw"
        pw.write_text("correct horse battery staple 42\n")
        pw.chmod(0o600)
        self.path = root / "d" / "vault.sqlite"
        self.env = {"VAULT_PATH": str(self.path), "VAULT_PASSPHRASE_FILE": str(pw),
                    "VAULT_NO_AGENT": "1", "NO_COLOR": "1", "VAULT_PASSPHRASE_COMMAND": None,
                    "VAULT_KEYFILE": None}
        for argv in (["init", "--kdf-memory", "8", "--kdf-iterations", "1"],
                     ["add", "Alice Archer", "--new", "-m", "alice one", "--tag", "t"],
                     ["add", "Alice Archer", "-m", "alice two"]):
            assert self.invoke(argv).exit_code == 0
        self.view = self.invoke(["view", "Alice Archer", "--json"]).stdout
        self.template = self.path.read_bytes()

    def invoke(self, argv):
        return self.runner.invoke(self.app, argv, env=self.env)

    def __call__(self, data: bytes) -> None:
        for p in self.path.parent.iterdir():
            p.unlink()
        self.path.write_bytes(data)
        for argv in (["view", "Alice Archer", "--json"], ["check"]):
            result = self.invoke(argv)
            assert "internal error" not in result.stderr, (argv, result.stderr)
            if argv[0] == "view" and result.exit_code == 0:
                assert result.stdout == self.view


TARGETS = {"agent": fuzz_agent, "codec": fuzz_codec, "checkpoint": fuzz_checkpoint,
           "log": fuzz_log, "jsonl": fuzz_jsonl, "jrnl": fuzz_jrnl, "backup": fuzz_backup}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in [*TARGETS, "vault"]:
        sys.exit(__doc__)
    name = sys.argv.pop(1)
    target = VaultTarget() if name == "vault" else TARGETS[name]
    if name == "vault" and all(a.startswith("-") for a in sys.argv[1:]):
        # No corpus or input given: start from the real file, not from nothing.
        corpus = SCRATCH / "corpus"
        corpus.mkdir()
        (corpus / "template").write_bytes(target.template)
        sys.argv.append(str(corpus))
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
