"""The endpoint that card readers at desk computers post to (the bridge).

``POST /api/hotdesk_phone/scan`` with ``{"reader": "<reader id>", "uid": "<hex>"}``
and a Home Assistant access token. The reader id must be bound to a desk phone
(the desk's card readers); the scan then goes the same way as a scan from a
reader on the Home Assistant host: a tag scan from the reader's device.

Answers: 200 with the desk; 400 for a malformed body; 401 without a valid token
(HA's auth); 404 for a reader that no desk has; 503 while the entry that has
the reader is not running (the bridge retries).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aiohttp import web

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from .const import CONF_READERS, DOMAIN, SUBENTRY_DESK, VIA_BRIDGE
from .directory import DirectoryError, validate_tag
from .readers import CardReaders, valid_reader_name

URL = f"/api/{DOMAIN}/scan"


@callback
def async_register_scan_view(hass: HomeAssistant) -> None:
    """Serve the endpoint (once for all entries)."""
    hass.http.register_view(ScanView())


def _configured(hass: HomeAssistant, reader: str) -> bool:
    """Whether a desk of any entry, loaded or not, has this reader."""
    return any(
        reader in sub.data.get(CONF_READERS, [])
        for entry in hass.config_entries.async_entries(DOMAIN)
        for sub in entry.subentries.values()
        if sub.subentry_type == SUBENTRY_DESK
    )


def _readers_with(hass: HomeAssistant, reader: str) -> CardReaders | None:
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is not ConfigEntryState.LOADED:
            continue
        readers: CardReaders = entry.runtime_data.hub.card_readers
        if readers.device_of(reader) is not None:
            return readers
    return None


class ScanView(HomeAssistantView):
    """A card read at a desk computer's reader."""

    url = URL
    name = f"api:{DOMAIN}:scan"
    requires_auth = True

    async def post(self, request: web.Request) -> web.Response:
        """Check the body, find the reader's desk, scan the tag."""
        hass = request.app[KEY_HASS]
        parsed = await self._parse(request)
        if isinstance(parsed, web.Response):
            return parsed
        reader, uid = parsed
        readers = _readers_with(hass, reader)
        if readers is None and _configured(hass, reader):
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
        await readers.async_scan(reader, uid, VIA_BRIDGE)
        return self.json(
            {
                "reader": reader,
                "uid": uid,
                "desk_id": desk.desk_id if desk else None,
                "desk": desk.name if desk else None,
            }
        )

    async def _parse(self, request: web.Request) -> tuple[str, str] | web.Response:
        """The reader id and normalised UID, or a 400 answer."""
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
        return reader, uid
