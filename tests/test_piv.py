"""The PIV card check (piv.py) against the software PIV card, without PC/SC."""

from __future__ import annotations

import gzip

import pytest

from custom_components.hotdesk_phone import piv

from .piv_card import PivApplet, _tlv
from .test_bridge import bridge_mod


@pytest.mark.parametrize("kind", ["p256", "p384", "rsa2048"])
def test_a_card_proves_its_key(kind: str) -> None:
    """Each supported key signs the challenge; the proof names its certificate."""
    card = PivApplet(kind)
    proof = piv.authenticate(card.transmit)
    assert proof is not None
    assert proof.failure is None
    assert proof.fingerprint == piv.fingerprint_of(card.certificate)
    assert card.challenges == 1


def test_each_read_is_a_new_challenge() -> None:
    """Two reads send two different challenges, so two different signatures."""
    card = PivApplet("p256")
    piv.authenticate(card.transmit)
    piv.authenticate(card.transmit)
    assert card.signatures[0] != card.signatures[1]


def test_a_replayed_signature_fails() -> None:
    """A card that answers with an old signature proves nothing."""
    card = PivApplet("p256")
    piv.authenticate(card.transmit)
    card.replay = card.signatures[0]
    proof = piv.authenticate(card.transmit)
    assert proof is not None
    assert proof.failure == piv.SIGNATURE_INVALID
    assert proof.fingerprint is None


def test_a_card_with_another_key_behind_a_copied_certificate_fails() -> None:
    """A card that shows someone's certificate but holds its own key fails."""
    genuine, impostor = PivApplet("p256"), PivApplet("p256")
    impostor.certificate = genuine.certificate
    proof = piv.authenticate(impostor.transmit)
    assert proof is not None
    assert proof.failure == piv.SIGNATURE_INVALID


def test_a_card_without_piv_gives_no_proof() -> None:
    """A MIFARE card (no PIV application) is a UID-only card: None."""

    def transmit(apdu: bytes) -> tuple[bytes, int]:
        return b"", 0x6A82

    assert piv.authenticate(transmit) is None


def test_unsupported_key_is_refused() -> None:
    """An RSA-1024 (or any other) key is not accepted."""
    card = PivApplet("rsa2048")
    from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: PLC0415

    from .piv_card import self_signed  # noqa: PLC0415

    card.certificate = self_signed(
        rsa.generate_private_key(public_exponent=65537, key_size=1024),  # noqa: S505 - the weak key refused here
        "weak",
    )
    proof = piv.authenticate(card.transmit)
    assert proof is not None
    assert proof.failure == piv.UNSUPPORTED_KEY


@pytest.mark.parametrize(
    "answer",
    [
        b"",  # nothing
        b"\x53\x05\x70\x03\x01",  # shorter than it says
        b"\x53\x82\xff",  # a length cut short
        b"\x53\x02\x71\x00",  # no certificate
        b"\x53\x05\x70\x03abc",  # not a certificate
        b"\x53\x84\x00\x00\x00\x01\x00",  # a 4-byte length
    ],
)
def test_malformed_certificate_objects_are_card_errors(answer: bytes) -> None:
    """Garbage from a card is a clear card error, never an exception."""

    def transmit(apdu: bytes) -> tuple[bytes, int]:
        if apdu == piv.SELECT_PIV:
            return b"", 0x9000
        return answer, 0x9000

    proof = piv.authenticate(transmit)
    assert proof is not None
    assert proof.failure == piv.CARD_ERROR


def test_endless_response_chaining_stops() -> None:
    """A card that always says "more" (61xx) is cut off."""

    def transmit(apdu: bytes) -> tuple[bytes, int]:
        if apdu == piv.SELECT_PIV:
            return b"", 0x9000
        return b"x" * 200, 0x61FF

    proof = piv.authenticate(transmit)
    assert proof is not None
    assert proof.failure == piv.CARD_ERROR


def test_a_compressed_certificate_is_read() -> None:
    """CertInfo 01: the certificate is gzip-compressed on the card."""
    card = PivApplet("p256")
    packed = gzip.compress(card.certificate)
    obj = _tlv(b"\x53", _tlv(b"\x70", packed) + _tlv(b"\x71", b"\x01"))
    assert piv.certificate_from_object(obj) == card.certificate


