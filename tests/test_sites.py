"""Two PBXs side by side, linked: claims and logins across sites.

Entry A (the standard office, on one AMI test server) links to entry B (two
desks and Bea, on another): A dials B's desks through the trunk
``PJSIP/<desk id>@site-b``. The e2e tier runs the same on two real
Asterisks joined by a PJSIP trunk (tests/e2e/test_cross_site.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from homeassistant.components.tag import async_scan_tag
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_HOST,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er

from custom_components.hotdesk_phone.const import (
    CONF_ALLOW_CLAIMS,
    CONF_ALLOW_LOGINS,
    CONF_DIAL_STRING,
    CONF_DIAL_TEMPLATE,
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_SCAN_DEBOUNCE_SECONDS,
    CONF_SCANNERS,
    CONF_SITE_ENTRY,
    CONF_TAGS,
    DOMAIN,
)
from custom_components.hotdesk_phone.diagnostics import (
    async_get_config_entry_diagnostics,
)

from .ami_server import AmiTestServer
from .conftest import ALICE, DESK_IDS, account_subentry, desk_subentry
from .helpers import (
    AFTER_REDIRECT,
    BEFORE_REDIRECT,
    hub_of,
    push,
    redirect_then,
    wait_connected,
)

ENTRY_A, ENTRY_B = "01ENTRY", "01ENTRYB"
B1, B2, BEA = "01BDESK1", "01BDESK2", "01BEA"
TRUNK = "PJSIP/{desk}@site-b"


def site_subentry(**data: Any) -> dict[str, Any]:
    """A's link to B."""
    return {
        "subentry_id": "01LINKB",
        "subentry_type": "site",
        "title": "Site B",
        "unique_id": None,
        "data": {
            CONF_SITE_ENTRY: ENTRY_B,
            CONF_DIAL_TEMPLATE: TRUNK,
            CONF_ALLOW_CLAIMS: True,
            CONF_ALLOW_LOGINS: True,
            **data,
        },
    }


@pytest.fixture
def link_data() -> dict[str, Any]:
    """What A's link to B says (override to forbid claims or logins)."""
    return {}


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Every scan in these tests is a new tap (no double-tap window)."""
    return {CONF_SCAN_DEBOUNCE_SECONDS: 0}


@pytest.fixture
def subentries(link_data: dict[str, Any]) -> list[dict[str, Any]]:
    """A: desks 1-4 with scanners, Alice (101) and Carol (102), the link to B."""
    return [
        *(desk_subentry(i, [f"scanner-{i}"]) for i in range(1, 5)),
        account_subentry(ALICE, "Alice", "101", [1, 2], ["tag-alice"]),
        account_subentry("01CAROL", "Carol", "102", [1, 4], ["tag-carol"]),
        site_subentry(**link_data),
    ]


def b_subentries() -> list[dict[str, Any]]:
    desks = [
        {
            "subentry_id": desk_id,
            "subentry_type": "desk",
            "title": f"B desk {i}",
            "unique_id": None,
            "data": {
                CONF_NAME: f"B desk {i}",
                CONF_DIAL_STRING: f"PJSIP/desk{i}",
                CONF_SCANNERS: [f"b-scanner-{i}"],
            },
        }
        for i, desk_id in ((1, B1), (2, B2))
    ]
    bea = {
        "subentry_id": BEA,
        "subentry_type": "account",
        "title": "Bea",
        "unique_id": None,
        "data": {
            CONF_NAME: "Bea",
            CONF_EXTENSION: "201",
            CONF_HOME_DESKS: [B1],
            CONF_TAGS: ["tag-bea"],
        },
    }
    return [*desks, bea]


@pytest.fixture
async def server_b() -> AsyncIterator[AmiTestServer]:
    """Site B's PBX."""
    server = AmiTestServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def sites(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    server_b: AmiTestServer,
) -> tuple[MockConfigEntry, MockConfigEntry]:
    """Both entries set up (the integration sets up every entry it has)."""
    entry_b = MockConfigEntry(
        domain=DOMAIN,
        title="Site B",
        unique_id=f"127.0.0.1:{server_b.port}",
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: server_b.port,
            CONF_USERNAME: server_b.username,
            CONF_PASSWORD: server_b.secret,
        },
        subentries_data=b_subentries(),  # type: ignore[arg-type]
        # Every scan in these tests is a new tap (no double-tap window).
        options={CONF_SCAN_DEBOUNCE_SECONDS: 0},
        entry_id=ENTRY_B,
    )
    entry_b.add_to_hass(hass)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(ENTRY_B)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert entry_b.state is ConfigEntryState.LOADED
    return mock_config_entry, entry_b


def state(hass: HomeAssistant, unique_id: str) -> Any:
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, unique_id)
    assert entity_id is not None, unique_id
    return hass.states.get(entity_id)


# The recorded claim to desk 4, as it looks when A moved the call to B's
# desk 2 instead: the new leg is on the trunk, and only the dialled string
# (DialString) says which desk it is for.
def _through_trunk(event: dict[str, str]) -> dict[str, str]:
    moved = {
        key: value.replace("PJSIP/desk4", "PJSIP/site-b")
        for key, value in event.items()
    }
    if moved.get("Exten") == "D4":
        moved["Exten"] = B2
    if moved.get("DialString") == "desk4":
        moved["DialString"] = f"{B2}@site-b"
    return moved


AFTER_TRUNK_REDIRECT = [
    _through_trunk(e) for e in AFTER_REDIRECT if e.get("Device") != "PJSIP/desk4"
]


async def test_each_pbx_keeps_its_own_astdb_and_entities(
    hass: HomeAssistant,
    sites: tuple[MockConfigEntry, MockConfigEntry],
    ami_server: AmiTestServer,
    server_b: AmiTestServer,
) -> None:
    """A dials B's desks through the trunk; nothing of A's reaches B."""
    entry_a, entry_b = sites
    assert ami_server.astdb[f"hotdesk/desk/{B1}"] == f"PJSIP/{B1}@site-b"
    assert ami_server.astdb[f"hotdesk/desk/{B2}"] == f"PJSIP/{B2}@site-b"
    assert ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk1&PJSIP/desk2"
    assert server_b.astdb["hotdesk/route/201"] == "PJSIP/desk1"
    assert server_b.astdb[f"hotdesk/desk/{B1}"] == "PJSIP/desk1"
    assert not any("route/101" in k or "01DESK" in k for k in server_b.astdb)
    # B's desks are B's entities only: A makes none for them.
    registry = er.async_get(hass)
    assert registry.async_get_entity_id("sensor", DOMAIN, f"{B1}_logged_in_account")
    a_ids = {
        e.unique_id
        for e in er.async_entries_for_config_entry(registry, entry_a.entry_id)
    }
    assert not any(B1 in u or B2 in u for u in a_ids)
    assert hub_of(entry_b).connected


async def test_scan_at_a_desk_of_another_site_claims_through_the_trunk(
    hass: HomeAssistant,
    sites: tuple[MockConfigEntry, MockConfigEntry],
    ami_server: AmiTestServer,
    server_b: AmiTestServer,
) -> None:
    """Alice's call rings on A; her tag at B's desk moves it there (A's Redirect)."""
    entry_a, _ = sites
    claimed = async_capture_events(hass, "hotdesk_phone_call_claimed")
    answered = async_capture_events(hass, "hotdesk_phone_call_answered")
    unknown = async_capture_events(hass, "hotdesk_phone_unknown_tag")
    ami_server.handlers["redirect"] = redirect_then(AFTER_TRUNK_REDIRECT)
    await push(hass, entry_a, ami_server, BEFORE_REDIRECT)
    await async_scan_tag(hass, "tag-alice", "b-scanner-2")
    await hass.async_block_till_done()
    redirects = ami_server.actions_named("Redirect")
    assert [(r["Context"], r["Exten"]) for r in redirects] == [("hotdesk-claim", B2)]
    assert server_b.actions_named("Redirect") == []
    await hub_of(entry_a).client.ping()
    await hass.async_block_till_done()
    assert [(e.data["desk_id"], e.data["desk"]) for e in claimed] == [(B2, "B desk 2")]
    assert claimed[0].data["from_desks"] == DESK_IDS[:2]
    # The trunk leg is known as B's desk 2 by its dialled string.
    assert [e.data["desk_id"] for e in answered] == [B2]
    assert unknown == []  # neither entry took the scan for an unknown tag


