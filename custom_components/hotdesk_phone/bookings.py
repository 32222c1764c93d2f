"""Desk bookings on the clock: while a booking lasts, the desk is the booker's.

Which calendars book a desk and which of their events are bookings is
``booking_calendars.py``'s; this follows those calendars and acts on the
bookings they hold:

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

``async_book`` is "Book this desk" (the ``book_desk`` action, made in
``book_desk.py``). The desk's login sensor shows the booking on now (else the
next one today) and the calendar a booking goes to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import CALLBACK_TYPE, Context, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
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

from .book_desk import async_book_desk
from .booking_calendars import (
    Booking,
    BookingEvent,
    BookingKey,
    DeskCalendar,
    account_names,
    area_moved,
    async_read_events,
    booking_calendar,
    booking_events,
    calendar_changed,
    desk_bookings,
    desk_calendars,
)
from .const import (
    CONF_BOOKING_CHECK_IN,
    CONF_BOOKING_WARNING,
    DEFAULT_BOOKING_WARNING,
    EVENT_BOOKING,
    LOGGER,
)
from .texts import text
from .tracker import DeskState

if TYPE_CHECKING:
    from .directory import Account, Desk
    from .hub import HotdeskHub

REFRESH_INTERVAL: Final = timedelta(minutes=5)
# Seconds after a calendar action before its calendars are read again.
AFTER_ACTION: Final = 2.0
# How far ahead the calendars are read (timers are set for what is in it).
LOOKAHEAD: Final = timedelta(hours=24)
# Logout reasons a booking gives.
ENDED: Final = "booking_ended"
RELEASED: Final = "booking_released"
# Seconds a registry change waits for the next before the calendars are
# read again (setting up thousands of desks is one read, not thousands).
AFTER_REGISTRY: Final = 1.0


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
                event_filter=area_moved,
            ),
            self.hass.bus.async_listen(
                er.EVENT_ENTITY_REGISTRY_UPDATED,
                self._registry_changed,
                event_filter=calendar_changed,
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
        return desk_calendars(self.hass, self.hub.entry.entry_id, self.hub.directory)

    def booking_calendar(self, desk_id: str) -> str | None:
        """The calendar "Book this desk" writes to (as of the last read)."""
        return booking_calendar(self.hass, self._calendars.get(desk_id, []))

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
        accounts = account_names(self.hass, self.hub.directory)
        events: dict[str, list[BookingEvent]] = {}
        for entity_id in every:
            read = await async_read_events(
                self.hass, entity_id, now - LOOKAHEAD, now + LOOKAHEAD
            )
            events[entity_id] = booking_events(read, accounts, now)
            await self.hub.slices.pause()
        found: dict[BookingKey, Booking] = {}
        for desk_id, its_calendars in calendars.items():
            desk = self.hub.directory.desks.get(desk_id)
            if desk is None:
                continue
            for calendar in its_calendars:
                for booking in desk_bookings(
                    desk, calendar, events[calendar.entity_id]
                ):
                    found[booking.key] = booking
            await self.hub.slices.pause()
        return found

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
        """Book the desk in its calendar; (calendar, booking), read at once.

        ``start`` and ``end`` are checked by the caller (``book_desk.py``
        says what else is checked and which errors it raises).
        """
        self._calendars = self.calendars
        made = await async_book_desk(
            self.hass,
            self.hub.directory,
            calendars=self._calendars.get(desk.desk_id, []),
            released=self._released,
            account=account,
            desk=desk,
            span=(start, end),
            context=context,
        )
        await self.async_refresh()
        return made
