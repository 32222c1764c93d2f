"""AMI over TLS and the MD5 challenge login against the real Asterisk 22.

This module starts its own Asterisk (``scripts/asterisk start`` with
``AMI_TLS_PORT``): its TLS listener presents a certificate signed by a CA
made here. A loopback proxy in front of the PBX keeps every byte each
connection carried, so the tests see on the wire that a refused certificate
cost nothing beyond the handshake and that the challenge login never sends
the secret.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
import contextlib
from dataclasses import dataclass, field
import hashlib
from pathlib import Path
import subprocess

import pytest

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.ami_errors import AmiAuthError
from custom_components.hotdesk_phone.ami_tls import (
    AmiCertificateError,
    LinkSecurity,
    TlsSettings,
    fetch_certificate,
)
from tests.ami_server import TlsCredential, make_ca, make_certificate

from .conftest import LOOPBACK, Pbx, ensure_asterisk, free_ports

FAMILY = "hotdesk-tls"


@dataclass
class TlsPbx(Pbx):
    """A Pbx whose AMI also listens with TLS (scripts/asterisk's AMI_TLS_*)."""

    tls_port: int = 0
    cert_file: Path | None = None
    key_file: Path | None = None

    def _run(
        self, *args: str, timeout: float = 60.0
    ) -> subprocess.CompletedProcess[str]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("AMI_TLS_PORT", str(self.tls_port))
            patch.setenv("AMI_TLS_CERT", str(self.cert_file))
            patch.setenv("AMI_TLS_KEY", str(self.key_file))
            return super()._run(*args, timeout=timeout)


@dataclass(frozen=True)
class TlsSetup:
    """The PBX and the certificates of this module."""

    pbx: TlsPbx
    ca: TlsCredential
    server: TlsCredential


@pytest.fixture(scope="module")
def tls(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[TlsSetup]:
    """An Asterisk with AMI on a plain and a TLS port, for this module."""
    ensure_asterisk(pytestconfig)
    ca = make_ca()
    server = make_certificate(ca, hosts=[LOOPBACK, "localhost"])
    certs = tmp_path_factory.mktemp("ami-tls")
    cert_file, key_file = server.write(certs, "pbx")
    run_dir = tmp_path_factory.mktemp("asterisk-tls")
    run_dir.chmod(0o755)  # Asterisk's own user enters it
    error: Exception | None = None
    for _ in range(3):  # another process may take a "free" port meanwhile
        ami_port, sip_port, tls_port = free_ports(3)
        pbx = TlsPbx(
            run_dir,
            ami_port=ami_port,
            sip_port=sip_port,
            tls_port=tls_port,
            cert_file=cert_file,
            key_file=key_file,
        )
        try:
            pbx.start()
            break
        except RuntimeError as err:
            error = err
            pbx.stop()
    else:
        pytest.fail(f"Asterisk with AMI over TLS did not start: {error}")
    try:
        yield TlsSetup(pbx, ca, server)
    finally:
        pbx.stop()


@dataclass
class Connection:
    """What one proxied connection carried, each way."""

    to_pbx: bytearray = field(default_factory=bytearray)
    from_pbx: bytearray = field(default_factory=bytearray)


class WireTap:
    """A TCP proxy on loopback that keeps the bytes of every connection."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.connections: list[Connection] = []
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        """Listen on an ephemeral loopback port; the port."""
        self._server = await asyncio.start_server(self._accept, LOOPBACK, 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _accept(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        connection = Connection()
        self.connections.append(connection)
        up_reader, up_writer = await asyncio.open_connection(LOOPBACK, self.target)
        self._writers += [writer, up_writer]
        pumps = [
            asyncio.ensure_future(self._pump(reader, up_writer, connection.to_pbx)),
            asyncio.ensure_future(self._pump(up_reader, writer, connection.from_pbx)),
        ]
        self._tasks.update(pumps)
        await asyncio.gather(*pumps, return_exceptions=True)

    @staticmethod
    async def _pump(
        source: asyncio.StreamReader, sink: asyncio.StreamWriter, kept: bytearray
    ) -> None:
        try:
            while data := await source.read(65536):
                kept.extend(data)
                sink.write(data)
                await sink.drain()
        except ConnectionError:
            pass
        finally:
            sink.close()

    async def settled(self, count: int) -> list[Connection]:
        """Wait until ``count`` connections came and every pump has ended."""
        async with asyncio.timeout(5):
            while len(self.connections) < count or any(
                not t.done() for t in self._tasks
            ):
                await asyncio.sleep(0.01)
        return self.connections

    async def close(self) -> None:
        """Stop listening, end every connection."""
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.close()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._server is not None:
            await self._server.wait_closed()


@pytest.fixture
async def tls_tap(tls: TlsSetup) -> AsyncIterator[tuple[WireTap, int]]:
    """A wire tap in front of the TLS port, and the port to connect to."""
    tap = WireTap(tls.pbx.tls_port)
    port = await tap.start()
    yield tap, port
    await tap.close()


@pytest.fixture
async def plain_tap(tls: TlsSetup) -> AsyncIterator[tuple[WireTap, int]]:
    """A wire tap in front of the plain AMI port, and the port to connect to."""
    tap = WireTap(tls.pbx.ami_port)
    port = await tap.start()
    yield tap, port
    await tap.close()


def client(
    tls: TlsSetup, port: int, settings: TlsSettings | None, secret: str | None = None
) -> AmiClient:
    """Home Assistant's AMI user on this PBX."""
    return AmiClient(
        host=LOOPBACK,
        port=port,
        username=tls.pbx.ha_username,
        secret=tls.pbx.secret if secret is None else secret,
        tls=settings,
        reconnect_min_delay=0.05,
        reconnect_max_delay=0.2,
    )


def tls_records(data: bytes) -> list[tuple[int, int]]:
    """(content type, length) of each TLS record in a byte stream."""
    records: list[tuple[int, int]] = []
    at = 0
    while at + 5 <= len(data):
        length = int.from_bytes(data[at + 3 : at + 5])
        records.append((data[at], length))
        at += 5 + length
    return records


HANDSHAKE = 22  # TLS record type: handshake (the ClientHello is one)


async def round_trip(ami: AmiClient, pbx: Pbx, value: str) -> None:
    """DBPut, read back with DBGet and from Asterisk's own CLI, DBDel."""
    await ami.db_put(FAMILY, "probe", value)
    assert await ami.db_get(FAMILY, "probe") == value
    assert pbx.astdb(FAMILY) == {"probe": value}
    await ami.db_del(FAMILY, "probe")
    assert await ami.db_get(FAMILY, "probe") is None


async def test_tls_verified_by_ca(tls: TlsSetup, tmp_path: Path) -> None:
    ca_file, _ = tls.ca.write(tmp_path, "ca")
    for ca in (tls.ca.cert_pem, str(ca_file)):  # PEM text, then a file
        ami = client(tls, tls.pbx.tls_port, TlsSettings(ca=ca))
        await ami.connect()
        try:
            assert ami.link_security is LinkSecurity.TLS_CA
            assert ami.server_certificate is not None
            assert ami.server_certificate.sha256 == tls.server.sha256
            assert ami.version  # Asterisk's greeting came through TLS
            await round_trip(ami, tls.pbx, f"over TLS, CA {len(ca)}")
        finally:
            await ami.close()


async def test_tls_pinned_after_first_use(tls: TlsSetup) -> None:
    # Trust on first use: read the fingerprint without logging in, pin it.
    seen = await fetch_certificate(LOOPBACK, tls.pbx.tls_port)
    assert seen.sha256 == tls.server.sha256
    assert seen.subject == "CN=Hotdesk Test PBX"
    ami = client(tls, tls.pbx.tls_port, TlsSettings(fingerprint=seen.sha256))
    await ami.connect()
    try:
        assert ami.link_security is LinkSecurity.TLS_PINNED
        await round_trip(ami, tls.pbx, "pinned")
    finally:
        await ami.close()


async def test_wrong_pin_sends_nothing_but_the_handshake(
    tls: TlsSetup, tls_tap: tuple[WireTap, int]
) -> None:
    tap, port = tls_tap
    # A bare handshake for comparison: fetch_certificate writes nothing else.
    await fetch_certificate(LOOPBACK, port)
    other = make_certificate(tls.ca).sha256  # a certificate the PBX does not have
    ami = client(tls, port, TlsSettings(fingerprint=other))
    with pytest.raises(AmiCertificateError) as caught:
        await ami.connect()
    await ami.close()
    assert caught.value.fingerprint == tls.server.sha256
    bare, refused = await tap.settled(2)
    # Record for record what a connection that never wrote a byte of AMI
    # sends (a Challenge or Login would add application data records).
    assert tls_records(bytes(refused.to_pbx)) == tls_records(bytes(bare.to_pbx))
    # The same pin made right: the login adds records the refusal lacks.
    good = client(tls, port, TlsSettings(fingerprint=tls.server.sha256))
    await good.connect()
    await good.ping()
    await good.close()
    *_, logged_in = await tap.settled(3)
    assert len(tls_records(bytes(logged_in.to_pbx))) > len(
        tls_records(bytes(bare.to_pbx))
    )


async def test_wrong_ca_refused_in_the_handshake(
    tls: TlsSetup, tls_tap: tuple[WireTap, int]
) -> None:
    tap, port = tls_tap
    ami = client(tls, port, TlsSettings(ca=make_ca("Not the PBX's CA").cert_pem))
    with pytest.raises(AmiCertificateError) as caught:
        await ami.connect()
    await ami.close()
    # The second, unchecked handshake named the certificate.
    assert caught.value.fingerprint == tls.server.sha256
    refused, look = await tap.settled(2)
    # The refused link never got past the ClientHello.
    assert {kind for kind, _ in tls_records(bytes(refused.to_pbx))} == {HANDSHAKE}
    assert tls_records(bytes(look.to_pbx))[0][0] == HANDSHAKE


async def test_md5_challenge_login_on_the_wire(
    tls: TlsSetup, plain_tap: tuple[WireTap, int]
) -> None:
    tap, port = plain_tap
    ami = client(tls, port, None)
    await ami.connect()
    try:
        assert ami.link_security is LinkSecurity.MD5_CHALLENGE
        await round_trip(ami, tls.pbx, "md5 challenge")
    finally:
        await ami.close()
    (connection,) = await tap.settled(1)
    sent = bytes(connection.to_pbx)
    assert tls.pbx.secret.encode() not in sent
    assert b"Action: Challenge\r\nAuthType: MD5\r\n" in sent
    assert b"Secret:" not in sent
    # The Key sent is MD5(the challenge Asterisk gave + the secret).
    received = bytes(connection.from_pbx).decode()
    challenge = received.split("Challenge: ", 1)[1].split("\r\n", 1)[0]
    key = hashlib.md5(
        (challenge + tls.pbx.secret).encode(), usedforsecurity=False
    ).hexdigest()
    assert f"AuthType: MD5\r\nKey: {key}\r\n".encode() in sent
    assert "Message: Authentication accepted" in received


async def test_md5_challenge_with_a_wrong_secret(
    tls: TlsSetup, plain_tap: tuple[WireTap, int]
) -> None:
    tap, port = plain_tap
    ami = client(tls, port, None, secret="not-the-secret")
    with pytest.raises(AmiAuthError):
        await ami.connect()
    assert ami.auth_failed
    await ami.close()
    (connection,) = await tap.settled(1)
    assert b"not-the-secret" not in bytes(connection.to_pbx)
    assert b"Authentication failed" in bytes(connection.from_pbx)


def test_tls_port_is_loopback_only(tls: TlsSetup) -> None:
    """The TLS listener is bound to 127.0.0.1 like every other server here."""
    hex_port = f"{tls.pbx.tls_port:04X}"
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    listening = [
        line.split()[1]
        for line in lines
        if line.split()[1].endswith(f":{hex_port}") and line.split()[3] == "0A"
    ]
    assert listening == [f"0100007F:{hex_port}"]
    assert (tls.pbx.run_dir / "etc" / "ami-tls.key").exists()
