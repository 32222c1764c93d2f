"""Small helpers the HA-level tests share."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.const import DOMAIN
from custom_components.hotdesk_phone.hub import HotdeskHub

from .ami_server import AmiTestServer, transcript_events

type Events = list[dict[str, str]]


def split(
    events: Events, predicate: Callable[[dict[str, str]], bool]
) -> tuple[Events, Events]:
    """Events before the first one matching ``predicate``, and from it on."""
    at = next(i for i, e in enumerate(events) if predicate(e))
    return events[:at], events[at:]


# The recorded claim: everything before the PBX moved the call, and after.
BEFORE_REDIRECT, AFTER_REDIRECT = split(
    transcript_events("call_claimed_answered.ami"),
    lambda e: e.get("Context") == "hotdesk-claim",
)


def retarget(events: Events, phone: str) -> Events:
    """The recorded claim (to desk 4) as if it had gone to another desk phone.

    A test that claims at desk 3 must replay a claim to desk 3: with desk 4's
    events the tracker would see the call arrive at desk 4, and which of the
    reply and the events came first would decide the outcome.
    """
    return [{k: v.replace("desk4", phone) for k, v in e.items()} for e in events]


def redirect_then(events: Events) -> Any:
    """A Redirect handler that answers like Asterisk and then moves the call."""

    def handler(server: AmiTestServer, session: Any, action: dict[str, str]) -> Events:
        asyncio.get_running_loop().call_soon(server.push_events, events)
        return [{"Response": "Success", "Message": "Redirect successful"}]

    return handler


async def wait_for(
    hass: HomeAssistant, predicate: Callable[[], Any], timeout: float = 10.0
) -> None:
    """Wait until ``predicate()`` holds, letting HA work in between."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)
            await hass.async_block_till_done()


async def wait_connected(
    hub: HotdeskHub, connected: bool = True, timeout: float = 5.0
) -> None:
    """Wait until the hub is (or, with ``connected=False``, is no longer) up."""
    async with asyncio.timeout(timeout):
        while hub.connected is not connected:
            await asyncio.sleep(0.01)


async def relink(hass: HomeAssistant, hub: HotdeskHub, server: AmiTestServer) -> None:
    """Drop the AMI link; return once the hub is logged in again and resynced."""
    hub.client.reconnect_min_delay = 0.05
    logins = server.logins
    hub.last_resync_seconds = None
    server.drop_connections()
    await server.wait_for_login(logins + 1)
    await wait_connected(hub)
    await wait_for(hass, lambda: hub.last_resync_seconds is not None)


def make_client(server: AmiTestServer, **kwargs: Any) -> AmiClient:
    """An AMI client for the test server, reconnecting quickly."""
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.port,
        "username": server.username,
        "secret": server.secret,
        "reconnect_min_delay": 0.05,
        "reconnect_max_delay": 0.2,
    }
    options.update(kwargs)
    return AmiClient(**options)


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


def midday_zone(utc_now: datetime) -> str:
    """A fixed-offset time zone in which it is about noon at ``utc_now``.

    Bookings are for today only, and the booking tests book up to an hour
    ahead: in a fixed zone (UTC, or the harness's US/Pacific) such a booking
    runs past midnight for an hour of every day.
    """
    offset = 12 - utc_now.hour  # local = UTC + offset, -11 .. +12 hours
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"
