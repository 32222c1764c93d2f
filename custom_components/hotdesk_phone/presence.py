"""Ring where the person is: from Home Assistant's presence to AstDB keys.

The rule (the README explains it to admins), per account whose presence
option is on (``first`` or ``only``), over the persons it names:

- **Near**: an area is known for one of them. The area comes from the
  account's presence entities (a room-presence sensor such as a BLE
  ``sensor.<x>_area``, a device tracker) and the persons' own device
  trackers: an ``area_id`` or ``area`` attribute, or (sensors and selects
  only) a state that is an area's id or name. The desks whose HA device is
  in such an area ring first (or only). An area wins over the zone: a room
  sensor that sees the person says they are in the office.
- **Away**: no area, and every person is known to be outside the office:
  ``not_home``, or a zone other than ``home`` (an office's HA has the office
  as its home zone). The desks are skipped; the mobile rings, if the account
  has one, else the call goes where unanswered calls go.
- **Unknown** otherwise (no person, a person ``unknown``/``unavailable``, at
  ``home`` with no area, an area with no desk): the call rings as without
  presence.

The PBX routes by itself (HA writes ``near``, ``wide`` and ``away`` keys) and
trusts them only while HA's heartbeat key is fresh: HA rewrites it every
``HEARTBEAT_INTERVAL``; the dialplan's ``HOTDESK_PRESENCE_TTL`` (900 s) is
three beats, so a slow restart keeps presence, and a HA that stays down
longer stops steering calls (stale "away" would hide calls from someone who
came back; unknown presence just rings every desk).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
import time
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import STATE_HOME, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers import area_registry as ar, device_registry as dr
from homeassistant.helpers.event import (
    async_track_state_change_event,
    async_track_time_interval,
)

from .const import DOMAIN
from .directory import PRESENCE_OFF, Account, Directory
from .login_index import LoginIndex

if TYPE_CHECKING:
    from .hub import HotdeskHub

# How often HA tells the PBX its presence is still current (the dialplan
# trusts presence for HOTDESK_PRESENCE_TTL = 900 s after the last beat).
HEARTBEAT_INTERVAL: Final = timedelta(minutes=5)
HEARTBEAT_KEY: Final = "heartbeat/presence"
# At most this many near desks ring first: an open-plan area may hold dozens
# of phones, and ringing all of them is not "where the person is".
MAX_NEAR_DESKS: Final = 8
# States whose value may itself name an area (a room-presence sensor).
_AREA_STATE_DOMAINS: Final = frozenset({"sensor", "select", "input_select"})
_UNKNOWN: Final = frozenset({STATE_UNKNOWN, STATE_UNAVAILABLE, ""})
PRESENCE_FAMILIES: Final = ("near", "wide", "away")


@dataclass(frozen=True, slots=True)
class Whereabouts:
    """What HA knows of an account's person: near some desks, away, or neither."""

    near: tuple[str, ...] = ()
    away: bool = False


UNKNOWN: Final = Whereabouts()


def presence_keys(accounts: Iterable[Account]) -> set[str]:
    """The presence keys (below ``hotdesk/``) of some accounts."""
    return {
        f"{family}/{account.extension}"
        for account in accounts
        for family in PRESENCE_FAMILIES
    }


def presence_values(
    directory: Directory,
    logins: LoginIndex,
    whereabouts: Mapping[str, Whereabouts],
    keys: Collection[str],
    now: float | None = None,
) -> dict[str, str]:
    """The values of presence keys among ``keys`` (keys to delete left out)."""
    values: dict[str, str] = {}
    for key in keys:
        family, _, extension = key.partition("/")
        if key == HEARTBEAT_KEY:
            if any(a.presence != PRESENCE_OFF for a in directory.accounts.values()):
                values[key] = str(int(time.time() if now is None else now))
            continue
        if family not in PRESENCE_FAMILIES:
            continue
        account = directory.account_by_extension(extension)
        if account is None or account.presence == PRESENCE_OFF:
            continue
        where = whereabouts.get(account.account_id, UNKNOWN)
        if family == "away" and where.away:
            values[key] = "1"
        near = [d for d in where.near if d in directory.desks]
        if not near or where.away:
            continue
        if family == "near":
            values[key] = "&".join(directory.desks[d].dial_string for d in near)
        elif family == "wide":
            ring = directory.ring_set(account.account_id, logins)
            values[key] = "&".join(
                directory.desks[d].dial_string for d in dict.fromkeys([*near, *ring])
            )
    return values


