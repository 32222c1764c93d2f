"""Hot-desk phone: an office phone number that follows its person."""

from __future__ import annotations

import asyncio

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
)
from homeassistant.helpers.typing import ConfigType

from .ami_errors import AmiActionError, AmiAuthError, AmiConnectionError
from .ami_tls import AmiCertificateError
from .board import async_register_board
from .bookings import Bookings
from .busy_lamps import BusyLamps
from .call_log import CallLog
from .const import DOMAIN, SUBENTRY_ACCOUNT, SUBENTRY_DESK
from .hub import HotdeskHub, async_read_directory, loop_slices
from .live import LiveChanges, update_orphan_issue
from .mailboxes import Mailboxes
from .media_source import async_register_voicemail_view
from .models import HotdeskConfigEntry, HotdeskRuntimeData
from .notifications import CallNotifier
from .presence import PresenceWatcher
from .queues import QueueFollower
from .scan_view import async_register_scan_view
from .scans import ScanHandler
from .services import async_setup_services
from .sites import async_join
from .titles import subentry_title
from .voicemail_services import async_setup_voicemail_services

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.SWITCH,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
# Devices linked to the PBX's device before the event loop gets a turn.
DEVICE_BATCH = 500


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, the card reader endpoint and the board card once."""
    async_setup_services(hass)
    async_register_scan_view(hass)
    async_register_voicemail_view(hass)
    async_setup_voicemail_services(hass)
    await async_register_board(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: HotdeskConfigEntry) -> bool:
    """1.1 -> 1.2: account and desk titles show the extension or dial string.

    Entries made before 1.2 titled a subentry with the plain name; the rows
    on the integration's page then showed neither number. Devices keep the
    plain name (entity.py), so only the titles change. In the shared
    slices of loop time: an office of 10,000 seats has 20,000 titles.
    """
    if entry.version > 1:
        return False  # made by a newer version of the integration
    if entry.minor_version < 2:  # noqa: PLR2004
        slices = loop_slices(hass)
        for sub in list(entry.subentries.values()):
            await slices.pause()
            if sub.subentry_type not in (SUBENTRY_ACCOUNT, SUBENTRY_DESK) or (
                entry.subentries.get(sub.subentry_id) is not sub
            ):
                continue  # another kind, or changed while the loop had a turn
            title = subentry_title(sub.subentry_type, sub.data)
            if title and title != sub.title:
                hass.config_entries.async_update_subentry(entry, sub, title=title)
        hass.config_entries.async_update_entry(entry, minor_version=2)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: HotdeskConfigEntry) -> bool:
    """Connect to the PBX and set up the platforms."""
    hub = HotdeskHub(hass, entry, await async_read_directory(hass, entry))
    # Listening before the first connect: an emergency call in progress is
    # found in that connect's resync and must raise the alarm.
    stop_alerts = hub.emergency_alerts.async_start()
    try:
        await _async_start_hub(hub)
    except BaseException:
        stop_alerts()
        raise
    entry.async_on_unload(stop_alerts)
    # From here on, whatever fails unloads what was set up (async_on_unload).
    entry.async_on_unload(hub.async_stop)
    # Linked sites see this PBX's visitors at their desks while it runs.
    entry.async_on_unload(await async_join(hub))
    scans = ScanHandler(hub)
    entry.async_on_unload(scans.async_start())
    bookings = scans.bookings = Bookings(hass, hub)
    entry.async_on_unload(bookings.async_start())
    # Each part starts in a turn of its own: in an office of 10,000 seats
    # each one's start is a pass over every account or desk.
    for part in (CallNotifier, PresenceWatcher, QueueFollower, BusyLamps, Mailboxes):
        await asyncio.sleep(0)
        entry.async_on_unload(part(hass, hub).async_start())
    call_log = CallLog(hass, entry)
    await call_log.async_load()
    entry.async_on_unload(call_log.async_stop)
    entry.async_on_unload(call_log.async_start(hub))
    live = LiveChanges(hass, entry, hub, scans.card_readers)
    entry.runtime_data = HotdeskRuntimeData(
        hub=hub,
        card_readers=scans.card_readers,
        live=live,
        call_log=call_log,
        bookings=bookings,
    )
    entry.async_on_unload(live.async_stop_pcsc)
    await live.async_start_pcsc()
    # The PBX's device exists before any desk or account links to it.
    hub.device_id = (
        dr.async_get(hass)
        .async_get_or_create(
            config_entry_id=entry.entry_id,
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="Asterisk",
            model="PBX",
            sw_version=hub.asterisk_version,
        )
        .id
    )
    update_orphan_issue(hass, entry, hub)

    async def _stop(_: Event) -> None:
        # HA stops without unloading entries: close what holds resources.
        await hub.async_stop()
        await live.async_stop_pcsc()

    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop))
    # Account and desk changes apply in place; the PBX connection reloads.
    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await _async_link_and_prune_devices(hass, entry)
    # Anything changed while this setup ran (the listener skipped it).
    await live.async_apply()
    return True


async def _async_start_hub(hub: HotdeskHub) -> None:
    """Connect, turning the client's failures into HA's setup errors.

    A failed start has already closed the AMI session (hub.async_start);
    any other exception propagates as a setup error.
    """
    try:
        await hub.async_start()
    except AmiCertificateError as err:
        hub.certificate_refused(err)
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="certificate_mismatch"
        ) from err
    except AmiAuthError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except AmiConnectionError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"error": str(err)},
        ) from err
    except AmiActionError as err:
        # Typically an AMI user without the rights the README lists.
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="action_refused",
            translation_placeholders={"action": err.action, "reason": err.reason},
        ) from err


async def async_unload_entry(hass: HomeAssistant, entry: HotdeskConfigEntry) -> bool:
    """Unload the platforms; the rest stops through ``async_on_unload``."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def _async_entry_updated(hass: HomeAssistant, entry: HotdeskConfigEntry) -> None:
    """Apply a change in place; a changed PBX connection is the flow's reload."""
    if entry.state is not ConfigEntryState.LOADED:
        return  # not running: the next setup reads the entry as it is
    live = entry.runtime_data.live
    if dict(entry.data) != live.connection:
        # Only the reauth and reconfigure flows change it, and they reload
        # the entry themselves (async_update_reload_and_abort): once.
        return
    await live.async_apply()


async def _async_link_and_prune_devices(
    hass: HomeAssistant, entry: HotdeskConfigEntry
) -> None:
    """Hang desks and accounts under the PBX device; remove stale devices.

    Devices made now are under the PBX's already (``entity.py``); this links
    those of older versions. A device already under the PBX's is left alone
    (a restart changes nothing); the loop lets the event loop run every ``DEVICE_BATCH``
    devices (20,000 in an office of 10,000 seats).
    """
    registry = dr.async_get(hass)
    devices = dr.async_entries_for_config_entry(registry, entry.entry_id)
    hub_device = next(
        (d for d in devices if (DOMAIN, entry.entry_id) in d.identifiers), None
    )
    wanted = {
        entry.entry_id,
        *entry.subentries,
        *entry.runtime_data.card_readers.device_keys,
    }
    for count, device in enumerate(devices):
        if count and not count % DEVICE_BATCH:
            await asyncio.sleep(0)
        keys = {key for domain, key in device.identifiers if domain == DOMAIN}
        if not keys & wanted:
            registry.async_update_device(
                device.id, remove_config_entry_id=entry.entry_id
            )
        elif hub_device is not None and hub_device.id not in (
            device.id,
            device.via_device_id,
        ):
            registry.async_update_device(device.id, via_device_id=hub_device.id)
