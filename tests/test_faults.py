"""Faults from issue 11, each reproduced against the test AMI server first."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant

from custom_components.hotdesk_phone.ami_wire import AmiEvent

from .ami_server import AmiTestServer, encode
from .helpers import hub_of, make_client


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``predicate`` until it holds."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


@pytest.fixture
def server(ami_server: AmiTestServer) -> AmiTestServer:
    """The shared AMI test server (conftest), by a shorter name."""
    return ami_server


async def test_utf8_split_across_reads_is_kept(server: AmiTestServer) -> None:
    """Issue 11 #5: a character split between two TCP reads is not dropped."""
    events: list[AmiEvent] = []
    client = make_client(server, on_event=events.append)
    await client.connect()
    data = encode(
        {
            "Event": "DialBegin",
            "Channel": "PJSIP/trunk-00000001",
            "CallerIDName": "Jürgen",
            "Uniqueid": "1.1",
        }
    )
    cut = data.index("ü".encode()) + 1  # between the two bytes of 'ü'
    try:
        server.push_raw(data[:cut])
        await asyncio.sleep(0.05)  # the first half is read on its own
        server.push_raw(data[cut:])
        await client.ping()
        assert [
            e.headers.get("CallerIDName") for e in events if e.name == "DialBegin"
        ] == ["Jürgen"]
    finally:
        await client.close()


def _device_state_list_without_device(
    server: AmiTestServer, session: object, action: dict[str, str]
) -> list[dict[str, str]]:
    """A DeviceStateList reply whose first item lacks its Device header."""
    return [
        {"Response": "Success", "EventList": "start", "Message": "Will follow"},
        {"Event": "DeviceStateChange", "State": "NOT_INUSE"},
        {"Event": "DeviceStateChange", "Device": "PJSIP/desk2", "State": "RINGING"},
        {
            "Event": "DeviceStateListComplete",
            "EventList": "Complete",
            "ListItems": "2",
        },
    ]


async def test_list_reply_with_missing_fields_skips_the_item(
    server: AmiTestServer,
) -> None:
    """Issue 11 #4: an item without its key field is skipped, not a KeyError."""
    server.handlers["devicestatelist"] = _device_state_list_without_device
    client = make_client(server)
    await client.connect()
    try:
        assert await client.device_states() == {"PJSIP/desk2": "RINGING"}
    finally:
        await client.close()


async def test_reconnect_survives_any_exception_from_resync(
    server: AmiTestServer,
) -> None:
    """Issue 11 #4: a resync hook that raises anything backs off and retries."""
    failing = False
    resyncs = 0

    async def on_connected() -> None:
        nonlocal resyncs
        resyncs += 1
        if failing:
            raise KeyError("Device")

    client = make_client(
        server,
        on_connected=on_connected,
        reconnect_min_delay=0.05,
        reconnect_max_delay=0.2,
    )
    await client.connect()
    try:
        failing = True
        loop = asyncio.get_running_loop()
        started = loop.time()
        server.drop_connections()
        await wait_until(lambda: resyncs >= 5)
        # Retried (the task lives on), backing off 0.05, 0.1, 0.2, 0.2 s
        # between the four failed attempts: no tight loop.
        assert loop.time() - started >= 0.5
        assert server.sessions <= 1  # each failed attempt dropped its link
        failing = False
        await server.wait_for_login(server.logins + 1)
        async with asyncio.timeout(2):
            while not client.connected:
                await asyncio.sleep(0.01)
        await client.ping()
    finally:
        await client.close()
    assert not client._tasks


async def test_hub_recovers_from_malformed_resync_reply(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """Issue 11 #4: the hub reconnects although a resync reply is malformed."""
    hub = hub_of(init_integration)
    hub.client.reconnect_min_delay = 0.05
    ami_server.handlers["devicestatelist"] = _device_state_list_without_device
    ami_server.drop_connections()
    await wait_until(lambda: not hub.connected)
    await wait_until(lambda: hub.connected)
    assert hub.tracker.desk_states["01DESK2"] == "ringing"


def _ami_tasks() -> list[asyncio.Task[object]]:
    """Tasks of any AMI client still alive (ping or reconnect loops)."""
    return [
        t
        for t in asyncio.all_tasks()
        if "AmiClient." in getattr(t.get_coro(), "__qualname__", "")
    ]


async def test_connect_closes_link_when_resync_hook_raises(
    server: AmiTestServer,
) -> None:
    """Issue 11 #3: a first connect whose resync fails leaves nothing open."""

    async def on_connected() -> None:
        raise KeyError("Device")

    client = make_client(server, on_connected=on_connected)
    try:
        with pytest.raises(KeyError):
            await client.connect()
        assert not client.connected
        assert not client._tasks
        await wait_until(lambda: server.sessions == 0)
    finally:
        await client.close()


@pytest.mark.parametrize(
    "entry_options", [{"auto_logout_time": "not a time"}], ids=["bad_option"]
)
async def test_failed_setup_leaves_no_ami_session(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    """Issue 11 #3: setup failing after the login closes the AMI session."""
    mock_config_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert ami_server.logins == 1
    await wait_until(lambda: ami_server.sessions == 0)
    assert not _ami_tasks()
