"""Ring where the person is, and reach the mobile, on the real Asterisk.

Alice (101, home desks 1 and 2) gets a mobile (the SIPp phone ``mobile1``, a
PJSIP endpoint standing in for the office trunk) and presence. Desk 3 is in
the area "Lab"; a room-presence sensor says where Alice is. What the tests
check is what the SIP phones get from the shipped dialplan, and the events
Home Assistant fires for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
import time
from typing import Any

import pytest

from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar, device_registry as dr

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.const import DOMAIN
from custom_components.hotdesk_phone.hub import HotdeskHub

from .conftest import (
    ALICE,
    D1,
    D2,
    D3,
    ENTRY_ID,
    EventLog,
    Pbx,
    call_extension,
    in_thread,
    until,
    wait_sip,
)
from .sip_phone import SipPhone

pytestmark = pytest.mark.e2e

SENSOR = "sensor.alice_room"


@pytest.fixture
def mobile(clean_pbx: Pbx, tmp_path: Path) -> Iterator[SipPhone]:
    """Alice's mobile: a SIPp phone registered as PJSIP/mobile1, ringing."""
    phone = SipPhone(
        "mobile1", clean_pbx.sip_port, mode="ring", work_dir=tmp_path / "mobile1"
    ).start()
    yield phone
    phone.stop(unregister=clean_pbx.running)


async def set_alice(hass: HomeAssistant, hub: HotdeskHub, **data: Any) -> None:
    """Change Alice's account subentry; wait until the hub runs with it."""
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    sub = entry.subentries[ALICE]
    hass.config_entries.async_update_subentry(entry, sub, data={**sub.data, **data})
    await hass.async_block_till_done()
    await until(
        lambda: all(
            getattr(hub.directory.accounts[ALICE], k) == v for k, v in data.items()
        ),
        5,
        "Alice's new settings",
    )


def desk_device(hass: HomeAssistant, desk_id: str) -> str:
    return next(
        device.id
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), ENTRY_ID)
        if (DOMAIN, desk_id) in device.identifiers
    )


async def astdb_has(
    hass: HomeAssistant, pbx: Pbx, expected: dict[str, str]
) -> dict[str, str]:
    """Wait until the PBX's AstDB holds ``expected``; the tree."""
    tree: dict[str, str] = {}
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        tree = await in_thread(hass, pbx.astdb)
        if all(tree.get(k) == v for k, v in expected.items()):
            return tree
        await asyncio.sleep(0.1)
    raise AssertionError(f"AstDB {tree} lacks {expected}")


async def hang_up(ami: AmiClient, hub: HotdeskHub) -> None:
    for call in list(hub.tracker.calls.values()):
        await ami.send({"Action": "Hangup", "Channel": call.caller_channel})


async def test_mobile_answering_first_wins(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    mobile: SipPhone,
    hotdesk_events: EventLog,
) -> None:
    await set_alice(hass, hub, mobile="PJSIP/mobile1", mobile_mode="together")
    await astdb_has(
        hass, clean_pbx, {"mobile/101": "PJSIP/mobile1", "mobilemode/101": "together"}
    )
    await in_thread(hass, mobile.set_mode, "answer", 400)
    await call_extension(ami, "101")
    # Desks and mobile ring together; the mobile answers first.
    invite = await wait_sip(hass, mobile, "INVITE")
    assert invite.caller_id_number == "5550100"
    await wait_sip(hass, phones["desk1"], "INVITE")
    await wait_sip(hass, phones["desk2"], "INVITE")
    answered = await hotdesk_events.wait("call_answered")
    assert (answered["desk_id"], answered["desk"]) == ("mobile", "mobile")
    # The desks stop ringing.
    await wait_sip(hass, phones["desk1"], "CANCEL")
    await wait_sip(hass, phones["desk2"], "CANCEL")
    call = hub.tracker.calls[answered["call_id"]]
    assert (call.answered_mobile, call.answered_desk) == (True, None)
    await hang_up(ami, hub)
    ended = await hotdesk_events.wait("call_ended")
    assert ended["outcome"] == "answered"
    assert hotdesk_events.of("call_missed") == []
    assert len(hotdesk_events.of("call_ended")) == 1


