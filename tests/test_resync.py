"""The resync after a reconnect: read what the PBX holds, write what differs.

A short blip with the PBX intact writes nothing; a PBX that lost its AstDB gets
the whole tree back; keys the PBX holds that Home Assistant does not want are
removed, and the dialplan's own keys are left alone.
"""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant

from custom_components.hotdesk_phone.emergency import is_emergency_key

from .ami_server import AmiTestServer
from .helpers import hub_of, relink

WRITES = ("DBPut", "DBDel", "DBDelTree")


def _tree(server: AmiTestServer) -> dict[str, str]:
    return {
        k.removeprefix("hotdesk/"): v
        for k, v in server.astdb.items()
        if k.startswith("hotdesk/")
    }


async def _blip(
    hass: HomeAssistant, entry: MockConfigEntry, server: AmiTestServer
) -> list[dict[str, str]]:
    """Drop the link; the actions that write AstDB in the resync that follows."""
    before = len(server.actions)
    await relink(hass, hub_of(entry), server)
    await hass.async_block_till_done()
    return [dict(a) for a in server.actions[before:] if a.get("Action") in WRITES]


async def test_a_blip_with_the_pbx_intact_writes_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    held = _tree(ami_server)
    assert held  # the first connect wrote the tree
    assert await _blip(hass, init_integration, ami_server) == []
    assert _tree(ami_server) == held == hub_of(init_integration).astdb_tree()


async def test_a_pbx_that_lost_its_astdb_gets_it_back(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    want = _tree(ami_server)
    ami_server.astdb.clear()
    writes = await _blip(hass, init_integration, ami_server)
    assert {a["Action"] for a in writes} == {"DBPut"}
    assert len(writes) == len(want)
    assert _tree(ami_server) == want


async def test_resync_changes_only_what_differs(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """A changed value, a stale key, a missing key; the dialplan's key stays."""
    want = _tree(ami_server)
    route = next(k for k in want if k.startswith("route/"))
    ami_server.astdb[f"hotdesk/{route}"] = "PJSIP/elsewhere"
    ami_server.astdb["hotdesk/route/999"] = "PJSIP/gone"
    missing = max(want)
    del ami_server.astdb[f"hotdesk/{missing}"]
    ami_server.astdb["hotdesk/ecallback/+13125550100"] = "1733300000:D1"
    writes = await _blip(hass, init_integration, ami_server)
    assert sorted((a["Action"], f"{a['Family']}/{a['Key']}") for a in writes) == sorted(
        [
            ("DBPut", f"hotdesk/{route}"),
            ("DBPut", f"hotdesk/{missing}"),
            ("DBDel", "hotdesk/route/999"),
        ]
    )
    assert _tree(ami_server) == {**want, "ecallback/+13125550100": "1733300000:D1"}


async def test_a_pbx_without_dbgettree_gets_the_whole_tree_rewritten(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """Asterisk before 18.14 cannot list a family: the resync rewrites it all.

    Emergency keys are written before any family is cleared (a call to the
    emergency number during the rewrite still finds them) and are never
    cleared; the families of routes and logins are, so a stale key goes.
    """
    want = _tree(ami_server)
    assert any(is_emergency_key(k) for k in want)
    ami_server.astdb["hotdesk/route/999"] = "PJSIP/gone"
    ami_server.handlers["dbgettree"] = lambda *_: [
        {
            "Response": "Error",
            "Message": "Invalid/unknown command: DBGetTree. "
            "Use Action: ListCommands to show available commands.",
        }
    ]
    writes = await _blip(hass, init_integration, ami_server)
    cleared = [a["Family"] for a in writes if a["Action"] == "DBDelTree"]
    assert "hotdesk/route" in cleared
    assert not [f for f in cleared if is_emergency_key(f.removeprefix("hotdesk/"))]
    first_clear = next(i for i, a in enumerate(writes) if a["Action"] == "DBDelTree")
    put_before = {
        f"{a['Family']}/{a['Key']}".removeprefix("hotdesk/")
        for a in writes[:first_clear]
        if a["Action"] == "DBPut"
    }
    assert put_before == {k for k in want if is_emergency_key(k)}
    assert _tree(ami_server) == want
