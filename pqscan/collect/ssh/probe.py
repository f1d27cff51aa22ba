"""The SSH probe: one endpoint -> ScanResult, over :mod:`pqscan.collect.net.netscan`'s bounded connections.

Method (network-probing.md §2.2, RFC 4253 §4.2, §7.1):

1. connect; send our identification and a client KEXINIT at once (the protocol does not say who
   sends KEXINIT first; sending ours makes servers that wait for it talk);
2. read the server's identification, tolerating up to 32 lines before ``SSH-``;
3. read whole binary packets (loop until ``packet_length`` bytes arrived, refuse lengths over
   64 KiB) until the server's KEXINIT, and parse its ten name-lists;
4. on the same connection start the key exchange our KEXINIT negotiates and read the reply's host
   key; then one more connection per remaining host-key type, restricted to that type, in parallel;
5. when the server offers Diffie-Hellman group exchange (RFC 4419), at most two more connections
   ask for a group (1024/1024/1024, and 2048/2048/8192 unless a host-key exchange already did) and
   record the prime sizes it hands out, in the same per-endpoint budget.

No shared secret is derived and no authentication is attempted. Every failure is a recorded
:class:`~pqscan.model.ScanError` value; what was observed before it is kept.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from dataclasses import dataclass, replace
from typing import Any, cast

from pqscan.collect.net.netscan import Connection, NetError, NetOptions, ProbeFn, connect
from pqscan.collect.net.targets import Endpoint
from pqscan.collect.ssh import gex, kexinit_client, wire
from pqscan.collect.ssh.assets import COLLECTOR, endpoint_result
from pqscan.collect.ssh.keys import SshPublicKey, key_type_for, parse_public_key_blob
from pqscan.collect.ssh.verify import verify_signature
from pqscan.model import ErrorKind, ScanResult
from pqscan.textsafe import clean

MAX_PACKETS_BEFORE_KEXINIT = 8
MAX_HOST_KEY_TYPES = 16

# Broad client lists for the first connection, so nearly any server finds a match and answers.
_SURVEY_HOST_KEYS = ("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
                     "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-dss", "ssh-ed448")
_SURVEY_EXTRA_KEX = ("diffie-hellman-group18-sha512", "diffie-hellman-group1-sha1")
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
    gex_moduli: bool = True  # record the group sizes a group-exchange server hands out (<= 2 connections)


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
            raise wire.SshDisconnected(f"server sent {wire.disconnect_reason(payload)}")
        raise wire.SshProtocolError(f"expected message {wanted}, got message {msg}")
    raise wire.SshProtocolError(f"no message {wanted} within {MAX_PACKETS_BEFORE_KEXINIT} packets")


@dataclass(frozen=True)
class _Transcript:
    """What the exchange hash covers besides the KEX values (RFC 4253 §8)."""

    v_s: bytes
    i_c: bytes
    i_s: bytes


Start = kexinit_client.KexStart | gex.GexStart


async def run_kex(conn: Connection, start: Start, before: bytes = b"") -> bytes:
    """Send ``before`` and the first KEX message; answer a GEX group; return the reply payload."""
    await conn.send(before + wire.encode_packet(start.payload))
    return await finish_kex(conn, start)


async def finish_kex(conn: Connection, start: Start) -> bytes:
    """After the first KEX message went out: answer a GEX group; return the reply payload."""
    if isinstance(start, gex.GexStart):
        group = await read_message(conn, gex.MSG_KEX_DH_GEX_GROUP)
        await conn.send(wire.encode_packet(start.on_group(group)))
    return await read_message(conn, start.reply_msg)


def _host_key(start: Start, payload: bytes, t: _Transcript) -> SshPublicKey:
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


def _client_kexinit(kex: str, host_key_algs: tuple[str, ...], server: wire.KexInit) -> bytes:
    return wire.build_kexinit((kex,), host_key_algs, server.encryption_algorithms_client_to_server,
                              server.mac_algorithms_client_to_server,
                              server.compression_algorithms_client_to_server or ("none",))


def _group_seen(start: Start) -> gex.GexObservation | None:
    if isinstance(start, gex.GexStart) and start.p_bits:
        return gex.GexObservation(start.request, gex.GexOutcome.ACCEPTED, start.p_bits)
    return None


async def _fetch_host_key(endpoint: Endpoint, options: NetOptions, kex: str, host_key_alg: str,
                          server: wire.KexInit) -> tuple[SshPublicKey, gex.GexObservation | None]:
    """A fresh connection offering only ``host_key_alg``; the server's lists for everything else.

    Identification, KEXINIT and the first KEX message go out in one write, before the server's
    KEXINIT arrives: ours names one method and one host-key algorithm, both from the server's own
    lists, so the negotiation's outcome is known in advance (RFC 4253 §7.1) and the fetch costs one
    round trip less (two with group exchange instead of three).
    """
    ours = _client_kexinit(kex, (host_key_alg,), server)
    start = kexinit_client.start_kex(kex)
    async with connect(endpoint.host, endpoint.port, options, stream_limit=8192) as conn:
        await conn.send(wire.CLIENT_IDENT + wire.encode_packet(ours) + wire.encode_packet(start.payload))
        ident = await read_identification(conn)
        server_kexinit = await read_message(conn, wire.MSG_KEXINIT)
        reply = await finish_kex(conn, start)
        key = _host_key(start, reply, _Transcript(ident.raw.encode("ascii"), ours, server_kexinit))
        return key, _group_seen(start)


async def _probe_group(endpoint: Endpoint, options: NetOptions, method: str, request: gex.GexRequest,
                       server: wire.KexInit) -> gex.GexObservation:
    """One connection that asks for a group of ``request`` sizes and stops at the server's answer.

    Everything up to the request goes out in one write, as in :func:`_fetch_host_key`.
    """
    ours = _client_kexinit(method, server.server_host_key_algorithms[:MAX_HOST_KEY_TYPES], server)
    async with connect(endpoint.host, endpoint.port, options, stream_limit=8192) as conn:
        await conn.send(wire.CLIENT_IDENT + wire.encode_packet(ours) + wire.encode_packet(request.payload()))
        await read_identification(conn)
        await read_message(conn, wire.MSG_KEXINIT)
        try:
            group = await read_message(conn, gex.MSG_KEX_DH_GEX_GROUP)
        except wire.SshDisconnected as exc:
            return gex.GexObservation(request, gex.GexOutcome.REFUSED, detail=str(exc))
        except NetError as exc:
            if exc.kind is not ErrorKind.RESET:
                raise
            return gex.GexObservation(request, gex.GexOutcome.REFUSED, detail="connection closed")
        return gex.GexObservation(request, gex.GexOutcome.ACCEPTED, gex.group_bits(group))


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
    survey_kex = tuple(dict.fromkeys(kexinit_client.STARTABLE_KEX + _SURVEY_EXTRA_KEX))
    keys: list[SshPublicKey] = []
    groups: list[gex.GexObservation] = []  # group sizes seen in host-key exchanges and modulus probes
    silent_kex: _Failure | None = None
    jobs: list[_Job] = []
    tasks: list[asyncio.Future[object]] = []
    try:
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
                kex = kexinit_client.pick_kex(server.kex_algorithms)
                gex_method = next((m for m in gex.GEX_METHODS if m in server.kex_algorithms), None)
                first_type = (wire.negotiate(_SURVEY_HOST_KEYS, server.server_host_key_algorithms)
                              if ssh.host_keys and kex is not None else None)
                # The other connections need only the server's lists: they start now, alongside this
                # connection's own key exchange, not after it (one round trip less per endpoint).
                jobs = _plan(endpoint, options, ssh, server, kex, first_type, gex_method)
                tasks = [asyncio.ensure_future(job.coro) for job in jobs]
                if first_type is not None:
                    try:
                        start = kexinit_client.start_kex(kex)  # type: ignore[arg-type]  # kex is set here
                        reply = await _stage(f"ssh-host-key:{first_type}", run_kex(conn, start))
                        keys.append(_host_key(start, reply, _Transcript(ident.raw.encode("ascii"), ours, payload)))
                        groups.extend(filter(None, [_group_seen(start)]))
                    except _Failure as f:
                        if f.kind is ErrorKind.TIMEOUT:
                            # Sent its KEXINIT, then silence: the other key exchanges, started at the same
                            # time, wait for the same silence, so the endpoint costs one timeout.
                            silent_kex = f
                        else:
                            jobs, tasks = _retry_first(endpoint, options, kex, first_type, server, jobs, tasks)
                    except Exception:  # noqa: BLE001 - retried on its own connection, where errors are recorded
                        jobs, tasks = _retry_first(endpoint, options, kex, first_type, server, jobs, tasks)
        except _Failure as f:
            result.error(f.stage, f.kind, f.message)
            return result
        except NetError as exc:
            result.error("connect", exc.kind, str(exc))
            return result
        if ssh.host_keys and kex is None:
            result.error("ssh-host-key", ErrorKind.UNSUPPORTED,
                         "no offered KEX method that pqscan can start; host keys not retrieved")
        if silent_kex is not None:
            await _collect(jobs, tasks, options, keys, groups, result, started, stop=True)
            result.error(silent_kex.stage, silent_kex.kind,
                         f"{silent_kex.message}; the other key exchanges were stopped with it (host keys and "
                         "group sizes they had not observed are missing)")
            return endpoint_result(endpoint.key, location, ident, server, keys, result, (), gex_method)
        await _collect(jobs, tasks, options, keys, groups, result, started)
    finally:
        for task in tasks:  # cancelled from outside (the endpoint budget): leave no connection behind
            task.cancel()
    for key in keys:
        if key.signature_verified is False:
            result.error(f"ssh-host-key:{key.key_type}", ErrorKind.PROTOCOL_VIOLATION,
                         f"the key-exchange signature does not verify with the host key sent ({key.fingerprint})")
    gex_seen = _one_per_request(groups) if gex_method is not None else ()
    return endpoint_result(endpoint.key, location, ident, server, keys, result, gex_seen, gex_method)


def _plan(endpoint: Endpoint, options: NetOptions, ssh: SshProbeOptions, server: wire.KexInit, kex: str | None,
          first_type: str | None, gex_method: str | None) -> list[_Job]:
    """The connections after the first: one per other host-key type, and the GEX modulus probes."""
    jobs: list[_Job] = []
    gex_seen_by_host_key = False  # a host-key exchange asks for 2048/2048/8192: no extra connection for it
    if ssh.host_keys and kex is not None:
        done = {key_type_for(first_type)} if first_type else set()
        todo = [t for t in host_key_types(server) if key_type_for(t) not in done]
        # One of the extra host-key fetches runs the group exchange itself (2048/2048/8192, what
        # the modulus probe would ask): the key and the group size in one connection, not two.
        kexes = [kex] * len(todo)
        if todo and ssh.gex_moduli and gex_method is not None and kex not in gex.GEX_METHODS:
            kexes[0] = gex_method
        # With kex a GEX method, the first connection's exchange sees the group (or its retry does).
        gex_seen_by_host_key = (kex in gex.GEX_METHODS or gex_method in kexes) and bool(first_type or todo)
        jobs += [_Job(f"ssh-host-key:{t}", _fetch_host_key(endpoint, options, k, t, server))
                 for t, k in zip(todo, kexes, strict=True)]
    if ssh.gex_moduli and gex_method is not None:
        requests = [r for r in gex.MODULUS_PROBE_REQUESTS
                    if not (gex_seen_by_host_key and r == gex.HOST_KEY_REQUEST)]
        jobs += [_Job(f"ssh-gex-group:{r.label}", _probe_group(endpoint, options, gex_method, r, server), r)
                 for r in requests]
    return jobs


def _retry_first(endpoint: Endpoint, options: NetOptions, kex: str | None, first_type: str, server: wire.KexInit,
                 jobs: list[_Job], tasks: list[asyncio.Future[object]]
                 ) -> tuple[list[_Job], list[asyncio.Future[object]]]:
    """The first connection's key exchange failed: fetch that host key again on its own connection."""
    assert kex is not None
    job = _Job(f"ssh-host-key:{first_type}", _fetch_host_key(endpoint, options, kex, first_type, server))
    return [*jobs, job], [*tasks, asyncio.ensure_future(job.coro)]


