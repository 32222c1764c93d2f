"""The options flow's bulk import: a real file through HA's upload endpoint."""

from __future__ import annotations

from typing import Any

from aiohttp import FormData
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.hotdesk_phone.const import DOMAIN

from .ami_server import AmiTestServer
from .conftest import ALICE
from .helpers import hub_of


async def upload(
    hass_client: ClientSessionGenerator, text: str | bytes, name: str = "office.csv"
) -> str:
    """POST the file to /api/file_upload as the frontend's file selector does."""
    client = await hass_client()
    form = FormData()
    form.add_field("file", text, filename=name, content_type="text/csv")
    response = await client.post("/api/file_upload", data=form)
    assert response.status == 200
    return str((await response.json())["file_id"])


async def export(hass: HomeAssistant) -> str:
    response = await hass.services.async_call(
        DOMAIN, "export_directory", {}, blocking=True, return_response=True
    )
    assert response is not None
    return str(response["csv"])


async def open_import(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == [
        "rules",
        "emergency",
        "voicemail",
        "import_directory",
    ]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "import_directory"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "import_directory"
    return dict(result)


async def test_upload_preview_apply(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    hass_client: ClientSessionGenerator,
) -> None:
    entry = init_integration
    lines = (await export(hass)).splitlines()
    carol = next(line for line in lines if ",Carol," in line)
    lines.remove(carol)
    lines = [line.replace(",Alice,", ",Alice M.,") for line in lines]
    lines += [
        "desk,,Desk 5,,PJSIP/desk5,,,,,,,,",
        "account,,Dave,103,,PJSIP/desk5;PJSIP/desk3,tag-dave,,,,,,",
    ]
    # A spreadsheet's "CSV UTF-8" starts with a byte order mark.
    file_id = await upload(hass_client, "\ufeff" + "\r\n".join(lines) + "\r\n")
    result = await open_import(hass, entry)
    puts = len(ami_server.actions_named("DBPut"))
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"file": file_id, "remove_missing": True}
    )
    # The preview: counts, nothing applied yet.
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "import_confirm"
    assert result["description_placeholders"] == {
        "created": "2",
        "updated": "1",
        "removed": "1",
        "unchanged": "4",
    }
    assert len(entry.subentries) == 6
    assert len(ami_server.actions_named("DBPut")) == puts
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    # Applied in a task while HA shows the progress.
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert result["progress_action"] == "import_apply"
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "import_applied"
    assert result["description_placeholders"] == {
        "created": "2",
        "updated": "1",
        "removed": "1",
        "unchanged": "4",
    }
    assert ami_server.astdb["hotdesk/route/103"] == "PJSIP/desk5&PJSIP/desk3"
    assert "hotdesk/route/102" not in ami_server.astdb
    assert hub_of(entry).directory.accounts[ALICE].name == "Alice M."
    assert ami_server.logins == 1  # applied live: the AMI link was kept
    assert entry.options == {}  # the login rules were not touched

    # The file just exported, imported again: nothing to do.
    file_id = await upload(hass_client, await export(hass))
    result = await open_import(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"file": file_id, "remove_missing": True}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "import_unchanged"
    assert result["description_placeholders"]["unchanged"] == "7"


async def test_bad_rows_listed_nothing_applied(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    hass_client: ClientSessionGenerator,
) -> None:
    entry = init_integration
    header = (await export(hass)).splitlines()[0]
    rows = [
        header,
        "desk,,Desk 5,,PJSIP/desk5,,,,,,,,",
        "account,,Eve,10x,,PJSIP/desk5,,,,,,,",
        "account,,Fay,105,,PJSIP/nowhere,,,,,,,",
    ]
    file_id = await upload(hass_client, "\n".join(rows))
    result = await open_import(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"file": file_id, "remove_missing": False}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "import_directory"
    assert result["errors"] == {"base": "import_invalid"}
    placeholders = result["description_placeholders"]
    assert placeholders["count"] == "2"
    assert placeholders["rows"].splitlines() == [
        'Line 3, column extension: "10x" is not an extension (digits only)',
        'Line 4, column home_desks: no desk has the dial string "PJSIP/nowhere"',
    ]
    assert len(entry.subentries) == 6
    assert "desk5" not in str(ami_server.astdb)

    # The upload was used up: the same file id again is refused, and a file
    # that is not UTF-8 text is refused; the form stays open for another try.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"file": file_id, "remove_missing": False}
    )
    assert result["errors"] == {"file": "import_unreadable"}
    latin1 = await upload(hass_client, "desk,,Büro,,PJSIP/x\n".encode("latin-1"))
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"file": latin1, "remove_missing": False}
    )
    assert result["errors"] == {"file": "import_unreadable"}
    assert len(entry.subentries) == 6


async def test_import_needs_a_running_entry(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
) -> None:
    entry = init_integration
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "import_directory"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "import_not_loaded"
