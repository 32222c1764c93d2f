"""Hot-desking across sites: two real Asterisks joined by a PJSIP trunk.

Site A and site B are two Asterisk 22 processes on loopback (fixture
``two_sites`` in conftest.py), each with its own AMI and SIP port and the
shipped dialplan; site A's endpoint ``site-b`` and site B's ``site-a`` are the
trunk, and calls arriving over it start in the shipped ``hotdesk-site``
context. SIPp phones register at either site as its desk1..desk4.

These tests write the AstDB keys themselves, as the integration's entries for
the two sites would: on A ``hotdesk/desk/<desk id of B>`` =
``PJSIP/<desk id>@site-b`` (the trunk dial template), on B
``hotdesk/desk/<desk id>`` = that desk's own dial string. What the phones
receive is the proof:

- a call on A rings A's desk; a Redirect of its caller to
  ``hotdesk-claim,<B's desk id>`` on A rings B's desk through the trunk, which
  answers: the call is up across both PBXs, with the caller's ID on B's desk;
- a login route on A that includes B's desk rings both sites' desks at once;
- a visitor logged in at B's desk calls out from it with their own number;
- over the trunk only B's desk ids are reachable, not B's extensions;
- B killed mid-call leaves A's own calls up and A still routing.

Then the same through the integration (two entries, A linked to B with the
trunk dial template): Alice's card at B's desk moves her call there, or logs
her in there (A's route, B's login key, caller ID from B's desk), and B
killed mid-call leaves A's entry working while B's call ends once.

Timings are printed (``pytest -s``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import time
from typing import Any

import pytest

from homeassistant.components.tag import async_scan_tag
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant

from custom_components.hotdesk_phone.ami import ActiveChannel, AmiClient
from custom_components.hotdesk_phone.const import (
    CONF_ALLOW_CLAIMS,
    CONF_ALLOW_LOGINS,
    CONF_DIAL_STRING,
    CONF_DIAL_TEMPLATE,
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_SCAN_DEBOUNCE_SECONDS,
    CONF_SCANNERS,
    CONF_SITE_ENTRY,
    CONF_TAGS,
    CONTEXT_CLAIM,
)
from custom_components.hotdesk_phone.hub import HotdeskHub
from custom_components.hotdesk_phone.tracker import DeskState

from .conftest import (
    TRUNK_DIAL_A_TO_B,
    TRUNK_TO_A,
    TRUNK_TO_B,
    EventLog,
    OverlayPbx,
    SitePhones,
    TwoSites,
    call_extension,
    callers,
    in_thread,
    ms,
    new_caller,
    report,
    site_entry,
    until,
    until_in_thread,
    wait_sip,
)
from .sip_phone import place_call

pytestmark = pytest.mark.e2e

CALLER_NUMBER = "5550100"
CALLER_NAME = "Bob Caller"
DESK_B1 = "deskb1"  # a desk of site B (an HA subentry id there)
REMOTE_B1 = TRUNK_DIAL_A_TO_B.format(desk=DESK_B1)  # PJSIP/deskb1@site-b


async def astdb_put(hass: HomeAssistant, server: OverlayPbx, **keys: str) -> None:
    """Write hotdesk/<family>/<key> values: ``route__101="PJSIP/desk1"``
    (``__`` stands for ``/``: ``deskof__PJSIP__desk1``)."""
    for name, value in keys.items():
        family, key = name.replace("__", "/").split("/", 1)
        await in_thread(
            hass, server.cli, f'database put hotdesk/{family} {key} "{value}"'
        )


async def bridged(ami: AmiClient, *prefixes: str) -> dict[str, ActiveChannel]:
    """The Up, bridged channel whose name starts with each prefix."""
    result: dict[str, ActiveChannel] = {}
    for channel in await ami.active_channels():
        for prefix in prefixes:
            if (
                channel.channel.startswith(prefix)
                and channel.state == "Up"
                and channel.bridge_id
            ):
                result[prefix] = channel
    return result


async def wait_bridged(
    ami: AmiClient, *prefixes: str, timeout: float = 5.0
) -> dict[str, ActiveChannel]:
    """Wait until a bridged Up channel exists for every prefix."""
    deadline = time.monotonic() + timeout
    while len(found := await bridged(ami, *prefixes)) < len(prefixes):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not all of {prefixes} bridged: {found}")
    return found


async def test_claim_across_the_trunk(
    hass: HomeAssistant,
    clean_sites: TwoSites,
    site_phones: SitePhones,
    site_ami: dict[str, AmiClient],
) -> None:
    """A call rings A's desk; a Redirect to hotdesk-claim,deskb1 on A rings
    B's desk1 through the trunk; B's desk answers; the call is up on both."""
    a, b = clean_sites.a, clean_sites.b
    await astdb_put(hass, a, route__101="PJSIP/desk1", desk__deskb1=REMOTE_B1)
    await astdb_put(hass, b, desk__deskb1="PJSIP/desk1")
    desk_a1 = await site_phones.async_start(hass, "a", "desk1", mode="ring")
    desk_b1 = await site_phones.async_start(
        hass, "b", "desk1", mode="answer", answer_after_ms=300
    )

    sent = await call_extension(site_ami["a"], "101", CALLER_NUMBER, CALLER_NAME)
    invite_a = await wait_sip(hass, desk_a1, "INVITE")
    caller = await new_caller(site_ami["a"])
    report(f"Originate on A -> INVITE at A's desk1 {ms(invite_a.time - sent)}")
    assert desk_b1.invites == []

    redirected = time.time()
    await site_ami["a"].redirect(caller, CONTEXT_CLAIM, DESK_B1)
    replied = time.time()
    await wait_sip(hass, desk_a1, "CANCEL")
    invite_b = await wait_sip(hass, desk_b1, "INVITE")
    report(
        f"Redirect reply {ms(replied - redirected)}; Redirect -> CANCEL at A's "
        f"desk1 {ms(desk_a1.cancels[0].time - redirected)}, -> INVITE at B's "
        f"desk1 (through the trunk) {ms(invite_b.time - redirected)}"
    )
    # The caller's ID crosses the trunk (P-Asserted-Identity, trusted by B).
    assert invite_b.caller_id_number == CALLER_NUMBER
    assert invite_b.caller_id_name == CALLER_NAME

    # Up end to end: A bridges its caller with the trunk leg to B, B bridges
    # the trunk leg from A with its desk1.
    on_a = await wait_bridged(site_ami["a"], caller, f"PJSIP/{TRUNK_TO_B}-")
    on_b = await wait_bridged(
        site_ami["b"], f"PJSIP/{TRUNK_TO_A}-", "PJSIP/desk1-", timeout=3
    )
    report(f"Redirect -> up on both sites {ms(time.time() - redirected)}")
    assert len({c.bridge_id for c in on_a.values()}) == 1
    assert len({c.bridge_id for c in on_b.values()}) == 1
    trunk_leg = on_b[f"PJSIP/{TRUNK_TO_A}-"]
    assert (trunk_leg.context, trunk_leg.extension) == ("hotdesk-site", DESK_B1)
    assert trunk_leg.caller_id_number == CALLER_NUMBER

    # The caller hangs up on A: the BYE crosses the trunk to B's desk.
    hung_up = time.time()
    await site_ami["a"].send({"Action": "Hangup", "Channel": caller})
    bye = await wait_sip(hass, desk_b1, "BYE")
    report(f"Hangup on A -> BYE at B's desk1 {ms(bye.time - hung_up)}")
    await until_in_thread(hass, lambda: a.channel_count() == 0, what="no channels on A")
    await until_in_thread(hass, lambda: b.channel_count() == 0, what="no channels on B")
    assert len(desk_a1.invites) == len(desk_b1.invites) == 1


async def test_login_route_rings_both_sites(
    hass: HomeAssistant,
    clean_sites: TwoSites,
    site_phones: SitePhones,
    site_ami: dict[str, AmiClient],
) -> None:
    """101 logged in at B's desk too: A's route dials both desks at once."""
    a, b = clean_sites.a, clean_sites.b
    await astdb_put(hass, a, route__101=f"PJSIP/desk1&{REMOTE_B1}")
    await astdb_put(hass, b, desk__deskb1="PJSIP/desk1")
    desk_a1 = await site_phones.async_start(hass, "a", "desk1")
    desk_b1 = await site_phones.async_start(hass, "b", "desk1")

    sent = await call_extension(site_ami["a"], "101", CALLER_NUMBER, CALLER_NAME)
    invite_a = await wait_sip(hass, desk_a1, "INVITE")
    invite_b = await wait_sip(hass, desk_b1, "INVITE")
    report(
        f"Originate on A -> INVITE at A's desk1 {ms(invite_a.time - sent)}, "
        f"at B's desk1 {ms(invite_b.time - sent)}"
    )
    assert invite_b.caller_id_number == CALLER_NUMBER
    caller = await new_caller(site_ami["a"])
    await site_ami["a"].send({"Action": "Hangup", "Channel": caller})
    await wait_sip(hass, desk_a1, "CANCEL")
    await wait_sip(hass, desk_b1, "CANCEL")
    await until_in_thread(hass, lambda: b.channel_count() == 0, what="no channels on B")


async def test_visitor_calls_out_from_site_b_with_their_number(
    hass: HomeAssistant,
    clean_sites: TwoSites,
    site_phones: SitePhones,
) -> None:
    """101 (an account of site A) logged in at B's desk: B's entry writes
    hotdesk/login/deskb1 = 101, so a call from that desk (hotdesk-outbound,
    Gosub hotdesk-callerid) shows 101."""
    b = clean_sites.b
    await astdb_put(
        hass,
        b,
        desk__deskb1="PJSIP/desk1",
        deskof__PJSIP__desk1=DESK_B1,
        login__deskb1="101",
        route__201="PJSIP/desk2",
    )
    desk_b2 = await site_phones.async_start(hass, "b", "desk2")
    call = await in_thread(
        hass,
        lambda: place_call("desk1", "201", b.sip_port, ring_timeout_ms=500),
    )
    try:
        invite = await wait_sip(hass, desk_b2, "INVITE")
        assert invite.caller_id_number == "101"
    finally:
        await in_thread(hass, call.stop)


async def test_only_desk_ids_cross_the_trunk(
    hass: HomeAssistant,
    clean_sites: TwoSites,
    site_phones: SitePhones,
    site_ami: dict[str, AmiClient],
) -> None:
    """hotdesk-site rings B's desks by desk id only: B's extension 101 and an
    unknown desk id get congestion, and the call on A goes on (unanswered)."""
    a, b = clean_sites.a, clean_sites.b
    # A misconfigured (or hostile) site A tries B's extension and a desk id
    # B does not have.
    await astdb_put(
        hass,
        a,
        route__101=f"PJSIP/101@{TRUNK_TO_B}",
        route__102=TRUNK_DIAL_A_TO_B.format(desk="nodesk"),
    )
    await astdb_put(hass, b, route__101="PJSIP/desk1", desk__deskb1="PJSIP/desk1")
    desk_b1 = await site_phones.async_start(hass, "b", "desk1")
    for extension in ("101", "102"):
        sent = time.monotonic()
        await call_extension(site_ami["a"], extension, CALLER_NUMBER, CALLER_NAME)
        # The dial fails at once: hotdesk-unanswered hangs the caller up.
        await until_in_thread(
            hass, lambda: a.channel_count() == 0, what=f"call {extension} over"
        )
        report(f"call to {extension} refused by B in {ms(time.monotonic() - sent)}")
    assert desk_b1.invites == []
    assert await in_thread(hass, b.channel_count) == 0


async def test_site_b_killed_mid_call(
    hass: HomeAssistant,
    clean_sites: TwoSites,
    site_phones: SitePhones,
    site_ami: dict[str, AmiClient],
) -> None:
    """B dies (SIGKILL) while a claimed call is up through it: A's own call
    stays up, A keeps routing, and the cross-site call ends on A when its
    caller hangs up."""
    a, b = clean_sites.a, clean_sites.b
    await astdb_put(
        hass,
        a,
        route__101="PJSIP/desk1",
        route__102="PJSIP/desk2",
        desk__deskb1=REMOTE_B1,
    )
    await astdb_put(hass, b, desk__deskb1="PJSIP/desk1")
    desk_a1 = await site_phones.async_start(hass, "a", "desk1")
    desk_a2 = await site_phones.async_start(
        hass, "a", "desk2", mode="answer", answer_after_ms=200
    )
    desk_b1 = await site_phones.async_start(
        hass, "b", "desk1", mode="answer", answer_after_ms=200
    )

    # A local call on A: 102 answered at A's desk2.
    await call_extension(site_ami["a"], "102", "5550102", "Local Caller")
    local_caller = await new_caller(site_ami["a"])
    await wait_bridged(site_ami["a"], local_caller, "PJSIP/desk2-")
    # A cross-site call: 101 rings A's desk1, is claimed at B's desk, answered.
    await call_extension(site_ami["a"], "101", CALLER_NUMBER, CALLER_NAME)
    remote_caller = await new_caller(site_ami["a"], {local_caller})
    await wait_sip(hass, desk_a1, "INVITE")
    await site_ami["a"].redirect(remote_caller, CONTEXT_CLAIM, DESK_B1)
    await wait_bridged(site_ami["a"], remote_caller, f"PJSIP/{TRUNK_TO_B}-")
    await wait_bridged(site_ami["b"], f"PJSIP/{TRUNK_TO_A}-", "PJSIP/desk1-")

    killed = time.monotonic()
    await in_thread(hass, b.kill)
    report(f"SIGKILL of B -> gone {ms(time.monotonic() - killed)}")
    assert not b.running

    # A's own call is untouched: still bridged, its desk got no BYE.
    still = await bridged(site_ami["a"], local_caller, "PJSIP/desk2-")
    assert set(still) == {local_caller, "PJSIP/desk2-"}
    assert desk_a2.byes == []
    # A cannot know B died (no BYE came, and with these silent test calls no
    # media either): its half of the cross-site call stays until the caller
    # hangs up (a real trunk would end it by rtp_timeout or session timers).
    assert remote_caller in {c.channel for c in await callers(site_ami["a"])}
    hung_up = time.monotonic()
    await site_ami["a"].send({"Action": "Hangup", "Channel": remote_caller})
    await until_in_thread(
        hass,
        lambda: (
            not any(
                line.startswith(f"PJSIP/{TRUNK_TO_B}-")
                for line in a.cli("core show channels concise").splitlines()
            )
        ),
        what="trunk leg gone on A",
    )
    report(
        f"Hangup of the cross-site caller on A -> gone {ms(time.monotonic() - hung_up)}"
    )
    still = await bridged(site_ami["a"], local_caller, "PJSIP/desk2-")
    assert set(still) == {local_caller, "PJSIP/desk2-"}
    assert desk_a2.byes == []

    # A keeps routing: a new call to 101 rings A's desk1.
    await call_extension(site_ami["a"], "101", CALLER_NUMBER, CALLER_NAME)
    await wait_sip(hass, desk_a1, "INVITE", 2)
    assert len(desk_b1.invites) == 1


# Through the integration: two entries, A linked to B, scans at B's desk.

ENTRY_A, ENTRY_B = "01SITEA", "01SITEB"
A1, A2, A3 = "01ADESK1", "01ADESK2", "01ADESK3"
B1 = "01BDESK1"  # B's desk1; A dials it as PJSIP/01BDESK1@site-b
B2 = "01BDESK2"  # B's desk2, Bea's
READER_B1, READER_A3 = "reader-at-b1", "reader-at-a3"


def _desk(desk_id: str, endpoint: str, scanner: str | None = None) -> dict[str, Any]:
    return {
        "subentry_id": desk_id,
        "subentry_type": "desk",
        "title": desk_id,
        "unique_id": None,
        "data": {
            CONF_NAME: desk_id,
            CONF_DIAL_STRING: f"PJSIP/{endpoint}",
            CONF_SCANNERS: [scanner] if scanner else [],
        },
    }


def _account(
    account_id: str, name: str, extension: str, desks: list[str], tag: str
) -> dict[str, Any]:
    return {
        "subentry_id": account_id,
        "subentry_type": "account",
        "title": name,
        "unique_id": None,
        "data": {
            CONF_NAME: name,
            CONF_EXTENSION: extension,
            CONF_HOME_DESKS: desks,
            CONF_TAGS: [tag],
        },
    }


@pytest.fixture
async def linked_sites(
    hass: HomeAssistant, clean_sites: TwoSites, hotdesk_events: EventLog
) -> AsyncIterator[tuple[HotdeskHub, HotdeskHub]]:
    """Entry A (Alice 101 at A's desk1+2, desk3 with a reader) linked to
    entry B (desk1 with a reader, Bea 201 at desk2); both set up."""
    entry_a = site_entry(
        clean_sites.a,
        ENTRY_A,
        [
            _desk(A1, "desk1"),
            _desk(A2, "desk2"),
            _desk(A3, "desk3", READER_A3),
            _account("01ALICE", "Alice", "101", [A1, A2], "tag-alice"),
            {
                "subentry_id": "01LINK",
                "subentry_type": "site",
                "title": "Site B",
                "unique_id": None,
                "data": {
                    CONF_SITE_ENTRY: ENTRY_B,
                    CONF_DIAL_TEMPLATE: TRUNK_DIAL_A_TO_B,
                    CONF_ALLOW_CLAIMS: True,
                    CONF_ALLOW_LOGINS: True,
                },
            },
        ],
        title="Site A",
    )
    entry_b = site_entry(
        clean_sites.b,
        ENTRY_B,
        [
            _desk(B1, "desk1", READER_B1),
            _desk(B2, "desk2"),
            _account("01BEA", "Bea", "201", [B2], "tag-bea"),
        ],
        title="Site B",
    )
    for entry in (entry_a, entry_b):
        entry.add_to_hass(hass)
        # Each scan in these tests is a new tap (no double-tap window).
        hass.config_entries.async_update_entry(
            entry, options={CONF_SCAN_DEBOUNCE_SECONDS: 0}
        )
    # Setting one up sets up every entry of the integration.
    assert await hass.config_entries.async_setup(ENTRY_A)
    await hass.async_block_till_done()
    hubs = (entry_a.runtime_data.hub, entry_b.runtime_data.hub)
    for hub in hubs:
        assert hub.connected
        hub.client.reconnect_min_delay = 0.05
        hub.client.reconnect_max_delay = 0.2
    yield hubs
    for entry in (entry_a, entry_b):
        await hass.config_entries.async_unload(entry.entry_id)


async def _hang_up_callers(ami: AmiClient) -> None:
    """The outside callers on a PBX hang up."""
    for caller in await callers(ami):
        await ami.send({"Action": "Hangup", "Channel": caller.channel})


def _ringing_desks(hub: HotdeskHub, account_id: str) -> list[str]:
    call = hub.tracker.call_for_account(account_id)
    return call.ringing_desks if call else []


async def test_ha_moves_a_call_to_a_desk_of_the_other_site(
    hass: HomeAssistant,
    linked_sites: tuple[HotdeskHub, HotdeskHub],
    site_phones: SitePhones,
    site_ami: dict[str, AmiClient],
    hotdesk_events: EventLog,
) -> None:
    """Alice's call rings on A; her card at B's desk: A moves it through the
    trunk, B's phone answers, and A's entry sees it answered at B's desk."""
    await site_phones.async_start(hass, "a", "desk1", mode="ring")
    await site_phones.async_start(hass, "a", "desk2", mode="ring")
    desk_b1 = await site_phones.async_start(
        hass, "b", "desk1", mode="answer", answer_after_ms=300
    )
    await call_extension(site_ami["a"], "101", CALLER_NUMBER, CALLER_NAME)
    incoming = await hotdesk_events.wait("incoming_call")
    assert incoming["account"] == "Alice"
    scanned = time.time()
    await async_scan_tag(hass, "tag-alice", READER_B1)
    claimed = await hotdesk_events.wait("call_claimed")
    assert (claimed["desk_id"], claimed["via"]) == (B1, "tag")
    invite = await wait_sip(hass, desk_b1, "INVITE")
    report(
        f"scan at B's desk -> INVITE there through the trunk {ms(invite.time - scanned)}"
    )
    assert invite.caller_id_number == CALLER_NUMBER
    # The trunk leg is known as B's desk by what A dialled (DialString).
    answered = await hotdesk_events.wait("call_answered")
    assert answered["desk_id"] == B1
    assert "unknown_tag" not in hotdesk_events.types()
    # B's entry shows its desk in a call (its phone's device state); the
    # call is A's: B fires no call events of its own for it.
    _, hub_b = linked_sites
    await until(
        lambda: hub_b.tracker.desk_states.get(B1) is DeskState.IN_CALL,
        5,
        "B's desk in a call",
    )
    assert not hub_b.tracker.calls
    assert len(hotdesk_events.of("incoming_call")) == 1
    await _hang_up_callers(site_ami["a"])
    ended = await hotdesk_events.wait("call_ended")
    assert ended["outcome"] == "answered"
    await asyncio.sleep(0.3)
    assert len(hotdesk_events.of("call_ended")) == 1


async def test_ha_logs_a_visitor_in_at_the_other_sites_desk(
    hass: HomeAssistant,
    clean_sites: TwoSites,
    linked_sites: tuple[HotdeskHub, HotdeskHub],
    site_phones: SitePhones,
    site_ami: dict[str, AmiClient],
    hotdesk_events: EventLog,
) -> None:
    """Alice's card at B's desk with no call: A's route for 101 reaches it
    through the trunk, B gives the desk her number; a call rings both sites."""
    hub_a, hub_b = linked_sites
    desk_b1 = await site_phones.async_start(hass, "b", "desk1", mode="ring")
    await site_phones.async_start(hass, "a", "desk1", mode="ring")
    await async_scan_tag(hass, "tag-alice", READER_B1)
    login = await hotdesk_events.wait("login")
    assert (login["account"], login["desk_id"]) == ("Alice", B1)
    astdb_a = await in_thread(hass, clean_sites.a.astdb)
    astdb_b = await in_thread(hass, clean_sites.b.astdb)
    assert astdb_a["route/101"] == (
        f"PJSIP/desk1&PJSIP/desk2&{TRUNK_DIAL_A_TO_B.format(desk=B1)}"
    )
    assert astdb_b[f"login/{B1}"] == "101"
    assert hub_b.directory.desks[B1].site is None
    await call_extension(site_ami["a"], "101", CALLER_NUMBER, CALLER_NAME)
    incoming = await hotdesk_events.wait("incoming_call")
    invite = await wait_sip(hass, desk_b1, "INVITE")
    assert invite.caller_id_number == CALLER_NUMBER
    await until(
        lambda: B1 in _ringing_desks(hub_a, "01ALICE"),
        5,
        "B's desk among the ringing desks",
    )
    assert incoming["account_id"] == "01ALICE"
    await _hang_up_callers(site_ami["a"])
    await hotdesk_events.wait("call_ended")
    # B's desk calls out with her number (B's hotdesk-callerid reads the
    # login B's entry wrote): a call from it to Bea shows 101.
    desk_b2 = await site_phones.async_start(hass, "b", "desk2", mode="ring")
    outgoing = await in_thread(
        hass,
        lambda: place_call("desk1", "201", clean_sites.b.sip_port, ring_timeout_ms=500),
    )
    try:
        invite = await wait_sip(hass, desk_b2, "INVITE")
        assert invite.caller_id_number == "101"
    finally:
        await in_thread(hass, outgoing.stop)
    # Her card there again: logged out on both PBXs.
    await async_scan_tag(hass, "tag-alice", READER_B1)
    await hotdesk_events.wait("logout")
    astdb_a = await in_thread(hass, clean_sites.a.astdb)
    astdb_b = await in_thread(hass, clean_sites.b.astdb)
    assert astdb_a["route/101"] == "PJSIP/desk1&PJSIP/desk2"
    assert f"login/{B1}" not in astdb_b


async def test_ha_site_b_killed_mid_call(
    hass: HomeAssistant,
    clean_sites: TwoSites,
    linked_sites: tuple[HotdeskHub, HotdeskHub],
    site_phones: SitePhones,
    site_ami: dict[str, AmiClient],
    hotdesk_events: EventLog,
) -> None:
    """Calls ring on both sites; B is SIGKILLed: A's call still moves and is
    answered; B's call ends exactly once when B is back."""
    hub_a, hub_b = linked_sites
    await site_phones.async_start(hass, "a", "desk1", mode="ring")
    await site_phones.async_start(hass, "a", "desk2", mode="ring")
    desk_a3 = await site_phones.async_start(
        hass, "a", "desk3", mode="answer", answer_after_ms=200
    )
    await site_phones.async_start(hass, "b", "desk2", mode="ring")
    await call_extension(site_ami["b"], "201", "5550200", "Dora Caller")
    bea_call = await hotdesk_events.wait("incoming_call")
    assert bea_call["account"] == "Bea"
    await call_extension(site_ami["a"], "101", CALLER_NUMBER, CALLER_NAME)
    alice_call = await hotdesk_events.wait("incoming_call", 2)
    assert alice_call["account"] == "Alice"
    killed = time.time()
    await in_thread(hass, clean_sites.b.kill)
    await until(lambda: not hub_b.connected, 5, "B's entry sees B gone")
    report(f"SIGKILL of B -> B's entry disconnected {ms(time.time() - killed)}")
    assert hub_a.connected
    await async_scan_tag(hass, "tag-alice", READER_A3)
    claimed = await hotdesk_events.wait("call_claimed")
    assert (claimed["call_id"], claimed["desk_id"]) == (alice_call["call_id"], A3)
    await wait_sip(hass, desk_a3, "INVITE")
    answered = await hotdesk_events.wait("call_answered")
    assert answered["desk_id"] == A3
    # B back (empty, as after a crash): its entry reconnects and ends Bea's
    # call once; Alice's call on A is still up.
    await in_thread(hass, clean_sites.b.start)
    await until(lambda: hub_b.connected, 10, "B's entry reconnected")
    ended = await hotdesk_events.wait("call_ended")
    assert ended["call_id"] == bea_call["call_id"]
    await asyncio.sleep(0.5)
    assert [e["call_id"] for e in hotdesk_events.of("call_ended")] == [
        bea_call["call_id"]
    ]
    assert [c.channel for c in await callers(site_ami["a"])]
    await _hang_up_callers(site_ami["a"])
    await hotdesk_events.wait("call_ended", 2)
