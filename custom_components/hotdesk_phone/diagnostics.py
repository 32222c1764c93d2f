"""Diagnostics with secrets, identities and personal data redacted.

Diagnostics get attached to public bug reports: what lets someone log in to
the PBX, clone a card or learn who called whom stays out.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .const import (
    CONF_CARD_CERTIFICATES,
    CONF_DIAL_STRING,
    CONF_NOTIFY_TARGETS,
    CONF_PEOPLE,
    CONF_READER_USERS,
    CONF_READERS,
    CONF_TAGS,
    CONF_WATCH_TARGETS,
    SUBENTRY_ACCOUNT,
    SUBENTRY_DESK,
)
from .emergency import CONF_CONTACTS
from .emergency_alerts import desk_location
from .models import HotdeskConfigEntry
from .pbx_link import CONF_TLS_VERIFY
from .titles import subentry_title

TO_REDACT = {
    # The PBX: where it is and how to log in to it.
    CONF_HOST,
    CONF_PASSWORD,
    CONF_USERNAME,
    # Identities (card UIDs can be cloned) and who the people are.
    CONF_TAGS,
    CONF_READERS,
    CONF_PEOPLE,
    CONF_READER_USERS,
    CONF_NOTIFY_TARGETS,
    CONF_WATCH_TARGETS,
    # Card certificates name their holder.
    CONF_CARD_CERTIFICATES,
    # A desk's channel (its PBX device name).
    CONF_DIAL_STRING,
    # Who is told of an emergency call (people's companion apps).
    CONF_CONTACTS,
}
# Who called, and the caller's channel (it names the trunk and often the number).
CALL_TO_REDACT = {"caller_channel", "caller_id_number", "caller_id_name"}


def _subentry(sub: ConfigSubentry) -> dict[str, Any]:
    data = async_redact_data(dict(sub.data), TO_REDACT)
    # A desk's title shows its dial string: made again from the redacted data.
    ours = sub.subentry_type in (SUBENTRY_ACCOUNT, SUBENTRY_DESK)
    return {
        "subentry_id": sub.subentry_id,
        "type": sub.subentry_type,
        "title": subentry_title(sub.subentry_type, data) if ours else sub.title,
        "data": data,
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HotdeskConfigEntry
) -> dict[str, Any]:
    """The entry, its subentries and the live state, without secrets."""
    hub = entry.runtime_data.hub
    return {
        "entry": {
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "subentries": [_subentry(sub) for sub in entry.subentries.values()],
        "pbx": {
            "connected": hub.connected,
            "asterisk_version": hub.asterisk_version,
            "last_resync_seconds": hub.last_resync_seconds,
            # How the link is protected, and the certificate it trusts.
            "link_security": hub.client.link_security,
            "tls_verify": entry.data.get(CONF_TLS_VERIFY),
            "peer_is_loopback": hub.client.peer_is_loopback,
            "certificate": (
                {
                    "sha256": certificate.sha256,
                    "not_after": str(certificate.not_after),
                }
                if (certificate := hub.client.server_certificate) is not None
                else None
            ),
        },
        "logins": dict(hub.logins),
        "desk_states": dict(hub.tracker.desk_states),
        "calls": [
            async_redact_data(
                {
                    **{k: v for k, v in asdict(call).items() if k != "allowed_desks"},
                    "allowed_desks": sorted(call.allowed_desks),
                },
                CALL_TO_REDACT,
            )
            for call in hub.tracker.calls.values()
        ],
        "accounts_without_desk": hub.accounts_without_desk,
        # Who needs an authenticated card, how many keys each has enrolled,
        # and the latest scans refused for want of one (no card data).
        "authenticated_cards": {
            "required": sorted(
                a.account_id for a in hub.directory.accounts.values() if a.card_required
            ),
            "keys": {
                a.account_id: len(a.card_keys)
                for a in hub.directory.accounts.values()
                if a.card_keys
            },
            "refused_scans": list(entry.runtime_data.card_readers.refusals),
        },
        # What an emergency call from each desk sends (the office's address
        # and numbers, no person's), and the emergency calls in progress.
        "emergency": {
            "numbers": list(hub.emergency_settings.numbers),
            "route_set": bool(hub.emergency_settings.dial_template),
            "contacts": len(hub.emergency_settings.contacts),
            "desks": {
                desk_id: {
                    "elin": elin or None,
                    "location": address.location_info() or None,
                }
                for desk_id, desk in hub.directory.desks.items()
                if desk.site is None
                for elin, address in (desk_location(hub, desk_id),)
            },
            # By desk id: a desk's dial string is redacted everywhere else.
            "calls_in_progress": [
                {
                    "desk_id": desk.desk_id if desk is not None else None,
                    "number": c.number,
                    "callback": c.callback,
                }
                for c in hub.emergencies.active.values()
                for desk in (hub.directory.desk_by_device(c.device),)
            ],
        },
        # Linked sites: whether each linked PBX runs connected, and the
        # desks of this PBX where their accounts are logged in.
        "sites": {
            "linked": hub.linked_sites(),
            "visitors": {
                desk_id: visitor.account.account_id
                for desk_id in hub.directory.desks
                if desk_id not in hub.logins
                and (visitor := hub.visitor_at(desk_id)) is not None
            },
        },
    }