async def test_login_at_another_sites_desk_rings_it_through_the_trunk(
    hass: HomeAssistant,
    sites: tuple[MockConfigEntry, MockConfigEntry],
    ami_server: AmiTestServer,
    server_b: AmiTestServer,
) -> None:
    """A's route includes B's desk; B shows Alice there and gives her caller ID."""
    entry_a, entry_b = sites
    logins = async_capture_events(hass, "hotdesk_phone_login")
    await async_scan_tag(hass, "tag-alice", "b-scanner-2")
    await hass.async_block_till_done()
    assert ami_server.astdb["hotdesk/route/101"] == (
        f"PJSIP/desk1&PJSIP/desk2&PJSIP/{B2}@site-b"
    )
    assert server_b.astdb[f"hotdesk/login/{B2}"] == "101"
    assert [(e.data["account"], e.data["desk_id"]) for e in logins] == [("Alice", B2)]
    shown = state(hass, f"{B2}_logged_in_account")
    assert shown.state == "Alice"
    assert shown.attributes["site"] == entry_a.title
    assert shown.attributes["extension"] == "101"
    # Bea takes the desk: Alice's login there ends, on both PBXs.
    await async_scan_tag(hass, "tag-bea", "b-scanner-2")
    await hass.async_block_till_done()
    assert ami_server.astdb["hotdesk/route/101"] == "PJSIP/desk1&PJSIP/desk2"
    assert server_b.astdb[f"hotdesk/login/{B2}"] == "201"
    assert state(hass, f"{B2}_logged_in_account").state == "Bea"
    # Alice's tag there again: she takes it back from Bea.
    await async_scan_tag(hass, "tag-alice", "b-scanner-2")
    await hass.async_block_till_done()
    assert server_b.astdb[f"hotdesk/login/{B2}"] == "101"
    assert B2 not in hub_of(entry_b).logins
    # And again: she logs out; B's desk is free.
    await async_scan_tag(hass, "tag-alice", "b-scanner-2")
    await hass.async_block_till_done()
    assert f"hotdesk/login/{B2}" not in server_b.astdb
    assert state(hass, f"{B2}_logged_in_account").state == "nobody"


@pytest.mark.parametrize("link_data", [{CONF_ALLOW_CLAIMS: False}])
async def test_a_link_without_claims_refuses_them(
    hass: HomeAssistant,
    sites: tuple[MockConfigEntry, MockConfigEntry],
    ami_server: AmiTestServer,
) -> None:
    """The link says A's calls may not move to B's desks."""
    entry_a, _ = sites
    refused = async_capture_events(hass, "hotdesk_phone_claim_refused")
    await push(hass, entry_a, ami_server, BEFORE_REDIRECT)
    await async_scan_tag(hass, "tag-alice", "b-scanner-2")
    await hass.async_block_till_done()
    assert ami_server.actions_named("Redirect") == []
    assert [e.data["reason"] for e in refused] == ["site_not_allowed"]


@pytest.mark.parametrize("link_data", [{CONF_ALLOW_LOGINS: False}])
async def test_a_link_without_logins_refuses_them(
    hass: HomeAssistant,
    sites: tuple[MockConfigEntry, MockConfigEntry],
    ami_server: AmiTestServer,
    server_b: AmiTestServer,
) -> None:
    """The scan does nothing, and the action says why."""
    entry_a, _ = sites
    await async_scan_tag(hass, "tag-alice", "b-scanner-2")
    await hass.async_block_till_done()
    assert hub_of(entry_a).logins == {}
    assert f"hotdesk/login/{B2}" not in server_b.astdb
    device = _desk_device(hass, ENTRY_B, B2)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "login",
            {"extension": "101", "desk": device},
            blocking=True,
        )
    assert err.value.translation_key == "site_not_allowed"


def _desk_device(hass: HomeAssistant, entry_id: str, desk_id: str) -> str:
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry_id):
        if (DOMAIN, desk_id) in device.identifiers:
            return device.id
    raise AssertionError(desk_id)


