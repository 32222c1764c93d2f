"""Busy lamps follow the person: the hint of an extension shows where it sits.

The shipped dialplan gives every extension a hint on a custom device state
(``Custom:hotdesk-<extension>``), so a colleague's BLF key for 101 subscribes
to Alice rather than to a fixed phone. This keeps each account's custom state
equal to what the person is doing: ``UNAVAILABLE`` while do not disturb is on,
``INUSE`` while on a call at a desk where the person sits (the desks where the
account is logged in, else its home desks) or on its answered call,
``RINGING`` while its call rings (``RINGINUSE`` both), else ``NOT_INUSE``.

States are written with AMI ``Setvar`` of ``DEVICE_STATE(Custom:...)``; Asterisk
keeps them in its AstDB (family ``CustomDevstate``), so they outlive a restart
of Home Assistant. After each connect the family is read and only what differs
is written; an idle account whose state the PBX does not hold needs nothing
(an unknown custom state shows as idle).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from .ami_errors import AmiError
from .const import LOGGER
from .tracker import CallPhase, DeskState

if TYPE_CHECKING:
    from .directory import Account
    from .hub import HotdeskHub

CUSTOM_FAMILY: Final = "CustomDevstate"
PREFIX: Final = "hotdesk-"
IDLE: Final = "NOT_INUSE"
# Setvar actions in flight at once: a hundred calls ringing at once write a
# hundred lamps without queueing them behind each other's replies.
WINDOW: Final = 32


def device(extension: str) -> str:
    """The custom device an extension's hint follows."""
    return f"Custom:{PREFIX}{extension}"


def lamp_state(hub: HotdeskHub, account: Account) -> str:
    """What a BLF key for this account shows now."""
    if account.account_id in hub.login_book.dnd:
        return "UNAVAILABLE"
    logged_in = hub.logins.desks_of(account.account_id)
    sitting = logged_in or list(account.home_desks)
    states = hub.tracker.desk_states
    call = hub.tracker.call_for_account(account.account_id)
    in_use = any(states.get(d) is DeskState.IN_CALL for d in sitting) or (
        call is not None and call.phase is CallPhase.ANSWERED
    )
    ringing = call is not None and call.phase is CallPhase.RINGING
    if in_use and ringing:
        return "RINGINUSE"
    if in_use:
        return "INUSE"
    return "RINGING" if ringing else IDLE


class BusyLamps:
    """Writes each account's lamp state to the PBX when it changes."""

    def __init__(self, hass: HomeAssistant, hub: HotdeskHub) -> None:
        """Follow this hub's accounts and desks."""
        self.hass = hass
        self.hub = hub
        self.written: dict[str, str] = {}  # extension -> state the PBX holds
        self._dirty: set[str] = set()  # account ids to look at
        self._gone: set[str] = set()  # extensions no account has any more
        self._flush: asyncio.Task[None] | None = None
        self._connected = False
        self._lock = asyncio.Lock()

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Listen to every account and desk; returns the remover."""
        removers = [
            self.hub.async_add_directory_listener(self._on_directory),
            self.hub.updates.async_add_listener(self._on_pbx, None),
            self.hub.updates.async_add_owners_listener(self._on_owners),
        ]
        self._on_pbx()

        @callback
        def stop() -> None:
            for remove in removers:
                remove()

        return stop

    @callback
    def _on_owners(self, owners: list[str] | None) -> None:
        """Desks or accounts changed: look at the lamps they concern."""
        directory = self.hub.directory
        if owners is None:
            self._mark(directory.accounts)
            return
        accounts: list[str] = []
        for owner in owners:
            if owner in directory.accounts:
                accounts.append(owner)
            elif owner in directory.desks:
                accounts += self._accounts_at(owner)
        self._mark(accounts)

    @callback
    def _on_directory(self, changed: list[str]) -> None:
        """Only what changed: an office of 10,000 seats changes one at a time."""
        directory = self.hub.directory
        accounts = [a for a in changed if a in directory.accounts]
        for desk_id in changed:
            accounts += self._accounts_at(desk_id)
        # A removed account's (or an old extension's) lamp goes dark.
        extensions = {a.extension for a in directory.accounts.values()}
        self._gone.update(
            ext
            for ext, state in self.written.items()
            if state != IDLE and ext not in extensions
        )
        self._mark(accounts)

    @callback
    def _on_pbx(self) -> None:
        connected = self.hub.connected
        if connected and not self._connected:
            self.hub.entry.async_create_background_task(
                self.hass, self.async_resync(), "hotdesk_phone busy lamps resync"
            )
        self._connected = connected

    def _accounts_at(self, desk_id: str) -> list[str]:
        """The accounts whose lamp a desk shows: homed there, or logged in."""
        accounts = self.hub.directory.accounts_homed_at(desk_id)
        if (login := self.hub.logins.get(desk_id)) is not None:
            accounts.append(login)
        return accounts

    @callback
    def _mark(self, account_ids: Iterable[str]) -> None:
        self._dirty.update(account_ids)
        if not self._dirty and not self._gone:
            return
        if self._flush is None or self._flush.done():
            self._flush = self.hub.entry.async_create_background_task(
                self.hass,
                self._async_flush(),
                "hotdesk_phone busy lamps",
                eager_start=False,
            )

    async def _async_flush(self) -> None:
        """Write the states of the marked accounts that changed."""
        async with self._lock:
            while (self._dirty or self._gone) and self.hub.connected:
                dirty, self._dirty = self._dirty, set()
                accounts = self.hub.directory.accounts
                wanted = dict.fromkeys(self._gone, IDLE)
                self._gone = set()
                wanted.update(
                    (accounts[a].extension, lamp_state(self.hub, accounts[a]))
                    for a in dirty
                    if a in accounts
                )
                await self._write(
                    {
                        ext: state
                        for ext, state in wanted.items()
                        if self.written.get(ext, IDLE) != state
                    }
                )

    async def async_resync(self) -> None:
        """After a connect: read what the PBX holds, write what differs."""
        async with self._lock:
            try:
                held = await self.hub.client.db_get_tree(CUSTOM_FAMILY)
            except AmiError as err:
                # An Asterisk before 18.14: every non-idle state is written.
                LOGGER.debug("Busy lamps: the PBX's states not read: %s", err)
                held = {}
            self.written = {
                key.removeprefix(PREFIX): value
                for key, value in held.items()
                if key.startswith(PREFIX)
            }
            wanted = {
                a.extension: lamp_state(self.hub, a)
                for a in self.hub.directory.accounts.values()
            }
            # Lamps of extensions that are gone go dark.
            wanted.update(dict.fromkeys(self.written.keys() - wanted.keys(), IDLE))
            await self._write(
                {
                    ext: state
                    for ext, state in wanted.items()
                    if self.written.get(ext, IDLE) != state
                }
            )
        self._dirty.clear()

    async def _write(self, states: dict[str, str]) -> None:
        """Set these states, pipelined (``WINDOW`` actions in flight at once)."""
        pending = iter(states.items())

        async def worker() -> None:
            for extension, state in pending:
                try:
                    await self.hub.client.set_device_state(device(extension), state)
                except AmiError as err:
                    LOGGER.debug("Busy lamp of %s not set: %s", extension, err)
                    return  # the next connect writes what differs
                self.written[extension] = state

        await asyncio.gather(*(worker() for _ in range(min(WINDOW, len(states)))))
