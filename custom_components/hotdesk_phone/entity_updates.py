"""Entity updates: who is told when a desk, an account or the PBX changes.

The hub owns one ``EntityUpdates`` (``hub.updates``). Entities register
with their owner (a desk or account id, None for the PBX's own); a change
updates only the owners it concerns, so an AMI event's cost does not grow
with the office. Updating every entity (a connect, a link down past its
grace) runs in the loop's shared slices (``slices.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity import Entity

from .const import DOMAIN
from .slices import LoopSlices

type OwnersListener = Callable[[list[str] | None], None]


class _Unsubscribe[T]:
    """Takes one subscriber out of its group again.

    One small object rather than a closure (a function and two cells): an
    office of 10,000 seats holds one per account's missed-calls sensor alone.
    """

    __slots__ = ("_group", "_item")

    def __init__(self, group: list[T], item: T) -> None:
        self._group = group
        self._item = item

    def __call__(self) -> None:
        self._group.remove(self._item)


def subscribe[T](
    groups: dict[str | None, list[T]], key: str | None, item: T
) -> CALLBACK_TYPE:
    """Add ``item`` to the group ``key``; returns its remover."""
    group = groups.setdefault(key, [])
    group.append(item)
    return _Unsubscribe(group, item)


class EntityUpdates:
    """The entities and listeners of one entry, by owner, and their updates."""

    def __init__(
        self, hass: HomeAssistant, slices: LoopSlices, calls: Callable[[], int]
    ) -> None:
        """``calls``: the number of calls now (the PBX's entities show it)."""
        self._hass = hass
        self._slices = slices
        self._calls = calls
        # Updates by owner: a desk or account id, None for the PBX's.
        self._listeners: dict[str | None, list[CALLBACK_TYPE]] = {}
        # The integration's entities by owner, each written when it changes.
        self._entities: dict[str | None, list[Entity]] = {}
        # Told which desks and accounts changed (None: all of them).
        self._owner_listeners: list[OwnersListener] = []
        self._calls_shown = -1  # the number of calls the PBX's entities show
        # The update of every entity in slices (``async_update()``).
        self._update_all: asyncio.Task[None] | None = None
        self._update_all_pending = False

    @callback
    def async_add_listener(
        self, update: CALLBACK_TYPE, owner: str | None = None
    ) -> CALLBACK_TYPE:
        """Call ``update`` when its owner changes; returns the remover.

        ``owner`` is the desk or account id whose state ``update`` shows
        (None: the PBX's own entities, which show the connection and the
        number of calls: told when either changes).
        """
        return subscribe(self._listeners, owner, update)

    @callback
    def async_add_entity(self, entity: Entity, owner: str | None) -> None:
        """Write ``entity``'s state when its owner changes (as a listener).

        The entity itself is kept, not a bound method and a remover for it:
        an office of 10,000 seats has 60,000 entities. It is taken out again
        by ``async_remove_entity`` when HA removes it.
        """
        self._entities.setdefault(owner, []).append(entity)

    @callback
    def async_remove_entity(self, entity: Entity, owner: str | None) -> None:
        """Stop writing ``entity``'s state."""
        group = self._entities.get(owner, [])
        if entity in group:
            group.remove(entity)
        if not group:
            self._entities.pop(owner, None)

    def entities_of(self, owner: str | None) -> list[Entity]:
        """The entities of a desk or account (None: the PBX's) HA holds now."""
        return list(self._entities.get(owner, ()))

    @callback
    def async_add_owners_listener(self, listener: OwnersListener) -> CALLBACK_TYPE:
        """Call ``listener(ids)`` when desks or accounts change (None: all).

        One listener for every desk and account, where one per owner would
        be 20,000 in an office of 10,000 seats (busy_lamps.py).
        """
        self._owner_listeners.append(listener)
        return lambda: self._owner_listeners.remove(listener)

    @callback
    def async_update(self, owners: Iterable[str | None] | None = None) -> None:
        """Update the entities of ``owners`` (all when None).

        The PBX's entities are updated with every owner's when the number of
        calls changed since they were last told. All of them are updated in
        the shared slices of loop time, with the loop free in between: an
        office of 10,000 seats has some 50,000 entities, and writing their
        states in one go held the loop for seconds.
        """
        calls = self._calls()
        if owners is None:
            for owners_listener in list(self._owner_listeners):
                owners_listener(None)
            self._calls_shown = calls
            self._update_all_pending = True
            if self._update_all is None or self._update_all.done():
                self._update_all = self._hass.async_create_task(
                    self._async_update_all(), f"{DOMAIN} entity updates"
                )
            return
        wanted = dict.fromkeys(owners)
        changed = [owner for owner in wanted if owner is not None]
        for owners_listener in list(self._owner_listeners):
            owners_listener(changed)
        if calls != self._calls_shown:
            wanted[None] = None
            self._calls_shown = calls
        for owner in wanted:
            self._update_owner(owner)

    async def async_written(self) -> None:
        """Wait until an update of every entity asked for so far is written."""
        if self._update_all is not None:
            await asyncio.shield(self._update_all)

    def _update_owner(self, owner: str | None) -> None:
        for update in list(self._listeners.get(owner, ())):
            update()
        for entity in list(self._entities.get(owner, ())):
            entity.async_write_ha_state()

    async def _async_update_all(self) -> None:
        """Every entity, a slice at a time; again if asked again meanwhile."""
        while self._update_all_pending:
            self._update_all_pending = False
            for owner in list(dict.fromkeys((*self._listeners, *self._entities))):
                await self._slices.pause()
                self._update_owner(owner)
