"""Setup, unload, not-ready, auth-failed, reconnect."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util

from custom_components.hotdesk_phone.const import DOMAIN
from custom_components.hotdesk_phone.hub import UNAVAILABLE_AFTER

from .ami_server import AmiTestServer
from .helpers import wait_for


def entity_id(hass: HomeAssistant, unique_id: str, domain: str) -> str:
    found = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    assert found is not None, unique_id
    return found


async def test_setup_and_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    entry = init_integration
    assert entry.state is ConfigEntryState.LOADED
    connected = entity_id(hass, "01ENTRY_pbx_connected", "binary_sensor")
    assert hass.states.get(connected).state == "on"  # type: ignore[union-attr]
    # async_get_device(identifiers=...) is deprecated in 2026.10 (HA-COMPAT.md).
    device = next(
        (
            d
            for d in dr.async_entries_for_config_entry(dr.async_get(hass), "01ENTRY")
            if (DOMAIN, "01ENTRY") in d.identifiers
        ),
        None,
    )
    assert device is not None
    assert device.sw_version == "22.10.1"
    assert ami_server.sessions == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    await wait_for(hass, lambda: ami_server.sessions == 0)
    assert ami_server.actions_named("Logoff")


async def test_not_ready_when_unreachable(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    await ami_server.stop()
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_auth_failed_starts_reauth(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    ami_server.secret = "changed"
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]


async def test_entities_unavailable_while_pbx_down(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    caplog,
) -> None:  # type: ignore[no-untyped-def]
    hub = init_integration.runtime_data.hub
    hub.client.reconnect_min_delay = 0.05
    connected = entity_id(hass, "01ENTRY_pbx_connected", "binary_sensor")
    calls = entity_id(hass, "01ENTRY_active_calls", "sensor")
    assert hass.states.get(calls).state == "0"  # type: ignore[union-attr]
    await ami_server.stop()
    await wait_for(hass, lambda: hass.states.get(connected).state == "off")  # type: ignore[union-attr]
    # Available through the grace, unavailable once the link stays down.
    assert hass.states.get(calls).state == "0"  # type: ignore[union-attr]
    async_fire_time_changed(
        hass, dt_util.utcnow() + timedelta(seconds=UNAVAILABLE_AFTER - 1)
    )
    await hass.async_block_till_done()
    assert hass.states.get(calls).state == "0"  # type: ignore[union-attr]
    async_fire_time_changed(
        hass, dt_util.utcnow() + timedelta(seconds=UNAVAILABLE_AFTER + 1)
    )
    await hass.async_block_till_done()
    assert hass.states.get(calls).state == "unavailable"  # type: ignore[union-attr]
    ami_server.astdb.clear()
    await ami_server.restart()
    await wait_for(hass, lambda: hass.states.get(connected).state == "on", timeout=10)  # type: ignore[union-attr]
    assert hass.states.get(calls).state == "0"  # type: ignore[union-attr]
    # The AstDB was rewritten after the reconnect.
    assert ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk1&PJSIP/desk2"
    assert caplog.text.count("Lost the connection to the PBX") == 1
    assert caplog.text.count("Connection to the PBX is back") == 1


async def test_blip_writes_no_entity_state(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """A dropped link that comes back at once leaves the entities as they were.

    Only the link's own sensor and the emergency call sensor follow it; the
    desks' and accounts' entities stay available, and the resync finds
    nothing to change, so not one of their states is written, and they are
    unavailable only if the link stays down (above).
    """
    hub = init_integration.runtime_data.hub
    hub.client.reconnect_min_delay = 0.05
    connected = entity_id(hass, "01ENTRY_pbx_connected", "binary_sensor")
    registry = er.async_get(hass)
    ours = {
        e.entity_id
        for e in er.async_entries_for_config_entry(registry, init_integration.entry_id)
    }
    link_sensors = {
        connected,
        entity_id(hass, "01ENTRY_emergency_call", "binary_sensor"),
    }
    assert len(ours - link_sensors) > 10
    before = {e: hass.states.get(e) for e in ours}
    written: list[str] = []

    def on_state(event: Event) -> None:
        if event.data["entity_id"] in ours:
            written.append(event.data["entity_id"])

    hass.bus.async_listen(EVENT_STATE_CHANGED, on_state)
    ami_server.drop_connections()
    await wait_for(hass, lambda: hass.states.get(connected).state == "off")  # type: ignore[union-attr]
    await wait_for(hass, lambda: hass.states.get(connected).state == "on", timeout=10)  # type: ignore[union-attr]
    await hass.async_block_till_done()
    assert set(written) <= link_sensors, sorted(set(written) - link_sensors)
    assert {e: hass.states.get(e) for e in ours - link_sensors} == {
        e: before[e] for e in ours - link_sensors
    }


async def test_reconnect_auth_failure_starts_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    hub = init_integration.runtime_data.hub
    hub.client.reconnect_min_delay = 0.05
    hub.client.reconnect_max_delay = 0.1
    ami_server.secret = "rotated"
    ami_server.drop_connections()
    await wait_for(hass, lambda: bool(hass.config_entries.flow.async_progress()))
    flows = hass.config_entries.flow.async_progress()
    assert flows[0]["context"]["source"] == SOURCE_REAUTH
    await asyncio.sleep(0.3)
    # Still only one reauth flow, however often the retry is refused.
    assert len(hass.config_entries.flow.async_progress()) == 1


@pytest.mark.parametrize(
    ("action", "name"),
    [
        # The resync's writes (it reads the tree first, then puts what differs).
        ("dbput", "DBPut"),
        # A PBX that cannot list the tree gets it rewritten whole: cleared first.
        ("dbgettree,dbdeltree", "DBDelTree"),
    ],
)
async def test_missing_ami_rights_is_not_ready_with_reason(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    ami_server: AmiTestServer,
    action: str,
    name: str,
) -> None:
    for denied in action.split(","):
        ami_server.handlers[denied] = lambda *_: [
            {"Response": "Error", "Message": "Permission denied"}
        ]
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert (
        mock_config_entry.reason
        == f"The PBX refused {name}: Permission denied. Check the AMI user's read and write rights in manager.conf"
    )
    await wait_for(hass, lambda: ami_server.sessions == 0)
