"""The endpoint that card readers at desk computers post to (the bridge).

``POST /api/hotdesk_phone/scan`` with ``{"reader": "<reader id>", "uid": "<hex>",
"scan_id": "<optional, unique per tap>"}`` and a Home Assistant access token. The
reader id must be bound to a desk phone (the desk's card readers); the scan then
goes the same way as a scan from a reader on the Home Assistant host: a tag scan
from the reader's device, in the context of the token's user.

Who may post: an administrator's token for any reader; any other user's token
only for the readers of desks that name that user as their bridge user.

A PIV card (``piv``) at a bridge reader proves its key in two steps: the
bridge posts the card's certificate object to ``POST /api/hotdesk_phone/challenge``
(``{"reader": ..., "certificate": "<hex>"}``) and gets back a one-use challenge
as the GENERAL AUTHENTICATE commands to send the card; it then posts the scan
with ``"card": {"challenge_id": ..., "answer": "<hex>"}``, the card's answer.
Home Assistant made the challenge and checks the signature: the bridge carries
bytes and decides nothing.

Answers: 200 with the desk (also for a repeated ``scan_id``, applied once);
400 for a malformed body; 401 without a valid token (HA's auth); 403 for a
reader this token may not post for, the same for a reader that does not exist
(so reader ids cannot be probed); 404 for an unknown reader, to administrators
only; 503 while the entry that has the reader is not running (the bridge
retries).
"""

from __future__ import annotations

from collections import OrderedDict
from http import HTTPStatus
import re
from typing import Any, Final, Literal

from aiohttp import web

from homeassistant.auth.models import User
from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from .const import CONF_READER_USERS, CONF_READERS, DOMAIN, SUBENTRY_DESK, VIA_BRIDGE
from .desk_schema import valid_reader_name
from .directory import DirectoryError, validate_tag
from .piv import (
    MAX_RESPONSE_BYTES,
    CardError,
    CardProof,
    ChallengeBook,
    certificate_from_object,
    load_certificate,
)
from .readers import CardReaders
from .running import loaded_entries

URL = f"/api/{DOMAIN}/scan"
CHALLENGE_URL = f"/api/{DOMAIN}/challenge"
_CHALLENGE_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A GENERAL AUTHENTICATE answer: a signature in two TLVs (RSA-2048: ~262 bytes).
MAX_ANSWER_BYTES: Final = 1024
_HEX: Final = re.compile(r"(?:[0-9A-Fa-f]{2})+")
# Scan ids the bridge sends, remembered so that a retried post is applied once.
MAX_REMEMBERED_SCAN_IDS: Final = 1000
_SCAN_ID: Final = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


@callback
def async_register_scan_view(hass: HomeAssistant) -> None:
    """Serve the endpoints (once for all entries)."""
    challenges = ChallengeBook()
    hass.http.register_view(ScanView(challenges))
    hass.http.register_view(ChallengeView(challenges))


def _bound_users(hass: HomeAssistant, reader: str) -> set[str] | None:
    """The users bound to the desks that have this reader; None: no such reader.

    Read from the configuration, so it also answers while an entry is not
    running.
    """
    users: set[str] | None = None
    entries = 0
    for entry in hass.config_entries.async_entries(DOMAIN):
        found = False
        for sub in entry.subentries.values():
            if sub.subentry_type == SUBENTRY_DESK and reader in sub.data.get(
                CONF_READERS, []
            ):
                found = True
                users = (users or set()) | set(sub.data.get(CONF_READER_USERS, []))
        entries += found
    # At two sites' desks (saved before the forms refused that): the scan
    # would go to either, so no token is bound to it.
    return set() if entries > 1 else users


def _readers_with(hass: HomeAssistant, reader: str) -> CardReaders | None:
    """The card readers of the loaded entry that has this reader."""
    for entry, _hub in loaded_entries(hass):
        readers = entry.runtime_data.card_readers
        if readers.device_of(reader) is not None:
            return readers
    return None


def _forbidden(
    view: HomeAssistantView, hass: HomeAssistant, user: User, reader: str
) -> web.Response | None:
    """403 unless this user may post for this reader (admins: any reader)."""
    bound = _bound_users(hass, reader)
    if not user.is_admin and (bound is None or user.id not in bound):
        return view.json_message(
            f"This token may not post scans for reader {reader!r}: bind its "
            "user to the reader's desk phone in Home Assistant",
            HTTPStatus.FORBIDDEN,
        )
    return None


def _hex(value: Any, limit: int) -> bytes | None:
    """Bytes from a hex string of at most ``limit`` bytes (None: not one)."""
    if (
        not isinstance(value, str)
        or len(value) > 2 * limit
        or not _HEX.fullmatch(value)
    ):
        return None
    return bytes.fromhex(value)


def _card_answer(card: Any) -> tuple[str, bytes] | Literal[False] | None:
    """A scan's card answer: (challenge id, answer); None: none; False: malformed."""
    if card is None:
        return None
    if not isinstance(card, dict):
        return False
    challenge_id = card.get("challenge_id")
    answer = _hex(card.get("answer"), MAX_ANSWER_BYTES)
    if (
        not isinstance(challenge_id, str)
        or not _CHALLENGE_ID.fullmatch(challenge_id)
        or answer is None
    ):
        return False
    return challenge_id, answer


