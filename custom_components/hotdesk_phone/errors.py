"""The translated errors the actions and the Log out button raise.

Two kinds, as HA tells them apart: the caller asked for something invalid
(``input_error``: HA's ``ServiceValidationError``), or the PBX side could not
do it (``pbx_error``: ``HomeAssistantError``). The texts are the translations'
``exceptions`` section.
"""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import DOMAIN


def input_error(key: str, **placeholders: str) -> ServiceValidationError:
    """The caller asked for something invalid (their input)."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def pbx_error(key: str, **placeholders: str) -> HomeAssistantError:
    """The PBX side could not do it (not the caller's input)."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )
