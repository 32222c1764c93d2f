"""Where Home Assistant puts each desk: its device's area and that area's floor.

Emergency calls take the floor and room of a desk's location from it, and
bookings the area whose calendars book a desk that names none of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    floor_registry as fr,
)

from .const import DOMAIN
from .location import CivicAddress, plain_field


@dataclass(frozen=True, slots=True)
class DeskPlace:
    """Where Home Assistant puts a desk: its device's area and floor."""

    area_id: str | None = None
    area: str = ""
    floor: str = ""

    @property
    def address(self) -> CivicAddress:
        """The floor and room this gives a desk's location."""
        return CivicAddress(floor=plain_field(self.floor), room=plain_field(self.area))


NOWHERE: Final = DeskPlace()


@callback
def desk_places(hass: HomeAssistant, entry_id: str) -> dict[str, DeskPlace]:
    """Desk id -> its device's area and floor, for the entry's devices."""
    areas = ar.async_get(hass)
    floors = fr.async_get(hass)
    places: dict[str, DeskPlace] = {}
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry_id):
        if (
            device.area_id is None
            or (area := areas.async_get_area(device.area_id)) is None
        ):
            continue
        floor = floors.async_get_floor(area.floor_id) if area.floor_id else None
        place = DeskPlace(area.id, area.name, floor.name if floor else "")
        for domain, key in device.identifiers:
            if domain == DOMAIN:
                places[key] = place
    return places
