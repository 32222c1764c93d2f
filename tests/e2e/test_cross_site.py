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

Timings are printed (``pytest -s``).
"""

from __future__ import annotations

import time

import pytest

from homeassistant.core import HomeAssistant

from custom_components.hotdesk_phone.ami import ActiveChannel, AmiClient
from custom_components.hotdesk_phone.const import CONTEXT_CLAIM

from .conftest import (
    TRUNK_DIAL_A_TO_B,
    TRUNK_TO_A,
    TRUNK_TO_B,
    OverlayPbx,
    SitePhones,
    TwoSites,
    call_extension,
    callers,
    in_thread,
    new_caller,
    until_in_thread,
    wait_sip,
)
from .sip_phone import place_call

pytestmark = pytest.mark.e2e

CALLER_NUMBER = "5550100"
CALLER_NAME = "Bob Caller"
DESK_B1 = "deskb1"  # a desk of site B (an HA subentry id there)
REMOTE_B1 = TRUNK_DIAL_A_TO_B.format(desk=DESK_B1)  # PJSIP/deskb1@site-b


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def report(text: str) -> None:
    print(f"[e2e timing] {text}")


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
