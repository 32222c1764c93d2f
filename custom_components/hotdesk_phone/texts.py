"""Words the integration writes itself (pushes, logbook lines), in HA's language.

They live in the translation files' ``common`` section: a flat map of keys to
texts that HA's translation schema allows an integration, and that HA's
translation loader reads like every other section (``strings.json`` is the
source, ``translations/<language>.json`` the languages). HA loads an
integration's translations for its configured language when the integration
is set up, and again when the language changes, so they are read here from
that cache without waiting; keys a language lacks fall back to English there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.translation import async_get_cached_translations

from .const import DOMAIN

_PREFIX = f"component.{DOMAIN}.common."


@callback
def text(hass: HomeAssistant, key: str, **placeholders: object) -> str:
    """The text ``key`` in HA's language, with its placeholders filled in."""
    strings = async_get_cached_translations(
        hass, hass.config.language, "common", DOMAIN
    )
    template = strings.get(_PREFIX + key)
    if template is None:
        # Not loaded (cannot happen once the integration is set up): say
        # which text it is rather than nothing.
        return key
    return template.format(**placeholders)


@callback
def text_or(hass: HomeAssistant, key: str, fallback: str) -> str:
    """The text ``key`` when it exists, else ``fallback`` (an unknown reason)."""
    strings = async_get_cached_translations(
        hass, hass.config.language, "common", DOMAIN
    )
    return strings.get(_PREFIX + key, fallback)


@callback
def caller(hass: HomeAssistant, data: Mapping[str, Any]) -> str:
    """Who calls, from a call event's data: "name (number)", either, or unknown."""
    name, number = data.get("caller_id_name"), data.get("caller_id_number")
    if name and number:
        return f"{name} ({number})"
    return str(name or number or text(hass, "unknown_caller"))
