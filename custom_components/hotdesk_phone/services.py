"""Actions: claim_call, login, logout, call, call_log, clear_call_log, book_desk."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import cast

import voluptuous as vol

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType

from .ami_errors import AmiActionError, AmiError
from .auth import async_check_may_act
from .bulk_services import async_setup_bulk_services
from .call_back import async_call_back, valid_number
from .const import DOMAIN, VIA_ACTION
from .directory import Account, Desk, RouteTooLongError
from .errors import input_error, pbx_error
from .hub import HotdeskHub
from .models import HotdeskConfigEntry
from .running import loaded_entries
from .sites import may_claim, may_log_in, visiting_hubs
from .tracker import CallPhase

ATTR_EXTENSION = "extension"
ATTR_DESK = "desk"
ATTR_NUMBER = "number"

SERVICE_CLAIM_CALL = "claim_call"
SERVICE_LOGIN = "login"
SERVICE_LOGOUT = "logout"
SERVICE_CALL = "call"
SERVICE_CALL_LOG = "call_log"
SERVICE_CLEAR_CALL_LOG = "clear_call_log"
SERVICE_BOOK_DESK = "book_desk"
ATTR_START = "start"
ATTR_END = "end"
# A booking that starts this close to now starts now (the form's clock and
# HA's differ a little).
_NOW_SLACK = timedelta(minutes=1)

_ACCOUNT_AND_DESK = vol.Schema(
    {vol.Required(ATTR_EXTENSION): cv.string, vol.Required(ATTR_DESK): cv.string}
)
_DESK_ONLY = vol.Schema({vol.Required(ATTR_DESK): cv.string})
_CALL = vol.Schema(
    {
        vol.Required(ATTR_EXTENSION): cv.string,
        vol.Required(ATTR_NUMBER): cv.string,
        vol.Optional(ATTR_DESK): cv.string,
    }
)
_ACCOUNT_ONLY = vol.Schema({vol.Required(ATTR_EXTENSION): cv.string})
_BOOK_DESK = vol.Schema(
    {
        vol.Required(ATTR_EXTENSION): cv.string,
        vol.Required(ATTR_DESK): cv.string,
        # A time today ("17:30"), or a date and time that is today.
        vol.Required(ATTR_END): vol.Any(cv.time, cv.datetime),
        vol.Optional(ATTR_START): vol.Any(cv.time, cv.datetime),
    }
)


# Why the PBX side did not move a call -> its message (translation key).
_CLAIM_REFUSALS = {
    "already_claimed": "claim_refused_already_claimed",
    "already_answered": "claim_refused_already_answered",
    "call_not_found": "claim_refused_call_ended",
    "redirect_failed": "claim_refused_redirect_failed",
    "redirect_unconfirmed": "claim_refused_redirect_unconfirmed",
    "site_unreachable": "claim_refused_site_unreachable",
}


def _desk(hass: HomeAssistant, device_id: str) -> tuple[HotdeskHub, Desk]:
    device = dr.async_get(hass).async_get(device_id)
    keys = (
        {key for domain, key in device.identifiers if domain == DOMAIN}
        if device
        else set()
    )
    for _, hub in loaded_entries(hass):
        for key in keys:
            desk = hub.directory.desks.get(key)
            if desk is not None and desk.site is None:  # its own PBX's desk
                return hub, desk
    raise input_error("unknown_desk", desk=device_id)


def _account(hub: HotdeskHub, extension: str) -> Account:
    account = hub.directory.account_by_extension(str(extension).strip())
    if account is None:
        raise input_error("unknown_extension", extension=str(extension))
    return account


def _account_at(
    hub: HotdeskHub, desk: Desk, extension: str, *, claim: bool
) -> tuple[HotdeskHub, Desk, Account]:
    """The account and the hub that acts for it at a desk of ``hub``'s PBX.

    An account of a linked site acts through its own PBX (identities are
    global), which dials the desk through the trunk, if the link allows.
    """
    wanted = str(extension).strip()
    if hub.directory.account_by_extension(wanted) is None:
        for other, link in visiting_hubs(hub.hass, hub.entry.entry_id):
            account = other.directory.account_by_extension(wanted)
            there = other.directory.desks.get(desk.desk_id)
            if account is None or there is None:
                continue
            if not (may_claim(link) if claim else may_log_in(link)):
                raise input_error(
                    "site_not_allowed", account=account.name, desk=desk.name
                )
            return other, there, account
    return hub, desk, _account(hub, extension)


def _connected(hub: HotdeskHub) -> None:
    if not hub.connected:
        raise pbx_error("not_connected")


async def _claim_call(call: ServiceCall) -> ServiceResponse:
    hub, desk = _desk(call.hass, call.data[ATTR_DESK])
    # Moving the call rings that desk: a desk where someone else is logged
    # in is theirs (as for a login there).
    present = _present(hub, desk)
    hub, desk, account = _account_at(hub, desk, call.data[ATTR_EXTENSION], claim=True)
    await async_check_may_act(call.hass, call.context, [account, present])
    _connected(hub)
    active = hub.tracker.call_for_account(account.account_id)
    if active is None or active.phase is not CallPhase.RINGING or active.dnd:
        raise input_error("no_ringing_call", extension=account.extension)
    result = await hub.claims.async_claim(
        active.call_id, desk.desk_id, VIA_ACTION, context=call.context
    )
    if not result.claimed:
        raise pbx_error(_CLAIM_REFUSALS.get(result.reason or "", "claim_refused"))
    return {"call_id": active.call_id, "desk_id": desk.desk_id}


async def _login(call: ServiceCall) -> None:
    hub, desk = _desk(call.hass, call.data[ATTR_DESK])
    present = _present(hub, desk)
    hub, desk, account = _account_at(hub, desk, call.data[ATTR_EXTENSION], claim=False)
    # Logging in at a desk ends whoever is logged in there: that must be
    # the user's own login too.
    await async_check_may_act(call.hass, call.context, [account, present])
    try:
        await hub.async_login(account.account_id, desk.desk_id, context=call.context)
    except RouteTooLongError as err:
        raise input_error(err.code, **err.placeholders) from err


async def _logout(call: ServiceCall) -> None:
    hub, desk = _desk(call.hass, call.data[ATTR_DESK])
    await hub.async_logout_if_allowed(desk, call.context, "action")


def _present(hub: HotdeskHub, desk: Desk) -> Account | None:
    """Who is logged in at a desk: its own PBX's account or a linked site's."""
    present = hub.occupant(desk.desk_id)
    return present.account if present else None


def _entry_with_account(
    hass: HomeAssistant, extension: str
) -> tuple[HotdeskConfigEntry, Account]:
    """The loaded entry that has this extension, and its account."""
    for entry, hub in loaded_entries(hass):
        if account := hub.directory.account_by_extension(str(extension).strip()):
            return entry, account
    raise input_error("unknown_extension", extension=str(extension))


async def _call(call: ServiceCall) -> ServiceResponse:
    entry, account = _entry_with_account(call.hass, call.data[ATTR_EXTENSION])
    hub = entry.runtime_data.hub
    desk_id: str | None = None
    present: Account | None = None
    if ATTR_DESK in call.data:
        desk_hub, desk = _desk(call.hass, call.data[ATTR_DESK])
        if desk_hub is not hub:
            raise input_error("unknown_desk", desk=call.data[ATTR_DESK])
        desk_id = desk.desk_id
        # The call rings that desk's phone first: not someone else's.
        present = _present(hub, desk)
    number = valid_number(call.data[ATTR_NUMBER])
    if number is None:
        raise input_error("invalid_number", number=call.data[ATTR_NUMBER][:40])
    await async_check_may_act(call.hass, call.context, [account, present])
    _connected(hub)
    try:
        rang = await async_call_back(
            hub, account, number, desk_id, context=call.context
        )
    except AmiActionError as err:
        raise pbx_error("call_refused", reason=err.reason) from err
    except AmiError as err:
        raise pbx_error("not_connected") from err
    return {"desk_id": rang, "number": number}


async def _call_log(call: ServiceCall) -> ServiceResponse:
    entry, account = _entry_with_account(call.hass, call.data[ATTR_EXTENSION])
    await async_check_may_act(call.hass, call.context, [account])
    calls = entry.runtime_data.call_log.calls(account.account_id)
    # Plain JSON: strings and nulls only (CallRecord).
    records = cast("JsonValueType", [dict(c) for c in calls])
    return {"extension": account.extension, "calls": records}


async def _clear_call_log(call: ServiceCall) -> None:
    entry, account = _entry_with_account(call.hass, call.data[ATTR_EXTENSION])
    await async_check_may_act(call.hass, call.context, [account])
    entry.runtime_data.call_log.clear(account.account_id)


def _today_at(value: time | datetime) -> datetime:
    """A booking's moment in HA's time zone: a bare time is today's."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=dt_util.get_default_time_zone())
        return dt_util.as_local(value)
    return dt_util.now().replace(
        hour=value.hour, minute=value.minute, second=value.second, microsecond=0
    )