async def test_actions_claim_and_log_in_across_sites(
    hass: HomeAssistant,
    sites: tuple[MockConfigEntry, MockConfigEntry],
    ami_server: AmiTestServer,
    server_b: AmiTestServer,
) -> None:
    """claim_call, login and logout with B's desk device and A's extension."""
    entry_a, _ = sites
    device = _desk_device(hass, ENTRY_B, B1)
    await hass.services.async_call(
        DOMAIN, "login", {"extension": "101", "desk": device}, blocking=True
    )
    assert hub_of(entry_a).logins == {B1: ALICE}
    assert server_b.astdb[f"hotdesk/login/{B1}"] == "101"
    await hass.services.async_call(DOMAIN, "logout", {"desk": device}, blocking=True)
    assert hub_of(entry_a).logins == {}
    assert f"hotdesk/login/{B1}" not in server_b.astdb
    ami_server.handlers["redirect"] = redirect_then([])
    await push(hass, entry_a, ami_server, BEFORE_REDIRECT)
    result = await hass.services.async_call(
        DOMAIN,
        "claim_call",
        {"extension": "101", "desk": device},
        blocking=True,
        return_response=True,
    )
    assert result is not None
    assert result["desk_id"] == B1
    assert [r["Exten"] for r in ami_server.actions_named("Redirect")] == [B1]


async def test_one_pbx_down_leaves_the_other_working(
    hass: HomeAssistant,
    sites: tuple[MockConfigEntry, MockConfigEntry],
    ami_server: AmiTestServer,
    server_b: AmiTestServer,
) -> None:
    """B's PBX stops; A still takes calls and claims to its own desks."""
    entry_a, entry_b = sites
    await server_b.stop()
    await wait_connected(hub_of(entry_b), connected=False)
    claimed = async_capture_events(hass, "hotdesk_phone_call_claimed")
    ami_server.handlers["redirect"] = redirect_then(AFTER_REDIRECT)
    await push(hass, entry_a, ami_server, BEFORE_REDIRECT)
    await async_scan_tag(hass, "tag-alice", "scanner-4")
    await hass.async_block_till_done()
    await hub_of(entry_a).client.ping()
    await hass.async_block_till_done()
    assert [e.data["desk_id"] for e in claimed] == [DESK_IDS[3]]
    assert hub_of(entry_a).connected


async def test_unloading_a_site_clears_its_visitors(
    hass: HomeAssistant,
    sites: tuple[MockConfigEntry, MockConfigEntry],
    server_b: AmiTestServer,
) -> None:
    """While A is unloaded, B's desk shows nobody and its AstDB has no login."""
    entry_a, _ = sites
    await async_scan_tag(hass, "tag-alice", "b-scanner-1")
    await hass.async_block_till_done()
    assert server_b.astdb[f"hotdesk/login/{B1}"] == "101"
    assert await hass.config_entries.async_unload(entry_a.entry_id)
    await hass.async_block_till_done()
    assert f"hotdesk/login/{B1}" not in server_b.astdb
    assert state(hass, f"{B1}_logged_in_account").state == "nobody"
    # A back: its stored login shows at B again.
    assert await hass.config_entries.async_setup(entry_a.entry_id)
    await hass.async_block_till_done()
    assert server_b.astdb[f"hotdesk/login/{B1}"] == "101"
    assert state(hass, f"{B1}_logged_in_account").state == "Alice"


