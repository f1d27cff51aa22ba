"""Debian's real OpenSSH server on a loopback port, for tests, benchmarks and ``pqscan demo``.

:func:`openssh_server` starts ``/usr/sbin/sshd -D -e -f <own config>`` on a free 127.0.0.1 port
with its own host keys (RSA, ECDSA, Ed25519, made by ``ssh-keygen`` in a temp dir), its own pid
file, no PAM and no way to log in (no passwords, no authorized keys). The classical variant
(:data:`CLASSICAL_KEX`) leaves out every post-quantum KEX method. :func:`sshd_effective_config`
runs ``sshd -T`` on the same config: the tests compare what pqscan observes with it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SSHD = "/usr/sbin/sshd"
PRIVSEP_DIR = Path("/run/sshd")  # sshd refuses to start without it
HOST_KEY_TYPES = (("rsa", "3072"), ("ecdsa", "256"), ("ed25519", ""))
START_TIMEOUT = 10.0

# Classical KEX methods that OpenSSH 9.2 implements (sshd_config(5)); no sntrup761, no ML-KEM.
CLASSICAL_KEX = ("curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
                 "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256",
                 "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
                 "diffie-hellman-group14-sha256")


class LabUnavailable(RuntimeError):
    """The binary or privilege needed for this lab server is missing (tests skip with this reason)."""


def unavailable_reason() -> str | None:
    """Why a real sshd cannot be started here, or None when it can."""
    if not Path(SSHD).exists():
        return f"{SSHD} not installed (Debian package openssh-server)"
    if shutil.which("ssh-keygen") is None:
        return "ssh-keygen not installed (Debian package openssh-client)"
    if not PRIVSEP_DIR.is_dir() and os.geteuid() != 0:
        return f"{PRIVSEP_DIR} is missing and only root can create it"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_host_keys(directory: Path) -> list[Path]:
    """RSA-3072, ECDSA P-256 and Ed25519 host keys made by ssh-keygen (no passphrase)."""
    paths = []
    for kind, bits in HOST_KEY_TYPES:
        path = directory / f"ssh_host_{kind}_key"
        if not path.exists():
            cmd = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", f"pqscan-lab-{kind}", "-f", str(path)]
            if bits:
                cmd[4:4] = ["-b", bits]
            subprocess.run(cmd, check=True, capture_output=True, timeout=60)
        paths.append(path)
    return paths


@dataclass
class SshServer:
    host: str
    port: int
    config: Path
    host_keys: list[Path]
    process: subprocess.Popen[bytes] | None = None
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"


def write_config(directory: Path, port: int, host_keys: Sequence[Path], options: Mapping[str, str]) -> Path:
    lines = {
        "Port": str(port),
        "ListenAddress": "127.0.0.1",
        "PidFile": str(directory / f"sshd-{port}.pid"),
        "UsePAM": "no",
        "StrictModes": "no",
        "PasswordAuthentication": "no",
        "KbdInteractiveAuthentication": "no",
        "PubkeyAuthentication": "no",
        "AuthorizedKeysFile": "none",
        "PermitRootLogin": "no",
        "LogLevel": "ERROR",
        "LoginGraceTime": "15",
        # Unauthenticated connections are all a scanner makes; the default 10:30:100 drops them early.
        "MaxStartups": "1000",
        **options,
    }
    text = "".join(f"HostKey {p}\n" for p in host_keys) + "".join(f"{k} {v}\n" for k, v in lines.items())
    path = directory / f"sshd_config-{port}"
    path.write_text(text, encoding="utf-8")
    return path


def _ensure_privsep_dir() -> None:
    if not PRIVSEP_DIR.is_dir():
        PRIVSEP_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)


def _wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
            raise LabUnavailable(f"sshd exited with {proc.returncode}: {err.strip()[:500]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
                s.settimeout(2.0)
                if s.recv(4).startswith(b"SSH-"):
                    return
        except OSError:
            time.sleep(0.05)
    raise LabUnavailable(f"sshd did not answer on 127.0.0.1:{port} within {START_TIMEOUT:g}s")


def start_sshd(directory: Path, options: Mapping[str, str] | None = None,
               host_keys: Sequence[Path] | None = None, port: int | None = None) -> SshServer:
    reason = unavailable_reason()
    if reason:
        raise LabUnavailable(reason)
    _ensure_privsep_dir()
    keys = list(host_keys) if host_keys is not None else make_host_keys(directory)
    port = port or free_port()
    config = write_config(directory, port, keys, options or {})
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = SshServer("127.0.0.1", port, config, keys, proc, dict(options or {}))
    try:
        _wait_ready(port, proc)
    except BaseException:
        stop_sshd(server)
        raise
    return server


def stop_sshd(server: SshServer) -> None:
    proc = server.process
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
    if proc.stderr:
        proc.stderr.close()


@contextmanager
def openssh_server(options: Mapping[str, str] | None = None, *, classical: bool = False,
                   directory: Path | None = None, host_keys: Sequence[Path] | None = None) -> Iterator[SshServer]:
    """A running sshd; ``classical=True`` restricts KexAlgorithms to :data:`CLASSICAL_KEX`."""
    opts = dict(options or {})
    if classical:
        opts.setdefault("KexAlgorithms", ",".join(CLASSICAL_KEX))
    with tempfile.TemporaryDirectory(prefix="pqscan-sshd-") as tmp:
        server = start_sshd(directory or Path(tmp), opts, host_keys)
        try:
            yield server
        finally:
            stop_sshd(server)


# The MODP safe primes (generator 2) are defined as p = 2^b - 2^(b-64) - 1 + 2^64 * (floor(2^(b-130) pi) + c):
# RFC 2409 §6.2 (Oakley Group 2, 1024 bits, c = 129093), RFC 3526 §3 (group 14, 2048 bits, c = 124476)
# and §4 (group 15, 3072 bits, c = 1690314). Computed here so tests can write moduli files of known sizes.
_MODP_OFFSETS = {1024: 129093, 2048: 124476, 3072: 1690314}


def _pi_times_2_to(bits: int) -> int:
    """floor(pi * 2^bits) by Machin's formula in integer arithmetic (64 guard bits)."""
    one = 1 << (bits + 64)

    def atan_inv(x: int) -> int:
        total, term, n, sign = 0, one // x, 1, 1
        while term:
            total += sign * (term // n)
            term //= x * x
            n, sign = n + 2, -sign
        return total

    return (16 * atan_inv(5) - 4 * atan_inv(239)) >> 64


def modp_prime(bits: int) -> int:
    """The RFC 2409 / RFC 3526 MODP prime of ``bits`` bits (1024, 2048 or 3072)."""
    return 2**bits - 2 ** (bits - 64) - 1 + 2**64 * (_pi_times_2_to(bits - 130) + _MODP_OFFSETS[bits])


def write_moduli_file(path: Path, sizes: Sequence[int]) -> Path:
    """A ``moduli`` file (moduli(5)) holding only the MODP primes of these sizes (see :func:`modp_prime`).

    Fields: timestamp, type 2 (safe prime), tests 6 (sieve + Miller-Rabin), tries 100, size (the
    file records bits - 1), generator, modulus in hex. sshd reads it through ``ModuliFile``, paramiko
    through ``Transport.load_server_moduli``.
    """
    lines = [f"20260101000000 2 6 100 {bits - 1} 2 {modp_prime(bits):X}\n" for bits in sizes]
    path.write_text("# pqscan lab moduli\n" + "".join(lines), encoding="ascii")
    return path


def sshd_effective_config(config: Path) -> dict[str, list[str]]:
    """``sshd -T -f config``: the effective settings, keyword -> comma-separated values split."""
    _ensure_privsep_dir()
    out = subprocess.run([SSHD, "-T", "-f", str(config)], capture_output=True, check=True, timeout=30, text=True)
    settings: dict[str, list[str]] = {}
    for line in out.stdout.splitlines():
        key, _, value = line.partition(" ")
        if key in ("kexalgorithms", "hostkeyalgorithms", "ciphers", "macs", "pubkeyacceptedalgorithms"):
            settings[key] = value.split(",")
        else:
            settings.setdefault(key, []).append(value)
    return settings
