"""A card reader is one place: no two PBX entries may have it.

The bridge's posts and this host's readers are routed by the reader's name
alone, so a reader at two sites' desks would let a token bound at one site
scan at the other's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from http import HTTPStatus
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import CLIENT_ID, MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.auth.models import User
from homeassistant.const import (
    CONF_HOST,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from custom_components.hotdesk_phone.bulk import BulkImportError
from custom_components.hotdesk_phone.const import (
    CONF_DIAL_STRING,
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_READER_USERS,
    CONF_READERS,
    CONF_SCAN_DEBOUNCE_SECONDS,
    CONF_TAGS,
    DOMAIN,
)

from .ami_server import AmiTestServer
from .conftest import ALICE, account_subentry, desk_subentry
from .helpers import hub_of

B_DESK = "01BDESK1"
READER = "pc-1"


@pytest.fixture
def entry_options() -> dict[str, Any]:
    return {CONF_SCAN_DEBOUNCE_SECONDS: 0}


@pytest.fixture
async def mallory(hass: HomeAssistant, hass_owner_user: User) -> tuple[User, str]:
    user = await hass.auth.async_create_user("Mallory", group_ids=["system-users"])
    refresh = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    return user, hass.auth.async_create_access_token(refresh)


@pytest.fixture
def subentries(mallory: tuple[User, str]) -> list[dict[str, Any]]:
    """Site A: desk 3's bridge reader posts with Mallory's token."""
    desks = [desk_subentry(i) for i in range(1, 5)]
    desks[2]["data"] |= {CONF_READERS: [READER], CONF_READER_USERS: [mallory[0].id]}
    return [*desks, account_subentry(ALICE, "Alice", "101", [1, 2], ["tag-alice"])]


def _site_b(server: AmiTestServer, readers: list[str]) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="Site B",
        unique_id=f"127.0.0.1:{server.port}",
        entry_id="01ENTRYB",
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: server.port,
            CONF_USERNAME: server.username,
            CONF_PASSWORD: server.secret,
        },
        options={CONF_SCAN_DEBOUNCE_SECONDS: 0},
        subentries_data=[
            {
                "subentry_id": B_DESK,
                "subentry_type": "desk",
                "title": "B desk 1",
                "unique_id": None,
                "data": {
                    CONF_NAME: "B desk 1",
                    CONF_DIAL_STRING: "PJSIP/bdesk1",
                    CONF_READERS: readers,
                    CONF_READER_USERS: [],
                },
            },
            {
                "subentry_id": "01BEA",
                "subentry_type": "account",
                "title": "Bea (201)",
                "unique_id": None,
                "data": {
                    CONF_NAME: "Bea",
                    CONF_EXTENSION: "201",
                    CONF_HOME_DESKS: [B_DESK],
                    CONF_TAGS: ["tag-bea"],
                },
            },
        ],
    )


@pytest.fixture
async def server_b() -> AsyncIterator[AmiTestServer]:
    server = AmiTestServer()
    await server.start()
    yield server
    await server.stop()


async def test_a_token_bound_at_one_site_cannot_scan_at_the_other(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    server_b: AmiTestServer,
    mallory: tuple[User, str],
    hass_client: ClientSessionGenerator,
) -> None:
    """Saved before the forms refused it: the reader is at both sites' desks."""
    entry_b = _site_b(server_b, [READER])
    entry_b.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry_b.entry_id)
    await hass.async_block_till_done()
    client = await hass_client(mallory[1])
    for tag in ("tag-bea", "tag-alice"):
        response = await client.post(
            "/api/hotdesk_phone/scan", json={"reader": READER, "uid": tag}
        )
        assert response.status == HTTPStatus.FORBIDDEN
    await hass.async_block_till_done()
    assert hub_of(entry_b).logins == {}
    assert hub_of(init_integration).logins == {}
    await hass.config_entries.async_unload(entry_b.entry_id)


async def test_the_desk_form_and_the_import_refuse_another_sites_reader(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    server_b: AmiTestServer,
) -> None:
    entry_b = _site_b(server_b, [])
    entry_b.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry_b.entry_id)
    await hass.async_block_till_done()
    result = await hass.config_entries.subentries.async_init(
        (entry_b.entry_id, "desk"), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "B desk 2", "dial_string": "PJSIP/bdesk2", CONF_READERS: [READER]},
    )
    assert result["errors"] == {CONF_READERS: "duplicate_reader"}
    # The same through the bulk import of site B.
    csv = "type,name,dial_string,readers\ndesk,B desk 2,PJSIP/bdesk2,pc-1\n"
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(
            DOMAIN,
            "import_directory",
            {"csv": csv, "config_entry_id": entry_b.entry_id},
            blocking=True,
            return_response=True,
        )
    assert refused.value.translation_key == "import_invalid"
    assert isinstance(refused.value.__cause__, BulkImportError)
    assert [(e.line, e.column, e.code) for e in refused.value.__cause__.errors] == [
        (2, "readers", "duplicate_reader")
    ]
    assert B_DESK in entry_b.subentries
    assert len(entry_b.subentries) == 2
    await hass.config_entries.async_unload(entry_b.entry_id)
