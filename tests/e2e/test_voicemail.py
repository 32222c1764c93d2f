"""Voicemail on a real Asterisk 22 (app_voicemail) with SIPp phones and mobile_app.

Alice (101) has voicemail on; her mailbox is 101@default
(``asterisk_conf/voicemail.conf``). A SIPp caller calls 101, Alice declines
and the shipped dialplan's ``hotdesk-unanswered`` runs ``VoiceMail``; the
caller speaks (RTP from a mu-law file) and hangs up. Then: the event, the push
through HA's real ``mobile_app``, the message playing through the media source
for Alice's user (and marked read on the PBX), refused to another non-admin
user, the message-summary NOTIFY at the desk where she is logged in (and put
out at her logout), the delete on the PBX.
"""

from __future__ import annotations

import asyncio
import math
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import CLIENT_ID, MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from custom_components.hotdesk_phone.const import (
    CONF_NOTIFY_TARGETS,
    CONF_VOICEMAIL,
    CONF_VOICEMAIL_FOLDER,
    DOMAIN,
)
from custom_components.hotdesk_phone.hub import HotdeskHub
from custom_components.hotdesk_phone.mailboxes import mailboxes_of
from custom_components.hotdesk_phone.voicemail import box_summary
from tests.mobile_app import PushServer, register_apps

from .conftest import ALICE, D3, D4, EventLog, Pbx, in_thread, report, until
from .sip_phone import SipCall, SipPhone

pytestmark = pytest.mark.e2e

MAILBOX = "101@default"
# app_voicemail's greeting ("The person at extension 1 0 1 is unavailable,
# please leave your message after the tone") takes about 12 s; then the
# caller speaks for about 4 s.
HOLD_MS = 16_000


def _ulaw(sample: int) -> int:
    """One 16-bit sample as G.711 mu-law."""
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), 32635) + 0x84
    exponent = 7
    mask = 0x4000
    while exponent > 0 and not magnitude & mask:
        exponent -= 1
        mask >>= 1
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def speech_file(path: Path, seconds: int = 30) -> Path:
    """A tone that swells and fades like a voice, raw 8 kHz mu-law."""
    rate = 8000
    path.write_bytes(
        bytes(
            _ulaw(
                int(
                    8000
                    * math.sin(2 * math.pi * 440 * i / rate)
                    * (0.6 + 0.4 * math.sin(2 * math.pi * 3 * i / rate))
                )
            )
            for i in range(rate * seconds)
        )
    )
    return path


@pytest.fixture
def pbx_entry(pbx_entry: MockConfigEntry, clean_pbx: Pbx) -> MockConfigEntry:
    """Alice with voicemail and her phone's app; the run's spool readable."""
    subentries: list[dict[str, Any]] = []
    for sub in pbx_entry.subentries.values():
        data = dict(sub.data)
        if sub.subentry_id == ALICE:
            data[CONF_VOICEMAIL] = True
            data[CONF_NOTIFY_TARGETS] = ["mobile_app_alice_phone"]
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
        options={CONF_VOICEMAIL_FOLDER: str(clean_pbx.run_dir / "spool" / "voicemail")},
        subentries_data=subentries,  # type: ignore[arg-type]
        entry_id=pbx_entry.entry_id,
    )


@pytest.fixture
def empty_mailbox(clean_pbx: Pbx) -> Pbx:
    """No message left from an earlier test (the PBX runs for the session)."""
    clean_pbx.cli("voicemail reload")
    for folder in (clean_pbx.run_dir / "spool" / "voicemail" / "default").glob("*"):
        for file in folder.rglob("msg*"):
            file.unlink()
    return clean_pbx


async def _user(hass: HomeAssistant, name: str, person: str) -> str:
    """A non-admin user with a person entity; its access token."""
    user = await hass.auth.async_create_user(name, group_ids=["system-users"])
    refresh = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    hass.states.async_set(person, "home", {"user_id": user.id})
    return hass.auth.async_create_access_token(refresh)


