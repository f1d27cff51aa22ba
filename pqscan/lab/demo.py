"""``pqscan demo``: the whole story on one command, with no network beyond loopback.

Starts an embedded lab on 127.0.0.1 -- real pyOpenSSL TLS servers (classical RSA chain, ECDSA
with X25519 only, hybrid X25519MLKEM768, an ML-DSA-65 certificate, TLS 1.2 only) and Debian's
sshd when it is installed -- copies the sample repository shipped in the package and generates
real key material into it, then scans everything, assesses it against several profiles, builds
the migration plan, runs a quick benchmark and writes the reports. The scans are recorded in a
SQLite store in the output folder: after the first scan one lab server gains the hybrid group
X25519MLKEM768 and is scanned again, so the report's progress section shows the improvement. Servers are stopped on every
exit path (normal end, error, Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from types import FrameType

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from OpenSSL import SSL

from pqscan.lab import pki
from pqscan.lab.tls_servers import CLASSICAL_GROUPS, PQ_GROUPS, ServerConfig, TlsServer

UPGRADED_SERVER = "ecdsa-x25519-only"  # the demo's migration step: this server gains X25519MLKEM768
DEMO_PROFILES = ("nist-ir-8547", "cnsa-2.0", "eu-pqc-roadmap", "uk-ncsc", "bsi")

# The TLS endpoints of the lab: what each one is meant to show in the report.
DEMO_SERVERS: tuple[tuple[ServerConfig, str], ...] = (
    (ServerConfig("classical-rsa-chain", CLASSICAL_GROUPS, chain="rsa-chain"),
     "classical key exchange, RSA-2048 leaf, intermediate and root"),
    (ServerConfig("ecdsa-x25519-only", ("X25519",), chain="ecdsa"), "ECDSA P-256 certificate, X25519 only"),
    (ServerConfig("hybrid-mlkem", PQ_GROUPS + CLASSICAL_GROUPS, chain="ecdsa"),
     "hybrid X25519MLKEM768 preferred, classical still accepted"),
    (ServerConfig("mldsa-certificate", ("X25519MLKEM768", "X25519"), chain="mldsa", min_version=SSL.TLS1_3_VERSION),
     "post-quantum end to end: X25519MLKEM768 and an ML-DSA-65 certificate"),
    (ServerConfig("tls12-only", ("X25519", "secp256r1"), chain="rsa-chain", max_version=SSL.TLS1_2_VERSION,
                  tls12_ciphers="ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256:AES256-SHA"),
     "TLS 1.2 only, RSA key transport still enabled (no forward secrecy)"),
)


@dataclass
class DemoResult:
    out_dir: Path
    inventory: Path
    report_html: Path
    report_md: Path
    cbom: Path
    sarif: Path
    endpoints: list[tuple[str, str]] = field(default_factory=list)  # (target, what it shows)
    notes: list[str] = field(default_factory=list)
    readiness: int | None = None
    readiness_before: int | None = None  # the first scan's, before the lab server gained a hybrid group
    exposed_without_pq: tuple[int, int] | None = None  # HNDL-exposed assets with no PQ option: (first, last scan)
    store: Path | None = None


def sample_repo_source() -> Path:
    return Path(str(resources.files("pqscan").joinpath("lab/sample_repo")))


def _pem_chain(chain: tuple[pki.Issued, ...]) -> bytes:
    return b"".join(c.cert.public_bytes(serialization.Encoding.PEM) for c in chain)


def write_key_material(repo: Path) -> None:
    """Real certificates, keys and keystores, generated now (nothing secret ships in the package)."""
    certs, keys = repo / "certs", repo / "keys"
    certs.mkdir(parents=True, exist_ok=True)
    keys.mkdir(parents=True, exist_ok=True)
    chain = pki.rsa_chain_leaf_first()
    (certs / "payments-chain.pem").write_bytes(_pem_chain(chain))
    (certs / "signing-mldsa65.pem").write_bytes(_pem_chain((pki.mldsa65_cert(),)))
    leaf = chain[0]
    (keys / "payments-key.pem").write_bytes(leaf.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    deploy = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ed = ed25519.Ed25519PrivateKey.generate()
    ssh = serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    (keys / "authorized_keys").write_bytes(
        b"# bastion access\n" + deploy.public_key().public_bytes(*ssh) + b" deploy@ci\n"
        + b'from="10.0.0.0/8" ' + ed.public_key().public_bytes(*ssh) + b" ops@laptop\n")
    (keys / "id_ed25519.pub").write_bytes(ed.public_key().public_bytes(*ssh) + b" ops@laptop\n")
    (keys / "client.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"client", leaf.key, leaf.cert, [c.cert for c in chain[1:]], serialization.NoEncryption()))
    device = ec.generate_private_key(ec.SECP256R1())
    nums = device.public_key().public_numbers()

    def b64(n: int) -> str:
        import base64

        return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()

    (keys / "jwks.json").write_text(json.dumps({"keys": [
        {"kty": "EC", "crv": "P-256", "x": b64(nums.x), "y": b64(nums.y), "use": "sig", "kid": "device-2024"}]}))


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM ends the demo like Ctrl-C, so the servers' context managers still run."""
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_demo(out_dir: Path, *, say: Callable[[str], None] = print, bench: bool = True, ssh: bool = True,
             today: dt.date | None = None) -> DemoResult:
    from pqscan.collect.net.netscan import NetOptions
    from pqscan.pipeline.scan import ScanOptions, scan
    from pqscan.pipeline.session import ScanSession
    from pqscan.report.build import prepare, render

    out_dir.mkdir(parents=True, exist_ok=True)
    # Keep the demo's planted keys and reports out of a later `pqscan ci .` (and out of git): the walk
    # honours .gitignore files, and this one ignores everything here, itself included.
    (out_dir / ".gitignore").write_text("# written by pqscan demo: its output is not part of your project\n*\n",
                                        encoding="utf-8")
    repo = out_dir / "sample-repo"
    if repo.exists():
        shutil.rmtree(repo)
    shutil.copytree(sample_repo_source(), repo)
    write_key_material(repo)
    result = DemoResult(out_dir, out_dir / "inventory.json", out_dir / "report.html", out_dir / "report.md",
                        out_dir / "cbom.cdx.json", out_dir / "findings.sarif", store=out_dir / "estate.db")
    for stale in (result.store, result.store.with_name("estate.db-wal"), result.store.with_name("estate.db-shm")):
        stale.unlink(missing_ok=True)  # each demo tells its own story from the first scan
    store_url = f"sqlite:///{result.store.resolve()}"
    with _sigterm_as_interrupt(), contextlib.ExitStack() as stack, \
            tempfile.TemporaryDirectory(prefix="pqscan-demo-") as tmp:
        servers: dict[str, TlsServer] = {}
        for config, what in DEMO_SERVERS:
            server = stack.enter_context(TlsServer(config, Path(tmp) / config.name))  # own key files each
            servers[config.name] = server
            result.endpoints.append((f"127.0.0.1:{server.port}", what))
            say(f"  TLS  127.0.0.1:{server.port:<5}  {what}")
        if ssh:
            from pqscan.lab import ssh_server

            reason = ssh_server.unavailable_reason()
            if reason is None:
                try:
                    sshd = stack.enter_context(ssh_server.openssh_server())
                    result.endpoints.append((f"ssh://{sshd.host}:{sshd.port}", "Debian OpenSSH sshd"))
                    say(f"  SSH  {sshd.host}:{sshd.port:<5}  Debian OpenSSH (sntrup761x25519 hybrid, classical host keys)")
                except Exception as exc:  # noqa: BLE001 - the demo goes on without SSH
                    result.notes.append(f"SSH server not started: {exc}")
            else:
                result.notes.append(f"SSH server skipped: {reason}")
        for n in result.notes:
            say(f"  note: {n}")
        say(f"  repo {repo}  (code, dependencies, configs, certificates and keys)")
        targets = [t for t, _ in result.endpoints] + [str(repo)]
        options = ScanOptions(net=NetOptions(connect_timeout=2.0, read_timeout=2.0, concurrency=32))
        jsonl = out_dir / "inventory.jsonl"
        say("scanning ...")
        first = scan(targets, options, session=ScanSession.to_file(jsonl, targets, store=store_url,
                                                                   profiles=DEMO_PROFILES))
        say(f"  {len(first.assets)} assets, {len(first.findings)} findings, {len(first.errors)} scan errors")
        # The migration's first step, for real: the ECDSA server gains the hybrid group, then a rescan.
        old = servers[UPGRADED_SERVER]
        old.stop()
        upgraded = replace(old.config, groups=("X25519MLKEM768", *old.config.groups))  # classical kept for old clients
        stack.enter_context(TlsServer(upgraded, old.workdir, port=old.port, bundle=old.bundle))  # same certificate
        say(f"enabling the hybrid X25519MLKEM768 on 127.0.0.1:{old.port} and scanning it again ...")
        endpoint = [f"127.0.0.1:{old.port}"]
        scan(endpoint, options, session=ScanSession.to_file(None, endpoint, store=store_url, profiles=DEMO_PROFILES))
    from pqscan.store import open_store
    from pqscan.store.history import progress

    with open_store(store_url) as store:
        records = store.list_scans()
        inventory = store.scan_inventory(records[-1].id, estate=True)  # the estate after the upgrade
    inventory.targets = list(first.targets)
    result.readiness_before = (records[0].summary or {}).get("readiness_combined")
    result.exposed_without_pq = tuple(((r.summary or {}).get("hndl") or {}).get("assets_without_pq", 0)
                                      for r in (records[0], records[-1]))  # type: ignore[assignment]
    if bench:
        say("benchmarking (quick) ...")
        from pqscan.bench.runner import Settings
        from pqscan.bench.session import run_bench

        run = run_bench(backends=("openssl", "classical"), settings=Settings.make(quick=True))
        inventory.attachments["bench"] = run.to_dict()
    inventory.save(result.inventory)
    say("assessing, planning, reporting ...")
    inputs = prepare(inventory, DEMO_PROFILES, today=today)
    inputs.progress = progress(records)
    from pqscan.report.formats import OutputFormat

    for path, fmt in ((result.report_html, OutputFormat.HTML), (result.report_md, OutputFormat.MARKDOWN),
                      (result.cbom, OutputFormat.CBOM), (result.sarif, OutputFormat.SARIF)):
        path.write_text(render(inputs, fmt), encoding="utf-8")
    result.readiness = inputs.assessment.readiness()[-1].score  # all selected profiles, over what you operate
    return result
