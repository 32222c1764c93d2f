"""Live changes: a subentry added, changed or removed is applied in place.

The AMI link stays up (one login for the whole test), AstDB is written as a
diff (no DBDelTree after the first rewrite), ringing calls keep ringing and
stay claimable, and no change is lost however fast changes follow.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from homeassistant.components.tag import async_scan_tag
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er

from custom_components.hotdesk_phone.const import (
    CONF_AUTO_LOGOUT_HOURS,
    CONF_DIAL_STRING,
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_SCANNERS,
    CONF_TAGS,
    DOMAIN,
)

from .ami_server import AmiTestServer
from .conftest import ALICE, CAROL, DESK_IDS, account_subentry, desk_subentry
from .helpers import (
    AFTER_REDIRECT,
    BEFORE_REDIRECT,
    hub_of,
    push,
    redirect_then,
    relink,
)

D1, D2, D3, D4 = DESK_IDS


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    """Each desk has a scanner device; 101 rings desks 1+2, 102 desks 1+4."""
    return [
        *(desk_subentry(i, [f"scanner-{i}"]) for i in range(1, 5)),
        account_subentry(ALICE, "Alice", "101", [1, 2], ["tag-alice"]),
        account_subentry(CAROL, "Carol", "102", [1, 4], ["tag-carol"]),
    ]


def state(hass: HomeAssistant, unique_id: str, domain: str = "sensor") -> Any:
    entity_id = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    assert entity_id is not None, unique_id
    return hass.states.get(entity_id)


async def flow(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    kind: str,
    data: dict[str, Any],
    subentry_id: str | None = None,
) -> Any:
    """Run one subentry form to its end, as the UI (or a script) does."""
    context: dict[str, Any] = {"source": SOURCE_USER}
    if subentry_id is not None:
        context = {"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id}
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, kind), context=context
    )
    return await hass.config_entries.subentries.async_configure(result["flow_id"], data)


def rewrites(server: AmiTestServer) -> int:
    """How often the whole tree was rewritten (each rewrite clears families)."""
    return len(server.actions_named("DBDelTree"))


async def test_change_keeps_link_and_ringing_call(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    entry = init_integration
    hub = hub_of(entry)
    ended = async_capture_events(hass, "hotdesk_phone_call_ended")
    claimed = async_capture_events(hass, "hotdesk_phone_call_claimed")
    await push(hass, entry, ami_server, BEFORE_REDIRECT)
    assert state(hass, f"{ALICE}_account_call_state").state == "ringing"
    full = rewrites(ami_server)
    # Alice's home desks change while her call rings at desks 1 and 2.
    result = await flow(
        hass,
        entry,
        "account",
        {
            CONF_NAME: "Alice",
            CONF_EXTENSION: "101",
            CONF_HOME_DESKS: [D3],
            CONF_TAGS: ["tag-alice"],
        },
        ALICE,
    )
    assert result["type"] is FlowResultType.ABORT
    await hass.async_block_till_done()
    assert ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk3"
    # The link was never closed, the tree not rewritten, the hub the same.
    assert ami_server.logins == 1
    assert ami_server.actions_named("Logoff") == []
    assert rewrites(ami_server) == full
    assert hub_of(entry) is hub
    # The call keeps ringing where it rang, and stays claimable.
    assert ended == []
    call_state = state(hass, f"{ALICE}_account_call_state")
    assert call_state.state == "ringing"
    assert call_state.attributes["ringing_desks"] == ["Desk 1", "Desk 2"]
    ami_server.handlers["redirect"] = redirect_then(AFTER_REDIRECT)
    await async_scan_tag(hass, "tag-alice", "scanner-4")
    await hass.async_block_till_done()
    await hub.client.ping()
    await hass.async_block_till_done()
    assert [r["Exten"] for r in ami_server.actions_named("Redirect")] == [D4]
    assert [e.data["desk_id"] for e in claimed] == [D4]


async def test_change_the_pbx_refuses_is_written_after_the_next_connect(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refused DBPut is logged; the resync after the next connect writes it."""
    entry = init_integration
    hub = hub_of(entry)
    before = ami_server.astdb["hotdesk/route/101"]
    ami_server.handlers["dbput"] = lambda *_: [
        {"Response": "Error", "Message": "Failed to update entry"}
    ]
    change = {
        CONF_NAME: "Alice",
        CONF_EXTENSION: "101",
        CONF_HOME_DESKS: [D3],
        CONF_TAGS: ["tag-alice"],
    }
    await flow(hass, entry, "account", change, ALICE)
    await hass.async_block_till_done()
    assert ami_server.astdb["hotdesk/route/101"] == before
    assert "The PBX refused an AstDB update" in caplog.text
    # The PBX takes writes again; the link drops and comes back.
    del ami_server.handlers["dbput"]
    await relink(hass, hub, ami_server)
    assert ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk3"


