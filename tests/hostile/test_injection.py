"""Text from targets and inventories is shown, never obeyed (issue #17 cause 9, and the injection cases).

* A hand-edited inventory with raw ESC/BEL/C1/RLO in a finding's ``unknown_reason``, locations, snippets,
  asset names and errors: no renderer writes a raw control character (c15dbd4: ``assess`` and
  ``report -f table`` printed ``unknown_reason`` raw; the HTML report's SVG titles and the graph table
  and DOT output carried them too).
* Script payloads in a real certificate's subject, a real SSH server's banner, a file name and a code
  snippet, scanned for real, rendered as HTML and opened in real Chromium: no script runs, text stays text.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.helpers import RAW_CONTROLS, SAMPLE, pqscan
from tests.integration.ssh_fixtures import canned_ssh_server

pytestmark = pytest.mark.integration

EVIL = "X\x1b]0;pwned\x07\x1b[2J\u202eRLO\x9b31m\u2066"


@pytest.fixture(scope="module")
def hand_edited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    doc = json.loads(SAMPLE.read_text())
    for f in doc["findings"]:
        f["parameters"]["unknown_reason"] = EVIL
        f["evidence"]["location"] = EVIL + f["evidence"]["location"]
        f["evidence"]["snippet"] = EVIL
    for a in doc["assets"]:
        a["name"] = EVIL + str(a.get("name"))
    doc["errors"].append({"target": EVIL, "stage": EVIL, "kind": "malformed", "message": EVIL})
    path = tmp_path_factory.mktemp("evil") / "evil.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("argv", [
    ["assess"], ["report"], ["report", "-f", "markdown"], ["report", "-f", "html"],
    ["graph"], ["graph", "-f", "dot"], ["graph", "-f", "mermaid"], ["diff", str(SAMPLE)],
    ["assess", "-f", "json"], ["report", "-f", "json"], ["report", "-f", "sarif"], ["report", "-f", "cbom"],
], ids=" ".join)
def test_no_renderer_writes_a_raw_control_character_from_a_hand_edited_inventory(hand_edited: Path,
                                                                                  argv: list[str]) -> None:
    args = [argv[0], *(argv[1:] if argv[0] != "diff" else [argv[1], str(hand_edited)]),
            *([str(hand_edited)] if argv[0] != "diff" else [])]
    proc = pqscan(*args)
    assert proc.returncode in (0, 1), proc.stderr
    shown = proc.stdout + proc.stderr
    assert not [c for c in RAW_CONTROLS if c in shown], [hex(ord(c)) for c in RAW_CONTROLS if c in shown]


def test_json_output_escapes_the_same_text_losslessly(hand_edited: Path) -> None:
    """JSON gets ``\\u202e`` / ``\\u009b`` escapes: inert on a terminal, the same string to a parser."""
    doc = json.loads(pqscan("assess", hand_edited, "-f", "json").stdout)
    assert EVIL in [e["message"] for e in doc["errors"]]  # the hostile text survives exactly


def test_the_escaped_reason_is_still_readable(hand_edited: Path) -> None:
    out = pqscan("assess", hand_edited, "-f", "table").stdout
    assert "\\x1b" in out and "\\u202e" in out  # shown as visible escapes, not dropped


# -- real payloads through real collectors into a real browser --------------------------------------

PWN = "document.body.setAttribute('data-pwned','{}')"
SUBJECT_PAYLOAD = f"<script>{PWN.format('subject')}</script>"
BANNER_PAYLOAD = f"<img src=x onerror={PWN.format('banner').replace(' ', '')}>"
PATH_PAYLOAD = f"<svg onload={PWN.format('path')}>.pem"
CODE_PAYLOAD = f"</script><script>{PWN.format('code')}</script>"


def _certificate(path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SUBJECT_PAYLOAD, _validate=False),  # > 64 chars
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, '"><b onmouseover=alert(1)>x</b>')])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(7).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (path.parent / PATH_PAYLOAD).write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


@pytest.fixture(scope="module")
def hostile_ssh_port() -> Iterator[int]:
    """A server whose identification line carries markup (printable ASCII, as RFC 4253 requires)."""
    from pqscan.collect.ssh import wire

    payload = f"SSH-2.0-Evil_1.0 {BANNER_PAYLOAD}\r\n".encode() + wire.encode_packet(
        wire.build_kexinit(("curve25519-sha256",), ("ssh-ed25519",), ("aes128-ctr",), ("hmac-sha2-256",)))
    with canned_ssh_server(payload) as port:
        yield port


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory, hostile_ssh_port: int) -> Path:
    tmp = tmp_path_factory.mktemp("inject")
    tree = tmp / "tree"
    tree.mkdir()
    _certificate(tree / "evil.pem")
    (tree / "app.py").write_text(f'import hashlib\nhashlib.md5(b"{CODE_PAYLOAD}")\n')
    files, ssh = tmp / "files.json", tmp / "ssh.json"
    assert pqscan("scan", tree, "-o", files, "-q").returncode in (0, 1)
    assert pqscan("ssh", f"127.0.0.1:{hostile_ssh_port}", "--timeout", "2", "--no-host-keys", "-o", ssh,
                  "-q").returncode == 0
    page = tmp / "report.html"
    proc = pqscan("report", files, ssh, "-f", "html", "-o", page)
    assert proc.returncode == 0, proc.stderr
    return page


def test_the_payloads_reached_the_inventory_for_real(hostile_report: Path) -> None:
    html = hostile_report.read_text()
    for payload in ("<script>document.body.setAttribute", "<img src=x onerror=", "<svg onload="):
        assert payload not in html  # escaped in the page source, even inside the embedded data
    assert "data-pwned" in html  # ...but present as text: the collectors did record them


def test_no_injected_script_runs_in_chromium_and_the_text_stays_text(hostile_report: Path, tmp_path: Path) -> None:
    from tests.integration.test_report_chromium import CHROMIUM, _chromium

    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    proc = _chromium(tmp_path, "--dump-dom", hostile_report.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    body_tag = dom.split("<body", 1)[1].split(">", 1)[0]
    assert "data-pwned" not in body_tag, body_tag  # no payload ran
    assert 'data-report-ready="true"' in dom  # the report's own script did run
    for text in ("&lt;script&gt;document.body.setAttribute('data-pwned','subject')",
                 "&lt;svg onload=document.body.setAttribute('data-pwned','path')&gt;.pem",
                 "&lt;img src=x onerror="):
        assert text in dom, text