def presence_tree(
    directory: Directory,
    logins: LoginIndex,
    whereabouts: Mapping[str, Whereabouts],
    now: float | None = None,
) -> dict[str, str]:
    """Every presence key (the whole-tree rewrite after a connect)."""
    keys = presence_keys(
        a for a in directory.accounts.values() if a.presence != PRESENCE_OFF
    )
    return presence_values(directory, logins, whereabouts, [*keys, HEARTBEAT_KEY], now)


def order_near(
    account: Account, ring: list[str], desks: Iterable[str]
) -> tuple[str, ...]:
    """Near desks: the account's own first, then by id; at most MAX_NEAR_DESKS."""
    own = set(ring) | set(account.home_desks)
    ordered = sorted(desks, key=lambda d: (d not in own, d))
    return tuple(ordered[:MAX_NEAR_DESKS])


class PresenceWatcher:
    """Follows the persons' presence: tells the hub, writes the AstDB keys."""

    def __init__(self, hass: HomeAssistant, hub: HotdeskHub) -> None:
        """Watch for ``hub`` (nothing happens until ``async_start``)."""
        self.hass = hass
        self.hub = hub
        self._unsub_states: CALLBACK_TYPE | None = None
        self._watched: frozenset[str] = frozenset()
        # Entity id -> the accounts whose whereabouts it steers.
        self._by_entity: dict[str, list[str]] = {}
        self._watched_accounts: set[str] = set()
        # Area id -> the desks whose device is in it (None: read anew).
        self._by_area: dict[str, list[str]] | None = None
        # A full refresh is due at the next turn of the event loop.
        self._refresh_due = False
        self._stopped = False

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Compute now, then follow states, desk areas and the heartbeat."""
        unsubs: list[Callable[[], None]] = [
            self.hass.bus.async_listen(
                dr.EVENT_DEVICE_REGISTRY_UPDATED, self._on_device_updated
            ),
            self.hass.bus.async_listen(
                ar.EVENT_AREA_REGISTRY_UPDATED, self._on_area_updated
            ),
            async_track_time_interval(self.hass, self._beat, HEARTBEAT_INTERVAL),
            self.hub.async_add_directory_listener(self._on_directory_changed),
        ]
        self.refresh(None)

        @callback
        def stop() -> None:
            self._stopped = True
            for unsub in unsubs:
                unsub()
            if self._unsub_states is not None:
                self._unsub_states()
                self._unsub_states = None

        return stop

    # What changes presence.

    @callback
    def _on_state(self, event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        # A person's list of trackers may have changed: follow the new ones.
        self.refresh(
            self._by_entity.get(entity_id, ()), rewatch=entity_id.startswith("person.")
        )

    @callback
    def _on_device_updated(self, event: Event[Any]) -> None:
        # A desk moved to another area (or a device was added or removed).
        data = event.data
        action = data.get("action")
        if action == "update" and "area_id" not in data.get("changes", {}):
            return
        if action == "create":
            # Setup creates a device per seat, nearly all without an area:
            # only one in an area changes which desks are near whom.
            device = dr.async_get(self.hass).async_get(data["device_id"])
            if device is None or device.area_id is None:
                return
        self._by_area = None
        self._refresh_all_soon()

    @callback
    def _on_area_updated(self, event: Event[Any]) -> None:
        # A renamed area changes what an area name in a sensor's state means.
        self._refresh_all_soon()

    @callback
    def _refresh_all_soon(self) -> None:
        """One full refresh for a burst of registry updates.

        Setting up or importing an office creates thousands of devices in a
        few turns of the event loop; a full refresh for each made the cost
        grow with the square of the office.
        """
        if self._refresh_due:
            return
        self._refresh_due = True

        @callback
        def run() -> None:
            self._refresh_due = False
            if not self._stopped:
                self.refresh(None)

        self.hass.loop.call_soon(run)

    @callback
    def _on_directory_changed(self, changed: list[str]) -> None:
        """Accounts or desks changed live: only what they can touch is redone.

        (The hub has already written the changed accounts' presence keys
        from what was known; a desk given an area comes as a device update.)
        """
        self._by_area = None
        ids = set(changed)
        ids.update(a for a, near in self.hub.near.items() if ids.intersection(near))
        accounts = self.hub.directory.accounts
        watched = self._watched_accounts
        if not any(
            i in watched
            or (
                (account := accounts.get(i)) is not None
                and account.presence != PRESENCE_OFF
            )
            for i in ids
        ):
            return  # no account that uses presence, now or before: nothing to redo
        self.refresh(ids)

    @callback
    def _beat(self, _now: Any = None) -> None:
        self.hass.async_create_task(
            self.hub.astdb.async_sync_keys({HEARTBEAT_KEY}), eager_start=True
        )

    # Computing.

    def _presence_accounts(self) -> list[Account]:
        return [
            a
            for a in self.hub.directory.accounts.values()
            if a.presence != PRESENCE_OFF
        ]

    def _entities_of(self, account: Account) -> set[str]:
        """The entities whose state can change this account's whereabouts."""
        entities = set(account.people) | set(account.presence_entities)
        for person in account.people:
            state = self.hass.states.get(person)
            if state is not None:
                entities.update(state.attributes.get("device_trackers") or ())
        return entities

    def _area_desks(self) -> dict[str, list[str]]:
        """Area id -> the desks whose device is in it (read once per change)."""
        if self._by_area is None:
            registry = dr.async_get(self.hass)
            desks = self.hub.directory.desks
            by_area: dict[str, list[str]] = {}
            for device in dr.async_entries_for_config_entry(
                registry, self.hub.entry.entry_id
            ):
                if device.area_id is None:
                    continue
                for domain, key in device.identifiers:
                    if domain == DOMAIN and key in desks:
                        by_area.setdefault(device.area_id, []).append(key)
            self._by_area = by_area
        return self._by_area

    def _area_of(self, entity_id: str) -> str | None:
        """The area id an entity says its person is in, if any."""
        state = self.hass.states.get(entity_id)
        if state is None or state.state in _UNKNOWN:
            return None
        areas = ar.async_get(self.hass)
        for name in ("area_id", "area"):
            value = state.attributes.get(name)
            if isinstance(value, str) and value:
                area = areas.async_get_area(value) or areas.async_get_area_by_name(
                    value
                )
                if area is not None:
                    return area.id
        if state.domain in _AREA_STATE_DOMAINS:
            area = areas.async_get_area(state.state) or areas.async_get_area_by_name(
                state.state
            )
            if area is not None:
                return area.id
        return None

    def whereabouts(
        self, account: Account, area_desks: dict[str, list[str]]
    ) -> Whereabouts:
        """Near, away or unknown for one account (the rule in the module doc)."""
        near: list[str] = []
        for entity_id in sorted(self._entities_of(account) - set(account.people)):
            area = self._area_of(entity_id)
            if area is not None:
                near += [d for d in area_desks.get(area, ()) if d not in near]
        if near:
            ring = self.hub.directory.ring_set(account.account_id, self.hub.logins)
            return Whereabouts(near=order_near(account, ring, near))
        states = [self.hass.states.get(p) for p in account.people]
        known = [s.state for s in states if s is not None and s.state not in _UNKNOWN]
        if known and len(known) == len(states) and STATE_HOME not in known:
            return Whereabouts(away=True)
        return UNKNOWN

    @callback
    def refresh(
        self, account_ids: Iterable[str] | None, *, rewatch: bool = True
    ) -> None:
        """Recompute some accounts (None: all) and write what changed.

        ``rewatch``: the set of entities to follow may have changed (a
        person's trackers, the accounts); otherwise it is kept as it is.
        """
        directory = self.hub.directory
        accounts = (
            self._presence_accounts()
            if account_ids is None
            else [directory.accounts[a] for a in account_ids if a in directory.accounts]
        )
        area_desks = self._area_desks()
        changed = False
        for account in accounts:
            where = (
                UNKNOWN
                if account.presence == PRESENCE_OFF
                else self.whereabouts(account, area_desks)
            )
            changed |= self.hub.set_whereabouts(account.account_id, where)
        # Accounts that are gone (the hub's live change deleted their keys).
        for account_id in [
            a for a in self.hub.whereabouts if a not in directory.accounts
        ]:
            self.hub.set_whereabouts(account_id, UNKNOWN)
        if rewatch:
            self._watch()
        if changed or account_ids is None or rewatch:
            # The heartbeat too: written first by this, gone with the last
            # account that uses presence.
            keys = presence_keys(accounts) | {HEARTBEAT_KEY}
            self.hass.async_create_task(
                self.hub.astdb.async_sync_keys(keys), eager_start=True
            )

    def _watch(self) -> None:
        """Follow the state changes of every entity that steers presence."""
        by_entity: dict[str, list[str]] = {}
        for account in self._presence_accounts():
            for entity_id in self._entities_of(account):
                by_entity.setdefault(entity_id, []).append(account.account_id)
        self._by_entity = by_entity
        self._watched_accounts = {a for ids in by_entity.values() for a in ids}
        wanted = frozenset(by_entity)
        if wanted == self._watched:
            return
        if self._unsub_states is not None:
            self._unsub_states()
            self._unsub_states = None
        self._watched = wanted
        if wanted:
            self._unsub_states = async_track_state_change_event(
                self.hass, sorted(wanted), self._on_state
            )