class ChallengeView(HomeAssistantView):
    """A one-use challenge for the PIV card on a bridge's reader."""

    url = CHALLENGE_URL
    name = f"api:{DOMAIN}:challenge"
    requires_auth = True

    def __init__(self, challenges: ChallengeBook) -> None:
        """Hand out challenges from the book the scan endpoint checks."""
        self._challenges = challenges

    async def post(self, request: web.Request) -> web.Response:
        """Check who asks and the certificate; answer with the challenge."""
        hass = request.app[KEY_HASS]
        user: User = request[KEY_HASS_USER]
        try:
            body: Any = await request.json()
        except ValueError:
            body = None
        reader = body.get("reader") if isinstance(body, dict) else None
        certificate = _hex(
            body.get("certificate") if isinstance(body, dict) else None,
            MAX_RESPONSE_BYTES,
        )
        if not isinstance(reader, str) or certificate is None:
            return self.json_message(
                'Expected {"reader": "<reader id>", "certificate": "<hex>"}',
                HTTPStatus.BAD_REQUEST,
            )
        reader = reader.strip()
        if not valid_reader_name(reader):
            return self.json_message(
                "The reader id is empty, too long or has control characters",
                HTTPStatus.BAD_REQUEST,
            )
        if (refused := _forbidden(self, hass, user, reader)) is not None:
            return refused
        try:
            cert = load_certificate(certificate_from_object(certificate))
        except CardError as err:
            return self.json(
                {"message": str(err), "reason": err.reason}, HTTPStatus.BAD_REQUEST
            )
        challenge_id, apdus = self._challenges.issue(reader, user.id, cert)
        return self.json(
            {"challenge_id": challenge_id, "apdus": [apdu.hex() for apdu in apdus]}
        )


class ScanView(HomeAssistantView):
    """A card read at a desk computer's reader."""

    url = URL
    name = f"api:{DOMAIN}:scan"
    requires_auth = True

    def __init__(self, challenges: ChallengeBook) -> None:
        """Start with no remembered scans."""
        self._challenges = challenges
        self._answered: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()

    async def post(self, request: web.Request) -> web.Response:
        """Check who posts and the body, find the reader's desk, scan the tag."""
        hass = request.app[KEY_HASS]
        user: User = request[KEY_HASS_USER]
        parsed = await self._parse(request)
        if isinstance(parsed, web.Response):
            return parsed
        reader, uid, scan_id, card = parsed
        if (refused := _forbidden(self, hass, user, reader)) is not None:
            return refused
        bound = _bound_users(hass, reader)
        if scan_id is not None and (answer := self._answered.get((reader, scan_id))):
            return self.json({**answer, "repeated": True})
        readers = _readers_with(hass, reader)
        if readers is None and bound is not None:
            # Set up but not running (the PBX is unreachable, or HA is starting):
            # the bridge keeps the scan and tries again.
            return self.json_message(
                f"Reader {reader!r} is configured, but Hot-desk phone is not "
                "running right now; try again later",
                HTTPStatus.SERVICE_UNAVAILABLE,
            )
        if readers is None:
            return self.json_message(
                f"Unknown reader {reader!r}: add it to a desk phone's card readers "
                "in Home Assistant (Settings > Devices & services > Hot-desk phone)",
                HTTPStatus.NOT_FOUND,
            )
        desk = readers.directory.desk_by_reader(reader)
        proof: CardProof | None = None
        if card is not None:  # spends the challenge: an answer counts once
            proof = self._challenges.answer(card[0], reader, user.id, card[1])
        await readers.async_scan(
            reader, uid, VIA_BRIDGE, Context(user_id=user.id), proof=proof
        )
        answer = {
            "reader": reader,
            "desk_id": desk.desk_id if desk else None,
            "desk": desk.name if desk else None,
        }
        if scan_id is not None:
            self._answered[(reader, scan_id)] = answer
            while len(self._answered) > MAX_REMEMBERED_SCAN_IDS:
                self._answered.popitem(last=False)
        return self.json(answer)

    async def _parse(
        self, request: web.Request
    ) -> tuple[str, str, str | None, tuple[str, bytes] | None] | web.Response:
        """The reader id, normalised UID, scan id and card answer, or a 400."""
        try:
            body: Any = await request.json()
        except ValueError:
            return self.json_message(
                'The body must be JSON: {"reader": "<reader id>", "uid": "<hex>"}',
                HTTPStatus.BAD_REQUEST,
            )
        if not isinstance(body, dict) or not all(
            isinstance(body.get(key), str) for key in ("reader", "uid")
        ):
            return self.json_message(
                'Expected {"reader": "<reader id>", "uid": "<hex>"} (both strings)',
                HTTPStatus.BAD_REQUEST,
            )
        reader = body["reader"].strip()
        if not valid_reader_name(reader):
            return self.json_message(
                "The reader id is empty, too long or has control characters",
                HTTPStatus.BAD_REQUEST,
            )
        try:
            uid = validate_tag(body["uid"])
        except DirectoryError:
            return self.json_message(
                "The uid is empty, too long or has a line break",
                HTTPStatus.BAD_REQUEST,
            )
        scan_id = body.get("scan_id")
        card = _card_answer(body.get("card"))
        problem = None
        if scan_id is not None and (
            not isinstance(scan_id, str) or not _SCAN_ID.fullmatch(scan_id)
        ):
            problem = "The scan_id must be 1-64 letters, digits or -_.:"
        elif card is False:
            problem = 'The card must be {"challenge_id": "<id>", "answer": "<hex>"}'
        if problem is not None or card is False:
            return self.json_message(problem or "", HTTPStatus.BAD_REQUEST)
        return reader, uid, scan_id, card
