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
