"""Desk bookings on a real Asterisk 22 with SIPp phones and HA's local calendar.

Desk 3 names a local calendar; events made with the calendar's own action
book it for Alice (101). At the start the PBX routes 101 to desk 3 and
Carol's scan there does not log her in; a call answered at desk 3 keeps the
login past the end until it hangs up; a booking nobody checks in at is
released.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.components.tag import async_scan_tag
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.const import (
    CONF_BOOKING_CHECK_IN,
    CONF_CALENDAR,
)
from custom_components.hotdesk_phone.hub import HotdeskHub

from .conftest import (
    ALICE,
    CAROL,
    D3,
    EventLog,
    Pbx,
    call_extension,
    callers,
    in_thread,
    report,
    wait_sip,
)
from .sip_phone import SipPhone

CALENDAR = "calendar.desk_3"


@pytest.fixture
def pbx_entry(pbx_entry: MockConfigEntry) -> MockConfigEntry:
    """The e2e entry; desk 3 is booked through calendar.desk_3."""
    data = [
        {
            "subentry_id": s.subentry_id,
            "subentry_type": s.subentry_type,
            "title": s.title,
            "unique_id": s.unique_id,
            "data": {**s.data, CONF_CALENDAR: CALENDAR}
            if s.subentry_id == D3
            else dict(s.data),
        }
        for s in pbx_entry.subentries.values()
    ]
    return MockConfigEntry(
        domain=pbx_entry.domain,
        title=pbx_entry.title,
        unique_id=pbx_entry.unique_id,
        data=dict(pbx_entry.data),
        options={"scan_debounce_seconds": 0},
        subentries_data=data,  # type: ignore[arg-type]
        entry_id=pbx_entry.entry_id,
    )


@pytest.fixture(autouse=True)
async def calendar(hass: HomeAssistant, tmp_path: Path) -> None:
    """HA's local calendar "Desk 3", its .ics file in a private folder."""
    (tmp_path / ".storage").mkdir()
    hass.config.config_dir = str(tmp_path)
    entry = MockConfigEntry(domain="local_calendar", data={"calendar_name": "Desk 3"})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert await async_setup_component(hass, "tag", {})
    await hass.async_block_till_done()


async def book(hass: HomeAssistant, summary: str, start: Any, end: Any) -> None:
    await hass.services.async_call(
        "calendar",
        "create_event",
        {
            "entity_id": CALENDAR,
            "summary": summary,
            "start_date_time": start,
            "end_date_time": end,
        },
        blocking=True,
    )


async def test_a_booking_routes_101_to_desk_3_and_ends_after_the_call(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    now = dt_util.now().replace(microsecond=0)
    start, end = now + timedelta(seconds=4), now + timedelta(seconds=14)
    await book(hass, "Alice 101", start, end)
    login = await hotdesk_events.wait("login", timeout=10)
    assert (login["account_id"], login["desk_id"]) == (ALICE, D3)
    report(f"booking: login {dt_util.utcnow() - dt_util.as_utc(start)} after its start")
    tree = await in_thread(hass, clean_pbx.astdb)
    assert tree[f"login/{D3}"] == "101"

    # Carol's scan at the booked desk logs nobody in or out.
    await async_scan_tag(hass, "tag-carol", "scanner-3")
    refused = await hotdesk_events.wait("scan_refused")
    assert (refused["account_id"], refused["reason"]) == (CAROL, "desk_booked")
    assert hub.logins == {D3: ALICE}

    # 101 rings desk 3 (the booking's login), which answers: the call is up
    # when the booking ends, so the login stays until it hangs up.
    await in_thread(hass, phones["desk3"].set_mode, "answer", 300)
    await call_extension(ami, "101")
    await wait_sip(hass, phones["desk3"], "INVITE", timeout=5)
    await hotdesk_events.wait("call_answered", timeout=5)
    # The booking's own end passes (the scenario's time, not a retry).
    await asyncio.sleep((end - dt_util.now()).total_seconds() + 1)
    assert hub.logins == {D3: ALICE}, "the login ended under a call"
    assert "logout" not in hotdesk_events.types()
    caller = (await callers(ami))[0]
    await ami.send({"Action": "Hangup", "Channel": caller.channel})
    logout = await hotdesk_events.wait("logout", timeout=5)
    assert (logout["desk_id"], logout["reason"]) == (D3, "booking_ended")


async def test_an_unchecked_booking_is_released(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    pbx_entry: MockConfigEntry,
    hub: HotdeskHub,
    hotdesk_events: EventLog,
) -> None:
    hass.config_entries.async_update_entry(
        pbx_entry, options={**pbx_entry.options, CONF_BOOKING_CHECK_IN: 0.05}
    )
    now = dt_util.now().replace(microsecond=0)
    await book(hass, "101", now + timedelta(seconds=3), now + timedelta(minutes=30))
    await hotdesk_events.wait("login", timeout=10)
    logout = await hotdesk_events.wait("logout", timeout=10)
    assert logout["reason"] == "booking_released"
    tree = await in_thread(hass, clean_pbx.astdb)
    assert f"login/{D3}" not in tree
