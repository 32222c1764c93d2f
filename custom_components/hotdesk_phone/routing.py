"""The AstDB tree the PBX routes by, assembled from the hub's parts.

The directory's routes and desks, do not disturb, presence, a linked site's
visitors and the emergency keys: ``astdb_items`` is the whole tree key by key,
for ``astdb_tree`` in one go and ``async_astdb_tree`` in the loop's slices (what a
resync makes the PBX hold), ``astdb_values`` the values of some keys (what one
change touches), ``with_dnd_keys`` the keys a route change also touches.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING

from .emergency_alerts import emergency_items, emergency_values
from .presence import PRESENCE_FAMILIES, presence_tree, presence_values
from .sites import visitor_logins

if TYPE_CHECKING:
    from .hub import HotdeskHub


def with_dnd_keys(keys: set[str]) -> set[str]:
    """Add each routed extension's do-not-disturb and presence keys.

    An extension can change, and the presence key ``wide`` holds the route.
    """
    return keys | {
        f"{family}/{key.removeprefix('route/')}"
        for key in keys
        if key.startswith("route/")
        for family in ("dnd", *PRESENCE_FAMILIES)
    }


def dnd_tree(hub: HotdeskHub) -> dict[str, str]:
    """``dnd/<extension>`` = 1 for each account on do not disturb."""
    accounts = hub.directory.accounts
    return {
        f"dnd/{accounts[a].extension}": "1" for a in hub.login_book.dnd if a in accounts
    }


def astdb_items(hub: HotdeskHub) -> Iterator[tuple[str, str]]:
    """The whole AstDB tree, key by key.

    The directory's keys, do not disturb, presence, a linked site's visitors,
    then the emergency keys (a later part wins over an earlier one for a key).
    """
    yield from hub.directory.astdb_items(hub.logins)
    yield from dnd_tree(hub).items()
    yield from presence_tree(hub.directory, hub.logins, hub.whereabouts).items()
    yield from visitor_logins(hub).items()
    yield from emergency_items(hub)


def astdb_tree(hub: HotdeskHub) -> dict[str, str]:
    """The whole AstDB tree, in one go."""
    return dict(astdb_items(hub))


async def async_astdb_tree(hub: HotdeskHub) -> dict[str, str]:
    """``astdb_tree`` built in the hub's slices of event-loop time (a resync).

    What changes meanwhile (a login) is written by its own sync after the
    resync, which holds the writer's lock.
    """
    tree: dict[str, str] = {}
    for key, value in astdb_items(hub):
        await hub.slices.pause()
        tree[key] = value
    return tree


def astdb_values(hub: HotdeskHub, keys: Collection[str]) -> dict[str, str]:
    """The values these keys should have (a key that should not exist left out)."""
    values = hub.directory.astdb_values(hub.logins, keys)
    dnd = dnd_tree(hub)
    values.update({key: dnd[key] for key in keys if key in dnd})
    values.update(presence_values(hub.directory, hub.logins, hub.whereabouts, keys))
    values.update(visitor_logins(hub, keys))
    values.update(emergency_values(hub, keys))
    return values
