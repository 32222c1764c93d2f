"""Desk bookings from Home Assistant's local calendar (real integration).

Desk 3 names the calendar ``calendar.desk_3``; events are created through the
calendar's own action, seconds ahead, and the tests wait for what the booking
does on the clock (no frozen time: HA's timers and the calendar's own reads run
as they do in a real instance). A booking logs Alice in at its start, pushes
before its end, logs her out at the end (after the call at the desk, when
there is one), is released without a check-in, keeps Carol from logging in at
the booked desk, and comes back after a restart.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_mock_service,
)

from homeassistant.components.tag import async_scan_tag
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from custom_components.hotdesk_phone.const import (
    CONF_BOOKING_CHECK_IN,
    CONF_BOOKING_WARNING,
    CONF_CALENDAR,
    CONF_NOTIFY_TARGETS,
)
from custom_components.hotdesk_phone.tracker import DeskState

from .ami_server import AmiTestServer
from .conftest import ALICE, CAROL, DESK_IDS, standard_subentries
from .helpers import hub_of, wait_for

D1, D2, D3, D4 = DESK_IDS
CALENDAR = "calendar.desk_3"


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    items = standard_subentries()
    for item in items:
        if item["subentry_id"] == D3:
            item["data"][CONF_CALENDAR] = CALENDAR
            item["data"]["scanners"] = ["scanner-3"]
        if item["subentry_id"] == ALICE:
            item["data"][CONF_NOTIFY_TARGETS] = ["mobile_app_alice"]
    return items


@pytest.fixture
async def calendar(hass: HomeAssistant, tmp_path: Path) -> None:
    """A local calendar named "Desk 3" (HA's own integration).

    It keeps its events in an .ics file below the config folder: a private one.
    """
    (tmp_path / ".storage").mkdir()
    hass.config.config_dir = str(tmp_path)
    entry = MockConfigEntry(domain="local_calendar", data={"calendar_name": "Desk 3"})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(CALENDAR) is not None


async def book(hass: HomeAssistant, summary: str, start: Any, end: Any) -> None:
    """Create the event with the calendar's action (the integration reads it)."""
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


def seconds(value: float) -> Any:
    return dt_util.now().replace(microsecond=0) + timedelta(seconds=value)


async def until_past(when: Any) -> None:
    """The scenario's own clock: wait until a booking's moment has passed."""
    await asyncio.sleep(max(0.0, (when - dt_util.now()).total_seconds()) + 0.5)


def set_options(hass: HomeAssistant, entry: MockConfigEntry, **options: Any) -> None:
    hass.config_entries.async_update_entry(entry, options={**entry.options, **options})


async def test_a_booking_logs_in_warns_and_logs_out(
    hass: HomeAssistant,
    calendar: None,
    ami_server: AmiTestServer,
    init_integration: MockConfigEntry,
) -> None:
    pushes = async_mock_service(hass, "notify", "mobile_app_alice")
    bookings = async_capture_events(hass, "hotdesk_phone_booking")
    logouts = async_capture_events(hass, "hotdesk_phone_logout")
    set_options(hass, init_integration, **{CONF_BOOKING_WARNING: 0.05})  # 3 s
    hub = hub_of(init_integration)
    start, end = seconds(3), seconds(9)
    await book(hass, "Alice (101) at desk 3", start, end)
    assert hub.logins == {}
    await wait_for(hass, lambda: hub.logins == {D3: ALICE})
    assert dt_util.now() >= start
    assert ami_server.astdb["hotdesk/login/" + D3] == "101"
    await wait_for(hass, lambda: pushes)
    assert "ends at" in pushes[0].data["message"]
    await wait_for(hass, lambda: logouts)
    assert dt_util.now() >= end
    assert logouts[0].data["reason"] == "booking_ended"
    assert hub.logins == {}
    assert [e.data["type"] for e in bookings] == ["started", "ending", "ended"]


async def test_a_call_at_the_desk_delays_the_end(
    hass: HomeAssistant, calendar: None, init_integration: MockConfigEntry
) -> None:
    hub = hub_of(init_integration)
    end = seconds(5)
    await book(hass, "101", seconds(1), end)
    await wait_for(hass, lambda: hub.logins == {D3: ALICE})
    hub.tracker.desk_states[D3] = DeskState.IN_CALL  # as a DeviceStateChange does
    await until_past(end)
    assert hub.logins == {D3: ALICE}  # the call is up
    hub.tracker.desk_states[D3] = DeskState.IDLE
    hub._update_entities([D3])
    await wait_for(hass, lambda: hub.logins == {})


async def test_an_unchecked_booking_is_released_and_a_scan_checks_in(
    hass: HomeAssistant, calendar: None, init_integration: MockConfigEntry
) -> None:
    set_options(hass, init_integration, **{CONF_BOOKING_CHECK_IN: 0.05})  # 3 s
    assert await async_setup_component(hass, "tag", {})
    hub = hub_of(init_integration)
    bookings = async_capture_events(hass, "hotdesk_phone_booking")
    # The first: no scan within 3 seconds, released.
    await book(hass, "Alice", seconds(1), seconds(60))
    await wait_for(hass, lambda: hub.logins == {D3: ALICE})
    await wait_for(hass, lambda: hub.logins == {})
    assert [e.data["type"] for e in bookings] == ["started", "released"]
    # The second: her scan checks in (and does not log her out).
    start = seconds(3)
    await book(hass, "Alice", start, seconds(120))
    await wait_for(hass, lambda: hub.logins == {D3: ALICE})
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hass.async_block_till_done()
    assert hub.logins == {D3: ALICE}
    await until_past(start + timedelta(seconds=3))
    assert hub.logins == {D3: ALICE}
    types = [e.data["type"] for e in bookings]
    assert types == ["started", "released", "started", "checked_in"]


async def test_someone_else_cannot_log_in_at_a_booked_desk(
    hass: HomeAssistant, calendar: None, init_integration: MockConfigEntry
) -> None:
    assert await async_setup_component(hass, "tag", {})
    refused = async_capture_events(hass, "hotdesk_phone_scan_refused")
    hub = hub_of(init_integration)
    await book(hass, "101", seconds(1), seconds(3600))
    await wait_for(hass, lambda: hub.logins == {D3: ALICE})
    await async_scan_tag(hass, "tag-carol", "scanner-3")
    await hass.async_block_till_done()
    assert hub.logins == {D3: ALICE}
    assert refused[0].data["reason"] == "desk_booked"
    assert refused[0].data["account_id"] == CAROL


async def test_a_booking_on_now_comes_back_after_a_restart(
    hass: HomeAssistant,
    calendar: None,
    init_integration: MockConfigEntry,
) -> None:
    """Set up again (as after a restart): the booking that is on logs in."""
    hub = hub_of(init_integration)
    await book(hass, "101", seconds(-300), seconds(3600))
    await wait_for(hass, lambda: hub.logins == {D3: ALICE})
    await hub.async_logout(D3)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    await wait_for(hass, lambda: hub_of(init_integration).logins == {D3: ALICE})
