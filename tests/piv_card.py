"""A software PIV card for the tests: the Card Authentication Key in slot 9E.

It answers what a reader sends a PIV card at a door: SELECT of the PIV
application, GET DATA of the CAK certificate (5FC101, long answers in 61xx
chunks fetched with GET RESPONSE), and GENERAL AUTHENTICATE to key 9E (long
commands chained with CLA 0x10), signing with a key made here: ECC P-256,
P-384 or RSA-2048. ``replay`` makes it answer every challenge with an old
signature, as a recorded card would. ``PivVirtualCard`` puts it on a vpcd
reader (``pcsc_env``); ``transmit`` talks to it without PC/SC.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import NameOID

from .pcsc_env import GET_UID, PcscEnvironment, VirtualCard

PIV_AID: Final = bytes.fromhex("A000000308000010000100")
SW_OK: Final = b"\x90\x00"
SW_NOT_FOUND: Final = b"\x6a\x82"
SW_WRONG_DATA: Final = b"\x6a\x80"
SW_NOT_SUPPORTED: Final = b"\x6d\x00"
# A contactless PIV card's ATR (a YubiKey 5 NFC's, as PC/SC readers report it).
PIV_ATR: Final = bytes.fromhex("3B8D80018073C021C057597562694B657940")
KINDS: Final = {"p256": 0x11, "p384": 0x14, "rsa2048": 0x07}


def make_key(kind: str) -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
    """A new private key of this kind."""
    if kind == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "p384":
        return ec.generate_private_key(ec.SECP384R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def self_signed(
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, name: str
) -> bytes:
    """A CAK certificate (DER) for the key, as a badge issuer would make."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def _tlv(tag: bytes, value: bytes) -> bytes:
    size = len(value)
    if size < 0x80:
        length = bytes([size])
    elif size <= 0xFF:
        length = bytes([0x81, size])
    else:
        length = b"\x82" + size.to_bytes(2, "big")
    return tag + length + value


def _items(data: bytes) -> dict[int, bytes]:
    """One-byte-tag BER-TLV items (all a GENERAL AUTHENTICATE carries)."""
    items: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        tag, size = data[pos], data[pos + 1]
        pos += 2
        if size & 0x80:
            count = size & 0x7F
            size = int.from_bytes(data[pos : pos + count], "big")
            pos += count
        items[tag] = data[pos : pos + size]
        pos += size
    return items


class PivApplet:
    """The card's side of the APDUs; one instance is one card."""

    def __init__(self, kind: str = "p256", name: str = "Alice Martin") -> None:
        """A card with a new key of ``kind`` and its self-signed certificate."""
        self.kind = kind
        self.key = make_key(kind)
        self.certificate = self_signed(self.key, name)
        self.selected = False
        self.replay: bytes | None = None  # answer every challenge with this
        self.hidden = False  # no PIV application: a UID-only card
        self.signatures: list[bytes] = []  # the GENERAL AUTHENTICATE answers given
        self.challenges = 0
        self._pending = b""  # long answer still to fetch with GET RESPONSE
        self._chained = b""  # command data of CLA 0x10 parts

    def process(self, apdu: bytes) -> bytes:
        """Answer one command APDU (data + status word)."""
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[5 : 5 + apdu[4]] if len(apdu) > 5 else b""
        if ins == 0xC0:
            return self._chunk()
        self._pending = b""
        if ins == 0xA4 and p1 == 0x04:
            self.selected = (
                not self.hidden and len(body) >= 5 and PIV_AID.startswith(body)
            )
            return SW_OK if self.selected else SW_NOT_FOUND
        if not self.selected:
            return SW_NOT_SUPPORTED
        if ins == 0xCB and body == bytes.fromhex("5C035FC101"):
            obj = _tlv(b"\x70", self.certificate) + _tlv(b"\x71", b"\x00")
            return self._long(_tlv(b"\x53", obj + _tlv(b"\xfe", b"")))
        if ins == 0x87 and p2 == 0x9E:
            if cla & 0x10:
                self._chained += body
                return SW_OK
            data, self._chained = self._chained + body, b""
            if p1 != KINDS[self.kind]:
                return SW_WRONG_DATA
            return self._long(self._sign(data))
        return SW_NOT_SUPPORTED

    def _sign(self, template: bytes) -> bytes:
        challenge = _items(_items(template).get(0x7C, b"")).get(0x81, b"")
        self.challenges += 1
        if self.replay is not None:
            signature = self.replay
        elif isinstance(self.key, ec.EllipticCurvePrivateKey):
            algorithm = hashes.SHA384() if self.kind == "p384" else hashes.SHA256()
            signature = self.key.sign(challenge, ec.ECDSA(Prehashed(algorithm)))
        else:  # raw RSA on the block the reader padded, as the card does
            numbers = self.key.private_numbers()
            value = pow(
                int.from_bytes(challenge, "big"), numbers.d, numbers.public_numbers.n
            )
            signature = value.to_bytes(256, "big")
        self.signatures.append(signature)
        return _tlv(b"\x7c", _tlv(b"\x82", signature))

    def _long(self, data: bytes) -> bytes:
        """Up to 256 bytes now, 61xx while more waits for GET RESPONSE."""
        self._pending = data
        return self._chunk()

    def _chunk(self) -> bytes:
        now, self._pending = self._pending[:256], self._pending[256:]
        if not self._pending:
            return now + SW_OK
        return now + bytes([0x61, min(len(self._pending), 256) & 0xFF])

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """``piv.Transmit`` straight to the applet (no PC/SC)."""
        answer = self.process(apdu)
        return answer[:-2], int.from_bytes(answer[-2:], "big")


class PivVirtualCard(VirtualCard):
    """A contactless PIV card with a UID on a vpcd reader."""

    atr = PIV_ATR

    def __init__(
        self,
        env: PcscEnvironment,
        uid: str,
        slot: int = 0,
        applet: PivApplet | None = None,
    ) -> None:
        """A card with ``applet`` (a new P-256 one by default)."""
        super().__init__(env, uid, slot)
        self.applet = applet or PivApplet()

    def answer(self, apdu: bytes) -> bytes:
        """The reader's UID command, else the PIV applet."""
        if apdu == GET_UID:
            return self.uid + SW_OK
        return self.applet.process(apdu)
