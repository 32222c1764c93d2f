"""The AMI client against the test AMI server over real TCP on loopback."""

from __future__ import annotations

import asyncio
import socket

import pytest

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.ami_errors import (
    AmiActionError,
    AmiAuthError,
    AmiConnectionError,
    AmiTimeoutError,
    AmiValueError,
)
from custom_components.hotdesk_phone.ami_wire import (
    MAX_LINE_BYTES,
    MESSAGES_PER_TURN,
    AmiEvent,
)

from .ami_server import AmiTestServer, encode, transcript_bytes, transcript_events
from .helpers import make_client


@pytest.fixture
def server(ami_server: AmiTestServer) -> AmiTestServer:
    """The shared AMI test server (conftest), by a shorter name."""
    return ami_server


async def test_connect_returns_after_login(server: AmiTestServer) -> None:
    client = make_client(server)
    await client.connect()
    assert client.connected
    assert server.logins == 1
    assert client.version == "11.0.0"
    settings = await client.core_settings()
    assert settings["AsteriskVersion"] == "22.10.1"
    await client.close()
    assert not client.connected
    assert server.actions_named("Logoff")


async def test_wrong_secret_is_auth_error_and_no_retry(server: AmiTestServer) -> None:
    client = make_client(server, secret="wrong")
    with pytest.raises(AmiAuthError):
        await client.connect()
    await asyncio.sleep(0.3)
    # One attempt only: no background retries after a refused login.
    assert len(server.actions_named("Login")) == 1
    assert client.auth_failed
    await client.close()


async def test_unreachable_is_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = AmiClient(host="127.0.0.1", port=port, username="u", secret="s")
    with pytest.raises(AmiConnectionError):
        await client.connect()
    assert not client._tasks
    await client.close()


async def test_silent_server_times_out(server: AmiTestServer) -> None:
    # A TCP listener that never speaks AMI.
    async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    mute_server = await asyncio.start_server(mute, "127.0.0.1", 0)
    port = mute_server.sockets[0].getsockname()[1]
    client = AmiClient(
        host="127.0.0.1", port=port, username="u", secret="s", connect_timeout=0.2
    )
    with pytest.raises(AmiTimeoutError):
        await client.connect()
    await client.close()
    mute_server.close()
    await mute_server.wait_closed()


async def test_astdb_actions(server: AmiTestServer) -> None:
    client = make_client(server)
    await client.connect()
    await client.db_put("hotdesk/route", "101", "PJSIP/desk1&PJSIP/desk2")
    assert server.astdb == {"hotdesk/route/101": "PJSIP/desk1&PJSIP/desk2"}
    assert await client.db_get("hotdesk/route", "101") == "PJSIP/desk1&PJSIP/desk2"
    assert await client.db_get("hotdesk/route", "999") is None
    await client.db_del("hotdesk/route", "101")
    await client.db_del("hotdesk/route", "101")  # missing: not an error
    await client.db_put("hotdesk/desk", "a", "PJSIP/desk1")
    await client.db_del_tree("hotdesk/desk")
    await client.db_del_tree("hotdesk/desk")  # missing: not an error
    assert server.astdb == {}
    await client.close()


async def test_list_actions(server: AmiTestServer) -> None:
    server.device_states = {"PJSIP/desk1": "NOT_INUSE", "PJSIP/desk2": "RINGING"}
    server.channels = [
        {
            "Channel": "PJSIP/desk1-00000001",
            "Uniqueid": "1.1",
            "Linkedid": "1.0",
            "ChannelStateDesc": "Ringing",
            "CallerIDNum": "5550100",
            "CallerIDName": "Bob",
            "Context": "from-desk",
            "Exten": "101",
            "Application": "AppDial",
            "BridgeId": "",
        }
    ]
    client = make_client(server)
    await client.connect()
    endpoints = await client.endpoints()
    assert [e.dial_string for e in endpoints] == [
        "PJSIP/desk1",
        "PJSIP/desk2",
        "PJSIP/desk3",
        "PJSIP/desk4",
    ]
    assert await client.device_states() == server.device_states
    channels = await client.active_channels()
    assert [(c.channel, c.state, c.caller_id_name) for c in channels] == [
        ("PJSIP/desk1-00000001", "Ringing", "Bob")
    ]
    server.channels = []
    assert await client.active_channels() == []
    await client.close()


