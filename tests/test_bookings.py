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
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from homeassistant.components.person import async_create_person
from homeassistant.components.tag import async_scan_tag
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from custom_components.hotdesk_phone.const import (
    CONF_BOOKING_CHECK_IN,
    CONF_BOOKING_WARNING,
    CONF_CALENDAR,
    CONF_NOTIFY_TARGETS,
    CONF_PEOPLE,
)
from custom_components.hotdesk_phone.tracker import DeskState

from .ami_server import AmiTestServer
from .conftest import ALICE, CAROL, DESK_IDS, standard_subentries
from .helpers import desk_device, hub_of, midday_zone, wait_for

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
    hub.updates.async_update([D3])
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


# The board's part: what the desk's sensor shows, "Book this desk" (the
# book_desk action) and calendars named by an area.


def login_sensor(hass: HomeAssistant, entry: MockConfigEntry, desk_id: str) -> str:
    """The entity id of a desk's Logged in sensor (it carries the booking)."""
    device = desk_device(hass, entry, desk_id)
    return next(
        e.entity_id
        for e in er.async_entries_for_device(er.async_get(hass), device)
        if e.translation_key == "logged_in_account"
    )


def attrs(hass: HomeAssistant, entity_id: str) -> dict[str, Any]:
    state = hass.states.get(entity_id)
    assert state is not None
    return dict(state.attributes)


@pytest.fixture(autouse=True)
async def midday(hass: HomeAssistant) -> None:
    """Run in a time zone where it is about noon now.

    "Book this desk" books today only, and these tests book up to an hour
    ahead: in the test harness's own zone (US/Pacific) such a booking runs
    past midnight for an hour of every UTC morning.
    """
    await hass.config.async_set_time_zone(midday_zone(dt_util.utcnow()))
    assert 11 <= dt_util.now().hour <= 12


async def book_desk(
    hass: HomeAssistant, context: Context | None = None, **data: Any
) -> Any:
    return await hass.services.async_call(
        "hotdesk_phone",
        "book_desk",
        data,
        blocking=True,
        return_response=True,
        context=context,
    )


async def test_the_desk_sensor_shows_the_next_booking_then_the_one_on_now(
    hass: HomeAssistant, calendar: None, init_integration: MockConfigEntry
) -> None:
    hub = hub_of(init_integration)
    sensor = login_sensor(hass, init_integration, D3)
    start, end = seconds(3), seconds(1800)
    await wait_for(hass, lambda: attrs(hass, sensor)["booking_calendar"] == CALENDAR)
    assert attrs(hass, sensor)["booked_by"] is None
    await book(hass, "Carol (102)", start, end)
    # Not started yet: shown as the next booking today, nobody logged in.
    await wait_for(hass, lambda: attrs(hass, sensor)["booked_by"] == "Carol")
    shown = attrs(hass, sensor)
    assert shown["booked_account_id"] == CAROL
    assert shown["booked_extension"] == "102"
    assert dt_util.parse_datetime(shown["booked_from"]) == start
    assert dt_util.parse_datetime(shown["booked_until"]) == end
    assert hub.logins == {}
    # Started: the same booking, now on, and Carol logged in.
    await wait_for(hass, lambda: hub.logins == {D3: CAROL})
    assert attrs(hass, sensor)["booked_by"] == "Carol"
    # Desks without a calendar show none.
    other = attrs(hass, login_sensor(hass, init_integration, D1))
    assert other["booking_calendar"] is None
    assert other["booked_by"] is None


