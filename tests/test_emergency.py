"""Emergency calls: desk locations and ELINs, their AstDB keys, the alarm.

The pure rules first (what an admin may type, what the PBX gets), then the
integration against the AMI test server: the keys written at connect and
after a change of the desk's area, the event and the critical push when the
PBX dials an emergency number, and that nothing of hot-desking takes part.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.config_entries import SOURCE_RECONFIGURE, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    floor_registry as fr,
    issue_registry as ir,
)

from custom_components.hotdesk_phone.const import CONF_EMERGENCY, DOMAIN
from custom_components.hotdesk_phone.desk_places import DeskPlace
from custom_components.hotdesk_phone.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.hotdesk_phone.directory import DirectoryError
from custom_components.hotdesk_phone.emergency import (
    CONTEXT_ELIN,
    CONTEXT_EMERGENCY,
    EmergencyCalls,
    EmergencySettings,
    check_extensions,
    default_numbers,
    desk_data,
    desk_from_data,
    resolve,
    settings_from_options,
    settings_tree,
    validate_desk,
    validate_numbers,
    validate_route,
)
from custom_components.hotdesk_phone.location import CivicAddress, DeskEmergency

from .ami_server import AmiTestServer
from .conftest import ALICE, CAROL, DESK_IDS, standard_subentries
from .helpers import desk_device, hub_of, push, wait_for
from .mobile_app import PushServer, register_apps

D1, D2 = DESK_IDS[0], DESK_IDS[1]

OFFICE = {
    "country": "US",
    "region": "IL",
    "city": "Chicago",
    "street": "Main Street",
    "house_number": "100",
    "postcode": "60601",
    "building": "HQ",
}


# The pure rules.


def test_location_info_is_pidf_elements_with_blanks_quoted() -> None:
    address = CivicAddress(**OFFICE, floor="3", room="301")
    assert address.location_info() == (
        'country=US,A1=IL,A3=Chicago,A6="Main Street",HNO=100,PC=60601,'
        "BLD=HQ,FLR=3,ROOM=301"
    )
    assert address.text() == (
        "Room 301, Floor 3, HQ, 100 Main Street, 60601 Chicago, IL, US"
    )
    assert CivicAddress().location_info() == ""
    # Asterisk drops a bare & from the PIDF-LO: it goes as the XML entity.
    assert CivicAddress(building="R&D").location_info() == "BLD=R&amp;D"
    assert CivicAddress(building="R&D").text() == "R&D"


def test_desk_fields_checked_each_with_its_reason() -> None:
    emergency, errors = validate_desk(
        {
            "elin": "+1 312 555 0100",
            "country": "de",
            "street": "Hauptstraße",
            "floor": "  3  ",
        }
    )
    assert errors == {}
    assert emergency.elin == "+13125550100"
    assert emergency.address.country == "DE"
    assert emergency.address.street == "Hauptstraße"
    assert emergency.address.floor == "3"
    _, errors = validate_desk(
        {
            "elin": "911-CALL",
            "country": "USA",
            "room": "R1, east",
            "building": "x" * 61,
            "city": "Ch\x00icago",
            "street": "<b>Main</b>",
        }
    )
    assert errors == {
        "elin": "invalid_elin",
        "country": "invalid_country",
        "room": "invalid_location_field",
        "building": "location_field_too_long",
        "city": "invalid_location_field",
        "street": "invalid_location_field",
    }


def test_stored_desk_data_round_trips() -> None:
    emergency, _ = validate_desk({"elin": "3125550100", "room": "12"})
    assert desk_data(emergency) == {"elin": "3125550100", "room": "12"}
    assert desk_from_data(desk_data(emergency)) == emergency
    assert desk_from_data(None) == DeskEmergency()


def test_numbers_route_and_extensions() -> None:
    assert default_numbers("us") == ("911", "933")
    assert default_numbers("DE") == ("112", "110")
    assert default_numbers("") == ("112",)
    assert validate_numbers("911, 933 911") == ("911", "933")
    with pytest.raises(DirectoryError, match="invalid_emergency_number"):
        validate_numbers("911, 9a1")
    with pytest.raises(DirectoryError, match="no_emergency_number"):
        validate_numbers(" , ")
    assert validate_route("PJSIP/{number}@carrier") == "PJSIP/{number}@carrier"
    assert validate_route("") == ""
    for bad in ("PJSIP/911@carrier", "PJSIP/{number}{number}", "PJSIP/{number}&x"):
        with pytest.raises(DirectoryError, match="invalid_emergency_route"):
            validate_route(bad)
    check_extensions(["911"], ["101", "102"])
    with pytest.raises(DirectoryError, match="extension_is_emergency"):
        check_extensions(["112", "110"], ["101", "112"])


def test_desk_own_data_then_area_then_entry() -> None:
    settings = EmergencySettings(
        elin="3125550100", address=CivicAddress(**OFFICE, floor="1")
    )
    area = CivicAddress(floor="3", room="Sales")
    elin, address = resolve(DeskEmergency(), settings, area)
    assert elin == "3125550100"
    assert (address.floor, address.room, address.city) == ("3", "Sales", "Chicago")
    own = DeskEmergency(elin="3125550199", address=CivicAddress(room="301"))
    elin, address = resolve(own, settings, area)
    assert (elin, address.floor, address.room) == ("3125550199", "3", "301")


def test_settings_from_options_defaults_to_the_country() -> None:
    settings = settings_from_options(None, "us")
    assert settings.numbers == ("911", "933")
    assert settings.address.country == "US"
    assert settings.callback_minutes == 180
    assert settings_tree(settings) == {
        "enumber/911": "1",
        "enumber/933": "1",
        "emergency/callback": "10800",
        "emergency/location": "country=US",
    }
    stored = settings_from_options(
        {
            "numbers": ["112"],
            "dial_template": "PJSIP/{number}@carrier",
            "callback_minutes": 60,
            "elin": "+4930123456",
            "country": "DE",
            "city": "Berlin",
            "contacts": ["mobile_app_front_desk"],
        },
        "US",
    )
    assert settings_tree(stored) == {
        "enumber/112": "1",
        "emergency/callback": "3600",
        "emergency/dial": "PJSIP/{number}@carrier",
        "emergency/elin": "+4930123456",
        "emergency/location": "country=DE,A3=Berlin",
    }
    assert stored.contacts == ("mobile_app_front_desk",)


def _dial_begin(channel: str, context: str, exten: str, dest: str) -> dict[str, str]:
    return {
        "Event": "DialBegin",
        "Channel": channel,
        "CallerIDNum": "3125550100",
        "Context": context,
        "Exten": exten,
        "DestChannel": dest,
        "DialString": "911@carrier",
    }


def test_emergency_calls_from_the_event_stream() -> None:
    calls = EmergencyCalls()
    begin = _dial_begin(
        "PJSIP/desk1-00000001", CONTEXT_EMERGENCY, "911", "PJSIP/carrier-00000002"
    )
    call = calls.handle("DialBegin", begin)
    assert call is not None
    assert (call.device, call.number, call.ended) == ("PJSIP/desk1", "911", False)
    assert calls.handle("DialBegin", begin) is None  # the same call
    # A hot-desk call is none of its business.
    inbound = _dial_begin(
        "Local/s@test-caller-00000003;1", "hotdesk-inbound", "101", "PJSIP/desk1-4"
    )
    assert calls.handle("DialBegin", inbound) is None
    ended = calls.handle("Hangup", {"Channel": "PJSIP/desk1-00000001"})
    assert ended is not None
    assert ended.ended
    assert calls.active == {}
    # The emergency centre's callback rings the desk: the desk is the leg.
    back = calls.handle(
        "DialBegin",
        _dial_begin(
            "PJSIP/carrier-00000009", CONTEXT_ELIN, "3125550100", "PJSIP/desk1-0000a"
        ),
    )
    assert back is not None
    assert (back.callback, back.device) == (True, "PJSIP/desk1")


def test_resync_adopts_running_calls_and_ends_gone_ones() -> None:
    calls = EmergencyCalls()
    calls.handle(
        "DialBegin",
        _dial_begin("PJSIP/desk2-1", CONTEXT_EMERGENCY, "911", "PJSIP/carrier-2"),
    )
    changed = calls.resync(
        [
            ("PJSIP/desk1-7", CONTEXT_EMERGENCY, "933", "3125550100"),
            ("Local/s@x-1;1", "hotdesk-inbound", "101", "5550100"),
        ]
    )
    assert {(c.channel, c.ended) for c in changed} == {
        ("PJSIP/desk1-7", False),
        ("PJSIP/desk2-1", True),
    }
    assert set(calls.active) == {"PJSIP/desk1-7"}
    assert calls.resync([("PJSIP/desk1-7", CONTEXT_EMERGENCY, "933", "")]) == []


# The integration.


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """The office's address and route; the front desk is told."""
    return {
        CONF_EMERGENCY: {
            **OFFICE,
            "numbers": ["911", "933"],
            "dial_template": "PJSIP/{number}@carrier",
            "callback_minutes": 180,
            "elin": "3125550100",
            "contacts": ["front_desk", "mobile_app_security_phone"],
        }
    }


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    """Desk 2 has its own ELIN and room."""
    subs = standard_subentries()
    subs[1]["data"][CONF_EMERGENCY] = {"elin": "3125550102", "room": "Corner office"}
    return subs


