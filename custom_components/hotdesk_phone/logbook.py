"""The logbook tells each call's and each desk's story in words.

Every ``hotdesk_phone_*`` event becomes one line: the account (or the desk)
as its name, what happened as its message, in HA's language, attached to the
account's call state or the desk's login sensor so it also shows on their
pages. Who acted is not written here: the events are fired with the acting
user's context, and the logbook shows that user by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .const import (
    DOMAIN,
    EVENT_BOOKING,
    EVENT_CALL_ANSWERED,
    EVENT_CALL_CLAIMED,
    EVENT_CALL_ENDED,
    EVENT_CALL_MISSED,
    EVENT_CLAIM_REFUSED,
    EVENT_DND,
    EVENT_EMERGENCY_CALL,
    EVENT_EMERGENCY_CALL_ENDED,
    EVENT_EMERGENCY_CALLBACK,
    EVENT_INCOMING_CALL,
    EVENT_LOGIN,
    EVENT_LOGOUT,
    EVENT_SCAN_REFUSED,
    EVENT_UNKNOWN_TAG,
    EVENT_VOICEMAIL,
)
from .directory import Directory
from .running import loaded_entries
from .texts import caller, text, text_or

type Describe = Callable[[Event], dict[str, str | None]]

# The product's name, for the one line that has neither account nor desk.
PRODUCT = "Hot-desk phone"
# How much of an unknown tag the logbook shows: enough for an admin to tell
# cards apart, too little to copy one (everyone with HA access reads this).
TAG_TAIL = 4


def _entity(hass: HomeAssistant, owner: Any, key: str) -> str | None:
    """The entity of an account or desk that a line belongs to."""
    if not owner:
        return None
    return er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{owner}_{key}")


def _desk_name(data: Mapping[str, Any]) -> str:
    return str(data.get("desk") or data.get("desk_id") or "?")


@callback
def _call_line(
    hass: HomeAssistant, event: Event, message: str
) -> dict[str, str | None]:
    data = event.data
    return {
        LOGBOOK_ENTRY_NAME: str(data.get("account") or data.get("extension") or ""),
        LOGBOOK_ENTRY_MESSAGE: message,
        LOGBOOK_ENTRY_ENTITY_ID: _entity(
            hass, data.get("account_id"), "account_call_state"
        ),
    }


def _directories(hass: HomeAssistant) -> list[Directory]:
    """The directories of the loaded entries (an old line may name a gone desk)."""
    return [hub.directory for _, hub in loaded_entries(hass)]


@callback
def _desks(hass: HomeAssistant, desk_ids: list[str]) -> str:
    """Desk names for desk ids (the id itself for a desk no longer there)."""
    names: dict[str, str] = {}
    for directory in _directories(hass):
        names |= {d: directory.desks[d].name for d in desk_ids if d in directory.desks}
    return ", ".join(names.get(d, d) for d in desk_ids)


@callback
def _account_name(hass: HomeAssistant, data: Mapping[str, Any]) -> str:
    """An account's name (the unknown tag event carries only its id)."""
    for directory in _directories(hass):
        if (
            account := directory.accounts.get(data.get("account_id") or "")
        ) is not None:
            return account.name
    return str(data.get("extension") or "?")


@callback
def _incoming(hass: HomeAssistant, event: Event) -> dict[str, str | None]:
    desks = _desks(hass, list(event.data.get("desks") or []))
    message = text(
        hass,
        "logbook_incoming_call",
        caller=caller(hass, event.data),
        desks=desks,
    )
    return _call_line(hass, event, message)


@callback
def _claimed(hass: HomeAssistant, event: Event) -> dict[str, str | None]:
    via = str(event.data.get("via") or "")
    message = text(
        hass,
        "logbook_call_claimed",
        caller=caller(hass, event.data),
        desk=_desk_name(event.data),
        via=text_or(hass, f"via_{via}", via),
    )
    return _call_line(hass, event, message)


@callback
def _answered(hass: HomeAssistant, event: Event) -> dict[str, str | None]:
    message = text(
        hass,
        "logbook_call_answered",
        caller=caller(hass, event.data),
        desk=_desk_name(event.data),
    )
    return _call_line(hass, event, message)


@callback
def _missed(hass: HomeAssistant, event: Event) -> dict[str, str | None]:
    message = text(hass, "logbook_call_missed", caller=caller(hass, event.data))
    return _call_line(hass, event, message)


@callback
def _ended(hass: HomeAssistant, event: Event) -> dict[str, str | None]:
    outcome = str(event.data.get("outcome") or "")
    message = text(
        hass,
        "logbook_call_ended",
        caller=caller(hass, event.data),
        outcome=text_or(hass, f"outcome_{outcome}", outcome),
    )
    return _call_line(hass, event, message)


@callback
def _refused(hass: HomeAssistant, event: Event) -> dict[str, str | None]:
    reason = str(event.data.get("reason") or "")
    message = text(
        hass,
        "logbook_claim_refused",
        caller=caller(hass, event.data),
        desk=_desk_name(event.data),
        reason=text_or(hass, f"refused_{reason}", reason),
    )
    return _call_line(hass, event, message)


@callback
def _scan_refused(hass: HomeAssistant, event: Event) -> dict[str, str | None]:
    reason = str(event.data.get("reason") or "")
    message = text(
        hass,
        "logbook_scan_refused",
        desk=_desk_name(event.data),
        reason=text_or(hass, f"scan_refused_{reason}", reason),
    )
    return _call_line(hass, event, message)


