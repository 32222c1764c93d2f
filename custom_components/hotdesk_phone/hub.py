"""The push hub: one AMI connection per entry, its calls, claims and logins.

Like WLED's coordinator, the hub holds a long-lived connection and pushes
changes to entities; nothing is polled. It is the HA glue around the pure
directory and call tracker; the AstDB writer (astdb.py), the login book
(logins.py), the entity updates (entity_updates.py), the claims (claims.py)
and the emergency alerts (emergency_alerts.py) are its parts. The scan
handler (with the card readers), the bookings, the pushes, presence, queues,
busy lamps, mailboxes, the call log and the live changes are built beside it
in the entry's setup (__init__.py); the live changes start and stop the PC/SC
monitor (live.py). The modules built beside it import this one only for type
checking; the entry's setup, the live changes, the platforms and the actions
import it at run time (docs/ARCHITECTURE.md lists them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.event import async_call_later
from homeassistant.util.hass_dict import HassKey

from .ami import AmiClient
from .ami_errors import AmiError
from .ami_tls import AmiCertificateError
from .ami_wire import AmiEvent
from .astdb import AstdbWriter
from .auth import async_check_may_act
from .claims import Claims
from .const import (
    CONF_EMERGENCY,
    CONF_MULTIPLE_LOGINS,
    DOMAIN,
    EVENT_DND,
    EVENT_LOGIN,
    EVENT_LOGOUT,
    LOGGER,
    VIA_TAG,
)
from .directory import Desk, Directory, changed_ids
from .emergency import (
    EmergencyCall,
    EmergencyCalls,
    EmergencySettings,
    desk_keys,
    settings_from_options,
)
from .emergency_alerts import EmergencyAlerts, emergency_tree
from .entity_updates import EntityUpdates, subscribe
from .errors import input_error
from .events import (
    CallEvent,
    call_event,
    dnd_event_data,
    login_event_data,
)
from .logins import LoginBook
from .models import HotdeskConfigEntry
from .pbx_link import exposed, tls_settings
from .presence import (
    UNKNOWN,
    Whereabouts,
)
from .repairs import set_issue
from .routing import astdb_tree, astdb_values, async_astdb_tree, with_dnd_keys
from .sites import (
    Occupant,
    async_desks_changed,
    async_end_others_at,
    async_tell_site,
    links_of,
    occupant,
    site_reachable,
    visitor_at,
)
from .slices import LoopSlices
from .subentries import SubentryCache, directory_from_entry
from .tracker import (
    CallTracker,
    Notice,
    NoticeKind,
    owners_of,
)

# The loop's slices, one for every entry (``slices.py``).
LOOP_SLICES: HassKey[LoopSlices] = HassKey(f"{DOMAIN}_loop_slices")
# Seconds between AMI keep-alive pings (a half-open link is dropped after
# one unanswered ping).
KEEPALIVE_INTERVAL = 20.0
# Seconds the desks' and accounts' entities stay available after the link
# drops. A blip (a network hiccup, a PBX reload: reconnect attempts come 1,
# 2 and 4 s apart) then writes no state; marking every entity unavailable
# and back wrote two states per entity (100,000 at 10,000 seats) into the
# recorder for nothing. The link's own sensor and the emergency call sensor
# follow the link at once.
UNAVAILABLE_AFTER = 10.0
# Accounts and desks whose AstDB keys are named between two looks at the
# loop's slice (``_async_touched_keys``): a few milliseconds of work.
KEYS_PER_TURN = 500


def loop_slices(hass: HomeAssistant) -> LoopSlices:
    """The slices of loop time every entry's long work shares."""
    return hass.data.setdefault(LOOP_SLICES, LoopSlices())


type CallListener = Callable[[CallEvent], None]
type EmergencyListener = Callable[[EmergencyCall], None]


async def async_read_directory(
    hass: HomeAssistant, entry: HotdeskConfigEntry
) -> tuple[SubentryCache, Directory, list[str]]:
    """The entry's directory, read in HA's executor (setup).

    Pure CPU on immutable subentries: an office of 10,000 seats takes
    a tenth of a second or more, the event loop keeps running meanwhile.
    """
    cache = SubentryCache()
    directory, skipped = await hass.async_add_executor_job(
        partial(directory_from_entry, entry, cache, links=links_of(hass, entry))
    )
    return cache, directory, skipped


