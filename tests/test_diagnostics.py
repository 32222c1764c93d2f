"""Diagnostics through HA's real diagnostics endpoint, secrets redacted."""

from __future__ import annotations

import json
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .ami_server import AmiTestServer, transcript_events


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    snapshot: SnapshotAssertion,
) -> None:
    assert await async_setup_component(hass, "diagnostics", {})
    events = transcript_events("call_missed.ami")
    ami_server.push_events(
        e for e in events if e.get("DialStatus") != "CANCEL" and e["Event"] != "Hangup"
    )
    await init_integration.runtime_data.hub.client.ping()
    await hass.async_block_till_done()
    result: dict[str, Any] = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )  # type: ignore[assignment]
    text = json.dumps(result)
    # Neither the AMI secret nor any identity (tag id, card UID) leaks.
    assert ami_server.secret not in text
    assert "tag-alice" not in text
    assert "04A23BC1" not in text
    assert "04:A2:3B:C1" not in text
    assert result["entry"]["data"]["password"] == "**REDACTED**"
    result["entry"]["data"]["port"] = "<port>"
    result["pbx"]["last_resync_seconds"] = "<seconds>"
    assert result == snapshot


# A caller and channels that appear nowhere else, with a non-ASCII name so that
# an escaped spelling (Zo\u00eb) cannot hide a leak from the search.
CALLER_NUMBER = "+4930987654321"
CALLER_NAME = "Zoë Privatperson"
CALLER_CHANNEL = "PJSIP/trunk-carrier-0000002a"
RECORDED = {
    "5550100": CALLER_NUMBER,
    "Bob Caller": CALLER_NAME,
    "Local/s@test-caller-00000000;1": CALLER_CHANNEL,
}


def _private(value: str) -> str:
    for recorded, private in RECORDED.items():
        value = value.replace(recorded, private)
    return value


async def test_diagnostics_leak_no_caller_channel_or_host(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    """A ringing call's caller and channels are in the hub, not in the download."""
    assert await async_setup_component(hass, "diagnostics", {})
    events = [
        {key: _private(value) for key, value in event.items()}
        for event in transcript_events("call_missed.ami")
        if event.get("DialStatus") != "CANCEL" and event["Event"] != "Hangup"
    ]
    desk_channels = sorted(
        {e["DestChannel"] for e in events if e["Event"] == "DialBegin"}
    )
    assert desk_channels  # e.g. PJSIP/desk1-00000000
    ami_server.push_events(events)
    hub = init_integration.runtime_data.hub
    await hub.client.ping()
    await hass.async_block_till_done()
    [call] = hub.tracker.calls.values()
    assert (call.caller_id_number, call.caller_id_name, call.caller_channel) == (
        CALLER_NUMBER,
        CALLER_NAME,
        CALLER_CHANNEL,
    )
    host = init_integration.data["host"]
    dial_strings = [
        sub.data["dial_string"]
        for sub in init_integration.subentries.values()
        if "dial_string" in sub.data
    ]
    assert dial_strings
    # The whole download as a user gets it, not only its "data" part.
    client = await hass_client()
    response = await client.get(
        f"/api/diagnostics/config_entry/{init_integration.entry_id}"
    )
    assert response.status == 200
    raw = await response.text()
    text = json.dumps(json.loads(raw), ensure_ascii=False)
    assert call.call_id in text  # the call is in the output, only redacted
    secrets = [
        CALLER_NUMBER,
        CALLER_NUMBER.lstrip("+"),
        CALLER_NAME,
        "Privatperson",
        CALLER_CHANNEL,
        "trunk-carrier",
        host,
        *desk_channels,
        *dial_strings,
        ami_server.secret,
    ]  # (the AMI user name, "hotdesk", is part of the domain: the snapshot checks it)
    for secret in secrets:
        assert secret not in raw, secret
        assert secret not in text, secret
