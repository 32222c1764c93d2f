"""A Home Assistant instance in this process, with the integration loaded.

Uses pytest-homeassistant-custom-component's ``async_test_home_assistant``
(the same core the test suite runs) with a temporary config folder, so the
integration's Store and HA's registries really write to disk.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
import contextlib
from pathlib import Path
import sys
import tempfile
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from homeassistant import loader
from homeassistant.const import (
    CONF_HOST,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from custom_components.hotdesk_phone.config_flow import HotdeskConfigFlow
from custom_components.hotdesk_phone.const import (
    CONF_DIAL_STRING,
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_SCANNERS,
    CONF_TAGS,
    DOMAIN,
)

ENTRY_ID = "01BENCHENTRY"
USERNAME = "hotdesk"


def desk_id(index: int) -> str:
    """Subentry id of desk ``index`` (1-based); its endpoint is ``desk<index>``."""
    return f"D{index:05d}"


def account_id(index: int) -> str:
    """Subentry id of account ``index`` (1-based)."""
    return f"A{index:05d}"


def extension(index: int) -> str:
    """Accounts 1 and 2 are the transcripts' 101 and 102; the rest 10003...."""
    return {1: "101", 2: "102"}.get(index, str(10000 + index))


def home_desks(index: int, desks: int) -> list[int]:
    """101 rings desks 1+2 and 102 desks 1+4 (as recorded); others one desk."""
    if index == 1:
        return [1, 2]
    if index == 2:
        return [1, min(4, desks)]
    return [(index - 1) % desks + 1]


def subentries(desks: int, accounts: int) -> list[dict[str, Any]]:
    """Desk and account subentries: ``desks`` desks, ``accounts`` accounts."""
    items: list[dict[str, Any]] = [
        {
            "subentry_id": desk_id(i),
            "subentry_type": "desk",
            "title": f"Desk {i}",
            "unique_id": None,
            "data": {
                CONF_NAME: f"Desk {i}",
                CONF_DIAL_STRING: f"PJSIP/desk{i}",
                CONF_SCANNERS: [f"scanner-{i}"],
            },
        }
        for i in range(1, desks + 1)
    ]
    items += [
        {
            "subentry_id": account_id(i),
            "subentry_type": "account",
            "title": f"Person {i}",
            "unique_id": None,
            "data": {
                CONF_NAME: f"Person {i}",
                CONF_EXTENSION: extension(i),
                CONF_HOME_DESKS: [desk_id(d) for d in home_desks(i, desks)],
                CONF_TAGS: [f"tag-{i}"],
            },
        }
        for i in range(1, accounts + 1)
    ]
    return items


def make_entry(
    port: int,
    desks: int,
    accounts: int,
    secret: str = "s3cret",  # noqa: S107
    options: Mapping[str, Any] | None = None,
    **data: Any,
) -> MockConfigEntry:
    """An entry for the AMI server on 127.0.0.1:port."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Asterisk 127.0.0.1",
        unique_id=f"127.0.0.1:{port}",
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: port,
            CONF_USERNAME: data.get("username", USERNAME),
            CONF_PASSWORD: secret,
        },
        options=dict(options or {}),
        subentries_data=subentries(desks, accounts),  # type: ignore[arg-type]
        entry_id=ENTRY_ID,
        # Made by this version: a start, not an upgrade's first start.
        minor_version=HotdeskConfigFlow.MINOR_VERSION,
    )


@contextlib.asynccontextmanager
async def bench_hass() -> AsyncIterator[HomeAssistant]:
    """A running HA core with custom integrations enabled, in a temp folder."""
    with tempfile.TemporaryDirectory(prefix="hotdesk-bench-") as config_dir:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            try:
                yield hass
            finally:
                await hass.async_stop(force=True)


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add the entry and set it up (raises if it did not load)."""
    entry.add_to_hass(hass)
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError(f"entry did not load: {entry.state}")
    await hass.async_block_till_done()


def entity_id(hass: HomeAssistant, unique_id: str, domain: str = "sensor") -> str:
    """The entity id of one of the integration's entities."""
    found = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    if found is None:
        raise KeyError(unique_id)
    return found
