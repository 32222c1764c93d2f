"""A change read from the changed subentries alone gives the whole read's directory.

``directory_from_entry`` with the running directory and its cache reads only
the subentries whose data is new (``SubentryCache.changes``) and applies the
difference (``Directory.apply``). After every one of a random series of
changes (accounts and desks added, changed and removed, a desk removed under
its accounts and added again, a linked site's desks changing, bad changes)
its result must be what reading the whole entry from scratch gives.
"""

from __future__ import annotations

import random
from types import MappingProxyType
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant

from custom_components.hotdesk_phone.const import (
    CONF_DIAL_STRING,
    CONF_DIAL_TEMPLATE,
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_TAGS,
    DOMAIN,
)
from custom_components.hotdesk_phone.directory import DirectoryError
from custom_components.hotdesk_phone.subentries import (
    SiteLink,
    SubentryCache,
    directory_from_entry,
)

from .test_directory_rebuild import view

SEATS = 12


def desk(index: int, dial: str | None = None, prefix: str = "d") -> ConfigSubentry:
    return ConfigSubentry(
        data=MappingProxyType(
            {CONF_NAME: f"Desk {index}", CONF_DIAL_STRING: dial or f"PJSIP/d{index}"}
        ),
        subentry_id=f"{prefix}{index}",
        subentry_type="desk",
        title=f"Desk {index}",
        unique_id=None,
    )


def account(
    index: int, home: list[str], extension: str | None = None
) -> ConfigSubentry:
    return ConfigSubentry(
        data=MappingProxyType(
            {
                CONF_NAME: f"Person {index}",
                CONF_EXTENSION: extension or str(200 + index),
                CONF_HOME_DESKS: home,
                CONF_TAGS: [f"tag-{index}"],
            }
        ),
        subentry_id=f"a{index}",
        subentry_type="account",
        title=f"Person {index}",
        unique_id=None,
    )


def outcome(result: Any) -> tuple[str, Any]:
    directory, skipped = result
    return "ok", (view(directory), skipped)


def read(entry: MockConfigEntry, links: list[SiteLink], **kwargs: Any) -> Any:
    try:
        return outcome(directory_from_entry(entry, links=links, **kwargs))
    except DirectoryError as err:
        return "error", err.code


def change(
    hass: HomeAssistant,
    rng: random.Random,
    entry: MockConfigEntry,
    site: MockConfigEntry,
) -> None:
    """One change as a form, an import or the other site makes it."""
    manager = hass.config_entries
    subs = entry.subentries
    desks = sorted(s for s, sub in subs.items() if sub.subentry_type == "desk")
    accounts = sorted(s for s, sub in subs.items() if sub.subentry_type == "account")
    index = rng.randrange(SEATS + 4)
    some_desks = rng.sample([*desks, "d-gone"], k=min(2, len(desks) + 1))
    match rng.randrange(9):
        case 0 if accounts:  # another extension, maybe a taken one
            sub = subs[rng.choice(accounts)]
            ext = str(200 + index) if rng.random() < 0.5 else "999"
            manager.async_update_subentry(
                entry, sub, data={**sub.data, CONF_EXTENSION: ext}
            )
        case 1 if accounts:  # other home desks, maybe gone ones
            sub = subs[rng.choice(accounts)]
            manager.async_update_subentry(
                entry, sub, data={**sub.data, CONF_HOME_DESKS: some_desks}
            )
        case 2:  # an account added (or one with that id replaced)
            if f"a{index}" in subs:
                manager.async_remove_subentry(entry, f"a{index}")
            manager.async_add_subentry(entry, account(index, some_desks))
        case 3 if accounts:
            manager.async_remove_subentry(entry, rng.choice(accounts))
        case 4 if desks:  # another dial string, maybe a taken one
            sub = subs[rng.choice(desks)]
            dial = f"PJSIP/d{index}" if rng.random() < 0.5 else f"PJSIP/x{index}"
            manager.async_update_subentry(
                entry, sub, data={**sub.data, CONF_DIAL_STRING: dial}
            )
        case 5 if f"d{index}" not in subs:  # a desk added, maybe one removed before
            manager.async_add_subentry(entry, desk(index))
        case 6 if desks:  # a desk removed under its accounts
            manager.async_remove_subentry(entry, rng.choice(desks))
        case 7:  # the linked site adds or removes a desk
            sid = f"s{index}"
            if sid in site.subentries:
                manager.async_remove_subentry(site, sid)
            else:
                manager.async_add_subentry(site, desk(index, f"PJSIP/s{index}", "s"))
        case _:  # nothing of ours: the site's desk renamed
            if site.subentries:
                sub = site.subentries[rng.choice(sorted(site.subentries))]
                manager.async_update_subentry(
                    site, sub, data={**sub.data, CONF_NAME: f"Renamed {index}"}
                )


@pytest.mark.parametrize("seed", range(40))
async def test_changes_give_the_whole_reads_directory(
    hass: HomeAssistant, seed: int
) -> None:
    rng = random.Random(seed)  # noqa: S311 (a repeatable series, not a secret)
    site = MockConfigEntry(domain=DOMAIN, title="Site B", entry_id=f"site-{seed}")
    site.add_to_hass(hass)
    entry = MockConfigEntry(domain=DOMAIN, title="Site A", entry_id=f"a-{seed}")
    entry.add_to_hass(hass)
    manager = hass.config_entries
    for i in range(SEATS):
        manager.async_add_subentry(entry, desk(i))
        manager.async_add_subentry(site, desk(i, f"PJSIP/s{i}", "s"))
    for i in range(SEATS):
        manager.async_add_subentry(entry, account(i, [f"d{i}", f"d{(i * 5) % SEATS}"]))
    link = ConfigSubentry(
        data=MappingProxyType({CONF_DIAL_TEMPLATE: "PJSIP/{desk}@trunk-b"}),
        subentry_id="link-b",
        subentry_type="site",
        title="Site B",
        unique_id=None,
    )
    manager.async_add_subentry(entry, link)
    cache = SubentryCache()
    directory, _ = directory_from_entry(entry, cache, links=[(link, site)])
    whole_reads = cache.changes
    read_alone: list[bool] = []

    def changes(*args: Any) -> Any:
        found = whole_reads(*args)
        read_alone.append(found is not None)
        return found

    cache.changes = changes  # type: ignore[method-assign]
    failed_before = False
    for _ in range(60):
        change(hass, rng, entry, site)
        links = [(link, site)]
        expected = read(entry, links)
        try:
            result = directory_from_entry(entry, cache, directory, links)
        except DirectoryError as err:
            got: tuple[str, Any] = ("error", err.code)
        else:
            got = outcome(result)
            directory = result[0]  # the running directory, as the hub keeps it
        assert got == expected
        # Read alone unless the change before failed (the next reads whole).
        assert read_alone.pop() is not failed_before
        failed_before = got[0] == "error"
