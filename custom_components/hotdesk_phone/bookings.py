"""Desk bookings from calendars: while a booking lasts, the desk is the booker's.

A desk may name a calendar entity (any of Home Assistant's calendars: local,
CalDAV, Google, Exchange through its integration). A desk that names none is
booked through its area's calendars: the calendar entities Home Assistant
puts in the area of the desk's device (the entity's own area, else its
device's). An event whose summary or description names an account (its
extension as a word, or its name) or one of its persons books the desk for
the account; in an area calendar of an area with more than one desk the
event must also name the desk, or it books none of them:

- at the start the account is logged in there (its calls ring the desk, the
  desk's outgoing calls show its number);
- ``CONF_BOOKING_WARNING`` minutes before the end (15 unless set) its apps get
  a push;
- at the end the login ends, unless a call is up at the desk: then at its
  hang-up;
- with ``CONF_BOOKING_CHECK_IN`` minutes set (0: none), a booking whose
  person did not scan at the desk by then is released and the login ends;
- while a desk is booked, a scan by anyone else there does not log them in
  (a ringing call can still be claimed: the call is theirs).

The calendars are read at start (so bookings survive a restart of Home
Assistant), every few minutes, when a calendar's state changes, when a desk
or a calendar moves to another area, and right after a ``calendar`` action (a
booking made in Home Assistant counts at once).

``async_book`` is "Book this desk" (the ``book_desk`` action): it checks the
span against the desk's bookings and creates the event through the
calendar's own ``calendar.create_event``. The desk's login sensor shows the
booking on now (else the next one today) and the calendar a booking goes to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import ATTR_SUPPORTED_FEATURES, EVENT_CALL_SERVICE
from homeassistant.core import CALLBACK_TYPE, Context, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, Unauthorized
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.event import (
    async_call_later,
    async_track_point_in_utc_time,
    async_track_state_change_event,
    async_track_time_interval,
)
from homeassistant.util import dt as dt_util

from .booking_words import AccountNames, EventWords, names_desk
from .const import (
    CONF_BOOKING_CHECK_IN,
    CONF_BOOKING_WARNING,
    DEFAULT_BOOKING_WARNING,
    EVENT_BOOKING,
    LOGGER,
)
from .emergency_alerts import desk_places
from .errors import input_error, pbx_error
from .texts import text
from .tracker import DeskState

if TYPE_CHECKING:
    from .directory import Account, Desk
    from .hub import HotdeskHub

type BookingKey = tuple[str, str, datetime, datetime]

REFRESH_INTERVAL: Final = timedelta(minutes=5)
# Seconds after a calendar action before its calendars are read again.
AFTER_ACTION: Final = 2.0
# How far ahead the calendars are read (timers are set for what is in it).
LOOKAHEAD: Final = timedelta(hours=24)
# CalendarEntityFeature.CREATE_EVENT (by value: the calendar integration is
# used through its actions only, not imported).
CREATE_EVENT: Final = 1
# Logout reasons a booking gives.
ENDED: Final = "booking_ended"
RELEASED: Final = "booking_released"
# Seconds a registry change waits for the next before the calendars are
# read again (setting up thousands of desks is one read, not thousands).
AFTER_REGISTRY: Final = 1.0


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


def _when(value: Any) -> datetime | None:
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


@dataclass(frozen=True, slots=True)
class _Event:
    """A calendar event that names an account (which desks it books: later)."""

    account_id: str
    start: datetime
    end: datetime
    summary: str
    words: EventWords


def _booking_events(
    items: list[dict[str, Any]], accounts: AccountNames, now: datetime
) -> list[_Event]:
    """The events of a calendar that name an account and are not over."""
    found = []
    for item in items:
        start, end = _when(item.get("start")), _when(item.get("end"))
        if start is None or end is None or end <= now or end <= start:
            continue
        words = EventWords(
            f"{item.get('summary') or ''}\n{item.get('description') or ''}"
        )
        if (account := accounts.booked(words)) is not None:
            found.append(
                _Event(
                    account.account_id,
                    start,
                    end,
                    str(item.get("summary") or ""),
                    words,
                )
            )
    return found


def _desk_bookings(
    desk: Desk, calendar: DeskCalendar, events: list[_Event]
) -> Iterator[Booking]:
    """The bookings of one desk among its calendar's events."""
    for event in events:
        if calendar.names_desk and not names_desk(event.words, desk):
            continue
        yield Booking(
            desk.desk_id, event.account_id, event.start, event.end, event.summary
        )


