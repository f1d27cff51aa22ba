"""The SSH probe: one endpoint -> ScanResult, over :mod:`pqscan.netscan`'s bounded connections.

Method (network-probing.md §2.2, RFC 4253 §4.2, §7.1):

1. connect; send our identification and a client KEXINIT at once (the protocol does not say who
   sends KEXINIT first; sending ours makes servers that wait for it talk);
2. read the server's identification, tolerating up to 32 lines before ``SSH-``;
3. read whole binary packets (loop until ``packet_length`` bytes arrived, refuse lengths over
   64 KiB) until the server's KEXINIT, and parse its ten name-lists;
4. on the same connection start the key exchange our KEXINIT negotiates and read the reply's host
   key; then one more connection per remaining host-key type, restricted to that type, in parallel.

No shared secret is derived and no authentication is attempted. Every failure is a recorded
:class:`~pqscan.model.ScanError` value; what was observed before it is kept.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace

from pqscan.collect.ssh import kexinit_client, wire
from pqscan.collect.ssh.assets import COLLECTOR, endpoint_result
from pqscan.collect.ssh.keys import SshPublicKey, key_type_for, parse_public_key_blob
from pqscan.collect.ssh.verify import verify_signature
from pqscan.model import ErrorKind, ScanResult
from pqscan.netscan import Connection, NetError, NetOptions, ProbeFn, connect
from pqscan.targets import Endpoint
from pqscan.textsafe import clean

MAX_PACKETS_BEFORE_KEXINIT = 8
MAX_HOST_KEY_TYPES = 16

# Broad client lists for the first connection, so nearly any server finds a match and answers.
_SURVEY_HOST_KEYS = ("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
                     "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-dss", "ssh-ed448")
_SURVEY_EXTRA_KEX = ("diffie-hellman-group-exchange-sha256", "diffie-hellman-group18-sha512",
                     "diffie-hellman-group-exchange-sha1", "diffie-hellman-group1-sha1")
_SURVEY_CIPHERS = ("chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
                   "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-cbc", "aes192-cbc", "aes256-cbc",
                   "3des-cbc", "blowfish-cbc", "arcfour256", "arcfour128", "arcfour", "none")
_SURVEY_MACS = ("umac-64-etm@openssh.com", "umac-128-etm@openssh.com", "hmac-sha2-256-etm@openssh.com",
                "hmac-sha2-512-etm@openssh.com", "hmac-sha1-etm@openssh.com", "umac-64@openssh.com",
                "umac-128@openssh.com", "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1", "hmac-md5", "none")
_SURVEY_COMPRESSION = ("none", "zlib@openssh.com", "zlib")


@dataclass(frozen=True)
class SshProbeOptions:
    host_keys: bool = True  # fetch each host key (one connection per key type)


class _Failure(Exception):
    def __init__(self, stage: str, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.stage, self.kind, self.message = stage, kind, message


async def read_identification(conn: Connection) -> wire.Identification:
    pre: list[str] = []
    for _ in range(wire.MAX_PRE_BANNER_LINES + 1):
        line = await conn.read_line(wire.MAX_PRE_BANNER_LINE, "identification line")
        if line.startswith(b"SSH-"):
            return wire.parse_identification(line, tuple(pre))
        pre.append(clean(line.rstrip(b"\r\n").decode("utf-8", "replace")[:200]))
    raise wire.SshProtocolError(f"no SSH identification line within the first {wire.MAX_PRE_BANNER_LINES} lines")


async def read_packet(conn: Connection) -> bytes:
    """The payload of one unencrypted binary packet (RFC 4253 §6), read completely."""
    header = await conn.read_exact(4, "packet length")
    length = wire.packet_length(header)
    body = await conn.read_exact(length, f"{length}-byte packet")
    return wire.packet_payload(body)


async def read_message(conn: Connection, wanted: int) -> bytes:
    """Skip IGNORE/DEBUG; a DISCONNECT or any other message is a protocol error."""
    for _ in range(MAX_PACKETS_BEFORE_KEXINIT):
        payload = await read_packet(conn)
        msg = payload[0]
        if msg == wanted:
            return payload
        if msg in (wire.MSG_IGNORE, wire.MSG_DEBUG):
            continue
        if msg == wire.MSG_DISCONNECT:
            raise wire.SshProtocolError(f"server sent {wire.disconnect_reason(payload)}")
        raise wire.SshProtocolError(f"expected message {wanted}, got message {msg}")
    raise wire.SshProtocolError(f"no message {wanted} within {MAX_PACKETS_BEFORE_KEXINIT} packets")


@dataclass(frozen=True)
class _Transcript:
    """What the exchange hash covers besides the KEX values (RFC 4253 §8)."""

    v_s: bytes
    i_c: bytes
    i_s: bytes


def _host_key(start: kexinit_client.KexStart, payload: bytes, t: _Transcript) -> SshPublicKey:
    reply = start.read_reply(payload, wire.CLIENT_IDENT.rstrip(b"\r\n"), t.v_s, t.i_c, t.i_s)
    key = parse_public_key_blob(reply.host_key_blob)
    if reply.exchange_hash is None:
        return key
    return replace(key, signature_verified=verify_signature(reply.host_key_blob, reply.signature,
                                                            reply.exchange_hash))


async def _stage(stage: str, coro):  # type: ignore[no-untyped-def]
    try:
        return await coro
    except NetError as exc:
        raise _Failure(stage, exc.kind, str(exc)) from None
    except wire.SshProtocolError as exc:
        raise _Failure(stage, ErrorKind.PROTOCOL_VIOLATION, str(exc)) from None


async def _fetch_host_key(endpoint: Endpoint, options: NetOptions, kex: str, host_key_alg: str,
                          server: wire.KexInit) -> SshPublicKey:
    """A fresh connection offering only ``host_key_alg``; the server's lists for everything else."""
    async with connect(endpoint.host, endpoint.port, options, stream_limit=8192) as conn:
        await conn.send(wire.CLIENT_IDENT)
        ident = await read_identification(conn)
        server_kexinit = await read_message(conn, wire.MSG_KEXINIT)
        ours = wire.build_kexinit((kex,), (host_key_alg,), server.encryption_algorithms_client_to_server,
                                  server.mac_algorithms_client_to_server,
                                  server.compression_algorithms_client_to_server or ("none",))
        start = kexinit_client.start_kex(kex)
        await conn.send(wire.encode_packet(ours) + wire.encode_packet(start.payload))
        reply = await read_message(conn, wire.MSG_KEX_ECDH_REPLY)
        return _host_key(start, reply, _Transcript(ident.raw.encode("ascii"), ours, server_kexinit))