@callback
def _booking(hass: HomeAssistant, event: Event) -> dict[str, str | None]:
    data = event.data
    end = dt_util.parse_datetime(str(data.get("end") or ""))
    message = text(
        hass,
        f"logbook_booking_{data.get('type')}",
        desk=_desk_name(data),
        end=dt_util.as_local(end).strftime("%H:%M") if end else "?",
    )
    return _login_line(hass, event, message)


@callback
def _login(hass: HomeAssistant, event: Event) -> dict[str, str | None]:
    return _login_line(
        hass, event, text(hass, "logbook_login", desk=_desk_name(event.data))
    )


@callback
def _logout(hass: HomeAssistant, event: Event) -> dict[str, str | None]:
    reason = str(event.data.get("reason") or "")
    message = text(
        hass,
        "logbook_logout",
        desk=_desk_name(event.data),
        reason=text_or(hass, f"logout_{reason}", reason),
    )
    return _login_line(hass, event, message)


@callback
def _unknown_tag(hass: HomeAssistant, event: Event) -> dict[str, str | None]:
    data = event.data
    tail = str(data.get("tag_id") or "")[-TAG_TAIL:]
    desk_id = data.get("desk_id")
    if desk_id:
        return {
            LOGBOOK_ENTRY_NAME: _desks(hass, [desk_id]),
            LOGBOOK_ENTRY_MESSAGE: text(hass, "logbook_unknown_tag", tag_end=tail),
            LOGBOOK_ENTRY_ENTITY_ID: _entity(hass, desk_id, "logged_in_account"),
        }
    if data.get("account_id"):
        return {
            LOGBOOK_ENTRY_NAME: _account_name(hass, data),
            LOGBOOK_ENTRY_MESSAGE: text(hass, "logbook_tag_at_no_desk"),
            LOGBOOK_ENTRY_ENTITY_ID: _entity(
                hass, data["account_id"], "account_call_state"
            ),
        }
    return {
        LOGBOOK_ENTRY_NAME: PRODUCT,
        LOGBOOK_ENTRY_MESSAGE: text(
            hass, "logbook_unknown_tag_at_no_desk", tag_end=tail
        ),
    }


@callback
def _login_line(
    hass: HomeAssistant, event: Event, message: str
) -> dict[str, str | None]:
    data = event.data
    return {
        LOGBOOK_ENTRY_NAME: str(data.get("account") or data.get("extension") or ""),
        LOGBOOK_ENTRY_MESSAGE: message,
        # A login is the desk's story: the line goes with its login sensor.
        LOGBOOK_ENTRY_ENTITY_ID: _entity(
            hass, data.get("desk_id"), "logged_in_account"
        ),
    }


@callback
def _dnd(hass: HomeAssistant, event: Event) -> dict[str, str | None]:
    # An account's line, filed with its call state like the call events'.
    on = bool(event.data.get("on"))
    return _call_line(
        hass, event, text(hass, "logbook_dnd_on" if on else "logbook_dnd_off")
    )


@callback
def _emergency(key: str, hass: HomeAssistant, event: Event) -> dict[str, str | None]:
    # The desk's story (an emergency call is the desk's, never the person's).
    data = event.data
    return {
        LOGBOOK_ENTRY_NAME: _desk_name(data),
        LOGBOOK_ENTRY_MESSAGE: text(
            hass,
            key,
            number=data.get("number") or "?",
            location=data.get("location") or text(hass, "emergency_not_set"),
            elin=data.get("elin") or text(hass, "emergency_not_set"),
            who=data.get("logged_in_account") or text(hass, "push_emergency_nobody"),
        ),
        LOGBOOK_ENTRY_ENTITY_ID: _entity(hass, data.get("desk_id"), "desk_call_state"),
    }


@callback
def _voicemail(hass: HomeAssistant, event: Event) -> dict[str, str | None]:
    # The account's line, filed with its Voicemail sensor.
    data = event.data
    return {
        LOGBOOK_ENTRY_NAME: str(data.get("account") or data.get("extension") or ""),
        LOGBOOK_ENTRY_MESSAGE: text(
            hass,
            "logbook_voicemail",
            caller=caller(hass, data),
            seconds=data.get("duration", "?"),
        ),
        LOGBOOK_ENTRY_ENTITY_ID: _entity(hass, data.get("account_id"), "voicemail"),
    }


# Each event type -> the function that writes its line.
_DESCRIBERS: dict[str, Callable[[HomeAssistant, Event], dict[str, str | None]]] = {
    EVENT_INCOMING_CALL: _incoming,
    EVENT_CALL_CLAIMED: _claimed,
    EVENT_CALL_ANSWERED: _answered,
    EVENT_CALL_MISSED: _missed,
    EVENT_CALL_ENDED: _ended,
    EVENT_CLAIM_REFUSED: _refused,
    EVENT_SCAN_REFUSED: _scan_refused,
    EVENT_BOOKING: _booking,
    EVENT_VOICEMAIL: _voicemail,
    EVENT_LOGIN: _login,
    EVENT_LOGOUT: _logout,
    EVENT_UNKNOWN_TAG: _unknown_tag,
    EVENT_DND: _dnd,
    EVENT_EMERGENCY_CALL: partial(_emergency, "logbook_emergency_call"),
    EVENT_EMERGENCY_CALL_ENDED: partial(_emergency, "logbook_emergency_call_ended"),
    EVENT_EMERGENCY_CALLBACK: partial(_emergency, "logbook_emergency_callback"),
}


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Describe], None],
) -> None:
    """Describe every event of the integration."""
    for event_type, describe in _DESCRIBERS.items():
        async_describe_event(DOMAIN, event_type, partial(describe, hass))
