"""Config flow, reauth, reconfigure, options and subentry flows."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from homeassistant.components import tag
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.const import (
    ATTR_AREA_ID,
    CONF_HOST,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
)
from homeassistant.core import EventOrigin, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)

from custom_components.hotdesk_phone.config_flow import HotdeskConfigFlow
from custom_components.hotdesk_phone.const import (
    CONF_AUTO_LOGOUT_HOURS,
    CONF_AUTO_LOGOUT_TIME,
    CONF_DIAL_STRING,
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_MULTIPLE_LOGINS,
    CONF_NOTIFY_TARGETS,
    CONF_PEOPLE,
    CONF_SCAN_DEBOUNCE_SECONDS,
    CONF_SCANNERS,
    CONF_TAGS,
    CONF_WATCH_TARGETS,
    DOMAIN,
    EVENT_UNKNOWN_TAG,
)

from .ami_server import AmiTestServer
from .conftest import ALICE, DESK_IDS, desk_subentry

COMPONENT = Path(__file__).resolve().parents[1] / "custom_components" / DOMAIN


def user_input(server: AmiTestServer, **overrides: Any) -> dict[str, Any]:
    return {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: server.port,
        CONF_USERNAME: server.username,
        CONF_PASSWORD: server.secret,
        **overrides,
    }


async def test_user_flow_creates_entry(
    hass: HomeAssistant, ami_server: AmiTestServer, mock_setup_entry: None
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(ami_server)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Asterisk 127.0.0.1"
    assert result["data"] == user_input(ami_server)
    assert result["result"].unique_id == f"127.0.0.1:{ami_server.port}"
    # The login was really tested, and the test connection closed again.
    assert ami_server.logins == 1
    assert ami_server.actions_named("Logoff")


async def test_two_pbxs_on_one_host_get_titles_that_tell_them_apart(
    hass: HomeAssistant, ami_server: AmiTestServer, mock_setup_entry: None
) -> None:
    """A second PBX on the same host (another port) is titled with its port.

    Both used to be "Asterisk 127.0.0.1" in the integration page, the site
    picker and the sensors' ``site`` attribute.
    """
    first = MockConfigEntry(
        domain=DOMAIN,
        title="Asterisk 127.0.0.1",
        unique_id="127.0.0.1:5038",
        data={CONF_HOST: "127.0.0.1", CONF_PORT: 5038},
    )
    first.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(ami_server)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"Asterisk 127.0.0.1:{ami_server.port}"
    titles = [e.title for e in hass.config_entries.async_entries(DOMAIN)]
    assert len(set(titles)) == len(titles) == 2


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({CONF_PASSWORD: "wrong"}, "invalid_auth"),
        ({CONF_PORT: 1}, "cannot_connect"),
    ],
)
async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant,
    ami_server: AmiTestServer,
    mock_setup_entry: None,
    change: dict[str, Any],
    error: str,
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(ami_server, **change)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(ami_server)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_unknown_error(
    hass: HomeAssistant, ami_server: AmiTestServer, mock_setup_entry: None
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    with patch(
        "custom_components.hotdesk_phone.config_flow.AmiClient.core_settings",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(ami_server)
        )
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(ami_server)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_one_entry_per_pbx(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(ami_server)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth_flow(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    entry = init_integration
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    ami_server.secret = "new-secret"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "hotdesk", CONF_PASSWORD: "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "hotdesk", CONF_PASSWORD: "new-secret"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == "new-secret"
    await hass.async_block_till_done()
    assert entry.runtime_data.hub.connected


async def test_reconfigure_flow(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    entry = init_integration
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(ami_server, **{CONF_PASSWORD: "nope"})
    )
    assert result["errors"] == {"base": "invalid_auth"}
    ami_server.username = "renamed"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(ami_server, **{CONF_USERNAME: "renamed"})
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_USERNAME] == "renamed"


@pytest.mark.parametrize("source", ["reconfigure", "reauth"])
async def test_a_changed_link_sets_the_entry_up_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
) -> None:
    """Reconfigure and reauth reload the entry once, not twice.

    The update listener reloads on a changed link; the flows used to reload
    again on their own.
    """
    import custom_components.hotdesk_phone as integration  # noqa: PLC0415

    setups: list[str] = []
    original = integration.async_setup_entry

    async def counting(hass: HomeAssistant, entry: Any) -> bool:
        setups.append(entry.entry_id)
        return await original(hass, entry)

    monkeypatch.setattr(integration, "async_setup_entry", counting)
    entry = init_integration
    ami_server.username = "renamed"
    if source == "reconfigure":
        result = await entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(ami_server, **{CONF_USERNAME: "renamed"})
        )
    else:
        result = await entry.start_reauth_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_USERNAME: "renamed", CONF_PASSWORD: "s3cret"}
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == f"{source}_successful"
    await hass.async_block_till_done()
    assert setups == [entry.entry_id]
    assert entry.runtime_data.hub.connected


async def test_reconfigure_to_the_pbxs_new_address(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """The PBX moved (new port): the entry follows it, unique id and all.

    This used to abort as already_configured, so a moved PBX meant deleting
    the entry and every account and desk with it.
    """
    moved = AmiTestServer()
    await moved.start()
    try:
        result = await init_integration.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(moved)
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reconfigure_successful"
        await hass.async_block_till_done()
        assert init_integration.unique_id == f"127.0.0.1:{moved.port}"
        assert init_integration.data[CONF_PORT] == moved.port
        hub = init_integration.runtime_data.hub
        assert hub.connected
        assert hub.client.port == moved.port
        # The routing went to the PBX at its new address.
        assert moved.astdb["hotdesk/route/101"] == "PJSIP/desk1&PJSIP/desk2"
    finally:
        await moved.stop()


async def test_reconfigure_onto_another_entrys_pbx_is_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    other = MockConfigEntry(domain=DOMAIN, unique_id="127.0.0.2:5038", data={})
    other.add_to_hass(hass)
    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(ami_server, **{CONF_HOST: "127.0.0.2", CONF_PORT: 5038}),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert init_integration.unique_id == f"127.0.0.1:{ami_server.port}"


async def test_options_flow(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    entry = init_integration
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "rules"}
    )
    assert result["step_id"] == "rules"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_MULTIPLE_LOGINS: False,
            CONF_AUTO_LOGOUT_HOURS: 8,
            CONF_AUTO_LOGOUT_TIME: "19:00:00",
            CONF_SCAN_DEBOUNCE_SECONDS: 2,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_MULTIPLE_LOGINS: False,
        CONF_AUTO_LOGOUT_HOURS: 8,
        CONF_AUTO_LOGOUT_TIME: "19:00:00",
        CONF_SCAN_DEBOUNCE_SECONDS: 2,
        # Desk bookings, as offered: a push 15 minutes before, no check-in.
        "booking_warning_minutes": 15,
        "booking_check_in_minutes": 0,
    }
    await hass.async_block_till_done()
    assert entry.runtime_data.hub.connected


# Subentries.


async def start_subentry(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    kind: str,
    subentry_id: str | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {"source": SOURCE_USER}
    if subentry_id is not None:
        context = {"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id}
    return await hass.config_entries.subentries.async_init(  # type: ignore[return-value]
        (entry.entry_id, kind), context=context
    )


async def test_add_desk_offers_pbx_endpoints(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    ami_server.endpoints.append("desk-3f-12")
    result = await start_subentry(hass, init_integration, "desk")
    assert result["type"] is FlowResultType.FORM
    schema = result["data_schema"].schema
    dial_selector = next(v for k, v in schema.items() if k == CONF_DIAL_STRING)
    assert {"value": "PJSIP/desk-3f-12", "label": "PJSIP/desk-3f-12"} in (
        dial_selector.config["options"]
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "3F 12", CONF_DIAL_STRING: "PJSIP/desk-3f-12", CONF_SCANNERS: []},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    # The row on the integration's page shows the dial string (titles.py).
    added = [
        s
        for s in init_integration.subentries.values()
        if s.title == "3F 12 (PJSIP/desk-3f-12)"
    ]
    assert added[0].data[CONF_DIAL_STRING] == "PJSIP/desk-3f-12"
    # The change took effect at once: the entry reloaded and wrote AstDB.
    hub = init_integration.runtime_data.hub
    assert added[0].subentry_id in hub.directory.desks
    assert (
        ami_server.astdb[f"hotdesk/desk/{added[0].subentry_id}"] == "PJSIP/desk-3f-12"
    )


async def test_add_desk_without_pbx_list(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    ami_server.handlers["pjsipshowendpoints"] = lambda *_: [
        {"Response": "Error", "Message": "Permission denied"}
    ]
    result = await start_subentry(hass, init_integration, "desk")
    schema = result["data_schema"].schema
    dial_selector = next(v for k, v in schema.items() if k == CONF_DIAL_STRING)
    assert dial_selector.config["options"] == []
    assert dial_selector.config["custom_value"] is True


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {CONF_NAME: "X", CONF_DIAL_STRING: "PJSIP/a&PJSIP/b"},
            {CONF_DIAL_STRING: "invalid_dial_string"},
        ),
        (
            {CONF_NAME: "X", CONF_DIAL_STRING: "PJSIP/desk 9"},
            {CONF_DIAL_STRING: "invalid_dial_string"},
        ),
        (
            {CONF_NAME: "X", CONF_DIAL_STRING: "PJSIP/x\r\nAction: Originate"},
            {CONF_DIAL_STRING: "invalid_dial_string"},
        ),
        (
            {CONF_NAME: "X", CONF_DIAL_STRING: "PJSIP/desk1"},
            {CONF_DIAL_STRING: "duplicate_dial_string"},
        ),
        (
            {CONF_NAME: "  ", CONF_DIAL_STRING: "PJSIP/desk9"},
            {CONF_NAME: "invalid_name"},
        ),
        (
            {
                CONF_NAME: "X",
                CONF_DIAL_STRING: "PJSIP/desk9",
                CONF_SCANNERS: ["scanner-1"],
            },
            {CONF_SCANNERS: "duplicate_scanner"},
        ),
    ],
)
async def test_desk_validation(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    data: dict[str, Any],
    errors: dict[str, str],
) -> None:
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_add_subentry(  # a desk that owns scanner-1
        mock_config_entry,
        _subentry(
            desk_subentry(4, ["scanner-1"]) | {"subentry_id": "01DESKS"}, "PJSIP/desk8"
        ),
    )
    result = await start_subentry(hass, mock_config_entry, "desk")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], data
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    # The form recovers once the input is fixed.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Fine", CONF_DIAL_STRING: "PJSIP/desk9"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


def _subentry(data: dict[str, Any], dial_string: str) -> Any:
    from homeassistant.config_entries import ConfigSubentry  # noqa: PLC0415

    return ConfigSubentry(
        data={**data["data"], CONF_DIAL_STRING: dial_string},
        subentry_id=data["subentry_id"],
        subentry_type="desk",
        title="Scanner desk",
        unique_id=None,
    )


async def test_reconfigure_desk(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    result = await start_subentry(hass, init_integration, "desk", DESK_IDS[2])
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Desk three",
            CONF_DIAL_STRING: "PJSIP/desk3",
            CONF_SCANNERS: ["dev-3"],
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    sub = init_integration.subentries[DESK_IDS[2]]
    assert sub.title == "Desk three (PJSIP/desk3)"
    assert sub.data[CONF_SCANNERS] == ["dev-3"]
    await hass.async_block_till_done()
    assert (
        init_integration.runtime_data.hub.directory.desk_by_scanner("dev-3") is not None
    )


async def test_add_account(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    result = await start_subentry(hass, init_integration, "account")
    assert result["step_id"] == "user"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: " Dave ",
            CONF_EXTENSION: " 104 ",
            CONF_HOME_DESKS: [DESK_IDS[2]],
            CONF_TAGS: ["04 a1 b2 c3", "", "dave-watch"],
            CONF_NOTIFY_TARGETS: [
                "notify.mobile_app_daves_phone",
                "mobile_app_daves_phone",
            ],
            CONF_WATCH_TARGETS: ["mobile_app_daves_watch"],
            CONF_PEOPLE: ["person.dave", "person.dave"],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        CONF_NAME: "Dave",
        CONF_EXTENSION: "104",
        CONF_HOME_DESKS: [DESK_IDS[2]],
        CONF_TAGS: ["04A1B2C3", "dave-watch"],
        CONF_PEOPLE: ["person.dave"],
        CONF_NOTIFY_TARGETS: ["mobile_app_daves_phone"],
        CONF_WATCH_TARGETS: ["mobile_app_daves_watch"],
        # Not asked for: no mobile, presence off (the ring options' defaults).
        "mobile": "",
        "mobile_mode": "away",
        "presence": "off",
        "presence_entities": [],
        "ring_delay": 10,
        # No PIV card enrolled, no authenticated card required.
        "card_certificates": [],
        "card_required": False,
        # In no queue.
        "queues": [],
        "voicemail": False,
    }
    await hass.async_block_till_done()
    assert ami_server.astdb["hotdesk/route/104"] == "PJSIP/desk3"


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({CONF_EXTENSION: "101"}, {CONF_EXTENSION: "duplicate_extension"}),
        ({CONF_EXTENSION: "1o4"}, {CONF_EXTENSION: "invalid_extension"}),
        ({CONF_HOME_DESKS: []}, {CONF_HOME_DESKS: "no_home_desk"}),
        ({CONF_TAGS: ["tag-alice"]}, {CONF_TAGS: "duplicate_tag"}),
        ({CONF_TAGS: ["04:a2:3b:c1"]}, {CONF_TAGS: "duplicate_tag"}),
        ({CONF_TAGS: ["x" * 300]}, {CONF_TAGS: "invalid_tag"}),
        ({CONF_NAME: " "}, {CONF_NAME: "invalid_name"}),
    ],
)
async def test_account_validation(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    data: dict[str, Any],
    errors: dict[str, str],
) -> None:
    good = {
        CONF_NAME: "Dave",
        CONF_EXTENSION: "104",
        CONF_HOME_DESKS: [DESK_IDS[2]],
        CONF_TAGS: [],
    }
    result = await start_subentry(hass, init_integration, "account")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**good, **data}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], good
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_reconfigure_account_keeps_own_extension(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    result = await start_subentry(hass, init_integration, "account", ALICE)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Alice M.",
            CONF_EXTENSION: "101",
            CONF_HOME_DESKS: [DESK_IDS[2]],
            CONF_TAGS: ["tag-alice"],
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk3"


async def test_account_needs_a_desk_first(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data=dict(mock_config_entry.data))
    entry.add_to_hass(hass)
    result = await start_subentry(hass, entry, "account")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_desks"


# Forms that cannot mislead (issue 14).
#
# HA's frontend fills a *required* select with its first option when the form
# opens (a required multi-select with [first option]); an optional field
# without a default or suggested value stays empty. So "nothing chosen for
# the admin" is, at the flow API, exactly: the field's marker is vol.Optional
# and carries neither a default nor a suggested value. The tests check that,
# and that the step itself refuses the missing value with a translated error.


def _field(result: dict[str, Any], name: str) -> tuple[Any, Any]:
    """(marker, selector) of a form field."""
    return next((k, v) for k, v in result["data_schema"].schema.items() if k == name)


def _nothing_chosen(marker: Any) -> bool:
    return (
        isinstance(marker, vol.Optional)
        and marker.default is vol.UNDEFINED
        and not (marker.description or {}).get("suggested_value")
    )


async def test_desks_come_before_accounts(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The UI's menu lists the subentry types in this order (linked sites last)."""
    assert list(
        HotdeskConfigFlow.async_get_supported_subentry_types(init_integration)
    ) == ["desk", "account", "site"]


