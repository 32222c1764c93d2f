"""Which of the integration's entries run: one place finds them.

Two views of the same entries, for two kinds of callers:

- ``loaded_entries``: the entries whose setup finished (state ``LOADED``), in
  the order HA lists them, each with its hub; their ``runtime_data`` is
  whole. The actions, the logbook and the endpoints act on these.
- ``running_hubs``: a hub counts from its join during its entry's setup
  (``sites.async_join``, before the platforms) until its unload. Linked sites
  and scans see each other through it, also while one entry is still setting
  up; such a hub's entry may not have its ``runtime_data`` yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

if TYPE_CHECKING:
    from .hub import HotdeskHub
    from .models import HotdeskConfigEntry

# The running hubs by entry id (joined and not yet unloaded).
RUNNING: HassKey[dict[str, HotdeskHub]] = HassKey(f"{DOMAIN}_running_hubs")


def loaded_entries(
    hass: HomeAssistant,
) -> Iterator[tuple[HotdeskConfigEntry, HotdeskHub]]:
    """The loaded entries and their hubs, in HA's order of the entries."""
    entries: list[HotdeskConfigEntry] = hass.config_entries.async_entries(DOMAIN)
    for entry in entries:
        if entry.state is ConfigEntryState.LOADED:
            yield entry, entry.runtime_data.hub


def running_hubs(hass: HomeAssistant) -> dict[str, HotdeskHub]:
    """The hubs that run (joined, not yet unloaded), by entry id."""
    return hass.data.setdefault(RUNNING, {})


@callback
def async_register(hub: HotdeskHub) -> CALLBACK_TYPE:
    """Count the hub as running until the returned remover is called."""
    hubs = running_hubs(hub.hass)
    hubs[hub.entry.entry_id] = hub

    @callback
    def remove() -> None:
        if hubs.get(hub.entry.entry_id) is hub:
            del hubs[hub.entry.entry_id]

    return remove
