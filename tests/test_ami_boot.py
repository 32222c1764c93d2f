"""The AMI client against a PBX that is shutting down or still booting.

Found with the real Asterisk (tests/e2e): while it shuts down it answers a
Login with "Asterisk is shutting down" (not a credentials problem), and
while it boots it accepts the Login before every action exists (a resync
then fails with "Invalid/unknown command"). The client waits for
FullyBooted after each login and starts over when a resync fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
import logging
from typing import Any

import pytest

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.ami_errors import AmiConnectionError

from .ami_server import AmiTestServer, Headers, _Session
from .helpers import make_client

FULLY_BOOTED = {"Event": "FullyBooted", "Privilege": "system,all", "Status": "Ok"}


@dataclass
class BootingServer(AmiTestServer):
    """A test AMI server that can refuse logins or be still booting."""

    booted: bool = True
    login_refusal: str | None = None
    missing_actions: frozenset[str] = frozenset()

    def _answer(self, session: _Session, action: Headers) -> bool:
        name = action.get("Action", "").lower()
        action_id = action.get("ActionID", "")
        if name == "login" and self.login_refusal is not None:
            session.send(
                {
                    "Response": "Error",
                    "ActionID": action_id,
                    "Message": self.login_refusal,
                }
            )
            return False
        if name == "login" and not self.booted:
            session.logged_in = True
            session.send(
                {
                    "Response": "Success",
                    "ActionID": action_id,
                    "Message": "Authentication accepted",
                }
            )
            self.logins += 1
            self._login_event.set()
            return True
        if name in self.missing_actions:
            session.send(
                {
                    "Response": "Error",
                    "ActionID": action_id,
                    "Message": f"Invalid/unknown command: {action['Action']}.",
                }
            )
            return True
        return super()._answer(session, action)

    def finish_boot(self) -> None:
        """Every action exists now; FullyBooted goes to logged-in clients."""
        self.booted = True
        self.missing_actions = frozenset()
        self.push_event(FULLY_BOOTED)


def client_for(server: AmiTestServer, **kwargs: Any) -> AmiClient:
    """Reconnects faster than the shared default: these tests restart often."""
    return make_client(
        server, **{"reconnect_min_delay": 0.02, "reconnect_max_delay": 0.05, **kwargs}
    )


@pytest.fixture
async def server() -> AsyncIterator[BootingServer]:
    srv = BootingServer()
    await srv.start()
    yield srv
    await srv.stop()


async def test_shutting_down_is_no_auth_failure(server: BootingServer) -> None:
    refused: list[bool] = []
    server.login_refusal = "Asterisk is shutting down"
    client = client_for(server, on_auth_failed=lambda: refused.append(True))
    with pytest.raises(AmiConnectionError, match="shutting down"):
        await client.connect()
    assert not client.auth_failed
    assert refused == []
    await client.close()


async def test_reconnect_while_shutting_down_never_asks_for_reauth(
    server: BootingServer,
) -> None:
    refused: list[bool] = []
    client = client_for(server, on_auth_failed=lambda: refused.append(True))
    await client.connect()
    server.login_refusal = "Asterisk is shutting down"
    server.drop_connections()
    async with asyncio.timeout(2):
        while len(server.actions_named("Login")) < 4:
            await asyncio.sleep(0.01)
    server.login_refusal = None
    async with asyncio.timeout(2):
        while not client.connected:
            await asyncio.sleep(0.01)
    assert refused == []
    await client.close()


async def test_connect_waits_for_fully_booted(server: BootingServer) -> None:
    server.booted = False
    server.missing_actions = frozenset({"devicestatelist"})
    resynced = asyncio.Event()

    async def on_connected() -> None:
        await client.device_states()
        resynced.set()

    client = client_for(server, on_connected=on_connected)
    connecting = asyncio.ensure_future(client.connect())
    await server.wait_for_login(1)
    await asyncio.sleep(0.05)
    assert not connecting.done()
    server.finish_boot()
    async with asyncio.timeout(2):
        await connecting
    assert resynced.is_set()
    await client.close()


async def test_no_fully_booted_goes_on_after_timeout(
    server: BootingServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.booted = False  # and it never says so (no read=system)
    client = client_for(server, boot_timeout=0.05)
    with caplog.at_level(logging.WARNING):
        await client.connect()
    assert client.connected
    assert "sent no FullyBooted" in caplog.text
    await client.close()


async def test_link_lost_while_waiting_for_boot(server: BootingServer) -> None:
    server.booted = False
    client = client_for(server, reconnect_min_delay=10)
    connecting = asyncio.ensure_future(client.connect())
    await server.wait_for_login(1)
    server.drop_connections()
    with pytest.raises(AmiConnectionError, match="during login"):
        async with asyncio.timeout(2):
            await connecting
    await client.close()


async def test_failed_resync_after_reconnect_is_retried(
    server: BootingServer,
) -> None:
    resyncs: list[bool] = []

    async def on_connected() -> None:
        try:
            await client.device_states()
        except Exception:
            resyncs.append(False)
            raise
        resyncs.append(True)

    client = client_for(server, on_connected=on_connected, boot_timeout=0.01)
    await client.connect()
    # The PBX restarts: it takes logins while a module is still loading.
    server.booted = False
    server.missing_actions = frozenset({"devicestatelist"})
    server.drop_connections()
    async with asyncio.timeout(2):
        while resyncs.count(False) < 2:
            await asyncio.sleep(0.01)
    server.finish_boot()
    async with asyncio.timeout(2):
        while not client.connected or resyncs[-1] is not True:
            await asyncio.sleep(0.01)
    assert resyncs[0] is True
    await client.ping()
    await client.close()
    assert not client._tasks
