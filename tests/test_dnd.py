"""Do not disturb: the switch, AstDB, and what a call does while it is on.

The test AMI server plays the PBX. A call to an account on do not disturb is
what the shipped dialplan makes of it: a dial of ``Local/dnd@hotdesk-dnd``
(which rings nobody) and the caller's hangup in the unanswered context.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from homeassistant.auth.models import User
from homeassistant.components.tag import async_scan_tag
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers import entity_registry as er

from custom_components.hotdesk_phone.const import DOMAIN

from .ami_server import AmiTestServer, transcript_events
from .conftest import ALICE, CAROL, DESK_IDS, account_subentry, desk_subentry
from .helpers import hub_of, push, wait_connected

D1, D2, D3, D4 = DESK_IDS
DIAL_BEGIN = next(
    e
    for e in transcript_events("call_missed.ami")
    if e["Event"] == "DialBegin" and e.get("Context") == "hotdesk-inbound"
)
CALLER = DIAL_BEGIN["Channel"]
CALL_ID = DIAL_BEGIN["Uniqueid"]


def dnd_call() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """A call to 101 on do not disturb: (the dial of nobody, the caller's end)."""
    local = "Local/dnd@hotdesk-dnd-0000000a;1"
    begin = {**DIAL_BEGIN, "DestChannel": local, "DestUniqueid": "dnd-leg"}
    begin["DialString"] = "dnd@hotdesk-dnd"
    end = {
        "Event": "DialEnd",
        "Channel": CALLER,
        "Uniqueid": CALL_ID,
        "DestChannel": local,
        "DestUniqueid": "dnd-leg",
        "DialStatus": "BUSY",
    }
    hangup = {
        "Event": "Hangup",
        "Channel": CALLER,
        "Uniqueid": CALL_ID,
        "Context": "hotdesk-unanswered",
        "Exten": "101",
        "Cause": "19",
    }
    return [begin, end], [hangup]


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    """Scanners at each desk; 101 rings desks 1+2, 102 desks 1+4."""
    return [
        *(desk_subentry(i, [f"scanner-{i}"]) for i in range(1, 5)),
        account_subentry(ALICE, "Alice", "101", [1, 2], ["tag-alice"]),
        account_subentry(CAROL, "Carol", "102", [1, 4], ["tag-carol"]),
    ]


def switch_id(hass: HomeAssistant, account_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "switch", DOMAIN, f"{account_id}_do_not_disturb"
    )
    assert entity_id is not None
    return entity_id


async def test_switch_writes_astdb_and_survives_a_restart(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    events = async_capture_events(hass, "hotdesk_phone_do_not_disturb")
    alice = switch_id(hass, ALICE)
    assert hass.states.get(alice).state == STATE_OFF  # type: ignore[union-attr]
    assert "hotdesk/dnd/101" not in ami_server.astdb
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": alice}, blocking=True
    )
    assert ami_server.astdb["hotdesk/dnd/101"] == "1"
    assert hass.states.get(alice).state == STATE_ON  # type: ignore[union-attr]
    assert [(e.data["extension"], e.data["on"]) for e in events] == [("101", True)]
    # Kept across a restart, and written again by the rewrite after connect.
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    ami_server.astdb.clear()
    ami_server.drop_connections()
    await ami_server.wait_for_login(3)
    await wait_connected(hub_of(init_integration))
    await hass.async_block_till_done()
    assert ami_server.astdb["hotdesk/dnd/101"] == "1"
    assert hass.states.get(alice).state == STATE_ON  # type: ignore[union-attr]
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": alice}, blocking=True
    )
    assert "hotdesk/dnd/101" not in ami_server.astdb
    assert "hotdesk/dnd/102" not in ami_server.astdb


async def test_only_the_accounts_people_may_switch_it(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    hass_read_only_user: User,
) -> None:
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            "switch",
            "turn_on",
            {"entity_id": switch_id(hass, CAROL)},
            blocking=True,
            context=Context(user_id=hass_read_only_user.id),
        )
    assert "hotdesk/dnd/102" not in ami_server.astdb


async def test_a_call_on_dnd_rings_nobody_and_is_missed(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """Announced (dnd: true), not claimable: a scan logs in instead; missed."""
    incoming = async_capture_events(hass, "hotdesk_phone_incoming_call")
    missed = async_capture_events(hass, "hotdesk_phone_call_missed")
    logins = async_capture_events(hass, "hotdesk_phone_login")
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": switch_id(hass, ALICE)}, blocking=True
    )
    dialled, ended = dnd_call()
    await push(hass, init_integration, ami_server, dialled)
    assert [(e.data["dnd"], e.data["desks"]) for e in incoming] == [(True, [])]
    state = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{ALICE}_account_call_state"
    )
    assert hass.states.get(state).state == "idle"  # type: ignore[arg-type, union-attr]
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hass.async_block_till_done()
    assert ami_server.actions_named("Redirect") == []
    assert [e.data["desk_id"] for e in logins] == [D3]
    await push(hass, init_integration, ami_server, ended)
    assert [e.data["call_id"] for e in missed] == [CALL_ID]
