"""Issue 14: the logbook tells each call's and each desk's story in words.

HA's real logbook (over its REST API, with the recorder) reads the events the
integration fired; German pushes and lines come from the translation files.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.auth.models import User
from homeassistant.components.recorder import Recorder
from homeassistant.components.tag import async_scan_tag
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from custom_components.hotdesk_phone.const import (
    CONF_CARD_CERTIFICATES,
    CONF_CARD_REQUIRED,
    DOMAIN,
)

from .ami_server import AmiTestServer, transcript_events
from .conftest import ALICE, DESK_IDS, desk_subentry, standard_subentries
from .helpers import desk_device, push, split
from .piv_card import PivApplet

D1, D2, D3, D4 = DESK_IDS
MISSED_RINGING, MISSED_END = split(
    transcript_events("call_missed.ami"), lambda e: e.get("DialStatus") == "CANCEL"
)


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    """The standard office; desk 3 has a tag scanner."""
    subs = standard_subentries()
    subs[2] = desk_subentry(3, ["scanner-3"])
    return subs


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder's database comes before HA starts (conftest's, reordered)."""


@pytest.fixture
async def logbook(hass: HomeAssistant) -> None:
    """HA's logbook (on the recorder), set up before the integration."""
    assert await async_setup_component(hass, "logbook", {})


async def _lines(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, since: Any
) -> list[dict[str, Any]]:
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    client = await hass_client()
    response = await client.get(f"/api/logbook/{since.isoformat()}")
    assert response.status == 200
    lines: list[dict[str, Any]] = await response.json()
    return [line for line in lines if line.get("domain") == DOMAIN]


def _entity(hass: HomeAssistant, unique_id: str) -> str | None:
    return er.async_get(hass).async_get_entity_id("sensor", DOMAIN, unique_id)


async def test_logbook_tells_the_story(
    hass: HomeAssistant,
    logbook: None,
    entity_registry_enabled_by_default: None,  # the Log out button is off
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    hass_client: ClientSessionGenerator,
    hass_admin_user: User,
) -> None:
    since = dt_util.utcnow() - timedelta(seconds=1)
    # An admin logs Carol in at desk 2; a missed call for Alice; Carol's
    # login ends by the Log out button; a tag nobody owns at desk 3.
    await hass.services.async_call(
        DOMAIN,
        "login",
        {"extension": "102", "desk": desk_device(hass, init_integration, D2)},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )
    await push(hass, init_integration, ami_server, MISSED_RINGING)
    await push(hass, init_integration, ami_server, MISSED_END)
    button = er.async_get(hass).async_get_entity_id("button", DOMAIN, f"{D2}_logout")
    await hass.services.async_call(
        "button", "press", {"entity_id": button}, blocking=True
    )
    await async_scan_tag(hass, "04:DE:AD:BE:EF:42", "scanner-3")
    lines = await _lines(hass, hass_client, since)
    told = [(line["name"], line["message"]) for line in lines]
    assert told == [
        ("Carol", "logged in at Desk 2"),
        ("Alice", "is called by Bob Caller (5550100), ringing at Desk 1, Desk 2"),
        ("Alice", "missed a call from Bob Caller (5550100)"),
        ("Alice", "had a call from Bob Caller (5550100): missed"),
        ("Carol", "logged out at Desk 2 (Log out button)"),
        ("Desk 3", "read a tag that belongs to nobody (ending F:42)"),
    ]
    # The logbook names who acted (the admin), and files each line with the
    # account's or the desk's entity.
    assert lines[0]["context_user_id"] == hass_admin_user.id
    assert lines[0]["entity_id"] == _entity(hass, f"{D2}_logged_in_account")
    assert lines[1]["entity_id"] == _entity(hass, f"{ALICE}_account_call_state")
    # The event entity (off by default) adds no "detected an event" lines.
    assert not [
        line for line in lines if line.get("entity_id", "").startswith("event.")
    ]


