"""Busy lamps follow the person: each account's custom device state.

The recorded calls (tests/fixtures/ami) drive the states through the test AMI
server, which keeps custom device states in its AstDB as Asterisk does.
"""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant

from .ami_server import AmiTestServer, transcript_events
from .conftest import ALICE
from .helpers import hub_of, push, relink, split, wait_for

MISSED = transcript_events("call_missed.ami")
MISSED_RINGING, MISSED_END = split(MISSED, lambda e: e.get("DialStatus") == "CANCEL")
ANSWERED = transcript_events("call_answered_directly.ami")
ANSWERED_UP, ANSWERED_END = split(ANSWERED, lambda e: e["Event"] == "BridgeEnter")


def lamp(server: AmiTestServer, extension: str) -> str | None:
    return server.astdb.get(f"CustomDevstate/hotdesk-{extension}")


async def test_an_idle_office_writes_no_lamp(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """An unknown custom state shows idle: a quiet office costs one read."""
    await hass.async_block_till_done()
    assert ami_server.actions_named("Setvar") == []
    trees = [a["Family"] for a in ami_server.actions_named("DBGetTree")]
    assert "CustomDevstate" in trees


async def test_lamps_follow_calls_and_do_not_disturb(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    await push(hass, init_integration, ami_server, MISSED_RINGING)
    await wait_for(hass, lambda: lamp(ami_server, "101") == "RINGING")
    await push(hass, init_integration, ami_server, MISSED_END)
    await wait_for(hass, lambda: lamp(ami_server, "101") == "NOT_INUSE")
    await push(hass, init_integration, ami_server, ANSWERED_UP)
    await wait_for(hass, lambda: lamp(ami_server, "102") == "INUSE")
    await push(hass, init_integration, ami_server, ANSWERED_END)
    await wait_for(hass, lambda: lamp(ami_server, "102") == "NOT_INUSE")
    hub = hub_of(init_integration)
    await hub.async_set_dnd(ALICE, True)
    await wait_for(hass, lambda: lamp(ami_server, "101") == "UNAVAILABLE")
    await hub.async_set_dnd(ALICE, False)
    await wait_for(hass, lambda: lamp(ami_server, "101") == "NOT_INUSE")


async def test_resync_writes_only_lamps_that_differ(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """After a reconnect: a stale state and a gone extension are put right."""
    hub = hub_of(init_integration)
    await hub.async_set_dnd(ALICE, True)
    await wait_for(hass, lambda: lamp(ami_server, "101") == "UNAVAILABLE")
    ami_server.astdb["CustomDevstate/hotdesk-102"] = "INUSE"  # stale
    ami_server.astdb["CustomDevstate/hotdesk-999"] = "RINGING"  # gone
    ami_server.astdb["CustomDevstate/other"] = "INUSE"  # not ours
    before = len(ami_server.actions)
    await relink(hass, hub, ami_server)
    await wait_for(hass, lambda: lamp(ami_server, "999") == "NOT_INUSE")
    await wait_for(hass, lambda: lamp(ami_server, "102") == "NOT_INUSE")
    written = sorted(
        a["Variable"] for a in ami_server.actions[before:] if a["Action"] == "Setvar"
    )
    assert written == [
        "DEVICE_STATE(Custom:hotdesk-102)",
        "DEVICE_STATE(Custom:hotdesk-999)",
    ]
    assert lamp(ami_server, "101") == "UNAVAILABLE"
    assert ami_server.astdb["CustomDevstate/other"] == "INUSE"
