"""Subentries -> the directory's accounts and desks for the running entry.

The accounts and desks themselves are built by their schemas
(``account_schema.make_account``, ``desk_schema.make_desk``), the same builders
the forms and the CSV import use; this module reads the entry's subentries,
keeps what it built while a subentry's data stays the same, and adds a linked
site's desks as this PBX dials them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_NAME

from .account_schema import make_account
from .const import (
    CONF_DIAL_TEMPLATE,
    DESK_PLACEHOLDER,
    SUBENTRY_ACCOUNT,
    SUBENTRY_DESK,
    SUBENTRY_SITE,
)
from .desk_schema import make_desk
from .directory import (
    Account,
    Desk,
    Directory,
)

type SiteLink = tuple[ConfigSubentry, ConfigEntry]  # site subentry, linked entry


def desk_from_subentry(sub: ConfigSubentry) -> Desk:
    """A desk subentry as the directory's desk."""
    return make_desk(sub.subentry_id, sub.data)


def site_dial_string(template: str, desk_id: str) -> str:
    """How this PBX dials a linked site's desk: the template with its id."""
    return template.replace(DESK_PLACEHOLDER, desk_id)


def site_desk(link: ConfigSubentry, site: ConfigEntry, sub: ConfigSubentry) -> Desk:
    """A linked site's desk as this PBX sees it: dialled through the trunk.

    No scanners or readers: scans at it are the linked entry's to handle.
    """
    return Desk(
        desk_id=sub.subentry_id,
        name=sub.data[CONF_NAME],
        dial_string=site_dial_string(link.data[CONF_DIAL_TEMPLATE], sub.subentry_id),
        site=site.entry_id,
    )


def account_from_subentry(sub: ConfigSubentry) -> Account:
    """An account subentry as the directory's account."""
    return make_account(sub.subentry_id, sub.data)


class SubentryCache:
    """Accounts and desks read from subentries, kept while their data is the same.

    HA replaces a subentry's data object when it changes, so an unchanged
    subentry keeps its parsed object: rebuilding the directory after one
    change re-reads one subentry, and the others stay the same objects
    (which is how a live change finds what it touched).
    """

    def __init__(self) -> None:
        """Start empty."""
        # key -> (the data objects it was read from, what was read)
        self._items: dict[str, tuple[tuple[object, ...], Account | Desk]] = {}
        # link id -> (its data, the site's subentries mapping, their desks)
        self._sites: dict[str, tuple[object, object, list[Desk]]] = {}

    def _read[T: (Account, Desk)](
        self,
        key: str,
        sources: tuple[object, ...],
        kind: type[T],
        make: Callable[[], T],
    ) -> T:
        """The item read from ``sources`` under ``key``, read again if one is new."""
        item = self._items.get(key)
        if (
            item is not None
            and isinstance(item[1], kind)
            and len(item[0]) == len(sources)
            and all(old is new for old, new in zip(item[0], sources, strict=True))
        ):
            return item[1]
        value = make()
        self._items[key] = (sources, value)
        return value

    def desk(self, sub: ConfigSubentry) -> Desk:
        """The desk of a desk subentry."""
        # The common case first, without the general check's cost: a large
        # office re-reads every subentry on each change.
        item = self._items.get(sub.subentry_id)
        if item is not None and item[0][0] is sub.data and type(item[1]) is Desk:
            return item[1]
        return self._read(
            sub.subentry_id, (sub.data,), Desk, lambda: desk_from_subentry(sub)
        )

    def site_desk(
        self, link: ConfigSubentry, site: ConfigEntry, sub: ConfigSubentry
    ) -> Desk:
        """A linked site's desk, kept while its link and its subentry are."""
        return self._read(
            f"{link.subentry_id}/{sub.subentry_id}",
            (link.data, sub.data),
            Desk,
            lambda: site_desk(link, site, sub),
        )

    def site_desks(self, link: ConfigSubentry, site: ConfigEntry) -> list[Desk]:
        """A linked site's desks, kept while the link and the site's subentries are.

        HA swaps an entry's subentries mapping on every change: the same
        mapping means the same desks, so a change at this site does not
        re-read every desk of the other one.
        """
        known = self._sites.get(link.subentry_id)
        if known is not None and known[0] is link.data and known[1] is site.subentries:
            return known[2]
        desks = [
            self.site_desk(link, site, sub)
            for sub in site.subentries.values()
            if sub.subentry_type == SUBENTRY_DESK
        ]
        self._sites[link.subentry_id] = (link.data, site.subentries, desks)
        return desks

    def account(self, sub: ConfigSubentry) -> Account:
        """The account of an account subentry."""
        item = self._items.get(sub.subentry_id)
        if item is not None and item[0][0] is sub.data and type(item[1]) is Account:
            return item[1]
        return self._read(
            sub.subentry_id, (sub.data,), Account, lambda: account_from_subentry(sub)
        )

    def forget_others(self, subentry_ids: Iterable[str]) -> None:
        """Drop what belongs to subentries that no longer exist.

        A linked site's desk is kept under ``<link id>/<desk id>``: it goes
        with its link (its desk going is seen when the directory is built).
        """
        keep = set(subentry_ids)
        for key in [k for k in self._items if k.partition("/")[0] not in keep]:
            del self._items[key]
        for link_id in [k for k in self._sites if k not in keep]:
            del self._sites[link_id]


