"""Live changes on the real Asterisk: accounts change while a call rings.

The proof is on the wire: the ringing phones get no CANCEL while Alice's home
desks change and Dave is added, Asterisk's AstDB holds the new routes at once
(the AMI session was never closed), the ringing call is still claimed by a
scan, and the next call rings the new home desks.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from homeassistant.components.tag import async_scan_tag
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.const import (
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_PEOPLE,
    CONF_TAGS,
)
from custom_components.hotdesk_phone.hub import HotdeskHub

from .conftest import (
    ALICE,
    D1,
    D2,
    D3,
    D4,
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


async def subentry_flow(
    hass: HomeAssistant, kind: str, data: dict[str, Any], subentry_id: str | None
) -> Any:
    context: dict[str, Any] = {"source": SOURCE_USER}
    if subentry_id is not None:
        context = {"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id}
    result = await hass.config_entries.subentries.async_init(
        (ENTRY_ID, kind), context=context
    )
    return await hass.config_entries.subentries.async_configure(result["flow_id"], data)


async def test_changes_while_a_call_rings(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    connects: list[float] = []
    original = hub._on_connected

    async def counting() -> None:
        connects.append(time.time())
        await original()

    hub.client.on_connected = counting  # type: ignore[assignment]
    await call_extension(ami, "101")
    await wait_sip(hass, phones["desk1"], "INVITE")
    await wait_sip(hass, phones["desk2"], "INVITE")
    incoming = await hotdesk_events.wait("incoming_call")
    started = time.time()
    await subentry_flow(
        hass,
        "account",
        {
            CONF_NAME: "Alice",
            CONF_EXTENSION: "101",
            CONF_HOME_DESKS: [D2, D3],
            CONF_TAGS: ["tag-alice"],
            CONF_PEOPLE: ["person.alice"],
        },
        ALICE,
    )
    await subentry_flow(
        hass,
        "account",
        {CONF_NAME: "Dave", CONF_EXTENSION: "103", CONF_HOME_DESKS: [D3]},
        None,
    )
    await hass.async_block_till_done()
    tree = await in_thread(hass, clean_pbx.astdb)
    print(
        f"[e2e timing] two changes applied in {(time.time() - started) * 1000:.1f} ms"
    )
    assert tree["route/101"] == "PJSIP/desk2&PJSIP/desk3"
    assert tree["route/103"] == "PJSIP/desk3"
    # The whole tree the hub writes (routing and emergency keys).
    assert tree == hub.astdb_tree()
    # Same AMI session throughout; the ringing phones were not disturbed.
    assert connects == []
    assert hub.connected
    assert phones["desk1"].received("CANCEL") == []
    assert phones["desk2"].received("CANCEL") == []
    call = hub.tracker.calls[incoming["call_id"]]
    assert sorted(call.ringing_desks) == sorted([D1, D2])
    # The ringing call is still claimed by a scan at desk 4.
    await async_scan_tag(hass, "tag-alice", "scanner-4")
    await wait_sip(hass, phones["desk4"], "INVITE")
    await wait_sip(hass, phones["desk1"], "CANCEL")
    await wait_sip(hass, phones["desk2"], "CANCEL")
    claimed = await hotdesk_events.wait("call_claimed")
    assert claimed["desk_id"] == D4
    await ami.send({"Action": "Hangup", "Channel": call.caller_channel})
    await hotdesk_events.wait("call_ended")
    # The next call to 101 rings the new home desks (the PBX routes by itself).
    await call_extension(ami, "101")
    await wait_sip(hass, phones["desk3"], "INVITE")
    await wait_sip(hass, phones["desk2"], "INVITE", 2)
    await hotdesk_events.wait("incoming_call", 2)
    assert len(phones["desk1"].invites) == 1
    await until(lambda: len(hub.tracker.calls) == 1, what="the second call tracked")
    second = next(iter(hub.tracker.calls.values()))
    await ami.send({"Action": "Hangup", "Channel": second.caller_channel})
    await hotdesk_events.wait("call_ended", 2)
    assert connects == []
