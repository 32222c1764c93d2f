"""Incoming-call pushes to the companion apps on phones and watches.

A call also rings on the called person's phone and watch, as a push. Each
account names ``notify.mobile_app_*`` targets; every call gets one tag so
later pushes replace or clear the first, and the push's buttons carry the
call id so a tap acts on that call only. A missed call's push offers "Call
back": the caller's number is kept with the push here (the newest
``MAX_MISSED_PUSHES``, in memory), not looked up in the call log.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError

from .ami_errors import AmiError
from .auth import notify_target_users, shared_notify_target
from .call_back import async_call_back, valid_number
from .const import (
    EVENT_CLAIM_REFUSED,
    LOGGER,
    VIA_NOTIFICATION,
)
from .events import claim_refused_data
from .texts import caller, text
from .tracker import NoticeKind

if TYPE_CHECKING:
    from .directory import Account
    from .events import CallEvent
    from .hub import HotdeskHub

ACTION_PREFIX: Final = "HOTDESK"
# Android shows at most three buttons: two desks and "Decline".
MAX_DESK_BUTTONS: Final = 2
# Missed-call pushes whose "Call back" button still works (oldest dropped).
MAX_MISSED_PUSHES: Final = 200
GROUP: Final = "hotdesk_phone"


def notification_tag(call_id: str) -> str:
    """One tag per call: later pushes replace or clear the first."""
    return f"hotdesk-{call_id}"


def claim_action(call_id: str, desk_id: str) -> str:
    """The action id of "ring this desk" for one call."""
    return f"{ACTION_PREFIX}_CLAIM:{call_id}:{desk_id}"


def decline_action(call_id: str) -> str:
    """The action id of "decline" for one call."""
    return f"{ACTION_PREFIX}_DECLINE:{call_id}"


def call_back_action(call_id: str) -> str:
    """The action id of "call back" on a missed call's push."""
    return f"{ACTION_PREFIX}_CALLBACK:{call_id}"


def parse_action(action: str) -> tuple[str, str, str | None] | None:
    """``(kind, call_id, desk_id)`` of one of our action ids, else ``None``."""
    kind, _, rest = action.partition(":")
    if kind == f"{ACTION_PREFIX}_CALLBACK" and rest:
        return ("callback", rest, None)
    if kind == f"{ACTION_PREFIX}_CLAIM":
        call_id, sep, desk_id = rest.rpartition(":")
        return ("claim", call_id, desk_id) if sep and call_id and desk_id else None
    if kind == f"{ACTION_PREFIX}_DECLINE" and rest:
        return ("decline", rest, None)
    return None


@dataclass(slots=True)
class _OpenPush:
    """A call's live push: whose apps got it and which desks its buttons ring."""

    account_id: str
    recipients: frozenset[str]  # HA user ids of the companion apps pushed to
    desks: frozenset[str]  # desk ids on the "Ring <desk>" buttons
    shown: bool = True  # not yet cleared or replaced on the devices


@dataclass(frozen=True, slots=True)
class _MissedPush:
    """A missed call's push: who got it and whom its "Call back" calls."""

    account_id: str
    recipients: frozenset[str]
    number: str


