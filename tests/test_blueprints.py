"""Each shipped blueprint, instantiated as an automation in HA, does its job."""

from __future__ import annotations

from pathlib import Path
import shutil
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.components.tag import async_scan_tag
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.setup import async_setup_component

from custom_components.hotdesk_phone.const import DOMAIN

from .ami_server import AmiTestServer, caller_uniqueid, transcript_events
from .conftest import ALICE, DESK_IDS
from .helpers import push
from .mobile_app import PushServer, register_apps

BLUEPRINTS = Path(__file__).resolve().parents[1] / "blueprints"
MISSED = transcript_events("call_missed.ami")
CUT = next(i for i, e in enumerate(MISSED) if e.get("DialStatus") == "CANCEL")
RINGING, MISSED_END = MISSED[:CUT], MISSED[CUT:]
CALL_ID = caller_uniqueid(MISSED)


@pytest.fixture
def blueprint_config(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A config folder holding the repo's blueprints, as a user imports them."""
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints")
    hass.config.config_dir = str(tmp_path)
    return tmp_path


async def automation(hass: HomeAssistant, path: str, inputs: dict[str, Any]) -> None:
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {"use_blueprint": {"path": f"hotdesk_phone/{path}", "input": inputs}}
            ]
        },
    )
    await hass.async_block_till_done()
    automations = hass.states.async_entity_ids("automation")
    assert len(automations) == 1
    assert hass.states.get(automations[0]).state == "on"  # type: ignore[union-attr]


def device_named(hass: HomeAssistant, name: str) -> str:
    # `registry.devices` as a mapping is deprecated in 2026.10 (iterating it
    # yields ids in 2025.4, entries in 2026.10): go through the config entries.
    registry = dr.async_get(hass)
    for entry in hass.config_entries.async_entries():
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
            if device.name == name:
                return device.id
    raise AssertionError(name)


def test_blueprints_are_valid() -> None:
    from homeassistant.components.blueprint.schemas import (  # noqa: PLC0415
        BLUEPRINT_SCHEMA,
    )
    from homeassistant.util.yaml import load_yaml_dict  # noqa: PLC0415

    files = sorted((BLUEPRINTS / "automation" / "hotdesk_phone").glob("*.yaml"))
    assert [f.name for f in files] == [
        "claim_at_reader.yaml",
        "desk_ringing_alert.yaml",
        "emergency_call_alert.yaml",
        "incoming_call_notify.yaml",
        "meeting_room_dnd.yaml",
        "missed_call_notify.yaml",
    ]
    for file in files:
        data = BLUEPRINT_SCHEMA(load_yaml_dict(str(file)))
        assert data["blueprint"]["domain"] == "automation"
        assert data["blueprint"]["source_url"].endswith(file.name)


