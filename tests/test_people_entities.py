"""Issue 14: entities a person can read and use.

The Log out button under the logout action's rules (through HA's real
button.press action and REST API), and the missed-calls count that survives
a restart.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    CLIENT_ID,
    MockConfigEntry,
    async_capture_events,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.auth.models import User
from homeassistant.components.person import async_create_person
from homeassistant.core import Context, HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component

from custom_components.hotdesk_phone.const import CONF_PEOPLE, DOMAIN

from .ami_server import AmiTestServer, transcript_events
from .conftest import ALICE, CAROL, DESK_IDS, account_subentry, desk_subentry
from .helpers import desk_device, hub_of, push, split

D1, D2, D3, D4 = DESK_IDS
MISSED_RINGING, MISSED_END = split(
    transcript_events("call_missed.ami"), lambda e: e.get("DialStatus") == "CANCEL"
)


def entity_id(hass: HomeAssistant, domain: str, unique_id: str) -> str:
    found = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    assert found is not None, unique_id
    return found


@pytest.fixture
async def alice(hass: HomeAssistant, hass_owner_user: User) -> tuple[User, str]:
    """Alice's non-admin HA user (the person of account 101) and her token."""
    user = await hass.auth.async_create_user("Alice", group_ids=["system-users"])
    refresh = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    return user, hass.auth.async_create_access_token(refresh)


@pytest.fixture
async def subentries(
    hass: HomeAssistant, alice: tuple[User, str]
) -> list[dict[str, Any]]:
    """101 is Alice's (person.alice), 102 Carol's (a person without a user)."""
    for component in ("api", "person"):
        assert await async_setup_component(hass, component, {})
    await async_create_person(hass, "Alice", user_id=alice[0].id)
    await async_create_person(hass, "Carol")
    alice_account = account_subentry(ALICE, "Alice", "101", [1, 2], ["tag-alice"])
    alice_account["data"][CONF_PEOPLE] = ["person.alice"]
    carol_account = account_subentry(CAROL, "Carol", "102", [1, 4], ["tag-carol"])
    carol_account["data"][CONF_PEOPLE] = ["person.carol"]
    return [*(desk_subentry(i) for i in range(1, 5)), alice_account, carol_account]


async def _login(
    hass: HomeAssistant, entry: MockConfigEntry, ext: str, desk: str
) -> None:
    await hass.services.async_call(
        DOMAIN,
        "login",
        {"extension": ext, "desk": desk_device(hass, entry, desk)},
        blocking=True,
    )


async def test_logout_button_follows_the_logout_rules(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,  # the button is off by default
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    hass_client: ClientSessionGenerator,
    alice: tuple[User, str],
) -> None:
    hub = hub_of(init_integration)
    logouts = async_capture_events(hass, "hotdesk_phone_logout")
    button3 = entity_id(hass, "button", f"{D3}_logout")
    button4 = entity_id(hass, "button", f"{D4}_logout")
    # Nobody logged in: a translated validation error, nothing sent.
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "button", "press", {"entity_id": button3}, blocking=True
        )
    assert err.value.translation_key == "not_logged_in"
    # Carol's login is not Alice's to end: refused, over REST (401) and in
    # process (Unauthorized), and nothing reaches the PBX.
    await _login(hass, init_integration, "102", D4)
    client = await hass_client(alice[1])
    response = await client.post(
        "/api/services/button/press", json={"entity_id": button4}
    )
    assert response.status == HTTPStatus.UNAUTHORIZED
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": button4},
            blocking=True,
            context=Context(user_id=alice[0].id),
        )
    assert hub.logins == {D4: CAROL}
    assert ami_server.astdb[f"hotdesk/login/{D4}"] == "102"
    # Her own login she may end with the button.
    await _login(hass, init_integration, "101", D3)
    response = await client.post(
        "/api/services/button/press", json={"entity_id": button3}
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert D3 not in hub.logins
    assert f"hotdesk/login/{D3}" not in ami_server.astdb
    assert [e.data["reason"] for e in logouts] == ["button"]
    assert logouts[0].data["user_id"] == alice[0].id
    assert logouts[0].context.user_id == alice[0].id
    sensor = hass.states.get(entity_id(hass, "sensor", f"{D3}_logged_in_account"))
    assert sensor is not None
    assert sensor.state == "nobody"
    # An automation (no user) may press any desk's button.
    await hass.services.async_call(
        "button", "press", {"entity_id": button4}, blocking=True, context=Context()
    )
    assert hub.logins == {}


@pytest.fixture
def restored_missed_calls(hass: HomeAssistant) -> None:
    """Alice's missed calls sensor had counted 4 before HA restarted."""
    # Its entity id as the registry kept it (HA versions name new ones
    # differently).
    er.async_get(hass).async_get_or_create(
        "sensor", DOMAIN, f"{ALICE}_missed_calls", suggested_object_id="alice_missed"
    )
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State("sensor.alice_missed", "4"),
                {"native_value": 4, "native_unit_of_measurement": None},
            )
        ],
    )


async def test_missed_calls_count_survives_a_restart(
    hass: HomeAssistant,
    restored_missed_calls: None,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    missed = entity_id(hass, "sensor", f"{ALICE}_missed_calls")
    assert missed == "sensor.alice_missed"
    assert hass.states.get(missed).state == "4"  # type: ignore[union-attr]
    await push(hass, init_integration, ami_server, MISSED_RINGING)
    await push(hass, init_integration, ami_server, MISSED_END)
    assert hass.states.get(missed).state == "5"  # type: ignore[union-attr]
    carol = hass.states.get(entity_id(hass, "sensor", f"{CAROL}_missed_calls"))
    assert carol is not None
    assert carol.state == "0"
