"""The account and desk forms' shared base: the whole directory must still hold.

A candidate account or desk is built by its schema and checked with every
other subentry of the entry (``Directory.build``); a directory error is shown
on the field it is about.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol

from homeassistant.config_entries import (
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.helpers import (
    device_registry as dr,
    selector,
)

from .card_enrolment import CONF_CARD_KEYS
from .const import (
    CONF_DIAL_STRING,
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_MOBILE,
    CONF_MOBILE_MODE,
    CONF_PRESENCE,
    CONF_PRESENCE_ENTITIES,
    CONF_READERS,
    CONF_RING_DELAY,
    CONF_SCANNERS,
    CONF_TAGS,
    DOMAIN,
)
from .directory import (
    DEFAULT_RING_DELAY,
    MAX_RING_DELAY,
    MIN_RING_DELAY,
    MOBILE_AWAY,
    MOBILE_MODES,
    PRESENCE_MODES,
    PRESENCE_OFF,
    Account,
    Desk,
    Directory,
    DirectoryError,
)
from .subentries import directory_parts
from .titles import subentry_title

# Which form field each directory error belongs to.
ERROR_FIELD = {
    "invalid_extension": CONF_EXTENSION,
    "duplicate_extension": CONF_EXTENSION,
    "no_home_desk": CONF_HOME_DESKS,
    "unknown_desk": CONF_HOME_DESKS,
    "invalid_tag": CONF_TAGS,
    "duplicate_tag": CONF_TAGS,
    "invalid_dial_string": CONF_DIAL_STRING,
    "invalid_mobile": CONF_MOBILE,
    "mobile_too_long": CONF_MOBILE,
    "duplicate_dial_string": CONF_DIAL_STRING,
    "duplicate_scanner": CONF_SCANNERS,
    "duplicate_reader": CONF_READERS,
    "duplicate_card_key": CONF_CARD_KEYS,
    "no_card_key": CONF_CARD_KEYS,
}


# Reach the mobile and ring where the person is (account form). Optional with
# defaults: accounts stored before these fields existed keep working.
RING_FIELDS: dict[Any, Any] = {
    vol.Optional(CONF_MOBILE): selector.TextSelector(),
    vol.Optional(CONF_MOBILE_MODE, default=MOBILE_AWAY): selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=list(MOBILE_MODES), translation_key=CONF_MOBILE_MODE
        )
    ),
    vol.Optional(CONF_PRESENCE, default=PRESENCE_OFF): selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=list(PRESENCE_MODES), translation_key=CONF_PRESENCE
        )
    ),
    vol.Optional(CONF_PRESENCE_ENTITIES): selector.EntitySelector(
        selector.EntitySelectorConfig(
            domain=["sensor", "device_tracker", "select", "input_select"],
            multiple=True,
        )
    ),
    vol.Optional(CONF_RING_DELAY, default=DEFAULT_RING_DELAY): selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=MIN_RING_DELAY,
            max=MAX_RING_DELAY,
            step=1,
            unit_of_measurement="s",
            mode=selector.NumberSelectorMode.BOX,
        )
    ),
}


class DirectorySubentryFlow(ConfigSubentryFlow):
    """Shared validation: the whole directory must still be consistent."""

    _kind: str  # the subentry type this flow makes

    def _check(self, candidate: Account | Desk) -> dict[str, str]:
        # Other accounts may still name desks removed meanwhile (the entry
        # skips those at setup); they are not the candidate's problem.
        accounts, desks, _ = directory_parts(
            self._get_entry().subentries.values(), candidate
        )
        try:
            Directory.build(accounts, desks)
        except DirectoryError as err:
            return {ERROR_FIELD.get(err.code, "base"): err.code}
        return {}

    def _is_new(self) -> bool:
        return self.source == "user"

    def _editing_id(self) -> str:
        return "" if self._is_new() else self._get_reconfigure_subentry().subentry_id

    def _current(self) -> Mapping[str, Any]:
        return {} if self._is_new() else self._get_reconfigure_subentry().data

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add one."""
        return await self._form(user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change one."""
        return await self._form(user_input)

    async def _form(self, user_input: dict[str, Any] | None) -> SubentryFlowResult:
        raise NotImplementedError

    def _device(self) -> dr.DeviceEntry | None:
        """The device of the subentry being changed (None for a new one)."""
        if self._is_new():
            return None
        subentry_id = self._editing_id()
        for device in dr.async_entries_for_config_entry(
            dr.async_get(self.hass), self._get_entry().entry_id
        ):
            if (DOMAIN, subentry_id) in device.identifiers:
                return device
        return None

    def _finish(self, data: dict[str, Any]) -> SubentryFlowResult:
        # The row on the integration's page: "Alice (101)", "Desk 3 (PJSIP/d3)".
        title = subentry_title(self._kind, data)
        if self._is_new():
            return self.async_create_entry(title=title, data=data)
        # The device page shows the extension or dial string (entity.py).
        shown = data.get(CONF_EXTENSION, data.get(CONF_DIAL_STRING))
        if (device := self._device()) is not None and device.model_id != shown:
            dr.async_get(self.hass).async_update_device(device.id, model_id=shown)
        return self.async_update_and_abort(
            self._get_entry(),
            self._get_reconfigure_subentry(),
            title=title,
            data=data,
        )
