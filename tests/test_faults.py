"""Faults from issue 11, each reproduced against the test AMI server first."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from custom_components.hotdesk_phone.ami import AmiEvent

from .ami_server import AmiTestServer, encode
from .helpers import make_client


@pytest.fixture
async def server() -> AsyncIterator[AmiTestServer]:
    srv = AmiTestServer()
    await srv.start()
    yield srv
    await srv.stop()


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
    server.push_raw(data[:cut])
    await asyncio.sleep(0.05)  # the first half is read on its own
    server.push_raw(data[cut:])
    await client.ping()
    assert [e.get("CallerIDName") for e in events if e.name == "DialBegin"] == [
        "Jürgen"
    ]
    await client.close()
