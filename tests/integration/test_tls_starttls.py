"""STARTTLS for every protocol: small real servers speak the plaintext part, then upgrade to real TLS
(Python's ssl on the system OpenSSL 3.0, so X25519 is supported and no ML-KEM group is)."""

from __future__ import annotations

import asyncio
import ssl

import pytest

from pqscan.collect.net.netscan import scan_endpoints
from pqscan.collect.tls.collector import scan_tls_endpoint
from pqscan.lab import pki
from pqscan.lab.tls_servers import SMTP_STARTTLS_CONFIG, TlsServer
from pqscan.model import ErrorKind, ScanResult
from tests.integration.tls_fixtures import FAST, Handler, endpoint, tcp_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", name="server_tls")
def fixture_server_tls(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    bundle = pki.write_bundle(tmp_path_factory.mktemp("starttls"), "ecdsa", (pki.ecdsa_cert(),))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(bundle.chain_path), str(bundle.key_path))
    return ctx


def _upgrading(dialogue: list[tuple[bytes | None, bytes]], ctx: ssl.SSLContext) -> Handler:
    """A server that, for each (expected prefix, reply), reads a line (or bytes) and answers, then starts TLS."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for expect, reply in dialogue:
            if expect is not None:
                got = await reader.readexactly(len(expect)) if not expect.endswith(b"\n") else await reader.readline()
                if not got.upper().startswith(expect.strip().upper()):
                    writer.write(b"500 unexpected\r\n")
                    return
                if expect.endswith(b"\n") and not got.endswith(b"\n"):
                    return
            if reply:
                writer.write(reply)
                await writer.drain()
        await writer.start_tls(ctx)
        await asyncio.sleep(2)

    return handler


def _ldap_handler(ctx: ssl.SSLContext) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readexactly(31)
        assert b"1.3.6.1.4.1.1466.20037" in request
        # ExtendedResponse, messageID 1, resultCode success(0), matchedDN "", diagnosticMessage "".
        writer.write(bytes.fromhex("300c02010178070a010004000400"))
        await writer.drain()
        await writer.start_tls(ctx)
        await asyncio.sleep(2)

    return handler


def _xmpp_handler(ctx: ssl.SSLContext) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"version='1.0'>")
        writer.write(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' version='1.0'>"
                     b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
                     b"</stream:features>")
        await writer.drain()
        await reader.readuntil(b"/>")
        writer.write(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        await writer.drain()
        await writer.start_tls(ctx)
        await asyncio.sleep(2)

    return handler


def _handler(protocol: str, ctx: ssl.SSLContext) -> Handler:
    dialogues = {
        "smtp": [(None, b"220 mx.example ESMTP\r\n"), (b"EHLO\n", b"250-mx.example\r\n250-SIZE 1000\r\n250 STARTTLS\r\n"),
                 (b"STARTTLS\n", b"220 go ahead\r\n")],
        "imap": [(None, b"* OK IMAP4rev1 ready\r\n"), (b"pq1 STARTTLS\n", b"pq1 OK Begin TLS\r\n")],
        "pop3": [(None, b"+OK POP3 ready\r\n"), (b"STLS\n", b"+OK Begin TLS\r\n")],
        "ftp": [(None, b"220-Welcome\r\n220 FTP ready\r\n"), (b"AUTH TLS\n", b"234 AUTH TLS OK\r\n")],
        "postgres": [(bytes.fromhex("0000000804d2162f"), b"S")],
    }
    if protocol == "ldap":
        return _ldap_handler(ctx)
    if protocol == "xmpp":
        return _xmpp_handler(ctx)
    return _upgrading(dialogues[protocol], ctx)


def _scan(handler: Handler, protocol: str | None) -> ScanResult:
    async def run() -> ScanResult:
        async with tcp_server(handler) as port:
            (result,) = await scan_endpoints([endpoint(port, starttls=protocol)], scan_tls_endpoint, FAST)
            return result

    return asyncio.run(run())


@pytest.mark.parametrize("protocol", ["smtp", "imap", "pop3", "ftp", "ldap", "postgres", "xmpp"])
def test_starttls_upgrade_reaches_a_tls13_handshake(protocol: str, server_tls: ssl.SSLContext) -> None:
    result = _scan(_handler(protocol, server_tls), protocol)
    assert result.assets, result.errors
    attrs = result.assets[0].attributes
    assert attrs["starttls"] == protocol and attrs["groups"]["x25519"]["verdict"] == "supported"
    assert attrs["negotiated"]["protocol"] == "TLSv1.3"


def test_smtp_server_without_starttls_is_a_clear_error(server_tls: ssl.SSLContext) -> None:
    handler = _upgrading([(None, b"220 mx ESMTP\r\n"), (b"EHLO\n", b"250-mx\r\n250 SIZE 1000\r\n")], server_tls)
    result = _scan(handler, "smtp")
    (err,) = result.errors
    assert err.stage == "starttls" and err.kind is ErrorKind.UNSUPPORTED and "does not offer STARTTLS" in err.message


def test_postgres_refusing_ssl_is_a_clear_error(server_tls: ssl.SSLContext) -> None:
    result = _scan(_upgrading([(bytes.fromhex("0000000804d2162f"), b"N")], server_tls), "postgres")
    (err,) = result.errors
    assert err.stage == "starttls" and "refused SSL" in err.message


def test_endless_smtp_reply_is_cut_at_the_line_limit(server_tls: ssl.SSLContext) -> None:
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220-" + b"x" * 100_000)
        await writer.drain()
        await asyncio.sleep(2)

    result = _scan(endless, "smtp")
    (err,) = result.errors
    assert err.stage == "starttls" and err.kind in (ErrorKind.TOO_LARGE, ErrorKind.TIMEOUT)


def test_lab_smtp_server_offers_x25519mlkem768_through_starttls(tmp_path_factory: pytest.TempPathFactory) -> None:
    with TlsServer(SMTP_STARTTLS_CONFIG, tmp_path_factory.mktemp("smtp-lab")) as server:
        (result,) = asyncio.run(scan_endpoints([endpoint(server.port, starttls="smtp")], scan_tls_endpoint, FAST))
    attrs = result.assets[0].attributes
    assert attrs["groups"]["X25519MLKEM768"]["verdict"] == "supported"
    assert attrs["key_share_checks"]["X25519MLKEM768"]["confirmed"] is True
    assert attrs["negotiated"]["group"] == "X25519MLKEM768" and not result.errors
