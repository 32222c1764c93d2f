"""The floor of the claim benchmarks: a minimal AMI client on a raw socket.

It does the PBX work of a claim, a ``Redirect`` of the caller's channel into
``hotdesk-claim`` at the desk, with as little client work as there can be:
one TCP connection on asyncio's protocol layer (no streams, no parser, no
library), a login with ``Events: off`` (a client that only moves calls needs
no events, so none are sent to it or read by it), the actions written
pipelined in one ``write`` with their own ActionIDs, and each response
matched by its ActionID and time-stamped the moment its bytes are read, before
any task wakes up. The Asterisk, its channels and the Redirects are the
product's; only the client around them is stripped.

It runs in a process of its own (``FloorProcess`` starts it; pinned to the
measured clients' core), so that nothing else shares its event loop: in the
benchmark's process, Home Assistant's handling of the moved calls' events
would delay the reading of the floor's responses. The benchmark sends it the
moves as one JSON line on stdin; it answers with one JSON line: when the
Redirects were written and when each response was read (``perf_counter``
and ``time.time()`` of the write, so the benchmark can match SIPp's time
stamps).

    python bench/raw_ami.py HOST PORT USERNAME     # secret in AMI_SECRET

Standard library only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
import contextlib
import itertools
import json
import os
from pathlib import Path
import sys
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CLIENT_CPU, emit, pin

EOL = b"\r\n"
END = EOL + EOL
_ACTION_ID = b"ActionID: "
# Seconds for the connection, and for each response, before it is a failure.
REPLY_WITHIN = 10.0


class RawAmiError(Exception):
    """The PBX refused an action, did not answer in time, or the link ended."""


def _fields(block: bytes) -> dict[str, str]:
    """``Key: Value`` lines of one message (only for errors and the login)."""
    out: dict[str, str] = {}
    for line in block.split(EOL):
        key, sep, value = line.partition(b": ")
        if sep:
            out.setdefault(
                key.decode(errors="replace"), value.decode("utf-8", "replace")
            )
    return out


class RawAmi(asyncio.Protocol):
    """One AMI connection; responses found by ActionID, events never parsed."""

    def __init__(self) -> None:
        self._buffer = b""
        self._waiting: dict[bytes, asyncio.Future[tuple[float, bytes]]] = {}
        self._ids = itertools.count(1)
        self._transport: asyncio.Transport | None = None
        self._lost: Exception | None = None
        self.sent_wall = 0.0  # time.time() of the last send()

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        at = time.perf_counter()
        blocks = (self._buffer + data).split(END)
        self._buffer = blocks.pop()
        for block in blocks:
            # A response's ActionID header starts a line (the banner line
            # "Asterisk Call Manager/..." precedes the first response).
            start = block.find(EOL + _ACTION_ID)
            if start < 0:
                if not block.startswith(_ACTION_ID):
                    continue  # no ActionID: nothing of ours
                start = -len(EOL)
            start += len(EOL) + len(_ACTION_ID)
            end = block.find(EOL, start)
            future = self._waiting.pop(block[start : end if end >= 0 else None], None)
            if future is not None and not future.done():
                future.set_result((at, block))

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = exc or RawAmiError("the PBX closed the AMI connection")
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(RawAmiError(f"AMI link lost: {self._lost}"))
        self._waiting.clear()

    # The client

    @classmethod
    async def connect(cls, host: str, port: int, username: str, secret: str) -> RawAmi:
        """Connect and log in (events off); raise if the PBX refuses."""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(REPLY_WITHIN):
            _, client = await loop.create_connection(cls, host, port)
        # The login is not measured: a plain secret (the benchmarks' PBX
        # listens on loopback only).
        login = {
            "Action": "Login",
            "Username": username,
            "Secret": secret,
            "Events": "off",
        }
        _, (future,) = client.send([login])
        _, block = await client._wait(future, "Login")
        if b"Response: Success" not in block:
            client.close()
            raise RawAmiError(f"AMI login refused: {_fields(block)}")
        return client

    def send(
        self, actions: Iterable[Mapping[str, str]]
    ) -> tuple[float, list[asyncio.Future[tuple[float, bytes]]]]:
        """Write all actions at once, in one write; when, and their futures.

        Each future gets (perf_counter when its response was read, the
        response's bytes).
        """
        transport = self._transport
        if transport is None or self._lost is not None:
            raise RawAmiError(f"not connected ({self._lost})")
        loop = asyncio.get_running_loop()
        chunks: list[bytes] = []
        futures: list[asyncio.Future[tuple[float, bytes]]] = []
        for action in actions:
            action_id = b"floor-%d" % next(self._ids)
            lines = [f"{key}: {value}".encode() for key, value in action.items()]
            if any(b"\r" in line or b"\n" in line for line in lines):
                raise RawAmiError(f"line break in an action: {action}")
            chunks.append(EOL.join([*lines, _ACTION_ID + action_id]) + END)
            future: asyncio.Future[tuple[float, bytes]] = loop.create_future()
            self._waiting[action_id] = future
            futures.append(future)
        blob = b"".join(chunks)
        self.sent_wall = time.time()
        sent_at = time.perf_counter()
        transport.write(blob)
        return sent_at, futures

    async def _wait(
        self, future: asyncio.Future[tuple[float, bytes]], what: str
    ) -> tuple[float, bytes]:
        try:
            async with asyncio.timeout(REPLY_WITHIN):
                return await future
        except TimeoutError as err:
            raise RawAmiError(f"{what}: no response within {REPLY_WITHIN} s") from err

    async def redirect_many(
        self, moves: Iterable[tuple[str, str, str]]
    ) -> tuple[float, list[float]]:
        """Redirect each (channel, context, exten) at priority 1, pipelined.

        Returns when they were written and, per move, when its response was
        read (perf_counter). Raises unless every Redirect succeeded.
        """
        actions = [
            {
                "Action": "Redirect",
                "Channel": channel,
                "Context": context,
                "Exten": exten,
                "Priority": "1",
            }
            for channel, context, exten in moves
        ]
        sent_at, futures = self.send(actions)
        answered: list[float] = []
        failed: list[dict[str, str]] = []
        for future in futures:
            at, block = await self._wait(future, "Redirect")
            if b"Response: Success" not in block:
                failed.append(_fields(block))
            answered.append(at)
        if failed:
            raise RawAmiError(f"{len(failed)} Redirects refused: {failed[:3]}")
        return sent_at, answered

    def close(self) -> None:
        """End the connection (unanswered actions fail)."""
        if self._transport is not None:
            self._transport.close()


class FloorProcess:
    """The benchmark's side of a floor client in its own process."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    @classmethod
    async def start(
        cls, host: str, port: int, username: str, secret: str
    ) -> FloorProcess:
        """Start it; returns once it is logged in."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            host,
            str(port),
            username,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "AMI_SECRET": secret},
        )
        floor = cls(process)
        try:
            await floor._reply()
        except BaseException:
            await floor.close()
            raise
        return floor

    async def _reply(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        async with asyncio.timeout(REPLY_WITHIN + 20):
            line = await self._process.stdout.readline()
        if not line:
            raise RawAmiError(f"floor process ended ({await self._process.wait()})")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise RawAmiError(f"floor process: {reply['error']}")
        return reply

    async def redirect_many(
        self, moves: Iterable[tuple[str, str, str]]
    ) -> tuple[float, float, list[float]]:
        """As ``RawAmi.redirect_many``, in the floor's process.

        Returns (perf_counter of the write, its time.time(), per move the
        perf_counter when its response was read); perf_counter is the
        system's monotonic clock, the same in both processes.
        """
        assert self._process.stdin is not None
        request = {"moves": list(moves)}
        self._process.stdin.write(json.dumps(request).encode() + b"\n")
        await self._process.stdin.drain()
        reply = await self._reply()
        return reply["sent_at"], reply["sent_wall"], reply["answered"]

    async def close(self) -> None:
        """End the process (it closes its connection at the end of its input)."""
        process = self._process
        if process.stdin is not None and not process.stdin.is_closing():
            process.stdin.close()
        try:
            async with asyncio.timeout(5):
                await process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


async def _serve(host: str, port: int, username: str, secret: str) -> None:
    """Log in, then one JSON line of moves in -> one JSON line of times out."""
    try:
        client = await RawAmi.connect(host, port, username, secret)
    except (OSError, RawAmiError) as err:
        emit({"error": f"login: {err}"})
        return
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    emit({"ready": True})
    try:
        while line := await reader.readline():
            request = json.loads(line)
            moves = [tuple(m) for m in request["moves"]]
            try:
                sent_at, answered = await client.redirect_many(moves)
            except RawAmiError as err:
                emit({"error": str(err)})
                continue
            emit(
                {
                    "sent_at": sent_at,
                    "sent_wall": client.sent_wall,
                    "answered": answered,
                }
            )
    finally:
        client.close()


def main() -> None:
    host, port, username = sys.argv[1:4]
    pin(CLIENT_CPU)
    asyncio.run(_serve(host, int(port), username, os.environ["AMI_SECRET"]))


if __name__ == "__main__":
    main()
