"""Linked sites: several PBXs, one entry each, sharing people and desks.

An office that outgrows one Asterisk runs one per site, joined by trunks.
Entry A links to entry B with a site subentry (how A dials B's desks through
the trunk, and whether A's accounts may claim calls and log in there). Then:

- A's directory holds B's desks as A dials them (``PJSIP/<desk id>@site-b``);
  a claim or a login there is A's own claim or login, and B's shipped
  ``hotdesk-site`` context rings the desk;
- identities are global: a scan at B's desk of a tag only A knows is handed
  to A, and B shows the visitor at its desk (and writes the visitor's
  extension as the desk's login, for its outgoing caller ID);
- each PBX keeps its own link, AstDB and entities: one PBX down leaves the
  others working.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .const import (
    CONF_ALLOW_CLAIMS,
    CONF_ALLOW_LOGINS,
    CONF_READERS,
    CONF_SITE_ENTRY,
    CONF_TAGS,
    DOMAIN,
    LOGGER,
)
from .directory import Account, normalize_tag
from .running import async_register, running_hubs
from .subentries import SiteLink, site_links

if TYPE_CHECKING:
    from .hub import HotdeskHub


@dataclass(frozen=True, slots=True)
class Occupant:
    """Who is logged in at a desk: this PBX's own account or a visitor's.

    A visitor is an account of a linked site; ``hub`` is the account's own
    entry's (the one that logs it out).
    """

    hub: HotdeskHub
    account: Account
    since: datetime | None


def links_of(hass: HomeAssistant, entry: ConfigEntry) -> list[SiteLink]:
    """The entry's site links whose linked entry exists (another of ours)."""
    links: list[SiteLink] = []
    for link in site_links(entry):
        site = hass.config_entries.async_get_entry(link.data.get(CONF_SITE_ENTRY, ""))
        if site is not None and site.domain == DOMAIN and site is not entry:
            links.append((link, site))
    return links


def visiting_hubs(
    hass: HomeAssistant, entry_id: str
) -> Iterator[tuple[HotdeskHub, ConfigSubentry]]:
    """Running entries linked to this one, with their link to it.

    Their accounts may come to this entry's desks.
    """
    for hub in list(running_hubs(hass).values()):
        if hub.entry.entry_id == entry_id:
            continue
        for link in site_links(hub.entry):
            if link.data.get(CONF_SITE_ENTRY) == entry_id:
                yield hub, link


def may_claim(link: ConfigSubentry) -> bool:
    """Whether the link lets the linking site's calls move to the linked desks."""
    return bool(link.data.get(CONF_ALLOW_CLAIMS, True))


def may_log_in(link: ConfigSubentry) -> bool:
    """Whether the link lets the linking site's accounts log in at its desks."""
    return bool(link.data.get(CONF_ALLOW_LOGINS, True))


def site_reachable(hass: HomeAssistant, site_entry_id: str | None) -> bool:
    """Whether a desk's PBX can take a call now (None: this PBX's own desk).

    A linked site's PBX is reachable while its entry runs connected; the
    trunk between the PBXs is not visible from here.
    """
    if site_entry_id is None:
        return True
    hub = running_hubs(hass).get(site_entry_id)
    return hub is not None and hub.connected


def visitor_at(hub: HotdeskHub, desk_id: str) -> Occupant | None:
    """The linked site's account logged in at one of the hub's desks, if any."""
    for other, _ in visiting_hubs(hub.hass, hub.entry.entry_id):
        account = other.directory.accounts.get(other.logins.get(desk_id, ""))
        if account is not None:
            return Occupant(other, account, other.login_times.get(desk_id))
    return None


def occupant(hub: HotdeskHub, desk_id: str) -> Occupant | None:
    """Who is logged in at a desk: an account of its own PBX or a visitor."""
    account = hub.directory.accounts.get(hub.logins.get(desk_id, ""))
    if account is not None:
        return Occupant(hub, account, hub.login_times.get(desk_id))
    return visitor_at(hub, desk_id)


def visitor_logins(
    hub: HotdeskHub, keys: Iterable[str] | None = None
) -> dict[str, str]:
    """``login/<desk id>`` AstDB keys of visitors at the hub's own desks.

    The visiting account's extension: the desk's outgoing caller ID (where
    the trunk carries it). ``keys``: only these keys (all when None); a
    change asks for its few keys, not for every visitor's.
    """
    if keys is None:
        desk_ids = {
            d
            for other, _ in visiting_hubs(hub.hass, hub.entry.entry_id)
            for d in other.logins
        }
    else:
        desk_ids = {k.removeprefix("login/") for k in keys if k.startswith("login/")}
    values: dict[str, str] = {}
    for desk_id in desk_ids:
        desk = hub.directory.desks.get(desk_id)
        if desk is None or desk.site is not None or desk_id in hub.logins:
            continue
        if (visitor := visitor_at(hub, desk_id)) is not None:
            values[f"login/{desk_id}"] = visitor.account.extension
    return values


