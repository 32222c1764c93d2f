"""Queues follow the person, on a real Asterisk 22 with app_queue and SIPp phones.

Alice's account names the queue ``support`` (``asterisk_conf/queues.conf``: it
rings all members). A caller in the queue rings desk 3 once Alice has logged
in there, not before and not after she logged out; do not disturb pauses her;
a restarted Asterisk gets her back as a member.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.ami_queue import QueueMember, queue_members
from custom_components.hotdesk_phone.const import CONF_QUEUES
from custom_components.hotdesk_phone.hub import HotdeskHub

from .conftest import ALICE, D3, Pbx, in_thread, report, until, wait_sip
from .sip_phone import SipPhone


@pytest.fixture
def pbx_entry(pbx_entry: MockConfigEntry) -> MockConfigEntry:
    """The e2e entry; Alice takes the support queue's calls."""
    data = [
        {**sub, "data": {**sub["data"], CONF_QUEUES: ["support"]}}
        if sub["subentry_id"] == ALICE
        else sub
        for sub in (
            {
                "subentry_id": s.subentry_id,
                "subentry_type": s.subentry_type,
                "title": s.title,
                "unique_id": s.unique_id,
                "data": dict(s.data),
            }
            for s in pbx_entry.subentries.values()
        )
    ]
    return MockConfigEntry(
        domain=pbx_entry.domain,
        title=pbx_entry.title,
        unique_id=pbx_entry.unique_id,
        data=dict(pbx_entry.data),
        subentries_data=data,  # type: ignore[arg-type]
        entry_id=pbx_entry.entry_id,
    )


async def _members(ami: AmiClient) -> list[QueueMember]:
    return await queue_members(ami, ["support"])


async def _queue_call(
    hass: HomeAssistant, ami: AmiClient, phone: SipPhone, *, rings: bool
) -> None:
    """A caller waits in the queue: desk 3 gets an INVITE, or none in 3 s."""
    before = phone.invite_count
    await ami.originate(
        "Local/s@test-caller", "test-queue", "support", caller_id='"Q" <5550199>'
    )
    if rings:
        await wait_sip(hass, phone, "INVITE", before + 1, timeout=10)
    else:
        await asyncio.sleep(3)
        assert phone.invite_count == before
    await ami.send({"Action": "Hangup", "Channel": "/^Local/s@test-caller-/"})
    await until_async(lambda: _no_queue_caller(ami), "the queue caller gone")


async def _no_queue_caller(ami: AmiClient) -> bool:
    channels = await ami.active_channels()
    return not any(c.channel.startswith("Local/s@test-caller-") for c in channels)


async def until_async(check: Any, what: str, timeout: float = 5.0) -> None:
    """Poll an async ``check()`` until it holds."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not await check():
        if loop.time() - started > timeout:
            raise TimeoutError(f"no {what} within {timeout} s")
        await asyncio.sleep(0.05)


async def _members_until(
    ami: AmiClient, check: Any, what: str, timeout: float = 5.0
) -> list[QueueMember]:
    """Poll the queue's members until ``check(members)`` holds."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not check(found := await _members(ami)):
        if loop.time() - started > timeout:
            raise TimeoutError(f"no {what} within {timeout} s: {found}")
        await asyncio.sleep(0.05)
    report(f"queue: {what} after {(loop.time() - started) * 1000:.0f} ms")
    return found


async def test_a_queue_call_rings_where_alice_is_logged_in(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
) -> None:
    phone = phones["desk3"]
    assert await _members(ami) == []
    await _queue_call(hass, ami, phone, rings=False)

    await hub.async_login(ALICE, D3)
    found = await _members_until(ami, bool, "member after login")
    assert found == [
        QueueMember("support", "PJSIP/desk3", "Alice", paused=False, dynamic=True)
    ]
    await _queue_call(hass, ami, phone, rings=True)

    # Do not disturb pauses her there: the queue does not ring her.
    await hub.async_set_dnd(ALICE, True)
    await _members_until(ami, lambda m: m and m[0].paused, "paused by DND")
    await _queue_call(hass, ami, phone, rings=False)
    await hub.async_set_dnd(ALICE, False)
    await _members_until(ami, lambda m: m and not m[0].paused, "unpaused")

    # A restarted Asterisk: she is a member again (HA's resync). Asterisk
    # itself keeps no dynamic member here (no PersistentMembers in its AstDB).
    assert await in_thread(hass, clean_pbx.astdb, "Queue/PersistentMembers") == {}
    await in_thread(hass, clean_pbx.stop)
    await until(lambda: not hub.connected, what="disconnect")
    await in_thread(hass, clean_pbx.start)
    await until(lambda: hub.connected, timeout=15, what="reconnect")
    await _members_until(
        ami,
        lambda m: [(x.interface, x.paused) for x in m] == [("PJSIP/desk3", False)],
        "member after the restart",
        timeout=10,
    )

    # Logged out: no member, the queue does not ring desk 3.
    await hub.async_logout(D3)
    await _members_until(ami, lambda m: not m, "no member after logout")
    await _queue_call(hass, ami, phone, rings=False)
