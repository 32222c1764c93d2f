"""A Log out button per desk: free a desk without Developer tools."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import HotdeskEntity
from .hub import HotdeskHub
from .models import HotdeskConfigEntry

PARALLEL_UPDATES = 0

# The logout event's ``reason`` for a press of this button.
REASON_BUTTON = "button"

LOGOUT_BUTTON = ButtonEntityDescription(
    key="logout",
    translation_key="logout",
    # Off unless a user turns it on: people log out with a scan, the board
    # card and the logout action; a button per desk costs an office of
    # 10,000 desks 10,000 entities (bench/scale.py) for the rare device-page
    # press.
    entity_registry_enabled_default=False,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HotdeskConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add one Log out button per desk (and per desk added later)."""
    await entry.runtime_data.live.async_add_platform(_desk_buttons, async_add_entities)


def _desk_buttons(hub: HotdeskHub, subentry: ConfigSubentry) -> list[Entity]:
    if subentry.subentry_id not in hub.directory.desks:
        return []
    return [LogoutButton(hub, LOGOUT_BUTTON, subentry.subentry_id)]


class LogoutButton(HotdeskEntity, ButtonEntity):
    """Ends the login at its desk, under the rules of the ``logout`` action."""

    async def async_press(self) -> None:
        """Log out whoever is logged in here, if the presser may."""
        desk_id = self.subentry_id or ""
        hub = self.hub
        # HA sets the press's context (button.press's caller) on the entity
        # before calling this; a press without one comes from HA itself.
        context = self._context or Context()
        await hub.async_logout_if_allowed(
            hub.directory.desks[desk_id], context, REASON_BUTTON
        )
