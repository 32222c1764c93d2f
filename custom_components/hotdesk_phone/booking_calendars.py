"""What desk calendars say: which calendars book a desk, and their bookings.

A desk may name a calendar entity (any of Home Assistant's calendars: local,
CalDAV, Google, Exchange through its integration). A desk that names none is
booked through its area's calendars: the calendar entities Home Assistant
puts in the area of the desk's device (the entity's own area, else its
device's). An event whose summary or description names an account (its
extension as a word, or its name) or one of its persons books the desk for
the account; in an area calendar of an area with more than one desk the
event must also name the desk, or it books none of them.

Reading only: what a booking does on the clock is ``bookings.py``'s, and
making one ("Book this desk") is ``book_desk.py``'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import ATTR_SUPPORTED_FEATURES
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.util import dt as dt_util

from .booking_words import AccountNames, EventWords, names_desk
from .const import LOGGER
from .desk_places import desk_places

if TYPE_CHECKING:
    from .directory import Desk, Directory

type BookingKey = tuple[str, str, datetime, datetime]

# CalendarEntityFeature.CREATE_EVENT (by value: the calendar integration is
# used through its actions only, not imported).
CREATE_EVENT: Final = 1


@dataclass(frozen=True, slots=True)
class DeskCalendar:
    """A calendar that books a desk, and whether its events must name the desk."""

    entity_id: str
    # An area calendar shared by the area's desks: an event books the desk
    # only when it names it.
    names_desk: bool = False


@dataclass(frozen=True, slots=True)
class Booking:
    """One calendar event that books a desk for an account."""

    desk_id: str
    account_id: str
    start: datetime
    end: datetime
    summary: str

    @property
    def key(self) -> BookingKey:
        """What identifies it across reads of the calendar."""
        return (self.desk_id, self.account_id, self.start, self.end)


@dataclass(frozen=True, slots=True)
class BookingEvent:
    """A calendar event that names an account (which desks it books: later)."""

    account_id: str
    start: datetime
    end: datetime
    summary: str
    words: EventWords


def event_time(value: Any) -> datetime | None:
    """A calendar event's start or end (an all-day date: its local midnight)."""
    if isinstance(value, datetime):
        return dt_util.as_utc(value)
    parsed = dt_util.parse_datetime(str(value)) if value else None
    if parsed is not None:
        return dt_util.as_utc(parsed)
    day = dt_util.parse_date(str(value)) if value else None
    if day is None:
        return None
    return dt_util.as_utc(dt_util.start_of_local_day(day))


def booking_events(
    items: list[dict[str, Any]], accounts: AccountNames, now: datetime
) -> list[BookingEvent]:
    """The events of a calendar that name an account and are not over."""
    found = []
    for item in items:
        start, end = event_time(item.get("start")), event_time(item.get("end"))
        if start is None or end is None or end <= now or end <= start:
            continue
        words = EventWords(
            f"{item.get('summary') or ''}\n{item.get('description') or ''}"
        )
        if (account := accounts.booked(words)) is not None:
            found.append(
                BookingEvent(
                    account.account_id,
                    start,
                    end,
                    str(item.get("summary") or ""),
                    words,
                )
            )
    return found


def desk_bookings(
    desk: Desk, calendar: DeskCalendar, events: list[BookingEvent]
) -> Iterator[Booking]:
    """The bookings of one desk among its calendar's events."""
    for event in events:
        if calendar.names_desk and not names_desk(event.words, desk):
            continue
        yield Booking(
            desk.desk_id, event.account_id, event.start, event.end, event.summary
        )


def account_names(hass: HomeAssistant, directory: Directory) -> AccountNames:
    """The accounts as events name them, their persons' names included."""
    persons = {state.entity_id: state.name for state in hass.states.async_all("person")}
    return AccountNames(directory, persons)


def desk_calendars(
    hass: HomeAssistant, entry_id: str, directory: Directory
) -> dict[str, list[DeskCalendar]]:
    """Desk id -> the calendars that book it: its own, else its area's."""
    own = {d.desk_id: d.calendar for d in directory.desks.values() if d.calendar}
    found = {d: [DeskCalendar(c)] for d, c in own.items()}
    if len(own) == len(directory.desks):
        return found
    by_area = area_calendars(hass)
    if not by_area:
        return found  # no calendar in any area: only the desks' own
    places = desk_places(hass, entry_id)
    desks_in: dict[str, int] = {}
    for desk_id in directory.desks:
        if (where := places.get(desk_id)) is not None and where.area_id:
            desks_in[where.area_id] = desks_in.get(where.area_id, 0) + 1
    for desk_id in directory.desks:
        place = places.get(desk_id)
        if desk_id in own or place is None or not place.area_id:
            continue
        shared = desks_in[place.area_id] > 1
        found[desk_id] = [
            DeskCalendar(c, names_desk=shared)
            for c in sorted(by_area.get(place.area_id, ()))
        ]
    return {d: c for d, c in found.items() if c}


def area_calendars(hass: HomeAssistant) -> dict[str, list[str]]:
    """Area id -> the calendar entities in it (their own area, else their device's).

    By the calendars' states (indexed by domain), not a walk of the whole
    registry: an office's own entities are tens of thousands.
    """
    by_area: dict[str, list[str]] = {}
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    for entity_id in hass.states.async_entity_ids("calendar"):
        entity = entities.async_get(entity_id)
        if entity is None or entity.disabled_by is not None:
            continue
        area = entity.area_id
        if area is None and entity.device_id is not None:
            device = devices.async_get(entity.device_id)
            area = device.area_id if device is not None else None
        if area is not None:
            by_area.setdefault(area, []).append(entity.entity_id)
    return by_area


def can_create(hass: HomeAssistant, calendar: str) -> bool:
    """Whether a calendar entity can create events (as its state says)."""
    state = hass.states.get(calendar)
    features = int(state.attributes.get(ATTR_SUPPORTED_FEATURES, 0)) if state else 0
    return bool(features & CREATE_EVENT)


def booking_calendar(hass: HomeAssistant, calendars: list[DeskCalendar]) -> str | None:
    """The calendar "Book this desk" writes to, of a desk's calendars.

    Its own, else the first of its area's that can create events.
    """
    for calendar in calendars:
        if can_create(hass, calendar.entity_id):
            return calendar.entity_id
    return calendars[0].entity_id if calendars else None


async def async_read_events(
    hass: HomeAssistant, calendar: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """A calendar's events in a span, through its own ``get_events`` action.

    A calendar that fails to answer has none (logged): one broken calendar
    does not stop the others' bookings.
    """
    try:
        response = await hass.services.async_call(
            "calendar",
            "get_events",
            {"entity_id": calendar, "start_date_time": start, "end_date_time": end},
            blocking=True,
            return_response=True,
        )
    except HomeAssistantError as err:
        LOGGER.warning("Bookings not read from %s: %s", calendar, err)
        return []
    found = (response or {}).get(calendar)
    events = found.get("events") if isinstance(found, dict) else None
    return (
        [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []
    )


@callback
def area_moved(event_data: Any) -> bool:
    """A device's area changed, or a device went (a desk among them, maybe)."""
    action = event_data.get("action")
    return action == "remove" or (
        action == "update" and "area_id" in event_data.get("changes", {})
    )


@callback
def calendar_changed(event_data: Any) -> bool:
    """A calendar entity was added, removed or changed (its area, maybe)."""
    return str(event_data.get("entity_id", "")).startswith("calendar.")
