"""Live changes: an account or desk added, changed or removed, applied in place.

A reload would close the AMI link, forget ringing calls and pending claims,
and rebuild every entity of an office for one changed seat. Instead the
entry's update listener calls ``LiveChanges.async_apply``: the hub rebuilds
its directory (pure and cheap) and writes AstDB as a diff, and only the
changed subentries' entities and devices are added or removed here. Only a
change of the PBX connection (``entry.data``) reloads.

Changes apply one after another, always from the entry as it is at that
moment: a change that lands while another is applied is picked up by the
next pass, so none is lost however fast they come.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .bulk import ImportPlan
from .const import CONF_EMERGENCY, LOGGER
from .directory import DirectoryError
from .hub import HotdeskHub
from .models import HotdeskConfigEntry
from .pcsc import PcscMonitor, async_start_monitor
from .readers import CardReaders
from .repairs import set_issue

# A platform's entities for one account or desk subentry (none: not its kind).
type EntityFactory = Callable[[HotdeskHub, ConfigSubentry], list[Entity]]


class LiveChanges:
    """Applies the entry's subentries to the running hub, entities and devices."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: HotdeskConfigEntry,
        hub: HotdeskHub,
        card_readers: CardReaders,
    ) -> None:
        """Remember what the entry was set up with."""
        self.hass = hass
        self.entry = entry
        self.hub = hub
        self.card_readers = card_readers
        # What the AMI link was opened with: a change of it reloads.
        self.connection: dict[str, Any] = dict(entry.data)
        self._options: dict[str, Any] = dict(entry.options)
        self._platforms: list[tuple[EntityFactory, AddConfigEntryEntitiesCallback]] = []
        # The subentries whose entities were made. The entities themselves
        # are the hub's to hold (``hub.updates.entities_of``), and only those HA
        # added: an entity disabled in the registry is dropped by HA (at
        # 10,000 seats, 30,000 of them).
        self._seats: set[str] = set()
        self._lock = asyncio.Lock()
        self._pending = False
        self._held = False
        self._bulk = False  # the next pass applies a bulk import
        # The PC/SC monitor: started, restarted and stopped here alone
        # (``runtime_data.pcsc`` reads it).
        self.pcsc: PcscMonitor | None = None
        # Seconds the last pass took (the scale benchmark reads it).
        self.last_apply_seconds: float | None = None

    async def async_add_platform(
        self, factory: EntityFactory, add_entities: AddConfigEntryEntitiesCallback
    ) -> None:
        """A platform's entity factory: used now for every seat, later for new ones.

        Platforms keep HA's ``async_add_entities`` here, as core integrations
        with devices that come and go do, so entities of a subentry added
        later are added with its ``config_subentry_id``.

        The event loop runs between batches of seats: HA adds each batch's
        entities eagerly (registry, state) inside the ``add_entities`` call,
        so an office of 10,000 seats added in one go held the event loop for
        seconds: AMI replies waited, the keep-alive timed out and the link
        was dropped during setup (bench/scale.py, ``longest_loop_stall_s``).
        The platforms share the hub's slices of loop time (``slices.py``),
        so each stretch stays short while they run side by side; the
        entities and their order are the same.
        """
        self._platforms.append((factory, add_entities))
        directory = self.hub.directory
        for subentry_id in (*directory.desks, *directory.accounts):
            await self.hub.slices.pause()
            self._add(factory, add_entities, subentry_id)

    def _add(
        self,
        factory: EntityFactory,
        add_entities: AddConfigEntryEntitiesCallback,
        subentry_id: str,
    ) -> None:
        subentry = self.entry.subentries.get(subentry_id)
        if subentry is None:
            return
        entities = factory(self.hub, subentry)
        if entities:
            self._seats.add(subentry_id)
            add_entities(entities, config_subentry_id=subentry_id)

    async def async_import(self, plan: ImportPlan) -> None:
        """Apply a bulk import: every subentry change first, then one pass.

        Each subentry change calls the update listener; while the import runs
        those calls only mark the entry changed, so twenty thousand rows make
        one directory rebuild and one AstDB diff, not one each. HA copies the
        entry's subentries on every change, so the loop gets its turns in
        between (the hub's shared slices).
        """
        manager = self.hass.config_entries
        pause = self.hub.slices.pause
        self._held = True
        try:
            for change in plan.create:
                await pause()
                manager.async_add_subentry(
                    self.entry,
                    ConfigSubentry(
                        data=MappingProxyType(dict(change.data)),
                        subentry_id=change.subentry_id,
                        subentry_type=change.subentry_type,
                        title=change.title,
                        unique_id=None,
                    ),
                )
            for change in plan.update:
                await pause()
                manager.async_update_subentry(
                    self.entry,
                    self.entry.subentries[change.subentry_id],
                    data=dict(change.data),
                    title=change.title,
                )
            for item in plan.remove:
                await pause()
                manager.async_remove_subentry(self.entry, item.subentry_id)
        finally:
            self._held = False
        self._bulk = True
        await self.async_apply()

    async def async_apply(self) -> None:
        """Bring everything to the entry as it is now; later changes follow."""
        self._pending = True
        if self._held:
            return  # an import is adding subentries: it applies once at its end
        async with self._lock:
            # A caller that waited for the lock finds its change applied by
            # the pass that ran meanwhile (each pass reads the whole entry).
            while self._pending:
                self._pending = False
                await self._apply_once()

    async def _apply_once(self) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        if dict(self.entry.options) != self._options:
            emergency_before = self._options.get(CONF_EMERGENCY)
            self._options = dict(self.entry.options)
            self.hub.login_book.async_restart_timers()
            if self._options.get(CONF_EMERGENCY) != emergency_before:
                await self.hub.async_apply_emergency_settings()
        bulk, self._bulk = self._bulk, False
        try:
            changed = await self.hub.async_apply_directory(in_executor=bulk)
        except DirectoryError as err:
            # Only subentries written around the forms' checks get here; the
            # running directory stays as it was until a change makes it whole.
            LOGGER.error("Accounts and desks not applied: %s", err)
            return
        directory = self.hub.directory
        removals: list[Entity] = []
        for subentry_id in changed:
            await self.hub.slices.pause()
            present = (
                subentry_id in directory.accounts or subentry_id in directory.desks
            )
            if present and subentry_id not in self._seats:
                self._add_subentry(subentry_id)
            elif not present and subentry_id in self._seats:
                # A removed subentry's entities and device are removed by HA
                # itself; an account left without a desk keeps its
                # subentry, and its entities go as a reload would drop them.
                # (Entities disabled in the registry were never added.)
                if subentry_id in self.entry.subentries:
                    removals += self.hub.updates.entities_of(subentry_id)
                self._seats.discard(subentry_id)
        if removals:
            await asyncio.gather(*(entity.async_remove() for entity in removals))
        await self._async_rename_devices(changed)
        # Readers belong to desks: an account's change (or none) leaves them.
        if any(i not in directory.accounts for i in changed):
            await self._async_update_readers()
        update_orphan_issue(self.hass, self.entry, self.hub)
        self.last_apply_seconds = loop.time() - started

    def _device_id(self, key: str) -> str | None:
        """The id of our device with identifier ``(DOMAIN, key)``."""
        for entity in self.hub.updates.entities_of(key):
            if entity.device_entry is not None:
                return entity.device_entry.id
        return None

    def _add_subentry(self, subentry_id: str) -> None:
        """Add a subentry's device (under the PBX's) and its entities.

        The platforms would make the device when its entities are added, but
        in tasks of their own; made here first, it exists (under the PBX's
        device: ``entity.py``) before any of them.
        """
        subentry = self.entry.subentries.get(subentry_id)
        if subentry is None:
            return
        batches = [
            (add_entities, factory(self.hub, subentry))
            for factory, add_entities in self._platforms
        ]
        info = next((e.device_info for _, b in batches for e in b), None)
        if info is not None:
            dr.async_get(self.hass).async_get_or_create(
                config_entry_id=self.entry.entry_id,
                config_subentry_id=subentry_id,
                **info,
            )
        for add_entities, entities in batches:
            if entities:
                self._seats.add(subentry_id)
                add_entities(entities, config_subentry_id=subentry_id)

    async def _async_rename_devices(self, changed: list[str]) -> None:
        """A changed subentry's name is its device's name (not the title).

        In the shared slices of loop time: a bulk import changes 20,000.
        """
        registry = dr.async_get(self.hass)
        for subentry_id in changed:
            await self.hub.slices.pause()
            sub = self.entry.subentries.get(subentry_id)
            if sub is None or (device_id := self._device_id(subentry_id)) is None:
                continue
            name = str(sub.data.get(CONF_NAME) or sub.title)
            device = registry.async_get(device_id)
            if device is not None and device.name != name:
                registry.async_update_device(device_id, name=name)

    async def _async_update_readers(self) -> None:
        """Card readers follow the desks: devices, and the PC/SC watch."""
        readers = self.card_readers
        names = frozenset(
            reader
            for desk in self.hub.directory.desks.values()
            for reader in desk.readers
        )
        if names == readers.names:
            return
        old_pcsc = readers.pcsc_names
        registry = dr.async_get(self.hass)
        for name in readers.names - names:
            if (device_id := readers.device_of(name)) is not None:
                registry.async_update_device(
                    device_id, remove_config_entry_id=self.entry.entry_id
                )
        readers.async_set_names(names)
        if readers.pcsc_names != old_pcsc:
            await self.async_restart_pcsc()

    async def async_start_pcsc(self) -> None:
        """Watch the PC/SC readers that desks name (none: nothing runs)."""
        self.pcsc = await async_start_monitor(
            self.hass,
            self.entry,
            self.card_readers.pcsc_names,
            self.card_readers.async_scan_pcsc,
        )

    async def async_stop_pcsc(self) -> None:
        """Stop watching PC/SC readers."""
        if self.pcsc is not None:
            await self.pcsc.async_stop()
            self.pcsc = None

    async def async_restart_pcsc(self) -> None:
        """The PC/SC readers changed: watch the new set."""
        await self.async_stop_pcsc()
        await self.async_start_pcsc()


def update_orphan_issue(
    hass: HomeAssistant, entry: HotdeskConfigEntry, hub: HotdeskHub
) -> None:
    """A repair issue names the accounts left without any desk (or goes)."""
    set_issue(
        hass,
        "account_without_desk",
        f"account_without_desk_{entry.entry_id}",
        {"accounts": ", ".join(hub.accounts_without_desk)}
        if hub.accounts_without_desk
        else None,
        ir.IssueSeverity.WARNING,
    )