async def test_pbx_added_says_add_desk_phones_next(
    hass: HomeAssistant, ami_server: AmiTestServer, mock_setup_entry: None
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(ami_server)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # The success dialog shows config.create_entry.next_steps.
    assert result["description"] == "next_steps"
    strings = json.loads((COMPONENT / "strings.json").read_text())
    assert "Add desk phone" in strings["config"]["create_entry"]["next_steps"]


async def test_new_desk_form_chooses_no_dial_string(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    ami_server.endpoints.append("desk-new")
    result = await start_subentry(hass, init_integration, "desk")
    marker, _ = _field(result, CONF_DIAL_STRING)
    assert _nothing_chosen(marker)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "New desk"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_DIAL_STRING: "no_dial_string"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "New desk", CONF_DIAL_STRING: "  "}
    )
    assert result["errors"] == {CONF_DIAL_STRING: "no_dial_string"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "New desk", CONF_DIAL_STRING: "PJSIP/desk-new"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_endpoints_other_desks_use_are_marked(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    ami_server.endpoints.append("desk-free")
    result = await start_subentry(hass, init_integration, "desk")
    _, dial = _field(result, CONF_DIAL_STRING)
    assert dial.config["options"] == [
        {"value": "PJSIP/desk-free", "label": "PJSIP/desk-free"},
        *(
            {"value": f"PJSIP/desk{i}", "label": f"PJSIP/desk{i} (Desk {i})"}
            for i in range(1, 5)
        ),
    ]
    # Changing Desk 3: its own endpoint is not marked as another desk's.
    result = await start_subentry(hass, init_integration, "desk", DESK_IDS[2])
    _, dial = _field(result, CONF_DIAL_STRING)
    assert {"value": "PJSIP/desk3", "label": "PJSIP/desk3"} in dial.config["options"]
    assert {"value": "PJSIP/desk1", "label": "PJSIP/desk1 (Desk 1)"} in (
        dial.config["options"]
    )


async def test_dial_string_the_pbx_does_not_know_is_warned(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    result = await start_subentry(hass, init_integration, "desk")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Typo desk", CONF_DIAL_STRING: "PJSIP/dsek9"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "unknown_dial_string"
    assert result["description_placeholders"] == {
        "dial_string": "PJSIP/dsek9",
        "name": "Typo desk",
    }
    assert not [
        s
        for s in init_integration.subentries.values()
        if s.data[CONF_NAME] == "Typo desk"
    ]
    # A warning, not a refusal: submitting saves it.
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_DIAL_STRING] == "PJSIP/dsek9"


async def test_no_warning_where_the_pbx_list_says_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """Other technologies are not in PJSIPShowEndpoints: no warning for them."""
    result = await start_subentry(hass, init_integration, "desk")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Analog", CONF_DIAL_STRING: "DAHDI/1"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_scanner_picker_offers_devices_that_scan(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    result = await start_subentry(hass, init_integration, "desk")
    _, scanners = _field(result, CONF_SCANNERS)
    assert scanners.config["multiple"] is True
    assert scanners.config["filter"] == [
        {"integration": "esphome"},
        {"integration": "mobile_app"},
        {"integration": "mqtt"},
    ]
    # Our own devices are refused even when posted through the API.
    ours = next(
        d
        for d in dr.async_entries_for_config_entry(
            device_registry, init_integration.entry_id
        )
        if (DOMAIN, ALICE) in d.identifiers
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "X", CONF_DIAL_STRING: "PJSIP/desk1x", CONF_SCANNERS: [ours.id]},
    )
    assert result["errors"] == {CONF_SCANNERS: "not_a_scanner"}
    reader_entry = MockConfigEntry(domain="esphome")
    reader_entry.add_to_hass(hass)
    reader = device_registry.async_get_or_create(
        config_entry_id=reader_entry.entry_id, identifiers={("esphome", "nfc-1")}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "X", CONF_DIAL_STRING: "SIP/x", CONF_SCANNERS: [reader.id]},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_SCANNERS] == [reader.id]


