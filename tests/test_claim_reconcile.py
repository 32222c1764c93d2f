"""Issue 11 #1: a claim's result is what the PBX did, not what one reply said.

The recorded claim (tests/fixtures/ami/call_claimed_answered.ami) is played
by the test AMI server while the Redirect's reply is lost with the link, or
comes after the action timeout; the PBX's channel list (CoreShowChannels)
shows where the call really is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from homeassistant.components.tag import async_scan_tag
from homeassistant.core import HomeAssistant

from .ami_server import AmiTestServer
from .conftest import ALICE, CAROL, DESK_IDS, account_subentry, desk_subentry
from .helpers import AFTER_REDIRECT, BEFORE_REDIRECT, hub_of, push, split

D1, D2, D3, D4 = DESK_IDS
MOVED, HUNG_UP = split(
    AFTER_REDIRECT,
    lambda e: e["Event"] == "Hangup" and e.get("Channel", "").startswith("Local/"),
)
CALLER = next(e for e in BEFORE_REDIRECT if e["Event"] == "DialBegin" and "Exten" in e)
CALL_ID = CALLER["Uniqueid"]
DESK4_LEG = next(
    e
    for e in MOVED
    if e["Event"] == "DialBegin" and e.get("Context") == "hotdesk-claim"
)


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    """Each desk has a scanner device; 101 rings desks 1+2."""
    return [
        *(desk_subentry(i, [f"scanner-{i}"]) for i in range(1, 5)),
        account_subentry(ALICE, "Alice", "101", [1, 2], ["tag-alice"]),
        account_subentry(CAROL, "Carol", "102", [1, 4], ["tag-carol"]),
    ]


def channels(*, moved: bool, answered: bool) -> list[dict[str, str]]:
    """What CoreShowChannels lists for the call, moved to desk 4 or not."""
    caller = {
        "Channel": CALLER["Channel"],
        "Uniqueid": CALL_ID,
        "Linkedid": CALL_ID,
        "ChannelStateDesc": "Up",
        "CallerIDNum": "5550100",
        "CallerIDName": "Bob Caller",
        "Context": "hotdesk-claim" if moved else "hotdesk-inbound",
        "Exten": D4 if moved else "101",
        "Application": "Dial",
        "BridgeId": "b-1" if answered else "",
    }
    legs = [
        {
            "Channel": e["DestChannel"],
            "Uniqueid": e["DestUniqueid"],
            "Linkedid": CALL_ID,
            "ChannelStateDesc": "Up" if answered else "Ringing",
            "CallerIDNum": "101",
            "CallerIDName": "Bob Caller",
            "Context": "hotdesk-outbound",
            "Exten": D4 if moved else "101",
            "Application": "AppDial",
            "BridgeId": "b-1" if answered else "",
        }
        for e in ([DESK4_LEG] if moved else BEFORE_REDIRECT)
        if e["Event"] == "DialBegin" and "Exten" in e
    ]
    return [caller, *legs]


class Capture:
    """The call events HA fires, by short name."""

    def __init__(self, hass: HomeAssistant) -> None:
        names = ["call_claimed", "claim_refused", "call_answered", "call_ended"]
        self.events = {
            name: async_capture_events(hass, f"hotdesk_phone_{name}") for name in names
        }

    def __getitem__(self, name: str) -> list[dict[str, Any]]:
        return [e.data for e in self.events[name]]


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


_TIMERS: list[asyncio.TimerHandle] = []


@pytest.fixture(autouse=True)
def _cancel_late_replies() -> Any:
    """A late reply still pending when a test ends is not sent."""
    yield
    while _TIMERS:
        _TIMERS.pop().cancel()


def late_reply(
    server: AmiTestServer, session: Any, action_id: str, after: float
) -> None:
    """Answer the Redirect after ``after`` seconds (past the action timeout)."""
    _TIMERS.append(
        asyncio.get_running_loop().call_later(
            after,
            session.send,
            {
                "Response": "Success",
                "ActionID": action_id,
                "Message": "Redirect successful",
            },
        )
    )


async def test_link_drops_between_redirect_and_reply(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """The PBX moved the call and it was answered while the link was down."""
    hub = hub_of(init_integration)
    hub.client.reconnect_min_delay = 0.05
    seen = Capture(hass)
    await push(hass, init_integration, ami_server, BEFORE_REDIRECT)

    def move_then_drop(
        server: AmiTestServer, session: Any, action: dict[str, str]
    ) -> list[dict[str, str]]:
        server.channels = channels(moved=True, answered=True)
        asyncio.get_running_loop().call_soon(server.drop_connections)
        return []  # the reply is lost with the link

    ami_server.handlers["redirect"] = move_then_drop
    result = await hub.claims.async_claim(CALL_ID, D4, "tag")
    assert not result.claimed
    assert result.reason == "redirect_unconfirmed"
    assert seen["claim_refused"] == []
    await ami_server.wait_for_login(2)
    await wait_until(lambda: hub.connected)
    await hass.async_block_till_done()
    # The resync shows the call moved and answered at desk 4.
    assert [
        (e["desk_id"], e["via"], e["from_desks"]) for e in seen["call_claimed"]
    ] == [(D4, "tag", [D1, D2])]
    assert [e["desk_id"] for e in seen["call_answered"]] == [D4]
    call = hub.tracker.calls[CALL_ID]
    assert (call.phase.value, call.answered_desk, call.claimed_desk) == (
        "answered",
        D4,
        D4,
    )
    # A call that is up is never redirected again.
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hass.async_block_till_done()
    again = await hub.claims.async_claim(CALL_ID, D3, "action")
    assert again.reason == "already_answered"
    assert len(ami_server.actions_named("Redirect")) == 1
    ami_server.channels = []
    await push(hass, init_integration, ami_server, HUNG_UP)
    assert [e["outcome"] for e in seen["call_ended"]] == ["answered"]
    assert [e["reason"] for e in seen["claim_refused"]] == ["already_answered"]


async def test_late_reply_after_the_call_moved(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """The reply comes after the timeout; the PBX's events showed the move."""
    hub = hub_of(init_integration)
    hub.client.action_timeout = 0.3
    seen = Capture(hass)
    await push(hass, init_integration, ami_server, BEFORE_REDIRECT)

    def move_reply_late(
        server: AmiTestServer, session: Any, action: dict[str, str]
    ) -> list[dict[str, str]]:
        server.channels = channels(moved=True, answered=True)
        asyncio.get_running_loop().call_soon(server.push_events, MOVED)
        late_reply(server, session, action["ActionID"], 0.6)
        return []

    ami_server.handlers["redirect"] = move_reply_late
    await async_scan_tag(hass, "tag-alice", "scanner-4")
    await hass.async_block_till_done()
    await asyncio.sleep(0.5)  # past the action timeout
    await hass.async_block_till_done()
    assert seen["claim_refused"] == []
    assert [(e["desk_id"], e["via"]) for e in seen["call_claimed"]] == [(D4, "tag")]
    assert [e["desk_id"] for e in seen["call_answered"]] == [D4]
    await asyncio.sleep(0.2)  # the late reply arrives and is ignored
    ami_server.channels = []
    await push(hass, init_integration, ami_server, HUNG_UP)
    assert [e["outcome"] for e in seen["call_ended"]] == ["answered"]
    assert len(seen["call_claimed"]) == 1
    assert len(ami_server.actions_named("Redirect")) == 1


