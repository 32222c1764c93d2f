"""Incoming-call pushes through HA's real mobile_app to a local push endpoint.

Two companion apps register through mobile_app's HTTP API, with push URLs on
a recording aiohttp server on 127.0.0.1. Button taps come back the way the
apps send them: a ``fire_event`` call on the device's mobile_app webhook.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from custom_components.hotdesk_phone.notifications import (
    claim_action,
    decline_action,
    parse_action,
)

from .ami_server import AmiTestServer, caller_uniqueid, transcript_events
from .conftest import ALICE, DESK_IDS, account_subentry, desk_subentry
from .helpers import push
from .mobile_app import PushServer, register

D1, D2, D3, D4 = DESK_IDS
MISSED = transcript_events("call_missed.ami")
CUT = next(i for i, e in enumerate(MISSED) if e.get("DialStatus") == "CANCEL")
RINGING, MISSED_END = MISSED[:CUT], MISSED[CUT:]
ANSWERED = transcript_events("call_answered_directly.ami")
CALL_ID = caller_uniqueid(MISSED)


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    alice = account_subentry(ALICE, "Alice", "101", [1, 2], ["tag-alice"])
    alice["data"]["notify_targets"] = ["mobile_app_alice_phone"]
    alice["data"]["watch_targets"] = ["mobile_app_alice_watch"]
    return [*(desk_subentry(i) for i in range(1, 5)), alice]


@pytest.fixture
async def apps(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    push_server: PushServer,
    init_integration: MockConfigEntry,
) -> dict[str, Any]:
    """Alice's phone and watch, registered like the companion app does."""
    # Everything that registers HTTP views must be up before the client starts.
    assert await async_setup_component(hass, "mobile_app", {})
    assert await async_setup_component(hass, "notify", {})
    client = await hass_client()
    phone = await register(client, "Alice Phone", "Pixel 8", push_server.url)
    watch = await register(client, "Alice Watch", "Pixel Watch 2", push_server.url)
    await hass.async_block_till_done()
    assert hass.services.has_service("notify", "mobile_app_alice_phone")
    assert hass.services.has_service("notify", "mobile_app_alice_watch")
    return {"client": client, "phone": phone, "watch": watch}


async def tap(apps: dict[str, Any], action: str) -> None:
    """A button tap, as the app reports it through its webhook."""
    response = await apps["client"].post(
        f"/api/webhook/{apps['phone']}",
        json={
            "type": "fire_event",
            "data": {
                "event_type": "mobile_app_notification_action",
                "event_data": {"action": action, "tag": f"hotdesk-{CALL_ID}"},
            },
        },
    )
    assert response.status == 200


