"""Call back on the real Asterisk: the person's desk rings first, then the number.

Alice (101) calls Carol (102) back through ``hotdesk_phone.call``: desk 3, where
Alice is logged in, rings showing the number it will call; when desk 3 answers,
the shipped ``hotdesk-callback`` context dials 102 as 101, so Carol's desk 4
rings with caller ID 101. The call also lands in both call logs.
"""

from __future__ import annotations

import time

import pytest

from homeassistant.components.tag import async_scan_tag
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.const import DOMAIN
from custom_components.hotdesk_phone.hub import HotdeskHub

from .conftest import CAROL, D3, D4, ENTRY_ID, EventLog, in_thread, wait_sip
from .sip_phone import SipPhone

pytestmark = pytest.mark.e2e


def desk_device(hass: HomeAssistant, desk_id: str) -> str:
    return next(
        device.id
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), ENTRY_ID)
        if (DOMAIN, desk_id) in device.identifiers
    )


async def test_call_back_rings_the_desk_then_the_number(
    hass: HomeAssistant,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hotdesk_events.wait("login")
    await in_thread(hass, phones["desk3"].set_mode, "answer", 200)
    asked = time.time()
    response = await hass.services.async_call(
        DOMAIN,
        "call",
        {"extension": "101", "number": "102"},
        blocking=True,
        return_response=True,
    )
    assert response == {"desk_id": D3, "number": "102"}
    # Desk 3 rings first and shows whom it will call.
    ring3 = await wait_sip(hass, phones["desk3"], "INVITE")
    assert ring3.caller_id_number == "102"
    # Answered: Carol's desk rings, with Alice's extension as caller ID.
    ring4 = await wait_sip(hass, phones["desk4"], "INVITE")
    print(
        f"[e2e timing] call back: desk 3 rang {ring3.time - asked:.3f} s, "
        f"desk 4 {ring4.time - asked:.3f} s after the action"
    )
    assert ring4.caller_id_number == "101"
    incoming = await hotdesk_events.wait("incoming_call")
    assert (incoming["account_id"], incoming["caller_id_number"]) == (CAROL, "101")
    assert incoming["desks"] == [D4]
    # Carol's desk rings until the callback leg is hung up.
    calls = list(hub.tracker.calls.values())
    assert len(calls) == 1
    await ami.send({"Action": "Hangup", "Channel": calls[0].caller_channel})
    await wait_sip(hass, phones["desk4"], "CANCEL")
    ended = await hotdesk_events.wait("call_ended")
    assert ended["outcome"] == "missed"
    log = await hass.services.async_call(
        DOMAIN, "call_log", {"extension": "102"}, blocking=True, return_response=True
    )
    assert log is not None
    assert [c["caller_id_number"] for c in log["calls"]] == ["101"]  # type: ignore[index, union-attr]
