"""The AstDB writer: keeps the PBX's hotdesk tree equal to what HA knows.

After each login to the PBX it reads what the PBX holds (one ``DBGetTree``)
and writes only what differs: after a short blip with the PBX intact nothing
at all, after a PBX that lost its AstDB the whole tree; no key is cleared
first, so routing never has a gap. Afterwards only what changed is written (a
diff against what was last written). A value that one AMI line cannot carry is
never written and never leaves its key deleted: the PBX keeps routing by the
old value and a repair issue says which keys. An Asterisk without
``DBGetTree`` (before 18.14) gets the tree rewritten whole.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping

from homeassistant.core import HomeAssistant

from .ami import AmiClient
from .ami_errors import AmiActionError, AmiError
from .ami_wire import db_put_fits
from .const import ASTDB_FAMILY, ASTDB_SUBFAMILIES, LOGGER
from .emergency import EMERGENCY_FAMILIES, is_emergency_key
from .repairs import set_issue

# DBPut actions in flight at once while the AstDB tree is rewritten: enough
# to keep the link busy, few enough that a tree of thousands of keys does not
# make thousands of tasks live at once (their garbage made Python's
# whole-heap collections in a large HA instance the main cost of a resync).
ASTDB_WINDOW = 64

# Keys checked between two looks at the event loop's slice.
SPLIT_CHUNK = 500


class AstdbWriter:
    """Writes ``tree()`` (keys below ``hotdesk/``) to the PBX."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        client: AmiClient,
        tree: Callable[[], Awaitable[dict[str, str]]],
        values: Callable[[Collection[str]], dict[str, str]],
        *,
        pause: Callable[[], Awaitable[None]],
    ) -> None:
        """Know where to write and how to get the tree (or some keys) as it should be.

        ``tree()``: the whole tree, built in turns; ``values(keys)``: the
        values those keys should have (keys that should not exist left out);
        ``pause()``: gives the event loop a turn when the entry's slice is
        used up (the tree of an office of 10,000 seats has 30,000 keys).
        """
        self.hass = hass
        self.client = client
        self._tree = tree
        self._values = values
        self._pause = pause
        self._issue_id = f"astdb_value_too_long_{entry_id}"
        self.written: dict[str, str] = {}  # what the PBX holds, as we wrote it
        # AstDB keys whose value cannot be written (None: not checked yet).
        self._too_long: list[str] | None = None
        self._lock = asyncio.Lock()

    async def async_resync(self) -> None:
        """Make the PBX's tree what it should be (after each login to the PBX).

        Reads what the PBX holds and writes the difference; emergency keys
        first. Keys of the integration's families that the tree has not are
        deleted; the dialplan's own keys (other families) are left alone.
        """
        async with self._lock:
            try:
                held = await self.client.db_get_tree(ASTDB_FAMILY)
            except AmiActionError as err:
                LOGGER.info("Rewriting the whole AstDB tree: %s", err)
                held = None
        if held is None:
            await self.async_rewrite()
            return
        async with self._lock:
            tree = await self._tree()
            good, bad = await self._split_writable(tree)
            ours = {*ASTDB_SUBFAMILIES, *EMERGENCY_FAMILIES}
            changed = [k for k, v in good.items() if held.get(k) != v]
            await self._put_all((k, good[k]) for k in changed if is_emergency_key(k))
            await self._put_all(
                (k, good[k]) for k in changed if not is_emergency_key(k)
            )
            await asyncio.gather(
                *(
                    self._del(key)
                    for key in held
                    if key not in tree and key.partition("/")[0] in ours
                )
            )
            self.written = {**{k: held[k] for k in bad if k in held}, **good}
            self._update_too_long_issue(bad)

    async def async_rewrite(self) -> None:
        """Replace the whole hotdesk tree (a PBX that cannot list it).

        A family holding a value that cannot be written is not cleared: the
        PBX keeps routing by that key's old value (a repair issue says so),
        and only the stale keys we know of are deleted from it.
        """
        async with self._lock:
            tree = await self._tree()
            good, bad = await self._split_writable(tree)
            kept = {key.partition("/")[0] for key in bad}
            # Emergency keys are never cleared first: a 911 dialled while the
            # tree is rewritten must still find its number, ELIN and location.
            # They are overwritten before anything else, then the stale ones
            # go (those the PBX holds and the tree has not).
            await self._put_all((k, v) for k, v in good.items() if is_emergency_key(k))
            stale = await self._stale_emergency_keys(tree)
            # One connection handles actions in order, so the deletes land
            # before the writes even though nothing waits in between.
            await asyncio.gather(
                *(
                    self.client.db_del_tree(f"{ASTDB_FAMILY}/{family}")
                    for family in ASTDB_SUBFAMILIES
                    if family not in kept and family not in EMERGENCY_FAMILIES
                )
            )
            await self._put_all(
                (k, v) for k, v in good.items() if not is_emergency_key(k)
            )
            await asyncio.gather(
                *(
                    self._del(key)
                    for key in {*self.written, *stale}
                    if key not in tree
                    and (key.partition("/")[0] in kept or is_emergency_key(key))
                )
            )
            self.written = self._after_write(good, bad)
            self._update_too_long_issue(bad)

    async def _stale_emergency_keys(self, tree: Mapping[str, str]) -> list[str]:
        """Emergency keys the PBX holds that the tree has not.

        After a restart Home Assistant does not know what it wrote before: an
        emergency number or route removed meanwhile would stay. An Asterisk
        without ``DBGetTree`` (before 18.14) keeps them (logged).
        """
        stale: list[str] = []
        for family in EMERGENCY_FAMILIES:
            try:
                held = await self.client.db_get_tree(f"{ASTDB_FAMILY}/{family}")
            except AmiActionError as err:
                LOGGER.info("Old emergency keys not checked: %s", err)
                return stale
            stale += [f"{family}/{k}" for k in held if f"{family}/{k}" not in tree]
        return stale

    async def _write(self, good: Mapping[str, str], removed: list[str]) -> bool:
        """Put the values that differ from what was written; delete ``removed``.

        False when the PBX refused or did not answer: the whole tree is
        written again after the next connect.
        """
        changed = [k for k, v in good.items() if self.written.get(k) != v]
        try:
            # Windowed: a bulk import changes tens of thousands of keys.
            await asyncio.gather(
                self._put_all((k, good[k]) for k in changed),
                *(self._del(k) for k in removed),
            )
        except AmiActionError as err:
            LOGGER.warning("The PBX refused an AstDB update: %s", err)
            return False
        except AmiError as err:
            LOGGER.debug("AstDB update postponed to the next connect: %s", err)
            return False
        return True

    async def async_sync_keys(self, keys: Collection[str]) -> None:
        """Write what one change shapes: ``keys``, compared with what was written.

        The caller names every key the change can touch, before and after it
        (``Directory.astdb_keys`` of the old and the new state); the rest of
        the tree is not looked at, so a change costs the same in an office of
        ten seats or ten thousand.
        """
        if not self.client.connected:
            return  # the next login rewrites everything
        async with self._lock:
            # In turns of the event loop: a bulk import names 30,000 keys.
            values: dict[str, str] = {}
            ordered = list(keys)
            for start in range(0, len(ordered), SPLIT_CHUNK):
                await self._pause()
                values.update(self._values(ordered[start : start + SPLIT_CHUNK]))
            good, bad = await self._split_writable(values)
            removed = [k for k in keys if k in self.written and k not in values]
            if not await self._write(good, removed):
                return
            for key in removed:
                del self.written[key]
            self.written.update(good)
            others = [k for k in self._too_long or () if k not in keys]
            self._update_too_long_issue(sorted([*others, *bad]))

    def _after_write(self, good: dict[str, str], bad: list[str]) -> dict[str, str]:
        """What the PBX holds now: the new values, the old ones of ``bad``."""
        return {**{k: self.written[k] for k in bad if k in self.written}, **good}

    def _update_too_long_issue(self, bad: list[str]) -> None:
        """Raise (or clear) the repair issue for values AMI cannot carry."""
        if bad == self._too_long:
            return
        self._too_long = bad
        if bad:
            LOGGER.error(
                "AstDB values longer than one AMI line were not written (the PBX "
                "keeps their previous values): %s",
                ", ".join(bad),
            )
        set_issue(
            self.hass,
            "astdb_value_too_long",
            self._issue_id,
            {"keys": ", ".join(bad)} if bad else None,
        )

    async def _split_writable(
        self, tree: dict[str, str]
    ) -> tuple[dict[str, str], list[str]]:
        """``_split_writable`` of a whole tree, in turns of the event loop."""
        good: dict[str, str] = {}
        bad: list[str] = []
        items = list(tree.items())
        for start in range(0, len(items), SPLIT_CHUNK):
            await self._pause()
            some_good, some_bad = _split_writable(items[start : start + SPLIT_CHUNK])
            good.update(some_good)
            bad += some_bad
        return good, sorted(bad)

    async def _put_all(self, items: Iterable[tuple[str, str]]) -> None:
        """DBPut every item, pipelined: ``ASTDB_WINDOW`` actions in flight."""
        pending = list(items)
        queue = iter(pending)

        async def worker() -> None:
            for key, value in queue:
                await self._put(key, value)

        await asyncio.gather(
            *(worker() for _ in range(min(ASTDB_WINDOW, len(pending))))
        )

    async def _put(self, key: str, value: str) -> None:
        family, _, name = key.partition("/")
        await self.client.db_put(f"{ASTDB_FAMILY}/{family}", name, value)

    async def _del(self, key: str) -> None:
        family, _, name = key.partition("/")
        await self.client.db_del(f"{ASTDB_FAMILY}/{family}", name)


def _split_writable(
    items: Iterable[tuple[str, str]],
) -> tuple[dict[str, str], list[str]]:
    """The items AMI can carry, and the keys whose value it cannot."""
    good: dict[str, str] = {}
    bad: list[str] = []
    for key, value in items:
        family, _, name = key.partition("/")
        if db_put_fits(f"{ASTDB_FAMILY}/{family}", name, value):
            good[key] = value
        else:
            bad.append(key)
    return good, sorted(bad)
