"""Card readers at desk computers: HA's scan endpoint and the bridge program.

HA runs its real HTTP app on 127.0.0.1 (pytest-homeassistant-custom-component's
test server); the bridge posts to it with a real access token. "HA briefly
down" is a TCP forwarder in front of it that stops accepting connections; the
same forwarder terminates TLS with a certificate from a CA made in the test
("Home Assistant behind https with a private CA").
The last test runs the bridge program itself with a card on a vpcd reader.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import datetime as dt
import functools
import importlib.util
import ipaddress
import os
from pathlib import Path
import signal
import ssl
import subprocess
import sys
from types import ModuleType
from typing import Any

from aiohttp import ClientSession
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from custom_components.hotdesk_phone.const import (
    CONF_READERS,
    DEFAULT_SCAN_DEBOUNCE,
    DOMAIN,
)
from custom_components.hotdesk_phone.hub import HotdeskHub

from .ami_server import AmiTestServer
from .conftest import ALICE, CAROL, DESK_IDS, account_subentry, desk_subentry
from .helpers import (
    AFTER_REDIRECT,
    BEFORE_REDIRECT,
    hub_of,
    reader_device,
    redirect_then,
    retarget,
    wait_for,
)
from .pcsc_env import READERS, PcscEnvironment, VirtualCard

D1, D2, D3, D4 = DESK_IDS
ROOT = Path(__file__).resolve().parents[1]
BRIDGE = ROOT / "bridge" / "hotdesk_bridge.py"
# The bridge runs with the test venv's Python unless told otherwise (e.g. Debian's
# /usr/bin/python3 with python3-pyscard and python3-aiohttp).
BRIDGE_PYTHON = os.environ.get("HOTDESK_BRIDGE_PYTHON", sys.executable)
URL_PATH = "/api/hotdesk_phone/scan"
PC_2, PC_3 = "pc-desk-2", "pc-desk-3"


def _load_bridge() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hotdesk_bridge", BRIDGE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["hotdesk_bridge"] = module
    spec.loader.exec_module(module)
    return module


bridge_mod = _load_bridge()


async def start_bridge_program(log_path: Path, *args: str) -> subprocess.Popen[bytes]:
    """The bridge program with these arguments, its output going to log_path.

    It inherits the environment: PCSCLITE_CSOCK_NAME points at the test pcscd.
    """
    with log_path.open("w") as log:
        return await asyncio.get_running_loop().run_in_executor(
            None,
            functools.partial(
                subprocess.Popen,
                [BRIDGE_PYTHON, str(BRIDGE), *args],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ},
            ),
        )


async def stop_bridge_program(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the bridge stops cleanly), then SIGKILL after 10 s."""
    process.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        await asyncio.get_running_loop().run_in_executor(None, process.wait, 10)
    if process.poll() is None:
        process.kill()
        process.wait()


def desk_with_readers(index: int, readers: list[str]) -> dict[str, Any]:
    desk = desk_subentry(index)
    desk["data"][CONF_READERS] = readers
    return desk


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    """Bridge readers at desks 2 and 3; no PC/SC reader on the HA host."""
    return [
        desk_subentry(1),
        desk_with_readers(2, [PC_2]),
        desk_with_readers(3, [PC_3]),
        desk_subentry(4),
        account_subentry(ALICE, "Alice", "101", [1, 2], ["tag-alice", "04:A2:3B:C1"]),
        account_subentry(CAROL, "Carol", "102", [1, 4], ["tag-carol"]),
    ]


