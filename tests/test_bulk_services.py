"""Actions export_directory / import_directory on a running entry."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized

from custom_components.hotdesk_phone.const import DOMAIN

from .ami_server import AmiTestServer
from .conftest import ALICE
from .helpers import hub_of


async def export(hass: HomeAssistant, **kwargs: Any) -> str:
    response = await hass.services.async_call(
        DOMAIN, "export_directory", {}, blocking=True, return_response=True, **kwargs
    )
    assert response is not None
    return str(response["csv"])


async def import_csv(hass: HomeAssistant, text: str, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        "import_directory",
        {"csv": text, **data},
        blocking=True,
        return_response=True,
    )


async def test_export_reimport_changes_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    text = await export(hass)
    puts = len(ami_server.actions_named("DBPut"))
    before = dict(init_integration.subentries)
    result = await import_csv(hass, text, remove_missing=True)
    assert result == {"created": 0, "updated": 0, "removed": 0, "unchanged": 6}
    assert dict(init_integration.subentries) == before
    assert len(ami_server.actions_named("DBPut")) == puts


async def test_import_creates_updates_removes_live(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    text = await export(hass)
    lines = text.splitlines()
    carol = next(line for line in lines if ",Carol," in line)
    lines.remove(carol)
    lines = [line.replace(",Alice,", ",Alice M.,") for line in lines]
    lines += [
        "desk,,Desk 5,,PJSIP/desk5,,,,,,,,",
        "account,,Dave,103,,PJSIP/desk5;PJSIP/desk3,tag-dave,,,,,,",
    ]
    dry = await import_csv(hass, "\n".join(lines), remove_missing=True, dry_run=True)
    assert dry == {"created": 2, "updated": 1, "removed": 1, "unchanged": 4}
    assert "hotdesk/route/103" not in ami_server.astdb
    result = await import_csv(hass, "\n".join(lines), remove_missing=True)
    assert result == dry
    await hass.async_block_till_done()
    assert ami_server.astdb["hotdesk/route/103"] == "PJSIP/desk5&PJSIP/desk3"
    assert "hotdesk/route/102" not in ami_server.astdb
    hub = hub_of(init_integration)
    assert hub.directory.accounts[ALICE].name == "Alice M."
    assert ami_server.logins == 1
    # The export now is the file imported: importing it again changes nothing.
    again = await import_csv(hass, await export(hass), remove_missing=True)
    assert again["created"] == again["updated"] == again["removed"] == 0


async def test_bad_rows_all_reported_nothing_applied(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    header = (await export(hass)).splitlines()[0]
    rows = [
        header,
        "desk,,Desk 5,,PJSIP/desk5,,,,,,,,",
        "account,,Eve,10x,,PJSIP/desk5,,,,,,,",
        "account,,Fay,105,,PJSIP/nowhere,,,,,,,",
    ]
    text = "\n".join(rows)
    with pytest.raises(ServiceValidationError) as err:
        await import_csv(hass, text)
    assert err.value.translation_key == "import_invalid"
    placeholders = err.value.translation_placeholders or {}
    assert placeholders["count"] == "2"
    assert placeholders["rows"].splitlines() == [
        'Line 3, column extension: "10x" is not an extension (digits only)',
        'Line 4, column home_desks: no desk has the dial string "PJSIP/nowhere"',
    ]
    assert len(init_integration.subentries) == 6
    assert "hotdesk/desk5" not in str(ami_server.astdb)


async def test_only_admins(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_read_only_user: User,
) -> None:
    context = Context(user_id=hass_read_only_user.id)
    for service, data in (("export_directory", {}), ("import_directory", {"csv": ""})):
        with pytest.raises(Unauthorized):
            await hass.services.async_call(
                DOMAIN,
                service,
                data,
                blocking=True,
                return_response=True,
                context=context,
            )