async def test_book_desk_creates_the_event_in_the_desks_calendar(
    hass: HomeAssistant,
    calendar: None,
    init_integration: MockConfigEntry,
    hass_admin_user: Any,
) -> None:
    hub = hub_of(init_integration)
    desk3 = desk_device(hass, init_integration, D3)
    end = dt_util.now().replace(microsecond=0) + timedelta(minutes=20)
    admin = Context(user_id=hass_admin_user.id)
    reply = await book_desk(
        hass, admin, extension="101", desk=desk3, end=end.strftime("%H:%M:%S")
    )
    assert reply["calendar"] == CALENDAR
    assert dt_util.parse_datetime(reply["end"]) == end
    # The event is the calendar's own, named the way bookings read it.
    found = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            "entity_id": CALENDAR,
            "start_date_time": dt_util.now(),
            "duration": {"hours": 1},
        },
        blocking=True,
        return_response=True,
    )
    (event,) = found[CALENDAR]["events"]
    assert event["summary"] == "Alice (101)"
    # It starts now: Alice is logged in, and the sensor shows it.
    await wait_for(hass, lambda: hub.logins == {D3: ALICE})
    sensor = login_sensor(hass, init_integration, D3)
    await wait_for(hass, lambda: attrs(hass, sensor)["booked_by"] == "Alice")
    assert dt_util.parse_datetime(attrs(hass, sensor)["booked_until"]) == end

    async def refused(key: str, **data: Any) -> None:
        with pytest.raises(ServiceValidationError) as err:
            await book_desk(hass, admin, **data)
        assert err.value.translation_key == key, err.value

    # The span is taken (Carol until a later time overlaps Alice's booking).
    later = (end + timedelta(minutes=5)).strftime("%H:%M")
    await refused("desk_booked_span", extension="102", desk=desk3, end=later)
    # Not today; ending before it starts; a desk without a calendar.
    tomorrow = (end + timedelta(days=1)).isoformat()
    await refused("booking_not_today", extension="102", desk=desk3, end=tomorrow)
    await refused(
        "booking_bad_span",
        extension="102",
        desk=desk3,
        start=(end + timedelta(minutes=2)).strftime("%H:%M"),
        end=(end + timedelta(minutes=1)).strftime("%H:%M"),
    )
    desk1 = desk_device(hass, init_integration, D1)
    await refused("booking_no_calendar", extension="102", desk=desk1, end=later)
    await refused("unknown_extension", extension="999", desk=desk3, end=later)
    # A user who is none of Carol's people may not book for her.
    user = await hass.auth.async_create_user("Mallory", group_ids=["system-users"])
    with pytest.raises(Unauthorized):
        await book_desk(
            hass,
            Context(user_id=user.id),
            extension="102",
            desk=desk3,
            start=(end + timedelta(minutes=1)).strftime("%H:%M"),
            end=later,
        )
    # After Alice's booking the desk is free: Carol books it then.
    reply = await book_desk(
        hass,
        admin,
        extension="102",
        desk=desk3,
        start=end.strftime("%H:%M:%S"),
        end=later,
    )
    assert dt_util.parse_datetime(reply["start"]) == end


