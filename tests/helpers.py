"""Small helpers the HA-level tests share."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from custom_components.hotdesk_phone.const import DOMAIN
from custom_components.hotdesk_phone.hub import HotdeskHub

from .ami_server import AmiTestServer


def hub_of(entry: MockConfigEntry) -> HotdeskHub:
    """The running hub of a loaded entry."""
    return entry.runtime_data.hub  # type: ignore[no-any-return]


async def push(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: AmiTestServer,
    events: list[dict[str, str]],
) -> None:
    """Send events and wait until HA has handled them (a Ping orders it)."""
    server.push_events(events)
    await hub_of(entry).client.ping()
    await hass.async_block_till_done()


def device_of(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """The id of the entry's device identified by ``(DOMAIN, key)``."""
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id):
        if (DOMAIN, key) in device.identifiers:
            return device.id
    raise AssertionError(key)


def desk_device(hass: HomeAssistant, entry: MockConfigEntry, desk_id: str) -> str:
    """A desk phone's device id."""
    return device_of(hass, entry, desk_id)


def reader_device(hass: HomeAssistant, entry: MockConfigEntry, reader: str) -> str:
    """A card reader's device id."""
    return device_of(hass, entry, f"reader:{reader}")