@pytest.mark.usefixtures("blueprint_config")
async def test_incoming_call_notify(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    push_server: PushServer,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    await register_apps(
        hass, hass_client, push_server.url, [("Reception Tablet", "Tab S9")]
    )
    await automation(
        hass,
        "incoming_call_notify.yaml",
        {
            "extension": "101",
            "devices": [device_named(hass, "Reception Tablet")],
            "title": "Ring ring {{ extension }}",
        },
    )
    await push(hass, init_integration, ami_server, RINGING)
    pushes = await push_server.wait(1)
    assert pushes[0]["title"] == "Ring ring 101"
    assert pushes[0]["message"] == "Bob Caller is calling"
    assert pushes[0]["data"] == {"tag": f"hotdesk-{CALL_ID}"}


@pytest.mark.usefixtures("blueprint_config")
async def test_incoming_call_notify_filters_extension(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    push_server: PushServer,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    await register_apps(
        hass, hass_client, push_server.url, [("Reception Tablet", "Tab S9")]
    )
    await automation(
        hass,
        "incoming_call_notify.yaml",
        {"extension": "102", "devices": [device_named(hass, "Reception Tablet")]},
    )
    await push(hass, init_integration, ami_server, RINGING)
    await hass.async_block_till_done()
    assert push_server.pushes == []


@pytest.mark.usefixtures("blueprint_config")
async def test_desk_ringing_alert(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    light_calls = async_mock_service(hass, "light", "turn_on")
    media_calls = async_mock_service(hass, "media_player", "play_media")
    desk1 = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{DESK_IDS[0]}_desk_call_state"
    )
    await automation(
        hass,
        "desk_ringing_alert.yaml",
        {
            "desk_call_state": desk1,
            "lights": {"entity_id": "light.desk_1_lamp"},
            "speaker": "media_player.desk_1_speaker",
            "chime": "media-source://media_source/local/chime.mp3",
        },
    )
    await push(hass, init_integration, ami_server, RINGING)
    assert [(c.data["entity_id"], c.data["flash"]) for c in light_calls] == [
        (["light.desk_1_lamp"], "long")
    ]
    assert [(c.data["entity_id"], c.data["media_content_id"]) for c in media_calls] == [
        (["media_player.desk_1_speaker"], "media-source://media_source/local/chime.mp3")
    ]


@pytest.mark.usefixtures("blueprint_config")
async def test_missed_call_notify(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    push_server: PushServer,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    logbook = async_mock_service(hass, "logbook", "log")
    await register_apps(
        hass, hass_client, push_server.url, [("Alice Phone", "Pixel 8")]
    )
    await automation(
        hass,
        "missed_call_notify.yaml",
        {"devices": [device_named(hass, "Alice Phone")]},
    )
    await push(hass, init_integration, ami_server, RINGING)
    assert logbook == []
    await push(hass, init_integration, ami_server, MISSED_END)
    text = "Missed call from Bob Caller for Alice (101)"
    assert [(c.data["name"], c.data["message"]) for c in logbook] == [
        ("Hot-desk phone", text)
    ]
    pushes = await push_server.wait(1)
    assert (pushes[0]["title"], pushes[0]["message"]) == ("Missed call", text)


@pytest.mark.usefixtures("blueprint_config")
async def test_claim_at_reader(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    desk3 = next(
        d.id
        for d in dr.async_entries_for_config_entry(
            dr.async_get(hass), init_integration.entry_id
        )
        if (DOMAIN, DESK_IDS[2]) in d.identifiers
    )
    await automation(
        hass, "claim_at_reader.yaml", {"reader": "kitchen-reader", "desk": desk3}
    )
    await push(hass, init_integration, ami_server, RINGING)
    await async_scan_tag(hass, "stranger", "kitchen-reader")
    await hass.async_block_till_done()
    assert ami_server.actions_named("Redirect") == []
    await async_scan_tag(hass, "tag-alice", "kitchen-reader")
    await hass.async_block_till_done()
    redirects = ami_server.actions_named("Redirect")
    assert [(r["Context"], r["Exten"]) for r in redirects] == [
        ("hotdesk-claim", DESK_IDS[2])
    ]
    assert init_integration.runtime_data.hub.tracker.calls[CALL_ID].account_id == ALICE


@pytest.mark.usefixtures("blueprint_config")
async def test_meeting_room_dnd(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """In a meeting room (an area, or a zone) do not disturb is on; out, off."""
    areas = ar.async_get(hass)
    board = areas.async_create("Board room")
    areas.async_create("Open space")
    hass.states.async_set("zone.huddle", "0", {"friendly_name": "Huddle"})
    switch = er.async_get(hass).async_get_entity_id(
        "switch", DOMAIN, f"{ALICE}_do_not_disturb"
    )
    assert switch is not None
    room_sensor = "sensor.alice_room"
    hass.states.async_set(room_sensor, "Open space")
    await automation(
        hass,
        "meeting_room_dnd.yaml",
        {
            "presence": room_sensor,
            "meeting_areas": [board.id],
            "meeting_zones": ["zone.huddle"],
            "dnd_switch": switch,
        },
    )

    async def now(state: str, attributes: dict[str, Any] | None = None) -> str:
        hass.states.async_set(room_sensor, state, attributes)
        await hass.async_block_till_done()
        return hass.states.get(switch).state  # type: ignore[union-attr]

    # The area by name (a BLE room sensor's state): on, kept in the PBX.
    assert await now("Board room") == "on"
    assert ami_server.astdb["hotdesk/dnd/101"] == "1"
    # Leaving: off.
    assert await now("Open space") == "off"
    assert "hotdesk/dnd/101" not in ami_server.astdb
    # The area by id in an attribute; a zone by its name (a tracker's state).
    assert await now("x", {"area_id": board.id}) == "on"
    assert await now("not_home") == "off"
    assert await now("Huddle") == "on"
    # Turned off by hand in the room: a move within the room leaves it off.
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": switch}, blocking=True
    )
    assert await now("Huddle", {"moved": True}) == "off"


@pytest.mark.usefixtures("blueprint_config")
async def test_emergency_call_alert(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    push_server: PushServer,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    await register_apps(
        hass, hass_client, push_server.url, [("Security Phone", "Pixel 8")]
    )
    lights = async_mock_service(hass, "light", "turn_on")
    sirens = async_mock_service(hass, "siren", "turn_on")
    locks = async_mock_service(hass, "lock", "unlock")
    await automation(
        hass,
        "emergency_call_alert.yaml",
        {
            "lights": ["light.lobby"],
            "sirens": ["siren.floor_3"],
            "locks": ["lock.front_door"],
            "devices": [device_named(hass, "Security Phone")],
        },
    )
    await push(
        hass,
        init_integration,
        ami_server,
        [
            {
                "Event": "DialBegin",
                "Channel": "PJSIP/desk1-00000011",
                "Context": "hotdesk-emergency",
                "Exten": "112",
                "DestChannel": "PJSIP/carrier-00000012",
            }
        ],
    )
    pushes = await push_server.wait(1)
    assert pushes[0]["title"] == "Emergency call 112"
    assert pushes[0]["message"].startswith("Desk 1:")
    assert pushes[0]["data"]["push"]["interruption-level"] == "critical"
    assert [c.data["entity_id"] for c in lights] == [["light.lobby"]]
    assert lights[0].data["brightness_pct"] == 100
    assert [c.data["entity_id"] for c in sirens] == [["siren.floor_3"]]
    assert [c.data["entity_id"] for c in locks] == [["lock.front_door"]]
