"""Fuzzing the AMI protocol layer (issue 11).

Random byte streams with valid events interleaved, cut at random points:
nothing raises and every valid event arrives, in order, with its headers.
The protocol is fed directly (hypothesis drives thousands of cuts), and one
long stream goes through the test AMI server over real TCP.
"""

from __future__ import annotations

import asyncio
import codecs
import itertools
import random
from typing import Any

from hypothesis import HealthCheck, example, given, settings, strategies as st
import pytest

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.ami_wire import (
    TRACKED_EVENTS,
    AmiEvent,
    LinkProtocol,
)

from .ami_server import AmiTestServer, encode
from .helpers import make_client

EOL = b"\r\n"
NAMES = sorted(TRACKED_EVENTS - {"Shutdown"})  # Shutdown drops the link
KEYS = [
    "Privilege",
    "Channel",
    "Uniqueid",
    "Linkedid",
    "Context",
    "Exten",
    "CallerIDNum",
    "CallerIDName",
    "DestChannel",
    "DestUniqueid",
    "DialStatus",
    "AccountCode",
    "Device",
    "State",
]

# Header values: any text without line breaks (Asterisk ends a line there),
# empty or with blanks at either end, multi-byte characters included.
values = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
    max_size=30,
)
events = st.builds(
    lambda name, headers: {"Event": name, **headers},
    st.sampled_from(NAMES),
    st.dictionaries(st.sampled_from(KEYS), values, max_size=8),
)
# Junk ends with a blank line, as every AMI message does; what it holds is
# arbitrary (it may even look like a message).
junk = st.binary(max_size=200).map(lambda b: b + EOL + EOL)
items = st.lists(st.one_of(events, junk), max_size=25)


class _Transport(asyncio.Transport):
    """Enough of a transport for the protocol to be fed by hand."""

    def write(self, data: Any) -> None:
        """Nothing is sent in these tests."""

    def close(self) -> None:
        """Nothing to close."""


def _stream(parts: list[dict[str, str] | bytes]) -> tuple[bytes, list[dict[str, str]]]:
    data = b"".join(p if isinstance(p, bytes) else encode(p) for p in parts)
    return data, [p for p in parts if isinstance(p, dict)]


def _is_subsequence(wanted: list[dict[str, str]], got: list[dict[str, str]]) -> bool:
    found = iter(got)
    return all(any(item == seen for seen in found) for item in wanted)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=items, cuts=st.lists(st.integers(min_value=0), max_size=40))
# Found by this test: a value that spells the header the parser looks for.
@example(parts=[{"Event": "BridgeEnter", "Privilege": "ActionID: "}], cuts=[])
def test_random_streams_cut_anywhere(
    parts: list[dict[str, str] | bytes], cuts: list[int]
) -> None:
    data, wanted = _stream(parts)
    received: list[AmiEvent] = []
    client = AmiClient(
        host="127.0.0.1", port=1, username="u", secret="s", on_event=received.append
    )
    protocol = LinkProtocol()
    protocol.client = client
    protocol.booted = asyncio.Event()
    protocol.decoder = codecs.getincrementaldecoder("utf-8")("replace")
    protocol.connection_made(_Transport())
    protocol.encoding = "utf-8"
    protocol.responses = {}
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    for start, end in itertools.pairwise(points):
        protocol.data_received(data[start:end])
    got = [dict(event.headers) for event in received]
    assert _is_subsequence(wanted, got), (wanted, got)


@pytest.fixture
def server(ami_server: AmiTestServer) -> AmiTestServer:
    """The shared AMI test server (conftest), by a shorter name."""
    return ami_server


async def test_random_stream_over_tcp(server: AmiTestServer) -> None:
    """One long random stream, written in random pieces to a live client."""
    rng = random.Random(11)  # noqa: S311 - a reproducible stream, not a secret
    parts: list[dict[str, str] | bytes] = []
    for number in range(2000):
        if rng.random() < 0.3:
            parts.append(rng.randbytes(rng.randrange(200)) + EOL + EOL)
        else:
            name = NAMES[number % len(NAMES)]
            keys = rng.sample(KEYS, rng.randrange(len(KEYS)))
            parts.append(
                {
                    "Event": name,
                    **{
                        k: "".join(
                            chr(rng.choice([rng.randrange(32, 127), 0xFC, 0x4E2D]))
                            for _ in range(rng.randrange(12))
                        )
                        for k in keys
                    },
                }
            )
    data, wanted = _stream(parts)
    received: list[AmiEvent] = []
    client = make_client(server, on_event=received.append)
    await client.connect()
    try:
        at = 0
        while at < len(data):
            size = rng.randrange(1, 300)
            server.push_raw(data[at : at + size])
            at += size
            if rng.random() < 0.05:
                await asyncio.sleep(0)
        await client.ping()  # replies come in order: every event was read
        assert client.connected
        got = [dict(e.headers) for e in received]
        assert _is_subsequence(wanted, got)
    finally:
        await client.close()
