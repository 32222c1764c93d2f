"""The emergency parts of the forms: a desk's section and the entry's settings.

The checks are the pure ones of emergency.py (the CSV import uses the same);
here they meet Home Assistant's form schemas.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import voluptuous as vol

from homeassistant.data_entry_flow import section
from homeassistant.helpers import selector

from .directory import DirectoryError
from .emergency import (
    CONF_CALLBACK_MINUTES,
    CONF_CONTACTS,
    CONF_DIAL_TEMPLATE,
    CONF_ELIN,
    CONF_NUMBERS,
    MAX_CALLBACK_MINUTES,
    MIN_CALLBACK_MINUTES,
    EmergencySettings,
    check_extensions,
    desk_data,
    validate_desk,
    validate_numbers,
    validate_route,
)
from .location import ADDRESS_FIELDS

_TEXT = selector.TextSelector()
_ELIN = selector.TextSelector(
    selector.TextSelectorConfig(type=selector.TextSelectorType.TEL)
)


def desk_section() -> section:
    """A desk's own emergency fields, folded away: most desks inherit them."""
    return section(
        vol.Schema(
            {
                vol.Optional(CONF_ELIN): _ELIN,
                **{vol.Optional(name): _TEXT for name in ADDRESS_FIELDS},
            }
        ),
        {"collapsed": True},
    )


def validate_desk_section(
    raw: Mapping[str, Any] | None,
) -> tuple[dict[str, str], str | None]:
    """The desk's stored emergency data, or the first error's code."""
    emergency, errors = validate_desk(raw or {})
    if errors:
        return {}, next(iter(errors.values()))
    return desk_data(emergency), None


def settings_schema(settings: EmergencySettings, targets: list[str]) -> vol.Schema:
    """The entry's emergency settings form, filled with what is set now."""
    address = settings.address
    fields: dict[vol.Marker, Any] = {
        vol.Required(CONF_NUMBERS, default=", ".join(settings.numbers)): _TEXT,
        vol.Optional(
            CONF_DIAL_TEMPLATE,
            description={"suggested_value": settings.dial_template or None},
        ): _TEXT,
        vol.Required(
            CONF_CALLBACK_MINUTES, default=settings.callback_minutes
        ): selector.NumberSelector(
            selector.NumberSelectorConfig(
                min=MIN_CALLBACK_MINUTES,
                max=MAX_CALLBACK_MINUTES,
                step=1,
                mode=selector.NumberSelectorMode.BOX,
                unit_of_measurement="min",
            )
        ),
        vol.Optional(
            CONF_ELIN, description={"suggested_value": settings.elin or None}
        ): _ELIN,
        **{
            vol.Optional(
                name,
                description={"suggested_value": getattr(address, name) or None},
            ): _TEXT
            for name in ADDRESS_FIELDS
        },
        vol.Optional(
            CONF_CONTACTS,
            description={"suggested_value": list(settings.contacts) or None},
        ): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=targets,
                multiple=True,
                custom_value=True,
                mode=selector.SelectSelectorMode.DROPDOWN,
            )
        ),
    }
    return vol.Schema(fields)


def validate_settings(
    user_input: Mapping[str, Any], extensions: Iterable[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The entry's emergency settings as stored, and an error code per field."""
    errors: dict[str, str] = {}
    emergency, field_errors = validate_desk(user_input)
    errors.update(field_errors)
    data: dict[str, Any] = desk_data(emergency)
    try:
        data[CONF_NUMBERS] = list(
            validate_numbers(str(user_input.get(CONF_NUMBERS) or ""))
        )
        check_extensions(data[CONF_NUMBERS], extensions)
    except DirectoryError as err:
        errors[CONF_NUMBERS] = err.code
    try:
        if route := validate_route(str(user_input.get(CONF_DIAL_TEMPLATE) or "")):
            data[CONF_DIAL_TEMPLATE] = route
    except DirectoryError as err:
        errors[CONF_DIAL_TEMPLATE] = err.code
    minutes = int(user_input.get(CONF_CALLBACK_MINUTES) or 0)
    if not MIN_CALLBACK_MINUTES <= minutes <= MAX_CALLBACK_MINUTES:
        errors[CONF_CALLBACK_MINUTES] = "invalid_callback_minutes"
    data[CONF_CALLBACK_MINUTES] = minutes
    data[CONF_CONTACTS] = sorted(
        {
            str(t).strip().removeprefix("notify.")
            for t in user_input.get(CONF_CONTACTS) or []
        }
        - {""}
    )
    return data, errors