async def test_german_logbook_and_pushes(
    hass: HomeAssistant,
    logbook: None,
    ami_server: AmiTestServer,
    mock_config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """With HA set to German, lines (and push texts) are German."""
    hass.config.language = "de"
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    since = dt_util.utcnow() - timedelta(seconds=1)
    await push(hass, mock_config_entry, ami_server, MISSED_RINGING)
    await push(hass, mock_config_entry, ami_server, MISSED_END)
    told = [line["message"] for line in await _lines(hass, hass_client, since)]
    assert told == [
        "wird von Bob Caller (5550100) angerufen, es klingelt an Desk 1, Desk 2",
        "hat einen Anruf von Bob Caller (5550100) verpasst",
        "hatte einen Anruf von Bob Caller (5550100): verpasst",
    ]


async def test_logbook_tells_an_emergency_call(
    hass: HomeAssistant,
    logbook: None,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    hass_client: ClientSessionGenerator,
) -> None:
    since = dt_util.utcnow() - timedelta(seconds=1)
    await push(
        hass,
        init_integration,
        ami_server,
        [
            {
                "Event": "DialBegin",
                "Channel": "PJSIP/desk1-00000021",
                "Context": "hotdesk-emergency",
                "Exten": "112",
                "DestChannel": "PJSIP/carrier-00000022",
            },
            {"Event": "Hangup", "Channel": "PJSIP/desk1-00000021"},
        ],
    )
    lines = await _lines(hass, hass_client, since)
    told = [(line["name"], line["message"]) for line in lines]
    # The desk's story: no location or ELIN is set in this entry.
    assert told == [
        (
            "Desk 1",
            (
                "called emergency number 112; location: not set; callback "
                "number: not set; logged in: nobody"
            ),
        ),
        ("Desk 1", "emergency call to 112 ended"),
    ]
    assert lines[0]["entity_id"] == _entity(hass, f"{D1}_desk_call_state")


async def test_logbook_tells_refusals_and_scans_at_no_desk(
    hass: HomeAssistant,
    logbook: None,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    hass_client: ClientSessionGenerator,
) -> None:
    """A claim the PBX refused, a scan refused, and tags at a reader of no desk."""
    since = dt_util.utcnow() - timedelta(seconds=1)
    ami_server.handlers["redirect"] = lambda *_: [
        {"Response": "Error", "Message": "Channel does not exist: x"}
    ]
    await push(hass, init_integration, ami_server, MISSED_RINGING)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "claim_call",
            {"extension": "101", "desk": desk_device(hass, init_integration, D3)},
            blocking=True,
        )
    assert err.value.translation_key == "claim_refused_redirect_failed"
    await push(hass, init_integration, ami_server, MISSED_END)
    # Alice's account now needs her enrolled card: a tag scan is refused.
    alice = init_integration.subentries[ALICE]
    card = base64.b64encode(PivApplet("p256", "Alice Martin").certificate).decode()
    hass.config_entries.async_update_subentry(
        init_integration,
        alice,
        data={**alice.data, CONF_CARD_CERTIFICATES: [card], CONF_CARD_REQUIRED: True},
    )
    await hass.async_block_till_done()
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    # A reader that is no desk's: Alice's tag, then a tag nobody owns.
    await async_scan_tag(hass, "tag-alice", "reader-in-the-lobby")
    await async_scan_tag(hass, "04:DE:AD:BE:EF:42", "reader-in-the-lobby")
    lines = await _lines(hass, hass_client, since)
    told = [(line["name"], line["message"]) for line in lines]
    assert told == [
        ("Alice", "is called by Bob Caller (5550100), ringing at Desk 1, Desk 2"),
        (
            "Alice",
            (
                "could not get the call from Bob Caller (5550100) at Desk 3: "
                "the PBX refused"
            ),
        ),
        ("Alice", "missed a call from Bob Caller (5550100)"),
        ("Alice", "had a call from Bob Caller (5550100): missed"),
        (
            "Alice",
            (
                "scan at Desk 3 refused: a tag scan cannot prove a card; an "
                "authenticated card is required"
            ),
        ),
        ("Alice", "scanned a tag at a scanner that belongs to no desk"),
        (
            "Hot-desk phone",
            (
                "A tag that belongs to nobody (ending F:42) was scanned at a "
                "scanner that belongs to no desk"
            ),
        ),
    ]
    account_line = _entity(hass, f"{ALICE}_account_call_state")
    assert [line.get("entity_id") for line in lines[4:]] == [
        account_line,
        account_line,
        None,
    ]
