"""A certificate whose subject and SAN carry terminal escapes, bidi overrides and markup, rendered in
every output format: no raw control character from the target reaches the output, markup shows as text."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pqscan.cli import cli

pytestmark = pytest.mark.integration

# Clear screen, retitle the window (OSC ... BEL), carriage return, C1 CSI, a bidi override, newlines,
# plus rich markup, HTML, Markdown link syntax, pipes, backticks and a GitHub workflow command.
HOSTILE_CN = "<script>x</script> [bold red]RED[/] \x1b[2J\x1b]0;pwn\x07"
HOSTILE_O = "line1\nline2\r|pipe| `tick` [a](javascript:x)"
HOSTILE_OU = "\u202eevil\u202c \x9b31m ::warning::x"
HOSTILE_DNS = "a\x1b[31m.example"
RAW_CONTROLS = ("\x1b", "\x07", "\r", "\x9b", "\u202e")


@pytest.fixture(scope="module")
def hostile_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOSTILE_CN, _validate=False),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, HOSTILE_O),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, HOSTILE_OU)])
    start = datetime.datetime(2025, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOSTILE_DNS)]), critical=False)
            .sign(key, hashes.SHA256()))
    root = tmp_path_factory.mktemp("hostile-cert")
    (root / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return root


@pytest.fixture(scope="module")
def inventory(hostile_tree: Path) -> Path:
    out = hostile_tree.parent / "hostile-inventory.json"
    result = CliRunner().invoke(cli, ["certs", str(hostile_tree), "-f", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _assert_no_raw_controls(text: str) -> None:
    found = [repr(c) for c in RAW_CONTROLS if c in text]
    assert not found, f"raw control characters from the certificate in the output: {found}"


def test_certificate_subject_is_stored_with_rfc4514_hex_escapes(inventory: Path):
    import json

    (cert,) = [a for a in json.loads(inventory.read_text())["assets"] if a["kind"] == "certificate"]
    assert "\\1B[2J" in cert["attributes"]["subject"] and "\\E2\\80\\AE" in cert["attributes"]["subject"]
    assert cert["attributes"]["sans"] == ["DNS:a\\x1b[31m.example"]
    assert cert["name"] == "<script>x</script> [bold red]RED[/] \\x1b[2J\\x1b]0;pwn\\x07"


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_certs_command_output_has_no_raw_control_characters(hostile_tree: Path, fmt: str):
    result = CliRunner().invoke(cli, ["certs", str(hostile_tree), "-f", fmt])
    assert result.exit_code == 0, result.output
    _assert_no_raw_controls(result.output)


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "json", "sarif", "cbom"])
def test_every_report_format_shows_the_hostile_subject_without_raw_control_characters(inventory: Path, fmt: str):
    result = CliRunner().invoke(cli, ["report", str(inventory), "-f", fmt])
    assert result.exit_code == 0, result.output
    _assert_no_raw_controls(result.output)


def test_table_report_shows_rich_markup_from_the_subject_as_text(inventory: Path):
    result = CliRunner().invoke(cli, ["report", str(inventory), "-f", "table"])
    assert "[bold red]RED[/]" in result.output


def test_certs_table_shows_an_ssh_key_with_a_hostile_curve_name_without_control_characters(tmp_path: Path):
    import base64

    from pqscan.collect.ssh.wire import string

    blob = string(b"ecdsa-sha2-nistp256") + string(b"nist\x1b[2J\x07") + string(b"\x04" + b"\x01" * 64)
    (tmp_path / "odd.pub").write_text("ecdsa-sha2-nistp256 " + base64.b64encode(blob).decode() + " c\n")
    result = CliRunner().invoke(cli, ["certs", str(tmp_path), "--all"])
    assert result.exit_code == 0, result.output
    _assert_no_raw_controls(result.output)
    assert "nist\\x1b[2J\\x07" in result.output
