"""Issue 11 #2: AstDB values longer than one AMI line are never accepted.

Six desks with dial strings of 192 characters: Alice's four home desks make
a route of 771, a login at a fifth 964 (fits in 1,017), at a sixth 1,157.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, issue_registry as ir

from custom_components.hotdesk_phone.const import (
    CONF_DIAL_STRING,
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_TAGS,
    DOMAIN,
)
from custom_components.hotdesk_phone.directory import RouteTooLongError
from custom_components.hotdesk_phone.scans import ScanHandler

from .ami_server import AmiTestServer
from .conftest import ALICE, account_subentry
from .helpers import hub_of, relink

LONG_IDS = [f"01LONG{i}" for i in range(1, 7)]
L5, L6 = LONG_IDS[4], LONG_IDS[5]


def dial(index: int) -> str:
    return f"PJSIP/desk{index}-" + "x" * 180


def route(*indexes: int) -> str:
    return "&".join(dial(i) for i in indexes)


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    """Six long desks; Alice (101) rings the first four."""
    account = account_subentry(ALICE, "Alice", "101", [], ["tag-alice"])
    account["data"]["home_desks"] = LONG_IDS[:4]
    return [
        *(
            {
                "subentry_id": desk_id,
                "subentry_type": "desk",
                "title": f"Long {i}",
                "unique_id": None,
                "data": {CONF_NAME: f"Long {i}", CONF_DIAL_STRING: dial(i)},
            }
            for i, desk_id in enumerate(LONG_IDS, 1)
        ),
        account,
    ]


def issue(hass: HomeAssistant) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, "astdb_value_too_long_01ENTRY")


async def test_login_that_makes_route_too_long_is_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    hub = hub_of(init_integration)
    assert len(route(1, 2, 3, 4, 5)) == 964
    await hub.async_login(ALICE, L5)
    assert ami_server.astdb["hotdesk/route/101"] == route(1, 2, 3, 4, 5)
    logins = async_capture_events(hass, "hotdesk_phone_login")
    puts = len(ami_server.actions_named("DBPut"))
    with pytest.raises(RouteTooLongError) as err:
        await hub.async_login(ALICE, L6)
    assert err.value.placeholders == {
        "extension": "101",
        "length": "1157",
        "max": "1017",
    }
    await hass.async_block_till_done()
    # Refused before anything changed: no login, no AstDB write, no event.
    assert hub.logins == {L5: ALICE}
    assert len(ami_server.actions_named("DBPut")) == puts
    assert ami_server.astdb["hotdesk/route/101"] == route(1, 2, 3, 4, 5)
    assert not logins
    assert issue(hass) is None


@pytest.fixture
def stored_logins(hass_storage: dict[str, Any]) -> None:
    """Logins saved by an earlier run that make Alice's route too long."""
    since = "2026-11-23T08:00:00+00:00"
    hass_storage[f"{DOMAIN}.01ENTRY.logins"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.01ENTRY.logins",
        "data": {
            "logins": {
                L5: {"account_id": ALICE, "since": since},
                L6: {"account_id": ALICE, "since": since},
            }
        },
    }


@pytest.mark.usefixtures("stored_logins")
async def test_resync_keeps_old_value_and_raises_repair(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    ami_server.astdb["hotdesk/route/101"] = route(1, 2)  # what the PBX had
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    hub = hub_of(mock_config_entry)
    # Never deleted: the PBX keeps routing 101 by the old value.
    assert ami_server.astdb["hotdesk/route/101"] == route(1, 2)
    assert ami_server.astdb[f"hotdesk/login/{L6}"] == "101"
    assert ami_server.astdb[f"hotdesk/desk/{L6}"] == dial(6)
    assert not [a for a in ami_server.actions if a.get("Family") == "hotdesk/route"], (
        "the route family was cleared or written"
    )
    found = issue(hass)
    assert found is not None
    assert found.translation_placeholders == {"keys": "route/101"}
    # A PBX restart resyncs once, without failing and reconnecting again.
    await relink(hass, hub, ami_server)
    await asyncio.sleep(0.3)
    assert ami_server.logins == 2
    assert ami_server.astdb["hotdesk/route/101"] == route(1, 2)
    # Once it fits again it is written and the repair goes away.
    await hub.async_logout(L6)
    assert ami_server.astdb["hotdesk/route/101"] == route(1, 2, 3, 4, 5)
    assert issue(hass) is None


async def test_desk_form_refuses_too_long_dial_string(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.subentries.async_init(
        (mock_config_entry.entry_id, "desk"), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Huge", CONF_DIAL_STRING: "PJSIP/" + "a" * 4994},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_DIAL_STRING: "dial_string_too_long"}
    # A dial string that keeps every route within one AMI line is taken.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Fine", CONF_DIAL_STRING: "PJSIP/desk9"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_login_action_and_scan_that_make_route_too_long(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """The action says why in words (a validation error); a scan logs it."""
    hub = hub_of(init_integration)
    await hub.async_login(ALICE, L5)
    desk6 = next(
        device.id
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), init_integration.entry_id
        )
        if (DOMAIN, L6) in device.identifiers
    )
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "login", {"extension": "101", "desk": desk6}, blocking=True
        )
    assert err.value.translation_key == "route_too_long"
    assert hub.logins == {L5: ALICE}
    scans = ScanHandler(hub)
    await scans.async_handle_desk_scan(
        "tag-alice", hub.directory.desks[L6], None, "tag"
    )
    assert hub.logins == {L5: ALICE}
    assert ami_server.astdb["hotdesk/route/101"] == route(1, 2, 3, 4, 5)


async def test_account_form_refuses_home_desks_that_do_not_fit(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.subentries.async_init(
        (mock_config_entry.entry_id, "account"), context={"source": SOURCE_USER}
    )
    data = {
        CONF_NAME: "Dave",
        CONF_EXTENSION: "104",
        CONF_HOME_DESKS: LONG_IDS,  # 6 x 192 characters
        CONF_TAGS: [],
    }
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], data
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "route_too_long"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**data, CONF_HOME_DESKS: LONG_IDS[:5]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
