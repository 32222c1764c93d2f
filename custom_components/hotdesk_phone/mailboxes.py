"""Voicemail follows the person: each account's mailbox as Home Assistant sees it.

For every account with voicemail on, the messages the PBX lists
(``voicemail.box_summary``) are kept here, read again after each connect and
on each ``MessageWaiting`` of its mailbox. A message not seen before fires
``hotdesk_phone_voicemail`` and is pushed to the account's apps with the
caller, its length, "Call back" and a link to Home Assistant's media browser
(``media_source.py`` plays it). The desks where the person is logged in show
message waiting: a SIP NOTIFY (``PJSIPNotify``) after every change, login,
logout and connect; a desk the person left is put out.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util.hass_dict import HassKey

from .ami_errors import AmiError
from .ami_wire import AmiEvent
from .auth import notify_target_users, shared_notify_target
from .call_back import async_call_back, valid_number
from .const import (
    CONF_VOICEMAIL_FOLDER,
    DOMAIN,
    EVENT_LOGIN,
    EVENT_LOGOUT,
    EVENT_VOICEMAIL,
    LOGGER,
)
from .texts import caller, text
from .voicemail import (
    INBOX,
    OLD,
    Message,
    VoicemailError,
    box_summary,
    endpoint_of,
    message_file,
    move_message,
    notify_mwi,
    parse_message_waiting,
    remove_message,
)

if TYPE_CHECKING:
    from .directory import Account
    from .hub import HotdeskHub

# entry id -> its mailboxes (the media source and the actions find them here).
MAILBOXES: HassKey[dict[str, Mailboxes]] = HassKey(f"{DOMAIN}_mailboxes")
ACTION_CALL_BACK: Final = "HOTDESK_VMCALLBACK"
MEDIA_SOURCE_PREFIX: Final = f"media-source://{DOMAIN}"
# Pushes whose Call back still works (oldest dropped).
MAX_PUSHED: Final = 200


def media_id(entry_id: str, account_id: str, message_id: str | None = None) -> str:
    """The media source id of an account's messages, or of one message."""
    parts = [entry_id, account_id, *([message_id] if message_id else [])]
    return f"{MEDIA_SOURCE_PREFIX}/{'/'.join(parts)}"


def messages_data(
    entry_id: str, account_id: str, messages: list[Message]
) -> list[dict[str, Any]]:
    """An account's messages as the sensor and the ``voicemail`` action show them.

    Newest first, each with the media id that plays it.
    """
    return [
        {
            "message_id": m.message_id,
            "new": m.new,
            "caller_id_number": m.caller_id_number or None,
            "caller_id_name": m.caller_id_name or None,
            "duration": m.duration,
            "date": m.date,
            "media_content_id": media_id(entry_id, account_id, m.message_id),
        }
        for m in reversed(messages)
    ]


def browser_path(entry_id: str, account_id: str) -> str:
    """Home Assistant's media browser at an account's messages (the push's link)."""
    item = f"app,{media_id(entry_id, account_id)}"
    return f"/media-browser/browser/{quote(item, safe='')}"


@dataclass(frozen=True, slots=True)
class _Pushed:
    account_id: str
    recipients: frozenset[str]
    number: str


