"""The one base entity of hotdesk_phone."""

from __future__ import annotations

from typing import Any, cast

from homeassistant.const import ATTR_AREA_ID, CONF_NAME
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from .const import CONF_DIAL_STRING, CONF_EXTENSION, DOMAIN, SUBENTRY_ACCOUNT
from .hub import HotdeskHub
from .texts import text

MANUFACTURER = "Hot-desk phone"
# Newer Home Assistant links a device to its parent by device id and reports
# the older link by identifiers; older releases know only the latter.
VIA_BY_ID = "via_device_id" in DeviceInfo.__optional_keys__


class HotdeskEntity(Entity):
    """An entity on the PBX, a desk or an account device; updates are pushed."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self,
        hub: HotdeskHub,
        description: EntityDescription,
        subentry_id: str | None = None,
    ) -> None:
        """Attach to the hub device, or to the device of one subentry."""
        self.hub = hub
        self.entity_description = description
        self.subentry_id = subentry_id
        owner = subentry_id or hub.entry.entry_id
        self._attr_unique_id = f"{owner}_{description.key}"
        if subentry_id is None:
            self._attr_device_info = DeviceInfo(
                identifiers={(DOMAIN, owner)},
                name=hub.entry.title,
                manufacturer="Asterisk",
                model="PBX",
                sw_version=hub.asterisk_version,
                configuration_url=None,
            )
        else:
            self._attr_device_info = _subentry_device_info(hub, subentry_id)

    @property
    def available(self) -> bool:
        """Unavailable once the PBX could not be reached for a while."""
        return self.hub.entities_available

    async def async_added_to_hass(self) -> None:
        """Follow the hub's pushes."""
        await super().async_added_to_hass()
        self.hub.updates.async_add_entity(self, self.subentry_id)

    async def async_will_remove_from_hass(self) -> None:
        """Stop following them."""
        self.hub.updates.async_remove_entity(self, self.subentry_id)
        await super().async_will_remove_from_hass()


def _subentry_device_info(hub: HotdeskHub, subentry_id: str) -> DeviceInfo:
    """The device of a desk or account: one object for all its entities.

    An office of 10,000 seats has 90,000 entities; building the same device
    description (a translated model name, an area lookup) for each was a
    second of setup and tens of MB kept.
    """
    subentry = hub.entry.subentries[subentry_id]
    cached = hub.device_infos.get(subentry_id)
    if cached is not None and cached[0] is subentry.data:
        return cached[1]
    account = subentry.subentry_type == SUBENTRY_ACCOUNT
    # The area chosen in the desk form, for a device made now.
    area = ar.async_get(hub.hass).async_get_area(subentry.data.get(ATTR_AREA_ID) or "")
    info = DeviceInfo(
        identifiers={(DOMAIN, subentry_id)},
        # The plain name: the title also shows the extension or dial string
        # (titles.py), which the model id shows here.
        name=subentry.data.get(CONF_NAME) or subentry.title,
        manufacturer=MANUFACTURER,
        # In HA's language; the actions' device pickers list the model in
        # every language the integration ships.
        model=text(hub.hass, "model_account" if account else "model_desk_phone"),
        # The device page shows "Account (101)", "Desk phone (PJSIP/x)".
        model_id=subentry.data.get(CONF_EXTENSION if account else CONF_DIAL_STRING),
        suggested_area=area.name if area is not None else None,
        # An account is a phone number, not a box on a desk.
        entry_type=DeviceEntryType.SERVICE if account else None,
    )
    # Under the PBX's device from the start: linking 20,000 devices after
    # they were made (an update each) was seconds of an office's setup.
    if VIA_BY_ID:
        cast("dict[str, Any]", info)["via_device_id"] = hub.device_id
    else:
        info["via_device"] = (DOMAIN, hub.entry.entry_id)
    hub.device_infos[subentry_id] = (subentry.data, info)
    return info