def visiting_account(
    hub: HotdeskHub, tag: str
) -> tuple[HotdeskHub, Account, ConfigSubentry] | None:
    """The linked site's account a tag belongs to (identities are global)."""
    for other, link in visiting_hubs(hub.hass, hub.entry.entry_id):
        account = other.directory.account_by_tag(tag)
        if account is not None:
            return other, account, link
    return None


def scanner_elsewhere(hass: HomeAssistant, entry_id: str, device_id: str) -> bool:
    """Whether another running entry's desk scans with this device.

    The domain's ``tag_scanned`` listener hands every scan to each entry
    (scans.py): the one whose desk it is acts, the others stay quiet (no
    unknown-tag event from each of them).
    """
    device = dr.async_get(hass).async_get(device_id)
    for hub in running_hubs(hass).values():
        if hub.entry.entry_id == entry_id:
            continue
        if hub.directory.desk_by_scanner(device_id) is not None:
            return True
        if device is not None and hub.entry.entry_id in device.config_entries:
            return True  # one of its card readers
    return False


def tag_owner_elsewhere(hass: HomeAssistant, entry_id: str, tag: str) -> bool:
    """Whether the unknown-tag report of a scan at no desk is another entry's.

    It is the tag's account's entry; a tag nobody knows is reported by the
    first running entry alone.
    """
    hubs = running_hubs(hass)
    owners = [e for e, h in hubs.items() if h.directory.account_by_tag(tag)]
    if owners:
        return entry_id not in owners
    return bool(hubs) and entry_id != min(hubs)


def tags_elsewhere(hass: HomeAssistant, entry_id: str) -> set[str]:
    """The tags (normalised) of the other entries' accounts."""
    return {
        normalize_tag(str(tag))
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.entry_id != entry_id
        for sub in entry.subentries.values()
        for tag in sub.data.get(CONF_TAGS, ())
    }


def readers_elsewhere(hass: HomeAssistant, entry_id: str) -> set[str]:
    """The card readers of the other entries' desks.

    A reader is one place: the bridge's posts and this host's readers are
    routed by its name alone, so no two entries may have it.
    """
    return {
        str(reader)
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.entry_id != entry_id
        for sub in entry.subentries.values()
        for reader in sub.data.get(CONF_READERS, ())
    }


def tag_used_elsewhere(hass: HomeAssistant, entry_id: str, tags: Iterable[str]) -> bool:
    """Whether an account of another entry has one of these tags.

    One tag, one person, at every site.
    """
    return not tags_elsewhere(hass, entry_id).isdisjoint(normalize_tag(t) for t in tags)


async def async_tell_site(
    hass: HomeAssistant, site_entry_id: str | None, desk_ids: Iterable[str]
) -> None:
    """A visitor came to or left these desks of a site: it writes and shows it."""
    if site_entry_id is None:
        return
    site = running_hubs(hass).get(site_entry_id)
    desks = list(desk_ids)
    if site is not None and desks:
        await site.async_visitors_changed(desks)


async def async_end_others_at(
    hub: HotdeskHub, desk_id: str, reason: str, context: Context | None = None
) -> None:
    """End every other entry's login at a desk before the hub logs in there.

    A desk has one login, whichever site's account it is: its own PBX's, or
    a visitor's of any site linked to that PBX.
    """
    desk = hub.directory.desks.get(desk_id)
    if desk is None:
        return
    owner_id = desk.site or hub.entry.entry_id
    owner = running_hubs(hub.hass).get(owner_id)
    linked = [h for h, _ in visiting_hubs(hub.hass, owner_id)]
    for other in [owner, *linked]:
        if other is None or other is hub:
            continue
        if desk_id in other.logins:
            LOGGER.debug("Login at %s of another site ends (%s)", desk.name, reason)
            await other.async_logout(desk_id, reason, context=context)


@callback
def async_desks_changed(hass: HomeAssistant, entry_id: str) -> None:
    """The entry's desks changed: the entries linked to it rebuild theirs."""
    for hub, _ in visiting_hubs(hass, entry_id):
        runtime = getattr(hub.entry, "runtime_data", None)
        if runtime is not None:
            hass.async_create_task(runtime.live.async_apply())


async def async_announce(hub: HotdeskHub) -> None:
    """Tell the linked sites where the hub's accounts are logged in at their desks.

    After the hub starts (they show the visitors) and after it stops (they
    stop showing them).
    """
    by_site: dict[str, list[str]] = {}
    for desk_id in hub.logins:
        desk = hub.directory.desks.get(desk_id)
        if desk is not None and desk.site is not None:
            by_site.setdefault(desk.site, []).append(desk_id)
    for site_id, desk_ids in by_site.items():
        await async_tell_site(hub.hass, site_id, desk_ids)


async def async_join(hub: HotdeskHub) -> Callable[[], Coroutine[Any, Any, None]]:
    """Count the hub as running and announce it; returns how it leaves."""
    remove = async_register(hub)
    await async_announce(hub)

    async def leave() -> None:
        remove()
        await async_announce(hub)

    return leave