async def test_desk_area_goes_to_its_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    area_registry: ar.AreaRegistry,
) -> None:
    third = area_registry.async_create("3rd floor")
    fourth = area_registry.async_create("4th floor")
    result = await start_subentry(hass, init_integration, "desk")
    marker, _ = _field(result, ATTR_AREA_ID)
    assert _nothing_chosen(marker)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "3F 12", CONF_DIAL_STRING: "SIP/3f12", ATTR_AREA_ID: third.id},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    added = next(
        s for s in init_integration.subentries.values() if s.title == "3F 12 (SIP/3f12)"
    )

    def device() -> dr.DeviceEntry:
        return next(
            d
            for d in dr.async_entries_for_config_entry(
                device_registry, init_integration.entry_id
            )
            if (DOMAIN, added.subentry_id) in d.identifiers
        )

    # The device made for the new desk is in the chosen area.
    assert device().area_id == third.id
    # Changing the desk shows the device's area and moves it.
    result = await start_subentry(hass, init_integration, "desk", added.subentry_id)
    marker, _ = _field(result, ATTR_AREA_ID)
    assert marker.description == {"suggested_value": third.id}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "3F 12", CONF_DIAL_STRING: "SIP/3f12", ATTR_AREA_ID: fourth.id},
    )
    assert result["reason"] == "reconfigure_successful"
    assert device().area_id == fourth.id


