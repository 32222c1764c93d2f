"""The method end to end: Home Assistant, a real Asterisk 22 and SIPp desk phones.

What the phones receive (INVITE, CANCEL, BYE) is the proof: the PBX routes
from the AstDB tree the integration wrote (the routing written, all home desks
ring), a scan claims a ringing call and moves it to the scanning desk, a
hot-desk login changes routing and outgoing caller ID, and a PBX restart is
survived. Timings are printed
(``pytest -s`` shows them).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from http import HTTPStatus
import re
import time
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    CLIENT_ID,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.auth.models import User
from homeassistant.components.person import async_create_person
from homeassistant.components.tag import async_scan_tag
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.ami_errors import AmiError
from custom_components.hotdesk_phone.const import DEFAULT_SCAN_DEBOUNCE, DOMAIN
from custom_components.hotdesk_phone.hub import UNAVAILABLE_AFTER, HotdeskHub

from .conftest import (
    ALICE,
    CAROL,
    D1,
    D2,
    D3,
    D4,
    ENTRY_ID,
    EventLog,
    Pbx,
    call_extension,
    entity_state,
    in_thread,
    ms,
    report,
    until,
    wait_sip,
)
from .sip_phone import SipPhone, place_call

pytestmark = pytest.mark.e2e

CALLER_NUMBER = "5550100"
CALLER_NAME = "Bob Caller"


def expected_astdb(hub: HotdeskHub) -> dict[str, str]:
    """The integration's own idea of the tree (keys below hotdesk/)."""
    return hub.astdb_tree()


async def read_astdb(hass: HomeAssistant, pbx: Pbx) -> dict[str, str]:
    return await in_thread(hass, pbx.astdb)  # type: ignore[no-any-return]


async def ring_101(
    hass: HomeAssistant,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
    desks: tuple[str, ...] = ("desk1", "desk2"),
) -> tuple[float, dict[str, Any]]:
    """Call 101 from outside; wait until its desks ring; (sent time, incoming)."""
    before = {name: len(phones[name].invites) for name in desks}
    count = len(hotdesk_events.of("incoming_call")) + 1
    sent = await call_extension(ami, "101", CALLER_NUMBER, CALLER_NAME)
    for name in desks:
        await wait_sip(hass, phones[name], "INVITE", before[name] + 1)
    incoming = await hotdesk_events.wait("incoming_call", count)
    return sent, incoming


async def hang_up_caller(hass: HomeAssistant, hub: HotdeskHub, ami: AmiClient) -> None:
    """The outside caller hangs up (AMI Hangup of the caller channel)."""
    calls = list(hub.tracker.calls.values())
    assert len(calls) == 1, calls
    await ami.send({"Action": "Hangup", "Channel": calls[0].caller_channel})


async def test_astdb_matches_configuration(
    hass: HomeAssistant, clean_pbx: Pbx, pbx_entry: Any, phones: dict[str, SipPhone]
) -> None:
    """The AstDB routing written: what the integration configured, Asterisk holds."""
    # Left-overs of an older configuration, and a family that is not ours.
    await in_thread(hass, clean_pbx.cli, "database put hotdesk/route 999 PJSIP/gone")
    await in_thread(hass, clean_pbx.cli, "database put other keep 1")
    # An emergency number set before a restart, no longer configured.
    await in_thread(hass, clean_pbx.cli, "database put hotdesk/enumber 999 1")
    pbx_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(pbx_entry.entry_id)
    await hass.async_block_till_done()
    hub: HotdeskHub = pbx_entry.runtime_data.hub
    tree = await read_astdb(hass, clean_pbx)
    assert tree == expected_astdb(hub)
    assert tree == {
        "route/101": "PJSIP/desk1&PJSIP/desk2",
        "route/102": "PJSIP/desk4",
        **{f"desk/{d}": f"PJSIP/desk{i}" for i, d in enumerate((D1, D2, D3, D4), 1)},
        **{f"deskof/PJSIP/desk{i}": d for i, d in enumerate((D1, D2, D3, D4), 1)},
        # Emergency calls work from the start: HA's country has none set
        # here, so 112, with the default callback window (3 h).
        "enumber/112": "1",
        "emergency/callback": "10800",
    }
    assert await in_thread(hass, clean_pbx.astdb, "other") == {"keep": "1"}
    # The same through AMI, as the dialplan's DB() function sees it.
    assert await hub.client.db_get("hotdesk/route", "101") == "PJSIP/desk1&PJSIP/desk2"
    assert entity_state(hass, f"{ENTRY_ID}_pbx_connected", "binary_sensor").state == (
        STATE_ON
    )
    # The registered phones are idle desks.
    await until(
        lambda: all(
            entity_state(hass, f"{d}_desk_call_state").state == "idle"
            for d in (D1, D2, D3, D4)
        ),
        what="idle desks",
    )
    # One phone's state, as a desk added live is read (Getvar, the HA user's
    # rights): the registered desk is not in use, an unknown endpoint is not.
    assert await hub.client.device_state("PJSIP/desk1") == "NOT_INUSE"
    assert await hub.client.device_state("PJSIP/nobody") in {"INVALID", "UNKNOWN"}
    await in_thread(hass, clean_pbx.cli, "database deltree other")


