"""Do not disturb, a switch per account: calls go where unanswered calls go.

The PBX honours it alone (AstDB ``hotdesk/dnd/<extension>``), so it holds
while Home Assistant is down. Who may switch it: as for the actions.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .auth import async_check_may_act
from .entity import HotdeskEntity
from .hub import HotdeskHub
from .models import HotdeskConfigEntry

PARALLEL_UPDATES = 0

DND_SWITCH = SwitchEntityDescription(key="do_not_disturb", translation_key="dnd")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HotdeskConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add one do-not-disturb switch per account (and per account added later)."""
    await entry.runtime_data.live.async_add_platform(
        _account_switches, async_add_entities
    )


def _account_switches(hub: HotdeskHub, subentry: ConfigSubentry) -> list[Entity]:
    if subentry.subentry_id not in hub.directory.accounts:
        return []
    return [DoNotDisturbSwitch(hub, DND_SWITCH, subentry.subentry_id)]


class DoNotDisturbSwitch(HotdeskEntity, SwitchEntity):
    """On: the account's calls ring no desk and go where unanswered calls go."""

    @property
    def is_on(self) -> bool:
        """Whether the account is on do not disturb."""
        return self.subentry_id in self.hub.login_book.dnd

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn do not disturb on, if the caller may act for the account."""
        await self._set(on=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn do not disturb off, if the caller may act for the account."""
        await self._set(on=False)

    async def _set(self, *, on: bool) -> None:
        account_id = self.subentry_id or ""
        # HA sets the calling user's context on the entity before this; none
        # means HA itself or an automation.
        context = self._context or Context()
        await async_check_may_act(
            self.hass, context, [self.hub.directory.accounts.get(account_id)]
        )
        await self.hub.async_set_dnd(account_id, on, context=context)
