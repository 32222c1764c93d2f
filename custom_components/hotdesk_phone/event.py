"""Per-account event entity: incoming, claimed, answered, missed."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import (
    EVENT_CALL_ANSWERED,
    EVENT_CALL_CLAIMED,
    EVENT_CALL_MISSED,
    EVENT_INCOMING_CALL,
)
from .entity import HotdeskEntity
from .hub import HotdeskConfigEntry

PARALLEL_UPDATES = 0

# Bus event type -> the entity's event type.
EVENT_TYPES = {
    EVENT_INCOMING_CALL: "incoming_call",
    EVENT_CALL_CLAIMED: "call_claimed",
    EVENT_CALL_ANSWERED: "call_answered",
    EVENT_CALL_MISSED: "call_missed",
}

CALL_EVENT = EventEntityDescription(
    key="call",
    translation_key="call",
    event_types=list(EVENT_TYPES.values()),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HotdeskConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add one call event entity per account."""
    hub = entry.runtime_data.hub
    for account_id in hub.directory.accounts:
        async_add_entities(
            [AccountCallEvent(hub, CALL_EVENT, account_id)],
            config_subentry_id=account_id,
        )


class AccountCallEvent(HotdeskEntity, EventEntity):
    """Fires when a call to the account rings, moves, is answered or missed."""

    async def async_added_to_hass(self) -> None:
        """Follow the hub's call events for this account."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.hub.async_add_call_listener(self._on_call_event, self.subentry_id)
        )

    @callback
    def _on_call_event(self, event_type: str, data: dict[str, Any]) -> None:
        kind = EVENT_TYPES.get(event_type)
        if kind is None or data.get("account_id") != self.subentry_id:
            return
        self._trigger_event(kind, data)
        self.async_write_ha_state()