class CallNotifier:
    """Sends, replaces and clears the pushes of each account's calls."""

    def __init__(self, hass: HomeAssistant, hub: HotdeskHub) -> None:
        """Follow the hub's call events."""
        self.hass = hass
        self.hub = hub
        self._open: dict[str, _OpenPush] = {}  # call id -> its live push
        self._failed_targets: set[str] = set()
        self._refused_users: set[str | None] = set()  # logged once each
        self._missed: OrderedDict[str, _MissedPush] = OrderedDict()

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Subscribe; returns the remover."""
        removers = [
            self.hub.async_add_call_listener(self._on_call_event),
            self.hass.bus.async_listen(
                "mobile_app_notification_action", self._on_notification_action
            ),
        ]

        @callback
        def stop() -> None:
            for remove in removers:
                remove()

        return stop

    @callback
    def _on_call_event(self, event: CallEvent) -> None:
        account = self.hub.directory.accounts.get(event.call.account_id)
        if account is None or not (account.notify_targets or account.watch_targets):
            return
        call_id = event.call.call_id
        data = event.data
        if event.kind is NoticeKind.INCOMING:
            self._send_incoming(account, data)
            return
        push = self._open.get(call_id)
        if push is None:
            return
        # Kept until the call ends, so a late tap on a cleared push is still
        # checked and told why it did nothing; after that, taps are stale.
        if event.kind in (NoticeKind.MISSED, NoticeKind.ENDED):
            del self._open[call_id]
        if not push.shown:
            return
        push.shown = False
        if event.kind is NoticeKind.MISSED:
            self._send_missed(account, data, push.recipients)
        else:  # answered, claimed or ended: the push has done its job
            self._send_all(
                account,
                {
                    "message": "clear_notification",
                    "data": {"tag": notification_tag(call_id)},
                },
                with_actions=False,
            )

    def _send_incoming(self, account: Account, data: Mapping[str, Any]) -> None:
        call_id = data["call_id"]
        desks = self.hub.directory.desks
        ringing = [desks[d].name for d in data.get("desks", []) if d in desks]
        ring_set = self.hub.directory.ring_set(account.account_id, self.hub.logins)
        button_desks = ring_set[:MAX_DESK_BUTTONS]
        actions = [
            {
                "action": claim_action(call_id, desk_id),
                "title": text(self.hass, "push_ring_desk", desk=desks[desk_id].name),
            }
            for desk_id in button_desks
        ]
        # Watches get no buttons, but a watch's own app may still send one
        # of the phone's; only people this push went to may act on it.
        self._open[call_id] = _OpenPush(
            account_id=account.account_id,
            recipients=frozenset(
                notify_target_users(
                    self.hass, (*account.notify_targets, *account.watch_targets)
                )
            ),
            desks=frozenset(button_desks) if not data.get("dnd") else frozenset(),
        )
        if data.get("dnd"):
            # Do not disturb: no incoming push, but the call stays open so
            # that the missed-call push (with its Call back) still follows.
            return
        actions.append(
            {
                "action": decline_action(call_id),
                "title": text(self.hass, "push_decline"),
            }
        )
        # In the language HA is set to: an office's HA speaks its language.
        payload = {
            "title": text(
                self.hass,
                "push_incoming_title",
                account=account.name,
                extension=account.extension,
            ),
            "message": text(
                self.hass,
                "push_incoming_message",
                caller=caller(self.hass, data),
                desks=", ".join(ringing),
            ),
            "data": {
                "tag": notification_tag(call_id),
                "group": GROUP,
                # Android: a channel for calls, shown at once, never stale.
                "channel": text(self.hass, "push_channel"),
                "importance": "high",
                "priority": "high",
                "ttl": 0,
                # iOS: break through Focus like a call would.
                "push": {"interruption-level": "time-sensitive"},
                "actions": actions,
            },
        }
        self._send_all(account, payload, with_actions=True)

    def _send_missed(
        self,
        account: Account,
        data: Mapping[str, Any],
        recipients: frozenset[str],
    ) -> None:
        payload: dict[str, Any] = {
            "title": text(
                self.hass,
                "push_missed_title",
                account=account.name,
                extension=account.extension,
            ),
            "message": text(
                self.hass, "push_missed_message", caller=caller(self.hass, data)
            ),
            "data": {
                "tag": notification_tag(data["call_id"]),
                "group": GROUP,
                "channel": text(self.hass, "push_channel"),
            },
        }
        number = valid_number(str(data.get("caller_id_number") or ""))
        if number is not None:
            call_id = str(data["call_id"])
            payload["data"]["actions"] = [
                {
                    "action": call_back_action(call_id),
                    "title": text(self.hass, "push_call_back"),
                }
            ]
            self._missed[call_id] = _MissedPush(account.account_id, recipients, number)
            while len(self._missed) > MAX_MISSED_PUSHES:
                self._missed.popitem(last=False)
        self._send_all(account, payload, with_actions=number is not None)

    def _send_all(
        self, account: Account, payload: dict[str, Any], *, with_actions: bool
    ) -> None:
        for target in account.notify_targets:
            self._send(target, payload)
        # A push sent to a watch's own target cannot carry buttons.
        watch_payload = {
            **payload,
            "data": {k: v for k, v in payload["data"].items() if k != "actions"},
        }
        for target in account.watch_targets:
            self._send(target, watch_payload if with_actions else payload)

    def _send(self, target: str, payload: dict[str, Any]) -> None:
        if shared_notify_target(self.hass, target):
            if target not in self._failed_targets:
                self._failed_targets.add(target)
                LOGGER.warning(
                    "Not notifying %s: several companion apps have that name; "
                    "rename all but the account's own app",
                    target,
                )
            return
        self.hass.async_create_task(
            self._call_notify(target, payload), eager_start=True
        )

    async def _call_notify(self, target: str, payload: dict[str, Any]) -> None:
        try:
            await self.hass.services.async_call(
                "notify", target, payload, blocking=True
            )
        except HomeAssistantError as err:
            if target not in self._failed_targets:
                self._failed_targets.add(target)
                LOGGER.warning("Cannot notify %s: %s", target, err)
            return
        self._failed_targets.discard(target)

    @callback
    def _on_notification_action(self, event: Event) -> None:
        parsed = parse_action(str(event.data.get("action", "")))
        if parsed is None:
            return
        kind, call_id, desk_id = parsed
        if kind == "callback":
            self._call_back(event, call_id)
            return
        push = self._open.get(call_id)
        if push is None or call_id not in self.hub.tracker.calls:
            return  # stale: the call ended or was answered meanwhile
        user_id = event.context.user_id
        if user_id not in push.recipients:
            self._refuse_action(event, call_id, desk_id, "not_a_recipient")
            return
        if kind == "claim" and desk_id is not None:
            if desk_id not in push.desks:
                self._refuse_action(event, call_id, desk_id, "desk_not_offered")
                return
            self.hass.async_create_task(
                self.hub.claims.async_claim(
                    call_id, desk_id, VIA_NOTIFICATION, context=event.context
                ),
                eager_start=True,
            )
        elif kind == "decline":
            self.hass.async_create_task(
                self.hub.claims.async_decline(call_id), eager_start=True
            )

    @callback
    def _call_back(self, event: Event, call_id: str) -> None:
        """The Call back button of a missed call's push (its recipients only)."""
        missed = self._missed.get(call_id)
        account = self.hub.directory.accounts.get(missed.account_id) if missed else None
        if missed is None or account is None:
            return  # too old, or the account is gone
        user_id = event.context.user_id
        if user_id not in missed.recipients:
            LOGGER.debug(
                "Ignored call back on call %s from user %s: not a recipient",
                call_id,
                user_id,
            )
            return
        self.hass.async_create_task(
            self._async_call_back(account, missed.number, event), eager_start=True
        )

    async def _async_call_back(
        self, account: Account, number: str, event: Event
    ) -> None:
        try:
            await async_call_back(self.hub, account, number, context=event.context)
        except AmiError as err:
            LOGGER.warning("Call back for %s failed: %s", account.name, err)

    @callback
    def _refuse_action(
        self,
        event: Event,
        call_id: str,
        desk_id: str | None,
        reason: str,
    ) -> None:
        """Ignore a button tap that this push did not offer to this user."""
        user_id = event.context.user_id
        if user_id not in self._refused_users:
            self._refused_users.add(user_id)
            LOGGER.debug(
                "Ignored notification action %s from user %s: %s",
                event.data.get("action"),
                user_id,
                reason,
            )
        call = self.hub.tracker.calls[call_id]
        self.hass.bus.async_fire(
            EVENT_CLAIM_REFUSED,
            claim_refused_data(
                self.hub.directory,
                call,
                desk_id,
                reason,
                via=VIA_NOTIFICATION,
                user_id=user_id,
            ),
            context=event.context,
        )
