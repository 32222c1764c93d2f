"""Card readers without a running pcscd: desk form, devices, scans, no pyscard."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from homeassistant.components.tag import async_scan_tag
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from custom_components.hotdesk_phone import pcsc
from custom_components.hotdesk_phone.const import CONF_READERS, DOMAIN
from custom_components.hotdesk_phone.desk_schema import is_pcsc_reader

from .ami_server import AmiTestServer
from .conftest import ALICE, CAROL, DESK_IDS, account_subentry, desk_subentry
from .helpers import hub_of
from .pcsc_env import PcscEnvironment

D1, D2, D3, D4 = DESK_IDS
LOCAL = "ACS ACR122U PICC Interface 00 00"


def desk_with_readers(index: int, readers: list[str]) -> dict[str, Any]:
    desk = desk_subentry(index)
    desk["data"][CONF_READERS] = readers
    return desk


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    """A host reader at desk 2 (not plugged in), a bridge reader at desk 3."""
    return [
        desk_subentry(1),
        desk_with_readers(2, [LOCAL]),
        desk_with_readers(3, ["pc-desk-3"]),
        desk_subentry(4),
        account_subentry(ALICE, "Alice", "101", [1, 2], ["tag-alice", "04:A2:3B:C1"]),
        account_subentry(CAROL, "Carol", "102", [1, 4], ["tag-carol"]),
    ]


def reader_devices(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    return {
        key.removeprefix("reader:"): device.id
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), entry.entry_id
        )
        for domain, key in device.identifiers
        if domain == DOMAIN and key.startswith("reader:")
    }


def test_pcsc_reader_names() -> None:
    assert is_pcsc_reader("ACS ACR122U PICC Interface 00 00")
    assert is_pcsc_reader("Virtual PCD 00 01")
    assert not is_pcsc_reader("pc-desk-3")
    assert not is_pcsc_reader("desk 12")


async def test_reader_devices_follow_the_desks(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    entry = init_integration
    devices = reader_devices(hass, entry)
    assert set(devices) == {LOCAL, "pc-desk-3"}
    registry = dr.async_get(hass)
    hub_device = next(
        d
        for d in dr.async_entries_for_config_entry(registry, entry.entry_id)
        if (DOMAIN, entry.entry_id) in d.identifiers
    )
    for device_id in devices.values():
        device = registry.async_get(device_id)
        assert device is not None
        assert device.model == "Card reader"
        assert device.via_device_id == hub_device.id
    # Moving the bridge reader to desk 4 (desk 3 loses it) keeps its device;
    # removing the host reader removes its device.
    desk2 = entry.subentries[D2]
    desk3 = entry.subentries[D3]
    desk4 = entry.subentries[D4]
    hass.config_entries.async_update_subentry(
        entry, desk2, data={**desk2.data, CONF_READERS: []}
    )
    hass.config_entries.async_update_subentry(
        entry, desk3, data={**desk3.data, CONF_READERS: []}
    )
    hass.config_entries.async_update_subentry(
        entry, desk4, data={**desk4.data, CONF_READERS: ["pc-desk-3"]}
    )
    await hass.async_block_till_done()
    after = reader_devices(hass, entry)
    assert after == {"pc-desk-3": devices["pc-desk-3"]}
    assert hub_of(entry).directory.desk_by_reader("pc-desk-3").desk_id == D4  # type: ignore[union-attr]


async def test_tag_scanned_by_reader_device_uses_its_desk(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Any tag_scanned from a reader's device counts at the reader's desk."""
    logins = async_capture_events(hass, "hotdesk_phone_login")
    devices = reader_devices(hass, init_integration)
    await async_scan_tag(hass, "tag-carol", devices["pc-desk-3"])
    await async_scan_tag(hass, "tag-alice", devices[LOCAL])
    await hass.async_block_till_done()
    assert [(e.data["account_id"], e.data["desk_id"]) for e in logins] == [
        (CAROL, D3),
        (ALICE, D2),
    ]
    readers = init_integration.runtime_data.card_readers
    assert readers.via_of_device(devices["pc-desk-3"]) == "bridge"
    assert readers.via_of_device(devices[LOCAL]) == "pcsc"
    assert await readers.async_scan("pc-unknown", "01", "bridge") is False


async def test_without_pyscard(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    ami_server: AmiTestServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No pyscard: no monitor (a warning names the readers), no host readers."""
    monkeypatch.setattr(pcsc, "scard", None)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.runtime_data.pcsc is None
    assert "pyscard is not installed" in caplog.text
    assert LOCAL in caplog.text
    assert pcsc.list_host_readers() == []
    assert await pcsc.async_host_readers(hass) == []
    # The desk form still takes bridge reader ids (for a phone on the PBX).
    ami_server.endpoints.append("desk5")
    result = await hass.config_entries.subentries.async_init(
        (mock_config_entry.entry_id, "desk"), context={"source": "user"}
    )
    readers = next(v for k, v in result["data_schema"].schema.items() if k == "readers")
    assert readers.config["options"] == []
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Desk 5", "dial_string": "PJSIP/desk5", CONF_READERS: ["pc-5"]},
    )
    assert result["type"] == "create_entry"


async def test_no_pcscd_no_host_readers(
    hass: HomeAssistant, pcsc_env: PcscEnvironment
) -> None:
    """pyscard there, pcscd not: the host has no readers to offer."""
    pcsc_env.stop()
    assert await pcsc.async_host_readers(hass) == []


async def test_desk_form_reader_errors(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, "desk"), context={"source": "user"}
    )
    base = {"name": "Desk 5", "dial_string": "PJSIP/desk5"}
    readers = next(v for k, v in result["data_schema"].schema.items() if k == "readers")
    assert readers.config["custom_value"] is True
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**base, CONF_READERS: ["pc\x07bell"]}
    )
    assert result["errors"] == {CONF_READERS: "invalid_reader"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**base, CONF_READERS: ["x" * 201]}
    )
    assert result["errors"] == {CONF_READERS: "invalid_reader"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**base, CONF_READERS: ["pc-desk-3"]}
    )
    assert result["errors"] == {CONF_READERS: "duplicate_reader"}
    # Changing desk 3 itself keeps its reader (no duplicate with itself).
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, "desk"),
        context={"source": "reconfigure", "subentry_id": D3},
    )
    readers = next(v for k, v in result["data_schema"].schema.items() if k == "readers")
    assert "pc-desk-3" in readers.config["options"]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Desk 3", "dial_string": "PJSIP/desk3", CONF_READERS: ["pc-desk-3"]},
    )
    assert result["type"] == "abort"
    assert result["reason"] == "reconfigure_successful"