async def test_device_pages_show_dial_string_and_extension(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    def model(subentry_id: str) -> tuple[str | None, str | None]:
        device = next(
            d
            for d in dr.async_entries_for_config_entry(
                device_registry, init_integration.entry_id
            )
            if (DOMAIN, subentry_id) in d.identifiers
        )
        return device.model, device.model_id

    assert model(DESK_IDS[0]) == ("Desk phone", "PJSIP/desk1")
    assert model(ALICE) == ("Account", "101")
    result = await start_subentry(hass, init_integration, "account", ALICE)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Alice", CONF_EXTENSION: "111", CONF_HOME_DESKS: [DESK_IDS[0]]},
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert model(ALICE) == ("Account", "111")


async def test_new_account_form_ticks_no_home_desk(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    result = await start_subentry(hass, init_integration, "account")
    marker, _ = _field(result, CONF_HOME_DESKS)
    assert _nothing_chosen(marker)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Dave", CONF_EXTENSION: "104"}
    )
    assert result["errors"] == {CONF_HOME_DESKS: "no_home_desk"}


async def test_tags_offered_from_has_tag_list(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    await tag.async_scan_tag(hass, "04B1C2D3", None)
    await tag.async_scan_tag(hass, "tag-alice", None)  # Alice's: not offered
    await tag.async_scan_tag(hass, "lobby-card", None)
    await hass.async_block_till_done()
    entity_id = entity_registry.async_get_entity_id("tag", "tag", "lobby-card")
    assert entity_id is not None
    entity_registry.async_update_entity(entity_id, name="Lobby card")
    result = await start_subentry(hass, init_integration, "account")
    _, tags = _field(result, CONF_TAGS)
    assert tags.config["custom_value"] is True
    assert tags.config["multiple"] is True
    options = {o["value"]: o["label"] for o in tags.config["options"]}
    assert options["lobby-card"] == "Lobby card (lobby-card)"
    assert options["04B1C2D3"] == "04B1C2D3"
    assert "tag-alice" not in options
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Dave",
            CONF_EXTENSION: "104",
            CONF_HOME_DESKS: [DESK_IDS[2]],
            CONF_TAGS: ["lobby-card", "typed-in"],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_TAGS] == ["lobby-card", "typed-in"]


async def _start_scan(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    result = await start_subentry(hass, entry, "account")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "Dave", CONF_EXTENSION: "104", "scan_tag": True},
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert result["step_id"] == "scan"
    assert result["progress_action"] == "scan"
    assert result["description_placeholders"] == {"seconds": "30"}
    return result


async def test_learn_a_tag_by_scanning_it(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    result = await _start_scan(hass, init_integration)
    # An event posted through the API (remote) is no scan.
    hass.bus.async_fire(
        "tag_scanned", {"tag_id": "posted", "device_id": None}, EventOrigin.remote
    )
    await hass.async_block_till_done()
    result = await hass.config_entries.subentries.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    await tag.async_scan_tag(hass, "04C0FFEE", "some-device")
    await hass.async_block_till_done()
    result = await hass.config_entries.subentries.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    marker, _ = _field(result, CONF_TAGS)
    assert marker.description == {"suggested_value": ["04C0FFEE"]}
    # What was typed before the scan is still there.
    marker, _ = _field(result, CONF_EXTENSION)
    assert marker.description == {"suggested_value": "104"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Dave",
            CONF_EXTENSION: "104",
            CONF_HOME_DESKS: [DESK_IDS[2]],
            CONF_TAGS: ["04C0FFEE"],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_TAGS] == ["04C0FFEE"]


async def test_learn_a_card_our_readers_do_not_know(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A card unknown at this integration's own readers skips tag_scanned."""
    result = await _start_scan(hass, init_integration)
    hass.bus.async_fire(
        EVENT_UNKNOWN_TAG, {"tag_id": "04DDEEFF", "device_id": "r", "desk_id": None}
    )
    await hass.async_block_till_done()
    result = await hass.config_entries.subentries.async_configure(result["flow_id"])
    marker, _ = _field(result, CONF_TAGS)
    assert marker.description == {"suggested_value": ["04DDEEFF"]}


async def test_scan_step_times_out(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    with patch("custom_components.hotdesk_phone.account_flow.SCAN_TIMEOUT", 0.01):
        result = await _start_scan_quick(hass, init_integration)
        await asyncio.sleep(0.05)
        await hass.async_block_till_done()
    result = await hass.config_entries.subentries.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_TAGS: "scan_timeout"}


async def _start_scan_quick(
    hass: HomeAssistant, entry: MockConfigEntry
) -> dict[str, Any]:
    result = await start_subentry(hass, entry, "account")
    return await hass.config_entries.subentries.async_configure(  # type: ignore[return-value]
        result["flow_id"], {CONF_NAME: "Dave", CONF_EXTENSION: "104", "scan_tag": True}
    )
