"""AMI over TLS and the MD5 challenge login, against the test AMI server.

Real sockets on loopback: the server speaks TLS with certificates made here
(a CA and a server certificate it signed, a self-signed one), and records
every byte it received after decryption, so a refused certificate can be
shown to have cost no Login, and the challenge login no secret.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
import hashlib
from pathlib import Path
import socket
from typing import Any

import pytest

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.ami_errors import (
    AmiAuthError,
    AmiConnectionError,
    AmiInsecureLoginError,
)
from custom_components.hotdesk_phone.ami_tls import (
    AmiCertificateError,
    AmiTlsError,
    LinkSecurity,
    TlsSettings,
    build_ssl_context,
    certificate_info,
    fetch_certificate,
    normalize_fingerprint,
    peer_is_loopback,
)

from .ami_server import AmiTestServer, TlsCredential, make_ca, make_certificate
from .helpers import make_client


@dataclass(frozen=True)
class Pki:
    """The certificates of one test."""

    ca: TlsCredential
    server: TlsCredential  # signed by ca, for 127.0.0.1 and localhost
    self_signed: TlsCredential
    other_ca: TlsCredential


@pytest.fixture
def pki() -> Pki:
    ca = make_ca()
    return Pki(
        ca=ca,
        server=make_certificate(ca),
        self_signed=make_certificate(),
        other_ca=make_ca("Someone Else's CA"),
    )


@pytest.fixture
async def tls_server(pki: Pki, tmp_path: Path) -> AsyncIterator[AmiTestServer]:
    """The test AMI server over TLS with the CA-signed certificate."""
    server = AmiTestServer(ssl_context=pki.server.server_context(tmp_path))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def self_signed_server(pki: Pki, tmp_path: Path) -> AsyncIterator[AmiTestServer]:
    """The test AMI server over TLS with a self-signed certificate."""
    server = AmiTestServer(ssl_context=pki.self_signed.server_context(tmp_path))
    await server.start()
    yield server
    await server.stop()


async def _refused(client: AmiClient, server: AmiTestServer) -> AmiCertificateError:
    """Connect, expect the certificate refusal, wait until the link is gone."""
    with pytest.raises(AmiCertificateError) as caught:
        await client.connect()
    async with asyncio.timeout(2):
        while server.sessions:
            await asyncio.sleep(0.01)
    return caught.value


def _assert_nothing_sent(server: AmiTestServer) -> None:
    """Not one byte of AMI (so no Login, no secret) reached the server."""
    assert server.actions == []
    assert bytes(server.received) == b""
    assert server.logins == 0


async def test_ca_verified_tls_logs_in(tls_server: AmiTestServer, pki: Pki) -> None:
    client = make_client(tls_server, tls=TlsSettings(ca=pki.ca.cert_pem))
    assert client.link_security is LinkSecurity.TLS_CA  # known before connecting
    await client.connect()
    assert client.connected
    await client.db_put("hotdesk/route", "101", "PJSIP/desk1")
    assert await client.db_get("hotdesk/route", "101") == "PJSIP/desk1"
    assert client.server_certificate is not None
    assert client.server_certificate.sha256 == pki.server.sha256
    assert client.server_certificate.subject == "CN=Hotdesk Test PBX"
    assert client.server_certificate.issuer == "CN=Hotdesk Test CA"
    assert not client.server_certificate.self_signed
    # Over TLS too the login proves the secret without sending it.
    assert tls_server.actions_named("Challenge")
    assert tls_server.secret.encode() not in bytes(tls_server.received)
    await client.close()


async def test_ca_from_a_file(
    tls_server: AmiTestServer, pki: Pki, tmp_path: Path
) -> None:
    ca_file, _ = pki.ca.write(tmp_path / "ca", "ca")
    client = make_client(tls_server, tls=TlsSettings(ca=str(ca_file)))
    await client.connect()
    assert client.link_security is LinkSecurity.TLS_CA
    await client.ping()
    await client.close()


async def test_pinned_fingerprint_connects(
    self_signed_server: AmiTestServer, pki: Pki
) -> None:
    # The form a user pastes from `openssl x509 -fingerprint -sha256`.
    pasted = "sha256 Fingerprint=" + pki.self_signed.sha256.lower()
    client = make_client(self_signed_server, tls=TlsSettings(fingerprint=pasted))
    await client.connect()
    assert client.link_security is LinkSecurity.TLS_PINNED
    assert client.server_certificate is not None
    assert client.server_certificate.self_signed
    await client.db_put("hotdesk/route", "101", "PJSIP/desk2")
    assert self_signed_server.astdb == {"hotdesk/route/101": "PJSIP/desk2"}
    await client.close()


async def test_wrong_fingerprint_is_refused_before_any_login(
    self_signed_server: AmiTestServer, pki: Pki
) -> None:
    wrong = pki.server.sha256  # another certificate's fingerprint
    client = make_client(self_signed_server, tls=TlsSettings(fingerprint=wrong))
    error = await _refused(client, self_signed_server)
    assert error.fingerprint == pki.self_signed.sha256
    assert error.certificate is not None
    assert error.certificate.subject == "CN=Hotdesk Test PBX"
    assert client.certificate_error is error
    assert not client.connected
    assert not client._tasks  # no retries behind the caller's back
    _assert_nothing_sent(self_signed_server)
    await client.close()


async def test_wrong_ca_is_refused_before_any_login(
    tls_server: AmiTestServer, pki: Pki
) -> None:
    client = make_client(tls_server, tls=TlsSettings(ca=pki.other_ca.cert_pem))
    error = await _refused(client, tls_server)
    # The handshake failed; a second look tells which certificate it was.
    assert error.fingerprint == pki.server.sha256
    assert "not logging in" in str(error)
    _assert_nothing_sent(tls_server)
    await client.close()


async def test_system_cas_do_not_trust_a_private_ca(
    tls_server: AmiTestServer, pki: Pki
) -> None:
    client = make_client(tls_server, tls=TlsSettings())
    assert client.link_security is LinkSecurity.TLS_SYSTEM
    error = await _refused(client, tls_server)
    assert error.fingerprint == pki.server.sha256
    _assert_nothing_sent(tls_server)
    await client.close()


async def test_the_name_is_checked_with_a_ca(pki: Pki, tmp_path: Path) -> None:
    named = make_certificate(pki.ca, hosts=["pbx.example.test"])
    server = AmiTestServer(ssl_context=named.server_context(tmp_path))
    await server.start()
    try:
        wrong_name = make_client(server, tls=TlsSettings(ca=pki.ca.cert_pem))
        error = await _refused(wrong_name, server)
        assert "127.0.0.1" in str(error)
        _assert_nothing_sent(server)
        await wrong_name.close()
        # The PBX reached by its address, its certificate made for its name.
        client = make_client(
            server,
            tls=TlsSettings(ca=pki.ca.cert_pem, server_name="pbx.example.test"),
        )
        await client.connect()
        await client.ping()
        await client.close()
    finally:
        await server.stop()


async def test_reconnect_keeps_the_pin(
    self_signed_server: AmiTestServer, pki: Pki, tmp_path: Path
) -> None:
    """The PBX comes back with another certificate: the link stays down."""
    told: list[AmiCertificateError] = []
    client = make_client(
        self_signed_server,
        tls=TlsSettings(fingerprint=pki.self_signed.sha256),
        on_certificate_error=told.append,
    )
    await client.connect()
    await self_signed_server.stop()
    self_signed_server.ssl_context = pki.server.server_context(tmp_path)
    logins_before = self_signed_server.logins
    actions_before = len(self_signed_server.actions)
    await self_signed_server.restart()
    async with asyncio.timeout(3):
        while client.certificate_error is None:
            await asyncio.sleep(0.01)
    # A few more attempts: still refused, told once, nothing sent.
    await asyncio.sleep(0.5)
    assert not client.connected
    assert len(told) == 1
    assert told[0].fingerprint == pki.server.sha256
    assert len(self_signed_server.actions) == actions_before
    assert self_signed_server.logins == logins_before
    # The PBX gets its pinned certificate back: the client logs in again.
    await self_signed_server.stop()
    self_signed_server.ssl_context = pki.self_signed.server_context(tmp_path)
    await self_signed_server.restart()
    await self_signed_server.wait_for_login(logins_before + 1)
    async with asyncio.timeout(3):
        while not client.connected:
            await asyncio.sleep(0.01)
    assert client.certificate_error is None
    await client.close()


async def test_fetch_certificate(tls_server: AmiTestServer, pki: Pki) -> None:
    info = await fetch_certificate("127.0.0.1", tls_server.port)
    assert info.sha256 == pki.server.sha256
    assert info.subject == "CN=Hotdesk Test PBX"
    assert info.not_before is not None
    assert info.not_after is not None
    assert info.not_before < info.not_after
    async with asyncio.timeout(2):
        while tls_server.sessions:
            await asyncio.sleep(0.01)
    _assert_nothing_sent(tls_server)


async def test_fetch_certificate_from_a_plain_port(ami_server: AmiTestServer) -> None:
    with pytest.raises(AmiTlsError):
        await fetch_certificate("127.0.0.1", ami_server.port)
    assert ami_server.actions == []


async def test_fetch_certificate_unreachable() -> None:
    with pytest.raises(AmiConnectionError) as caught:
        await fetch_certificate("127.0.0.1", _free_port(), 1.0)
    assert not isinstance(caught.value, AmiTlsError)


async def test_tls_client_on_the_plain_port(ami_server: AmiTestServer) -> None:
    client = make_client(ami_server, tls=TlsSettings(fingerprint="00" * 32))
    with pytest.raises(AmiTlsError) as caught:
        await client.connect()
    assert not isinstance(caught.value, AmiCertificateError)
    assert ami_server.actions == []
    await client.close()


async def test_unreadable_ca(tls_server: AmiTestServer, tmp_path: Path) -> None:
    for ca in (str(tmp_path / "missing.pem"), "-----BEGIN CERTIFICATE-----\nno\n"):
        client = make_client(tls_server, tls=TlsSettings(ca=ca))
        with pytest.raises(AmiTlsError, match="CA certificate"):
            await client.connect()
        await client.close()
    _assert_nothing_sent(tls_server)


# The MD5 challenge login on a plain link.


async def test_md5_login_never_sends_the_secret(ami_server: AmiTestServer) -> None:
    client = make_client(ami_server)
    assert client.link_security is None  # nothing known before a login
    await client.connect()
    assert client.link_security is LinkSecurity.MD5_CHALLENGE
    assert client.peer_is_loopback
    await client.ping()
    wire = bytes(ami_server.received)
    assert ami_server.secret.encode() not in wire
    assert b"Action: Challenge\r\nAuthType: MD5\r\n" in wire
    (challenge,) = ami_server.actions_named("Challenge")
    (login,) = ami_server.actions_named("Login")
    assert login["AuthType"] == "MD5"
    assert "Secret" not in login
    # The key the server checked is what Asterisk computes from its challenge.
    assert len(login["Key"]) == 32
    assert challenge["ActionID"] != login["ActionID"]
    await client.close()


async def test_md5_login_with_a_wrong_secret(ami_server: AmiTestServer) -> None:
    refused: list[bool] = []
    client = make_client(
        ami_server, secret="wrong-secret", on_auth_failed=lambda: refused.append(True)
    )
    with pytest.raises(AmiAuthError):
        await client.connect()
    await asyncio.sleep(0.3)
    assert len(ami_server.actions_named("Login")) == 1  # no retries
    assert client.auth_failed
    assert b"wrong-secret" not in bytes(ami_server.received)
    await client.close()


async def test_no_challenge_on_loopback_falls_back(ami_server: AmiTestServer) -> None:
    ami_server.challenge = False
    client = make_client(ami_server)
    await client.connect()
    assert client.link_security is LinkSecurity.PLAIN
    (login,) = ami_server.actions_named("Login")
    assert login["Secret"] == ami_server.secret
    await client.close()


async def test_no_challenge_and_plain_login_refused(ami_server: AmiTestServer) -> None:
    ami_server.challenge = False
    client = make_client(ami_server, allow_plain_login=False)
    with pytest.raises(AmiInsecureLoginError, match="TLS"):
        await client.connect()
    assert ami_server.actions_named("Login") == []
    assert ami_server.secret.encode() not in bytes(ami_server.received)
    assert not client.auth_failed
    await client.close()


async def test_no_challenge_over_tls_falls_back(
    self_signed_server: AmiTestServer, pki: Pki
) -> None:
    self_signed_server.challenge = False
    client = make_client(
        self_signed_server,
        tls=TlsSettings(fingerprint=pki.self_signed.sha256),
        allow_plain_login=None,
    )
    await client.connect()
    assert client.link_security is LinkSecurity.TLS_PINNED
    assert self_signed_server.actions_named("Login")[0]["Secret"]
    await client.close()


# Pure parts.


@dataclass
class _Peer:
    """Only what ``peer_is_loopback`` reads of a transport."""

    peername: Any

    def get_extra_info(self, name: str) -> Any:
        return self.peername if name == "peername" else None


@pytest.mark.parametrize(
    ("peername", "loopback"),
    [
        (("127.0.0.1", 5038), True),
        (("127.8.9.10", 5038), True),
        (("::1", 5038, 0, 0), True),
        (("::ffff:127.0.0.1", 5038, 0, 0), True),
        (("192.168.1.20", 5038), False),
        (("::ffff:192.168.1.20", 5038, 0, 0), False),
        (("fe80::1", 5038, 0, 2), False),
        (None, False),
        ("/run/asterisk.sock", False),
    ],
)
def test_loopback_peer(peername: Any, loopback: bool) -> None:
    assert peer_is_loopback(_Peer(peername)) is loopback  # type: ignore[arg-type]


def test_plain_login_policy_over_the_network() -> None:
    """Without TLS, away from loopback: no secret in clear unless allowed."""

    def client(**kwargs: Any) -> AmiClient:
        made = AmiClient(
            host="192.0.2.1", port=5038, username="u", secret="s", **kwargs
        )
        made._peer_loopback = False  # what _open records for such a peer
        return made

    assert not client()._plain_login_allowed()
    assert client(allow_plain_login=True)._plain_login_allowed()
    assert client(tls=TlsSettings())._plain_login_allowed()
    assert not client(tls=TlsSettings(), allow_plain_login=False)._plain_login_allowed()


def test_fingerprints() -> None:
    colons = ":".join(["AB"] * 32)
    assert normalize_fingerprint("ab" * 32) == colons
    assert normalize_fingerprint(" " + "-".join(["ab"] * 32) + "\n") == colons
    assert normalize_fingerprint("SHA256 Fingerprint=" + colons) == colons
    for bad in ("", "ab" * 31, "zz" * 32, "ab" * 33):
        with pytest.raises(ValueError, match="64"):
            normalize_fingerprint(bad)
    assert TlsSettings(fingerprint="ab" * 32).fingerprint == colons


def test_tls_settings() -> None:
    with pytest.raises(ValueError, match="not both"):
        TlsSettings(ca="/etc/ca.pem", fingerprint="ab" * 32)
    empty = TlsSettings(ca="", fingerprint="", server_name="")
    assert (empty.ca, empty.fingerprint, empty.server_name) == (None, None, None)
    assert empty.security is LinkSecurity.TLS_SYSTEM
    pinned = build_ssl_context(TlsSettings(fingerprint="ab" * 32))
    assert not pinned.check_hostname
    assert build_ssl_context(TlsSettings()).check_hostname


def test_certificate_info_of_garbage() -> None:
    info = certificate_info(b"not a certificate")
    assert info.sha256 == ":".join(
        f"{b:02X}" for b in hashlib.sha256(b"not a certificate").digest()
    )
    assert (info.subject, info.not_after, info.self_signed) == ("", None, False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_wrong_secret_over_tls_is_not_retried(
    self_signed_server: AmiTestServer, pki: Pki
) -> None:
    refused: list[bool] = []
    client = make_client(
        self_signed_server,
        secret="wrong-secret",
        tls=TlsSettings(fingerprint=pki.self_signed.sha256),
        on_auth_failed=lambda: refused.append(True),
    )
    with pytest.raises(AmiAuthError):
        await client.connect()
    await asyncio.sleep(0.3)
    # The PBX closes right after refusing: not a lost link to reconnect.
    assert len(self_signed_server.actions_named("Login")) == 1
    assert refused == []
    assert not client._tasks
    await client.close()


@pytest.mark.parametrize("how", ["close", "cancel"])
async def test_connect_ended_while_logging_in(how: str) -> None:
    """close() or a cancel during the login leaves no socket open."""
    ended = asyncio.Event()

    async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client closes
        ended.set()
        writer.close()

    server = await asyncio.start_server(mute, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = AmiClient(host="127.0.0.1", port=port, username="u", secret="s")
    connecting = asyncio.ensure_future(client.connect())
    await asyncio.sleep(0.1)  # the Challenge waits for a reply
    if how == "close":
        await client.close()
        with pytest.raises(AmiConnectionError):
            await connecting
    else:
        connecting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await connecting
        await client.close()
    async with asyncio.timeout(2):
        await ended.wait()
    assert not client.connected
    server.close()
    await server.wait_closed()
