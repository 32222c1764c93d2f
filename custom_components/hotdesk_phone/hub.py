"""The push hub: one AMI connection per entry, calls, logins, AstDB sync.

Like WLED's coordinator, the hub holds a long-lived connection and pushes
changes to entities; nothing is polled. It is the HA glue around the pure
directory and call tracker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
)
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    Event,
    EventOrigin,
    HomeAssistant,
    callback,
)
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_time_change,
)
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .ami import AmiActionError, AmiClient, AmiError, AmiEvent, db_put_fits
from .const import (
    ASTDB_FAMILY,
    ASTDB_SUBFAMILIES,
    CONF_AUTO_LOGOUT_HOURS,
    CONF_AUTO_LOGOUT_TIME,
    CONF_MULTIPLE_LOGINS,
    CONF_SCAN_DEBOUNCE_SECONDS,
    CONTEXT_CLAIM,
    CONTEXT_UNANSWERED,
    DEFAULT_SCAN_DEBOUNCE,
    DOMAIN,
    EVENT_CALL_ANSWERED,
    EVENT_CALL_CLAIMED,
    EVENT_CALL_ENDED,
    EVENT_CALL_MISSED,
    EVENT_CLAIM_REFUSED,
    EVENT_INCOMING_CALL,
    EVENT_LOGIN,
    EVENT_LOGOUT,
    EVENT_UNKNOWN_TAG,
    LOGGER,
    VIA_TAG,
)
from .directory import Desk, RouteTooLongError, normalize_tag
from .notifications import CallNotifier
from .pcsc import PcscMonitor, async_start_monitor
from .readers import CardReaders
from .subentries import directory_from_entry
from .tracker import (
    Call,
    CallTracker,
    ClaimRefusedError,
    Notice,
    NoticeKind,
    ScanAction,
)

STORAGE_VERSION = 1
# Seconds a login change waits before it is stored, so a burst makes one write.
LOGIN_SAVE_DELAY = 1.0
# Seconds between AMI keep-alive pings (a half-open link is dropped after
# one unanswered ping).
KEEPALIVE_INTERVAL = 20.0
# DBPut actions in flight at once while the AstDB tree is rewritten: enough
# to keep the link busy, few enough that a tree of thousands of keys does not
# make thousands of tasks live at once (their garbage made Python's
# whole-heap collections in a large HA instance the main cost of a resync).
ASTDB_WINDOW = 64
# Recent (tag, scanner) taps kept for the repeat check before old ones are
# dropped: bounds memory under a flood of random tags.
MAX_REMEMBERED_SCANS = 1000

_CALL_EVENTS = {
    NoticeKind.INCOMING: EVENT_INCOMING_CALL,
    NoticeKind.CLAIMED: EVENT_CALL_CLAIMED,
    NoticeKind.ANSWERED: EVENT_CALL_ANSWERED,
    NoticeKind.MISSED: EVENT_CALL_MISSED,
    NoticeKind.ENDED: EVENT_CALL_ENDED,
}


def _subscribe[T](
    groups: dict[str | None, list[T]], key: str | None, item: T
) -> CALLBACK_TYPE:
    """Add ``item`` to the group ``key``; returns its remover."""
    group = groups.setdefault(key, [])
    group.append(item)
    return lambda: group.remove(item)


def _owners(notices: Iterable[Notice]) -> list[str]:
    """The desks and accounts whose entities some notices change."""
    owners: list[str] = []
    for notice in notices:
        if notice.desk_id is not None:
            owners.append(notice.desk_id)
        if notice.call is not None:
            owners.append(notice.call.account_id)
    return owners


@dataclass(kw_only=True)
class HotdeskRuntimeData:
    """What a loaded entry keeps in ``entry.runtime_data``."""

    hub: HotdeskHub


type HotdeskConfigEntry = ConfigEntry[HotdeskRuntimeData]
type CallListener = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """What a claim attempt did."""

    claimed: bool
    reason: str | None = None
    call: Call | None = None


class HotdeskHub:
    """Runtime state of one PBX entry."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Prepare; nothing connects until ``async_start``."""
        self.hass = hass
        self.entry = entry
        self.directory, self.accounts_without_desk = directory_from_entry(entry)
        self.logins: dict[str, str] = {}  # desk id -> account id
        self.login_times: dict[str, datetime] = {}
        self.tracker = CallTracker(self.directory, self.logins)
        self.client = AmiClient(
            host=entry.data[CONF_HOST],
            port=entry.data[CONF_PORT],
            username=entry.data[CONF_USERNAME],
            secret=entry.data[CONF_PASSWORD],
            on_event=self._on_ami_event,
            on_connected=self._on_connected,
            on_disconnected=self._on_disconnected,
            on_auth_failed=self._on_auth_failed,
            ping_interval=KEEPALIVE_INTERVAL,
        )
        self.connected = False
        self.asterisk_version: str | None = None
        self.last_resync_seconds: float | None = None
        self._written: dict[str, str] = {}
        # How claims whose Redirect got no reply came (via, context), by call.
        self._claim_origins: dict[str, tuple[str, Context | None]] = {}
        # AstDB keys whose value cannot be written (None: not checked yet).
        self._too_long: list[str] | None = None
        # Entity updates by owner: a desk or account id, None for the PBX's.
        self._listeners: dict[str | None, list[CALLBACK_TYPE]] = {}
        self._calls_shown = -1  # the number of calls the PBX's entities show
        self._unsubs: list[CALLBACK_TYPE] = []
        self._logout_timers: dict[str, CALLBACK_TYPE] = {}
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.logins"
        )
        self._sync_lock = asyncio.Lock()
        self._logins_unsaved = False
        self._was_connected = False
        # Call event listeners by account id; None: every account's events.
        self._call_listeners: dict[str | None, list[CallListener]] = {}
        self.card_readers = CardReaders(
            hass, entry, self.directory, self._on_unmatched_reader_scan
        )
        self.pcsc: PcscMonitor | None = None
        self._last_scans: dict[tuple[str, str | None], float] = {}

    # Life cycle.

    async def async_start(self) -> None:
        """Load logins, connect (raising on failure) and listen for scans.

        On any failure everything started so far is stopped again: a failed
        setup must leave no AMI session and no reconnect task behind.
        """
        try:
            await self._async_start()
        except BaseException:
            await self.async_stop()
            raise

    async def _async_start(self) -> None:
        await self._load_logins()
        await self.client.connect()
        self._unsubs.append(
            self.hass.bus.async_listen("tag_scanned", self._on_tag_scanned)
        )
        self.card_readers.async_setup()
        self.pcsc = await async_start_monitor(
            self.hass,
            self.entry,
            self.card_readers.pcsc_names,
            self.card_readers.async_scan_pcsc,
        )
        self._unsubs.extend(CallNotifier(self.hass, self).async_start())
        daily = self.entry.options.get(CONF_AUTO_LOGOUT_TIME)
        if daily:
            at = time.fromisoformat(daily)
            self._unsubs.append(
                async_track_time_change(
                    self.hass,
                    self._daily_logout,
                    hour=at.hour,
                    minute=at.minute,
                    second=at.second,
                )
            )
        for desk_id in list(self.logins):
            self._schedule_auto_logout(desk_id)

    async def async_stop(self) -> None:
        """Stop listening and close the connection."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        for cancel in self._logout_timers.values():
            cancel()
        self._logout_timers.clear()
        if self.pcsc is not None:
            await self.pcsc.async_stop()
            self.pcsc = None
        if self._logins_unsaved:  # unload or reload: the next hub reads them
            await self._store.async_save(self._logins_data())
        await self.client.close()
        self.connected = False

    @callback
    def async_add_listener(
        self, update: CALLBACK_TYPE, owner: str | None = None
    ) -> CALLBACK_TYPE:
        """Call ``update`` when its owner changes; returns the remover.

        ``owner`` is the desk or account id whose state ``update`` shows
        (None: the PBX's own entities, which show the connection and the
        number of calls: told when either changes). An AMI event then updates
        only the entities it concerns, so its cost does not grow with the
        number of desks and accounts.
        """
        return _subscribe(self._listeners, owner, update)

    @callback
    def async_add_call_listener(
        self, listener: CallListener, account_id: str | None = None
    ) -> CALLBACK_TYPE:
        """Call ``listener(event_type, data)`` for every call event fired.

        With ``account_id``, only for that account's calls.
        """
        return _subscribe(self._call_listeners, account_id, listener)

    @callback
    def _notify(self, owners: Iterable[str | None] | None = None) -> None:
        """Update the entities of ``owners`` (all when None).

        The PBX's entities are updated with every owner's when the number of
        calls changed since they were last told.
        """
        calls = len(self.tracker.calls)
        if owners is None:
            groups = list(self._listeners.values())
            self._calls_shown = calls
        else:
            wanted = dict.fromkeys(owners)
            if calls != self._calls_shown:
                wanted[None] = None
                self._calls_shown = calls
            groups = [g for o in wanted if (g := self._listeners.get(o))]
        for group in groups:
            for update in list(group):
                update()

    # Connection.

    async def _on_connected(self) -> None:
        started = asyncio.get_running_loop().time()
        settings = await self.client.core_settings()
        self.asterisk_version = settings.get("AsteriskVersion") or None
        await self._rewrite_astdb()
        notices = self.tracker.resync_desk_states(await self.client.device_states())
        channels = await self.client.active_channels()
        notices += self.tracker.resync_channels(channels)
        self.last_resync_seconds = asyncio.get_running_loop().time() - started
        if not self.connected and self._was_connected:
            LOGGER.info("Connection to the PBX is back")
        self.connected = True
        self._was_connected = True
        self._apply_reconciled(notices)
        self._notify()

    @callback
    def _on_disconnected(self) -> None:
        if self.connected:
            LOGGER.warning(
                "Lost the connection to the PBX at %s:%s; reconnecting",
                self.client.host,
                self.client.port,
            )
        self.connected = False
        self._notify()

    @callback
    def _on_auth_failed(self) -> None:
        LOGGER.warning("The PBX refused the AMI credentials; please re-authenticate")
        self.entry.async_start_reauth(self.hass)

    @callback
    def _on_ami_event(self, event: AmiEvent) -> None:
        notices = self.tracker.handle(event.name, event.headers)
        if notices:
            self._apply(notices)
            self._notify(_owners(notices))

    # AstDB.

    async def _rewrite_astdb(self) -> None:
        """Replace the whole hotdesk tree (after each login to the PBX).

        A family holding a value that cannot be written is not cleared: the
        PBX keeps routing by that key's old value (a repair issue says so),
        and only the stale keys we know of are deleted from it.
        """
        async with self._sync_lock:
            tree = self.directory.astdb(self.logins)
            good, bad = self._split_writable(tree)
            kept = {key.partition("/")[0] for key in bad}
            # One connection handles actions in order, so the deletes land
            # before the writes even though nothing waits in between.
            await asyncio.gather(
                *(
                    self.client.db_del_tree(f"{ASTDB_FAMILY}/{family}")
                    for family in ASTDB_SUBFAMILIES
                    if family not in kept
                )
            )
            await self._put_all(good.items())
            await asyncio.gather(
                *(
                    self._del(key)
                    for key in self._written
                    if key not in tree and key.partition("/")[0] in kept
                )
            )
            self._written = self._after_write(good, bad)
            self._update_too_long_issue(bad)

    def _split_writable(self, tree: dict[str, str]) -> tuple[dict[str, str], list[str]]:
        """The items AMI can carry, and the keys whose value it cannot."""
        good: dict[str, str] = {}
        bad: list[str] = []
        for key, value in tree.items():
            family, _, name = key.partition("/")
            if db_put_fits(f"{ASTDB_FAMILY}/{family}", name, value):
                good[key] = value
            else:
                bad.append(key)
        return good, sorted(bad)

    def _after_write(self, good: dict[str, str], bad: list[str]) -> dict[str, str]:
        """What the PBX holds now: the new values, the old ones of ``bad``."""
        return {**{k: self._written[k] for k in bad if k in self._written}, **good}

    def _update_too_long_issue(self, bad: list[str]) -> None:
        """Raise (or clear) the repair issue for values AMI cannot carry."""
        issue_id = f"astdb_value_too_long_{self.entry.entry_id}"
        if bad == self._too_long:
            return
        self._too_long = bad
        if not bad:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        LOGGER.error(
            "AstDB values longer than one AMI line were not written (the PBX "
            "keeps their previous values): %s",
            ", ".join(bad),
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="astdb_value_too_long",
            translation_placeholders={"keys": ", ".join(bad)},
        )

    def _check_login_fits(self, account_id: str, desk_id: str) -> None:
        """Refuse a login whose route would not fit, before anything changes.

        Raises ``RouteTooLongError`` (a ``DirectoryError``).
        """
        self.directory.check_login(
            account_id,
            desk_id,
            self.logins,
            keep_other_logins=self.entry.options.get(CONF_MULTIPLE_LOGINS, True),
        )

    async def _put_all(self, items: Iterable[tuple[str, str]]) -> None:
        """DBPut every item, pipelined: ``ASTDB_WINDOW`` actions in flight."""
        pending = iter(items)

        async def worker() -> None:
            for key, value in pending:
                await self._put(key, value)

        await asyncio.gather(*(worker() for _ in range(ASTDB_WINDOW)))

    async def _put(self, key: str, value: str) -> None:
        family, _, name = key.partition("/")
        await self.client.db_put(f"{ASTDB_FAMILY}/{family}", name, value)

    async def _del(self, key: str) -> None:
        family, _, name = key.partition("/")
        await self.client.db_del(f"{ASTDB_FAMILY}/{family}", name)

    async def async_sync_astdb(self) -> None:
        """Write what changed since the last write; delete what is gone."""
        if not self.client.connected:
            return  # the next login rewrites everything
        async with self._sync_lock:
            tree = self.directory.astdb(self.logins)
            good, bad = self._split_writable(tree)
            changed = [k for k, v in good.items() if self._written.get(k) != v]
            removed = [k for k in self._written if k not in tree]
            try:
                await asyncio.gather(
                    *(self._put(k, good[k]) for k in changed),
                    *(self._del(k) for k in removed),
                )
            except AmiActionError as err:
                LOGGER.warning("The PBX refused an AstDB update: %s", err)
                return  # retried whole after the next connect
            except AmiError as err:
                LOGGER.debug("AstDB update postponed to the next connect: %s", err)
                return
            self._written = self._after_write(good, bad)
            self._update_too_long_issue(bad)

    # Notices -> HA events.

    @callback
    def _apply(
        self, notices: list[Notice], via: str = VIA_TAG, context: Context | None = None
    ) -> None:
        """Fire the events of ``notices``; ``via`` and ``context``: how claims came."""
        for notice in notices:
            event_type = _CALL_EVENTS.get(notice.kind)
            if event_type is None or notice.call is None:
                continue
            data = self.call_event_data(notice.call)
            if notice.kind is NoticeKind.INCOMING:
                data["desks"] = sorted(notice.call.allowed_desks)
            if notice.desk_id is not None:
                data["desk_id"] = notice.desk_id
                data["desk"] = self._desk_name(notice.desk_id)
            if notice.kind is NoticeKind.CLAIMED:
                data["from_desks"] = list(notice.call.claimed_from)
                data["via"] = via
                data["user_id"] = context.user_id if context else None
            if notice.kind is NoticeKind.ENDED and notice.call.outcome is not None:
                data["outcome"] = notice.call.outcome.value
            claim_context = context if notice.kind is NoticeKind.CLAIMED else None
            self.hass.bus.async_fire(event_type, data, context=claim_context)
            for account in (None, notice.call.account_id):
                for listener in list(self._call_listeners.get(account, ())):
                    listener(event_type, data)

    def call_event_data(self, call: Call) -> dict[str, Any]:
        """The fields every call event carries."""
        account = self.directory.accounts.get(call.account_id)
        return {
            "call_id": call.call_id,
            "account_id": call.account_id,
            "account": account.name if account else None,
            "extension": call.extension,
            "caller_id_number": call.caller_id_number,
            "caller_id_name": call.caller_id_name,
        }

    def _desk_name(self, desk_id: str) -> str | None:
        desk = self.directory.desks.get(desk_id)
        return desk.name if desk else None

    # Scans, claims, logins.

    @callback
    def _on_tag_scanned(self, event: Event) -> None:
        # Only HA's own tag component (and our readers through it) scan: a
        # tag_scanned fired remotely (a companion app's fire_event webhook,
        # POST /api/events) could name any tag at any desk.
        if event.origin is not EventOrigin.local:
            LOGGER.debug(
                "Ignored a tag_scanned event fired remotely by user %s",
                event.context.user_id,
            )
            return
        tag_id = event.data.get("tag_id")
        device_id = event.data.get("device_id")
        if not isinstance(tag_id, str) or not isinstance(device_id, str | None):
            LOGGER.debug("Ignored a malformed tag_scanned event: %s", event.data)
            return
        if self._is_repeat(tag_id, device_id):
            return
        reader = self.card_readers.reader_of_device(device_id) if device_id else None
        if reader is not None and device_id is not None:  # PC/SC or bridge
            desk = self.directory.desk_by_reader(reader)
            via = self.card_readers.via_of_device(device_id)
        else:
            desk = self.directory.desk_by_scanner(device_id) if device_id else None
            via = VIA_TAG
        self.hass.async_create_task(
            self.async_handle_desk_scan(
                tag_id, desk, device_id, via, context=event.context
            ),
            eager_start=True,
        )

    def _is_repeat(self, tag_id: str, device_id: str | None) -> bool:
        """Whether this is the same tag at the same scanner within the window.

        A card held a little too long, a double tap or a retried post is one
        tap: without this, a login would be undone by its own echo.
        """
        window = float(
            self.entry.options.get(CONF_SCAN_DEBOUNCE_SECONDS, DEFAULT_SCAN_DEBOUNCE)
        )
        now = dt_util.utcnow().timestamp()  # HA's clock: tests can move it
        key = (normalize_tag(tag_id), device_id)
        last = self._last_scans.get(key)
        self._last_scans[key] = now
        if len(self._last_scans) > MAX_REMEMBERED_SCANS:
            # Forget taps older than the window (a flood of random tags).
            self._last_scans = {
                k: t for k, t in self._last_scans.items() if now - t < window
            }
        if last is not None and now - last < window:
            LOGGER.debug("Repeated scan at %s within %.1f s ignored", device_id, window)
            return True
        return False

    async def _on_unmatched_reader_scan(
        self, device_id: str, tag_id: str, via: str, context: Context | None
    ) -> None:
        """A reader read a card no account knows (not an HA tag: see readers)."""
        if self._is_repeat(tag_id, device_id):
            return
        reader = self.card_readers.reader_of_device(device_id)
        desk = self.directory.desk_by_reader(reader) if reader else None
        await self.async_handle_desk_scan(tag_id, desk, device_id, via, context=context)

    async def async_handle_desk_scan(
        self,
        tag_id: str,
        desk: Desk | None,
        device_id: str | None,
        via: str,
        *,
        context: Context | None = None,
    ) -> None:
        """S103: a scan at a desk claims a ringing call, or logs in/out."""
        account = self.directory.account_by_tag(tag_id)
        if account is None or desk is None:
            LOGGER.debug(
                "Scan on %s matches no %s",
                device_id,
                "account" if account is None else "desk",
            )
            self.hass.bus.async_fire(
                EVENT_UNKNOWN_TAG,
                {
                    "tag_id": tag_id,
                    "device_id": device_id,
                    "desk_id": desk.desk_id if desk else None,
                    # A known person on a reader that is no desk's: blueprints
                    # can still claim their call to a chosen desk.
                    "account_id": account.account_id if account else None,
                    "extension": account.extension if account else None,
                },
                context=context,
            )
            return
        decision = self.tracker.decide_scan(account.account_id, desk.desk_id)
        LOGGER.debug(
            "Scan of %s's tag at %s (%s): %s",
            account.name,
            desk.name,
            via,
            decision.action.name.lower(),
        )
        if decision.action is ScanAction.CLAIM and decision.call is not None:
            await self.async_claim(
                decision.call.call_id, desk.desk_id, via, context=context
            )
        elif decision.action is ScanAction.REFUSE and decision.call is not None:
            self._refuse(
                decision.call, desk.desk_id, decision.reason or "", via, context
            )
        elif decision.action is ScanAction.LOGOUT:
            await self.async_logout(desk.desk_id, context=context)
        else:
            try:
                await self.async_login(
                    account.account_id, desk.desk_id, context=context
                )
            except RouteTooLongError as err:
                LOGGER.warning(
                    "%s cannot log in at %s: %s", account.name, desk.name, err
                )

    @callback
    def _refuse(
        self,
        call: Call,
        desk_id: str,
        reason: str,
        via: str,
        context: Context | None = None,
    ) -> None:
        LOGGER.info(
            "Claim of call %s to %s refused: %s",
            call.call_id,
            self._desk_name(desk_id),
            reason,
        )
        self.hass.bus.async_fire(
            EVENT_CLAIM_REFUSED,
            {
                **self.call_event_data(call),
                "desk_id": desk_id,
                "desk": self._desk_name(desk_id),
                "reason": reason,
                "via": via,
                "user_id": context.user_id if context else None,
            },
            context=context,
        )

    async def async_claim(
        self,
        call_id: str,
        desk_id: str,
        via: str,
        *,
        context: Context | None = None,
    ) -> ClaimResult:
        """S104: move a ringing call to one desk; the first claim wins.

        Callers have checked who acts (``context``: for the events only).
        """
        try:
            call = self.tracker.begin_claim(call_id, desk_id)
        except ClaimRefusedError as err:
            existing = self.tracker.calls.get(call_id)
            if existing is not None:
                self._refuse(existing, desk_id, err.reason, via, context)
            return ClaimResult(claimed=False, reason=err.reason, call=existing)
        redirected: bool | None = True
        try:
            await self.client.redirect(call.caller_channel, CONTEXT_CLAIM, desk_id)
        except AmiActionError as err:
            LOGGER.warning("Redirect of call %s refused: %s", call_id, err)
            redirected = False
        except AmiError as err:
            # No reply (the link dropped, or the reply is late): the call may
            # have moved. The PBX's channels tell; till then it stays
            # reserved, so no second claim moves it.
            LOGGER.warning(
                "Redirect of call %s got no reply (%s); asking the PBX", call_id, err
            )
            redirected = None
        notices = self.tracker.finish_claim(call, desk_id, redirected=redirected)
        self._apply(notices, via, context)
        self._notify(_owners(notices))
        if call.claim_unsure:
            self._claim_origins[call_id] = (via, context)
            await self._async_reconcile_calls()
        if call.claimed_desk == desk_id:
            LOGGER.debug(
                "Call %s moved to %s (%s)", call_id, self._desk_name(desk_id), via
            )
            return ClaimResult(claimed=True, call=call)
        if call.claim_unsure:
            # Resolved after the reconnect (resync) or by the PBX's events.
            return ClaimResult(claimed=False, reason="redirect_unconfirmed", call=call)
        if redirected is False:
            self._refuse(call, desk_id, "redirect_failed", via, context)
        # (A claim found not to have moved was reported by the reconcile.)
        return ClaimResult(claimed=False, reason="redirect_failed", call=call)

    async def _async_reconcile_calls(self) -> None:
        """Read the PBX's channels now and bring the calls to them."""
        if not self.client.connected:
            return  # the resync after the reconnect does it
        try:
            channels = await self.client.active_channels()
        except AmiError as err:
            LOGGER.debug("Channel list for reconciling calls failed: %s", err)
            return
        notices = self.tracker.resync_channels(channels)
        self._apply_reconciled(notices)
        self._notify(_owners(notices))

    @callback
    def _apply_reconciled(self, notices: list[Notice]) -> None:
        """Fire the events of a reconcile; claims keep how they came."""
        for notice in notices:
            call = notice.call
            if call is None or notice.kind not in (
                NoticeKind.CLAIMED,
                NoticeKind.CLAIM_FAILED,
            ):
                self._apply([notice])
                continue
            via, context = self._claim_origins.pop(call.call_id, (VIA_TAG, None))
            if notice.kind is NoticeKind.CLAIMED:
                self._apply([notice], via, context)
            else:
                self._refuse(
                    call, notice.desk_id or "", "redirect_failed", via, context
                )
        for call_id in [c for c in self._claim_origins if c not in self.tracker.calls]:
            del self._claim_origins[call_id]

    async def async_decline(self, call_id: str) -> bool:
        """Send a ringing call where the dialplan sends unanswered calls."""
        try:
            call = self.tracker.begin_decline(call_id)
        except ClaimRefusedError as err:
            LOGGER.info("Decline of call %s refused: %s", call_id, err.reason)
            return False
        try:
            await self.client.redirect(
                call.caller_channel, CONTEXT_UNANSWERED, call.extension
            )
        except AmiError as err:
            LOGGER.warning("Redirect of declined call %s failed: %s", call_id, err)
            self.tracker.finish_decline(call, redirected=False)
            return False
        self.tracker.finish_decline(call, redirected=True)
        return True

    async def async_login(
        self, account_id: str, desk_id: str, *, context: Context | None = None
    ) -> None:
        """Hot-desk login: the desk rings for the account and uses its number."""
        previous = self.logins.get(desk_id)
        if previous == account_id:
            return
        self._check_login_fits(account_id, desk_id)
        if previous is not None:
            await self._logout(desk_id, "replaced", context)
        moved: list[str] = []
        if not self.entry.options.get(CONF_MULTIPLE_LOGINS, True):
            for other, owner in list(self.logins.items()):
                if owner == account_id:
                    await self._logout(other, "moved", context)
                    moved.append(other)
        self.logins[desk_id] = account_id
        self.login_times[desk_id] = dt_util.utcnow()
        self._schedule_auto_logout(desk_id)
        self._save_logins()
        await self.async_sync_astdb()
        data = self._login_event_data(desk_id, context)
        LOGGER.debug("%s logged in at %s", data["account"], data["desk"])
        self.hass.bus.async_fire(EVENT_LOGIN, data, context=context)
        self._notify([desk_id, *moved])

    async def async_logout(
        self, desk_id: str, reason: str = "scan", *, context: Context | None = None
    ) -> None:
        """End the login at a desk (nothing happens without one)."""
        if desk_id not in self.logins:
            return
        await self._logout(desk_id, reason, context)
        self._notify([desk_id])

    async def _logout(
        self, desk_id: str, reason: str, context: Context | None = None
    ) -> None:
        LOGGER.debug("Logout at %s (%s)", self._desk_name(desk_id), reason)
        data = self._login_event_data(desk_id, context)
        self.logins.pop(desk_id, None)
        self.login_times.pop(desk_id, None)
        if (cancel := self._logout_timers.pop(desk_id, None)) is not None:
            cancel()
        self._save_logins()
        await self.async_sync_astdb()
        self.hass.bus.async_fire(
            EVENT_LOGOUT, {**data, "reason": reason}, context=context
        )

    def _login_event_data(
        self, desk_id: str, context: Context | None = None
    ) -> dict[str, Any]:
        account = self.directory.accounts.get(self.logins.get(desk_id, ""))
        return {
            "user_id": context.user_id if context else None,
            "account_id": account.account_id if account else None,
            "account": account.name if account else None,
            "extension": account.extension if account else None,
            "desk_id": desk_id,
            "desk": self._desk_name(desk_id),
        }

    # Automatic logout and persistence.

    def _schedule_auto_logout(self, desk_id: str) -> None:
        hours = float(self.entry.options.get(CONF_AUTO_LOGOUT_HOURS, 0) or 0)
        if hours <= 0 or desk_id not in self.login_times:
            return
        if (cancel := self._logout_timers.pop(desk_id, None)) is not None:
            cancel()
        due = self.login_times[desk_id] + timedelta(hours=hours)

        async def expire(_: datetime) -> None:
            self._logout_timers.pop(desk_id, None)
            await self.async_logout(desk_id, reason="timeout")

        self._logout_timers[desk_id] = async_track_point_in_utc_time(
            self.hass, expire, max(due, dt_util.utcnow())
        )

    async def _daily_logout(self, _: datetime) -> None:
        for desk_id in list(self.logins):
            await self._logout(desk_id, "daily")
        self._notify()

    async def _load_logins(self) -> None:
        stored = await self._store.async_load() or {}
        for desk_id, item in stored.get("logins", {}).items():
            account_id = item.get("account_id")
            if (
                desk_id in self.directory.desks
                and account_id in self.directory.accounts
            ):
                self.logins[desk_id] = account_id
                since = dt_util.parse_datetime(item.get("since", ""))
                self.login_times[desk_id] = since or dt_util.utcnow()

    @callback
    def _save_logins(self) -> None:
        """Store the logins soon: a burst of scans makes one write, not one each."""
        self._logins_unsaved = True
        self._store.async_delay_save(self._logins_data, LOGIN_SAVE_DELAY)

    def _logins_data(self) -> dict[str, Any]:
        self._logins_unsaved = False
        return {
            "logins": {
                desk_id: {
                    "account_id": account_id,
                    "since": self.login_times[desk_id].isoformat(),
                }
                for desk_id, account_id in self.logins.items()
            }
        }
