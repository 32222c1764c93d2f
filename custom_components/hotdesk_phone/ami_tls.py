"""How the AMI link is protected: TLS settings, certificates, pinning.

The PBX's certificate is checked against the system's CAs, a given CA, or a
pinned SHA-256 fingerprint; ``fetch_certificate`` reads what a TLS port
shows, for a user to confirm and pin. No Home Assistant imports here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import hashlib
import ipaddress
import ssl
from typing import Final

from cryptography import x509

from .ami_errors import AmiConnectionError

_SHA256_DIGITS: Final = 64
_HEX: Final = frozenset("0123456789ABCDEF")


class AmiTlsError(AmiConnectionError):
    """No TLS link: the port does not speak TLS, or the CA cannot be loaded."""


class AmiCertificateError(AmiTlsError):
    """The PBX's certificate failed verification; nothing was sent to it.

    ``certificate`` is what the PBX showed (``None`` if it could not be
    read), so that a user can compare its fingerprint and confirm it.
    """

    def __init__(self, message: str, certificate: CertificateInfo | None) -> None:
        """Keep the certificate the PBX showed."""
        super().__init__(message)
        self.certificate = certificate

    @property
    def fingerprint(self) -> str | None:
        """SHA-256 fingerprint of the certificate seen (``AB:CD:...``)."""
        return None if self.certificate is None else self.certificate.sha256


class LinkSecurity(StrEnum):
    """How the AMI link is protected."""

    TLS_PINNED = "tls_pinned"  # TLS; the certificate's fingerprint is pinned
    TLS_CA = "tls_ca"  # TLS; verified against a given CA
    TLS_SYSTEM = "tls_system"  # TLS; verified against the system's CAs
    MD5_CHALLENGE = "md5_challenge"  # plain TCP; the secret never sent
    PLAIN = "plain"  # plain TCP; the secret sent in clear


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """The certificate a TLS server showed."""

    sha256: str  # fingerprint, upper-case hex pairs joined by colons
    subject: str  # RFC 4514, "" if it cannot be parsed
    issuer: str
    not_before: datetime | None
    not_after: datetime | None

    @property
    def self_signed(self) -> bool:
        """Whether it names itself as its issuer."""
        return bool(self.subject) and self.subject == self.issuer


def normalize_fingerprint(text: str) -> str:
    """A SHA-256 fingerprint in the form ``AB:CD:...`` (64 hex digits).

    Accepts colons, spaces or dashes between the digits, any case, and
    ``openssl x509 -fingerprint -sha256`` output (``sha256 Fingerprint=...``).
    """
    value = text.strip().rpartition("=")[2]
    digits = "".join(c for c in value if c not in ": -\t").upper()
    if len(digits) != _SHA256_DIGITS or any(c not in _HEX for c in digits):
        raise ValueError("A SHA-256 fingerprint has 64 hexadecimal digits")
    return _colon_pairs(digits)


def _colon_pairs(digits: str) -> str:
    return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def certificate_info(der: bytes) -> CertificateInfo:
    """Fingerprint, names and validity of a DER certificate."""
    sha256 = _colon_pairs(hashlib.sha256(der).hexdigest().upper())
    try:
        cert = x509.load_der_x509_certificate(der)
        return CertificateInfo(
            sha256=sha256,
            subject=cert.subject.rfc4514_string(),
            issuer=cert.issuer.rfc4514_string(),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
        )
    except ValueError:  # TLS accepted it; the fingerprint still holds
        return CertificateInfo(sha256, "", "", None, None)


@dataclass(frozen=True, slots=True, kw_only=True)
class TlsSettings:
    """AMI over TLS, and how the PBX's certificate is checked.

    - no ``ca`` and no ``fingerprint``: the system's CAs, and the host name;
    - ``ca`` (a PEM file's path, or PEM text): only that CA, and the name;
    - ``fingerprint``: exactly the certificate with this SHA-256 fingerprint
      (a self-signed PBX certificate: no CA, name or expiry check).

    ``server_name`` is the name the certificate must carry when it is not
    the host connected to (e.g. the PBX is reached by its address).
    """

    ca: str | None = None
    fingerprint: str | None = None
    server_name: str | None = None

    def __post_init__(self) -> None:
        """Normalise the fingerprint; empty strings mean unset."""
        ca = self.ca or None
        fingerprint = self.fingerprint or None
        if ca is not None and fingerprint is not None:
            raise ValueError("TLS: give a CA or a fingerprint, not both")
        if fingerprint is not None:
            fingerprint = normalize_fingerprint(fingerprint)
        object.__setattr__(self, "ca", ca)
        object.__setattr__(self, "fingerprint", fingerprint)
        object.__setattr__(self, "server_name", self.server_name or None)

    @property
    def security(self) -> LinkSecurity:
        """The verification these settings make."""
        if self.fingerprint is not None:
            return LinkSecurity.TLS_PINNED
        if self.ca is not None:
            return LinkSecurity.TLS_CA
        return LinkSecurity.TLS_SYSTEM


def _unverified_context() -> ssl.SSLContext:
    """TLS without any certificate check (pinning checks afterwards)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def build_ssl_context(tls: TlsSettings) -> ssl.SSLContext:
    """The client SSL context for these settings.

    Blocking (it reads CA files): run it in an executor. Raises
    ``AmiTlsError`` when the CA cannot be loaded.
    """
    if tls.fingerprint is not None:
        return _unverified_context()
    try:
        if tls.ca is None:
            context = ssl.create_default_context()
        elif "-----BEGIN" in tls.ca:
            context = ssl.create_default_context(cadata=tls.ca)
        else:
            context = ssl.create_default_context(cafile=tls.ca)
    except (OSError, ValueError) as err:  # ssl.SSLError is an OSError
        raise AmiTlsError(f"Cannot load the CA certificate: {err}") from err
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def peer_certificate(transport: asyncio.BaseTransport) -> CertificateInfo:
    """The certificate the other end of a TLS link showed."""
    ssl_object = transport.get_extra_info("ssl_object")
    der = None if ssl_object is None else ssl_object.getpeercert(binary_form=True)
    if not der:
        raise AmiTlsError("The PBX showed no certificate")
    return certificate_info(der)


def peer_is_loopback(transport: asyncio.BaseTransport) -> bool:
    """Whether the link goes to a loopback address (IPv4-mapped too)."""
    peer = transport.get_extra_info("peername")
    try:
        address = ipaddress.ip_address(peer[0])
    except (TypeError, ValueError, IndexError):
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


async def fetch_certificate(
    host: str,
    port: int,
    connect_timeout: float = 5.0,
    *,
    server_name: str | None = None,
) -> CertificateInfo:
    """The certificate a TLS AMI port shows, without logging in.

    For trust on first use: show its fingerprint, let the user confirm it,
    then pin it. Nothing is written on the link besides the handshake.
    """
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(connect_timeout):
            transport, _ = await loop.create_connection(
                asyncio.Protocol,
                host,
                port,
                ssl=_unverified_context(),
                server_hostname=server_name or host,
            )
    except ssl.SSLError as err:
        raise AmiTlsError(
            f"No TLS handshake with {host}:{port} (is it AMI's TLS port?): {err}"
        ) from err
    except (OSError, TimeoutError) as err:
        raise AmiConnectionError(f"Cannot reach {host}:{port}: {err}") from err
    try:
        return peer_certificate(transport)
    finally:
        transport.close()
