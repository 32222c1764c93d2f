"""PBX connectivity, and an emergency call in progress."""

from __future__ import annotations

from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import HotdeskEntity
from .models import HotdeskConfigEntry

PARALLEL_UPDATES = 0

CONNECTED = BinarySensorEntityDescription(
    key="pbx_connected",
    translation_key="pbx_connected",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)

EMERGENCY_CALL = BinarySensorEntityDescription(
    key="emergency_call",
    translation_key="emergency_call",
    device_class=BinarySensorDeviceClass.SAFETY,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HotdeskConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the connectivity sensor of the PBX."""
    hub = entry.runtime_data.hub
    async_add_entities(
        [
            PbxConnectedSensor(hub, CONNECTED),
            EmergencyCallSensor(hub, EMERGENCY_CALL),
        ]
    )


class PbxConnectedSensor(HotdeskEntity, BinarySensorEntity):
    """On while the AMI link is up; always available itself."""

    @property
    def available(self) -> bool:
        """Report the link state even while it is down."""
        return True

    @property
    def is_on(self) -> bool:
        """Whether AMI is connected."""
        return self.hub.connected


class EmergencyCallSensor(HotdeskEntity, BinarySensorEntity):
    """On while a desk is on an emergency call; which desk, where, who is there.

    The board card shows its banner from this entity.
    """

    @property
    def available(self) -> bool:
        """Known while the PBX link is up (the PBX holds the calls)."""
        return self.hub.connected

    @property
    def is_on(self) -> bool:
        """Whether an emergency call is in progress."""
        return any(not c.callback for c in self.hub.emergencies.active.values())

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The calls in progress: desk, location, number, who is logged in."""
        alerts = self.hub.emergency_alerts
        return {
            "calls": [
                alerts.call_data(call)
                for call in self.hub.emergencies.active.values()
                if not call.callback
            ]
        }