def _voicemail_pushes(server: PushServer) -> list[dict[str, Any]]:
    return [
        p
        for p in server.pushes
        if str(p.get("data", {}).get("tag", "")).startswith("hotdesk-vm-")
    ]


def _mwi(phone: SipPhone) -> list[str]:
    """The message-summary bodies the desk phone got, in order."""
    return [
        m.body
        for m in phone.received("NOTIFY")
        if (m.header("Event") or "").startswith("message-summary")
    ]


async def test_a_voicemail_is_pushed_played_for_alice_only_and_lights_her_desk(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    push_server: PushServer,
    empty_mailbox: Pbx,
    pbx_entry: MockConfigEntry,
    hub: HotdeskHub,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
    tmp_path: Path,
) -> None:
    pbx = empty_mailbox
    assert await async_setup_component(hass, "media_source", {})
    apps = await register_apps(
        hass, hass_client, push_server.url, [("Alice Phone", "Pixel 8")]
    )
    alice_token = await _user(hass, "Alice", "person.alice")
    bob_token = await _user(hass, "Bob", "person.bob")
    mailboxes = mailboxes_of(hass)[pbx_entry.entry_id]

    # The mailbox key the dialplan reads.
    assert (await in_thread(hass, pbx.astdb))["voicemail/101"] == MAILBOX
    # Logged in at desks 3 and 4 (several logins per account are allowed).
    await hub.async_login(ALICE, D3)
    await hub.async_login(ALICE, D4)
    desk3, desk4 = phones["desk3"], phones["desk4"]

    # A caller calls 101; Alice declines: the caller goes to her mailbox.
    audio = await hass.async_add_executor_job(speech_file, tmp_path / "speech.ulaw")
    caller = SipCall(
        "caller",
        "101",
        pbx.sip_port,
        caller_id_number="5550100",
        caller_id_name="Bob Caller",
        ring_timeout_ms=30_000,
        hold_ms=HOLD_MS,
        work_dir=tmp_path / "caller",
        audio=audio,
    ).start()
    try:
        await until(
            lambda: hub.tracker.call_for_account(ALICE) is not None, 10, "ringing"
        )
        call = hub.tracker.call_for_account(ALICE)
        assert call is not None
        assert await hub.claims.async_decline(call.call_id)
        code = await hass.async_add_executor_job(caller.wait, 40)
    finally:
        caller.stop()
    assert code == 0, "the caller's scenario did not complete"

    event = await hotdesk_events.wait("voicemail", timeout=10)
    [bye] = [m for m in caller.messages() if m.method == "BYE"]
    took = hotdesk_events.time_of("voicemail") - bye.time
    report(f"voicemail: event {took * 1000:.0f} ms after the caller's BYE")
    assert event["account_id"] == ALICE
    assert event["mailbox"] == MAILBOX
    assert event["caller_id_number"] == "5550100"
    assert event["caller_id_name"] == "Bob Caller"
    assert event["duration"] >= 1
    assert event["new_messages"] == 1
    message_id = event["message_id"]
    listed = await box_summary(hub.client, MAILBOX)
    assert [m.message_id for m in listed] == [message_id]

    # The push, through HA's real mobile_app: caller, length, Call back, Play.
    # (The call's own pushes came first: incoming, then cleared at the decline.)
    await until(lambda: bool(_voicemail_pushes(push_server)), 5, "voicemail push")
    [push] = _voicemail_pushes(push_server)
    assert push["registration_info"]["webhook_id"] == apps["Alice Phone"]
    assert "Bob Caller (5550100)" in push["message"]
    assert f"({event['duration']} s)" in push["message"]
    actions = push["data"]["actions"]
    assert actions[0]["action"] == f"HOTDESK_VMCALLBACK:{message_id}"
    assert actions[1]["action"] == "URI"
    assert actions[1]["uri"].startswith("/media-browser/browser/")
    assert push["data"]["media_content_id"] == event["media_content_id"]

    # The account's sensor counts it.
    state = hass.states.get("sensor.alice_voicemail")
    assert state is not None
    assert state.state == "1"
    assert state.attributes["messages"][0]["message_id"] == message_id

    # Message waiting lit at desks 3 and 4, where Alice is logged in; not at
    # her home desks 1 and 2, where she is not.
    for desk in (desk3, desk4):
        await until(lambda d=desk: any("yes" in b for b in _mwi(d)), 5, "MWI")
        assert "Voice-Message: 1/0" in _mwi(desk)[-1]
    assert _mwi(phones["desk1"]) == _mwi(phones["desk2"]) == []
    lit = min(
        m.time for m in desk3.received("NOTIFY") if "Messages-Waiting: yes" in m.body
    )
    took = lit - hotdesk_events.time_of("voicemail")
    report(f"voicemail: desk 3's NOTIFY {took * 1000:.0f} ms after the event")

    # Bob (another non-admin user) sees no mailbox and cannot play it.
    bob_ws = await hass_ws_client(hass, access_token=bob_token)
    await bob_ws.send_json_auto_id(
        {
            "type": "media_source/browse_media",
            "media_content_id": f"media-source://{DOMAIN}",
        }
    )
    browsed = await bob_ws.receive_json()
    assert browsed["success"], browsed
    assert browsed["result"]["children"] == []
    await bob_ws.send_json_auto_id(
        {
            "type": "media_source/resolve_media",
            "media_content_id": event["media_content_id"],
        }
    )
    refused = await bob_ws.receive_json()
    assert not refused["success"]
    assert refused["error"]["code"] == "unauthorized"
    plain = await hass_client_no_auth()
    view = f"/api/hotdesk_phone/voicemail/{pbx_entry.entry_id}/{ALICE}/{message_id}"
    response = await plain.get(view, headers={"Authorization": f"Bearer {bob_token}"})
    assert response.status == 401
    assert (await box_summary(hub.client, MAILBOX))[0].folder == "INBOX"

    # Alice browses her mailbox and plays the message: real audio, then read.
    alice_ws = await hass_ws_client(hass, access_token=alice_token)
    await alice_ws.send_json_auto_id(
        {
            "type": "media_source/browse_media",
            "media_content_id": f"media-source://{DOMAIN}",
        }
    )
    browsed = await alice_ws.receive_json()
    assert [c["title"] for c in browsed["result"]["children"]] == ["Alice (101): 1"]
    await alice_ws.send_json_auto_id(
        {
            "type": "media_source/resolve_media",
            "media_content_id": event["media_content_id"],
        }
    )
    resolved = await alice_ws.receive_json()
    assert resolved["success"], resolved
    assert "authSig=" in resolved["result"]["url"]
    response = await plain.get(resolved["result"]["url"])
    assert response.status == 200
    body = await response.read()
    assert body[:4] == b"RIFF"
    assert len(body) > 8000  # more than half a second of 8 kHz 16-bit audio
    report(f"voicemail: {len(body)} bytes played, {event['duration']} s")
    assert [m.folder for m in await box_summary(hub.client, MAILBOX)] == ["Old"]
    await until(lambda: "Voice-Message: 0/1" in _mwi(desk3)[-1], 5, "read MWI")
    assert hass.states.get("sensor.alice_voicemail").state == "0"  # type: ignore[union-attr]

    # Logged out at desk 3: its lamp goes out, desk 4's stays as it is.
    await until(lambda: "Voice-Message: 0/1" in _mwi(desk4)[-1], 5, "read MWI 4")
    notifies, at_desk4 = len(_mwi(desk3)), len(_mwi(desk4))
    await hub.async_logout(D3)
    await until(lambda: len(_mwi(desk3)) > notifies, 5, "MWI off at logout")
    assert "Messages-Waiting: no" in _mwi(desk3)[-1]
    assert len(_mwi(desk4)) == at_desk4

    # Deleted in Home Assistant: gone on the PBX.
    message = mailboxes.find(ALICE, message_id)
    assert message is not None
    account = hub.directory.accounts[ALICE]
    await mailboxes.async_delete(account, message)
    assert await box_summary(hub.client, MAILBOX) == []
    assert mailboxes.messages[ALICE] == []
    await asyncio.sleep(0)
