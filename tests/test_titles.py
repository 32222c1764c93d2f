"""Subentry titles show the number; devices keep the plain name.

The integration page's rows show only a subentry's title: an account reads
"Alice (101)", a desk "Desk 1 (PJSIP/desk1)". Entries stored before
(version 1.1, titled with the plain name) are migrated once at setup.
"""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr

from custom_components.hotdesk_phone.config_flow import HotdeskConfigFlow
from custom_components.hotdesk_phone.const import (
    CONF_DIAL_STRING,
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    DOMAIN,
)
from custom_components.hotdesk_phone.titles import subentry_title

from .conftest import ALICE, CAROL, DESK_IDS


def test_subentry_title() -> None:
    assert subentry_title("account", {"name": "Alice", "extension": "101"}) == (
        "Alice (101)"
    )
    assert subentry_title("desk", {"name": "Desk 3", "dial_string": "PJSIP/desk3"}) == (
        "Desk 3 (PJSIP/desk3)"
    )
    # Another kind of subentry, or no number: the name alone.
    assert subentry_title("site", {"name": "Berlin", "extension": "1"}) == "Berlin"
    assert subentry_title("desk", {"name": "Desk 9"}) == "Desk 9"


def _device_names(hass: HomeAssistant) -> dict[str, str | None]:
    return {
        key: device.name
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), "01ENTRY")
        for domain, key in device.identifiers
        if domain == DOMAIN
    }


async def test_old_titles_are_migrated_devices_keep_the_name(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    # The shared fixture is a 1.1 entry: titles are the plain names.
    assert (mock_config_entry.version, mock_config_entry.minor_version) == (1, 1)
    assert mock_config_entry.subentries[ALICE].title == "Alice"
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    entry = mock_config_entry
    assert entry.state is ConfigEntryState.LOADED
    assert entry.minor_version == HotdeskConfigFlow.MINOR_VERSION == 2
    assert {sub.subentry_id: sub.title for sub in entry.subentries.values()} == {
        **{d: f"Desk {i} (PJSIP/desk{i})" for i, d in enumerate(DESK_IDS, 1)},
        ALICE: "Alice (101)",
        CAROL: "Carol (102)",
    }
    names = _device_names(hass)
    assert [names[d] for d in DESK_IDS] == ["Desk 1", "Desk 2", "Desk 3", "Desk 4"]
    assert (names[ALICE], names[CAROL]) == ("Alice", "Carol")


async def test_a_newer_entry_is_not_migrated(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=dict(mock_config_entry.data),
        version=2,
        entry_id="01NEWER",
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR


async def test_reconfigure_keeps_title_and_device_name_apart(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    entry = init_integration
    alice = entry.subentries[ALICE]
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "account"),
        context={"source": "reconfigure", "subentry_id": ALICE},
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Alice B.",
            CONF_EXTENSION: "111",
            CONF_HOME_DESKS: list(alice.data[CONF_HOME_DESKS]),
        },
    )
    assert result["type"] is FlowResultType.ABORT
    await hass.async_block_till_done()
    assert entry.subentries[ALICE].title == "Alice B. (111)"
    assert _device_names(hass)[ALICE] == "Alice B."
    # A desk renamed: the device takes the new plain name.
    desk = entry.subentries[DESK_IDS[0]]
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "desk"),
        context={"source": "reconfigure", "subentry_id": DESK_IDS[0]},
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Window desk", CONF_DIAL_STRING: desk.data[CONF_DIAL_STRING]},
    )
    assert result["type"] is FlowResultType.ABORT
    await hass.async_block_till_done()
    assert entry.subentries[DESK_IDS[0]].title == "Window desk (PJSIP/desk1)"
    assert _device_names(hass)[DESK_IDS[0]] == "Window desk"