async def test_desk_locations_written_and_follow_the_area(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    # Left from before a restart: a number and a route no longer set.
    ami_server.astdb["hotdesk/enumber/112"] = "1"
    ami_server.astdb["hotdesk/elin/01GONE"] = "3125550000"
    floor = fr.async_get(hass).async_create("Third floor")
    area = ar.async_get(hass).async_create("Sales", floor_id=floor.floor_id)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    db = ami_server.astdb
    assert db["hotdesk/enumber/911"] == db["hotdesk/enumber/933"] == "1"
    assert "hotdesk/enumber/112" not in db
    assert "hotdesk/elin/01GONE" not in db
    assert db["hotdesk/emergency/dial"] == "PJSIP/{number}@carrier"
    assert db["hotdesk/emergency/callback"] == "10800"
    assert db[f"hotdesk/elin/{D1}"] == "3125550100"
    assert db[f"hotdesk/elin/{D2}"] == "3125550102"
    assert db[f"hotdesk/eloc/{D2}"] == (
        'country=US,A1=IL,A3=Chicago,A6="Main Street",HNO=100,PC=60601,BLD=HQ,'
        'ROOM="Corner office"'
    )
    # Desk 1 moves into the Sales area on the third floor: floor and room follow.
    dr.async_get(hass).async_update_device(
        desk_device(hass, mock_config_entry, D1), area_id=area.id
    )
    await wait_for(
        hass,
        lambda: "FLR=" in db.get(f"hotdesk/eloc/{D1}", ""),
    )
    assert db[f"hotdesk/eloc/{D1}"].endswith('FLR="Third floor",ROOM=Sales')
    # The desk's device page shows it.
    registry = er.async_get(hass)
    entity_id = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{D1}_emergency_location"
    )
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state.startswith("Sales, Third floor, HQ")
    assert state.attributes["elin"] == "3125550100"
    # A rewrite after a reconnect puts the emergency keys before clearing
    # anything: a 911 during the rewrite still finds its number.
    first = len(ami_server.actions)
    hub = hub_of(mock_config_entry)
    await hub.astdb.async_rewrite()
    names = [
        (a.get("Action"), a.get("Family"))
        for a in ami_server.actions[first:]
        if a.get("Action") in ("DBPut", "DBDelTree")
    ]
    first_clear = next(i for i, (n, _) in enumerate(names) if n == "DBDelTree")
    emergency_puts = [
        i
        for i, (n, f) in enumerate(names)
        if n == "DBPut" and f.split("/")[1] in ("enumber", "elin", "eloc", "emergency")
    ]
    assert emergency_puts
    assert max(emergency_puts) < first_clear
    assert not any(
        f.split("/")[1] in ("enumber", "elin", "eloc", "emergency")
        for n, f in names
        if n == "DBDelTree"
    )