def directory_parts(
    subentries: Iterable[ConfigSubentry],
    candidate: Account | Desk | None = None,
    cache: SubentryCache | None = None,
) -> tuple[list[Account], list[Desk], list[str]]:
    """Accounts, desks, and the names of accounts left without a desk.

    A desk can be removed while accounts still name it as a home desk: such
    references are dropped, and an account left without any desk is skipped
    (its name returned, for a repair). ``candidate`` (a form's new or changed
    account or desk) replaces the subentry with its id and is kept as it is,
    so its own mistakes are reported rather than dropped.
    """
    subs = list(subentries)
    read_desk = cache.desk if cache else desk_from_subentry
    read_account = cache.account if cache else account_from_subentry
    skip = (
        candidate.account_id
        if isinstance(candidate, Account)
        else candidate.desk_id
        if isinstance(candidate, Desk)
        else None
    )
    desks = [
        read_desk(sub)
        for sub in subs
        if sub.subentry_type == SUBENTRY_DESK and sub.subentry_id != skip
    ]
    if isinstance(candidate, Desk):
        desks.append(candidate)
    desk_ids = {desk.desk_id for desk in desks}
    accounts: list[Account] = []
    skipped: list[str] = []
    for sub in subs:
        if sub.subentry_type != SUBENTRY_ACCOUNT or sub.subentry_id == skip:
            continue
        account = read_account(sub)
        home = (
            account.home_desks
            if desk_ids.issuperset(account.home_desks)
            else tuple(d for d in account.home_desks if d in desk_ids)
        )
        if not home:
            skipped.append(account.name)
            continue
        # The same object when nothing was dropped (see SubentryCache).
        if home != account.home_desks:
            account = replace(account, home_desks=home)
        accounts.append(account)
    if isinstance(candidate, Account):
        accounts.append(candidate)
    return accounts, desks, skipped


def site_desks(
    links: Iterable[SiteLink], cache: SubentryCache | None = None
) -> list[Desk]:
    """The desks of the linked sites, as this PBX dials them."""
    if cache is None:
        return [
            site_desk(link, site, sub)
            for link, site in links
            for sub in site.subentries.values()
            if sub.subentry_type == SUBENTRY_DESK
        ]
    return [desk for link, site in links for desk in cache.site_desks(link, site)]


# entry id -> (the subentries mapping they were read from, its site links).
# HA swaps the mapping on every change, so the same object means the same
# links: a desk's sensor asks on every update, and an entry of ten thousand
# seats is not scanned each time.
_SITE_LINKS: dict[str, tuple[object, list[ConfigSubentry]]] = {}


def site_links(entry: ConfigEntry) -> list[ConfigSubentry]:
    """The entry's site subentries."""
    cached = _SITE_LINKS.get(entry.entry_id)
    if cached is not None and cached[0] is entry.subentries:
        return cached[1]
    links = [s for s in entry.subentries.values() if s.subentry_type == SUBENTRY_SITE]
    _SITE_LINKS[entry.entry_id] = (entry.subentries, links)
    return links


def directory_from_entry(
    entry: ConfigEntry,
    cache: SubentryCache | None = None,
    previous: Directory | None = None,
    links: Iterable[SiteLink] = (),
) -> tuple[Directory, list[str]]:
    """The entry's directory, and the names of accounts left without a desk.

    With ``previous`` (and the cache that built it), only the accounts and
    desks whose subentries changed are checked again (``Directory.rebuild``).
    ``links`` add the linked sites' desks (a login or claim there dials
    through the trunk).
    """
    accounts, desks, skipped = directory_parts(entry.subentries.values(), cache=cache)
    desks += site_desks(links, cache)
    if previous is not None and cache is not None:
        return Directory.rebuild(previous, accounts, desks), skipped
    return Directory.build(accounts, desks), skipped
