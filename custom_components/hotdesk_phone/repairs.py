"""Repair issues the integration raises and clears as conditions come and go."""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


@callback
def set_issue(
    hass: HomeAssistant,
    translation_key: str,
    issue_id: str,
    placeholders: Mapping[str, str] | None,
    severity: ir.IssueSeverity = ir.IssueSeverity.ERROR,
) -> None:
    """Raise the issue with these placeholders, or clear it (``None``).

    None of them can be fixed from the repairs page: each names what to
    change (a form, the PBX) and goes when the condition does.
    """
    if placeholders is None:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=severity,
        translation_key=translation_key,
        translation_placeholders=dict(placeholders),
    )
