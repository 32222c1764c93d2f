"""Shared fixtures: a real AMI server on loopback and a configured entry."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import Any
from unittest.mock import PropertyMock, patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.const import (
    CONF_HOST,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
)
from homeassistant.core import HomeAssistant

from custom_components.hotdesk_phone.const import (
    CONF_DIAL_STRING,
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_SCANNERS,
    CONF_TAGS,
    DOMAIN,
)

from .ami_server import AmiTestServer
from .mobile_app import PushServer
from .pcsc_env import pcsc_env, pcscd  # noqa: F401 - PC/SC fixtures

DESK_IDS = ["01DESK1", "01DESK2", "01DESK3", "01DESK4"]
ALICE = "01ALICE"
CAROL = "01CAROL"


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """Allow real TCP; HA's test plugin still limits connects to 127.0.0.1."""


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ in every HA test."""


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Entities that are off by default are on (HA core's fixture of this name)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
async def ami_server() -> AsyncIterator[AmiTestServer]:
    """A logged-in-able AMI server with four desk endpoints."""
    server = AmiTestServer()
    await server.start()
    yield server
    await server.stop()


def desk_subentry(index: int, scanners: list[str] | None = None) -> dict[str, Any]:
    return {
        "subentry_id": DESK_IDS[index - 1],
        "subentry_type": "desk",
        "title": f"Desk {index}",
        "unique_id": None,
        "data": {
            CONF_NAME: f"Desk {index}",
            CONF_DIAL_STRING: f"PJSIP/desk{index}",
            CONF_SCANNERS: scanners or [],
        },
    }


def account_subentry(
    subentry_id: str, name: str, extension: str, desks: list[int], tags: list[str]
) -> dict[str, Any]:
    return {
        "subentry_id": subentry_id,
        "subentry_type": "account",
        "title": name,
        "unique_id": None,
        "data": {
            CONF_NAME: name,
            CONF_EXTENSION: extension,
            CONF_HOME_DESKS: [DESK_IDS[i - 1] for i in desks],
            CONF_TAGS: tags,
        },
    }


def standard_subentries() -> list[dict[str, Any]]:
    """The PBX of the recorded transcripts: 101 rings desks 1+2, 102 desks 1+4."""
    return [
        *(desk_subentry(i) for i in range(1, 5)),
        account_subentry(ALICE, "Alice", "101", [1, 2], ["tag-alice", "04:A2:3B:C1"]),
        account_subentry(CAROL, "Carol", "102", [1, 4], ["tag-carol"]),
    ]


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    """Subentries of the mock entry (override per test module)."""
    return standard_subentries()


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Options of the mock entry."""
    return {}


@pytest.fixture
def mock_config_entry(
    ami_server: AmiTestServer,
    subentries: list[dict[str, Any]],
    entry_options: dict[str, Any],
) -> MockConfigEntry:
    """An entry pointing at the test AMI server."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Asterisk 127.0.0.1",
        unique_id=f"127.0.0.1:{ami_server.port}",
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: ami_server.port,
            CONF_USERNAME: ami_server.username,
            CONF_PASSWORD: ami_server.secret,
        },
        options=entry_options,
        subentries_data=subentries,  # type: ignore[arg-type]
        entry_id="01ENTRY",
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set the entry up against the test AMI server."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


@pytest.fixture
def mock_setup_entry() -> Generator[None]:
    """Skip the real setup in config flow tests that create entries."""
    with (
        patch("custom_components.hotdesk_phone.async_setup_entry", return_value=True),
        patch("custom_components.hotdesk_phone.async_unload_entry", return_value=True),
    ):
        yield


@pytest.fixture
async def push_server() -> AsyncIterator[PushServer]:
    """A push relay on 127.0.0.1 that records what the companion apps get."""
    server = PushServer()
    await server.start()
    yield server
    assert server.runner is not None
    await server.runner.cleanup()
