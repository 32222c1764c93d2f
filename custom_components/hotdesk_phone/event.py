"""Per-account event entity: incoming, claimed, answered, missed."""

from __future__ import annotations

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import HotdeskEntity
from .events import CallEvent
from .hub import HotdeskHub
from .models import HotdeskConfigEntry
from .tracker import NoticeKind

PARALLEL_UPDATES = 0

# The call events the entity shows -> its event types.
EVENT_TYPES = {
    NoticeKind.INCOMING: "incoming_call",
    NoticeKind.CLAIMED: "call_claimed",
    NoticeKind.ANSWERED: "call_answered",
    NoticeKind.MISSED: "call_missed",
}

CALL_EVENT = EventEntityDescription(
    key="call",
    translation_key="call",
    event_types=list(EVENT_TYPES.values()),
    # Off unless a user turns it on: the logbook keeps only an event entity's
    # timestamp, so each call put a bare "detected an event" line beside the
    # logbook's own worded line for the same event (logbook.py). Automations
    # have the hotdesk_phone_* events on the bus.
    entity_registry_enabled_default=False,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HotdeskConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add one call event entity per account (and per account added later)."""
    await entry.runtime_data.live.async_add_platform(
        _account_events, async_add_entities
    )


def _account_events(hub: HotdeskHub, subentry: ConfigSubentry) -> list[Entity]:
    if subentry.subentry_id not in hub.directory.accounts:
        return []
    return [AccountCallEvent(hub, CALL_EVENT, subentry.subentry_id)]


class AccountCallEvent(HotdeskEntity, EventEntity):
    """Fires when a call to the account rings, moves, is answered or missed."""

    async def async_added_to_hass(self) -> None:
        """Follow the hub's call events for this account."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.hub.async_add_call_listener(self._on_call_event, self.subentry_id)
        )

    @callback
    def _on_call_event(self, event: CallEvent) -> None:
        kind = EVENT_TYPES.get(event.kind)
        if kind is None or event.call.account_id != self.subentry_id:
            return
        self._trigger_event(kind, dict(event.data))
        self.async_write_ha_state()
