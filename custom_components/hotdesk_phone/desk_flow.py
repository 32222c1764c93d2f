"""The desk form: name, dial string, scanners, card readers, bridge users, location."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol

from homeassistant.config_entries import (
    ConfigEntryState,
    SubentryFlowResult,
)
from homeassistant.const import (
    ATTR_AREA_ID,
    CONF_NAME,
)
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    selector,
)

from .ami_errors import AmiError
from .const import (
    CONF_CALENDAR,
    CONF_DIAL_STRING,
    CONF_EMERGENCY,
    CONF_READER_USERS,
    CONF_READERS,
    CONF_SCANNERS,
    DOMAIN,
    SUBENTRY_DESK,
)
from .desk_schema import check_desk, make_desk
from .directory_flow import DirectorySubentryFlow
from .emergency_flow import (
    desk_section,
    validate_desk_section,
)
from .pcsc import async_host_readers
from .sites import readers_elsewhere

# Devices of these integrations fire HA's tag_scanned with their device id:
# the only devices that can be a desk's tag scanner. This integration's own
# card readers are chosen in their own field, its other devices never scan.
SCANNER_INTEGRATIONS = ("esphome", "mobile_app", "mqtt")


class DeskSubentryFlow(DirectorySubentryFlow):
    """A desk phone: name, dial string, the devices that scan there."""

    _kind = SUBENTRY_DESK

    async def _endpoints(self) -> list[str]:
        """Dial strings the PBX offers (empty when it cannot be asked)."""
        entry = self._get_entry()
        if entry.state is not ConfigEntryState.LOADED:
            return []
        try:
            endpoints = await entry.runtime_data.hub.client.endpoints()
        except AmiError:
            return []
        return [e.dial_string for e in endpoints]

    async def _users(self) -> dict[str, str]:
        """People who can log in to HA (id -> name): whose bridge may post."""
        return {
            user.id: user.name or user.id
            for user in await self.hass.auth.async_get_users()
            if not user.system_generated and user.is_active
        }

    async def _form(self, user_input: dict[str, Any] | None) -> SubentryFlowResult:
        errors: dict[str, str] = {}
        users = await self._users()
        endpoints = await self._endpoints()
        if user_input is not None:
            data, errors = self._validate(user_input, users)
            if not errors:
                errors = self._check(make_desk(self._editing_id() or "new", data))
            if not errors and not readers_elsewhere(
                self.hass, self._get_entry().entry_id
            ).isdisjoint(data[CONF_READERS]):
                # A reader is routed by its name alone: one desk, at every site.
                errors = {CONF_READERS: "duplicate_reader"}
            if not errors:
                self._desk_data = data
                dial_string = data[CONF_DIAL_STRING]
                # A PJSIP endpoint the PBX does not list: ask once more
                # (the list is PJSIP only; other technologies are not checked).
                if (
                    endpoints
                    and dial_string.upper().startswith("PJSIP/")
                    and dial_string not in endpoints
                ):
                    return await self.async_step_unknown_dial_string()
                return self._finish_desk()
        # PC/SC readers of this host (when pyscard and pcscd are there), plus the
        # chosen ones; any other value is a bridge reader id typed in.
        readers = sorted(
            {
                *await async_host_readers(self.hass),
                *self._current().get(CONF_READERS, []),
                *((user_input or {}).get(CONF_READERS) or []),
            }
        )
        values: Mapping[str, Any] = user_input or {
            **self._current(),
            ATTR_AREA_ID: self._device_area() or self._current().get(ATTR_AREA_ID),
        }
        # The dial string is optional in the schema and checked in the step:
        # the browser selects the first option of a required dropdown.
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME): selector.TextSelector(),
                vol.Optional(CONF_DIAL_STRING): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=self._endpoint_options(endpoints),
                        custom_value=True,
                        mode=selector.SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Optional(ATTR_AREA_ID): selector.AreaSelector(),
                vol.Optional(CONF_SCANNERS): selector.DeviceSelector(
                    selector.DeviceSelectorConfig(
                        multiple=True,
                        filter=[
                            selector.DeviceFilterSelectorConfig(integration=domain)
                            for domain in SCANNER_INTEGRATIONS
                        ],
                    )
                ),
                vol.Optional(CONF_READERS): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=readers,
                        multiple=True,
                        custom_value=True,
                        mode=selector.SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Optional(CONF_READER_USERS): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=[
                            selector.SelectOptionDict(value=k, label=v)
                            for k, v in sorted(users.items(), key=lambda u: u[1])
                        ],
                        multiple=True,
                        mode=selector.SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Optional(CONF_CALENDAR): selector.EntitySelector(
                    selector.EntitySelectorConfig(domain="calendar")
                ),
                vol.Optional(CONF_EMERGENCY): desk_section(),
            }
        )
        return self.async_show_form(
            step_id="user" if self._is_new() else "reconfigure",
            data_schema=self.add_suggested_values_to_schema(schema, values),
            errors=errors,
        )

    def _validate(
        self, user_input: dict[str, Any], users: Mapping[str, str]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        data, field_errors = check_desk(user_input)
        errors = {field: err.code for field, err in field_errors.items()}
        emergency, emergency_error = validate_desk_section(
            user_input.get(CONF_EMERGENCY)
        )
        if emergency_error is not None:
            errors[CONF_EMERGENCY] = emergency_error
        elif emergency:
            data[CONF_EMERGENCY] = emergency
        if area := user_input.get(ATTR_AREA_ID):
            data[ATTR_AREA_ID] = area
        if not set(data[CONF_READER_USERS]) <= set(users):
            errors[CONF_READER_USERS] = "unknown_user"
        if any(map(self._ours, data[CONF_SCANNERS])):
            errors[CONF_SCANNERS] = "not_a_scanner"
        return ({}, errors) if errors else (data, {})

    def _ours(self, device_id: str) -> bool:
        """Whether a device is ours (account, desk, PBX, card reader: never scans)."""
        device = dr.async_get(self.hass).async_get(device_id)
        return device is not None and any(d == DOMAIN for d, _ in device.identifiers)

    def _endpoint_options(
        self, endpoints: list[str]
    ) -> list[selector.SelectOptionDict]:
        """The PBX's endpoints: free ones first, then those other desks use."""
        used = {
            sub.data.get(CONF_DIAL_STRING): sub.data.get(CONF_NAME) or sub.title
            for sub in self._get_entry().subentries.values()
            if sub.subentry_type == SUBENTRY_DESK
            and sub.subentry_id != self._editing_id()
        }
        free = [e for e in endpoints if e not in used]
        taken = [e for e in endpoints if e in used]
        return [selector.SelectOptionDict(value=e, label=e) for e in free] + [
            selector.SelectOptionDict(value=e, label=f"{e} ({used[e]})") for e in taken
        ]

    _desk_data: dict[str, Any]

    async def async_step_unknown_dial_string(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """The PBX does not list this endpoint: save anyway, or go back."""
        if user_input is not None:
            return self._finish_desk()
        return self.async_show_form(
            step_id="unknown_dial_string",
            data_schema=vol.Schema({}),
            description_placeholders={
                "dial_string": self._desk_data[CONF_DIAL_STRING],
                "name": self._desk_data[CONF_NAME],
            },
        )

    def _device_area(self) -> str | None:
        device = self._device()
        return device.area_id if device is not None else None

    def _finish_desk(self) -> SubentryFlowResult:
        """Save; the area goes to the desk's device (now, or when it is made)."""
        data = self._desk_data
        area_id = data.get(ATTR_AREA_ID)
        if (
            area_id is not None
            and ar.async_get(self.hass).async_get_area(area_id) is None
        ):
            data.pop(ATTR_AREA_ID)
            area_id = None
        if (device := self._device()) is not None and device.area_id != area_id:
            dr.async_get(self.hass).async_update_device(device.id, area_id=area_id)
        return self._finish(data)
