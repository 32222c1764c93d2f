"""Every entity: unique ids, translation keys, classes, devices and states.

The snapshot holds the fields that matter to users and automations, not the
registry's internals, so it reads the same on every supported HA version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .ami_server import AmiTestServer, transcript_events
from .conftest import ALICE


def _plain(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def describe(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    devices = dr.async_get(hass)
    described: dict[str, Any] = {}
    for entity in sorted(entities, key=lambda e: e.unique_id):
        device = devices.async_get(entity.device_id) if entity.device_id else None
        state = hass.states.get(entity.entity_id)
        assert state is not None
        described[entity.unique_id] = {
            "domain": entity.domain,
            "translation_key": entity.translation_key,
            "device_class": _plain(entity.device_class or entity.original_device_class),
            "entity_category": _plain(entity.entity_category),
            "has_entity_name": entity.has_entity_name,
            "config_subentry_id": getattr(entity, "config_subentry_id", None),
            "device": device.name if device else None,
            "device_model": device.model if device else None,
            "device_manufacturer": device.manufacturer if device else None,
            "device_entry_type": _plain(device.entry_type) if device else None,
            "via_hub": bool(device and device.via_device_id),
            "state": state.state,
            # 2026.10's attribute keys are StrEnum members (2025.4: str); syrupy
            # writes those as reprs. Keys are compared by their string value.
            "attributes": {
                str(k): v for k, v in state.attributes.items() if k != "friendly_name"
            },
        }
    return described


async def test_entities_idle(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    assert describe(hass, init_integration) == snapshot


async def test_call_event_entity_is_off_by_default(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Its logbook lines said only "detected an event" (issue 14)."""
    registry = er.async_get(hass)
    events = [
        e
        for e in er.async_entries_for_config_entry(registry, init_integration.entry_id)
        if e.domain == "event"
    ]
    assert events
    assert all(e.disabled_by is er.RegistryEntryDisabler.INTEGRATION for e in events)


async def test_which_entities_are_on_by_default(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Per desk: call state and login; per account: call state, missed calls,
    do not disturb. The Log out button, the Caller sensor (its data is in the
    call state's attributes) and the call event entity are off until a user
    turns them on: an office of 10,000 seats is not made to carry them.
    """
    registry = er.async_get(hass)
    entries = er.async_entries_for_config_entry(registry, init_integration.entry_id)
    off = {
        e.unique_id.partition("_")[2]
        for e in entries
        if e.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    }
    on = {e.unique_id.partition("_")[2] for e in entries if e.disabled_by is None}
    assert off == {"logout", "caller", "call"}
    assert on == {
        "pbx_connected",
        "active_calls",
        "desk_call_state",
        "logged_in_account",
        "account_call_state",
        "missed_calls",
        "do_not_disturb",
        # Safety: what an emergency call sends, and one in progress.
        "emergency_location",
        "emergency_call",
    }


async def test_entities_while_ringing(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    snapshot: SnapshotAssertion,
) -> None:
    events = transcript_events("call_missed.ami")
    ringing = events[
        : next(i for i, e in enumerate(events) if e.get("DialStatus") == "CANCEL")
    ]
    ami_server.push_events(ringing)
    await init_integration.runtime_data.hub.client.ping()
    await hass.async_block_till_done()
    described = describe(hass, init_integration)
    # The event entity's timestamp changes per run; its type does not.
    event = described["01ALICE_call"]
    assert event["state"] != "unknown"
    event["state"] = "<timestamp>"
    assert described == snapshot


async def test_device_models_in_has_language(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A German HA names the models in German; the actions still find desks."""
    hass.config.language = "de"
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    models = {
        device.model
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), mock_config_entry.entry_id
        )
    }
    assert models == {"PBX", "Tischtelefon", "Konto"}
    # The desk pickers of the actions list the model in each shipped language.
    services = (
        Path(__file__).parents[1] / "custom_components/hotdesk_phone/services.yaml"
    ).read_text(encoding="utf-8")
    assert services.count("model: Tischtelefon") == services.count("model: Desk phone")
    assert services.count("model: 桌面电话") == services.count("model: Desk phone") > 0


async def test_an_update_of_every_entity_can_be_awaited(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """``async_written`` returns once a pending update of all is written."""
    updates = init_integration.runtime_data.hub.updates
    told: list[str] = []
    remove = updates.async_add_listener(lambda: told.append("alice"), ALICE)
    await updates.async_written()  # nothing pending: at once
    assert told == []
    updates.async_update()  # every owner, in the loop's slices
    await updates.async_written()
    assert told == ["alice"]
    remove()
