"""The method end to end inside HA, with the test AMI server playing Asterisk 22.

All home desks ring, a scan claims the call and moves it to that desk,
refusals, missed calls, hot-desk login/logout, automatic logout, persistence
and the actions.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from homeassistant.components.tag import async_scan_tag
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.util import dt as dt_util

from custom_components.hotdesk_phone.const import (
    CONF_AUTO_LOGOUT_HOURS,
    CONF_AUTO_LOGOUT_TIME,
    CONF_MULTIPLE_LOGINS,
    DOMAIN,
)

from .ami_server import AmiTestServer, transcript_events
from .conftest import ALICE, CAROL, DESK_IDS, account_subentry, desk_subentry
from .helpers import (
    AFTER_REDIRECT,
    BEFORE_REDIRECT,
    desk_device,
    hub_of,
    push,
    redirect_then,
    split,
    wait_connected,
)

D1, D2, D3, D4 = DESK_IDS


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    """Each desk has a scanner device; 101 rings desks 1+2, 102 desks 1+4."""
    return [
        *(desk_subentry(i, [f"scanner-{i}"]) for i in range(1, 5)),
        account_subentry(ALICE, "Alice", "101", [1, 2], ["tag-alice", "04:A2:3B:C1"]),
        account_subentry(CAROL, "Carol", "102", [1, 4], ["tag-carol"]),
    ]


def state(hass: HomeAssistant, unique_id: str, domain: str = "sensor") -> Any:
    entity_id = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    assert entity_id is not None, unique_id
    return hass.states.get(entity_id)


MISSED = transcript_events("call_missed.ami")
MISSED_RINGING, MISSED_END = split(MISSED, lambda e: e.get("DialStatus") == "CANCEL")
ANSWERED = transcript_events("call_answered_directly.ami")
CALLER_CHANNEL = "Local/s@test-caller-00000001;1"


async def test_ring_all_then_missed(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    incoming = async_capture_events(hass, "hotdesk_phone_incoming_call")
    missed = async_capture_events(hass, "hotdesk_phone_call_missed")
    ended = async_capture_events(hass, "hotdesk_phone_call_ended")
    await push(hass, init_integration, ami_server, MISSED_RINGING)
    assert len(incoming) == 1
    data = incoming[0].data
    assert data["account_id"] == ALICE
    assert data["account"] == "Alice"
    assert data["extension"] == "101"
    assert data["caller_id_number"] == "5550100"
    assert data["caller_id_name"] == "Bob Caller"
    assert data["desks"] == sorted([D1, D2])
    call_state = state(hass, f"{ALICE}_account_call_state")
    assert call_state.state == "ringing"
    assert call_state.attributes["ringing_desks"] == ["Desk 1", "Desk 2"]
    assert state(hass, f"{ALICE}_caller").state == "Bob Caller <5550100>"
    assert state(hass, f"{D1}_desk_call_state").state == "ringing"
    assert state(hass, "01ENTRY_active_calls").state == "1"
    await push(hass, init_integration, ami_server, MISSED_END)
    assert len(missed) == 1
    assert missed[0].data["call_id"] == data["call_id"]
    assert [e.data["outcome"] for e in ended] == ["missed"]
    assert state(hass, f"{ALICE}_account_call_state").state == "idle"
    # Issue 14: "No call" (a translated state), not "Unknown".
    assert state(hass, f"{ALICE}_caller").state == "no_call"
    assert state(hass, f"{ALICE}_missed_calls").state == "1"
    assert state(hass, f"{CAROL}_missed_calls").state == "0"
    assert state(hass, f"{D1}_desk_call_state").state == "idle"
    event_state = state(hass, f"{ALICE}_call", "event")
    assert event_state.attributes["event_type"] == "call_missed"


async def test_scan_at_other_desk_claims_call(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    claimed = async_capture_events(hass, "hotdesk_phone_call_claimed")
    answered = async_capture_events(hass, "hotdesk_phone_call_answered")
    ended = async_capture_events(hass, "hotdesk_phone_call_ended")
    missed = async_capture_events(hass, "hotdesk_phone_call_missed")
    ami_server.handlers["redirect"] = redirect_then(AFTER_REDIRECT)
    await push(hass, init_integration, ami_server, BEFORE_REDIRECT)
    await async_scan_tag(hass, "tag-alice", "scanner-4")
    await hass.async_block_till_done()
    redirects = ami_server.actions_named("Redirect")
    assert len(redirects) == 1
    assert redirects[0]["Channel"] == CALLER_CHANNEL
    assert redirects[0]["Context"] == "hotdesk-claim"
    assert redirects[0]["Exten"] == D4
    await hub_of(init_integration).client.ping()
    await hass.async_block_till_done()
    assert len(claimed) == 1
    assert claimed[0].data["desk_id"] == D4
    assert claimed[0].data["desk"] == "Desk 4"
    assert claimed[0].data["from_desks"] == [D1, D2]
    assert claimed[0].data["via"] == "tag"
    assert [e.data["desk_id"] for e in answered] == [D4]
    assert [e.data["outcome"] for e in ended] == ["answered"]
    assert missed == []


async def test_card_uid_in_any_spelling_claims(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    await push(hass, init_integration, ami_server, BEFORE_REDIRECT)
    await async_scan_tag(hass, "04 a2 3b c1", "scanner-3")
    await hass.async_block_till_done()
    assert [r["Exten"] for r in ami_server.actions_named("Redirect")] == [D3]


async def test_racing_claims_move_the_call_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    refused = async_capture_events(hass, "hotdesk_phone_claim_refused")
    claimed = async_capture_events(hass, "hotdesk_phone_call_claimed")
    await push(hass, init_integration, ami_server, BEFORE_REDIRECT)
    hub = hub_of(init_integration)
    call_id = hub.tracker.call_for_account(ALICE).call_id  # type: ignore[union-attr]
    results = await asyncio.gather(
        hub.claims.async_claim(call_id, D3, "tag"),
        hub.claims.async_claim(call_id, D4, "tag"),
    )
    assert sorted(r.claimed for r in results) == [False, True]
    assert len(ami_server.actions_named("Redirect")) == 1
    assert len(claimed) == 1
    assert [e.data["reason"] for e in refused] == ["already_claimed"]
    # A later scan of the same person is refused too, and says why.
    await async_scan_tag(hass, "tag-alice", "scanner-1")
    await hass.async_block_till_done()
    assert len(ami_server.actions_named("Redirect")) == 1
    assert [e.data["reason"] for e in refused] == ["already_claimed", "already_claimed"]


async def test_failed_redirect_releases_the_call(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    refused = async_capture_events(hass, "hotdesk_phone_claim_refused")
    ami_server.handlers["redirect"] = lambda *_: [
        {"Response": "Error", "Message": "Channel does not exist: x"}
    ]
    await push(hass, init_integration, ami_server, BEFORE_REDIRECT)
    await async_scan_tag(hass, "tag-alice", "scanner-4")
    await hass.async_block_till_done()
    assert [e.data["reason"] for e in refused] == ["redirect_failed"]
    del ami_server.handlers["redirect"]
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hass.async_block_till_done()
    assert [r["Exten"] for r in ami_server.actions_named("Redirect")] == [D4, D3]


async def test_scan_after_answer_does_not_redirect(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    answered_part, rest = split(ANSWERED, lambda e: e["Event"] == "BridgeEnter")
    await push(hass, init_integration, ami_server, answered_part)
    assert state(hass, f"{CAROL}_account_call_state").state == "in_call"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "claim_call",
            {"extension": "102", "desk": desk_device(hass, init_integration, D3)},
            blocking=True,
        )
    assert err.value.translation_key == "no_ringing_call"
    await async_scan_tag(hass, "tag-carol", "scanner-3")
    await hass.async_block_till_done()
    assert ami_server.actions_named("Redirect") == []
    # Without a ringing call the scan is a hot-desk login.
    assert hub_of(init_integration).logins == {D3: CAROL}
    await push(hass, init_integration, ami_server, rest)
    assert state(hass, f"{CAROL}_account_call_state").state == "idle"


async def test_unknown_tag_and_unmapped_scanner(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    unknown = async_capture_events(hass, "hotdesk_phone_unknown_tag")
    puts_before = len(ami_server.actions_named("DBPut"))
    await async_scan_tag(hass, "stranger", "scanner-2")
    await async_scan_tag(hass, "tag-alice", "kitchen-reader")
    await hass.async_block_till_done()
    assert [
        (e.data["tag_id"], e.data["device_id"], e.data["desk_id"]) for e in unknown
    ] == [
        ("stranger", "scanner-2", D2),
        ("tag-alice", "kitchen-reader", None),
    ]
    assert len(ami_server.actions_named("DBPut")) == puts_before
    assert hub_of(init_integration).logins == {}


async def test_login_and_logout_by_scan(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    logins = async_capture_events(hass, "hotdesk_phone_login")
    logouts = async_capture_events(hass, "hotdesk_phone_logout")
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hass.async_block_till_done()
    assert (
        ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk1&PJSIP/desk2&PJSIP/desk3"
    )
    assert ami_server.astdb[f"hotdesk/login/{D3}"] == "101"
    assert logins[0].data == {
        "user_id": None,
        "account_id": ALICE,
        "account": "Alice",
        "extension": "101",
        "desk_id": D3,
        "desk": "Desk 3",
    }
    logged_in = state(hass, f"{D3}_logged_in_account")
    assert logged_in.state == "Alice"
    assert logged_in.attributes["extension"] == "101"
    # The account says where it rings, by desk name.
    account = state(hass, f"{ALICE}_account_call_state")
    assert account.attributes["home_desks"] == ["Desk 1", "Desk 2"]
    assert account.attributes["logged_in_at"] == ["Desk 3"]
    # The PBX now rings the logged-in desk too (the route above); its
    # DialBegin to desk 3 counts as the call ringing at desk 3.
    desk3_leg = {
        **next(e for e in MISSED_RINGING if e["Event"] == "DialBegin" and "Exten" in e),
        "DestChannel": "PJSIP/desk3-00000009",
        "DestUniqueid": "desk3-leg",
        "DialString": "desk3",
    }
    await push(hass, init_integration, ami_server, [*MISSED_RINGING, desk3_leg])
    account = state(hass, f"{ALICE}_account_call_state")
    assert account.state == "ringing"
    assert sorted(account.attributes["ringing_desk_ids"]) == [D1, D2, D3]
    await push(hass, init_integration, ami_server, MISSED_END)
    assert state(hass, f"{ALICE}_account_call_state").state == "idle"
    # A double tap (the same card again at once) is one tap: still logged in.
    freezer.tick(0.5)
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hass.async_block_till_done()
    assert ami_server.astdb[f"hotdesk/login/{D3}"] == "101"
    assert len(logins) == 1
    assert not logouts
    # Tapping again later logs out.
    freezer.tick(2)
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hass.async_block_till_done()
    assert ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk1&PJSIP/desk2"
    assert f"hotdesk/login/{D3}" not in ami_server.astdb
    assert logouts[0].data["reason"] == "scan"
    # Issue 14: "Nobody" (a translated state), not "Unknown".
    assert state(hass, f"{D3}_logged_in_account").state == "nobody"
    assert state(hass, f"{ALICE}_account_call_state").attributes["logged_in_at"] == []


async def test_another_person_takes_over_a_desk(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    logouts = async_capture_events(hass, "hotdesk_phone_logout")
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await async_scan_tag(hass, "tag-carol", "scanner-3")
    await hass.async_block_till_done()
    assert hub_of(init_integration).logins == {D3: CAROL}
    assert [e.data["reason"] for e in logouts] == ["replaced"]
    assert ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk1&PJSIP/desk2"
    assert (
        ami_server.astdb["hotdesk/route/102"] == "PJSIP/desk1&PJSIP/desk4&PJSIP/desk3"
    )


@pytest.mark.parametrize("entry_options", [{CONF_MULTIPLE_LOGINS: False}])
async def test_single_desk_login_moves(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    logouts = async_capture_events(hass, "hotdesk_phone_logout")
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await async_scan_tag(hass, "tag-alice", "scanner-4")
    await hass.async_block_till_done()
    assert hub_of(init_integration).logins == {D4: ALICE}
    assert [e.data["reason"] for e in logouts] == ["moved"]
    assert (
        ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk1&PJSIP/desk2&PJSIP/desk4"
    )


@pytest.fixture
def _no_keepalive() -> Any:
    """Time travel would make the keep-alive ping look unanswered."""
    with patch("custom_components.hotdesk_phone.hub.KEEPALIVE_INTERVAL", 1e9):
        yield


@pytest.mark.usefixtures("_no_keepalive")
@pytest.mark.parametrize("entry_options", [{CONF_AUTO_LOGOUT_HOURS: 2}])
async def test_auto_logout_after_hours(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    logouts = async_capture_events(hass, "hotdesk_phone_logout")
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hass.async_block_till_done()
    freezer.tick(timedelta(hours=1, minutes=59))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hub_of(init_integration).logins == {D3: ALICE}
    freezer.tick(timedelta(minutes=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hub_of(init_integration).logins == {}
    assert [e.data["reason"] for e in logouts] == ["timeout"]
    assert f"hotdesk/login/{D3}" not in ami_server.astdb


@pytest.mark.usefixtures("_no_keepalive")
@pytest.mark.parametrize("entry_options", [{CONF_AUTO_LOGOUT_TIME: "19:00:00"}])
async def test_daily_logout(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    ami_server: AmiTestServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    logouts = async_capture_events(hass, "hotdesk_phone_logout")
    freezer.move_to(dt_util.now().replace(hour=18, minute=0, second=0))
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    init_integration = mock_config_entry
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await async_scan_tag(hass, "tag-carol", "scanner-2")
    await hass.async_block_till_done()
    assert hub_of(init_integration).logins == {D3: ALICE, D2: CAROL}
    freezer.tick(timedelta(hours=1))
    async_fire_time_changed(hass)
    # Time listeners run as background tasks.
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [e.data["reason"] for e in logouts] == ["daily", "daily"]
    assert hub_of(init_integration).logins == {}


async def test_logins_survive_restart(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    ami_server.astdb.clear()
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hub_of(init_integration).logins == {D3: ALICE}
    assert ami_server.astdb[f"hotdesk/login/{D3}"] == "101"
    assert (
        ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk1&PJSIP/desk2&PJSIP/desk3"
    )


async def test_astdb_written_whole_at_connect(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    ami_server.astdb["hotdesk/route/999"] = "PJSIP/gone"  # stale, from an old config
    ami_server.astdb["other/keep"] = "1"
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert ami_server.astdb == {
        "other/keep": "1",
        "hotdesk/route/101": "PJSIP/desk1&PJSIP/desk2",
        "hotdesk/route/102": "PJSIP/desk1&PJSIP/desk4",
        **{f"hotdesk/desk/{d}": f"PJSIP/desk{i}" for i, d in enumerate(DESK_IDS, 1)},
        **{f"hotdesk/deskof/PJSIP/desk{i}": d for i, d in enumerate(DESK_IDS, 1)},
        # Emergency calls work from the first start: HA's country has none
        # set here, so 112, with the default callback window (3 h).
        "hotdesk/enumber/112": "1",
        "hotdesk/emergency/callback": "10800",
    }


async def test_resync_after_reconnect_ends_vanished_calls(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    missed = async_capture_events(hass, "hotdesk_phone_call_missed")
    hub = hub_of(init_integration)
    hub.client.reconnect_min_delay = 0.05
    await push(hass, init_integration, ami_server, MISSED_RINGING)
    ami_server.drop_connections()
    await ami_server.wait_for_login(2)
    await wait_connected(hub)
    await hass.async_block_till_done()
    # No channels exist after the outage: the call is over, reported once.
    assert len(missed) == 1
    assert state(hass, f"{ALICE}_account_call_state").state == "idle"


async def test_claim_call_action(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    claimed = async_capture_events(hass, "hotdesk_phone_call_claimed")
    await push(hass, init_integration, ami_server, BEFORE_REDIRECT)
    response = await hass.services.async_call(
        DOMAIN,
        "claim_call",
        {"extension": "101", "desk": desk_device(hass, init_integration, D3)},
        blocking=True,
        return_response=True,
    )
    assert response == {"call_id": claimed[0].data["call_id"], "desk_id": D3}
    assert claimed[0].data["via"] == "action"
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "claim_call",
            {"extension": "101", "desk": desk_device(hass, init_integration, D4)},
            blocking=True,
        )
    # The PBX side refused, not the caller's input: not a validation error,
    # and a message in words, not the internal reason code.
    assert type(err.value) is HomeAssistantError
    assert err.value.translation_key == "claim_refused_already_claimed"
    assert "already_claimed" not in str(err.value)
    assert len(ami_server.actions_named("Redirect")) == 1


async def test_action_errors(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    desk3 = desk_device(hass, init_integration, D3)
    hub_device = next(
        d.id
        for d in dr.async_entries_for_config_entry(
            dr.async_get(hass), init_integration.entry_id
        )
        if (DOMAIN, init_integration.entry_id) in d.identifiers
    )
    cases = [
        ("claim_call", {"extension": "999", "desk": desk3}, "unknown_extension"),
        ("claim_call", {"extension": "101", "desk": "not-a-device"}, "unknown_desk"),
        ("claim_call", {"extension": "101", "desk": hub_device}, "unknown_desk"),
        ("claim_call", {"extension": "101", "desk": desk3}, "no_ringing_call"),
        ("login", {"extension": "555", "desk": desk3}, "unknown_extension"),
        ("logout", {"desk": desk3}, "not_logged_in"),
    ]
    for service, data, key in cases:
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(DOMAIN, service, data, blocking=True)
        assert err.value.translation_key == key, (service, data)
    ami_server.drop_connections()
    hub_of(init_integration).client.reconnect_min_delay = 30
    await wait_connected(hub_of(init_integration), connected=False)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "claim_call", {"extension": "101", "desk": desk3}, blocking=True
        )
    assert type(err.value) is HomeAssistantError
    assert err.value.translation_key == "not_connected"


async def test_login_logout_actions(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    desk4 = desk_device(hass, init_integration, D4)
    await hass.services.async_call(
        DOMAIN, "login", {"extension": "101", "desk": desk4}, blocking=True
    )
    assert (
        ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk1&PJSIP/desk2&PJSIP/desk4"
    )
    # Logging in twice changes nothing: no write, no second event.
    logins = async_capture_events(hass, "hotdesk_phone_login")
    puts = len(ami_server.actions_named("DBPut"))
    await hass.services.async_call(
        DOMAIN, "login", {"extension": "101", "desk": desk4}, blocking=True
    )
    await hass.async_block_till_done()
    assert len(ami_server.actions_named("DBPut")) == puts
    assert logins == []
    assert hub_of(init_integration).logins == {D4: ALICE}
    await hass.services.async_call(DOMAIN, "logout", {"desk": desk4}, blocking=True)
    assert ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk1&PJSIP/desk2"


async def test_login_while_pbx_down_is_written_on_reconnect(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    hub = hub_of(init_integration)
    hub.client.reconnect_min_delay = 0.05
    await ami_server.stop()
    await wait_connected(hub, connected=False)
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hass.async_block_till_done()
    assert hub.logins == {D3: ALICE}
    await ami_server.restart()
    await ami_server.wait_for_login(2, timeout=10)
    await wait_connected(hub)
    assert ami_server.astdb[f"hotdesk/login/{D3}"] == "101"


async def test_account_without_desk_gets_a_repair(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_remove_subentry(mock_config_entry, D4)
    hass.config_entries.async_remove_subentry(mock_config_entry, D1)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"account_without_desk_{mock_config_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders == {"accounts": "Carol"}
    assert "hotdesk/route/102" not in ami_server.astdb
    assert ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk2"
    # The removed desks' devices are gone too.
    devices = dr.async_entries_for_config_entry(
        dr.async_get(hass), mock_config_entry.entry_id
    )
    assert not [d for d in devices if (DOMAIN, D4) in d.identifiers]


async def test_call_ringing_before_setup_can_be_claimed(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,  # the Caller sensor is off by default
    mock_config_entry: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    # Home Assistant (re)starts while Alice's desks ring: the PBX's channel
    # list is all there is to go on.
    ami_server.channels = [
        {
            "Channel": CALLER_CHANNEL,
            "Uniqueid": "7.1",
            "Linkedid": "7.1",
            "ChannelStateDesc": "Up",
            "CallerIDNum": "5550100",
            "CallerIDName": "Bob Caller",
            "Context": "hotdesk-inbound",
            "Exten": "101",
            "Application": "Dial",
            "BridgeId": "",
        },
        {
            "Channel": "PJSIP/desk1-00000002",
            "Uniqueid": "7.2",
            "Linkedid": "7.1",
            "ChannelStateDesc": "Ringing",
            "CallerIDNum": "101",
            "CallerIDName": "Bob Caller",
            "Context": "from-desk",
            "Exten": "101",
            "Application": "AppDial",
            "BridgeId": "",
        },
        {
            "Channel": "PJSIP/desk2-00000003",
            "Uniqueid": "7.3",
            "Linkedid": "7.1",
            "ChannelStateDesc": "Ringing",
            "CallerIDNum": "101",
            "CallerIDName": "Bob Caller",
            "Context": "from-desk",
            "Exten": "101",
            "Application": "AppDial",
            "BridgeId": "",
        },
    ]
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    call_state = state(hass, f"{ALICE}_account_call_state")
    assert call_state.state == "ringing"
    assert call_state.attributes["ringing_desks"] == ["Desk 1", "Desk 2"]
    assert state(hass, f"{ALICE}_caller").state == "Bob Caller <5550100>"
    await async_scan_tag(hass, "tag-alice", "scanner-4")
    await hass.async_block_till_done()
    assert [
        (r["Channel"], r["Exten"]) for r in ami_server.actions_named("Redirect")
    ] == [(CALLER_CHANNEL, D4)]
