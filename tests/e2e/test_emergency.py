"""Emergency calls through the integration, on a real Asterisk 22 with SIPp.

Home Assistant writes the desks' ELINs and locations (from the desk form, the
desk's area and floor, and the entry's options); a desk phone dials 911 and a
SIPp carrier checks what arrives. The front desk's phone is a companion app
registered through HA's real ``mobile_app`` (its pushes go to a recording
relay on loopback).

- Alice is logged in at desk 1, her account on do not disturb: the carrier
  gets desk 1's ELIN (not 101) and its floor and room in the PIDF-LO; the
  event fires and the critical push reaches the app, with the desk and floor.
- With the entry unloaded (Home Assistant down), the same call still goes out
  with the desk's ELIN and location.
- The centre's callback to the ELIN rings desk 1 alone; a scan of Alice's
  card at desk 3 does not move it (it logs her in there instead).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.components.tag import async_scan_tag
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    floor_registry as fr,
)

from custom_components.hotdesk_phone.const import CONF_EMERGENCY, DOMAIN
from custom_components.hotdesk_phone.hub import HotdeskHub
from tests.mobile_app import PushServer, register_apps

from .conftest import ALICE, D1, D2, EventLog, Pbx
from .sip_phone import SipPhone
from .test_emergency_dialplan import (  # noqa: F401 - carrier: a fixture
    carrier,
    emergency_call,
    finish,
    pidf_civic,
    ring_elin,
)

pytestmark = pytest.mark.e2e

ELIN = "+13125550100"  # desks 1 and 2: one floor shares it
OPTIONS = {
    CONF_EMERGENCY: {
        "country": "US",
        "region": "IL",
        "city": "Chicago",
        "street": "Main Street",
        "house_number": "100",
        "postcode": "60601",
        "building": "HQ & Lab",
        "elin": "+13125550199",
        "numbers": ["911", "933"],
        "dial_template": "PJSIP/{number}@carrier",
        "callback_minutes": 180,
        "contacts": ["mobile_app_front_desk"],
    }
}


@pytest.fixture
def pbx_entry(pbx_entry: MockConfigEntry) -> MockConfigEntry:
    """The e2e entry with emergency options; desks 1 and 2 share an ELIN."""
    subentries: list[dict[str, Any]] = []
    for sub in pbx_entry.subentries.values():
        data = dict(sub.data)
        if sub.subentry_id in (D1, D2):
            data[CONF_EMERGENCY] = {"elin": ELIN}
        subentries.append(
            {
                "subentry_id": sub.subentry_id,
                "subentry_type": sub.subentry_type,
                "title": sub.title,
                "unique_id": sub.unique_id,
                "data": data,
            }
        )
    return MockConfigEntry(
        domain=DOMAIN,
        title=pbx_entry.title,
        unique_id=pbx_entry.unique_id,
        data=dict(pbx_entry.data),
        options=OPTIONS,
        subentries_data=subentries,  # type: ignore[arg-type]
        entry_id=pbx_entry.entry_id,
    )


async def _place_desk1(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Desk 1's device in room 301 on the third floor."""
    floor = fr.async_get(hass).async_create("3")
    area = ar.async_get(hass).async_create("301", floor_id=floor.floor_id)
    registry = dr.async_get(hass)
    device = next(
        d
        for d in dr.async_entries_for_config_entry(registry, entry.entry_id)
        if (DOMAIN, D1) in d.identifiers
    )
    registry.async_update_device(device.id, area_id=area.id)
    await hass.async_block_till_done()


async def _wait_key(hub: HotdeskHub, key: str, value: str) -> None:
    """Until the PBX's AstDB holds ``hotdesk/<key>`` = value (HA wrote it)."""
    family, _, name = key.partition("/")
    async with asyncio.timeout(5):
        while await hub.client.db_get(f"hotdesk/{family}", name) != value:
            await asyncio.sleep(0.02)