def host_key_types(server: wire.KexInit) -> list[str]:
    """One host-key algorithm name per key type offered, in server order (rsa-sha2-* share one key)."""
    chosen: dict[str, str] = {}
    for name in server.server_host_key_algorithms:
        chosen.setdefault(key_type_for(name), name)
    return list(chosen.values())[:MAX_HOST_KEY_TYPES]


async def probe_ssh(endpoint: Endpoint, options: NetOptions, ssh: SshProbeOptions | None = None) -> ScanResult:
    """Observe one SSH server. Never raises for the server's behaviour."""
    ssh = ssh or SshProbeOptions()
    started = time.monotonic()
    result = ScanResult(endpoint.key, COLLECTOR)
    location = endpoint.hostport
    survey_kex = kexinit_client.STARTABLE_KEX + _SURVEY_EXTRA_KEX
    keys: list[SshPublicKey] = []
    try:
        async with connect(endpoint.host, endpoint.port, options, stream_limit=8192) as conn:
            ours = wire.build_kexinit(survey_kex, _SURVEY_HOST_KEYS, _SURVEY_CIPHERS, _SURVEY_MACS,
                                      _SURVEY_COMPRESSION)
            await _stage("connect", conn.send(wire.CLIENT_IDENT + wire.encode_packet(ours)))
            ident = await _stage("identification", read_identification(conn))
            payload = await _stage("kexinit", read_message(conn, wire.MSG_KEXINIT))
            try:
                server = wire.parse_kexinit(payload)
            except wire.SshProtocolError as exc:
                raise _Failure("kexinit", ErrorKind.MALFORMED, str(exc)) from None
            first_type: str | None = None
            kex = kexinit_client.pick_kex(server.kex_algorithms)
            if ssh.host_keys and kex is not None:
                first_type = wire.negotiate(_SURVEY_HOST_KEYS, server.server_host_key_algorithms)
                if first_type is not None:
                    try:
                        start = kexinit_client.start_kex(kex)
                        await _stage(f"ssh-host-key:{first_type}", conn.send(wire.encode_packet(start.payload)))
                        reply = await _stage(f"ssh-host-key:{first_type}",
                                             read_message(conn, wire.MSG_KEX_ECDH_REPLY))
                        keys.append(_host_key(start, reply, _Transcript(ident.raw.encode("ascii"), ours, payload)))
                    except Exception:  # noqa: BLE001 - any failure here is retried and recorded below
                        first_type = None  # retried below on its own connection, where errors are recorded
    except _Failure as f:
        result.error(f.stage, f.kind, f.message)
        return result
    except NetError as exc:
        result.error("connect", exc.kind, str(exc))
        return result
    if ssh.host_keys:
        if kex is None:
            result.error("ssh-host-key", ErrorKind.UNSUPPORTED,
                         "no offered KEX method that pqscan can start; host keys not retrieved")
        else:
            done = {key_type_for(first_type)} if first_type else set()
            todo = [t for t in host_key_types(server) if key_type_for(t) not in done]
            await _fetch_all(endpoint, options, kex, server, todo, keys, result, started)
    for key in keys:
        if key.signature_verified is False:
            result.error(f"ssh-host-key:{key.key_type}", ErrorKind.PROTOCOL_VIOLATION,
                         f"the key-exchange signature does not verify with the host key sent ({key.fingerprint})")
    return endpoint_result(endpoint.key, location, ident, server, keys, result)