async def test_hundred_accounts_back_to_back_all_routed(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    entry = init_integration
    for i in range(100):
        result = await flow(
            hass,
            entry,
            "account",
            {
                CONF_NAME: f"Seat {i}",
                CONF_EXTENSION: str(200 + i),
                CONF_HOME_DESKS: [DESK_IDS[i % 4]],
            },
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    missing = [
        200 + i
        for i in range(100)
        if ami_server.astdb.get(f"hotdesk/route/{200 + i}") != f"PJSIP/desk{i % 4 + 1}"
    ]
    assert missing == []
    assert ami_server.logins == 1
    hub = hub_of(entry)
    assert len(hub.directory.accounts) == 102
    # Each has its entities.
    seats = [s for s in entry.subentries.values() if s.title.startswith("Seat ")]
    assert len(seats) == 100
    for sub in seats:
        assert state(hass, f"{sub.subentry_id}_account_call_state").state == "idle"


async def test_add_and_remove_desk_in_place(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    entry = init_integration
    full = rewrites(ami_server)
    # The new desk's phone is on the PBX, registered and in a call already.
    ami_server.endpoints.append("desk-3f-12")
    ami_server.device_states["PJSIP/desk-3f-12"] = "INUSE"
    result = await flow(
        hass,
        entry,
        "desk",
        {CONF_NAME: "3F 12", CONF_DIAL_STRING: "PJSIP/desk-3f-12", CONF_SCANNERS: []},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    desk_id = next(
        s.subentry_id
        for s in entry.subentries.values()
        if s.title == "3F 12 (PJSIP/desk-3f-12)"
    )
    assert ami_server.astdb[f"hotdesk/desk/{desk_id}"] == "PJSIP/desk-3f-12"
    # Its state is asked from the PBX at once, not "unknown" until it changes.
    assert state(hass, f"{desk_id}_desk_call_state").state == "in_call"
    registry = dr.async_get(hass)
    devices = {
        key: device
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
        for domain, key in device.identifiers
        if domain == DOMAIN
    }
    assert devices[desk_id].via_device_id == devices[entry.entry_id].id
    assert devices[desk_id].name == "3F 12"
    # The hub writes the new desk's entities (those HA added) from now on.
    hub = hub_of(entry)
    assert f"{desk_id}_desk_call_state" in {
        e.unique_id for e in hub.updates.entities_of(desk_id)
    }

    # Removing Carol's desk 4 leaves her ringing at desk 1; removing Carol
    # deletes her route; both remove their devices and entities.
    assert hass.config_entries.async_remove_subentry(entry, D4)
    await hass.async_block_till_done()
    assert ami_server.astdb["hotdesk/route/102"] == "PJSIP/desk1"
    assert "hotdesk/desk/" + D4 not in ami_server.astdb
    assert "hotdesk/deskof/PJSIP/desk4" not in ami_server.astdb
    assert hass.config_entries.async_remove_subentry(entry, CAROL)
    await hass.async_block_till_done()
    assert "hotdesk/route/102" not in ami_server.astdb
    keys = {
        key
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
        for domain, key in device.identifiers
        if domain == DOMAIN
    }
    assert D4 not in keys
    assert CAROL not in keys
    ent = er.async_get(hass)
    assert ent.async_get_entity_id("sensor", DOMAIN, f"{CAROL}_caller") is None
    assert CAROL not in hub_of(entry).directory.accounts
    # Nothing of theirs is left for the hub to write.
    assert hub.updates.entities_of(D4) == []
    assert hub.updates.entities_of(CAROL) == []
    assert ami_server.logins == 1
    assert rewrites(ami_server) == full


async def test_removed_home_desk_skips_account_and_brings_it_back(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    entry = init_integration
    # Alice rings desks 1+2; without both she has no desk (a repair says so).
    for desk in (D1, D2):
        assert hass.config_entries.async_remove_subentry(entry, desk)
    await hass.async_block_till_done()
    hub = hub_of(entry)
    assert ALICE not in hub.directory.accounts
    assert hub.accounts_without_desk == ["Alice"]
    assert "hotdesk/route/101" not in ami_server.astdb
    assert ami_server.astdb["hotdesk/route/102"] == "PJSIP/desk4"
    alice = hass.states.get(
        er.async_get(hass).async_get_entity_id(
            "sensor", DOMAIN, f"{ALICE}_account_call_state"
        )
        or ""
    )
    assert alice is None or alice.state == "unavailable"
    # Her entities went as a reload would drop them, from the hub too.
    assert hub.updates.entities_of(ALICE) == []
    # Given a desk again, Alice is back, routed, with her entities.
    result = await flow(
        hass,
        entry,
        "account",
        {CONF_NAME: "Alice", CONF_EXTENSION: "101", CONF_HOME_DESKS: [D3]},
        ALICE,
    )
    assert result["type"] is FlowResultType.ABORT
    await hass.async_block_till_done()
    assert ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk3"
    assert hub.accounts_without_desk == []
    assert state(hass, f"{ALICE}_account_call_state").state == "idle"
    assert f"{ALICE}_account_call_state" in {
        e.unique_id for e in hub.updates.entities_of(ALICE)
    }
    assert ami_server.logins == 1


async def test_login_of_removed_desk_ends(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    entry = init_integration
    hub = hub_of(entry)
    await hub.async_login(ALICE, D3)
    assert (
        ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk1&PJSIP/desk2&PJSIP/desk3"
    )
    assert hass.config_entries.async_remove_subentry(entry, D3)
    await hass.async_block_till_done()
    assert hub.logins == {}
    assert ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk1&PJSIP/desk2"
    assert f"hotdesk/login/{D3}" not in ami_server.astdb


async def test_options_apply_without_reconnect(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    entry = init_integration
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_AUTO_LOGOUT_HOURS: 2}
    )
    await hass.async_block_till_done()
    assert ami_server.logins == 1
    hub = hub_of(entry)
    await hub.async_login(ALICE, D3)
    assert D3 in hub.login_book._timers  # the new option counts at once


async def test_connection_change_reloads(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    entry = init_integration
    hub = hub_of(entry)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "username": ami_server.username}
    )  # unchanged data: nothing happens
    await hass.async_block_till_done()
    assert hub_of(entry) is hub
    # The link changes through the reconfigure flow, which reloads the entry
    # (once: the update listener leaves a changed link to it).
    ami_server.username = "other"
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "host": "127.0.0.1",
            "port": ami_server.port,
            "username": "other",
            "password": ami_server.secret,
        },
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert hub_of(entry) is not hub
    # The flow's own check, then the one setup.
    assert ami_server.logins == 3


async def test_renamed_account_renames_its_device_only(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A new name is its device's name; other devices are not written."""
    entry = init_integration
    registry = dr.async_get(hass)

    def devices() -> dict[str, dr.DeviceEntry]:
        return {
            key: device
            for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
            for domain, key in device.identifiers
            if domain == DOMAIN
        }

    before = devices()
    assert before[ALICE].name == "Alice"
    updates = async_capture_events(hass, dr.EVENT_DEVICE_REGISTRY_UPDATED)
    alice = entry.subentries[ALICE]
    hass.config_entries.async_update_subentry(
        entry, alice, data={**alice.data, CONF_NAME: "Alice Smith"}
    )
    await hass.async_block_till_done()
    after = devices()
    assert after[ALICE].name == "Alice Smith"
    assert after[CAROL] is before[CAROL]
    assert [e.data["device_id"] for e in updates] == [after[ALICE].id]
    # A title of its own (no new data) names nothing: the device shows the
    # plain name from the data.
    hass.config_entries.async_update_subentry(
        entry, entry.subentries[ALICE], title="Alice Smith (101)"
    )
    await hass.async_block_till_done()
    assert devices()[ALICE].name == "Alice Smith"