async def test_emergency_call_is_the_desks_and_alarms_the_front_desk(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    push_server: PushServer,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    pbx_entry: MockConfigEntry,
    phones: dict[str, SipPhone],
    carrier: SipPhone,  # noqa: F811
    hotdesk_events: EventLog,
) -> None:
    await register_apps(hass, hass_client, push_server.url, [("Front Desk", "Pixel 8")])
    await _place_desk1(hass, pbx_entry)
    await _wait_key(
        hub,
        f"eloc/{D1}",
        "country=US,A1=IL,A3=Chicago,"
        'A6="Main Street",HNO=100,PC=60601,BLD="HQ &amp; Lab",FLR=3,ROOM=301',
    )
    await hub.async_login(ALICE, D1)
    await hub.async_set_dnd(ALICE, True)

    _, invite = await emergency_call(hass, clean_pbx, "desk1", carrier, hold_ms=1500)
    # The desk's ELIN, never Alice's 101 (the phone even sends 101 itself).
    assert invite.from_user == ELIN
    assert ELIN in (invite.header("P-Asserted-Identity") or "")
    civic = pidf_civic(invite)
    assert (civic["A3"], civic["A6"], civic["FLR"], civic["ROOM"]) == (
        "Chicago",
        "Main Street",
        "3",
        "301",
    )
    alarm = await hotdesk_events.wait("emergency_call")
    assert (alarm["desk_id"], alarm["number"], alarm["elin"]) == (D1, "911", ELIN)
    assert alarm["logged_in_account"] == "Alice"
    assert (alarm["floor"], alarm["room"]) == ("3", "301")
    # Do not disturb on Alice's account mutes nothing: the app got it.
    pushes = await push_server.wait(1)
    assert pushes[0]["title"] == "Emergency call 911"
    assert pushes[0]["message"] == (
        "Desk 1 is calling emergency services. Location: Room 301, Floor 3, HQ & Lab, "
        "100 Main Street, 60601 Chicago, IL, US. Logged in: Alice."
    )
    assert pushes[0]["data"]["push"]["interruption-level"] == "critical"
    # Never a call of Alice's: nothing incoming, nothing missed.
    await hotdesk_events.wait("emergency_call_ended", timeout=10)
    assert "incoming_call" not in hotdesk_events.types()
    assert "call_missed" not in hotdesk_events.types()


async def test_emergency_call_with_home_assistant_down(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    pbx_entry: MockConfigEntry,
    phones: dict[str, SipPhone],
    carrier: SipPhone,  # noqa: F811
) -> None:
    await _place_desk1(hass, pbx_entry)
    await _wait_key(hub, f"elin/{D1}", ELIN)
    await hub.async_login(ALICE, D1)
    assert await hass.config_entries.async_unload(pbx_entry.entry_id)
    assert pbx_entry.state is ConfigEntryState.NOT_LOADED

    _, invite = await emergency_call(hass, clean_pbx, "desk1", carrier)
    assert invite.from_user == ELIN
    civic = pidf_civic(invite)
    assert (civic["FLR"], civic["ROOM"], civic["PC"]) == ("3", "301", "60601")
    # A desk nobody is logged in at: its own ELIN, the entry's address.
    _, invite = await emergency_call(hass, clean_pbx, "desk3", carrier, number="933")
    assert invite.from_user == "+13125550199"
    civic = pidf_civic(invite)
    # The & Asterisk would drop arrives (written as &amp; in AstDB).
    assert (civic["A3"], civic["BLD"]) == ("Chicago", "HQ & Lab")
    assert "FLR" not in civic


async def test_callback_rings_the_desk_that_called_and_no_scan_moves_it(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    phones: dict[str, SipPhone],
    carrier: SipPhone,  # noqa: F811
    hotdesk_events: EventLog,
) -> None:
    await _wait_key(hub, f"elin/{D1}", ELIN)
    await emergency_call(hass, clean_pbx, "desk1", carrier)
    call = await ring_elin(hass, clean_pbx, ELIN, phones["desk1"])
    back = await hotdesk_events.wait("emergency_callback")
    assert back["desk_id"] == D1
    # Alice taps her card at desk 3 while the centre's call rings desk 1:
    # no call of hers rings, so it is a login; the callback stays at desk 1.
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hotdesk_events.wait("login")
    assert hub.tracker.call_for_account(ALICE) is None
    await finish(hass, call)
    for other in ("desk2", "desk3", "desk4"):
        assert phones[other].invites == [], other
    assert "call_claimed" not in hotdesk_events.types()