async def test_incoming_call_pushes(
    hass: HomeAssistant,
    apps: dict[str, Any],
    push_server: PushServer,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    await push(hass, init_integration, ami_server, RINGING)
    await push_server.wait(2)
    phone = push_server.to(apps["phone"])[0]
    assert phone["title"] == "Call for Alice (101)"
    assert (
        phone["message"]
        == "Bob Caller (5550100) is calling. Ringing at Desk 1, Desk 2."
    )
    assert phone["push_token"] == "token-Alice Phone"
    data = phone["data"]
    assert data["tag"] == f"hotdesk-{CALL_ID}"
    assert data["channel"] == "Hot-desk calls"
    assert data["importance"] == "high"
    assert data["priority"] == "high"
    assert data["ttl"] == 0
    assert data["push"] == {"interruption-level": "time-sensitive"}
    assert data["actions"] == [
        {"action": claim_action(CALL_ID, D1), "title": "Ring Desk 1"},
        {"action": claim_action(CALL_ID, D2), "title": "Ring Desk 2"},
        {"action": decline_action(CALL_ID), "title": "Decline"},
    ]
    watch = push_server.to(apps["watch"])[0]
    assert watch["title"] == phone["title"]
    assert watch["data"]["tag"] == data["tag"]
    assert "actions" not in watch["data"]


async def test_answered_call_clears_pushes(
    hass: HomeAssistant,
    apps: dict[str, Any],
    push_server: PushServer,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    # The recorded call went to 102 (desks 1+4); replay it as a call to Alice
    # (101, desks 1+2) by renaming the extension and desk 4.
    events = [
        {
            k: v.replace("PJSIP/desk4", "PJSIP/desk2")
            if k != "Exten" or v != "102"
            else "101"
            for k, v in e.items()
        }
        for e in ANSWERED
    ]
    await push(hass, init_integration, ami_server, events)
    pushes = await push_server.wait(4)
    call_id = caller_uniqueid(ANSWERED)
    clears = [p for p in pushes if p["message"] == "clear_notification"]
    assert sorted(p["registration_info"]["webhook_id"] for p in clears) == sorted(
        [apps["phone"], apps["watch"]]
    )
    assert all(p["data"] == {"tag": f"hotdesk-{call_id}"} for p in clears)
    await asyncio.sleep(0.05)
    assert len(push_server.pushes) == 4  # no second clear when the call ends


async def test_missed_call_replaces_push(
    hass: HomeAssistant,
    apps: dict[str, Any],
    push_server: PushServer,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    await push(hass, init_integration, ami_server, RINGING)
    await push_server.wait(2)
    await push(hass, init_integration, ami_server, MISSED_END)
    pushes = await push_server.wait(4)
    missed = push_server.to(apps["phone"])[1]
    assert missed["title"] == "Missed call for Alice (101)"
    assert missed["message"] == "Bob Caller (5550100) called."
    assert missed["data"]["tag"] == f"hotdesk-{CALL_ID}"
    # One button: call the caller back (the watch's push has none).
    assert missed["data"]["actions"] == [
        {"action": f"HOTDESK_CALLBACK:{CALL_ID}", "title": "Call back"}
    ]
    assert "actions" not in push_server.to(apps["watch"])[1]["data"]
    await asyncio.sleep(0.05)
    assert not [p for p in pushes if p["message"] == "clear_notification"]
    assert len(push_server.pushes) == 4
    # Tapping it rings Alice's desk, then calls Bob Caller as 101.
    await tap(apps, f"HOTDESK_CALLBACK:{CALL_ID}")
    await hass.async_block_till_done()
    (originate,) = ami_server.actions_named("Originate")
    assert (originate["Channel"], originate["Context"], originate["Exten"]) == (
        "PJSIP/desk1",
        "hotdesk-callback",
        "5550100",
    )
    assert b"Variable: HOTDESK_EXTEN=101\r\n" in bytes(ami_server.received)


async def test_ring_desk_button_claims_that_call(
    hass: HomeAssistant,
    apps: dict[str, Any],
    push_server: PushServer,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    claimed = async_capture_events(hass, "hotdesk_phone_call_claimed")
    refused = async_capture_events(hass, "hotdesk_phone_claim_refused")
    await push(hass, init_integration, ami_server, RINGING)
    await push_server.wait(2)
    await tap(apps, claim_action(CALL_ID, D2))
    await hass.async_block_till_done()
    redirects = ami_server.actions_named("Redirect")
    assert [(r["Channel"], r["Context"], r["Exten"]) for r in redirects] == [
        ("Local/s@test-caller-00000000;1", "hotdesk-claim", D2)
    ]
    assert claimed[0].data["via"] == "notification"
    pushes = await push_server.wait(4)
    assert [p["message"] for p in pushes[2:]] == ["clear_notification"] * 2
    # The watch's tap on the same call comes second: refused, no second move.
    await tap(apps, claim_action(CALL_ID, D1))
    await hass.async_block_till_done()
    assert len(ami_server.actions_named("Redirect")) == 1
    assert [e.data["reason"] for e in refused] == ["already_claimed"]


async def test_decline_button(
    hass: HomeAssistant,
    apps: dict[str, Any],
    push_server: PushServer,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    missed = async_capture_events(hass, "hotdesk_phone_call_missed")
    ended = async_capture_events(hass, "hotdesk_phone_call_ended")
    await push(hass, init_integration, ami_server, RINGING)
    await push_server.wait(2)
    await tap(apps, decline_action(CALL_ID))
    await hass.async_block_till_done()
    redirect = ami_server.actions_named("Redirect")[0]
    assert (redirect["Context"], redirect["Exten"]) == ("hotdesk-unanswered", "101")
    # Declining twice, or claiming after a decline, moves nothing more.
    await tap(apps, decline_action(CALL_ID))
    await tap(apps, claim_action(CALL_ID, D1))
    await hass.async_block_till_done()
    assert len(ami_server.actions_named("Redirect")) == 1
    await push(hass, init_integration, ami_server, MISSED_END)
    assert missed == []
    assert [e.data["outcome"] for e in ended] == ["declined"]
    pushes = await push_server.wait(4)
    assert [p["message"] for p in pushes[2:]] == ["clear_notification"] * 2


async def test_failed_decline_keeps_the_call(
    hass: HomeAssistant,
    apps: dict[str, Any],
    push_server: PushServer,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    ami_server.handlers["redirect"] = lambda *_: [
        {"Response": "Error", "Message": "Channel does not exist: x"}
    ]
    await push(hass, init_integration, ami_server, RINGING)
    await tap(apps, decline_action(CALL_ID))
    await hass.async_block_till_done()
    del ami_server.handlers["redirect"]
    await tap(apps, claim_action(CALL_ID, D1))
    await hass.async_block_till_done()
    assert [r["Context"] for r in ami_server.actions_named("Redirect")] == [
        "hotdesk-unanswered",
        "hotdesk-claim",
    ]


async def test_foreign_and_stale_actions_are_ignored(
    hass: HomeAssistant,
    apps: dict[str, Any],
    push_server: PushServer,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    await push(hass, init_integration, ami_server, RINGING)
    for action in [
        "OPEN_GARAGE",
        claim_action("999.9", D1),
        decline_action("999.9"),
        "HOTDESK_CLAIM:nodesk",
        "HOTDESK_DECLINE:",
    ]:
        await tap(apps, action)
    await hass.async_block_till_done()
    assert ami_server.actions_named("Redirect") == []


async def test_unreachable_target_is_logged_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # No mobile_app at all: the notify actions do not exist.
    await push(hass, init_integration, ami_server, RINGING)
    await push(hass, init_integration, ami_server, MISSED_END)
    await hass.async_block_till_done()
    assert caplog.text.count("Cannot notify mobile_app_alice_phone") == 1
    assert caplog.text.count("Cannot notify mobile_app_alice_watch") == 1


def test_parse_action() -> None:
    assert parse_action(claim_action("1.2", "01DESK")) == ("claim", "1.2", "01DESK")
    assert parse_action(decline_action("1.2")) == ("decline", "1.2", None)
    assert parse_action("HOTDESK_CLAIM:1.2:") is None
    assert parse_action("SOMETHING") is None


@pytest.fixture
def german(hass: HomeAssistant) -> None:
    """Home Assistant set to German before the integration starts."""
    hass.config.language = "de"


async def test_pushes_speak_the_language_of_home_assistant(
    hass: HomeAssistant,
    german: None,
    apps: dict[str, Any],
    push_server: PushServer,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    """Issue 14: a German office's phones get German pushes."""
    await push(hass, init_integration, ami_server, RINGING)
    await push_server.wait(2)
    phone = push_server.to(apps["phone"])[0]
    assert phone["title"] == "Anruf für Alice (101)"
    assert phone["message"] == (
        "Bob Caller (5550100) ruft an. Klingelt an Desk 1, Desk 2."
    )
    assert phone["data"]["channel"] == "Anrufe am Platz"
    assert [a["title"] for a in phone["data"]["actions"]] == [
        "An Desk 1 klingeln",
        "An Desk 2 klingeln",
        "Ablehnen",
    ]
    await push(hass, init_integration, ami_server, MISSED_END)
    await push_server.wait(4)
    missed = push_server.to(apps["phone"])[-1]
    assert missed["title"] == "Verpasster Anruf für Alice (101)"
    assert missed["message"] == "Bob Caller (5550100) hat angerufen."
