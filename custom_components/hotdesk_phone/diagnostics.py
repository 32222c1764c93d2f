"""Diagnostics with secrets and identities redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .const import CONF_READERS, CONF_TAGS
from .hub import HotdeskConfigEntry

TO_REDACT = {CONF_PASSWORD, CONF_USERNAME, CONF_TAGS, CONF_READERS, "tags", "readers"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HotdeskConfigEntry
) -> dict[str, Any]:
    """The entry, its subentries and the live state, without secrets."""
    hub = entry.runtime_data.hub
    return {
        "entry": {
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": dict(entry.options),
        },
        "subentries": [
            {
                "subentry_id": sub.subentry_id,
                "type": sub.subentry_type,
                "title": sub.title,
                "data": async_redact_data(dict(sub.data), TO_REDACT),
            }
            for sub in entry.subentries.values()
        ],
        "pbx": {
            "connected": hub.connected,
            "asterisk_version": hub.asterisk_version,
            "last_resync_seconds": hub.last_resync_seconds,
        },
        "logins": dict(hub.logins),
        "desk_states": dict(hub.tracker.desk_states),
        "calls": [
            {
                **{k: v for k, v in asdict(call).items() if k != "allowed_desks"},
                "allowed_desks": sorted(call.allowed_desks),
            }
            for call in hub.tracker.calls.values()
        ],
        "accounts_without_desk": hub.accounts_without_desk,
    }
