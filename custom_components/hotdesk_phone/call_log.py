"""Each account's recent calls: when, who called, how it ended, at which desk.

Kept across restarts in HA's storage (a burst of calls makes one write) and
bounded per account. The actions ``call_log`` and ``clear_call_log`` read and
clear it. The board card reads it (through ``call_log``) to show each account's
newest missed call, whose Call back then runs the ``call`` action with that
number. Nothing else looks a number up here: the ``call`` action dials the number
it is given, and the missed-call push's "Call back" button keeps the caller's
number with the push (``notifications.py``).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Final, TypedDict

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .tracker import NoticeKind

if TYPE_CHECKING:
    from .events import CallEvent
    from .hub import HotdeskHub
    from .models import HotdeskConfigEntry

STORAGE_VERSION: Final = 1
# Calls kept per account: a working day's worth for a busy desk.
MAX_CALLS_PER_ACCOUNT: Final = 50
SAVE_DELAY: Final = 5.0


class CallRecord(TypedDict):
    """One ended call, as the log keeps it (newest first)."""

    call_id: str
    started: str  # ISO time the call started ringing
    ended: str
    caller_id_number: str | None
    caller_id_name: str | None
    outcome: str
    desk: str | None  # the desk that answered (or took the claim), by name


class CallLog:
    """The entry's call logs, one per account."""

    def __init__(self, hass: HomeAssistant, entry: HotdeskConfigEntry) -> None:
        """Start empty; ``async_load`` reads the stored log."""
        self.hass = hass
        self._logs: dict[str, deque[CallRecord]] = {}
        self._started: dict[str, str] = {}  # call id -> ISO time it rang
        self._desk: dict[str, str] = {}  # call id -> desk name that took it
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.call_log"
        )

    async def async_load(self) -> None:
        """Read the stored logs."""
        stored = await self._store.async_load() or {}
        for account_id, records in stored.get("accounts", {}).items():
            self._logs[account_id] = deque(records, maxlen=MAX_CALLS_PER_ACCOUNT)

    @callback
    def async_start(self, hub: HotdeskHub) -> CALLBACK_TYPE:
        """Follow the hub's call events; returns the remover."""
        return hub.async_add_call_listener(self._on_call_event)

    async def async_stop(self) -> None:
        """Store what is not stored yet."""
        await self._store.async_save(self._data())

    def calls(self, account_id: str) -> list[CallRecord]:
        """An account's logged calls, newest first."""
        return list(self._logs.get(account_id, ()))

    @callback
    def clear(self, account_id: str) -> None:
        """Forget an account's calls."""
        self._logs.pop(account_id, None)
        self._store.async_delay_save(self._data, SAVE_DELAY)

    @callback
    def _on_call_event(self, event: CallEvent) -> None:
        call_id = event.call.call_id
        if event.kind is NoticeKind.INCOMING:
            self._started[call_id] = dt_util.utcnow().isoformat()
        elif event.kind in (NoticeKind.ANSWERED, NoticeKind.CLAIMED):
            if desk := event.data.get("desk"):
                self._desk[call_id] = desk
        elif event.kind is NoticeKind.ENDED:
            now = dt_util.utcnow().isoformat()
            record = CallRecord(
                call_id=call_id,
                started=self._started.pop(call_id, now),
                ended=now,
                caller_id_number=event.call.caller_id_number or None,
                caller_id_name=event.call.caller_id_name or None,
                outcome=str(event.data.get("outcome", "")),
                desk=self._desk.pop(call_id, None),
            )
            log = self._logs.setdefault(
                event.call.account_id, deque(maxlen=MAX_CALLS_PER_ACCOUNT)
            )
            log.appendleft(record)
            self._store.async_delay_save(self._data, SAVE_DELAY)

    def _data(self) -> dict[str, Any]:
        return {"accounts": {k: list(v) for k, v in self._logs.items() if v}}