class Mailboxes:
    """The messages of one entry's accounts, their pushes and the desks' lamps."""

    def __init__(self, hass: HomeAssistant, hub: HotdeskHub) -> None:
        """Follow this hub's accounts with voicemail."""
        self.hass = hass
        self.hub = hub
        # account id -> its messages (INBOX and Old) as the PBX last listed.
        self.messages: dict[str, list[Message]] = {}
        self._listeners: dict[str, list[CALLBACK_TYPE]] = {}
        # endpoint -> (new, old) its lamp was last sent.
        self._lamps: dict[str, tuple[int, int]] = {}
        self._pushed: dict[str, _Pushed] = {}  # message id -> its push
        self._connected = False
        self._lock = asyncio.Lock()

    @property
    def spool(self) -> Path | None:
        """Where the PBX's voicemail spool is readable (None: not playable)."""
        folder = str(self.hub.entry.options.get(CONF_VOICEMAIL_FOLDER) or "").strip()
        return Path(folder) if folder else None

    # Life cycle.

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Listen; returns the remover."""
        hub = self.hub
        self.hass.data.setdefault(MAILBOXES, {})[hub.entry.entry_id] = self
        removers = [
            hub.async_add_ami_listener(self._on_ami_event),
            hub.updates.async_add_listener(self._on_pbx_update, None),
            hub.async_add_directory_listener(lambda _ids: self._schedule_all()),
            self.hass.bus.async_listen(EVENT_LOGIN, self._on_login_change),
            self.hass.bus.async_listen(EVENT_LOGOUT, self._on_login_change),
            self.hass.bus.async_listen(
                "mobile_app_notification_action", self._on_notification_action
            ),
        ]
        self._on_pbx_update()

        @callback
        def stop() -> None:
            for remove in removers:
                remove()
            self.hass.data.get(MAILBOXES, {}).pop(hub.entry.entry_id, None)

        return stop

    def accounts(self) -> list[Account]:
        """The accounts with voicemail on."""
        return [a for a in self.hub.directory.accounts.values() if a.voicemail]

    @callback
    def async_add_listener(
        self, account_id: str, update: CALLBACK_TYPE
    ) -> CALLBACK_TYPE:
        """Call ``update`` when the account's messages change."""
        self._listeners.setdefault(account_id, []).append(update)
        return lambda: self._listeners[account_id].remove(update)

    def counts(self, account_id: str) -> tuple[int, int]:
        """(new, old) messages of an account as last listed."""
        messages = self.messages.get(account_id, [])
        new = sum(1 for m in messages if m.new)
        return new, len(messages) - new

    def find(self, account_id: str, message_id: str) -> Message | None:
        """A listed message of the account."""
        return next(
            (
                m
                for m in self.messages.get(account_id, [])
                if m.message_id == message_id
            ),
            None,
        )

    # What moves the state.

    @callback
    def _on_pbx_update(self) -> None:
        connected = self.hub.connected
        if connected and not self._connected:
            self._lamps.clear()  # a restarted PBX or phone: say it all again
            # Messages left while the link was down are announced now; at the
            # first connect nothing is known yet, so nothing is announced.
            self._schedule_all(announce=True)
        self._connected = connected

    @callback
    def _schedule_all(self, *, announce: bool = False) -> None:
        # Nothing to do without voicemail accounts, unless one was just turned
        # off: its messages are forgotten and its lamps put out.
        if not self.hub.connected or not (
            self.accounts() or self.messages or self._lamps
        ):
            return
        self.hub.entry.async_create_background_task(
            self.hass, self.async_refresh_all(announce=announce), "hotdesk voicemail"
        )

    @callback
    def _on_ami_event(self, event: AmiEvent) -> None:
        if event.name != "MessageWaiting":
            return
        waiting = parse_message_waiting(event.headers)
        if waiting is None:
            return
        for account in self.accounts():
            if account.mailbox == waiting.mailbox:
                self.hub.entry.async_create_background_task(
                    self.hass,
                    self.async_refresh(account.account_id, announce=True),
                    "hotdesk voicemail",
                )

    @callback
    def _on_login_change(self, event: Event[dict[str, Any]]) -> None:
        if event.data.get("account_id") in self.hub.directory.accounts:
            self.hub.entry.async_create_background_task(
                self.hass, self.async_sync_lamps(), "hotdesk voicemail lamps"
            )

    async def async_refresh_all(self, *, announce: bool = False) -> None:
        """List every voicemail account's mailbox, then set the lamps."""
        wanted = {a.account_id for a in self.accounts()}
        for account_id in list(self.messages):
            if account_id not in wanted:
                del self.messages[account_id]
        for account_id in wanted:
            await self.async_refresh(account_id, announce=announce, lamps=False)
        await self.async_sync_lamps()

    async def async_refresh(
        self, account_id: str, *, announce: bool, lamps: bool = True
    ) -> None:
        """List one mailbox; announce messages not seen before."""
        account = self.hub.directory.accounts.get(account_id)
        if account is None or account.mailbox is None:
            return
        async with self._lock:
            try:
                listed = await box_summary(self.hub.client, account.mailbox)
            except (AmiError, VoicemailError) as err:
                LOGGER.warning("Voicemail of %s not read: %s", account.name, err)
                return
            known = self.messages.get(account_id)
            self.messages[account_id] = listed
        if announce and known is not None:
            seen = {m.message_id for m in known}
            for message in listed:
                if message.new and message.message_id not in seen:
                    self._announce(account, message)
        for update in list(self._listeners.get(account_id, ())):
            update()
        if lamps:
            await self.async_sync_lamps()

    # Lamps.

    def wanted_lamps(self) -> dict[str, tuple[int, int]]:
        """What each desk's lamp should show: its logged-in person's counts."""
        directory = self.hub.directory
        wanted: dict[str, tuple[int, int]] = {}
        for desk_id, account_id in self.hub.logins.items():
            account = directory.accounts.get(account_id)
            desk = directory.desks.get(desk_id)
            if account is None or desk is None or not account.voicemail:
                continue
            endpoint = endpoint_of(desk.dial_string)
            if endpoint is not None:
                wanted[endpoint] = self.counts(account_id)
        return wanted

    async def async_sync_lamps(self) -> None:
        """Send the lamps that differ from what was sent; put out the rest."""
        if not self.hub.connected:
            return
        wanted = self.wanted_lamps()
        for endpoint in self._lamps.keys() - wanted.keys():
            wanted[endpoint] = (0, 0)
        for endpoint, counts in wanted.items():
            if self._lamps.get(endpoint) == counts:
                continue
            try:
                await notify_mwi(self.hub.client, endpoint, *counts)
            except (AmiError, VoicemailError) as err:
                # An unregistered phone: told again after its next login.
                LOGGER.debug("Message waiting not sent to %s: %s", endpoint, err)
                self._lamps.pop(endpoint, None)
                continue
            if counts == (0, 0):
                self._lamps.pop(endpoint, None)
            else:
                self._lamps[endpoint] = counts

    # Reading and deleting.

    async def async_mark_read(self, account: Account, message: Message) -> None:
        """Move a new message to Old (the PBX's "read")."""
        if account.mailbox is None or message.folder != INBOX:
            return
        await move_message(self.hub.client, account.mailbox, message, OLD)
        await self.async_refresh(account.account_id, announce=False)

    async def async_delete(self, account: Account, message: Message) -> None:
        """Delete a message on the PBX."""
        if account.mailbox is None:
            return
        await remove_message(self.hub.client, account.mailbox, message)
        await self.async_refresh(account.account_id, announce=False)

    def audio_file(self, account: Account, message: Message) -> Path | None:
        """The message's file where Home Assistant reads the spool (None: not)."""
        if self.spool is None or account.mailbox is None:
            return None
        return message_file(self.spool, account.mailbox, message)

    # The event and the push.

    def event_data(self, account: Account, message: Message) -> dict[str, Any]:
        """The ``hotdesk_phone_voicemail`` event's data."""
        new, old = self.counts(account.account_id)
        entry_id = self.hub.entry.entry_id
        return {
            "account_id": account.account_id,
            "account": account.name,
            "extension": account.extension,
            "mailbox": account.mailbox,
            "message_id": message.message_id,
            "caller_id_number": message.caller_id_number or None,
            "caller_id_name": message.caller_id_name or None,
            "duration": message.duration,
            "new_messages": new,
            "old_messages": old,
            "media_content_id": media_id(
                entry_id, account.account_id, message.message_id
            ),
        }

    @callback
    def _announce(self, account: Account, message: Message) -> None:
        data = self.event_data(account, message)
        self.hass.bus.async_fire(EVENT_VOICEMAIL, data)
        targets = (*account.notify_targets, *account.watch_targets)
        if not targets:
            return
        link = browser_path(self.hub.entry.entry_id, account.account_id)
        payload: dict[str, Any] = {
            "title": text(
                self.hass,
                "push_voicemail_title",
                account=account.name,
                extension=account.extension,
            ),
            "message": text(
                self.hass,
                "push_voicemail_message",
                caller=caller(self.hass, data),
                seconds=message.duration,
            ),
            "data": {
                "tag": f"hotdesk-vm-{message.message_id}",
                "group": "hotdesk_phone",
                "channel": text(self.hass, "push_channel"),
                # Tapping the push opens the messages (Android: clickAction,
                # iOS: url); the Play button does the same.
                "clickAction": link,
                "url": link,
                "media_content_id": data["media_content_id"],
            },
        }
        actions: list[dict[str, str]] = [
            {
                "action": "URI",
                "title": text(self.hass, "push_voicemail_play"),
                "uri": link,
            }
        ]
        number = valid_number(message.caller_id_number)
        if number is not None:
            actions.insert(
                0,
                {
                    "action": f"{ACTION_CALL_BACK}:{message.message_id}",
                    "title": text(self.hass, "push_call_back"),
                },
            )
            self._pushed[message.message_id] = _Pushed(
                account.account_id,
                frozenset(notify_target_users(self.hass, targets)),
                number,
            )
            while len(self._pushed) > MAX_PUSHED:
                del self._pushed[next(iter(self._pushed))]
        for target in account.notify_targets:
            self._send(
                target, {**payload, "data": {**payload["data"], "actions": actions}}
            )
        for target in account.watch_targets:
            self._send(target, payload)

    def _send(self, target: str, payload: dict[str, Any]) -> None:
        if shared_notify_target(self.hass, target):
            # Several apps share that name (see auth.shared_notify_target).
            LOGGER.warning(
                "Not notifying %s: several companion apps have that name", target
            )
            return
        self.hass.async_create_task(self._notify(target, payload), eager_start=True)

    async def _notify(self, target: str, payload: dict[str, Any]) -> None:
        try:
            await self.hass.services.async_call(
                "notify", target, payload, blocking=True
            )
        except HomeAssistantError as err:
            LOGGER.warning("Cannot notify %s: %s", target, err)

    @callback
    def _on_notification_action(self, event: Event) -> None:
        kind, _, message_id = str(event.data.get("action", "")).partition(":")
        pushed = self._pushed.get(message_id) if kind == ACTION_CALL_BACK else None
        if pushed is None:
            return
        account = self.hub.directory.accounts.get(pushed.account_id)
        if account is None or event.context.user_id not in pushed.recipients:
            LOGGER.debug("Ignored voicemail call back from %s", event.context.user_id)
            return
        self.hass.async_create_task(
            self._call_back(account, pushed.number, event), eager_start=True
        )

    async def _call_back(self, account: Account, number: str, event: Event) -> None:
        try:
            await async_call_back(self.hub, account, number, context=event.context)
        except AmiError as err:
            LOGGER.warning("Call back for %s failed: %s", account.name, err)


def mailboxes_of(hass: HomeAssistant) -> dict[str, Mailboxes]:
    """The running entries' mailboxes by entry id."""
    return hass.data.get(MAILBOXES, {})