async def test_emergency_call_alarms_and_stays_out_of_hot_desking(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    notify = async_mock_service(hass, "notify", "front_desk")
    alarms = async_capture_events(hass, "hotdesk_phone_emergency_call")
    ended = async_capture_events(hass, "hotdesk_phone_emergency_call_ended")
    incoming = async_capture_events(hass, "hotdesk_phone_incoming_call")
    hub = hub_of(init_integration)
    await hub.async_login(ALICE, D1)
    await hub.async_set_dnd(ALICE, True)
    await push(
        hass,
        init_integration,
        ami_server,
        [_dial_begin("PJSIP/desk1-0000000a", CONTEXT_EMERGENCY, "911", "PJSIP/c-1")],
    )
    assert len(alarms) == 1
    data = alarms[0].data
    assert data["desk_id"] == D1
    assert data["desk"] == "Desk 1"
    assert data["number"] == "911"
    assert data["elin"] == "3125550100"
    assert data["location"] == "HQ, 100 Main Street, 60601 Chicago, IL, US"
    assert data["logged_in_account"] == "Alice"
    assert data["logged_in_extension"] == "101"
    # Do not disturb on Alice's account does not mute the front desk.
    assert len(notify) == 1
    push_data = notify[0].data
    assert "Desk 1" in push_data["message"]
    assert "Alice" in push_data["message"]
    assert push_data["data"]["push"]["interruption-level"] == "critical"
    assert push_data["data"]["ttl"] == 0
    # No account call, nothing to claim, nothing missed.
    assert incoming == []
    assert hub.tracker.call_for_account(ALICE) is None
    sensor = hass.states.get("binary_sensor.asterisk_127_0_0_1_emergency_call")
    assert sensor is not None
    assert sensor.state == "on"
    assert sensor.attributes["calls"][0]["desk"] == "Desk 1"
    # Logging out at the desk changes nothing about the call.
    await hub.async_logout(D1)
    assert hub.emergencies.active
    await push(
        hass,
        init_integration,
        ami_server,
        [{"Event": "Hangup", "Channel": "PJSIP/desk1-0000000a", "Cause": "16"}],
    )
    assert len(ended) == 1
    assert ended[0].data["desk_id"] == D1
    sensor = hass.states.get("binary_sensor.asterisk_127_0_0_1_emergency_call")
    assert sensor is not None
    assert sensor.state == "off"


async def test_options_step_checks_and_saves(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    flow = await hass.config_entries.options.async_init(init_integration.entry_id)
    flow = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "emergency"}
    )
    assert flow["step_id"] == "emergency"
    bad = await hass.config_entries.options.async_configure(
        flow["flow_id"],
        {
            "numbers": "911, 101",
            "dial_template": "PJSIP/911@carrier",
            "callback_minutes": 180,
            "elin": "12",
            "country": "USA",
        },
    )
    assert bad["type"] is FlowResultType.FORM
    assert bad["errors"] == {
        "numbers": "extension_is_emergency",
        "dial_template": "invalid_emergency_route",
        "elin": "invalid_elin",
        "country": "invalid_country",
    }
    done = await hass.config_entries.options.async_configure(
        flow["flow_id"],
        {
            "numbers": "911",
            "dial_template": "PJSIP/{number}@carrier",
            "callback_minutes": 60,
            "elin": "3125550100",
            **OFFICE,
            "contacts": ["notify.front_desk"],
        },
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    stored = init_integration.options[CONF_EMERGENCY]
    assert stored["numbers"] == ["911"]
    assert stored["contacts"] == ["front_desk"]
    # Applied live: the PBX has the new settings, the old number is gone.
    db = ami_server.astdb
    await wait_for(hass, lambda: db.get("hotdesk/emergency/callback") == "3600")
    assert "hotdesk/enumber/933" not in db
    assert db["hotdesk/enumber/911"] == "1"
    assert db[f"hotdesk/elin/{D1}"] == "3125550100"


async def _reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, kind: str, subentry_id: str
) -> Any:
    """Open a subentry's change form (the same call on every HA line)."""
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, kind),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )


async def test_desk_form_section_checked_and_stored(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    sub: ConfigSubentry = init_integration.subentries[D1]
    flow = await _reconfigure(hass, init_integration, "desk", sub.subentry_id)
    base = {"name": "Desk 1", "dial_string": "PJSIP/desk1"}
    bad = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {**base, CONF_EMERGENCY: {"elin": "abc"}}
    )
    assert bad["errors"] == {CONF_EMERGENCY: "invalid_elin"}
    done = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {**base, CONF_EMERGENCY: {"elin": "3125550111", "room": "7"}}
    )
    assert done["type"] is FlowResultType.ABORT
    await hass.async_block_till_done()
    assert init_integration.subentries[D1].data[CONF_EMERGENCY] == {
        "elin": "3125550111",
        "room": "7",
    }
    db = ami_server.astdb
    await wait_for(hass, lambda: db.get(f"hotdesk/elin/{D1}") == "3125550111")
    assert db[f"hotdesk/eloc/{D1}"].endswith("ROOM=7")


async def test_account_extension_may_not_be_an_emergency_number(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    flow = await _reconfigure(hass, init_integration, "account", ALICE)
    result = await hass.config_entries.subentries.async_configure(
        flow["flow_id"],
        {"name": "Alice", "extension": "933", "home_desks": [D1, D2]},
    )
    assert result["errors"] == {"extension": "extension_is_emergency"}


async def test_emergency_push_reaches_a_companion_app(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    push_server: PushServer,
    mock_config_entry: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    floor = fr.async_get(hass).async_create("Third floor")
    area = ar.async_get(hass).async_create("Room 301", floor_id=floor.floor_id)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    # HA's real mobile_app: a registered phone, its notify action, its push.
    await register_apps(
        hass, hass_client, push_server.url, [("Security Phone", "Pixel 8")]
    )
    dr.async_get(hass).async_update_device(
        desk_device(hass, mock_config_entry, D1), area_id=area.id
    )
    await hass.async_block_till_done()
    await push(
        hass,
        mock_config_entry,
        ami_server,
        [_dial_begin("PJSIP/desk1-0000000b", CONTEXT_EMERGENCY, "933", "PJSIP/c-2")],
    )
    pushes = await push_server.wait(1)
    assert pushes[0]["title"] == "Emergency call 933"
    assert pushes[0]["message"] == (
        "Desk 1 is calling emergency services. Location: Room 301, Third floor, "
        "HQ, 100 Main Street, 60601 Chicago, IL, US. Logged in: nobody."
    )
    assert pushes[0]["data"]["push"]["interruption-level"] == "critical"


@pytest.mark.parametrize("entry_options", [{}])
async def test_extension_that_is_an_emergency_number_raises_a_repair(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    issues = ir.async_get(hass)
    issue_id = f"extension_is_emergency_{init_integration.entry_id}"
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    # HA's country has no numbers of its own here: 112. Carol takes it.
    carol = init_integration.subentries[CAROL]
    hass.config_entries.async_update_subentry(
        init_integration, carol, data={**carol.data, "extension": "112"}
    )
    await wait_for(hass, lambda: issues.async_get_issue(DOMAIN, issue_id) is not None)
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {"extensions": "112"}
    # The dialplan keeps 112 an emergency number (the safe side).
    assert ami_server.astdb["hotdesk/enumber/112"] == "1"
    hass.config_entries.async_update_subentry(
        init_integration, carol, data={**carol.data, "extension": "102"}
    )
    await wait_for(hass, lambda: issues.async_get_issue(DOMAIN, issue_id) is None)


async def test_emergency_call_found_at_connect_raises_the_alarm(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """Home Assistant (re)starts while a desk is on an emergency call: the
    call is taken from the PBX's channels, announced late rather than
    never, and ends when its channel is gone."""
    notify = async_mock_service(hass, "notify", "front_desk")
    alarms = async_capture_events(hass, "hotdesk_phone_emergency_call")
    ended = async_capture_events(hass, "hotdesk_phone_emergency_call_ended")
    ami_server.channels = [
        {
            "Channel": "PJSIP/desk2-00000031",
            "Uniqueid": "1700000000.31",
            "Linkedid": "1700000000.31",
            "ChannelStateDesc": "Up",
            "CallerIDNum": "3125550102",
            "CallerIDName": "3125550102",
            "Context": CONTEXT_EMERGENCY,
            "Exten": "911",
            "Application": "Dial",
            "BridgeId": "",
        }
    ]
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert [(a.data["desk_id"], a.data["number"]) for a in alarms] == [(D2, "911")]
    assert alarms[0].data["elin"] == "3125550102"
    assert alarms[0].data["room"] == "Corner office"
    assert len(notify) == 1
    sensor = hass.states.get("binary_sensor.asterisk_127_0_0_1_emergency_call")
    assert sensor is not None
    assert sensor.state == "on"
    # After a blip the call is still there: nothing is announced twice.
    hub = hub_of(mock_config_entry)
    hub.client.reconnect_min_delay = 0.05
    ami_server.drop_connections()
    await ami_server.wait_for_login(2)
    await wait_for(hass, lambda: hub.connected)
    assert len(alarms) == 1
    # It ended while the link was down: ended once at the next connect.
    ami_server.channels = []
    ami_server.drop_connections()
    await ami_server.wait_for_login(3)
    await wait_for(hass, lambda: len(ended) == 1)
    assert ended[0].data["desk_id"] == D2
    assert hass.states.get(sensor.entity_id).state == "off"  # type: ignore[union-attr]


async def test_diagnostics_name_the_desk_of_an_emergency_call_not_its_dial_string(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """Diagnostics redact dial strings: a call in progress shows its desk's id."""
    await push(
        hass,
        init_integration,
        ami_server,
        [_dial_begin("PJSIP/desk1-0000000a", CONTEXT_EMERGENCY, "911", "PJSIP/c-1")],
    )
    found = await async_get_config_entry_diagnostics(hass, init_integration)
    assert found["emergency"]["calls_in_progress"] == [
        {"desk_id": D1, "number": "911", "callback": False}
    ]
    assert "PJSIP/desk1" not in json.dumps(found)


def test_area_and_floor_names_cannot_break_the_location() -> None:
    """HA's names are not checked like typed fields: no separator gets through."""
    place = DeskPlace(area='Conference "Everest"', floor="2,East")
    assert place.address.location_info() == 'FLR="2 East",ROOM="Conference Everest"'
    assert DeskPlace(area="4.01", floor="3").address.location_info() == (
        "FLR=3,ROOM=4.01"
    )
