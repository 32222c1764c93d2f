"""Queues follow the person (the test AMI server plays app_queue).

Alice's account names the queue ``support``: logged in at desk 3 she is its
member there, paused while do not disturb is on, and a member nowhere once
logged out; a restarted PBX gets her back; members that are not the
integration's stay.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.hotdesk_phone.const import (
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_QUEUES,
)

from .ami_server import AmiTestServer
from .conftest import ALICE, DESK_IDS, standard_subentries
from .helpers import hub_of, relink, wait_for

D1, D2, D3, D4 = DESK_IDS


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    """The standard office; Alice takes calls of the support queue."""
    items = standard_subentries()
    for item in items:
        if item["subentry_id"] == ALICE:
            item["data"][CONF_QUEUES] = ["support"]
    return items


@pytest.fixture
def ami_server_queues(ami_server: AmiTestServer) -> AmiTestServer:
    """A PBX with two queues; a static member and someone else's member."""
    ami_server.queues = {
        "support": {
            "PJSIP/desk1": {"name": "Reception", "paused": "0", "membership": "static"},
            "PJSIP/softphone9": {"name": "Zoe", "paused": "0", "membership": "dynamic"},
        },
        "sales": {},
    }
    return ami_server


def members(server: AmiTestServer) -> dict[str, dict[str, str]]:
    return server.queues["support"]


async def test_membership_follows_login_and_do_not_disturb(
    hass: HomeAssistant,
    ami_server_queues: AmiTestServer,
    init_integration: MockConfigEntry,
) -> None:
    server = ami_server_queues
    hub = hub_of(init_integration)
    others = dict(members(server))
    await hub.async_login(ALICE, D3)
    await wait_for(hass, lambda: "PJSIP/desk3" in members(server))
    assert members(server)["PJSIP/desk3"] == {
        "name": "Alice",
        "paused": "0",
        "membership": "dynamic",
    }
    await hub.async_set_dnd(ALICE, True)
    await wait_for(hass, lambda: members(server)["PJSIP/desk3"]["paused"] == "1")
    await hub.async_set_dnd(ALICE, False)
    await wait_for(hass, lambda: members(server)["PJSIP/desk3"]["paused"] == "0")
    # Logged in at desk 4 too (several desks allowed): a member at both.
    await hub.async_login(ALICE, D4)
    await wait_for(hass, lambda: "PJSIP/desk4" in members(server))
    assert "PJSIP/desk3" in members(server)
    await hub.async_logout(D3)
    await wait_for(hass, lambda: "PJSIP/desk3" not in members(server))
    assert "PJSIP/desk4" in members(server)
    await hub.async_logout(D4)
    await wait_for(hass, lambda: members(server) == others)
    assert server.queues["sales"] == {}


async def test_a_restarted_pbx_gets_the_members_back(
    hass: HomeAssistant,
    ami_server_queues: AmiTestServer,
    init_integration: MockConfigEntry,
) -> None:
    server = ami_server_queues
    hub = hub_of(init_integration)
    await hub.async_login(ALICE, D3)
    await wait_for(hass, lambda: "PJSIP/desk3" in members(server))
    del members(server)["PJSIP/desk3"]  # the PBX forgot its dynamic members
    await relink(hass, hub, server)
    await wait_for(hass, lambda: "PJSIP/desk3" in members(server))
    adds = server.actions_named("QueueAdd")
    assert [a["Interface"] for a in adds] == ["PJSIP/desk3", "PJSIP/desk3"]


async def test_a_renamed_account_is_a_member_under_its_new_name(
    hass: HomeAssistant,
    ami_server_queues: AmiTestServer,
    init_integration: MockConfigEntry,
) -> None:
    """Queue reports name the member: a rename replaces it under the new name."""
    server = ami_server_queues
    hub = hub_of(init_integration)
    await hub.async_login(ALICE, D3)
    await wait_for(hass, lambda: "PJSIP/desk3" in members(server))
    alice = init_integration.subentries[ALICE]
    hass.config_entries.async_update_subentry(
        init_integration, alice, data={**alice.data, CONF_NAME: "Alice Martin"}
    )
    await wait_for(
        hass, lambda: members(server)["PJSIP/desk3"]["name"] == "Alice Martin"
    )
    assert [a["Interface"] for a in server.actions_named("QueueRemove")] == [
        "PJSIP/desk3"
    ]
    assert hub.logins == {D3: ALICE}


async def test_a_refused_queue_action_is_logged_and_mended_at_the_next_change(
    hass: HomeAssistant,
    ami_server_queues: AmiTestServer,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = ami_server_queues
    hub = hub_of(init_integration)
    server.handlers["queueadd"] = lambda *_: [
        {"Response": "Error", "Message": "Unable to add interface: Out of memory"}
    ]
    await hub.async_login(ALICE, D3)
    await wait_for(hass, lambda: "Queue members not updated" in caplog.text)
    assert "PJSIP/desk3" not in members(server)
    del server.handlers["queueadd"]
    await hub.async_login(ALICE, D4)
    await wait_for(hass, lambda: "PJSIP/desk4" in members(server))
    assert "PJSIP/desk3" in members(server)


async def test_no_queue_action_without_queues(
    hass: HomeAssistant,
    ami_server_queues: AmiTestServer,
    init_integration: MockConfigEntry,
) -> None:
    """An office whose accounts name no queue asks the PBX nothing about them."""
    alice = init_integration.subentries[ALICE]
    hass.config_entries.async_update_subentry(
        init_integration, alice, data={**alice.data, CONF_QUEUES: []}
    )
    await hass.async_block_till_done()
    before = len(ami_server_queues.actions)
    await hub_of(init_integration).async_login(ALICE, D3)
    await hass.async_block_till_done()
    sent = [a["Action"] for a in ami_server_queues.actions[before:]]
    assert sent  # the login was written
    assert not [a for a in sent if a.startswith("Queue")]


async def test_the_account_form_offers_the_pbxs_queues(
    hass: HomeAssistant,
    ami_server_queues: AmiTestServer,
    init_integration: MockConfigEntry,
) -> None:
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, "account"), context={"source": "user"}
    )
    schema = result["data_schema"].schema
    field = next(k for k in schema if k == CONF_QUEUES)
    assert schema[field].config["options"] == ["sales", "support"]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Dave",
            CONF_EXTENSION: "104",
            CONF_HOME_DESKS: [D3],
            CONF_QUEUES: ["sales", "bad queue"],
        },
    )
    assert result["errors"] == {CONF_QUEUES: "invalid_queue"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Dave",
            CONF_EXTENSION: "104",
            CONF_HOME_DESKS: [D3],
            CONF_QUEUES: ["sales"],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_QUEUES] == ["sales"]