class Forwarder:
    """127.0.0.1:port -> HA's test server; ``down()`` refuses connections.

    With ``tls`` it speaks https to its clients (and plain http to HA).
    """

    def __init__(self, target_port: int, tls: ssl.SSLContext | None = None) -> None:
        self.target_port = target_port
        self.tls = tls
        self.port = 0
        self.server: asyncio.Server | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.writers: set[asyncio.StreamWriter] = set()
        self.connections = 0

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    async def up(self) -> None:
        self.server = await asyncio.start_server(
            self._handle, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self.server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        """Refuse new connections and cut the open ones (keep-alive too)."""
        server, self.server = self.server, None
        if server is not None:
            server.close()
        for writer in list(self.writers):
            writer.close()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if server is not None:
            await server.wait_closed()

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.connections += 1
        if self.tls is not None:
            # TLS here rather than in start_server: a client that rejects the
            # certificate (as some tests want) then ends only this handler.
            try:
                await writer.start_tls(self.tls)
            except (OSError, ssl.SSLError):
                writer.close()
                return
        up_reader, up_writer = await asyncio.open_connection(
            "127.0.0.1", self.target_port
        )
        self.writers |= {writer, up_writer}
        pipes = [
            asyncio.create_task(self._pipe(reader, up_writer)),
            asyncio.create_task(self._pipe(up_reader, writer)),
        ]
        self.tasks.update(pipes)
        await asyncio.gather(*pipes, return_exceptions=True)
        self.tasks.difference_update(pipes)

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            self.writers.discard(writer)


@pytest.fixture
async def client(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> Any:
    """An authenticated client of HA's HTTP app (served on 127.0.0.1)."""
    return await hass_client()


@pytest.fixture
async def forwarder(client: Any) -> AsyncIterator[Forwarder]:
    forward = Forwarder(client.server.port)
    await forward.up()
    yield forward
    await forward.down()


# The endpoint.


async def test_endpoint_refuses_without_token(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    anonymous = await hass_client_no_auth()
    response = await anonymous.post(URL_PATH, json={"reader": PC_3, "uid": "04A2"})
    assert response.status == 401
    response = await anonymous.post(
        URL_PATH,
        json={"reader": PC_3, "uid": "04A2"},
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert response.status == 401
    assert hub_of(init_integration).logins == {}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "must be JSON"),
        ([PC_3, "04A23BC1"], "both strings"),
        ({"reader": PC_3}, "both strings"),
        ({"reader": PC_3, "uid": 1234}, "both strings"),
        ({"reader": "  ", "uid": "04A23BC1"}, "reader id is empty"),
        ({"reader": "pc\x07", "uid": "04A23BC1"}, "control characters"),
        ({"reader": PC_3, "uid": "tag\nx"}, "line break"),
        ({"reader": PC_3, "uid": "   "}, "uid is empty"),
    ],
)
async def test_endpoint_refuses_malformed_bodies(
    hass: HomeAssistant, client: Any, body: Any, message: str
) -> None:
    kwargs = {"data": body} if isinstance(body, str) else {"json": body}
    response = await client.post(URL_PATH, **kwargs)
    assert response.status == 400
    assert message in (await response.json())["message"]


async def test_endpoint_unknown_reader(hass: HomeAssistant, client: Any) -> None:
    scans = async_capture_events(hass, "tag_scanned")
    response = await client.post(URL_PATH, json={"reader": "pc-x", "uid": "04A23BC1"})
    assert response.status == 404
    message = (await response.json())["message"]
    assert message.startswith("Unknown reader 'pc-x'")
    assert "desk phone" in message
    assert scans == []


async def test_endpoint_scan_logs_in(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: Any
) -> None:
    scans = async_capture_events(hass, "tag_scanned")
    logins = async_capture_events(hass, "hotdesk_phone_login")
    response = await client.post(
        URL_PATH, json={"reader": f" {PC_3} ", "uid": "04:a2:3b:c1"}
    )
    assert response.status == 200
    assert await response.json() == {
        "reader": PC_3,
        "desk_id": D3,
        "desk": "Desk 3",
    }
    await hass.async_block_till_done()
    device_id = reader_device(hass, init_integration, PC_3)
    assert [(e.data["tag_id"], e.data["device_id"]) for e in scans] == [
        ("04A23BC1", device_id)
    ]
    assert [(e.data["account_id"], e.data["desk_id"]) for e in logins] == [(ALICE, D3)]
    device = dr.async_get(hass).async_get(device_id)
    assert device is not None
    assert device.model == "Card reader"
    # No PC/SC reader configured: no monitor on the HA host.
    assert init_integration.runtime_data.pcsc is None


async def test_endpoint_scan_claims_ringing_call(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    client: Any,
) -> None:
    claimed = async_capture_events(hass, "hotdesk_phone_call_claimed")
    ami_server.handlers["redirect"] = redirect_then(retarget(AFTER_REDIRECT, "desk3"))
    ami_server.push_events(BEFORE_REDIRECT)
    await hub_of(init_integration).client.ping()
    await hass.async_block_till_done()
    response = await client.post(URL_PATH, json={"reader": PC_3, "uid": "04A23BC1"})
    assert response.status == 200
    await wait_for(hass, lambda: claimed)
    assert [r["Exten"] for r in ami_server.actions_named("Redirect")] == [D3]
    assert claimed[0].data["via"] == "bridge"
    assert claimed[0].data["desk_id"] == D3


async def test_endpoint_entry_not_running_is_503(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: Any
) -> None:
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    response = await client.post(URL_PATH, json={"reader": PC_3, "uid": "04A23BC1"})
    assert response.status == 503
    assert "not running" in (await response.json())["message"]
    response = await client.post(URL_PATH, json={"reader": "pc-x", "uid": "04A23BC1"})
    assert response.status == 404


# The bridge program's core against that endpoint.


async def test_bridge_outcomes(
    hass: HomeAssistant,
    client: Any,
    forwarder: Forwarder,
    hass_access_token: str,
) -> None:
    good = bridge_mod.Bridge(forwarder.url, hass_access_token, PC_2)
    unknown = bridge_mod.Bridge(forwarder.url, hass_access_token, "pc-x")
    bad_token = bridge_mod.Bridge(forwarder.url, "not-a-token", PC_2)
    outcome = bridge_mod.Outcome
    async with ClientSession() as session:
        assert (
            await good.post(session, bridge_mod.Scan("04A23BC1")) is outcome.DELIVERED
        )
        assert await unknown.post(session, bridge_mod.Scan("04A23BC1")) is (
            outcome.REFUSED
        )
        assert unknown.last_error.startswith("HTTP 404: Unknown reader")
        assert await good.post(session, bridge_mod.Scan("x\ny")) is outcome.REFUSED
        assert good.last_error.startswith("HTTP 400")
        assert await bad_token.post(session, bridge_mod.Scan("04A23BC1")) is (
            outcome.AUTH
        )
        await forwarder.down()
        assert await good.post(session, bridge_mod.Scan("04A23BC1")) is outcome.RETRY
        assert "ClientConnectorError" in good.last_error
    await hass.async_block_till_done()
    assert hub_of_client(hass).logins == {D2: ALICE}


def hub_of_client(hass: HomeAssistant) -> HotdeskHub:
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    return entry.runtime_data.hub  # type: ignore[no-any-return]


async def test_bridge_keeps_scans_while_ha_is_down(
    hass: HomeAssistant,
    client: Any,
    forwarder: Forwarder,
    hass_access_token: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    logins = async_capture_events(hass, "hotdesk_phone_login")
    bridge = bridge_mod.Bridge(
        forwarder.url, hass_access_token, PC_3, retry_min=0.05, retry_max=0.2
    )
    runner = asyncio.create_task(bridge.run())
    try:
        await forwarder.down()
        bridge.submit("04A23BC1", "ACS ACR122U 00 00")  # Alice at desk 3
        bridge.submit("tag-carol")  # Carol too, later
        await wait_for(hass, lambda: "Home Assistant unreachable" in caplog.text)
        await asyncio.sleep(0.5)  # several retries
        assert len(bridge.queue) == 2
        assert caplog.text.count("Home Assistant unreachable") == 1
        await forwarder.up()
        await wait_for(hass, lambda: len(logins) == 2)
        assert [e.data["account_id"] for e in logins] == [ALICE, CAROL]
        assert [e.data["desk_id"] for e in logins] == [D3, D3]
        assert "Home Assistant reachable again" in caplog.text
        assert [s.uid for s in bridge.delivered] == ["04A23BC1", "tag-carol"]
        assert not bridge.queue
    finally:
        bridge.stop()
        assert await runner == bridge_mod.EXIT_OK


async def test_bridge_drops_old_and_overflowing_scans(
    hass: HomeAssistant,
    client: Any,
    forwarder: Forwarder,
    hass_access_token: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bridge = bridge_mod.Bridge(
        forwarder.url, hass_access_token, PC_3, queue_size=3, max_age=0.3
    )
    for uid in ("04A20001", "04A20002", "04A20003", "04A20004"):
        bridge.submit(uid)
    assert [s.uid for s in bridge.queue] == ["04A20002", "04A20003", "04A20004"]
    assert "dropping the oldest, card ending 0001" in caplog.text
    await asyncio.sleep(0.4)
    bridge.submit("tag-carol")  # drops 02; 03 and 04 are too old by now
    runner = asyncio.create_task(bridge.run())
    try:
        await wait_for(hass, lambda: bridge.delivered)
    finally:
        bridge.stop()
        await runner
    assert [s.uid for s in bridge.delivered] == ["tag-carol"]
    assert caplog.text.count("not delivered within") == 2


async def test_bridge_retry_of_a_tap_applies_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: Any,
    forwarder: Forwarder,
    hass_access_token: str,
) -> None:
    """A post repeated (its answer lost) carries the same scan id: one tap."""
    logins = async_capture_events(hass, "hotdesk_phone_login")
    logouts = async_capture_events(hass, "hotdesk_phone_logout")
    bridge = bridge_mod.Bridge(forwarder.url, hass_access_token, PC_3)
    tap = bridge_mod.Scan("04A23BC1")
    async with ClientSession() as session:
        assert await bridge.post(session, tap) is bridge_mod.Outcome.DELIVERED
        await hass.async_block_till_done()
        assert hub_of(init_integration).logins == {D3: ALICE}
        # Past HA's double-tap window, so only the scan id can tell.
        await asyncio.sleep(DEFAULT_SCAN_DEBOUNCE + 0.1)
        assert await bridge.post(session, tap) is bridge_mod.Outcome.DELIVERED
        await hass.async_block_till_done()
        assert hub_of(init_integration).logins == {D3: ALICE}
        assert logouts == []
        # A new tap of the same card (its own id) counts: logout.
        again = bridge_mod.Scan("04A23BC1")
        assert again.scan_id != tap.scan_id
        assert await bridge.post(session, again) is bridge_mod.Outcome.DELIVERED
        await hass.async_block_till_done()
    assert len(logins) == 1
    assert len(logouts) == 1


async def test_bridge_stops_on_refused_token(
    hass: HomeAssistant, client: Any, forwarder: Forwarder
) -> None:
    bridge = bridge_mod.Bridge(forwarder.url, "not-a-token", PC_3)
    bridge.submit("04A23BC1")
    assert await bridge.run() == bridge_mod.EXIT_AUTH
    assert len(bridge.queue) == 1  # kept for the log; nothing got through


async def test_bridge_retries_while_entry_not_running(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: Any,
    forwarder: Forwarder,
    hass_access_token: str,
) -> None:
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    bridge = bridge_mod.Bridge(
        forwarder.url, hass_access_token, PC_3, retry_min=0.05, retry_max=0.1
    )
    bridge.submit("04A23BC1")
    runner = asyncio.create_task(bridge.run())
    try:
        await wait_for(hass, lambda: "HTTP 503" in bridge.last_error)
        assert bridge.queue
        assert await hass.config_entries.async_setup(init_integration.entry_id)
        await wait_for(hass, lambda: bridge.delivered)
        assert hub_of(init_integration).logins == {D3: ALICE}
    finally:
        bridge.stop()
        await runner


# The bridge program as users run it.


def run_bridge(
    *args: str, token: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The program; ``token`` goes into HOTDESK_TOKEN (never the test's own)."""
    env = {k: v for k, v in os.environ.items() if k != bridge_mod.TOKEN_ENV}
    if token is not None:
        env[bridge_mod.TOKEN_ENV] = token
    return subprocess.run(
        [BRIDGE_PYTHON, str(BRIDGE), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env=env,
    )


async def run_bridge_async(
    *args: str, token: str | None = None
) -> subprocess.CompletedProcess[str]:
    """run_bridge off the event loop (HA's test server answers on it)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        None, functools.partial(run_bridge, *args, token=token)
    )


@pytest.fixture
def token_file(
    hass_access_token: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Path:
    """A long-lived access token in a file, as users keep it (mode 600 unless
    parametrized)."""
    path = tmp_path / "token"
    path.write_text(hass_access_token + "\n")
    path.chmod(getattr(request, "param", 0o600))
    return path


async def test_bridge_send_command(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    forwarder: Forwarder,
    token_file: Path,
) -> None:
    common = ["--url", forwarder.url, "--token-file", str(token_file)]
    loop = asyncio.get_running_loop()

    async def run(*args: str) -> subprocess.CompletedProcess[str]:
        return await loop.run_in_executor(None, run_bridge, *args)

    done = await run(*common, "--reader-id", PC_2, "--send", "04 A2 3B C1")
    assert done.returncode == 0, done.stderr
    assert "delivered, card ending 3BC1: HTTP 200" in done.stderr
    await hass.async_block_till_done()
    assert hub_of(init_integration).logins == {D2: ALICE}
    done = await run(*common, "--reader-id", "pc-x", "--send", "04A23BC1")
    assert done.returncode == 1
    assert "Unknown reader 'pc-x'" in done.stderr
    done = await run_bridge_async(
        "--url", forwarder.url, "--reader-id", PC_2, "--send", "01", token="nope"
    )
    assert done.returncode == 3
    assert "auth, card ending 1: HTTP 401" in done.stderr
    await forwarder.down()
    done = await run(*common, "--reader-id", PC_2, "--send", "04A23BC1")
    assert done.returncode == 2
    done = await run("--url", forwarder.url, "--reader-id", PC_2, "--send", "01")
    assert done.returncode == 3
    assert "No access token" in done.stderr


async def test_bridge_program_with_card_reader(
    hass: HomeAssistant,
    pcscd: PcscEnvironment,
    forwarder: Forwarder,
    token_file: Path,
    tmp_path: Path,
) -> None:
    """A tap at a desk PC's reader while HA is briefly unreachable, then after."""
    logins = async_capture_events(hass, "hotdesk_phone_login")
    logouts = async_capture_events(hass, "hotdesk_phone_logout")
    log_path = tmp_path / "bridge.log"
    await forwarder.down()
    process = await start_bridge_program(
        log_path,
        "--url",
        forwarder.url,
        "--token-file",
        str(token_file),
        "--reader-id",
        PC_3,
        "--reader",
        READERS[0],
        "--retry-max",
        "1",
    )
    card = VirtualCard(pcscd, "04A23BC1", slot=0)
    try:

        def log_has(text: str) -> bool:
            return text in log_path.read_text()

        await wait_for(hass, lambda: log_has("Watching readers: Virtual PCD 00 00"))
        await asyncio.sleep(0.3)  # the bridge takes its first look
        await card.present()
        await wait_for(hass, lambda: log_has("Home Assistant unreachable"))
        assert logins == []
        await forwarder.up()
        await wait_for(hass, lambda: logins)
        assert logins[0].data["account_id"] == ALICE
        assert logins[0].data["desk_id"] == D3
        await wait_for(hass, lambda: log_has("Home Assistant reachable again"))
        # Taken away and tapped again: logout.
        await card.remove()
        await wait_for(hass, lambda: not pcscd.card_present(READERS[0]))
        # Past the double-tap window: a new tap, not the same one again.
        await asyncio.sleep(DEFAULT_SCAN_DEBOUNCE + 0.1)
        await card.present()
        await wait_for(hass, lambda: logouts)
        assert log_path.read_text().count("Card ending 3BC1 on Virtual PCD") == 2
        assert "04A23BC1" not in log_path.read_text()  # only its last 2 bytes
    finally:
        await card.remove()
        await stop_bridge_program(process)
    assert process.returncode == 0, log_path.read_text()


# Least privilege and privacy: where the token comes from, what the log shows,
# https with a private CA.


@pytest.mark.parametrize("token_file", [0o600, 0o400], indirect=True)
async def test_bridge_token_from_file_or_environment(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    forwarder: Forwarder,
    token_file: Path,
    hass_access_token: str,
) -> None:
    url = ["--url", forwarder.url, "--send", "04A23BC1"]
    done = await run_bridge_async(
        *url, "--reader-id", PC_2, "--token-file", str(token_file)
    )
    assert done.returncode == 0, done.stderr
    await hass.async_block_till_done()
    assert hub_of(init_integration).logins == {D2: ALICE}
    # From the environment, with no file at all.
    done = await run_bridge_async(*url, "--reader-id", PC_3, token=hass_access_token)
    assert done.returncode == 0, done.stderr
    await hass.async_block_till_done()
    assert hub_of(init_integration).logins[D3] == ALICE
    # The file wins over the environment.
    done = await run_bridge_async(
        *url, "--reader-id", PC_2, "--token-file", str(token_file), token="nope"
    )
    assert done.returncode == 0, done.stderr
    assert hass_access_token not in done.stderr


OPEN_MODES = [0o644, 0o640, 0o604, 0o620, 0o602, 0o660]


@pytest.mark.parametrize(
    ("token_file", "mode"), [(m, m) for m in OPEN_MODES], indirect=["token_file"]
)
async def test_bridge_refuses_token_file_others_can_use(
    hass: HomeAssistant,
    forwarder: Forwarder,
    token_file: Path,
    hass_access_token: str,
    mode: int,
) -> None:
    done = await run_bridge_async(
        "--url",
        forwarder.url,
        "--token-file",
        str(token_file),
        "--reader-id",
        PC_2,
        "--send",
        "04A23BC1",
    )
    assert done.returncode == 3
    assert f"Permissions {mode:04o} for {token_file} are too open" in done.stderr
    assert f"chmod 600 {token_file}" in done.stderr
    assert hass_access_token not in done.stderr
    assert forwarder.connections == 0  # nothing was sent


async def test_bridge_refuses_token_on_command_line(
    hass: HomeAssistant, forwarder: Forwarder, hass_access_token: str
) -> None:
    for spelling in (["--token", hass_access_token], [f"--token={hass_access_token}"]):
        done = await run_bridge_async(
            "--url", forwarder.url, *spelling, "--reader-id", PC_2, "--send", "01"
        )
        assert done.returncode == 3
        assert "--token is not accepted" in done.stderr
        assert "--token-file" in done.stderr
        assert "HOTDESK_TOKEN" in done.stderr
        assert hass_access_token not in done.stderr + done.stdout
    assert forwarder.connections == 0


async def test_bridge_token_file_missing_or_empty(
    hass: HomeAssistant, forwarder: Forwarder, tmp_path: Path
) -> None:
    common = ["--url", forwarder.url, "--reader-id", PC_2, "--send", "01"]
    done = await run_bridge_async(*common, "--token-file", str(tmp_path / "none"))
    assert done.returncode == 3
    assert "Cannot read the token file" in done.stderr
    empty = tmp_path / "empty"
    empty.write_text("\n")
    empty.chmod(0o600)
    done = await run_bridge_async(*common, "--token-file", str(empty))
    assert done.returncode == 3
    assert "is empty" in done.stderr
    assert forwarder.connections == 0


UID_SPELLINGS = ("04A23BC1", "04:A2:3B:C1", "04 A2 3B C1", "04a23bc1", "04:a2:3b:c1")


def assert_no_full_uid(text: str) -> None:
    for spelling in UID_SPELLINGS:
        assert spelling not in text


async def test_bridge_program_logs_no_full_uid(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    forwarder: Forwarder,
    token_file: Path,
) -> None:
    """What the program prints while it posts a scan (debug on) names the card
    by its last 2 bytes only; HA's answer (which repeats the UID) included."""
    common = ["--url", forwarder.url, "--token-file", str(token_file), "-v"]
    done = await run_bridge_async(*common, "--reader-id", PC_2, "--send", "04:a2:3b:c1")
    assert done.returncode == 0, done.stderr
    await hass.async_block_till_done()
    assert hub_of(init_integration).logins == {D2: ALICE}  # the UID arrived whole
    assert "delivered, card ending 3BC1: HTTP 200: desk Desk 2" in done.stderr
    assert_no_full_uid(done.stderr + done.stdout)
    done = await run_bridge_async(*common, "--reader-id", "pc-x", "--send", "04A23BC1")
    assert done.returncode == 1
    assert "refused, card ending 3BC1: HTTP 404" in done.stderr
    assert_no_full_uid(done.stderr + done.stdout)


async def test_bridge_run_logs_no_full_uid(
    hass: HomeAssistant,
    client: Any,
    forwarder: Forwarder,
    hass_access_token: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every log line of the delivery loop: queued, dropped (full, too old),
    unreachable, delivered."""
    caplog.set_level("DEBUG", logger="hotdesk_bridge")
    logins = async_capture_events(hass, "hotdesk_phone_login")
    bridge = bridge_mod.Bridge(
        forwarder.url,
        hass_access_token,
        PC_3,
        queue_size=2,
        max_age=1.0,
        retry_min=0.05,
        retry_max=0.1,
    )
    await forwarder.down()
    bridge.submit("11223344")
    bridge.submit("55667788")
    bridge.submit("99AABBCC")  # the queue is full: 11223344 goes
    await asyncio.sleep(1.1)  # 99AABBCC will be too old to send
    bridge.submit("04:A2:3B:C1", "ACS ACR122U 00 00")  # and 55667788 goes
    runner = asyncio.create_task(bridge.run())
    try:
        await wait_for(hass, lambda: "Home Assistant unreachable" in caplog.text)
        await forwarder.up()
        await wait_for(hass, lambda: logins)
    finally:
        bridge.stop()
        await runner
    assert [s.uid for s in bridge.delivered] == ["04:A2:3B:C1"]
    # The bridge's own lines (HA's tag component, in this process too, may log ids).
    text = "\n".join(
        r.getMessage() for r in caplog.records if r.name == "hotdesk_bridge"
    )
    assert "Card ending 3BC1 on ACS ACR122U 00 00 queued" in text
    assert "dropping the oldest, card ending 3344" in text
    assert "dropping the oldest, card ending 7788" in text
    assert "Dropping card ending BBCC: not delivered within" in text
    assert "Card ending 3BC1 delivered" in text
    assert_no_full_uid(text)
    for uid in ("11223344", "55667788", "99AABBCC"):
        assert uid not in text


def test_uid_label() -> None:
    label = bridge_mod.uid_label
    assert label("04:a2:3b:c1") == label("04A23BC1") == "card ending 3BC1"
    assert label("04 A2 3B C1 5D 80 11") == "card ending 8011"  # 7-byte UIDs too
    assert label("04A2") == "card ending A2"  # never more than half
    assert label("1") == "card"
    assert label("tag-carol") == "card ending arol"


def private_ca(directory: Path, name: str) -> tuple[Path, ssl.SSLContext]:
    """A CA of our own (its PEM file) and a server context whose certificate for
    127.0.0.1 that CA signed, as an office's private CA would issue it."""
    now = dt.datetime.now(dt.UTC)
    valid = {
        "not_valid_before": now - dt.timedelta(minutes=5),
        "not_valid_after": now + dt.timedelta(days=1),
    }
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} test CA")])
    ca_cert = (
        x509.CertificateBuilder(**valid)
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder(**valid)
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path = directory / f"{name}-ca.pem"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path = directory / f"{name}-server.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path = directory / f"{name}-server.key"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    return ca_path, server


async def test_bridge_https_with_private_ca(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: Any,
    token_file: Path,
    tmp_path: Path,
) -> None:
    """HA behind https with a certificate from the office's own CA."""
    ca_file, server_tls = private_ca(tmp_path, "office")
    other_ca, _ = private_ca(tmp_path, "other")
    https = Forwarder(client.server.port, tls=server_tls)
    await https.up()
    try:
        assert https.url.startswith("https://127.0.0.1:")
        common = ["--url", https.url, "--token-file", str(token_file)]
        common += ["--reader-id", PC_2, "--send", "04A23BC1"]
        # Default verification (the system's CAs): the private CA is unknown.
        done = await run_bridge_async(*common)
        assert done.returncode == 2
        assert "certificate not trusted" in done.stderr
        assert "--ca-file" in done.stderr
        # Another CA than the one that signed: still refused.
        done = await run_bridge_async(*common, "--ca-file", str(other_ca))
        assert done.returncode == 2
        assert "certificate not trusted" in done.stderr
        assert hub_of(init_integration).logins == {}
        # The right CA: delivered.
        done = await run_bridge_async(*common, "--ca-file", str(ca_file))
        assert done.returncode == 0, done.stderr
        assert "delivered, card ending 3BC1: HTTP 200" in done.stderr
        await hass.async_block_till_done()
        assert hub_of(init_integration).logins == {D2: ALICE}
        # A CA file that is not there: a set-up error, nothing sent.
        connections = https.connections
        done = await run_bridge_async(*common, "--ca-file", str(tmp_path / "no.pem"))
        assert done.returncode == 4
        assert "Cannot use the CA file" in done.stderr
        assert https.connections == connections
    finally:
        await https.down()
