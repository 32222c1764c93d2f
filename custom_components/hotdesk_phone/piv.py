"""Cards that prove who they are: the PIV Card Authentication Key (FIPS 201).

Pure Python: no Home Assistant imports (the readers on the HA host and the
bridge endpoint both use it). A badge's UID can be written to a blank card; a
PIV card's Card Authentication Key (slot ``9E``, usable without a PIN, made
for door readers) never leaves the card. So a reader selects the PIV
application, reads the key's certificate (GET DATA ``5FC101``) and has the card
sign a fresh random challenge (GENERAL AUTHENTICATE); the signature is checked
against the certificate's public key. A person is then known by the SHA-256
fingerprint of the certificate learned at enrolment, not by the UID.

Home Assistant makes every challenge: on its own readers directly, for the
bridge through ``ChallengeBook`` (the bridge only carries the card's answer
back). A challenge is used once and only for a short while, so an old
signature replayed proves nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
import gzip
import hashlib
import io
import secrets
import time
from typing import Final
import zlib

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

# SELECT by the PIV application's AID (the version-independent part).
SELECT_PIV: Final = bytes.fromhex("00A4040009A00000030800001000")
# GET DATA of the Card Authentication certificate object (5FC101).
GET_CAK_CERTIFICATE: Final = bytes.fromhex("00CB3FFF055C035FC10100")
KEY_CAK: Final = 0x9E
INS_AUTHENTICATE: Final = 0x87
SW_OK: Final = 0x9000
SW1_MORE: Final = 0x61  # 61xx: xx more bytes wait for GET RESPONSE
SW1_WRONG_LE: Final = 0x6C  # 6Cxx: send again with Le xx
_SHORT_LENGTH: Final = 0x80  # BER: lengths below are one byte
_MULTI_BYTE_TAG: Final = 0x1F
# PIV algorithm identifiers (SP 800-78).
ALG_RSA_2048: Final = 0x07
ALG_ECC_P256: Final = 0x11
ALG_ECC_P384: Final = 0x14
NONCE_BYTES: Final = 32
# Card data is untrusted: bounds on what is read and parsed.
MAX_CERTIFICATE_BYTES: Final = 4096
MAX_RESPONSE_BYTES: Final = 8192
MAX_CHAINED_RESPONSES: Final = 40
_CHUNK: Final = 255
# EMSA-PKCS1-v1_5's DigestInfo prefix for SHA-256 (RFC 8017, 9.2 note 1).
_SHA256_DIGEST_INFO: Final = bytes.fromhex("3031300d060960864801650304020105000420")

# Why a card did not prove itself (also the reasons a scan is refused).
CARD_ERROR: Final = "card_error"  # the card answered wrongly or not at all
UNSUPPORTED_KEY: Final = "unsupported_key"  # not P-256, P-384 or RSA-2048
SIGNATURE_INVALID: Final = "signature_invalid"  # wrong key: not the card it says
CHALLENGE_STALE: Final = "challenge_stale"  # unknown, used or expired challenge
# Why a scan is refused for an account that requires an authenticated card.
CARD_KEY_UNKNOWN: Final = "card_key_unknown"  # proved a key, not this account's
CARD_NOT_AUTHENTICATED: Final = "card_not_authenticated"  # UID only (no PIV)
TAG_NOT_CARD: Final = "tag_not_card"  # a tag event: nothing a card could prove
REFUSAL_REASONS: Final = (
    CARD_ERROR,
    UNSUPPORTED_KEY,
    SIGNATURE_INVALID,
    CHALLENGE_STALE,
    CARD_KEY_UNKNOWN,
    CARD_NOT_AUTHENTICATED,
    TAG_NOT_CARD,
)

# Sends one command APDU, returns the response data and the status word.
type Transmit = Callable[[bytes], tuple[bytes, int]]


class CardError(Exception):
    """A card's answer cannot be used; ``reason`` is one of the reasons above."""

    def __init__(self, reason: str, message: str) -> None:
        """Keep the reason."""
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CardCertificate:
    """A card's CAK certificate: its DER, fingerprint and algorithm."""

    der: bytes
    fingerprint: str  # SHA-256 of the DER, upper-case hex
    algorithm: int
    public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey
    subject: str


