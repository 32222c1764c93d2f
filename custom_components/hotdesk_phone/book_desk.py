"""Book this desk: a booking written to the desk's calendar as an event.

The ``book_desk`` action (and the board's *Book this desk*) comes here after
its caller checked who may act and the span (today, not begun in the past,
an end after its start). The span is checked against what the calendar
holds at that moment, and the event is written through the calendar's own
``calendar.create_event``, worded so that the next read of the calendar
books the desk for the account: the account's name and extension, and the
desk's name where the calendar is an area's, shared by its desks.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, Unauthorized
from homeassistant.util import dt as dt_util

from .booking_calendars import (
    Booking,
    BookingKey,
    DeskCalendar,
    account_names,
    async_read_events,
    booking_calendar,
    booking_events,
    can_create,
    desk_bookings,
)
from .booking_words import EventWords, names_desk
from .errors import input_error, pbx_error

if TYPE_CHECKING:
    from .directory import Account, Desk, Directory


async def async_book_desk(
    hass: HomeAssistant,
    directory: Directory,
    *,
    calendars: list[DeskCalendar],
    released: Collection[BookingKey],
    account: Account,
    desk: Desk,
    span: tuple[datetime, datetime],
    context: Context | None = None,
) -> tuple[str, Booking]:
    """Create the booking's event in one of the desk's calendars; (calendar, booking).

    ``calendars`` are the desk's, ``released`` the bookings let go for want
    of a check-in (their span is free again). Raises the translated errors:
    no calendar, one that cannot create events, the span already booked, an
    event that would not book this desk for this account, or the calendar's
    own failure.
    """
    calendar = booking_calendar(hass, calendars)
    if calendar is None:
        raise input_error("booking_no_calendar", desk=desk.name)
    if not can_create(hass, calendar):
        raise input_error("booking_not_supported", desk=desk.name, calendar=calendar)
    names = next(c.names_desk for c in calendars if c.entity_id == calendar)
    start, end = dt_util.as_utc(span[0]), dt_util.as_utc(span[1])
    # What the calendar holds now, not only what the last read saw.
    accounts = account_names(hass, directory)
    events = booking_events(
        await async_read_events(hass, calendar, start, end), accounts, start
    )
    for taken in desk_bookings(desk, DeskCalendar(calendar, names), events):
        if taken.key in released or not (taken.start < end and taken.end > start):
            continue
        holder = directory.accounts.get(taken.account_id)
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
    if accounts.booked(words) is not account or (names and not names_desk(words, desk)):
        raise input_error(
            "booking_not_recognised", desk=desk.name, account=account.name
        )
    try:
        await hass.services.async_call(
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
            "booking_failed", calendar=calendar, reason=str(err) or type(err).__name__
        ) from err
    return calendar, Booking(desk.desk_id, account.account_id, start, end, summary)


def _hhmm(when: datetime) -> str:
    return dt_util.as_local(when).strftime("%H:%M")
