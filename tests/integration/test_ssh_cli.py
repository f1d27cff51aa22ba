"""``pqscan ssh`` and ``pqscan certs`` end to end through the click commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from pqscan.cli import cli
from pqscan.inventory import load
from pqscan.lab import pki
from pqscan.lab.ssh_server import free_port
from tests.integration.ssh_fixtures import (  # noqa: F401 - fixtures register by name
    fixture_classical_sshd,
    fixture_default_sshd,
    fixture_host_keys,
    fixture_lab_dir,
)

pytestmark = pytest.mark.integration


def test_ssh_json_output_has_endpoint_host_keys_and_errors(default_sshd):
    closed = free_port()
    result = CliRunner().invoke(cli, ["ssh", default_sshd.target, f"127.0.0.1:{closed}", "--timeout", "2",
                                      "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    kinds = [a["kind"] for a in doc["assets"]]
    assert kinds.count("ssh-endpoint") == 1 and kinds.count("host-key") == 3
    assert [e["kind"] for e in doc["errors"]] == ["refused"]


def test_ssh_resume_skips_endpoints_already_done(default_sshd, classical_sshd, tmp_path: Path):
    out = tmp_path / "fleet.jsonl"
    runner = CliRunner()
    first = runner.invoke(cli, ["ssh", default_sshd.target, "-o", str(out), "-f", "json"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(cli, ["ssh", default_sshd.target, classical_sshd.target, "-o", str(out), "--resume",
                                 "-f", "json"])
    assert second.exit_code == 0, second.output
    done = [json.loads(line)["target"] for line in out.read_text().splitlines() if '"type": "done"' in line]
    assert sorted(done) == sorted([f"ssh://{default_sshd.target}", f"ssh://{classical_sshd.target}"])


def test_ssh_table_marks_a_classical_only_server(classical_sshd):
    result = CliRunner().invoke(cli, ["ssh", classical_sshd.target])
    assert result.exit_code == 0, result.output
    assert "EXPOSED" in result.output and "curve25519-sha256" in result.output


def test_certs_writes_an_inventory_with_linked_chain(tmp_path: Path):
    root, inter, leaf = pki.rsa_chain()
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "chain.pem").write_bytes(b"".join(i.cert.public_bytes(serialization.Encoding.PEM)
                                              for i in (leaf, inter, root)))
    (tree / "leaf.key").write_bytes(leaf.key.private_bytes(serialization.Encoding.PEM,
                                                           serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))
    out = tmp_path / "inv.json"
    result = CliRunner().invoke(cli, ["certs", str(tree), "-o", str(out), "--all"])
    assert result.exit_code == 0, result.output
    inv = load(out)
    kinds = sorted(a.kind.value for a in inv.assets.values())
    assert kinds == ["certificate", "certificate", "certificate", "key-file", "key-file", "private-key"]
    assert "RSA" in result.output


def test_certs_password_file_opens_a_pkcs12(tmp_path: Path):
    from cryptography.hazmat.primitives.serialization import pkcs12

    issued = pki.ecdsa_cert()
    (tmp_path / "s.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"a", issued.key, issued.cert, None, serialization.BestAvailableEncryption(b"hunter2")))
    (tmp_path / "pw.txt").write_text("wrong\nhunter2\n")
    result = CliRunner().invoke(cli, ["certs", str(tmp_path / "s.p12"), "--password-file", str(tmp_path / "pw.txt"),
                                      "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["errors"] == []
    assert {a["kind"] for a in doc["assets"]} == {"keystore", "certificate", "private-key"}


def test_certs_bad_max_size_is_a_usage_error(tmp_path: Path):
    from pqscan.errors import UsageError

    result = CliRunner().invoke(cli, ["certs", str(tmp_path), "--max-size", "lots"])
    assert isinstance(result.exception, UsageError)  # pqscan.cli.main prints it as one line, exit 2
    assert "--max-size" in str(result.exception)
