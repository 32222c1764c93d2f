"""What goes on HA's bus for calls, and what in-process listeners get.

One place names the event types and builds their data, so a new kind of call
event is added here (and in the tracker's notices), not in every listener; the
claim-refused, login, logout and do-not-disturb payloads are built here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.core import Context

from .const import (
    EVENT_CALL_ANSWERED,
    EVENT_CALL_CLAIMED,
    EVENT_CALL_ENDED,
    EVENT_CALL_MISSED,
    EVENT_INCOMING_CALL,
)
from .directory import Account, Directory
from .tracker import MOBILE, Call, Notice, NoticeKind

# The tracker's notices that are call events on HA's bus.
CALL_EVENT_TYPES: Final = {
    NoticeKind.INCOMING: EVENT_INCOMING_CALL,
    NoticeKind.CLAIMED: EVENT_CALL_CLAIMED,
    NoticeKind.ANSWERED: EVENT_CALL_ANSWERED,
    NoticeKind.MISSED: EVENT_CALL_MISSED,
    NoticeKind.ENDED: EVENT_CALL_ENDED,
}


@dataclass(frozen=True, slots=True)
class CallEvent:
    """One call event as fired: its kind, the call, the bus event's data."""

    kind: NoticeKind
    call: Call
    data: Mapping[str, Any]

    @property
    def event_type(self) -> str:
        """The bus event's type, e.g. ``hotdesk_phone_incoming_call``."""
        return CALL_EVENT_TYPES[self.kind]


def call_event_data(directory: Directory, call: Call) -> dict[str, Any]:
    """The fields every call event carries."""
    account = directory.accounts.get(call.account_id)
    return {
        "call_id": call.call_id,
        "account_id": call.account_id,
        "account": account.name if account else None,
        "extension": call.extension,
        "caller_id_number": call.caller_id_number,
        "caller_id_name": call.caller_id_name,
    }


def call_event(
    directory: Directory, notice: Notice, via: str, context: Context | None
) -> CallEvent | None:
    """The call event of a notice (None: the notice is no call event)."""
    call = notice.call
    if notice.kind not in CALL_EVENT_TYPES or call is None:
        return None
    data = call_event_data(directory, call)
    if notice.kind is NoticeKind.INCOMING:
        # On do not disturb, or with the person away, the PBX rings none of them.
        data["desks"] = [] if call.dnd or call.away else sorted(call.allowed_desks)
        data["dnd"] = call.dnd
        data["away"] = call.away
    if notice.desk_id == MOBILE:
        # Answered on the account's mobile: no desk, named so in the log.
        data["desk_id"] = data["desk"] = MOBILE
    elif notice.desk_id is not None:
        desk = directory.desks.get(notice.desk_id)
        data["desk_id"] = notice.desk_id
        data["desk"] = desk.name if desk else None
    if notice.kind is NoticeKind.CLAIMED:
        data["from_desks"] = list(call.claimed_from)
        data["via"] = via
        data["user_id"] = context.user_id if context else None
    if notice.kind is NoticeKind.ENDED and call.outcome is not None:
        data["outcome"] = call.outcome.value
    return CallEvent(notice.kind, call, data)


def claim_refused_data(
    directory: Directory,
    call: Call,
    desk_id: str | None,
    reason: str,
    *,
    via: str,
    user_id: str | None,
) -> dict[str, Any]:
    """``hotdesk_phone_claim_refused``: the call's fields, where, why, how, who."""
    desk = directory.desks.get(desk_id or "")
    return {
        **call_event_data(directory, call),
        "desk_id": desk_id,
        "desk": desk.name if desk else None,
        "reason": reason,
        "via": via,
        "user_id": user_id,
    }


def login_event_data(
    directory: Directory,
    logins: Mapping[str, str],
    desk_id: str,
    context: Context | None,
) -> dict[str, Any]:
    """``hotdesk_phone_login`` / ``_logout``: who is (was) logged in where."""
    account = directory.accounts.get(logins.get(desk_id, ""))
    desk = directory.desks.get(desk_id)
    return {
        "user_id": context.user_id if context else None,
        "account_id": account.account_id if account else None,
        "account": account.name if account else None,
        "extension": account.extension if account else None,
        "desk_id": desk_id,
        "desk": desk.name if desk else None,
    }


def dnd_event_data(
    account: Account, on: bool, context: Context | None
) -> dict[str, Any]:
    """``hotdesk_phone_do_not_disturb``: whose, on or off, who switched it."""
    return {
        "account_id": account.account_id,
        "account": account.name,
        "extension": account.extension,
        "on": on,
        "user_id": context.user_id if context else None,
    }