@dataclass(slots=True)
class _Active:
    booking: Booking
    checked_in: bool = False
    ending: bool = False  # over, waiting for the call at the desk to end


class Bookings:
    """One entry's desk bookings: read, timed, acted on."""

    def __init__(self, hass: HomeAssistant, hub: HotdeskHub) -> None:
        """Follow the calendars of this hub's desks."""
        self.hass = hass
        self.hub = hub
        self.active: dict[str, _Active] = {}  # desk id -> the booking on now
        self._known: dict[BookingKey, Booking] = {}
        self._timers: dict[BookingKey, list[CALLBACK_TYPE]] = {}
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._track_states: CALLBACK_TYPE | None = None
        self._desk_listeners: dict[str, CALLBACK_TYPE] = {}
        # Desk id -> its calendars, as of the last read.
        self._calendars: dict[str, list[DeskCalendar]] = {}
        # Released bookings (no check-in): their desk is free again.
        self._released: set[BookingKey] = set()
        # What each desk's sensor last showed (its booking, its calendar).
        self._shown: dict[str, tuple[BookingKey | None, str | None]] = {}
        # Desk id -> its next booking today that has not started (at _show).
        self._next: dict[str, Booking] = {}
        self._registry_timer: CALLBACK_TYPE | None = None
        # One read at a time: a read that began before a calendar action
        # must not finish after one that saw it (and drop its booking).
        self._reading = asyncio.Lock()

    # Set-up.

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Read the calendars now and follow them; returns the remover."""
        self._unsubscribe = [
            async_track_time_interval(self.hass, self._refresh_soon, REFRESH_INTERVAL),
            self.hass.bus.async_listen(EVENT_CALL_SERVICE, self._on_service),
            self.hub.async_add_directory_listener(self._directory_changed),
            # A desk or a calendar put in another area changes area calendars.
            self.hass.bus.async_listen(
                dr.EVENT_DEVICE_REGISTRY_UPDATED,
                self._registry_changed,
                event_filter=_area_moved,
            ),
            self.hass.bus.async_listen(
                er.EVENT_ENTITY_REGISTRY_UPDATED,
                self._registry_changed,
                event_filter=_calendar_changed,
            ),
        ]
        self._refresh_soon()
        return self.async_stop

    @callback
    def async_stop(self) -> None:
        """Stop every timer and listener (logins stay as they are)."""
        for remove in self._unsubscribe:
            remove()
        self._unsubscribe.clear()
        if self._registry_timer is not None:
            self._registry_timer()
            self._registry_timer = None
        if self._track_states is not None:
            self._track_states()
            self._track_states = None
        for timers in self._timers.values():
            for cancel in timers:
                cancel()
        self._timers.clear()
        for remove in self._desk_listeners.values():
            remove()
        self._desk_listeners.clear()

    @property
    def calendars(self) -> dict[str, list[DeskCalendar]]:
        """Desk id -> the calendars that book it: its own, else its area's."""
        hass = self.hass
        directory = self.hub.directory
        own = {d.desk_id: d.calendar for d in directory.desks.values() if d.calendar}
        found = {d: [DeskCalendar(c)] for d, c in own.items()}
        if len(own) == len(directory.desks):
            return found
        by_area = _area_calendars(hass)
        if not by_area:
            return found  # no calendar in any area: only the desks' own
        places = desk_places(hass, self.hub.entry.entry_id)
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

    def booking_calendar(self, desk_id: str) -> str | None:
        """The calendar "Book this desk" writes to (as of the last read).

        Its own, else the first of its area's that can create events.
        """
        calendars = self._calendars.get(desk_id, [])
        for calendar in calendars:
            if _can_create(self.hass, calendar.entity_id):
                return calendar.entity_id
        return calendars[0].entity_id if calendars else None

    @callback
    def _directory_changed(self, ids: list[str]) -> None:
        """Read again when a change can touch a booking or a desk's calendar.

        With calendars in use any account or desk can be named by an event;
        without, only a desk (its own calendar, its area's) or one that
        showed something. Anything else costs nothing: one change in an
        office of 10,000 seats does not read every desk again.
        """
        desks = self.hub.directory.desks
        if self._calendars or any(i in desks or i in self._shown for i in ids):
            self._refresh_soon()

    @callback
    def _registry_changed(self, _event: Event[Any]) -> None:
        if self._registry_timer is not None:
            self._registry_timer()

        @callback
        def run(_now: Any) -> None:
            self._registry_timer = None
            self._refresh_soon()

        self._registry_timer = async_call_later(self.hass, AFTER_REGISTRY, run)

    @callback
    def _on_service(self, event: Event[dict[str, Any]]) -> None:
        # The event comes as the action starts: read again once it is done
        # (a calendar stores an event in a moment; a slow one by the next read).
        if event.data.get("domain") == "calendar":
            self._unsubscribe.append(
                async_call_later(self.hass, AFTER_ACTION, self._refresh_soon)
            )

    @callback
    def _refresh_soon(self, _now: Any = None) -> None:
        self.hub.entry.async_create_background_task(
            self.hass, self.async_refresh(), "hotdesk_phone bookings", eager_start=False
        )

    # Reading.

    async def async_refresh(self) -> None:
        """Read every desk calendar; time what changed."""
        async with self._reading:
            await self._async_refresh()

    async def _async_refresh(self) -> None:
        calendars = self.calendars
        self._calendars = calendars
        every = sorted({c.entity_id for cs in calendars.values() for c in cs})
        if self._track_states is not None:
            self._track_states()
            self._track_states = None
        if every:
            self._track_states = async_track_state_change_event(
                self.hass, every, self._refresh_soon
            )
        now = dt_util.utcnow()
        found = await self._read_all(calendars, every, now)
        for key in self._known.keys() - found.keys():
            if self._known[key].end > now:
                self._forget(key)  # taken out of its calendar
            elif (on := self.active.get(key[0])) is None or on.booking.key != key:
                self._known.pop(key)  # over and done (not waiting for a call)
        self._released &= self._known.keys()
        for key, booking in found.items():
            if key not in self._known:
                self._known[key] = booking
                self._schedule(booking, now)
        self._show()

    async def _read_all(
        self,
        calendars: dict[str, list[DeskCalendar]],
        every: list[str],
        now: datetime,
    ) -> dict[BookingKey, Booking]:
        """The calendars' bookings; each read once, however many desks share it.

        Each event's words are looked at once for the account they name; the
        desks sharing its calendar only check that it names them. In turns
        of the loop's shared slices: an office of 10,000 desks with a
        calendar each is 10,000 calendars.
        """
        accounts = self._account_names()
        events: dict[str, list[_Event]] = {}
        for entity_id in every:
            read = await self._read_events(entity_id, now - LOOKAHEAD, now + LOOKAHEAD)
            events[entity_id] = _booking_events(read, accounts, now)
            await self.hub.slices.pause()
        found: dict[BookingKey, Booking] = {}
        for desk_id, desk_calendars in calendars.items():
            desk = self.hub.directory.desks.get(desk_id)
            if desk is None:
                continue
            for calendar in desk_calendars:
                for booking in _desk_bookings(
                    desk, calendar, events[calendar.entity_id]
                ):
                    found[booking.key] = booking
            await self.hub.slices.pause()
        return found

    def _account_names(self) -> AccountNames:
        """The accounts as events name them, their persons' names included."""
        persons = {
            state.entity_id: state.name
            for state in self.hass.states.async_all("person")
        }
        return AccountNames(self.hub.directory, persons)

    async def _read_events(
        self, calendar: str, start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        try:
            response = await self.hass.services.async_call(
                "calendar",
                "get_events",
                {
                    "entity_id": calendar,
                    "start_date_time": start,
                    "end_date_time": end,
                },
                blocking=True,
                return_response=True,
            )
        except HomeAssistantError as err:
            LOGGER.warning("Bookings not read from %s: %s", calendar, err)
            return []
        found = (response or {}).get(calendar)
        events = found.get("events") if isinstance(found, dict) else None
        return (
            [e for e in events if isinstance(e, dict)]
            if isinstance(events, list)
            else []
        )

    # What the desk's sensor shows.

    def shown(self, desk_id: str) -> Booking | None:
        """The booking on now at the desk, else its next one today."""
        if (active := self.active.get(desk_id)) is not None:
            return active.booking
        booking = self._next.get(desk_id)
        return (
            booking
            if booking is not None and booking.start > dt_util.utcnow()
            else None
        )

    @callback
    def _show(self) -> None:
        """Update the sensors of the desks whose booking or calendar changed."""
        now = dt_util.utcnow()
        midnight = dt_util.as_utc(dt_util.start_of_local_day() + timedelta(days=1))
        upcoming: dict[str, Booking] = {}
        for booking in self._known.values():
            if now < booking.start < midnight and (
                (first := upcoming.get(booking.desk_id)) is None
                or booking.start < first.start
            ):
                upcoming[booking.desk_id] = booking
        self._next = upcoming
        changed = []
        desks = self.hub.directory.desks
        # Only a desk with a booking or a calendar, or one that showed
        # something, can show something else: not every desk of the office.
        for desk_id in {*upcoming, *self.active, *self._calendars, *self._shown}:
            desk = desks.get(desk_id)
            if desk is None or desk.site is not None:
                continue  # gone, or a linked site's desk: its own entry shows it
            on = self.shown(desk_id)
            seen = (on.key if on else None, self.booking_calendar(desk_id))
            if self._shown.get(desk_id, (None, None)) != seen:
                self._shown[desk_id] = seen
                changed.append(desk_id)
        if changed:
            # The hub's per-owner update, as emergency_alerts uses it.
            self.hub.updates.async_update(changed)

    # Timing.

    def _schedule(self, booking: Booking, now: datetime) -> None:
        warning = timedelta(
            minutes=float(
                self.hub.entry.options.get(
                    CONF_BOOKING_WARNING, DEFAULT_BOOKING_WARNING
                )
            )
        )
        check_in = timedelta(
            minutes=float(self.hub.entry.options.get(CONF_BOOKING_CHECK_IN, 0))
        )
        timers: list[CALLBACK_TYPE] = []

        def at(when: datetime, action: Callable[[Booking], Any]) -> None:
            if when <= now:
                self.hass.async_create_task(action(booking))
                return
            timers.append(
                async_track_point_in_utc_time(
                    self.hass, callback(lambda _now: self._run(action, booking)), when
                )
            )

        at(booking.start, self._async_begin)
        # A warning inside the booking and still ahead (none for a short one).
        if warning and booking.end - warning > max(booking.start, now):
            at(booking.end - warning, self._async_warn)
        if check_in:
            at(min(booking.start + check_in, booking.end), self._async_release)
        at(booking.end, self._async_end)
        self._timers[booking.key] = timers

    @callback
    def _run(self, action: Callable[[Booking], Any], booking: Booking) -> None:
        self.hass.async_create_task(action(booking))

    def _forget(self, key: BookingKey) -> None:
        """A booking removed from its calendar: its timers go; a login it made ends."""
        self._known.pop(key, None)
        for cancel in self._timers.pop(key, []):
            cancel()
        desk_id = key[0]
        active = self.active.get(desk_id)
        if active is not None and active.booking.key == key:
            self.hass.async_create_task(self._async_finish(active.booking, ENDED))

    # What a booking does.

    async def _async_begin(self, booking: Booking) -> None:
        hub = self.hub
        if booking.account_id not in hub.directory.accounts:
            return
        self.active[booking.desk_id] = _Active(booking)
        self._show()
        if hub.logins.get(booking.desk_id) != booking.account_id:
            await hub.async_login(booking.account_id, booking.desk_id)
        self._fire("started", booking)

    async def _async_warn(self, booking: Booking) -> None:
        active = self.active.get(booking.desk_id)
        if active is None or active.booking.key != booking.key:
            return
        account = self.hub.directory.accounts.get(booking.account_id)
        desk = self.hub.directory.desks.get(booking.desk_id)
        if account is None or desk is None:
            return
        message = text(
            self.hass,
            "push_booking_ends",
            desk=desk.name,
            time=dt_util.as_local(booking.end).strftime("%H:%M"),
        )
        for target in (*account.notify_targets, *account.watch_targets):
            try:
                await self.hass.services.async_call(
                    "notify",
                    target,
                    {
                        "title": text(self.hass, "push_booking_title"),
                        "message": message,
                    },
                    blocking=True,
                )
            except HomeAssistantError as err:
                LOGGER.warning("Cannot notify %s: %s", target, err)
        self._fire("ending", booking)

    async def _async_release(self, booking: Booking) -> None:
        active = self.active.get(booking.desk_id)
        if active is None or active.booking.key != booking.key or active.checked_in:
            return
        await self._async_finish(booking, RELEASED)

    async def _async_end(self, booking: Booking) -> None:
        active = self.active.get(booking.desk_id)
        if active is None or active.booking.key != booking.key:
            return
        if self.hub.tracker.desk_states.get(booking.desk_id) is DeskState.IN_CALL:
            # A call is up there: the login ends when it does.
            active.ending = True
            self._desk_listeners[booking.desk_id] = self.hub.updates.async_add_listener(
                lambda: self._call_over(booking), booking.desk_id
            )
            return
        await self._async_finish(booking, ENDED)

    @callback
    def _call_over(self, booking: Booking) -> None:
        if self.hub.tracker.desk_states.get(booking.desk_id) is DeskState.IN_CALL:
            return
        if (remove := self._desk_listeners.pop(booking.desk_id, None)) is not None:
            remove()
        self.hass.async_create_task(self._async_finish(booking, ENDED))

    async def _async_finish(self, booking: Booking, reason: str) -> None:
        active = self.active.get(booking.desk_id)
        if active is None or active.booking.key != booking.key:
            return
        del self.active[booking.desk_id]
        if reason == RELEASED:
            self._released.add(booking.key)
        self._show()
        # Still known (the calendar keeps the event): not begun again.
        for cancel in self._timers.pop(booking.key, []):
            cancel()
        if self.hub.logins.get(booking.desk_id) == booking.account_id:
            await self.hub.async_logout(booking.desk_id, reason)
        self._fire("released" if reason == RELEASED else "ended", booking)

    def _fire(self, what: str, booking: Booking) -> None:
        account = self.hub.directory.accounts.get(booking.account_id)
        desk = self.hub.directory.desks.get(booking.desk_id)
        self.hass.bus.async_fire(
            EVENT_BOOKING,
            {
                "type": what,
                "account_id": booking.account_id,
                "account": account.name if account else None,
                "extension": account.extension if account else None,
                "desk_id": booking.desk_id,
                "desk": desk.name if desk else None,
                "start": booking.start.isoformat(),
                "end": booking.end.isoformat(),
            },
        )

    # What scans ask.

    def booked_by(self, desk_id: str) -> str | None:
        """The account whose booking holds this desk now (None: not booked)."""
        active = self.active.get(desk_id)
        return active.booking.account_id if active is not None else None

    def check_in(self, desk_id: str, account_id: str) -> bool:
        """The booker's scan at its desk: checked in (True: it was one)."""
        active = self.active.get(desk_id)
        if active is None or active.booking.account_id != account_id:
            return False
        if active.checked_in:
            return False
        active.checked_in = True
        self._fire("checked_in", active.booking)
        return True

    # "Book this desk".

    async def async_book(
        self,
        account: Account,
        desk: Desk,
        start: datetime,
        end: datetime,
        context: Context | None = None,
    ) -> tuple[str, Booking]:
        """Create the booking's event in the desk's calendar; (calendar, booking).

        ``start`` and ``end`` are checked by the caller (today, start not in
        the past, end after start). Raises the translated errors: no
        calendar, one that cannot create events, the span already booked,
        an event that would not book this desk for this account, or the
        calendar's own failure.
        """
        calendars = self.calendars
        self._calendars = calendars
        calendar = self.booking_calendar(desk.desk_id)
        if calendar is None:
            raise input_error("booking_no_calendar", desk=desk.name)
        if not _can_create(self.hass, calendar):
            raise input_error(
                "booking_not_supported", desk=desk.name, calendar=calendar
            )
        names = next(
            c.names_desk for c in calendars[desk.desk_id] if c.entity_id == calendar
        )
        start, end = dt_util.as_utc(start), dt_util.as_utc(end)
        # What the calendar holds now, not only what the last read saw.
        accounts = self._account_names()
        events = _booking_events(
            await self._read_events(calendar, start, end), accounts, start
        )
        for taken in _desk_bookings(desk, DeskCalendar(calendar, names), events):
            if taken.key in self._released or not (
                taken.start < end and taken.end > start
            ):
                continue
            holder = self.hub.directory.accounts.get(taken.account_id)
            raise input_error(
                "desk_booked_span",
                desk=desk.name,
                account=holder.name if holder else "?",
                start=_hhmm(taken.start),
                end=_hhmm(taken.end),
            )
        summary = f"{account.name} ({account.extension})"
        # The desk's name too, where the calendar is shared by an area.
        description = desk.name
        words = EventWords(f"{summary}\n{description}")
        if accounts.booked(words) is not account or (
            names and not names_desk(words, desk)
        ):
            raise input_error(
                "booking_not_recognised", desk=desk.name, account=account.name
            )
        try:
            await self.hass.services.async_call(
                "calendar",
                "create_event",
                {
                    "entity_id": calendar,
                    "summary": summary,
                    "description": description,
                    "start_date_time": dt_util.as_local(start),
                    "end_date_time": dt_util.as_local(end),
                },
                blocking=True,
                context=context,
            )
        except Unauthorized:
            raise
        except HomeAssistantError as err:
            raise pbx_error(
                "booking_failed",
                calendar=calendar,
                reason=str(err) or type(err).__name__,
            ) from err
        await self.async_refresh()
        booking = Booking(desk.desk_id, account.account_id, start, end, summary)
        return calendar, booking


def _area_calendars(hass: HomeAssistant) -> dict[str, list[str]]:
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


def _can_create(hass: HomeAssistant, calendar: str) -> bool:
    """Whether a calendar entity can create events (as its state says)."""
    state = hass.states.get(calendar)
    features = int(state.attributes.get(ATTR_SUPPORTED_FEATURES, 0)) if state else 0
    return bool(features & CREATE_EVENT)


def _hhmm(when: datetime) -> str:
    return dt_util.as_local(when).strftime("%H:%M")


@callback
def _area_moved(event_data: Any) -> bool:
    """A device's area changed, or a device went (a desk among them, maybe)."""
    action = event_data.get("action")
    return action == "remove" or (
        action == "update" and "area_id" in event_data.get("changes", {})
    )


@callback
def _calendar_changed(event_data: Any) -> bool:
    """A calendar entity was added, removed or changed (its area, maybe)."""
    return str(event_data.get("entity_id", "")).startswith("calendar.")
