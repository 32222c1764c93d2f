"""Ring where the person is and reach the mobile: rules, AstDB keys, the form.

The test AMI server plays the PBX (it keeps what DBPut/DBDel write). Alice
(101, desks 1+2) names person.alice; desk 3's device is in the area "Lab".
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import area_registry as ar, device_registry as dr

from custom_components.hotdesk_phone.const import (
    CONF_MOBILE,
    CONF_MOBILE_MODE,
    CONF_PEOPLE,
    CONF_PRESENCE,
    CONF_PRESENCE_ENTITIES,
    CONF_RING_DELAY,
    DOMAIN,
)
from custom_components.hotdesk_phone.directory import (
    Account,
    Desk,
    Directory,
    DirectoryError,
    validate_mobile,
)
from custom_components.hotdesk_phone.login_index import LoginIndex
from custom_components.hotdesk_phone.presence import (
    MAX_NEAR_DESKS,
    Whereabouts,
    order_near,
    presence_tree,
)

from .ami_server import AmiTestServer
from .conftest import ALICE, CAROL, DESK_IDS, account_subentry, desk_subentry
from .helpers import hub_of

D1, D2, D3, D4 = DESK_IDS
SENSOR = "sensor.alice_room"


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    alice = account_subentry(ALICE, "Alice", "101", [1, 2], ["tag-alice"])
    alice["data"].update(
        {
            CONF_PEOPLE: ["person.alice"],
            CONF_PRESENCE: "first",
            CONF_RING_DELAY: 5,
            CONF_PRESENCE_ENTITIES: [SENSOR],
            CONF_MOBILE: "PJSIP/+4917612345678@trunk",
            CONF_MOBILE_MODE: "delayed",
        }
    )
    return [
        *(desk_subentry(i) for i in range(1, 5)),
        alice,
        account_subentry(CAROL, "Carol", "102", [4], ["tag-carol"]),
    ]


def put_desk_in(hass: HomeAssistant, desk_id: str, area: str) -> str:
    area_id = ar.async_get(hass).async_get_or_create(area).id
    registry = dr.async_get(hass)
    device = next(
        d
        for d in dr.async_entries_for_config_entry(registry, "01ENTRY")
        if (DOMAIN, desk_id) in d.identifiers
    )
    registry.async_update_device(device.id, area_id=area_id)
    return area_id


def keys(server: AmiTestServer, extension: str = "101") -> dict[str, str]:
    return {
        k.removeprefix("hotdesk/"): v
        for k, v in server.astdb.items()
        if k.endswith(f"/{extension}") or k == "hotdesk/heartbeat/presence"
    }


async def test_account_options_reach_astdb(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    tree = keys(ami_server)
    assert tree["mobile/101"] == "PJSIP/+4917612345678@trunk"
    assert tree["mobilemode/101"] == "delayed"
    assert tree["nearmode/101"] == "first"
    assert tree["delay/101"] == "5"
    # Carol has neither: no keys, and presence says nothing about her.
    assert {k for k in keys(ami_server, "102") if k.endswith("/102")} == {"route/102"}
    assert abs(int(tree["heartbeat/presence"]) - time.time()) < 60


async def test_presence_rules(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    hub = hub_of(init_integration)
    lab = put_desk_in(hass, D3, "Lab")
    await hass.async_block_till_done()
    # Nothing known: rings as today.
    assert "near/101" not in ami_server.astdb
    assert hub.whereabouts == {}
    # At home (the office) with no area: still unknown.
    hass.states.async_set("person.alice", "home")
    await hass.async_block_till_done()
    assert hub.whereabouts == {}
    # A room sensor names the area (by name): near desk 3, then every desk.
    hass.states.async_set(SENSOR, "Lab")
    await hass.async_block_till_done()
    assert hub.whereabouts[ALICE] == Whereabouts(near=(D3,))
    assert hub.near == {ALICE: (D3,)}
    tree = keys(ami_server)
    assert tree["near/101"] == "PJSIP/desk3"
    assert tree["wide/101"] == "PJSIP/desk3&PJSIP/desk1&PJSIP/desk2"
    # An area id in an attribute works too; an area with no desk is unknown.
    kitchen = ar.async_get(hass).async_get_or_create("Kitchen").id
    hass.states.async_set(SENSOR, "somewhere", {"area_id": kitchen})
    await hass.async_block_till_done()
    assert hub.whereabouts == {}
    assert "near/101" not in ami_server.astdb
    hass.states.async_set(SENSOR, "x", {"area_id": lab})
    await hass.async_block_till_done()
    assert hub.near == {ALICE: (D3,)}
    # A login moves the wide route along.
    await hub.async_login(ALICE, D4)
    assert ami_server.astdb["hotdesk/wide/101"] == (
        "PJSIP/desk3&PJSIP/desk1&PJSIP/desk2&PJSIP/desk4"
    )
    # Away: not_home or another zone, with no area.
    hass.states.async_set(SENSOR, "unknown")
    hass.states.async_set("person.alice", "not_home")
    await hass.async_block_till_done()
    assert hub.whereabouts[ALICE] == Whereabouts(away=True)
    assert ami_server.astdb["hotdesk/away/101"] == "1"
    assert "hotdesk/near/101" not in ami_server.astdb
    assert "hotdesk/wide/101" not in ami_server.astdb
    hass.states.async_set("person.alice", "Customer site")
    await hass.async_block_till_done()
    assert hub.whereabouts[ALICE] == Whereabouts(away=True)
    # Unavailable: unknown again, the keys go.
    hass.states.async_set("person.alice", "unavailable")
    await hass.async_block_till_done()
    assert hub.whereabouts == {}
    assert "hotdesk/away/101" not in ami_server.astdb


async def test_a_desk_moved_to_the_persons_area(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    hub = hub_of(init_integration)
    hass.states.async_set("person.alice", "home")
    hass.states.async_set(SENSOR, "Lab")
    ar.async_get(hass).async_get_or_create("Lab")
    await hass.async_block_till_done()
    assert hub.whereabouts == {}
    put_desk_in(hass, D4, "Lab")
    await hass.async_block_till_done()
    assert hub.near == {ALICE: (D4,)}
    assert ami_server.astdb["hotdesk/near/101"] == "PJSIP/desk4"


async def test_presence_off_writes_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    hub = hub_of(init_integration)
    hass.states.async_set("person.alice", "not_home")
    await hass.async_block_till_done()
    assert ami_server.astdb["hotdesk/away/101"] == "1"
    sub = init_integration.subentries[ALICE]
    hass.config_entries.async_update_subentry(
        init_integration, sub, data={**sub.data, CONF_PRESENCE: "off"}
    )
    await hass.async_block_till_done()
    assert hub.whereabouts == {}
    assert "hotdesk/away/101" not in ami_server.astdb
    assert "hotdesk/nearmode/101" not in ami_server.astdb
    # No account uses presence: no heartbeat either.
    assert "hotdesk/heartbeat/presence" not in ami_server.astdb


def test_presence_tree_caps_near_desks() -> None:
    desks = [Desk(f"D{i}", f"Desk {i}", f"PJSIP/d{i}") for i in range(20)]
    alice = Account("A", "Alice", "101", ("D0",), presence="only")
    directory = Directory.build([alice], desks)
    near = order_near(alice, ["D0"], [d.desk_id for d in reversed(desks)])
    assert len(near) == MAX_NEAR_DESKS
    assert near[0] == "D0"  # her own desk first
    tree = presence_tree(
        directory, LoginIndex(), {"A": Whereabouts(near=near)}, now=1000
    )
    assert tree["heartbeat/presence"] == "1000"
    assert tree["near/101"].split("&")[0] == "PJSIP/d0"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("PJSIP/+49 176", "invalid_mobile"),
        ("PJSIP/a&PJSIP/b", "invalid_mobile"),
        ("PJSIP/a\r\nAction: Originate", "invalid_mobile"),
        ("PJSIP/" + "1" * 200, "mobile_too_long"),
    ],
)
def test_mobile_validation(value: str, code: str) -> None:
    with pytest.raises(DirectoryError) as err:
        validate_mobile(value)
    assert err.value.code == code


def test_directory_refuses_bad_options() -> None:
    desk = Desk("D1", "Desk 1", "PJSIP/desk1")
    for account, code in [
        (Account("A", "a", "101", ("D1",), mobile="bad value"), "invalid_mobile"),
        (Account("A", "a", "101", ("D1",), mobile_mode="x"), "invalid_mobile_mode"),
        (Account("A", "a", "101", ("D1",), presence="x"), "invalid_presence"),
        (Account("A", "a", "101", ("D1",), ring_delay=0), "invalid_ring_delay"),
    ]:
        with pytest.raises(DirectoryError) as err:
            Directory.build([account], [desk])
        assert err.value.code == code
    assert validate_mobile("  ") == ""


async def test_account_form_fields(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, "account"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    base = {"name": "Dan", "extension": "104", "home_desks": [D3]}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**base, CONF_MOBILE: "PJSIP/+49 176@trunk"}
    )
    assert result["errors"] == {CONF_MOBILE: "invalid_mobile"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            **base,
            CONF_MOBILE: " PJSIP/+4917612345678@trunk ",
            CONF_MOBILE_MODE: "together",
            CONF_PRESENCE: "only",
            CONF_RING_DELAY: 8,
            CONF_PRESENCE_ENTITIES: [SENSOR],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    data = result["data"]
    assert (
        data[CONF_MOBILE],
        data[CONF_MOBILE_MODE],
        data[CONF_PRESENCE],
        data[CONF_RING_DELAY],
        data[CONF_PRESENCE_ENTITIES],
    ) == ("PJSIP/+4917612345678@trunk", "together", "only", 8, [SENSOR])