@dataclass(frozen=True, slots=True)
class CardProof:
    """What a card proved at one read: the certificate, or why it did not."""

    certificate: CardCertificate | None = None
    failure: str | None = None

    @property
    def fingerprint(self) -> str | None:
        """The fingerprint of the key the card proved to hold (None: none)."""
        if self.failure is not None or self.certificate is None:
            return None
        return self.certificate.fingerprint


def fingerprint_of(der: bytes) -> str:
    """The SHA-256 fingerprint of a certificate (upper-case hex)."""
    return hashlib.sha256(der).hexdigest().upper()


def fingerprint_label(fingerprint: str) -> str:
    """How a fingerprint is shown: colon-separated byte pairs."""
    return ":".join(fingerprint[i : i + 2] for i in range(0, len(fingerprint), 2))


def exchange(transmit: Transmit, apdu: bytes) -> tuple[bytes, int]:
    """One command with its response chaining (61xx GET RESPONSE, 6Cxx Le)."""
    data, sw = transmit(apdu)
    if sw >> 8 == SW1_WRONG_LE:  # wrong Le: send again with the length the card has
        data, sw = transmit(apdu[:-1] + bytes([sw & 0xFF]))
    chunks = [data]
    size = len(data)
    for _ in range(MAX_CHAINED_RESPONSES):
        if sw >> 8 != SW1_MORE:
            break
        data, sw = transmit(bytes([0x00, 0xC0, 0x00, 0x00, sw & 0xFF]))
        chunks.append(data)
        size += len(data)
        if size > MAX_RESPONSE_BYTES:
            raise CardError(CARD_ERROR, "The card's answer is too long")
    else:
        raise CardError(CARD_ERROR, "The card's answer does not end")
    return b"".join(chunks), sw


def _tlv(tag: int, value: bytes) -> bytes:
    """A BER-TLV with a one-byte tag."""
    size = len(value)
    if size < _SHORT_LENGTH:
        length = bytes([size])
    elif size <= 0xFF:  # noqa: PLR2004 - one length byte after 0x81
        length = bytes([0x81, size])
    else:
        length = bytes([0x82]) + size.to_bytes(2, "big")
    return bytes([tag]) + length + value


def parse_tlv(data: bytes) -> dict[int, bytes]:
    """The top-level BER-TLV items of ``data`` (tag -> value; the first wins)."""
    items: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        tag = data[pos]
        pos += 1
        if tag & _MULTI_BYTE_TAG == _MULTI_BYTE_TAG:
            while pos < len(data) and data[pos] & 0x80:
                tag = (tag << 8) | data[pos]
                pos += 1
            if pos >= len(data):
                raise CardError(CARD_ERROR, "A data object is cut short")
            tag = (tag << 8) | data[pos]
            pos += 1
        if pos >= len(data):
            raise CardError(CARD_ERROR, "A data object has no length")
        size = data[pos]
        pos += 1
        if size & 0x80:
            count = size & 0x7F
            if count not in (1, 2) or pos + count > len(data):
                raise CardError(CARD_ERROR, "A data object's length is malformed")
            size = int.from_bytes(data[pos : pos + count], "big")
            pos += count
        if pos + size > len(data):
            raise CardError(CARD_ERROR, "A data object is longer than the answer")
        items.setdefault(tag, data[pos : pos + size])
        pos += size
    return items


def certificate_from_object(data: bytes) -> bytes:
    """The DER certificate inside a PIV certificate object (``53 {70, 71}``)."""
    inner = parse_tlv(parse_tlv(data).get(0x53, b""))
    der = inner.get(0x70)
    if not der:
        raise CardError(CARD_ERROR, "The card has no Card Authentication certificate")
    if inner.get(0x71, b"\x00")[:1] == b"\x01":  # CertInfo: gzip-compressed
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(der)) as unzipped:
                der = unzipped.read(MAX_CERTIFICATE_BYTES + 1)
        except (OSError, EOFError, zlib.error) as err:
            raise CardError(CARD_ERROR, "The compressed certificate is broken") from err
    if len(der) > MAX_CERTIFICATE_BYTES:
        raise CardError(CARD_ERROR, "The certificate is too long")
    return der


def load_certificate(der: bytes) -> CardCertificate:
    """Parse a CAK certificate; only keys a PIV card signs with are accepted."""
    if len(der) > MAX_CERTIFICATE_BYTES:
        raise CardError(CARD_ERROR, "The certificate is too long")
    try:
        cert = x509.load_der_x509_certificate(der)
        key = cert.public_key()
        subject = cert.subject.rfc4514_string()
    except ValueError as err:
        raise CardError(CARD_ERROR, "The card's certificate cannot be read") from err
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(
        key.curve, ec.SECP256R1
    ):
        algorithm = ALG_ECC_P256
    elif isinstance(key, ec.EllipticCurvePublicKey) and isinstance(
        key.curve, ec.SECP384R1
    ):
        algorithm = ALG_ECC_P384
    elif isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048:  # noqa: PLR2004
        algorithm = ALG_RSA_2048
    else:
        raise CardError(UNSUPPORTED_KEY, "The card's key is not P-256, P-384 or RSA")
    return CardCertificate(der, fingerprint_of(der), algorithm, key, subject)


def _hash(algorithm: int) -> hashes.HashAlgorithm:
    return hashes.SHA384() if algorithm == ALG_ECC_P384 else hashes.SHA256()


def _to_sign(cert: CardCertificate, nonce: bytes) -> bytes:
    """What the card signs: the nonce's digest (ECC) or its padded block (RSA)."""
    digest = hashlib.new(_hash(cert.algorithm).name, nonce).digest()
    if cert.algorithm != ALG_RSA_2048:
        return digest
    info = _SHA256_DIGEST_INFO + digest
    size = 256
    return b"\x00\x01" + b"\xff" * (size - 3 - len(info)) + b"\x00" + info


def authenticate_apdus(cert: CardCertificate, nonce: bytes) -> list[bytes]:
    """GENERAL AUTHENTICATE to key 9E for this challenge, chained in 255s."""
    template = _tlv(0x7C, _tlv(0x82, b"") + _tlv(0x81, _to_sign(cert, nonce)))
    chunks = [template[i : i + _CHUNK] for i in range(0, len(template), _CHUNK)]
    apdus = []
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        header = bytes([0x00 if last else 0x10, INS_AUTHENTICATE, cert.algorithm])
        apdu = header + bytes([KEY_CAK, len(chunk)]) + chunk
        apdus.append(apdu + b"\x00" if last else apdu)
    return apdus


def signature_from_response(data: bytes) -> bytes:
    """The signature in a GENERAL AUTHENTICATE answer (``7C {82}``)."""
    signature = parse_tlv(parse_tlv(data).get(0x7C, b"")).get(0x82)
    if not signature:
        raise CardError(CARD_ERROR, "The card's answer holds no signature")
    return signature


def verify(cert: CardCertificate, nonce: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is the certificate's key signing this challenge."""
    key = cert.public_key
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            digest = hashlib.new(_hash(cert.algorithm).name, nonce).digest()
            key.verify(signature, digest, ec.ECDSA(Prehashed(_hash(cert.algorithm))))
        else:
            key.verify(signature, nonce, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def proof_from_answer(cert: CardCertificate, nonce: bytes, answer: bytes) -> CardProof:
    """Check a card's GENERAL AUTHENTICATE answer to this challenge."""
    try:
        signature = signature_from_response(answer)
    except CardError as err:
        return CardProof(cert, err.reason)
    if not verify(cert, nonce, signature):
        return CardProof(cert, SIGNATURE_INVALID)
    return CardProof(cert)


def read_certificate(transmit: Transmit) -> CardCertificate | None:
    """Select PIV and read the CAK certificate; None: the card has no PIV."""
    _, sw = exchange(transmit, SELECT_PIV)
    if sw != SW_OK:
        return None
    data, sw = exchange(transmit, GET_CAK_CERTIFICATE)
    if sw != SW_OK:
        raise CardError(CARD_ERROR, "The card has no Card Authentication certificate")
    return load_certificate(certificate_from_object(data))


def authenticate(transmit: Transmit, nonce: bytes | None = None) -> CardProof | None:
    """Challenge the card on a reader (None: it offers no PIV application)."""
    try:
        cert = read_certificate(transmit)
    except CardError as err:
        return CardProof(None, err.reason)
    if cert is None:
        return None
    nonce = nonce if nonce is not None else secrets.token_bytes(NONCE_BYTES)
    answer, sw = b"", SW_OK
    try:
        for apdu in authenticate_apdus(cert, nonce):
            answer, sw = exchange(transmit, apdu)
            if sw != SW_OK:
                break
    except CardError as err:
        return CardProof(cert, err.reason)
    if sw != SW_OK:
        return CardProof(cert, CARD_ERROR)
    return proof_from_answer(cert, nonce, answer)


def card_refusal(
    required: bool,
    card_keys: Collection[str],
    proof: CardProof | None,
    *,
    at_card_reader: bool,
) -> str | None:
    """Why a scan may not act for an account (None: it may).

    Without the account's "authenticated card required" policy, any scan of
    its tag acts, as always. With it, only a card that just proved one of
    the account's enrolled keys does.
    """
    if not required:
        return None
    if proof is None:
        return CARD_NOT_AUTHENTICATED if at_card_reader else TAG_NOT_CARD
    if proof.failure is not None:
        return proof.failure
    if proof.fingerprint not in card_keys:
        return CARD_KEY_UNKNOWN
    return None


@dataclass(frozen=True, slots=True)
class _Challenge:
    reader: str
    user_id: str | None
    nonce: bytes
    certificate: CardCertificate
    expires: float


class ChallengeBook:
    """Challenges handed to bridges: each used once, within a short time."""

    def __init__(
        self,
        lifetime: float = 15.0,
        limit: int = 256,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Challenges live ``lifetime`` seconds; at most ``limit`` wait."""
        self.lifetime = lifetime
        self.limit = limit
        self._clock = clock
        self._open: OrderedDict[str, _Challenge] = OrderedDict()

    def issue(
        self, reader: str, user_id: str | None, cert: CardCertificate
    ) -> tuple[str, list[bytes]]:
        """A new challenge for the card on ``reader``: its id and the APDUs."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        challenge_id = secrets.token_urlsafe(16)
        self._open[challenge_id] = _Challenge(
            reader, user_id, nonce, cert, self._clock() + self.lifetime
        )
        while len(self._open) > self.limit:
            self._open.popitem(last=False)  # a flood drops the oldest
        return challenge_id, authenticate_apdus(cert, nonce)

    def answer(
        self, challenge_id: str, reader: str, user_id: str | None, answer: bytes
    ) -> CardProof:
        """Check a bridge's card answer; the challenge is spent either way."""
        challenge = self._open.pop(challenge_id, None)
        if (
            challenge is None
            or challenge.reader != reader
            or challenge.user_id != user_id
            or self._clock() > challenge.expires
        ):
            return CardProof(None, CHALLENGE_STALE)
        return proof_from_answer(challenge.certificate, challenge.nonce, answer)