def test_rsa_commands_are_chained() -> None:
    """RSA-2048's 256-byte block does not fit one short APDU: CLA 10 first."""
    card = PivApplet("rsa2048")
    cert = piv.load_certificate(card.certificate)
    apdus = piv.authenticate_apdus(cert, b"n" * 32)
    assert [apdu[0] for apdu in apdus] == [0x10, 0x00]
    # The bridge passes them to the card (it sends nothing else HA asks).
    assert all(bridge_mod._is_authenticate(apdu) for apdu in apdus)
    assert not bridge_mod._is_authenticate(piv.GET_CAK_CERTIFICATE)


def test_challenge_book_spends_each_challenge_once() -> None:
    """A challenge answers once, for its reader and user, before it expires."""
    now = [100.0]
    book = piv.ChallengeBook(lifetime=10, clock=lambda: now[0])
    card = PivApplet("p256")
    cert = piv.load_certificate(card.certificate)

    def answer_for(apdus: list[bytes]) -> bytes:
        piv.exchange(card.transmit, piv.SELECT_PIV)
        for apdu in apdus:
            data, _ = piv.exchange(card.transmit, apdu)
        return data

    challenge_id, apdus = book.issue("desk-3", "user-1", cert)
    answer = answer_for(apdus)
    assert book.answer(challenge_id, "desk-3", "user-1", answer).failure is None
    # The same answer again: a replay.
    replay = book.answer(challenge_id, "desk-3", "user-1", answer)
    assert replay.failure == piv.CHALLENGE_STALE

    challenge_id, apdus = book.issue("desk-3", "user-1", cert)
    answer = answer_for(apdus)
    assert book.answer(challenge_id, "desk-4", "user-1", answer).failure == (
        piv.CHALLENGE_STALE
    )
    challenge_id, apdus = book.issue("desk-3", "user-1", cert)
    answer = answer_for(apdus)
    assert book.answer(challenge_id, "desk-3", "user-2", answer).failure == (
        piv.CHALLENGE_STALE
    )
    challenge_id, apdus = book.issue("desk-3", "user-1", cert)
    answer = answer_for(apdus)
    now[0] += 11
    assert book.answer(challenge_id, "desk-3", "user-1", answer).failure == (
        piv.CHALLENGE_STALE
    )


def test_challenge_book_is_bounded() -> None:
    """A flood of challenge requests keeps only the newest ``limit``."""
    book = piv.ChallengeBook(limit=3)
    cert = piv.load_certificate(PivApplet("p256").certificate)
    ids = [book.issue("r", None, cert)[0] for _ in range(5)]
    assert book.answer(ids[0], "r", None, b"").failure == piv.CHALLENGE_STALE
    assert book.answer(ids[4], "r", None, b"").failure == piv.CARD_ERROR


@pytest.mark.parametrize(
    ("required", "keys", "proof", "at_reader", "reason"),
    [
        (False, set(), None, False, None),
        (True, {"K"}, None, True, piv.CARD_NOT_AUTHENTICATED),
        (True, {"K"}, None, False, piv.TAG_NOT_CARD),
        (
            True,
            {"K"},
            piv.CardProof(None, piv.SIGNATURE_INVALID),
            True,
            "signature_invalid",
        ),
    ],
)
def test_card_refusal(
    required: bool,
    keys: set[str],
    proof: piv.CardProof | None,
    at_reader: bool,
    reason: str | None,
) -> None:
    """The policy: off accepts anything; on needs a proof of an enrolled key."""
    assert piv.card_refusal(required, keys, proof, at_card_reader=at_reader) == reason


def test_card_refusal_checks_the_enrolled_key() -> None:
    """A proved key that is not the account's is refused; its own is accepted."""
    cert = piv.load_certificate(PivApplet("p256").certificate)
    proof = piv.CardProof(cert)
    assert piv.card_refusal(True, {"OTHER"}, proof, at_card_reader=True) == (
        piv.CARD_KEY_UNKNOWN
    )
    assert (
        piv.card_refusal(True, {cert.fingerprint}, proof, at_card_reader=True) is None
    )