async def test_late_reply_channels_show_the_move(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """No reply and no events in time: the channel list says it moved."""
    hub = hub_of(init_integration)
    hub.client.action_timeout = 0.3
    seen = Capture(hass)
    await push(hass, init_integration, ami_server, BEFORE_REDIRECT)

    def move_silently(
        server: AmiTestServer, session: Any, action: dict[str, str]
    ) -> list[dict[str, str]]:
        server.channels = channels(moved=True, answered=False)
        late_reply(server, session, action["ActionID"], 1.0)
        return []

    ami_server.handlers["redirect"] = move_silently
    result = await hub.claims.async_claim(CALL_ID, D4, "action")
    assert result.claimed
    assert [(e["desk_id"], e["via"]) for e in seen["call_claimed"]] == [(D4, "action")]
    call = hub.tracker.calls[CALL_ID]
    assert call.ringing_desks == [D4]
    # The PBX's events come late; desk 4 answers; nothing is announced twice.
    await push(hass, init_integration, ami_server, MOVED)
    assert [e["desk_id"] for e in seen["call_answered"]] == [D4]
    ami_server.channels = []
    await push(hass, init_integration, ami_server, HUNG_UP)
    assert [e["outcome"] for e in seen["call_ended"]] == ["answered"]
    assert len(seen["call_claimed"]) == 1
    assert seen["claim_refused"] == []


async def test_lost_redirect_releases_the_claim(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """No reply, and the channel list shows the call where it was."""
    hub = hub_of(init_integration)
    hub.client.action_timeout = 0.3
    seen = Capture(hass)
    await push(hass, init_integration, ami_server, BEFORE_REDIRECT)
    ami_server.channels = channels(moved=False, answered=False)
    ami_server.handlers["redirect"] = lambda *_: []  # never answered
    result = await hub.claims.async_claim(CALL_ID, D4, "tag")
    assert (result.claimed, result.reason) == (False, "redirect_failed")
    assert [(e["desk_id"], e["reason"]) for e in seen["claim_refused"]] == [
        (D4, "redirect_failed")
    ]
    assert seen["call_claimed"] == []
    call = hub.tracker.calls[CALL_ID]
    assert (call.phase.value, call.ringing_desks) == ("ringing", [D1, D2])
    # It never moved, so it may be claimed again.
    del ami_server.handlers["redirect"]
    assert (await hub.claims.async_claim(CALL_ID, D4, "tag")).claimed
    assert len(seen["call_claimed"]) == 1
