"""Emergency calls in Home Assistant: desk locations to AstDB, and the alarm.

Where a desk is comes from three places (emergency.resolve): its own form,
the floor and area of its HA device (the room), the entry's address. The
AstDB keys follow every change of them, so the PBX sends the right location
with HA down. When the PBX dials out an emergency call, the people on site
are told at once (an event for automations, a critical push to the entry's
emergency contacts): the integration's own do not disturb never mutes it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    floor_registry as fr,
)
from homeassistant.util import dt as dt_util

from .const import (
    DOMAIN,
    EVENT_EMERGENCY_CALL,
    EVENT_EMERGENCY_CALL_ENDED,
    EVENT_EMERGENCY_CALLBACK,
    LOGGER,
)
from .desk_places import NOWHERE, DeskPlace, desk_places
from .emergency import (
    FAMILY_ELIN,
    FAMILY_LOCATION,
    EmergencyCall,
    EmergencySettings,
    desk_keys,
    is_emergency_key,
    resolve,
    settings_tree,
)
from .location import CivicAddress, DeskEmergency
from .repairs import set_issue
from .texts import text

if TYPE_CHECKING:
    from .hub import HotdeskHub

# The push's tag: one per call, so the end of the call can update it.
_TAG_PREFIX: Final = "hotdesk-emergency-"


@callback
def desk_location(hub: HotdeskHub, desk_id: str) -> tuple[str, CivicAddress]:
    """A desk's ELIN and its location as the PBX sends them."""
    elin, address, _ = hub.emergency_alerts.located(desk_id)
    return elin, address


def emergency_items(hub: HotdeskHub) -> Iterator[tuple[str, str]]:
    """Every emergency key of the entry (below ``hotdesk/``), key by key.

    A resync takes them between turns of the event loop, and a change swaps
    the directory whole meanwhile: a desk gone from it since is left out.
    """
    yield from settings_tree(hub.emergency_settings).items()
    for desk_id, desk in hub.directory.desks.items():
        # A linked site's desk calls through its own PBX.
        if desk.site is None and desk_id in hub.directory.desks:
            yield from hub.emergency_alerts.desk_tree(desk_id).items()


@callback
def emergency_tree(hub: HotdeskHub) -> dict[str, str]:
    """Every emergency key of the entry, in one go."""
    return dict(emergency_items(hub))


@callback
def emergency_values(hub: HotdeskHub, keys: Collection[str]) -> dict[str, str]:
    """The values of some emergency keys (those that should exist)."""
    wanted = [k for k in keys if is_emergency_key(k)]
    if not wanted:
        return {}
    values = settings_tree(hub.emergency_settings)
    desks = hub.directory.desks
    for desk_id in {k.partition("/")[2] for k in wanted}:
        if (desk := desks.get(desk_id)) is not None and desk.site is None:
            values.update(hub.emergency_alerts.desk_tree(desk_id))
    return {k: values[k] for k in wanted if k in values}