class HotdeskHub:
    """Runtime state of one PBX entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: HotdeskConfigEntry,
        read: tuple[SubentryCache, Directory, list[str]] | None = None,
    ) -> None:
        """Prepare; nothing connects until ``async_start``.

        ``read``: the entry's directory as ``async_read_directory`` made it
        (read here when None).
        """
        self.hass = hass
        self.entry = entry
        if read is None:
            cache = SubentryCache()
            directory, skipped = directory_from_entry(
                entry, cache, links=links_of(hass, entry)
            )
        else:
            cache, directory, skipped = read
        # Parsed subentries, reused when the directory is rebuilt after a change.
        self.subentry_cache = cache
        # Subentry id -> (the data it was made from, its device's DeviceInfo),
        # shared by the subentry's entities (entity.py).
        self.device_infos: dict[str, tuple[object, DeviceInfo]] = {}
        self.device_id: str | None = None  # the PBX's device, once made
        self.accounts_without_desk = skipped
        self.login_book = LoginBook(
            hass, entry, self._on_login_expired, self._on_daily_logout
        )
        self.logins = self.login_book.logins  # desk id -> account id, indexed
        self.login_times = self.login_book.since
        # Where each account's person is (presence.py tells, through
        # ``set_whereabouts``): account id -> whereabouts, and -> the desks
        # near the person (the tracker reads this very map).
        self.whereabouts: dict[str, Whereabouts] = {}
        self.near: dict[str, tuple[str, ...]] = {}
        self._directory_listeners: list[Callable[[list[str]], None]] = []
        # The tracker holds the directory; the hub and the card readers read
        # it through ``directory`` (one owner, swapped in one place).
        self.tracker = CallTracker(directory, self.logins, self.near)
        # Emergency calls are watched apart from the tracker: they are no
        # account's calls, and nothing of hot-desking may act on them.
        self.emergency_settings = self._read_emergency_settings()
        self.emergencies = EmergencyCalls()
        self._emergency_listeners: list[EmergencyListener] = []
        self.emergency_alerts = EmergencyAlerts(hass, self)
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
            tls=tls_settings(entry.data),
            on_certificate_error=self.certificate_refused,
        )
        # Long work (setup, every entity's update, the resync) in turns.
        # One slice for every entry: two sites' work in turns of their own
        # would hold the loop for a slice each before it turned.
        self.slices = loop_slices(hass)
        self.astdb = AstdbWriter(
            hass,
            entry.entry_id,
            self.client,
            lambda: async_astdb_tree(self),
            lambda keys: astdb_values(self, keys),
            pause=self.slices.pause,
        )
        self.connected = False
        # Whether the desks' and accounts' entities are available: from the
        # first connect on, until the link has been down for
        # ``unavailable_after`` seconds.
        self.entities_available = False
        self.unavailable_after = UNAVAILABLE_AFTER
        self._unavailable_timer: CALLBACK_TYPE | None = None
        self.asterisk_version: str | None = None
        self.last_resync_seconds: float | None = None
        # The entities and listeners by desk, account or the PBX's own.
        self.updates = EntityUpdates(hass, self.slices, lambda: len(self.tracker.calls))
        self.claims = Claims(
            hass, self.tracker, self.client, self.updates, self.fire_call_events
        )
        self._was_connected = False
        # Call event listeners by account id; None: every account's events.
        self._call_listeners: dict[str | None, list[CallListener]] = {}
        # AMI events no part of the hub tracks (voicemail's MessageWaiting).
        self._ami_listeners: list[Callable[[AmiEvent], None]] = []

    # Life cycle.

    @property
    def directory(self) -> Directory:
        """The accounts and desks now (held by the tracker, read through here)."""
        return self.tracker.directory

    async def async_start(self) -> None:
        """Load logins and connect (raising on failure).

        On any failure everything started so far is stopped again: a failed
        setup must leave no AMI session and no reconnect task behind.
        """
        try:
            await self.login_book.async_load(self.directory)
            await self.client.connect()
            self.login_book.async_start_timers()
        except BaseException:
            await self.async_stop()
            raise

    async def async_stop(self) -> None:
        """Stop the login timers (storing logins) and close the connection."""
        await self.login_book.async_stop()
        await self.client.close()
        self._cancel_unavailable_timer()
        self.connected = False

    @callback
    def async_add_directory_listener(
        self, listener: Callable[[list[str]], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener(changed ids)`` after accounts or desks changed live."""
        self._directory_listeners.append(listener)
        return lambda: self._directory_listeners.remove(listener)

    @callback
    def async_add_ami_listener(
        self, listener: Callable[[AmiEvent], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener`` with every AMI event; returns the remover."""
        self._ami_listeners.append(listener)
        return lambda: self._ami_listeners.remove(listener)

    @callback
    def async_add_emergency_listener(
        self, listener: EmergencyListener
    ) -> CALLBACK_TYPE:
        """Call ``listener`` when an emergency call starts or ends."""
        self._emergency_listeners.append(listener)
        return lambda: self._emergency_listeners.remove(listener)

    @callback
    def _emergency_seen(self, calls: Iterable[EmergencyCall]) -> None:
        calls = list(calls)
        for call in calls:
            for listener in list(self._emergency_listeners):
                listener(call)
        if calls:
            self.updates.async_update([None])

    def _read_emergency_settings(self) -> EmergencySettings:
        return settings_from_options(
            self.entry.options.get(CONF_EMERGENCY), self.hass.config.country
        )

    async def async_apply_emergency_settings(self) -> None:
        """The entry's emergency settings changed: write what they shape."""
        old = emergency_tree(self)
        self.emergency_settings = self._read_emergency_settings()
        await self.astdb.async_sync_keys({*old, *emergency_tree(self)})
        self.updates.async_update()
        self.emergency_alerts.update_issue()

    def async_add_call_listener(
        self, listener: CallListener, account_id: str | None = None
    ) -> CALLBACK_TYPE:
        """Call ``listener(call_event)`` for every call event fired.

        With ``account_id``, only for that account's calls.
        """
        return subscribe(self._call_listeners, account_id, listener)

    # Live changes of accounts and desks.

    async def _async_touched_keys(
        self, directory: Directory, accounts: list[str], desks: list[str]
    ) -> set[str]:
        """The AstDB keys these accounts and desks shape in ``directory``.

        In the shared slices of loop time: a bulk import names 20,000
        seats, some 150,000 keys, and naming them in one go held the loop
        for over 100 ms.
        """
        keys: set[str] = set()
        for start in range(0, max(len(accounts), len(desks)), KEYS_PER_TURN):
            await self.slices.pause()
            keys |= self._keys_shaped_by(
                directory,
                accounts[start : start + KEYS_PER_TURN],
                desks[start : start + KEYS_PER_TURN],
            )
        return keys

    def _keys_shaped_by(
        self,
        directory: Directory,
        account_ids: Iterable[str] = (),
        desk_ids: Iterable[str] = (),
    ) -> set[str]:
        """The routing keys these accounts and desks shape, given the logins."""
        return with_dnd_keys(directory.astdb_keys(self.logins, account_ids, desk_ids))

    async def async_apply_directory(self, *, in_executor: bool = False) -> list[str]:
        """Rebuild the directory from the subentries and apply it in place.

        The tracker's calls, claims and the AMI link stay as they are: a call
        keeps ringing where it rang and stays claimable (its account and its
        desks are looked up by id). Logins of desks or accounts that are gone
        end. AstDB gets only the keys the changed accounts and desks shape.
        Returns the ids of the accounts and desks that were added, changed or
        removed (an account left without a desk counts as removed).
        ``in_executor``: build it in HA's executor (a bulk import: thousands
        of new subentries, pure CPU; changes apply one pass at a time, so
        nothing else builds meanwhile).
        """
        old = self.directory
        build = partial(
            directory_from_entry,
            self.entry,
            self.subentry_cache,
            previous=old,
            links=links_of(self.hass, self.entry),
        )
        if in_executor:
            new, skipped = await self.hass.async_add_executor_job(build)
        else:
            new, skipped = build()
        if (read := self.subentry_cache.last_changed) is not None:
            # Only what was read can differ (the rest are the same objects).
            accounts = [
                i for i in read if old.accounts.get(i) is not new.accounts.get(i)
            ]
            desks = [i for i in read if old.desks.get(i) is not new.desks.get(i)]
        else:
            accounts = changed_ids(old.accounts, new.accounts)
            desks = changed_ids(old.desks, new.desks)
        self.accounts_without_desk = skipped
        if not accounts and not desks:
            return []
        # The emergency keys depend on the desk alone: named once.
        keys = desk_keys(desks) | await self._async_touched_keys(old, accounts, desks)
        ended = [
            (desk_id, self._login_event_data(desk_id))
            for desk_id, account_id in self.logins.items()
            if desk_id not in new.desks or account_id not in new.accounts
        ]
        # One synchronous swap: every look-up from here on sees the new
        # directory (a second change that follows builds on this one).
        self.tracker.directory = new
        for desk_id, data in ended:
            self.login_book.remove(desk_id)
            self.hass.bus.async_fire(EVENT_LOGOUT, {**data, "reason": "removed"})
        keys |= await self._async_touched_keys(new, accounts, desks)
        await self.astdb.async_sync_keys(keys)
        for listener in list(self._directory_listeners):
            listener([*accounts, *desks])
        if any(self._is_own_desk(d, old) or self._is_own_desk(d, new) for d in desks):
            async_desks_changed(self.hass, self.entry.entry_id)
        await self._async_read_desk_states(
            new.desks[d]
            for d in desks
            if self._is_own_desk(d, new)
            and (
                d not in old.desks
                or old.desks[d].dial_string != new.desks[d].dial_string
            )
        )
        self.updates.async_update(
            [
                *(i for i in accounts if i in new.accounts),
                *(i for i in desks if i in new.desks),
            ]
        )
        return [*accounts, *desks]

    @staticmethod
    def _is_own_desk(desk_id: str, directory: Directory) -> bool:
        """Whether a desk is this PBX's (not a linked site's)."""
        desk = directory.desks.get(desk_id)
        return desk is not None and desk.site is None

    async def _async_read_desk_states(self, desks: Iterable[Desk]) -> None:
        """Ask the PBX how new (or re-dialled) desks' phones are right now.

        Without it a desk added live shows no state until its phone's state
        changes; the full DeviceStateList is what a reconnect reads.
        """
        if not self.client.connected:
            return  # the resync after the reconnect reads every state
        for desk in desks:
            try:
                state = await self.client.device_state(desk.dial_string)
            except AmiError as err:
                LOGGER.debug("State of %s not read: %s", desk.name, err)
                continue
            self.tracker.resync_desk_states({desk.dial_string: state})

    # Connection.

    async def _on_connected(self) -> None:
        started = asyncio.get_running_loop().time()
        settings = await self.client.core_settings()
        self.asterisk_version = settings.get("AsteriskVersion") or None
        await self.astdb.async_resync()
        notices: list[Notice] = []
        for device, state in (await self.client.device_states()).items():
            await self.slices.pause()
            notices += self.tracker.resync_desk_states({device: state})
        channels = await self.client.active_channels()
        self._emergency_seen(
            self.emergencies.resync(
                (c.channel, c.context, c.extension, c.caller_id_number)
                for c in channels
            )
        )
        notices += self.tracker.resync_channels(channels)
        self.last_resync_seconds = asyncio.get_running_loop().time() - started
        if not self.connected and self._was_connected:
            LOGGER.info("Connection to the PBX is back")
        set_issue(
            self.hass,
            "certificate_changed",
            self._issue_id("certificate_changed"),
            None,
        )
        self._update_exposed_issue()
        self._cancel_unavailable_timer()
        self.connected = True
        self.entities_available = True
        self._was_connected = True
        self.claims.fire_events(notices)
        self.updates.async_update()

    def _issue_id(self, kind: str) -> str:
        return f"{kind}_{self.entry.entry_id}"

    @callback
    def certificate_refused(self, err: AmiCertificateError) -> None:
        """The PBX shows another certificate than the one trusted: stay down.

        Nothing was sent to it; a repair issue names what it showed, and
        reconfiguring the entry confirms a new one.
        """
        LOGGER.error(
            "The PBX at %s:%s shows a certificate that is not trusted (SHA-256 "
            "%s); the link stays down until it is confirmed",
            self.client.host,
            self.client.port,
            err.fingerprint,
        )
        set_issue(
            self.hass,
            "certificate_changed",
            self._issue_id("certificate_changed"),
            {
                "host": f"{self.client.host}:{self.client.port}",
                "fingerprint": err.fingerprint or "?",
            },
        )

    def _update_exposed_issue(self) -> None:
        """A repair issue while plain AMI crosses a network."""
        set_issue(
            self.hass,
            "plain_ami_link",
            self._issue_id("plain_ami_link"),
            {"host": self.client.host}
            if exposed(self.client.link_security, self.client.peer_is_loopback)
            else None,
            ir.IssueSeverity.WARNING,
        )

    @callback
    def _on_disconnected(self) -> None:
        if self.connected:
            LOGGER.warning(
                "Lost the connection to the PBX at %s:%s; reconnecting",
                self.client.host,
                self.client.port,
            )
        self.connected = False
        # The link's own entities at once; the rest after the grace.
        self.updates.async_update([None])
        if self.entities_available and self._unavailable_timer is None:
            self._unavailable_timer = async_call_later(
                self.hass, self.unavailable_after, self._entities_unavailable
            )

    @callback
    def _entities_unavailable(self, _now: Any = None) -> None:
        """The link stayed down past the grace: every entity is unavailable."""
        self._unavailable_timer = None
        self.entities_available = False
        self.updates.async_update()

    def _cancel_unavailable_timer(self) -> None:
        if self._unavailable_timer is not None:
            self._unavailable_timer()
            self._unavailable_timer = None

    @callback
    def _on_auth_failed(self) -> None:
        LOGGER.warning("The PBX refused the AMI credentials; please re-authenticate")
        self.entry.async_start_reauth(self.hass)

    @callback
    def _on_ami_event(self, event: AmiEvent) -> None:
        # Emergency calls first: the alarm must not wait for anything else.
        if (
            emergency := self.emergencies.handle(event.name, event.headers)
        ) is not None:
            self._emergency_seen([emergency])
        for listener in self._ami_listeners:
            listener(event)
        notices = self.tracker.handle(event.name, event.headers)
        if notices:
            # The PBX's events may settle a claim whose Redirect got no
            # reply: such a claim keeps how it came.
            self.claims.fire_events(notices)
            self.updates.async_update(owners_of(notices))

    # Notices -> HA events.

    @callback
    def fire_call_events(
        self, notices: list[Notice], via: str = VIA_TAG, context: Context | None = None
    ) -> None:
        """Fire the call events of ``notices``; ``via``/``context``: how claims came."""
        for notice in notices:
            event = call_event(self.directory, notice, via, context)
            if event is None:
                continue
            claim_context = context if notice.kind is NoticeKind.CLAIMED else None
            self.hass.bus.async_fire(
                event.event_type, dict(event.data), context=claim_context
            )
            for account in (None, event.call.account_id):
                for listener in list(self._call_listeners.get(account, ())):
                    listener(event)

    def _desk_name(self, desk_id: str) -> str | None:
        desk = self.directory.desks.get(desk_id)
        return desk.name if desk else None

    # Claims and logins.

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

    async def async_login(
        self, account_id: str, desk_id: str, *, context: Context | None = None
    ) -> None:
        """Hot-desk login: the desk rings for the account and uses its number."""
        previous = self.logins.get(desk_id)
        if previous == account_id:
            return
        self._check_login_fits(account_id, desk_id)
        # One login per desk, whichever site's account had it.
        await async_end_others_at(self, desk_id, "replaced", context)
        if previous is not None:
            await self._logout(desk_id, "replaced", context)
        moved: list[str] = []
        if not self.entry.options.get(CONF_MULTIPLE_LOGINS, True):
            for other in self.logins.desks_of(account_id):
                await self._logout(other, "moved", context)
                moved.append(other)
        self.login_book.add(desk_id, account_id)
        # Only the keys this login shapes (its route, its desk's login key).
        await self.astdb.async_sync_keys(
            self._keys_shaped_by(self.directory, [account_id], [desk_id])
        )
        await async_tell_site(self.hass, self.directory.desks[desk_id].site, [desk_id])
        data = self._login_event_data(desk_id, context)
        LOGGER.debug("%s logged in at %s", data["account"], data["desk"])
        self.hass.bus.async_fire(EVENT_LOGIN, data, context=context)
        # The account's entities show where it is logged in.
        self.updates.async_update([desk_id, account_id, *moved])

    async def async_logout(
        self, desk_id: str, reason: str = "scan", *, context: Context | None = None
    ) -> None:
        """End the login at a desk (nothing happens without one)."""
        if desk_id not in self.logins:
            return
        await self._logout(desk_id, reason, context)
        self.updates.async_update([desk_id])

    async def async_logout_if_allowed(
        self, desk: Desk, context: Context, reason: str
    ) -> None:
        """End the login at one of this PBX's desks if the context's user may.

        The ``logout`` action's rules (and the Log out button's): whoever is
        logged in, this PBX's account or a linked site's, which its own PBX
        logs out. Raises ``Unauthorized`` or the ``not_logged_in`` error.
        """
        present = self.occupant(desk.desk_id)
        # An unknown user is refused before the desk's state is told.
        await async_check_may_act(
            self.hass, context, [present.account if present else None]
        )
        if present is None:
            raise input_error("not_logged_in", desk=desk.name)
        await present.hub.async_logout(desk.desk_id, reason=reason, context=context)

    async def _logout(
        self, desk_id: str, reason: str, context: Context | None = None
    ) -> None:
        LOGGER.debug("Logout at %s (%s)", self._desk_name(desk_id), reason)
        data = self._login_event_data(desk_id, context)
        # The keys before the logout: the route of the account logged in here.
        keys = self._keys_shaped_by(self.directory, (), [desk_id])
        self.login_book.remove(desk_id)
        await self.astdb.async_sync_keys(keys)
        if (desk := self.directory.desks.get(desk_id)) is not None:
            await async_tell_site(self.hass, desk.site, [desk_id])
        self.hass.bus.async_fire(
            EVENT_LOGOUT, {**data, "reason": reason}, context=context
        )
        if data["account_id"] is not None:
            self.updates.async_update([data["account_id"]])

    def _login_event_data(
        self, desk_id: str, context: Context | None = None
    ) -> dict[str, Any]:
        return login_event_data(self.directory, self.logins, desk_id, context)

    # Linked sites, as this PBX sees them (sites.py finds them).

    def occupant(self, desk_id: str) -> Occupant | None:
        """Who is logged in at a desk: this PBX's own account or a visitor."""
        return occupant(self, desk_id)

    def visitor_at(self, desk_id: str) -> Occupant | None:
        """The linked site's account logged in at one of this PBX's desks."""
        return visitor_at(self, desk_id)

    def linked_sites(self) -> dict[str, bool]:
        """The entries this one links to: whether each one's PBX is up now."""
        return {
            site.entry_id: site_reachable(self.hass, site.entry_id)
            for _, site in links_of(self.hass, self.entry)
        }

    async def async_visitors_changed(self, desk_ids: list[str]) -> None:
        """A linked site's account logged in or out at these desks of ours."""
        await self.astdb.async_sync_keys({f"login/{d}" for d in desk_ids})
        self.updates.async_update(desk_ids)

    # Do not disturb.

    async def async_set_dnd(
        self, account_id: str, on: bool, *, context: Context | None = None
    ) -> None:
        """Turn an account's do not disturb on or off; the PBX honours it alone."""
        if (account_id in self.login_book.dnd) is on:
            return
        account = self.directory.accounts[account_id]
        self.login_book.set_dnd(account_id, on)
        await self.astdb.async_sync_keys({f"dnd/{account.extension}"})
        LOGGER.debug("Do not disturb %s for %s", "on" if on else "off", account.name)
        self.hass.bus.async_fire(
            EVENT_DND, dnd_event_data(account, on, context), context=context
        )
        self.updates.async_update([account_id])

    # Presence.

    def set_whereabouts(self, account_id: str, where: Whereabouts) -> bool:
        """Where an account's person is now; returns whether it changed.

        ``UNKNOWN`` forgets the account. The desks near the person go to
        ``near``, which the tracker shares: changed in place. The AstDB keys
        are the caller's to write (presence.py writes them in one go).
        """
        if self.whereabouts.get(account_id, UNKNOWN) == where:
            return False
        if where == UNKNOWN:
            self.whereabouts.pop(account_id, None)
        else:
            self.whereabouts[account_id] = where
        if where.near:
            self.near[account_id] = where.near
        else:
            self.near.pop(account_id, None)
        return True

    def astdb_tree(self) -> dict[str, str]:
        """The whole AstDB tree (``routing.astdb_tree``)."""
        return astdb_tree(self)

    # Logins the book expires.

    async def _on_login_expired(self, desk_id: str, reason: str) -> None:
        await self.async_logout(desk_id, reason=reason)

    async def _on_daily_logout(self) -> None:
        for desk_id in list(self.logins):
            await self._logout(desk_id, "daily")
        self.updates.async_update()