async def _fetch_all(endpoint: Endpoint, options: NetOptions, kex: str, server: wire.KexInit,
                     todo: list[str], keys: list[SshPublicKey], result: ScanResult, started: float) -> None:
    if not todo:
        return
    # Leave time to return what we have before netscan's per-endpoint budget runs out.
    remaining = max(1.0, options.budget() - (time.monotonic() - started) - 1.0)
    tasks = [asyncio.ensure_future(_fetch_host_key(endpoint, options, kex, t, server)) for t in todo]
    done, pending = await asyncio.wait(tasks, timeout=remaining)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for name, task in zip(todo, tasks, strict=True):
        stage = f"ssh-host-key:{name}"
        if task in pending:
            result.error(stage, ErrorKind.TIMEOUT, "host key not retrieved within the endpoint budget")
            continue
        exc = task.exception()
        if exc is None:
            keys.append(task.result())
        elif isinstance(exc, NetError):
            result.error(stage, exc.kind, str(exc))
        elif isinstance(exc, wire.SshProtocolError):
            result.error(stage, ErrorKind.PROTOCOL_VIOLATION, str(exc))
        else:
            result.error(stage, ErrorKind.INTERNAL, f"{type(exc).__name__}: {exc}")


def make_probe(ssh: SshProbeOptions | None = None) -> ProbeFn:
    """A :data:`pqscan.netscan.ProbeFn` with these SSH options."""

    async def probe(endpoint: Endpoint, options: NetOptions) -> ScanResult:
        return await probe_ssh(endpoint, options, ssh)

    return probe