@dataclass
class _Job:
    """One extra connection: a host-key fetch, or a GEX modulus probe (``request`` set)."""

    stage: str
    coro: Coroutine[Any, Any, object]
    request: gex.GexRequest | None = None


def _one_per_request(groups: list[gex.GexObservation]) -> tuple[gex.GexObservation, ...]:
    """The first observation for each request, in probe order (accepted ones win over failures)."""
    ranked = sorted(groups, key=lambda o: o.outcome is not gex.GexOutcome.ACCEPTED)
    by_request: dict[gex.GexRequest, gex.GexObservation] = {}
    for obs in ranked:
        by_request.setdefault(obs.request, obs)
    order = {r: i for i, r in enumerate(gex.MODULUS_PROBE_REQUESTS)}
    return tuple(sorted(by_request.values(), key=lambda o: order.get(o.request, len(order))))


async def _collect(jobs: list[_Job], tasks: list[asyncio.Future[object]], options: NetOptions,
                   keys: list[SshPublicKey], groups: list[gex.GexObservation], result: ScanResult, started: float,
                   *, stop: bool = False) -> None:
    """Wait for the extra connections within the endpoint budget and record each outcome.

    ``stop``: do not wait; what has not finished is cancelled without an error of its own.
    """
    if not tasks:
        return
    if stop:
        pending = {task for task in tasks if not task.done()}
    else:
        # Leave time to return what we have before netscan's per-endpoint budget runs out.
        remaining = max(1.0, options.budget() - (time.monotonic() - started) - 1.0)
        _, pending = await asyncio.wait(tasks, timeout=remaining)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for job, task in zip(jobs, tasks, strict=True):
        what = "group size not observed" if job.request else "host key not retrieved"
        if task in pending:
            if not stop:
                _failed(job.stage, job.request, groups, result, ErrorKind.TIMEOUT,
                        f"{what} within the endpoint budget")
            continue
        exc = task.exception()
        if exc is None:
            value = task.result()
            if isinstance(value, gex.GexObservation):
                groups.append(value)
                continue
            fetched = cast(tuple[SshPublicKey, gex.GexObservation | None], value)
            keys.append(fetched[0])
            if fetched[1] is not None:
                groups.append(fetched[1])
        elif isinstance(exc, NetError):
            _failed(job.stage, job.request, groups, result, exc.kind, str(exc))
        elif isinstance(exc, wire.SshProtocolError):
            _failed(job.stage, job.request, groups, result, ErrorKind.PROTOCOL_VIOLATION, str(exc))
        else:
            _failed(job.stage, job.request, groups, result, ErrorKind.INTERNAL, f"{type(exc).__name__}: {exc}")


def _failed(stage: str, request: gex.GexRequest | None, groups: list[gex.GexObservation], result: ScanResult,
            kind: ErrorKind, message: str) -> None:
    result.error(stage, kind, message)
    if request is not None:
        groups.append(gex.GexObservation(request, gex.GexOutcome.ERROR, detail=message))


def make_probe(ssh: SshProbeOptions | None = None) -> ProbeFn:
    """A :data:`pqscan.collect.net.netscan.ProbeFn` with these SSH options."""

    async def probe(endpoint: Endpoint, options: NetOptions) -> ScanResult:
        return await probe_ssh(endpoint, options, ssh)

    return probe
