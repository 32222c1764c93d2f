"""Call back and the call log, with the test AMI server playing Asterisk."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceValidationError,
    Unauthorized,
)

from custom_components.hotdesk_phone.call_back import valid_number
from custom_components.hotdesk_phone.const import DOMAIN

from .ami_server import AmiTestServer, transcript_events
from .conftest import DESK_IDS
from .helpers import desk_device, push

D1, D2, D3, D4 = DESK_IDS
MISSED = transcript_events("call_missed.ami")


def test_valid_number() -> None:
    assert valid_number("+49 (30) 123-45.67") == "+49301234567"
    assert valid_number("102") == "102"
    for bad in ("", "+", "12a", "1\r\nAction: Hangup", "*97", "1" * 21, "++1"):
        assert valid_number(bad) is None, bad


async def test_call_rings_the_desk_then_dials(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """Home desk first; a logged-in desk when there is one; a chosen desk."""
    response = await hass.services.async_call(
        DOMAIN,
        "call",
        {"extension": "101", "number": "+49 30 1234"},
        blocking=True,
        return_response=True,
    )
    assert response == {"desk_id": D1, "number": "+49301234"}
    (originate,) = ami_server.actions_named("Originate")
    assert originate["Channel"] == "PJSIP/desk1"
    assert originate["Context"] == "hotdesk-callback"
    assert originate["Exten"] == "+49301234"
    assert originate["Async"] == "true"
    raw = bytes(ami_server.received)
    assert b"Variable: HOTDESK_EXTEN=101\r\n" in raw
    assert b"Variable: HOTDESK_NAME=Alice\r\n" in raw
    desk3 = desk_device(hass, init_integration, D3)
    await hass.services.async_call(
        DOMAIN, "login", {"extension": "101", "desk": desk3}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "call", {"extension": "101", "number": "102"}, blocking=True
    )
    assert ami_server.actions_named("Originate")[-1]["Channel"] == "PJSIP/desk3"
    await hass.services.async_call(
        DOMAIN,
        "call",
        {
            "extension": "101",
            "number": "102",
            "desk": desk_device(hass, init_integration, D4),
        },
        blocking=True,
    )
    assert ami_server.actions_named("Originate")[-1]["Channel"] == "PJSIP/desk4"


async def test_call_refusals(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    hass_read_only_user: User,
) -> None:
    """Bad numbers, strangers and a PBX that says no: nothing is dialled."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "call",
            {"extension": "101", "number": "1\nAction: Hangup"},
            blocking=True,
        )
    assert err.value.translation_key == "invalid_number"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "call", {"extension": "999", "number": "102"}, blocking=True
        )
    assert err.value.translation_key == "unknown_extension"
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            "call",
            {"extension": "101", "number": "102"},
            blocking=True,
            context=Context(user_id=hass_read_only_user.id),
        )
    assert ami_server.actions_named("Originate") == []

    def permission_denied(*_: object) -> list[dict[str, str]]:
        return [{"Response": "Error", "Message": "Permission denied"}]

    ami_server.handlers["originate"] = permission_denied
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "call", {"extension": "101", "number": "102"}, blocking=True
        )
    assert type(err.value) is HomeAssistantError
    assert err.value.translation_key == "call_refused"
    # The refused action did reach the PBX (it said no), once.
    assert len(ami_server.actions_named("Originate")) == 1


async def test_call_log_keeps_calls_and_clears(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """A missed call is in Alice's log (across a reload), until cleared."""
    empty = await hass.services.async_call(
        DOMAIN, "call_log", {"extension": "101"}, blocking=True, return_response=True
    )
    assert empty == {"extension": "101", "calls": []}
    await push(hass, init_integration, ami_server, MISSED)
    log = await hass.services.async_call(
        DOMAIN, "call_log", {"extension": "101"}, blocking=True, return_response=True
    )
    assert log is not None
    (record,) = log["calls"]  # type: ignore[misc]
    assert record["outcome"] == "missed"
    assert record["caller_id_number"] == "5550100"
    assert record["caller_id_name"] == "Bob Caller"
    assert record["desk"] is None
    assert record["started"] <= record["ended"]
    # Kept across a reload (HA restart).
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    again = await hass.services.async_call(
        DOMAIN, "call_log", {"extension": "101"}, blocking=True, return_response=True
    )
    assert again == log
    carol = await hass.services.async_call(
        DOMAIN, "call_log", {"extension": "102"}, blocking=True, return_response=True
    )
    assert carol == {"extension": "102", "calls": []}
    await hass.services.async_call(
        DOMAIN, "clear_call_log", {"extension": "101"}, blocking=True
    )
    cleared = await hass.services.async_call(
        DOMAIN, "call_log", {"extension": "101"}, blocking=True, return_response=True
    )
    assert cleared == {"extension": "101", "calls": []}