@pytest.fixture
async def open_space(
    hass: HomeAssistant, calendar: None, init_integration: MockConfigEntry
) -> str:
    """Desks 1 and 2 in the area "Open space", with a local calendar of its own."""
    area = ar.async_get(hass).async_create("Open space")
    devices = dr.async_get(hass)
    for desk_id in (D1, D2):
        device = desk_device(hass, init_integration, desk_id)
        devices.async_update_device(device, area_id=area.id)
    entry = MockConfigEntry(
        domain="local_calendar", data={"calendar_name": "Open space"}
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    er.async_get(hass).async_update_entity("calendar.open_space", area_id=area.id)
    await hass.async_block_till_done()
    return "calendar.open_space"


async def test_an_area_calendar_books_the_desk_its_event_names(
    hass: HomeAssistant,
    open_space: str,
    init_integration: MockConfigEntry,
) -> None:
    hub = hub_of(init_integration)
    sensors = {d: login_sensor(hass, init_integration, d) for d in (D1, D2)}
    # The area's calendar becomes the calendar of both its desks.
    await wait_for(
        hass,
        lambda: all(
            attrs(hass, s)["booking_calendar"] == open_space for s in sensors.values()
        ),
    )
    # Desk 3 keeps its own.
    assert attrs(hass, login_sensor(hass, init_integration, D3))[
        "booking_calendar"
    ] == (CALENDAR)
    start, end = seconds(1), seconds(1800)
    for summary in ("Carol (102)", "Alice (101) at Desk 2"):
        await hass.services.async_call(
            "calendar",
            "create_event",
            {
                "entity_id": open_space,
                "summary": summary,
                "start_date_time": start,
                "end_date_time": end,
            },
            blocking=True,
        )
    # Two desks share the calendar: only the event naming a desk books one.
    await wait_for(hass, lambda: hub.logins == {D2: ALICE})
    assert attrs(hass, sensors[D2])["booked_by"] == "Alice"
    assert attrs(hass, sensors[D1])["booked_by"] is None
    # "Book this desk" at Desk 1 writes to the area's calendar, naming it.
    reply = await book_desk(
        hass,
        extension="102",
        desk=desk_device(hass, init_integration, D1),
        end=end.strftime("%H:%M:%S"),
    )
    assert reply["calendar"] == open_space
    await wait_for(hass, lambda: hub.logins == {D2: ALICE, D1: CAROL})
    await wait_for(hass, lambda: attrs(hass, sensors[D1])["booked_by"] == "Carol")


async def test_a_user_books_only_for_their_own_account(
    hass: HomeAssistant,
    calendar: None,
    init_integration: MockConfigEntry,
    hass_owner_user: Any,
) -> None:
    """Alice's HA user (her account names her person) books for Alice only."""
    assert await async_setup_component(hass, "person", {})
    user = await hass.auth.async_create_user("Alice", group_ids=["system-users"])
    await async_create_person(hass, "Alice", user_id=user.id)
    account = init_integration.subentries[ALICE]
    hass.config_entries.async_update_subentry(
        init_integration, account, data={**account.data, CONF_PEOPLE: ["person.alice"]}
    )
    hub = hub_of(init_integration)
    await wait_for(hass, lambda: "person.alice" in hub.directory.accounts[ALICE].people)
    alice = Context(user_id=user.id)
    desk3 = desk_device(hass, init_integration, D3)
    now = dt_util.now().replace(microsecond=0)
    start, end = now + timedelta(minutes=10), now + timedelta(minutes=20)
    # Carol is logged in at Desk 3: a booking of it would end her login, at
    # once or when it starts (two seconds from now is as good as now).
    await hub.async_login(CAROL, D3)
    with pytest.raises(Unauthorized):
        await book_desk(hass, alice, extension="101", desk=desk3, end=str(end.time()))
    for later in (now + timedelta(seconds=2), start):
        with pytest.raises(Unauthorized):
            await book_desk(
                hass,
                alice,
                extension="101",
                desk=desk3,
                start=str(later.time()),
                end=str(end.time()),
            )
    # Carol's account is not Alice's to book for.
    with pytest.raises(Unauthorized):
        await book_desk(
            hass,
            alice,
            extension="102",
            desk=desk3,
            start=str(start.time()),
            end=str(end.time()),
        )
    assert hub.logins == {D3: CAROL}
    # Her own account, after Carol's login is over: booked.
    await hub.async_logout(D3)
    reply = await book_desk(
        hass,
        alice,
        extension="101",
        desk=desk3,
        start=str(start.time()),
        end=str(end.time()),
    )
    assert reply["calendar"] == CALENDAR
    assert dt_util.parse_datetime(reply["start"]) == start
    sensor = login_sensor(hass, init_integration, D3)
    await wait_for(hass, lambda: attrs(hass, sensor)["booked_by"] == "Alice")


async def test_a_released_booking_does_not_hold_the_desk(
    hass: HomeAssistant, calendar: None, init_integration: MockConfigEntry
) -> None:
    set_options(hass, init_integration, **{CONF_BOOKING_CHECK_IN: 0.05})  # 3 s
    bookings = async_capture_events(hass, "hotdesk_phone_booking")
    end = seconds(1200)
    await book(hass, "Carol (102)", seconds(1), end)
    await wait_for(
        hass, lambda: [e.data["type"] for e in bookings] == ["started", "released"]
    )
    # Carol did not check in: her span is free for Alice.
    await book_desk(
        hass,
        extension="101",
        desk=desk_device(hass, init_integration, D3),
        end=str(end.time()),
    )
    await wait_for(
        hass,
        lambda: any(
            e.data["type"] == "started" and e.data["account_id"] == ALICE
            for e in bookings
        ),
    )


async def test_a_booking_deleted_from_its_calendar_ends_its_login(
    hass: HomeAssistant,
    calendar: None,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The event removed in the calendar (its own websocket command): logged out."""
    logouts = async_capture_events(hass, "hotdesk_phone_logout")
    hub = hub_of(init_integration)
    await book(hass, "Alice (101)", seconds(1), seconds(600))
    await wait_for(hass, lambda: hub.logins == {D3: ALICE})
    events = await hass.services.async_call(
        "calendar",
        "get_events",
        {"entity_id": CALENDAR, "duration": {"hours": 1}},
        blocking=True,
        return_response=True,
    )
    assert [e["summary"] for e in events[CALENDAR]["events"]] == ["Alice (101)"]
    entity = hass.data["calendar"].get_entity(CALENDAR)
    (event,) = await entity.async_get_events(hass, dt_util.now(), seconds(3600))
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "calendar/event/delete", "entity_id": CALENDAR, "uid": event.uid}
    )
    assert (await client.receive_json())["success"]
    await wait_for(hass, lambda: logouts, timeout=20)
    assert logouts[0].data["reason"] == "booking_ended"
    assert hub.logins == {}


async def test_an_all_day_event_naming_the_person_books_the_day(
    hass: HomeAssistant, calendar: None, init_integration: MockConfigEntry
) -> None:
    """A day's event ("Alice Martin in the office") books the desk until midnight.

    The event names the account's person, not the account; an all-day event
    runs from local midnight to the next.
    """
    assert await async_setup_component(hass, "person", {})
    await async_create_person(hass, "Alice Martin")
    account = init_integration.subentries[ALICE]
    hass.config_entries.async_update_subentry(
        init_integration,
        account,
        data={**account.data, CONF_PEOPLE: ["person.alice_martin"]},
    )
    hub = hub_of(init_integration)
    await wait_for(hass, lambda: hub.directory.accounts[ALICE].people)
    today = dt_util.now().date()
    await hass.services.async_call(
        "calendar",
        "create_event",
        {
            "entity_id": CALENDAR,
            "summary": "Alice Martin in the office",
            "start_date": today,
            "end_date": today + timedelta(days=1),
        },
        blocking=True,
    )
    await wait_for(hass, lambda: hub.logins == {D3: ALICE})
    sensor = attrs(hass, login_sensor(hass, init_integration, D3))
    midnight = dt_util.start_of_local_day(today)
    assert sensor["booked_by"] == "Alice"
    assert dt_util.parse_datetime(sensor["booked_from"]) == midnight
    assert dt_util.parse_datetime(sensor["booked_until"]) == dt_util.start_of_local_day(
        today + timedelta(days=1)
    )