async def _book_desk(call: ServiceCall) -> ServiceResponse:
    hub, desk = _desk(call.hass, call.data[ATTR_DESK])
    account = _account(hub, call.data[ATTR_EXTENSION])
    now = dt_util.now().replace(microsecond=0)
    end = _today_at(call.data[ATTR_END])
    start = _today_at(call.data[ATTR_START]) if ATTR_START in call.data else now
    if now - _NOW_SLACK <= start < now:
        start = now
    for moment in (start, end):
        if moment.date() != now.date():
            raise input_error(
                "booking_not_today", time=moment.strftime("%Y-%m-%d %H:%M")
            )
    if start < now or end <= start:
        raise input_error(
            "booking_bad_span", start=start.strftime("%H:%M"), end=end.strftime("%H:%M")
        )
    # A booking logs the account in when it starts, ending whoever is logged
    # in then: like the login action, a user may book a desk only while it is
    # free or theirs (a start a few seconds ahead is no different from now).
    await async_check_may_act(call.hass, call.context, [account, _present(hub, desk)])
    calendar, booking = await hub.entry.runtime_data.bookings.async_book(
        account, desk, start, end, call.context
    )
    return {
        "desk_id": desk.desk_id,
        "extension": account.extension,
        "calendar": calendar,
        "start": dt_util.as_local(booking.start).isoformat(),
        "end": dt_util.as_local(booking.end).isoformat(),
    }


def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, in async_setup)."""
    async_setup_bulk_services(hass)
    hass.services.async_register(
        DOMAIN,
        SERVICE_CLAIM_CALL,
        _claim_call,
        schema=_ACCOUNT_AND_DESK,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_LOGIN, _login, schema=_ACCOUNT_AND_DESK
    )
    hass.services.async_register(DOMAIN, SERVICE_LOGOUT, _logout, schema=_DESK_ONLY)
    hass.services.async_register(
        DOMAIN,
        SERVICE_CALL,
        _call,
        schema=_CALL,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_CALL_LOG,
        _call_log,
        schema=_ACCOUNT_ONLY,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_CLEAR_CALL_LOG, _clear_call_log, schema=_ACCOUNT_ONLY
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_BOOK_DESK,
        _book_desk,
        schema=_BOOK_DESK,
        supports_response=SupportsResponse.OPTIONAL,
    )
