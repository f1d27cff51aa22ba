"""An SSH server whose pre-banner lines, banner and algorithm names carry terminal escapes and markup:
the ``pqscan ssh`` table and JSON, and every report format, show them as inert text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pqscan.cli import cli
from pqscan.collect.ssh import wire
from tests.integration.ssh_fixtures import canned_ssh_server

pytestmark = pytest.mark.integration

# RFC 4253 §4.2 lets a server send other lines before its identification: any bytes, any length.
PRE_BANNER = [b"Welcome \x1b[2J\x1b]0;pwned\x07 [bold red]hi[/] <script>x</script> \xe2\x80\xae\r\n",
              b"second \x9b31m line\r\n"]
# The identification line itself is printable ASCII (anything else is refused), but may hold markup.
IDENT = b"SSH-2.0-Evil[bold red]SSH_9.9 <b>`|`](javascript:x)\r\n"
KEX = ("curve25519-sha256", "[blink]evil-kex<i>")
RAW_CONTROLS = ("\x1b", "\x07", "\r", "\x9b", "\u202e")


@pytest.fixture(scope="module")
def hostile_ssh_port() -> Iterator[int]:
    payload = b"".join(PRE_BANNER) + IDENT + wire.encode_packet(
        wire.build_kexinit(KEX, ("ssh-ed25519", "[red]x"), ("aes128-ctr",), ("hmac-sha2-256",)))
    with canned_ssh_server(payload) as port:
        yield port


@pytest.fixture(scope="module")
def ssh_inventory(hostile_ssh_port: int, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile-ssh") / "ssh.json"
    result = CliRunner().invoke(cli, ["ssh", f"127.0.0.1:{hostile_ssh_port}", "--timeout", "2", "--no-host-keys",
                                      "-f", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _assert_no_raw_controls(text: str) -> None:
    found = [repr(c) for c in RAW_CONTROLS if c in text]
    assert not found, f"raw control characters from the server in the output: {found}"


def test_pre_banner_lines_are_stored_with_visible_escapes(ssh_inventory: Path):
    doc = json.loads(ssh_inventory.read_text())
    (endpoint,) = [a for a in doc["assets"] if a["kind"] == "ssh-endpoint"]
    assert endpoint["attributes"]["pre_banner_lines"][0].startswith("Welcome \\x1b[2J\\x1b]0;pwned\\x07")
    assert "\\u202e" in endpoint["attributes"]["pre_banner_lines"][0]


def test_ssh_table_shows_banner_markup_as_text_without_control_characters(hostile_ssh_port: int):
    result = CliRunner().invoke(cli, ["ssh", f"127.0.0.1:{hostile_ssh_port}", "--timeout", "2", "--no-host-keys", "--all"])
    assert result.exit_code == 0, result.output
    _assert_no_raw_controls(result.output)
    assert "Evil[bold red]SSH_9.9" in result.output and "[blink]evil-kex<i>" in result.output


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "json", "sarif", "cbom"])
def test_every_report_format_of_the_hostile_server_is_free_of_raw_control_characters(ssh_inventory: Path, fmt: str):
    result = CliRunner().invoke(cli, ["report", str(ssh_inventory), "-f", fmt])
    assert result.exit_code == 0, result.output
    _assert_no_raw_controls(result.output)
