"""Hot-desk logins: who is logged in at which desk, since when; who is on DND.

Kept in HA's storage (a burst of changes makes one write) and ended by the
entry's options: after N hours, and everyone at a time of day. What a login
means for routing and events is the hub's business; this module only keeps
the book and says when one expires.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_time_change,
)
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import CONF_AUTO_LOGOUT_HOURS, CONF_AUTO_LOGOUT_TIME, DOMAIN
from .directory import Directory
from .login_index import LoginIndex

if TYPE_CHECKING:
    from .models import HotdeskConfigEntry

STORAGE_VERSION = 1
# Seconds a login change waits before it is stored, so a burst makes one write.
LOGIN_SAVE_DELAY = 1.0

# Ends one desk's login: (desk id, reason).
type ExpireLogin = Callable[[str, str], Awaitable[None]]
# Ends every login (the daily logout).
type ExpireAll = Callable[[], Awaitable[None]]


class LoginBook:
    """The entry's logins; ``logins`` (an index) is shared with the call tracker."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: HotdeskConfigEntry,
        on_expire: ExpireLogin,
        on_daily: ExpireAll,
    ) -> None:
        """Start empty; ``async_load`` reads the stored logins."""
        self.hass = hass
        self.entry = entry
        # Desk id -> account id, and each account's desks. Read by all;
        # changed only here (``add``, ``remove``, ``async_load``).
        self.logins = LoginIndex()
        self.since: dict[str, datetime] = {}
        self.dnd: set[str] = set()  # account ids on do not disturb
        self._on_expire = on_expire
        self._on_daily = on_daily
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self._daily: CALLBACK_TYPE | None = None
        self._unsaved = False
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.logins"
        )

    async def async_load(self, directory: Directory) -> None:
        """Read the stored logins of desks and accounts that still exist."""
        stored = await self._store.async_load() or {}
        self.dnd = {a for a in stored.get("dnd", []) if a in directory.accounts}
        for desk_id, item in stored.get("logins", {}).items():
            account_id = item.get("account_id")
            if desk_id in directory.desks and account_id in directory.accounts:
                self.logins.set(desk_id, account_id)
                since = dt_util.parse_datetime(item.get("since", ""))
                self.since[desk_id] = since or dt_util.utcnow()

    @callback
    def async_start_timers(self) -> None:
        """Expire logins by the options from now on."""
        daily = self.entry.options.get(CONF_AUTO_LOGOUT_TIME)
        if daily:
            at = time.fromisoformat(daily)
            self._daily = async_track_time_change(
                self.hass,
                self._daily_logout,
                hour=at.hour,
                minute=at.minute,
                second=at.second,
            )
        for desk_id in list(self.logins):
            self._schedule_expiry(desk_id)

    @callback
    def async_restart_timers(self) -> None:
        """The options changed: expire logins by the new ones from now on."""
        self._cancel_timers()
        self.async_start_timers()

    def _cancel_timers(self) -> None:
        if self._daily is not None:
            self._daily()
            self._daily = None
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()

    async def async_stop(self) -> None:
        """Stop the timers; store what is not stored yet."""
        self._cancel_timers()
        if self._unsaved:  # unload or reload: the next book reads them
            await self._store.async_save(self._data())

    @callback
    def add(self, desk_id: str, account_id: str) -> None:
        """Record a login now."""
        self.logins.set(desk_id, account_id)
        self.since[desk_id] = dt_util.utcnow()
        self._schedule_expiry(desk_id)
        self._save()

    @callback
    def set_dnd(self, account_id: str, on: bool) -> None:
        """Turn an account's do not disturb on or off."""
        if on:
            self.dnd.add(account_id)
        else:
            self.dnd.discard(account_id)
        self._save()

    @callback
    def remove(self, desk_id: str) -> None:
        """Forget a desk's login."""
        self.logins.unset(desk_id)
        self.since.pop(desk_id, None)
        if (cancel := self._timers.pop(desk_id, None)) is not None:
            cancel()
        self._save()

    def _schedule_expiry(self, desk_id: str) -> None:
        hours = float(self.entry.options.get(CONF_AUTO_LOGOUT_HOURS, 0) or 0)
        if hours <= 0 or desk_id not in self.since:
            return
        if (cancel := self._timers.pop(desk_id, None)) is not None:
            cancel()
        due = self.since[desk_id] + timedelta(hours=hours)

        async def expire(_: datetime) -> None:
            self._timers.pop(desk_id, None)
            await self._on_expire(desk_id, "timeout")

        self._timers[desk_id] = async_track_point_in_utc_time(
            self.hass, expire, max(due, dt_util.utcnow())
        )

    async def _daily_logout(self, _: datetime) -> None:
        await self._on_daily()

    @callback
    def _save(self) -> None:
        """Store the logins soon: a burst of scans makes one write, not one each."""
        self._unsaved = True
        self._store.async_delay_save(self._data, LOGIN_SAVE_DELAY)

    def _data(self) -> dict[str, Any]:
        self._unsaved = False
        return {
            "logins": {
                desk_id: {
                    "account_id": account_id,
                    "since": self.since[desk_id].isoformat(),
                }
                for desk_id, account_id in self.logins.items()
            },
            "dnd": sorted(self.dnd),
        }
