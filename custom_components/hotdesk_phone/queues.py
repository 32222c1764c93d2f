"""Queues follow the person: an account's queue membership is where it sits.

An account may name Asterisk queues. While it is logged in at a desk it is a
member of each of them there (the desk's dial string as the interface, the
account's name as the member's name), paused while its do not disturb is on;
logged in nowhere, it is a member nowhere. After every login, logout, do not
disturb change, live change of accounts or desks, and each connect to the PBX
(a restarted PBX included), the members the PBX has are read and only the
difference is sent. The integration owns the dynamic members at its desks in
the queues its accounts name; static members and other interfaces are left
alone.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback

from .ami_errors import AmiError
from .ami_queue import queue_add, queue_members, queue_pause, queue_remove
from .const import EVENT_DND, EVENT_LOGIN, EVENT_LOGOUT, LOGGER

if TYPE_CHECKING:
    from .hub import HotdeskHub


@dataclass(frozen=True, slots=True)
class Membership:
    """What one queue should have at one desk."""

    name: str
    paused: bool


type Wanted = dict[tuple[str, str], Membership]  # (queue, interface) -> member


def wanted_members(hub: HotdeskHub) -> Wanted:
    """The members the accounts' queues should have now."""
    directory = hub.directory
    wanted: Wanted = {}
    for desk_id, account_id in hub.logins.items():
        account = directory.accounts.get(account_id)
        desk = directory.desks.get(desk_id)
        if account is None or desk is None or not account.queues:
            continue
        paused = account_id in hub.login_book.dnd
        for queue in account.queues:
            wanted[(queue, desk.dial_string)] = Membership(account.name, paused)
    return wanted


class QueueFollower:
    """Keeps the PBX's queue members equal to ``wanted_members``."""

    def __init__(self, hass: HomeAssistant, hub: HotdeskHub) -> None:
        """Follow this hub's logins."""
        self.hass = hass
        self.hub = hub
        self._lock = asyncio.Lock()
        self._again = False
        self._connected = False

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Listen for what moves members; returns the remover."""
        hub = self.hub
        removers = [
            self.hass.bus.async_listen(event, self._on_event)
            for event in (EVENT_LOGIN, EVENT_LOGOUT, EVENT_DND)
        ]
        removers.append(hub.async_add_directory_listener(lambda _ids: self.schedule()))
        # The PBX's own entities hear of every connect: a resync, members too.
        removers.append(hub.updates.async_add_listener(self._on_pbx_update, None))
        self._on_pbx_update()

        @callback
        def stop() -> None:
            for remove in removers:
                remove()

        return stop

    @callback
    def _on_event(self, event: Event[dict[str, Any]]) -> None:
        if event.data.get("account_id") in self.hub.directory.accounts:
            self.schedule()

    @callback
    def _on_pbx_update(self) -> None:
        connected = self.hub.connected
        if connected and not self._connected:
            self.schedule()
        self._connected = connected

    @callback
    def schedule(self) -> None:
        """Sync soon; several reasons at once make one sync."""
        if not self._queues_in_use() or not self.hub.connected:
            return
        if self._lock.locked():
            self._again = True
            return
        self.hub.entry.async_create_background_task(
            self.hass, self.async_sync(), "hotdesk_phone queue members"
        )

    def _queues_in_use(self) -> set[str]:
        return {q for a in self.hub.directory.accounts.values() for q in a.queues}

    async def async_sync(self) -> None:
        """Read the members of the accounts' queues, send the difference."""
        async with self._lock:
            while True:
                self._again = False
                try:
                    await self._sync_once()
                except AmiError as err:
                    LOGGER.warning("Queue members not updated: %s", err)
                    return
                if not self._again:
                    return

    async def _sync_once(self) -> None:
        client = self.hub.client
        queues = self._queues_in_use()
        wanted = wanted_members(self.hub)
        desks = {d.dial_string for d in self.hub.directory.desks.values()}
        have = {
            (m.queue, m.interface): m
            for m in await queue_members(client, queues)
            if m.interface in desks and m.dynamic
        }
        for key in have.keys() - wanted.keys():
            await queue_remove(client, *key)
        for key, member in wanted.items():
            current = have.get(key)
            if current is None or current.name != member.name:
                if current is not None:
                    await queue_remove(client, *key)
                await queue_add(client, *key, member.name, paused=member.paused)
            elif current.paused != member.paused:
                await queue_pause(client, *key, paused=member.paused)
        LOGGER.debug("Queue members: %d wanted, %d were there", len(wanted), len(have))
