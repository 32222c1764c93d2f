"""Subentries -> the directory's accounts and desks for the running entry.

The accounts and desks themselves are built by their schemas
(``account_schema.make_account``, ``desk_schema.make_desk``), the same builders
the forms and the CSV import use; this module reads the entry's subentries,
keeps what it built while a subentry's data stays the same, and adds a linked
site's desks as this PBX dials them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
    DirectoryError,
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
        # link id -> (its data, the site entry's version, its desks)
        self._sites: dict[str, tuple[object, tuple[object, object], list[Desk]]] = {}
        # What the running directory was read from (``changes``): each
        # subentry's data object, and the accounts not taken as stored
        # (left without a desk: id -> name; some home desks dropped: ids).
        self._data: dict[str, object] = {}
        self._skipped: dict[str, str] = {}
        self._pruned: set[str] = set()
        # The ids the last read found changed (None: it read everything).
        self.last_changed: list[str] | None = None

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
        """A linked site's desks, kept while the link and the site's entry are.

        HA swaps an entry's subentries mapping when one is added or removed,
        and stamps the entry when one changes: the same mapping and stamp
        mean the same desks, so a change at this site does not re-read
        every desk of the other one.
        """
        version = _version(site)
        known = self._sites.get(link.subentry_id)
        if known is not None and known[0] is link.data and known[1] == version:
            return known[2]
        desks = [
            self.site_desk(link, site, sub)
            for sub in site.subentries.values()
            if sub.subentry_type == SUBENTRY_DESK
        ]
        self._sites[link.subentry_id] = (link.data, version, desks)
        return desks

    def account(self, sub: ConfigSubentry) -> Account:
        """The account of an account subentry."""
        item = self._items.get(sub.subentry_id)
        if item is not None and item[0][0] is sub.data and type(item[1]) is Account:
            return item[1]
        return self._read(
            sub.subentry_id, (sub.data,), Account, lambda: account_from_subentry(sub)
        )

    def remember(
        self, subentries: Mapping[str, ConfigSubentry], directory: Directory
    ) -> None:
        """Note what ``directory`` was read from: ``changes`` starts there."""
        self._data = {sid: sub.data for sid, sub in subentries.items()}
        self._skipped = {}
        self._pruned = set()
        for sid, sub in subentries.items():
            if sub.subentry_type != SUBENTRY_ACCOUNT:
                continue
            account, stored = directory.accounts.get(sid), self.account(sub)
            if account is None:
                self._skipped[sid] = stored.name
            elif account is not stored:
                self._pruned.add(sid)

    def skipped(self, subentries: Mapping[str, ConfigSubentry]) -> list[str]:
        """The names of the accounts left without a desk, in subentry order."""
        if len(self._skipped) < 2:  # noqa: PLR2004
            return list(self._skipped.values())
        return [self._skipped[s] for s in subentries if s in self._skipped]

    def changes(
        self,
        subentries: Mapping[str, ConfigSubentry],
        previous: Directory,
        links: list[SiteLink],
    ) -> tuple[dict[str, Account | None], dict[str, Desk | None]] | None:
        """The accounts and desks that differ from ``previous`` (None: gone).

        Reads only the subentries whose data is a new object (one identity
        check per subentry, nothing else), a linked site's desks only when
        that site changed, and the accounts a desk's coming or going
        concerns. None when something else changed (a site link, a
        subentry of another kind): the caller reads the whole entry.
        """
        seen = self._data
        if not seen or {link.subentry_id for link, _ in links} != self._sites.keys():
            return None
        changed = [
            sub for sid, sub in subentries.items() if seen.get(sid) is not sub.data
        ]
        gone = (
            [sid for sid in seen if sid not in subentries]
            if len(seen) + sum(s.subentry_id not in seen for s in changed)
            != len(subentries)
            else []
        )
        desks: dict[str, Desk | None] = {}
        read: dict[str, ConfigSubentry] = {}
        for sub in changed:
            if sub.subentry_type == SUBENTRY_DESK:
                desks[sub.subentry_id] = self.desk(sub)
            elif sub.subentry_type == SUBENTRY_ACCOUNT:
                read[sub.subentry_id] = sub
            else:
                return None
        for sid in gone:
            if sid in previous.desks:
                desks[sid] = None
            elif sid not in previous.accounts and sid not in self._skipped:
                return None  # neither: a site link or another kind
        for link, site in links:
            desks.update(self._site_changes(link, site))
        for sub in changed:
            seen[sub.subentry_id] = sub.data
        return self._account_changes(subentries, previous, desks, read, gone), desks

    def forget_changes(self) -> None:
        """The next ``changes`` reads the whole entry (after a failed change)."""
        self._data = {}

    def _site_changes(
        self, link: ConfigSubentry, site: ConfigEntry
    ) -> dict[str, Desk | None]:
        """A linked site's desks that differ from the last read (None: gone)."""
        known = self._sites[link.subentry_id]
        if known[0] is link.data and known[1] == _version(site):
            return {}
        before = {desk.desk_id: desk for desk in known[2]}
        found: dict[str, Desk | None] = {}
        for desk in self.site_desks(link, site):
            if before.pop(desk.desk_id, None) is not desk:
                found[desk.desk_id] = desk
        found.update(dict.fromkeys(before))
        return found

    def _concerned(
        self,
        subentries: Mapping[str, ConfigSubentry],
        previous: Directory,
        desks: Mapping[str, Desk | None],
        read: Mapping[str, ConfigSubentry],
    ) -> dict[str, ConfigSubentry]:
        """Accounts a desk that came or went concerns (beyond ``read``).

        Those homed at a desk that went, and those that named desks they
        could not have (one of them may have come).
        """
        if not any((d is None) == (i in previous.desks) for i, d in desks.items()):
            return {}
        ids = [
            account_id
            for desk_id, desk in desks.items()
            if desk is None
            for account_id in previous.accounts_homed_at(desk_id)
        ]
        ids += [*self._skipped, *self._pruned]
        return {i: subentries[i] for i in ids if i in subentries and i not in read}

    def _account_changes(
        self,
        subentries: Mapping[str, ConfigSubentry],
        previous: Directory,
        desks: Mapping[str, Desk | None],
        read: dict[str, ConfigSubentry],
        gone: list[str],
    ) -> dict[str, Account | None]:
        """The accounts read again (changed ones, and those a desk concerns)."""

        def own_desk(desk_id: str) -> bool:
            desk = desks[desk_id] if desk_id in desks else previous.desks.get(desk_id)
            return desk is not None and desk.site is None

        read.update(self._concerned(subentries, previous, desks, read))
        accounts: dict[str, Account | None] = {}
        for sid in gone:
            if sid in previous.accounts or sid in self._skipped:
                accounts[sid] = None
                self._skipped.pop(sid, None)
                self._pruned.discard(sid)
            self._data.pop(sid, None)
            self._items.pop(sid, None)
        for account_id, sub in read.items():
            stored = self.account(sub)
            account = placed(stored, own_desk)
            self._pruned.discard(account_id)
            self._skipped.pop(account_id, None)
            if account is None:
                self._skipped[account_id] = stored.name
            elif account is not stored:
                self._pruned.add(account_id)
            accounts[account_id] = account
        return accounts

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