class EmergencyAlerts:
    """Keeps desk locations on the PBX current; raises the alarm on a call."""

    def __init__(self, hass: HomeAssistant, hub: HotdeskHub) -> None:
        """Attach to the hub."""
        self.hass = hass
        self.hub = hub
        self._sync_due = False
        self._stopped = False
        # Desk id -> where its device is (None: read again at next use).
        self._places: dict[str, DeskPlace] | None = None
        # (a desk's own data, its place) -> its ELIN and location text, for
        # the settings in ``_located_for``: most desks share both, and the
        # resync of an office of 10,000 desks asks for every one.
        self._located: dict[
            tuple[DeskEmergency, DeskPlace], tuple[str, CivicAddress, str]
        ] = {}
        self._located_for: EmergencySettings | None = None
        # When each running emergency call was first seen (by channel).
        self.started: dict[str, datetime] = {}

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Follow emergency calls and where the desks are."""
        self.update_issue()
        unsubs = [
            self.hub.async_add_emergency_listener(self._on_call),
            self.hub.async_add_directory_listener(lambda _: self.update_issue()),
            self.hass.bus.async_listen(
                dr.EVENT_DEVICE_REGISTRY_UPDATED, self._on_device_updated
            ),
            self.hass.bus.async_listen(
                ar.EVENT_AREA_REGISTRY_UPDATED, self._on_places_changed
            ),
            self.hass.bus.async_listen(
                fr.EVENT_FLOOR_REGISTRY_UPDATED, self._on_places_changed
            ),
        ]

        @callback
        def stop() -> None:
            self._stopped = True
            for unsub in unsubs:
                unsub()

        return stop

    @callback
    def update_issue(self) -> None:
        """A repair issue while an extension is also an emergency number.

        The dialplan sends the number to the emergency centre (the safe
        side); the person with that extension cannot be dialled from a desk.
        """
        numbers = set(self.hub.emergency_settings.numbers)
        taken = sorted(
            a.extension
            for a in self.hub.directory.accounts.values()
            if a.extension in numbers
        )
        set_issue(
            self.hass,
            "extension_is_emergency",
            f"extension_is_emergency_{self.hub.entry.entry_id}",
            {"extensions": ", ".join(taken)} if taken else None,
        )

    # Where the desks are.

    @callback
    def place(self, desk_id: str) -> DeskPlace:
        """Where a desk's device is (read once per registry change)."""
        if self._places is None:
            self._places = desk_places(self.hass, self.hub.entry.entry_id)
        return self._places.get(desk_id, NOWHERE)

    @callback
    def located(self, desk_id: str) -> tuple[str, CivicAddress, str]:
        """A desk's ELIN, location and its ``location_info`` text, cached."""
        settings = self.hub.emergency_settings
        if settings is not self._located_for:
            self._located.clear()
            self._located_for = settings
        own = self.hub.directory.desks[desk_id].emergency
        place = self.place(desk_id)
        found = self._located.get((own, place))
        if found is None:
            elin, address = resolve(own, settings, place.address)
            info = "" if address.empty else address.location_info()
            found = self._located[own, place] = (elin, address, info)
        return found

    @callback
    def desk_tree(self, desk_id: str) -> dict[str, str]:
        """A desk's ELIN and location keys (each only when set), cached."""
        elin, _, info = self.located(desk_id)
        tree: dict[str, str] = {}
        if elin:
            tree[f"{FAMILY_ELIN}/{desk_id}"] = elin
        if info:
            tree[f"{FAMILY_LOCATION}/{desk_id}"] = info
        return tree

    @callback
    def _on_device_updated(self, event: Event[Any]) -> None:
        data = event.data
        if self._places is None:
            return  # nothing read yet: the first read sees the change
        if data.get("action") == "update" and "area_id" not in data.get("changes", {}):
            return
        if data.get("action") == "create":
            # A new device of ours has no desk place until it gets an area
            # (and updates only then); one of another integration has none.
            device = dr.async_get(self.hass).async_get(data["device_id"])
            if device is None or device.area_id is None:
                return
        self._sync_soon()

    @callback
    def _on_places_changed(self, event: Event[Any]) -> None:
        if self._places is not None:
            self._sync_soon()

    @callback
    def _sync_soon(self) -> None:
        """One write for a burst of registry updates: the desks that moved.

        A burst (an office's devices created at setup, a floor renamed)
        makes one pass on the next turn of the event loop; only the desks
        whose place changed get their keys written and entities updated, so
        a registry change costs the desks it moves, not the office.
        """
        if self._sync_due:
            return
        self._sync_due = True
        self.hass.loop.call_soon(self._start_sync)

    @callback
    def _start_sync(self) -> None:
        self._sync_due = False
        if self._stopped:
            return
        before = self._places or {}
        self._places = desk_places(self.hass, self.hub.entry.entry_id)
        self._located.clear()
        moved = [
            desk_id
            for desk_id in self.hub.directory.desks
            if before.get(desk_id, NOWHERE) != self._places.get(desk_id, NOWHERE)
        ]
        if not moved:
            return

        async def run() -> None:
            await self.hub.astdb.async_sync_keys(desk_keys(moved))
            # Their Emergency location sensors.
            self.hub.updates.async_update(moved)

        self.hass.async_create_background_task(run(), f"{DOMAIN} emergency locations")

    # The alarm.

    @callback
    def _on_call(self, call: EmergencyCall) -> None:
        if call.callback:
            if not call.ended:
                self.hass.bus.async_fire(
                    EVENT_EMERGENCY_CALLBACK, self._data(call, self._desk_id(call))
                )
            return
        desk_id = self._desk_id(call)
        if call.ended:
            started = self.started.pop(call.channel, None)
            data = self._data(call, desk_id)
            if started is not None:
                data["started"] = started.isoformat()
            self.hass.bus.async_fire(EVENT_EMERGENCY_CALL_ENDED, data)
            return
        self.started[call.channel] = dt_util.utcnow()
        data = self._data(call, desk_id)
        # First the bus (automations: lights, a siren, doors), then the pushes.
        self.hass.bus.async_fire(EVENT_EMERGENCY_CALL, data)
        LOGGER.warning(
            "Emergency call to %s from %s (%s)",
            call.number,
            data["desk"] or call.device,
            data["location"],
        )
        for target in self.hub.emergency_settings.contacts:
            self.hass.async_create_task(
                self._notify(target, self._payload(call, data)), eager_start=True
            )

    def _desk_id(self, call: EmergencyCall) -> str | None:
        desk = self.hub.directory.desk_by_device(call.device)
        return desk.desk_id if desk is not None else None

    def call_data(self, call: EmergencyCall) -> dict[str, Any]:
        """What an emergency call's event and the hub's entity say of it."""
        data = self._data(call, self._desk_id(call))
        if (started := self.started.get(call.channel)) is not None:
            data["started"] = started.isoformat()
        return data

    def _data(self, call: EmergencyCall, desk_id: str | None) -> dict[str, Any]:
        hub = self.hub
        desk = hub.directory.desks.get(desk_id) if desk_id else None
        place = self.place(desk_id) if desk_id else NOWHERE
        if desk_id is not None:
            elin, address = desk_location(hub, desk_id)
        else:
            elin, address = hub.emergency_settings.elin, hub.emergency_settings.address
        account = hub.directory.accounts.get(hub.logins.get(desk_id or "", ""))
        return {
            "desk_id": desk_id,
            "desk": desk.name if desk else None,
            "channel": call.channel,
            "number": call.number,
            "elin": elin or None,
            "location": address.text(),
            "floor": address.floor or None,
            "room": address.room or None,
            "area_id": place.area_id,
            "logged_in_account_id": account.account_id if account else None,
            "logged_in_account": account.name if account else None,
            "logged_in_extension": account.extension if account else None,
            "time": dt_util.utcnow().isoformat(),
        }

    def _payload(self, call: EmergencyCall, data: Mapping[str, Any]) -> dict[str, Any]:
        who = data["logged_in_account"]
        return {
            "title": text(self.hass, "push_emergency_title", number=call.number),
            "message": text(
                self.hass,
                "push_emergency_message",
                desk=data["desk"] or call.device,
                location=data["location"] or "?",
                who=who or text(self.hass, "push_emergency_nobody"),
            ),
            "data": {
                "tag": _TAG_PREFIX + call.channel,
                "group": f"{DOMAIN}-emergency",
                # Android: the alarm stream, shown at once, never dropped.
                "channel": "alarm_stream",
                "importance": "high",
                "priority": "high",
                "ttl": 0,
                # iOS: a critical alert sounds even when muted or in Focus.
                "push": {
                    "interruption-level": "critical",
                    "sound": {"name": "default", "critical": 1, "volume": 1.0},
                },
            },
        }

    async def _notify(self, target: str, payload: dict[str, Any]) -> None:
        try:
            await self.hass.services.async_call(
                "notify", target, payload, blocking=True
            )
        except HomeAssistantError as err:
            LOGGER.error("Emergency contact %s not told: %s", target, err)