async def test_a_new_desk_at_site_b_becomes_reachable_from_a(
    hass: HomeAssistant,
    sites: tuple[MockConfigEntry, MockConfigEntry],
    ami_server: AmiTestServer,
) -> None:
    """B's desks change live; A's AstDB follows without a reload."""
    _, entry_b = sites
    result = await hass.config_entries.subentries.async_init(
        (ENTRY_B, "desk"), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_NAME: "B desk 3", CONF_DIAL_STRING: "PJSIP/desk3"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    new_id = next(
        sid
        for sid, sub in entry_b.subentries.items()
        if sub.data.get(CONF_NAME) == "B desk 3"
    )
    assert ami_server.astdb[f"hotdesk/desk/{new_id}"] == f"PJSIP/{new_id}@site-b"


async def test_a_tag_of_another_sites_account_is_refused_in_the_form(
    hass: HomeAssistant,
    sites: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """Identities are global: B cannot give Alice's tag to another account."""
    result = await hass.config_entries.subentries.async_init(
        (ENTRY_B, "account"), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Mallory",
            CONF_EXTENSION: "202",
            CONF_HOME_DESKS: [B2],
            CONF_TAGS: ["tag-alice"],
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_TAGS: "duplicate_tag"}


async def test_site_link_form(
    hass: HomeAssistant, sites: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """B links to A: a site must be chosen, and the template must name the desk."""
    result = await hass.config_entries.subentries.async_init(
        (ENTRY_B, "site"), context={"source": "user"}
    )
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_DIAL_TEMPLATE: "PJSIP/site-a"}
    )
    assert result["errors"] == {
        CONF_SITE_ENTRY: "no_site_chosen",
        CONF_DIAL_TEMPLATE: "dial_template_without_desk",
    }
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_SITE_ENTRY: ENTRY_A, CONF_DIAL_TEMPLATE: "PJSIP/{desk} @site-a"},
    )
    assert result["errors"] == {CONF_DIAL_TEMPLATE: "invalid_dial_template"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_SITE_ENTRY: ENTRY_A, CONF_DIAL_TEMPLATE: "PJSIP/{desk}@site-a"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        CONF_SITE_ENTRY: ENTRY_A,
        CONF_DIAL_TEMPLATE: "PJSIP/{desk}@site-a",
        CONF_ALLOW_CLAIMS: True,
        CONF_ALLOW_LOGINS: True,
    }
    # A links to B already, and B now to A: nothing left to link.
    result = await hass.config_entries.subentries.async_init(
        (ENTRY_A, "site"), context={"source": "user"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_other_site"


async def test_an_import_cannot_give_another_sites_tag(
    hass: HomeAssistant, sites: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """The bulk import refuses a row with a tag another entry's account has."""
    _, entry_b = sites
    response = await hass.services.async_call(
        DOMAIN,
        "export_directory",
        {"config_entry_id": ENTRY_B},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    text = str(response["csv"]).replace("tag-bea", "tag-alice")
    before = dict(entry_b.subentries)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "import_directory",
            {"config_entry_id": ENTRY_B, "csv": text},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "import_invalid"
    assert "tag-alice" in (err.value.translation_placeholders or {})["rows"]
    assert dict(entry_b.subentries) == before


async def test_no_claim_to_a_site_whose_pbx_is_down(
    hass: HomeAssistant,
    sites: tuple[MockConfigEntry, MockConfigEntry],
    ami_server: AmiTestServer,
    server_b: AmiTestServer,
) -> None:
    """The trunk leg would fail and the caller lose the ringing desks: the
    call keeps ringing on A, the scan and the action say why."""
    entry_a, entry_b = sites
    await server_b.stop()
    await wait_connected(hub_of(entry_b), connected=False)
    refused = async_capture_events(hass, "hotdesk_phone_claim_refused")
    await push(hass, entry_a, ami_server, BEFORE_REDIRECT)
    await async_scan_tag(hass, "tag-alice", "b-scanner-2")
    await hass.async_block_till_done()
    assert ami_server.actions_named("Redirect") == []
    assert [e.data["reason"] for e in refused] == ["site_unreachable"]
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "claim_call",
            {"extension": "101", "desk": _desk_device(hass, ENTRY_B, B2)},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "claim_refused_site_unreachable"
    assert ami_server.actions_named("Redirect") == []
    call = hub_of(entry_a).tracker.call_for_account(ALICE)
    assert call is not None
    assert call.ringing_desks == DESK_IDS[:2]


async def test_diagnostics_show_links_and_visitors(
    hass: HomeAssistant,
    sites: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """A's diagnostics say B is linked and up; B's name Alice at its desk."""
    entry_a, entry_b = sites
    await async_scan_tag(hass, "tag-alice", "b-scanner-1")
    await hass.async_block_till_done()
    diag_a = await async_get_config_entry_diagnostics(hass, entry_a)
    diag_b = await async_get_config_entry_diagnostics(hass, entry_b)
    assert diag_a["sites"] == {"linked": {ENTRY_B: True}, "visitors": {}}
    assert diag_b["sites"] == {"linked": {}, "visitors": {B1: ALICE}}