def placed(account: Account, has_desk: Callable[[str], bool]) -> Account | None:
    """The account with only its home desks that exist; None when none does.

    The same object when nothing was dropped (``SubentryCache`` tells a
    changed account by a new object).
    """
    home = tuple(d for d in account.home_desks if has_desk(d))
    if not home:
        return None
    return account if home == account.home_desks else replace(account, home_desks=home)


def _version(site: ConfigEntry) -> tuple[object, object]:
    """What tells one state of an entry's subentries from another.

    The mapping is new when a subentry comes or goes; ``modified_at`` is
    stamped when one changes (``async_update_subentry`` keeps the mapping).
    """
    return (site.subentries, site.modified_at)


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
        stored = read_account(sub)
        account = placed(stored, desk_ids.__contains__)
        if account is None:
            skipped.append(stored.name)
            continue
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

    With ``previous`` (and the cache that built it), only the subentries
    whose data changed are read, and only the accounts and desks that
    changed are checked again (``SubentryCache.changes``, ``Directory.apply``):
    one change costs that seat, not the office (nor a linked site's).
    ``links`` add the linked sites' desks (a login or claim there dials
    through the trunk).
    """
    links = list(links)
    if previous is not None and cache is not None:
        changes = cache.changes(entry.subentries, previous, links)
        if changes is not None:
            try:
                directory = Directory.apply(previous, *changes)
            except DirectoryError:
                cache.forget_changes()
                raise
            cache.last_changed = [*changes[0], *changes[1]]
            return directory, cache.skipped(entry.subentries)
    accounts, desks, skipped = directory_parts(entry.subentries.values(), cache=cache)
    desks += site_desks(links, cache)
    if previous is not None and cache is not None:
        directory = Directory.rebuild(previous, accounts, desks)
    else:
        directory = Directory.build(accounts, desks)
    if cache is not None:
        cache.forget_others(entry.subentries)
        cache.remember(entry.subentries, directory)
        cache.last_changed = None
    return directory, skipped