async def test_presence_rings_the_near_desk_first_then_all(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    lab = ar.async_get(hass).async_create("Lab")
    dr.async_get(hass).async_update_device(desk_device(hass, D3), area_id=lab.id)
    hass.states.async_set("person.alice", "home")
    hass.states.async_set(SENSOR, "unknown")
    await set_alice(
        hass,
        hub,
        presence="first",
        ring_delay=2,
        presence_entities=(SENSOR,),
    )
    # Unknown room: no presence keys, only the options.
    tree = await astdb_has(hass, clean_pbx, {"nearmode/101": "first", "delay/101": "2"})
    assert "near/101" not in tree
    assert "away/101" not in tree
    # Alice walks into the lab: before the call comes, the PBX knows.
    hass.states.async_set(SENSOR, "Lab")
    tree = await astdb_has(
        hass,
        clean_pbx,
        {"near/101": "PJSIP/desk3", "wide/101": "PJSIP/desk3&PJSIP/desk1&PJSIP/desk2"},
    )
    assert abs(int(tree["heartbeat/presence"]) - time.time()) < 60
    sent = await call_extension(ami, "101")
    first = await wait_sip(hass, phones["desk3"], "INVITE")
    incoming = await hotdesk_events.wait("incoming_call")
    assert incoming["desks"] == sorted([D1, D2, D3])
    assert incoming["away"] is False
    await asyncio.sleep(1.0)
    assert phones["desk1"].invites == phones["desk2"].invites == []
    call = hub.tracker.calls[incoming["call_id"]]
    assert call.ringing_desks == [D3]
    # After the delay every desk rings (desk 3 again): one call throughout.
    ring1 = await wait_sip(hass, phones["desk1"], "INVITE", timeout=5)
    await wait_sip(hass, phones["desk2"], "INVITE")
    await wait_sip(hass, phones["desk3"], "INVITE", 2)
    print(
        f"[e2e timing] near first: desk 3 rang {first.time - sent:.3f} s, "
        f"desk 1 {ring1.time - sent:.3f} s after the call"
    )
    assert ring1.time - first.time >= 1.5
    await until(lambda: sorted(call.ringing_desks) == sorted([D1, D2, D3]))
    assert list(hub.tracker.calls) == [call.call_id]
    # Still claimable in the second phase: a scan at desk 4 takes it.
    result = await hub.claims.async_claim(call.call_id, "E2EDESK4", "action")
    assert result.claimed
    await wait_sip(hass, phones["desk4"], "INVITE")
    await hang_up(ami, hub)
    ended = await hotdesk_events.wait("call_ended")
    assert ended["outcome"] == "claimed_unanswered"
    assert len(hotdesk_events.of("incoming_call")) == 1
    assert len(hotdesk_events.of("call_ended")) == 1


async def test_stale_presence_rings_as_today(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    """Presence older than the TTL (HA down for long) is ignored by the PBX."""
    lab = ar.async_get(hass).async_create("Lab")
    dr.async_get(hass).async_update_device(desk_device(hass, D3), area_id=lab.id)
    hass.states.async_set("person.alice", "home")
    hass.states.async_set(SENSOR, "Lab")
    await set_alice(
        hass, hub, presence="only", ring_delay=2, presence_entities=(SENSOR,)
    )
    await astdb_has(hass, clean_pbx, {"near/101": "PJSIP/desk3"})
    # The last heartbeat an hour ago, as if HA had been down since.
    stale = str(int(time.time()) - 3600)
    await in_thread(
        hass, clean_pbx.cli, f"database put hotdesk heartbeat/presence {stale}"
    )
    await call_extension(ami, "101")
    await wait_sip(hass, phones["desk1"], "INVITE")
    await wait_sip(hass, phones["desk2"], "INVITE")
    await asyncio.sleep(0.3)
    assert phones["desk3"].invites == []
    await hang_up(ami, hub)
    await hotdesk_events.wait("call_ended")


async def test_away_goes_to_the_mobile_or_unanswered(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    mobile: SipPhone,
    hotdesk_events: EventLog,
) -> None:
    hass.states.async_set("person.alice", "home")
    await set_alice(
        hass,
        hub,
        presence="first",
        mobile="PJSIP/mobile1",
        mobile_mode="away",
    )
    # In the office, an away-only mobile does not ring.
    await call_extension(ami, "101")
    await wait_sip(hass, phones["desk1"], "INVITE")
    await asyncio.sleep(0.3)
    assert mobile.invites == []
    await hang_up(ami, hub)
    await hotdesk_events.wait("call_ended")
    # Alice leaves: the desks are skipped, the mobile rings.
    hass.states.async_set("person.alice", "not_home")
    await astdb_has(hass, clean_pbx, {"away/101": "1"})
    await call_extension(ami, "101")
    await wait_sip(hass, mobile, "INVITE")
    incoming = await hotdesk_events.wait("incoming_call", 2)
    assert (incoming["away"], incoming["desks"]) == (True, [])
    await asyncio.sleep(0.3)
    assert len(phones["desk1"].invites) == len(phones["desk2"].invites) == 1
    await hang_up(ami, hub)
    await wait_sip(hass, mobile, "CANCEL")
    assert (await hotdesk_events.wait("call_ended", 2))["outcome"] == "missed"
    # Without a mobile, away goes straight where unanswered calls go.
    await set_alice(hass, hub, mobile="")
    await call_extension(ami, "101")
    missed = await hotdesk_events.wait("call_missed", 3)
    assert missed["extension"] == "101"
    assert len(mobile.invites) == 1
    assert len(phones["desk1"].invites) == 1
    # Back in the office (a zone that is the office): the desks ring again.
    hass.states.async_set("person.alice", "home")
    await astdb_gone(hass, clean_pbx, "away/101")
    await call_extension(ami, "101")
    await wait_sip(hass, phones["desk1"], "INVITE", 2)
    await hang_up(ami, hub)


async def astdb_gone(hass: HomeAssistant, pbx: Pbx, key: str) -> None:
    deadline = time.monotonic() + 5
    while key in await in_thread(hass, pbx.astdb):
        if time.monotonic() > deadline:
            raise AssertionError(f"{key} still in AstDB")
        await asyncio.sleep(0.1)


async def test_near_only_with_a_delayed_mobile(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    mobile: SipPhone,
    hotdesk_events: EventLog,
) -> None:
    """Only the near desk rings; the mobile joins after the delay; the home
    desks never ring. The mobile waits in the PBX, the desk keeps ringing."""
    lab = ar.async_get(hass).async_create("Lab")
    dr.async_get(hass).async_update_device(desk_device(hass, D3), area_id=lab.id)
    hass.states.async_set("person.alice", "home")
    hass.states.async_set(SENSOR, "x", {"area_id": lab.id})
    await set_alice(
        hass,
        hub,
        presence="only",
        ring_delay=2,
        presence_entities=(SENSOR,),
        mobile="PJSIP/mobile1",
        mobile_mode="delayed",
    )
    await astdb_has(hass, clean_pbx, {"near/101": "PJSIP/desk3", "delay/101": "2"})
    await call_extension(ami, "101")
    ring3 = await wait_sip(hass, phones["desk3"], "INVITE")
    ring_mobile = await wait_sip(hass, mobile, "INVITE", timeout=5)
    print(
        f"[e2e timing] delayed mobile: {ring_mobile.time - ring3.time:.3f} s after desk 3"
    )
    assert ring_mobile.time - ring3.time >= 1.5
    # One dial throughout: desk 3 was not rung again, the home desks never.
    assert len(phones["desk3"].invites) == 1
    assert phones["desk1"].invites == phones["desk2"].invites == []
    call = next(iter(hub.tracker.calls.values()))
    assert call.ringing_desks == [D3]
    assert call.mobile_ringing
    await hang_up(ami, hub)
    await wait_sip(hass, mobile, "CANCEL")
    assert (await hotdesk_events.wait("call_ended"))["outcome"] == "missed"