async def test_call_rings_all_home_desks(
    hass: HomeAssistant,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    """Ring all home desks: a call to 101 rings desk1 and desk2; HA hears of it."""
    sent, incoming = await ring_101(hass, ami, phones, hotdesk_events)
    invite1, invite2 = phones["desk1"].invites[0], phones["desk2"].invites[0]
    report(
        f"Originate -> INVITE desk1 {ms(invite1.time - sent)}, "
        f"desk2 {ms(invite2.time - sent)} (apart {ms(abs(invite1.time - invite2.time))})"
    )
    assert abs(invite1.time - invite2.time) < 0.5
    for invite in (invite1, invite2):
        assert invite.caller_id_number == CALLER_NUMBER
        assert invite.caller_id_name == CALLER_NAME
    assert incoming["account_id"] == ALICE
    assert incoming["extension"] == "101"
    assert incoming["caller_id_number"] == CALLER_NUMBER
    assert incoming["caller_id_name"] == CALLER_NAME
    assert incoming["desks"] == sorted([D1, D2])
    report(
        f"Originate -> HA incoming_call {ms(hotdesk_events.time_of('incoming_call') - sent)}"
    )
    await until(
        lambda: (
            entity_state(hass, f"{ALICE}_account_call_state").attributes[
                "ringing_desk_ids"
            ]
            == [D1, D2]
            or entity_state(hass, f"{ALICE}_account_call_state").attributes[
                "ringing_desk_ids"
            ]
            == [D2, D1]
        ),
        what="both desks ringing in HA",
    )
    # The caller is on the account's call state (the Caller sensor is off by
    # default).
    call_state = entity_state(hass, f"{ALICE}_account_call_state").attributes
    assert (call_state["caller_id_name"], call_state["caller_id_number"]) == (
        CALLER_NAME,
        CALLER_NUMBER,
    )
    assert phones["desk3"].invites == []
    assert phones["desk4"].invites == []
    # The caller gives up: both desks stop ringing, the call is missed.
    await hang_up_caller(hass, hub, ami)
    await wait_sip(hass, phones["desk1"], "CANCEL")
    await wait_sip(hass, phones["desk2"], "CANCEL")
    ended = await hotdesk_events.wait("call_ended")
    assert ended["outcome"] == "missed"
    assert hotdesk_events.types() == ["incoming_call", "call_missed", "call_ended"]


async def test_scan_at_another_desk_moves_the_call(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    """A scan claims the call: Alice taps at desk 3; it rings there, not at home."""
    await in_thread(hass, phones["desk3"].set_mode, "answer", 300)
    await ring_101(hass, ami, phones, hotdesk_events)
    scanned = time.time()
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    cancel1 = await wait_sip(hass, phones["desk1"], "CANCEL")
    cancel2 = await wait_sip(hass, phones["desk2"], "CANCEL")
    invite3 = await wait_sip(hass, phones["desk3"], "INVITE")
    claimed = await hotdesk_events.wait("call_claimed")
    report(
        f"scan -> call_claimed {ms(hotdesk_events.time_of('call_claimed') - scanned)}, "
        f"CANCEL desk1 {ms(cancel1.time - scanned)}, desk2 {ms(cancel2.time - scanned)}, "
        f"INVITE desk3 {ms(invite3.time - scanned)}"
    )
    assert invite3.caller_id_number == CALLER_NUMBER
    assert claimed["desk_id"] == D3
    assert sorted(claimed["from_desks"]) == sorted([D1, D2])
    assert claimed["via"] == "tag"
    # Desk 3 answers after 300 ms: caller and desk 3 are bridged.
    answered = await hotdesk_events.wait("call_answered")
    assert answered["desk_id"] == D3
    report(
        f"scan -> call_answered {ms(hotdesk_events.time_of('call_answered') - scanned)} (phone answers after 300 ms)"
    )
    bridges = await in_thread(hass, clean_pbx.cli, "bridge show all")
    assert re.search(r"\s2\s+basic", bridges), bridges
    assert entity_state(hass, f"{ALICE}_account_call_state").state == "in_call"
    assert (
        entity_state(hass, f"{ALICE}_account_call_state").attributes["claimed_desk"]
        == "Desk 3"
    )
    await hang_up_caller(hass, hub, ami)
    await wait_sip(hass, phones["desk3"], "BYE")
    ended = await hotdesk_events.wait("call_ended")
    assert ended["outcome"] == "answered"
    assert hotdesk_events.types() == [
        "incoming_call",
        "call_claimed",
        "call_answered",
        "call_ended",
    ]
    assert len(phones["desk1"].invites) == len(phones["desk2"].invites) == 1
    assert phones["desk4"].invites == []


async def test_racing_claims_ring_one_desk(
    hass: HomeAssistant,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    """Two desks claim the same call at once: exactly one phone gets it."""
    incoming = (await ring_101(hass, ami, phones, hotdesk_events))[1]
    started = time.time()
    results = await asyncio.gather(
        hub.claims.async_claim(incoming["call_id"], D3, "tag"),
        hub.claims.async_claim(incoming["call_id"], D4, "tag"),
    )
    report(f"two racing claims answered in {ms(time.time() - started)}")
    assert sorted(r.claimed for r in results) == [False, True]
    winner, loser = ("desk3", "desk4") if results[0].claimed else ("desk4", "desk3")
    invite = await wait_sip(hass, phones[winner], "INVITE")
    report(f"claim -> INVITE {winner} {ms(invite.time - started)}")
    await wait_sip(hass, phones["desk1"], "CANCEL")
    await wait_sip(hass, phones["desk2"], "CANCEL")
    await asyncio.sleep(0.5)  # a second INVITE would have come by now
    assert len(phones[winner].invites) == 1
    assert phones[loser].invites == []
    assert len(hotdesk_events.of("call_claimed")) == 1
    assert [e["reason"] for e in hotdesk_events.of("claim_refused")] == [
        "already_claimed"
    ]
    await hang_up_caller(hass, hub, ami)
    await wait_sip(hass, phones[winner], "CANCEL")
    await hotdesk_events.wait("call_ended")


async def test_only_the_accounts_person_claims_its_call(
    hass: HomeAssistant,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
    hass_client: ClientSessionGenerator,
    hass_owner_user: User,
) -> None:
    """A colleague's claim is refused before the PBX; Alice's own moves the call.

    Both go through HA's REST API with a non-admin user's token.
    """
    for component in ("api", "person"):
        assert await async_setup_component(hass, component, {})
    tokens = {}
    for name in ("Alice", "Mallory"):
        user = await hass.auth.async_create_user(name, group_ids=["system-users"])
        refresh = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
        tokens[name] = hass.auth.async_create_access_token(refresh)
        await async_create_person(hass, name, user_id=user.id)
    desk3 = next(
        device.id
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), ENTRY_ID)
        if (DOMAIN, D3) in device.identifiers
    )
    await in_thread(hass, phones["desk3"].set_mode, "answer", 300)
    await ring_101(hass, ami, phones, hotdesk_events)
    claim = {"extension": "101", "desk": desk3}
    mallory = await hass_client(tokens["Mallory"])
    response = await mallory.post(f"/api/services/{DOMAIN}/claim_call", json=claim)
    assert response.status == HTTPStatus.UNAUTHORIZED
    await asyncio.sleep(0.5)  # a Redirect would have rung desk 3 by now
    assert phones["desk3"].invites == []
    assert hotdesk_events.of("call_claimed") == []
    alice = await hass_client(tokens["Alice"])
    asked = time.time()
    response = await alice.post(f"/api/services/{DOMAIN}/claim_call", json=claim)
    assert response.status == HTTPStatus.OK
    invite3 = await wait_sip(hass, phones["desk3"], "INVITE")
    report(f"REST claim_call -> INVITE desk3 {ms(invite3.time - asked)}")
    await wait_sip(hass, phones["desk1"], "CANCEL")
    claimed = await hotdesk_events.wait("call_claimed")
    assert claimed["via"] == "action"
    assert claimed["desk_id"] == D3
    await hotdesk_events.wait("call_answered")
    await hang_up_caller(hass, hub, ami)
    await wait_sip(hass, phones["desk3"], "BYE")
    assert (await hotdesk_events.wait("call_ended"))["outcome"] == "answered"


async def test_hot_desk_login_routes_calls_and_caller_id(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    """A scan with no call logs Alice in at desk 3: it rings for 101 and calls as 101."""
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    scanned = time.monotonic()
    login = await hotdesk_events.wait("login")
    assert (login["desk_id"], login["extension"]) == (D3, "101")
    tree = await read_astdb(hass, clean_pbx)
    assert tree["route/101"] == "PJSIP/desk1&PJSIP/desk2&PJSIP/desk3"
    assert tree[f"login/{D3}"] == "101"
    assert tree == expected_astdb(hub)
    # An incoming call for 101 now rings desk 3 as well.
    _, incoming = await ring_101(
        hass, ami, phones, hotdesk_events, ("desk1", "desk2", "desk3")
    )
    assert incoming["desks"] == sorted([D1, D2, D3])
    await hang_up_caller(hass, hub, ami)
    for name in ("desk1", "desk2", "desk3"):
        await wait_sip(hass, phones[name], "CANCEL")
    await hotdesk_events.wait("call_ended")
    # Alice calls Carol (102) from desk 3: Carol's phone shows 101, not desk3.
    call = await in_thread(
        hass,
        lambda: place_call("desk3", "102", clean_pbx.sip_port, ring_timeout_ms=1000),
    )
    try:
        invite = await wait_sip(hass, phones["desk4"], "INVITE")
        assert invite.caller_id_number == "101"
        carol = await hotdesk_events.wait("incoming_call", 2)
        assert (carol["account_id"], carol["caller_id_number"]) == (CAROL, "101")
        await wait_sip(hass, phones["desk4"], "CANCEL", timeout=10)
        assert await in_thread(hass, call.wait, 10) == 0
    finally:
        await in_thread(hass, call.stop)
    # The same tag at the same desk logs out: routing is back to the home desks.
    # (A new tap: after the double-tap window, in which it would be the same.)
    await asyncio.sleep(
        max(0.0, DEFAULT_SCAN_DEBOUNCE + 0.1 - (time.monotonic() - scanned))
    )
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hotdesk_events.wait("logout")
    tree = await read_astdb(hass, clean_pbx)
    assert tree["route/101"] == "PJSIP/desk1&PJSIP/desk2"
    assert f"login/{D3}" not in tree


async def test_pbx_restart_is_survived(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    """Asterisk stops and starts again (empty AstDB): HA notices, rewrites, routes."""
    connectivity = f"{ENTRY_ID}_pbx_connected"
    await async_scan_tag(hass, "tag-alice", "scanner-3")  # a login to restore
    await hotdesk_events.wait("login")
    await in_thread(hass, clean_pbx.stop)
    await until(lambda: not hub.connected, what="disconnect")
    await hass.async_block_till_done()
    assert entity_state(hass, connectivity, "binary_sensor").state == STATE_OFF
    # A blip's grace first (the desks keep their state), then unavailable.
    assert entity_state(hass, f"{D1}_desk_call_state").state == "idle"
    async_fire_time_changed(
        hass, dt_util.utcnow() + timedelta(seconds=UNAVAILABLE_AFTER + 1)
    )
    await hass.async_block_till_done()
    assert entity_state(hass, f"{D1}_desk_call_state").state == STATE_UNAVAILABLE
    assert entity_state(hass, f"{ALICE}_account_call_state").state == (
        STATE_UNAVAILABLE
    )

    # Start it again on the same ports; note when AMI accepts a login.
    loop = asyncio.get_running_loop()
    connected_at: list[float] = []
    remove = hub.updates.async_add_listener(
        lambda: (
            connected_at.append(loop.time())
            if hub.connected and not connected_at
            else None
        )
    )
    ami_ready_at = loop.create_task(first_ami_login(clean_pbx))
    try:
        start = loop.time()
        await in_thread(hass, clean_pbx.start)
        await until(lambda: bool(connected_at), timeout=10, what="reconnect")
        ready = await ami_ready_at
    finally:
        remove()
        ami_ready_at.cancel()
    report(
        f"Asterisk restart: AMI login possible {ms(ready - start)} after start, "
        f"hub connected {ms(connected_at[0] - ready)} after that "
        f"(back-off {hub.client.reconnect_min_delay}-{hub.client.reconnect_max_delay} s, "
        f"resync {ms(hub.last_resync_seconds or 0)}); "
        f"scripts/asterisk start took {ms(clean_pbx.start_seconds or 0)}"
    )
    await hass.async_block_till_done()
    assert entity_state(hass, connectivity, "binary_sensor").state == STATE_ON
    # "Asterisk is shutting down" refusals during the stop are no reason to
    # ask the user for new credentials.
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert entity_state(hass, f"{ALICE}_account_call_state").state == "idle"
    # The fresh AstDB holds the whole tree again, the login included.
    tree = await read_astdb(hass, clean_pbx)
    assert tree == expected_astdb(hub)
    assert tree["route/101"] == "PJSIP/desk1&PJSIP/desk2&PJSIP/desk3"
    # The phones register again (a new Asterisk knows no contacts); calls ring.
    for phone in phones.values():
        await in_thread(hass, phone.register)
    await until(lambda: ami.connected, what="control AMI reconnect")
    await until(
        lambda: entity_state(hass, f"{D1}_desk_call_state").state == "idle",
        what="desk 1 idle",
    )
    _, incoming = await ring_101(
        hass, ami, phones, hotdesk_events, ("desk1", "desk2", "desk3")
    )
    assert incoming["desks"] == sorted([D1, D2, D3])
    await hang_up_caller(hass, hub, ami)
    await hotdesk_events.wait("call_ended")


async def first_ami_login(pbx: Pbx) -> float:
    """Loop time of the first successful AMI Login (polled every 10 ms)."""
    loop = asyncio.get_running_loop()
    while True:
        probe = AmiClient(
            host=pbx.host,
            port=pbx.ami_port,
            username=pbx.username,
            secret=pbx.secret,
            connect_timeout=1.0,
        )
        try:
            await probe._open()  # one login, no keep-alive
        except AmiError:
            await asyncio.sleep(0.01)
            continue
        finally:
            await probe.close()
        return loop.time()


async def test_a_link_blip_resyncs_without_writing(
    hass: HomeAssistant, clean_pbx: Pbx, hub: HotdeskHub, phones: dict[str, SipPhone]
) -> None:
    """The AMI link drops with Asterisk intact: the resync reads, writes nothing."""
    writes: list[tuple[str, tuple[Any, ...]]] = []
    for name in ("db_put", "db_del", "db_del_tree"):
        original = getattr(hub.client, name)

        async def counting(
            *args: Any, _name: str = name, _original: Any = original
        ) -> Any:
            writes.append((_name, args))
            return await _original(*args)

        setattr(hub.client, name, counting)
    protocol = hub.client._protocol
    assert protocol is not None
    hub.last_resync_seconds = None
    protocol.transport.abort()
    await until(
        lambda: (
            hub.connected
            and hub.client._protocol is not protocol
            and hub.last_resync_seconds is not None
        ),
        what="reconnect and resync",
    )
    report(f"resync after a blip: {ms(hub.last_resync_seconds or 0)}")
    assert writes == []
    assert await read_astdb(hass, clean_pbx) == expected_astdb(hub)
