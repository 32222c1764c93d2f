"""Desk bookings from calendars: while a booking lasts, the desk is the booker's.

A desk may name a calendar entity (any of Home Assistant's calendars: local,
CalDAV, Google, Exchange through its integration). An event whose summary or
description names an account (its extension as a word, or its name) or one
of its persons books that desk for the account:

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
Assistant), every few minutes, when a calendar's state changes, and right
after a ``calendar`` action (a booking made in Home Assistant counts at once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
import re
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import (
    async_call_later,
    async_track_point_in_utc_time,
    async_track_state_change_event,
    async_track_time_interval,
)
from homeassistant.util import dt as dt_util

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
    from .directory import Account, Directory
    from .hub import HotdeskHub

type BookingKey = tuple[str, str, datetime, datetime]

REFRESH_INTERVAL: Final = timedelta(minutes=5)
# Seconds after a calendar action before its calendars are read again.
AFTER_ACTION: Final = 2.0
# How far ahead the calendars are read (timers are set for what is in it).
LOOKAHEAD: Final = timedelta(hours=24)
# Logout reasons a booking gives.
ENDED: Final = "booking_ended"
RELEASED: Final = "booking_released"


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


def booked_account(
    text_: str, directory: Directory, person_names: dict[str, str]
) -> Account | None:
    """The account an event's words name: extension, name, or a person's name.

    ``person_names``: person entity id -> its name. The first account named
    wins; an event that names none books nothing.
    """
    words = text_.casefold()
    for account in directory.accounts.values():
        if re.search(rf"(?<![\w]){re.escape(account.extension)}(?![\w])", words):
            return account
    for account in directory.accounts.values():
        names = [account.name, *(person_names.get(p, "") for p in account.people)]
        for name in filter(None, names):
            if re.search(rf"(?<![\w]){re.escape(name.casefold())}(?![\w])", words):
                return account
    return None


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

    # Set-up.

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Read the calendars now and follow them; returns the remover."""
        self._unsubscribe = [
            async_track_time_interval(self.hass, self._refresh_soon, REFRESH_INTERVAL),
            self.hass.bus.async_listen(EVENT_CALL_SERVICE, self._on_service),
            self.hub.async_add_directory_listener(lambda _ids: self._refresh_soon()),
        ]
        self._refresh_soon()
        return self.async_stop

    @callback
    def async_stop(self) -> None:
        """Stop every timer and listener (logins stay as they are)."""
        for remove in self._unsubscribe:
            remove()
        self._unsubscribe.clear()
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
    def calendars(self) -> dict[str, str]:
        """Desk id -> the calendar entity that books it."""
        return {
            desk.desk_id: desk.calendar
            for desk in self.hub.directory.desks.values()
            if desk.calendar
        }

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
        calendars = self.calendars
        if self._track_states is not None:
            self._track_states()
            self._track_states = None
        if calendars:
            self._track_states = async_track_state_change_event(
                self.hass, sorted(set(calendars.values())), self._refresh_soon
            )
        now = dt_util.utcnow()
        found: dict[BookingKey, Booking] = {}
        for desk_id, calendar in calendars.items():
            for booking in await self._read(desk_id, calendar, now):
                found[booking.key] = booking
        for key in self._known.keys() - found.keys():
            if self._known[key].end > now:
                self._forget(key)  # taken out of its calendar
            elif (on := self.active.get(key[0])) is None or on.booking.key != key:
                self._known.pop(key)  # over and done (not waiting for a call)
        for key, booking in found.items():
            if key not in self._known:
                self._known[key] = booking
                self._schedule(booking, now)

    async def _read(self, desk_id: str, calendar: str, now: datetime) -> list[Booking]:
        try:
            response = await self.hass.services.async_call(
                "calendar",
                "get_events",
                {
                    "entity_id": calendar,
                    "start_date_time": now - LOOKAHEAD,
                    "end_date_time": now + LOOKAHEAD,
                },
                blocking=True,
                return_response=True,
            )
        except HomeAssistantError as err:
            LOGGER.warning(
                "Bookings of %s not read from %s: %s", desk_id, calendar, err
            )
            return []
        found = (response or {}).get(calendar)
        events = found.get("events") if isinstance(found, dict) else None
        persons = {
            state.entity_id: state.name
            for state in self.hass.states.async_all("person")
        }
        bookings = []
        for item in events if isinstance(events, list) else []:
            if not isinstance(item, dict):
                continue
            start, end = _when(item.get("start")), _when(item.get("end"))
            if start is None or end is None or end <= now or end <= start:
                continue
            words = f"{item.get('summary') or ''}\n{item.get('description') or ''}"
            account = booked_account(words, self.hub.directory, persons)
            if account is not None:
                bookings.append(
                    Booking(
                        desk_id,
                        account.account_id,
                        start,
                        end,
                        str(item.get("summary") or ""),
                    )
                )
        return bookings

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
            self._desk_listeners[booking.desk_id] = self.hub.async_add_listener(
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

    def bookings_of(self, desk_ids: Iterable[str]) -> dict[str, Booking]:
        """The bookings on now at these desks."""
        return {d: a.booking for d in desk_ids if (a := self.active.get(d))}