async def test_redirect_and_originate(server: AmiTestServer) -> None:
    client = make_client(server)
    await client.connect()
    await client.redirect("Local/s@x-00000001;1", "hotdesk-claim", "desk4")
    sent = server.actions_named("Redirect")[-1]
    assert sent["Channel"] == "Local/s@x-00000001;1"
    assert sent["Context"] == "hotdesk-claim"
    assert sent["Exten"] == "desk4"
    assert sent["Priority"] == "1"
    await client.originate(
        "Local/s@test-caller",
        "hotdesk-inbound",
        "101",
        caller_id='"Bob" <5550100>',
        variables={"A": "1", "B": "2"},
    )
    sent = server.actions_named("Originate")[-1]
    assert sent["Async"] == "true"
    assert b"Variable: A=1\r\nVariable: B=2\r\n" in bytes(server.received)

    def refuse(*_: object) -> list[dict[str, str]]:
        return [{"Response": "Error", "Message": "Channel does not exist: X"}]

    server.handlers["redirect"] = refuse
    server.handlers["originate"] = refuse
    with pytest.raises(AmiActionError, match="Channel does not exist"):
        await client.redirect("X", "hotdesk-claim", "desk4")
    with pytest.raises(AmiActionError):
        await client.originate("X", "c", "1")
    await client.close()


async def test_list_replies_refused_empty_or_odd(server: AmiTestServer) -> None:
    """A list action's answer is read without panoramisk's messages: each
    kind of answer resolves, and the link serves the next action."""
    client = make_client(server)
    await client.connect()
    server.handlers["dbgettree"] = lambda *_: [
        {"Response": "Error", "Message": "Permission denied"}
    ]
    with pytest.raises(AmiActionError, match="Permission denied"):
        await client.db_get_tree("hotdesk")
    # A success that lists nothing is the whole answer (nothing waits).
    server.handlers["devicestatelist"] = lambda *_: [
        {"Response": "Success", "Message": "No device states"}
    ]
    assert await client.device_states() == {}
    # Header names in any case; an item without its key is skipped; the
    # first of a repeated header counts; a value may hold ": ".
    server.handlers["dbgettree"] = lambda *_: [
        {"Response": "Success", "EventList": "start", "Message": "will follow"},
        {"Event": "DBGetTreeResponse", "KEY": "/hotdesk/route/101", "val": "a: b"},
        {"Event": "DBGetTreeResponse", "Val": "no key"},
        {"Event": "DBGetTreeResponse", "Key": "/other/x", "Val": "not below"},
        {"Event": "DBGetTreeComplete", "EventList": "Complete", "ListItems": "3"},
    ]
    assert await client.db_get_tree("hotdesk") == {"route/101": "a: b"}
    assert client._protocol is not None
    assert not client._protocol.lists
    await client.ping()
    await client.close()


async def test_list_reply_lost_or_late(server: AmiTestServer) -> None:
    """No answer within the action timeout, then a dropped link: each
    waiting list action fails with its own error and nothing is left
    waiting."""
    client = make_client(server)
    client.action_timeout = 0.2
    await client.connect()
    server.handlers["devicestatelist"] = lambda *_: []  # never answered
    with pytest.raises(AmiTimeoutError, match="DeviceStateList"):
        await client.device_states()
    assert client._protocol is not None
    assert not client._protocol.lists
    client.action_timeout = 5.0
    waiting = asyncio.create_task(client.device_states())
    await asyncio.sleep(0.05)
    assert client._protocol.lists
    server.drop_connections()
    with pytest.raises(AmiConnectionError):
        await waiting
    await client.close()


@pytest.mark.parametrize(
    "value",
    [
        "desk1\r\nAction: Originate",
        "desk1\nAction: Hangup",
        "a\rb",
        "x" * MAX_LINE_BYTES,
    ],
)
async def test_injection_never_reaches_socket(
    server: AmiTestServer, value: str
) -> None:
    client = make_client(server)
    await client.connect()
    before = bytes(server.received)
    with pytest.raises(AmiValueError):
        await client.db_put("hotdesk/route", "101", value)
    with pytest.raises(AmiValueError):
        await client.redirect(value, "hotdesk-claim", "x")
    await client.ping()  # the link is still usable
    after = bytes(server.received)[len(before) :]
    assert b"Originate" not in after
    assert b"Hangup" not in after
    assert b"DBPut" not in after
    assert b"Redirect" not in after
    await client.close()


async def test_events_are_typed_and_filtered(server: AmiTestServer) -> None:
    events: list[AmiEvent] = []
    client = make_client(server, on_event=events.append)
    await client.connect()
    server.push_raw(transcript_bytes("call_claimed_answered.ami"))
    await client.ping()
    names = {e.name for e in events}
    recorded = transcript_events("call_claimed_answered.ami")
    assert names <= {
        "DialBegin",
        "DialEnd",
        "Hangup",
        "Newstate",
        "DeviceStateChange",
        "BridgeEnter",
        "FullyBooted",
    }
    # Recorded, but nothing reads them: dropped before parsing.
    assert {"VarSet", "BridgeLeave"}.isdisjoint(names)
    dial_begins = [e for e in events if e.name == "DialBegin"]
    assert len(dial_begins) == sum(1 for r in recorded if r["Event"] == "DialBegin")
    assert dial_begins[1].headers["DestChannel"] == "PJSIP/desk1-00000002"
    assert dial_begins[1].headers["CallerIDName"] == "Bob Caller"
    await client.close()


