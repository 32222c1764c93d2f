"""Do not disturb on the real Asterisk: the PBX itself sends the call away.

With Alice's switch on, a call to 101 rings neither of her desks; the shipped
dialplan sends it where unanswered calls go, and Home Assistant still sees it
(incoming with ``dnd: true``, then missed). Switched off, 101 rings again.
"""

from __future__ import annotations

import asyncio

import pytest

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.const import DOMAIN
from custom_components.hotdesk_phone.hub import HotdeskHub

from .conftest import ALICE, EventLog, Pbx, call_extension, in_thread, wait_sip
from .sip_phone import SipPhone

pytestmark = pytest.mark.e2e


async def test_dnd_sends_calls_away_and_back(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    switch = er.async_get(hass).async_get_entity_id(
        "switch", DOMAIN, f"{ALICE}_do_not_disturb"
    )
    assert switch is not None
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": switch}, blocking=True
    )
    tree = await in_thread(hass, clean_pbx.astdb)
    assert tree["dnd/101"] == "1"
    await call_extension(ami, "101", "5550100", "Bob Caller")
    incoming = await hotdesk_events.wait("incoming_call")
    assert (incoming["dnd"], incoming["desks"]) == (True, [])
    # The dialplan hangs up on the caller in hotdesk-unanswered: missed.
    missed = await hotdesk_events.wait("call_missed")
    assert missed["call_id"] == incoming["call_id"]
    assert (await hotdesk_events.wait("call_ended"))["outcome"] == "missed"
    await asyncio.sleep(0.3)  # an INVITE would have come by now
    assert phones["desk1"].invites == phones["desk2"].invites == []
    # Off again: the same extension rings both home desks.
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": switch}, blocking=True
    )
    assert "dnd/101" not in await in_thread(hass, clean_pbx.astdb)
    await call_extension(ami, "101", "5550100", "Bob Caller")
    await wait_sip(hass, phones["desk1"], "INVITE")
    await wait_sip(hass, phones["desk2"], "INVITE")
    second = await hotdesk_events.wait("incoming_call", 2)
    assert second["dnd"] is False
    calls = list(hub.tracker.calls.values())
    await ami.send({"Action": "Hangup", "Channel": calls[0].caller_channel})
    await hotdesk_events.wait("call_ended", 2)
