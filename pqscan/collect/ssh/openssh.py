"""OpenSSH 10 client defaults, to report what a current client would negotiate with a server.

Source: OpenSSH portable ``myproposal.h`` at tag V_10_0_P1 (``$OpenBSD: myproposal.h,v 1.77
2024/12/02``, commit 2593769fb291fe6c542173927698c69e9f9a08b9); the KEX, host-key, cipher and MAC
lists are unchanged through V_10_5_P1 (checked in the same repository). ``KEX_CLIENT_KEX`` is
``KEX_SERVER_KEX`` followed by the finite-field DH methods. The client appends the pseudo-algorithms
``ext-info-c`` and ``kex-strict-c-v00@openssh.com``, which never win a negotiation and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from pqscan.collect.ssh.wire import KexInit, negotiate

OPENSSH_10_CLIENT_KEX: tuple[str, ...] = (
    "mlkem768x25519-sha256",
    "sntrup761x25519-sha512",
    "sntrup761x25519-sha512@openssh.com",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group14-sha256",
)

OPENSSH_10_HOST_KEY_ALGORITHMS: tuple[str, ...] = (
    "ssh-ed25519-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    "sk-ssh-ed25519-cert-v01@openssh.com",
    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "rsa-sha2-512-cert-v01@openssh.com",
    "rsa-sha2-256-cert-v01@openssh.com",
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "rsa-sha2-512",
    "rsa-sha2-256",
)

OPENSSH_10_CIPHERS: tuple[str, ...] = (
    "chacha20-poly1305@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
)

OPENSSH_10_MACS: tuple[str, ...] = (
    "umac-64-etm@openssh.com",
    "umac-128-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha1-etm@openssh.com",
    "umac-64@openssh.com",
    "umac-128@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512",
    "hmac-sha1",
)

# Ciphers with their own integrity: the MAC list is not used with them (PROTOCOL.chacha20poly1305,
# RFC 5647 §5.1 as implemented by OpenSSH for aes*-gcm@openssh.com).
AEAD_CIPHERS = frozenset({"chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com"})


@dataclass(frozen=True)
class Negotiated:
    """What an OpenSSH 10 client with default settings would agree with this server (None = no match)."""

    kex: str | None
    host_key: str | None
    cipher: str | None  # server-to-client direction
    mac: str | None  # None also when the cipher is AEAD

    def to_dict(self) -> dict[str, str | None]:
        return {"kex": self.kex, "host_key": self.host_key, "cipher": self.cipher, "mac": self.mac}


def openssh10_negotiation(server: KexInit) -> Negotiated:
    cipher = negotiate(OPENSSH_10_CIPHERS, server.encryption_algorithms_server_to_client)
    mac = None if cipher in AEAD_CIPHERS else negotiate(OPENSSH_10_MACS, server.mac_algorithms_server_to_client)
    return Negotiated(
        kex=negotiate(OPENSSH_10_CLIENT_KEX, server.kex_algorithms),
        host_key=negotiate(OPENSSH_10_HOST_KEY_ALGORITHMS, server.server_host_key_algorithms),
        cipher=cipher,
        mac=mac,
    )