async def test_events_split_across_packets(server: AmiTestServer) -> None:
    events: list[AmiEvent] = []
    client = make_client(server, on_event=events.append)
    await client.connect()
    data = transcript_bytes("call_missed.ami")
    for start in range(0, len(data), 7):
        server.push_raw(data[start : start + 7])
    await client.ping()
    expected = [
        e
        for e in transcript_events("call_missed.ami")
        if e["Event"] in {"DialBegin", "DialEnd", "Hangup"}
    ]
    got = [e for e in events if e.name in {"DialBegin", "DialEnd", "Hangup"}]
    assert [dict(e.headers) for e in got] == expected
    await client.close()


async def test_a_read_of_thousands_of_events_is_handled_in_turns(
    server: AmiTestServer,
) -> None:
    """2,000 events in one write: all arrive, in order, with the loop free between.

    The client handles 300 messages per turn of the event loop (reading
    paused meanwhile), so a large office's device states do not hold it.
    """
    events: list[AmiEvent] = []
    turn_of_event: list[int] = []
    turns = 0

    def on_event(event: AmiEvent) -> None:
        events.append(event)
        turn_of_event.append(turns)

    client = make_client(server, on_event=on_event)
    await client.connect()

    async def count_turns() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    counter = asyncio.get_running_loop().create_task(count_turns())
    await asyncio.sleep(0)
    burst = [
        {"Event": "DeviceStateChange", "Device": f"PJSIP/desk{i}", "State": "INUSE"}
        for i in range(2000)
    ]
    server.push_raw(b"".join(encode(e) for e in burst))
    await client.ping()
    counter.cancel()
    got = [e.headers["Device"] for e in events if e.name == "DeviceStateChange"]
    assert got == [e["Device"] for e in burst]
    # Handled in at least one turn of the loop per 300 messages (one read of
    # the socket brings far more than that).
    assert MESSAGES_PER_TURN == 300
    assert len(set(turn_of_event)) >= 2000 // 300
    await client.close()


async def test_reconnect_runs_resync_again(server: AmiTestServer) -> None:
    resyncs = 0
    lost = 0

    async def on_connected() -> None:
        nonlocal resyncs
        resyncs += 1
        await client.db_put("hotdesk/route", "101", "PJSIP/desk1")

    def on_disconnected() -> None:
        nonlocal lost
        lost += 1

    client = make_client(
        server, on_connected=on_connected, on_disconnected=on_disconnected
    )
    await client.connect()
    assert resyncs == 1
    server.astdb.clear()
    server.drop_connections()
    await server.wait_for_login(2)
    for _ in range(50):
        if resyncs == 2:
            break
        await asyncio.sleep(0.02)
    assert resyncs == 2
    assert lost == 1
    assert server.astdb == {"hotdesk/route/101": "PJSIP/desk1"}
    await client.close()


async def test_reconnect_backs_off_while_pbx_down(server: AmiTestServer) -> None:
    client = make_client(server, reconnect_min_delay=0.05, reconnect_max_delay=0.1)
    await client.connect()
    await server.stop()
    with pytest.raises(AmiConnectionError):
        await client.ping()
    await asyncio.sleep(0.4)
    assert not client.connected
    await server.restart()
    await server.wait_for_login(2)
    for _ in range(50):
        if client.connected:
            break
        await asyncio.sleep(0.02)
    await client.ping()
    await client.close()
    assert not client._tasks


async def test_action_on_dead_link_fails_fast(server: AmiTestServer) -> None:
    client = make_client(server, reconnect_min_delay=10)
    await client.connect()
    server.drop_connections()
    await asyncio.sleep(0.05)
    with pytest.raises(AmiConnectionError):
        await client.db_put("a", "b", "c")
    await client.close()


async def test_keepalive_detects_half_open_link(server: AmiTestServer) -> None:
    lost = asyncio.Event()
    client = make_client(
        server,
        ping_interval=0.05,
        action_timeout=0.1,
        reconnect_min_delay=0.05,
        on_disconnected=lost.set,
    )
    await client.connect()
    server.freeze()
    async with asyncio.timeout(2):
        await lost.wait()
    await server.wait_for_login(2)
    await client.close()


async def test_close_cancels_everything(server: AmiTestServer) -> None:
    client = make_client(server, reconnect_min_delay=0.05)
    await client.connect()
    server.drop_connections()
    await asyncio.sleep(0.01)
    await client.close()
    assert not client._tasks
    logins = server.logins
    await asyncio.sleep(0.3)
    assert server.logins == logins


async def test_shutdown_event_drops_link(server: AmiTestServer) -> None:
    lost = asyncio.Event()
    client = make_client(server, reconnect_min_delay=0.05, on_disconnected=lost.set)
    await client.connect()
    server.push_event({"Event": "Shutdown", "Shutdown": "Cleanly", "Restart": "True"})
    async with asyncio.timeout(2):
        await lost.wait()
    await server.wait_for_login(2)
    await client.close()
