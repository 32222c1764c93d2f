"""PBX connectivity."""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import HotdeskEntity
from .hub import HotdeskConfigEntry

PARALLEL_UPDATES = 0

CONNECTED = BinarySensorEntityDescription(
    key="pbx_connected",
    translation_key="pbx_connected",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HotdeskConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the connectivity sensor of the PBX."""
    async_add_entities([PbxConnectedSensor(entry.runtime_data.hub, CONNECTED)])


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
