"""Fixtures for the end-to-end tests: a real Asterisk, SIPp desk phones, HA.

One Asterisk per test session (``scripts/asterisk ensure`` + ``start`` into a
temporary run folder, on free loopback ports; stopped at the end). Each test
gets a clean PBX (no channels, no ``hotdesk`` AstDB tree), four freshly
registered SIPp desk phones (desk1..desk4, ringing), and a Home Assistant test
instance whose entry points at that Asterisk: desks PJSIP/desk1..4 with the
scanner devices ``scanner-1``..``scanner-4``, Alice (101, home desks 1 and 2,
tag ``tag-alice``) and Carol (102, home desk 4, tag ``tag-carol``).

The session fixture skips (with the reason printed) only when
``scripts/asterisk ensure`` exits 3: no Asterisk and not root. Any other
failure to get an Asterisk fails the tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
import os
from pathlib import Path
import random
import re
import shutil
import signal
import subprocess
import time
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.const import (
    CONF_HOST,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
    MATCH_ALL,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from custom_components.hotdesk_phone.ami import ActiveChannel, AmiClient
from custom_components.hotdesk_phone.const import (
    CONF_DIAL_STRING,
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_PEOPLE,
    CONF_SCANNERS,
    CONF_TAGS,
    CONTEXT_INBOUND,
    DOMAIN,
)
from custom_components.hotdesk_phone.hub import HotdeskHub

from .sip_phone import SipMessage, SipPhone

ROOT = Path(__file__).resolve().parents[2]
ASTERISK = ROOT / "scripts" / "asterisk"
LOOPBACK = "127.0.0.1"
AMI_USERNAME = "hotdesk"  # wide rights: the outside world (Originate, Hangup)
# Home Assistant's user: only the rights the integration uses, as the README's
# AMI user (tests/e2e/asterisk_conf/manager.conf has both).
AMI_HA_USERNAME = f"{AMI_USERNAME}-ha"
AMI_SECRET = "hotdesk-e2e"

DESKS = ("desk1", "desk2", "desk3", "desk4")
DESK_IDS = {name: f"E2E{name.upper()}" for name in DESKS}
D1, D2, D3, D4 = DESK_IDS.values()
ALICE = "E2EALICE"
CAROL = "E2ECAROL"
ENTRY_ID = "E2EENTRY"
EVENT_PREFIX = f"{DOMAIN}_"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything in this folder is an e2e test."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def _ports_in_use() -> set[int]:
    """Local ports of every TCP and UDP socket (Linux /proc/net)."""
    used: set[int] = set()
    for table in ("tcp", "tcp6", "udp", "udp6"):
        try:
            lines = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        used.update(int(line.split()[1].rsplit(":", 1)[1], 16) for line in lines)
    return used


def free_ports(count: int) -> list[int]:
    """Ports free for TCP and UDP right now (no socket: the session fixture
    runs before the HA plugin lets a test open sockets)."""
    used = _ports_in_use()
    candidates = [p for p in range(20000, 30000) if p not in used]
    return random.sample(candidates, count)


_ASTDB_LINE = re.compile(r"^/(?P<key>\S+)\s*: (?P<value>.*)$")


@dataclass
class Pbx:
    """One Asterisk run of scripts/asterisk (start, stop, CLI)."""

    run_dir: Path
    ami_port: int
    sip_port: int
    host: str = LOOPBACK
    username: str = AMI_USERNAME
    ha_username: str = AMI_HA_USERNAME
    secret: str = AMI_SECRET
    pid: int | None = None
    start_seconds: float | None = None  # how long the last `start` took
    starts: int = 0
    log: list[str] = field(default_factory=list)

    def _run(
        self, *args: str, timeout: float = 60.0
    ) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "AMI_PORT": str(self.ami_port),
            "SIP_PORT": str(self.sip_port),
            "AMI_SECRET": self.secret,
        }
        return subprocess.run(
            [str(ASTERISK), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self) -> None:
        """Start Asterisk (fresh configuration, empty AstDB); wait for AMI."""
        started = time.monotonic()
        result = self._run("start", str(self.run_dir), timeout=120)
        self.log.append(result.stderr)
        if result.returncode != 0:
            raise RuntimeError(
                f"scripts/asterisk start failed ({result.returncode}):\n"
                f"{result.stderr[-3000:]}"
            )
        values = dict(
            line.split("=", 1) for line in result.stdout.splitlines() if "=" in line
        )
        self.pid = int(values["ASTERISK_PID"])
        self.start_seconds = time.monotonic() - started
        self.starts += 1

    def stop(self) -> None:
        """Stop Asterisk (SIGTERM; clients get a Shutdown event)."""
        result = self._run("stop", str(self.run_dir))
        self.log.append(result.stderr)
        self.pid = None

    def kill_now(self) -> None:
        """Send SIGKILL to Asterisk and return at once (``kill`` waits)."""
        pid = self.pid
        if pid is None or not self.running:
            return
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
        if comm != "asterisk":  # never signal a recycled pid
            raise RuntimeError(f"pid {pid} is {comm!r}, not asterisk")
        os.kill(pid, signal.SIGKILL)

    def kill(self, timeout: float = 5.0) -> None:
        """SIGKILL Asterisk (no Shutdown event, channels lost), wait until gone.

        Then ``scripts/asterisk stop`` tidies the run (mounts, state file);
        ``start`` brings it back on the same ports with an empty AstDB.
        """
        if self.pid is None:
            return
        self.kill_now()
        deadline = time.monotonic() + timeout
        while self.running:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Asterisk {self.pid} survived SIGKILL")
            time.sleep(0.01)
        self.stop()

    @property
    def running(self) -> bool:
        """Whether this run's Asterisk process exists."""
        if self.pid is None:
            return False
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            return False
        return ") Z" not in stat and ") X" not in stat

    def cli(self, command: str) -> str:
        """Run an Asterisk CLI command in this run; its output."""
        result = self._run("cli", str(self.run_dir), command, timeout=30)
        if result.returncode != 0:
            raise RuntimeError(f"CLI {command!r} failed: {result.stderr[-2000:]}")
        return result.stdout

    def astdb(self, family: str = "hotdesk") -> dict[str, str]:
        """The AstDB tree below family, read back from Asterisk.

        Keys lose the family prefix: ``route/101``, ``deskof/PJSIP/desk1``.
        """
        tree: dict[str, str] = {}
        for line in self.cli(f"database show {family}").splitlines():
            match = _ASTDB_LINE.match(line)
            if match:
                key = match.group("key").removeprefix(f"{family}/")
                tree[key] = match.group("value").strip()
        return tree

    def channel_count(self) -> int:
        """Channels that exist now."""
        match = re.search(
            r"(\d+) active channels?", self.cli("core show channels count")
        )
        return int(match.group(1)) if match else 0

    def hangup_all(self, timeout: float = 5.0) -> None:
        """Hang up every channel and wait until none is left."""
        deadline = time.monotonic() + timeout
        while self.channel_count():
            self.cli("channel request hangup all")
            if time.monotonic() > deadline:
                raise RuntimeError("channels remain after hangup all")
            time.sleep(0.05)


@dataclass
class OverlayPbx(Pbx):
    """A Pbx whose configuration is the templates with a folder laid over them.

    ``scripts/asterisk start`` always writes tests/e2e/asterisk_conf (and the
    shipped dialplan); after each start the overlay's ``*.conf`` files, with
    ``@AMI_PORT@``, ``@SIP_PORT@``, ``@AMI_SECRET@`` and each ``@NAME@`` of
    ``placeholders`` filled in, replace or join them in the run's ``etc/``,
    and Asterisk reloads. ``ready`` is a CLI command and a text its output
    shows once the reload took effect.
    """

    overlay: Path | None = None
    ready: tuple[str, str] | None = None
    placeholders: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        """Start Asterisk, lay the overlay over its configuration, reload."""
        super().start()
        if self.overlay is not None:
            self.apply_overlay(self.overlay)

    def apply_overlay(self, folder: Path, timeout: float = 10.0) -> None:
        """Copy folder's *.conf into the run's etc/ and ``core reload``."""
        etc = self.run_dir / "etc"
        owner = etc.stat()
        for source in sorted(folder.glob("*.conf")):
            text = (
                source.read_text(encoding="utf-8")
                .replace("@AMI_PORT@", str(self.ami_port))
                .replace("@SIP_PORT@", str(self.sip_port))
                .replace("@AMI_SECRET@", self.secret)
            )
            for name, value in self.placeholders.items():
                text = text.replace(f"@{name}@", value)
            target = etc / source.name
            target.write_text(text, encoding="utf-8")
            os.chown(target, owner.st_uid, owner.st_gid)
        self.cli("core reload")
        if self.ready is None:
            return
        command, expected = self.ready
        deadline = time.monotonic() + timeout
        while expected not in self.cli(command):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command!r} never showed {expected!r}")
            time.sleep(0.05)


def start_on_free_ports(make: Callable[[int, int], Pbx], attempts: int = 3) -> Pbx:
    """make(ami_port, sip_port).start() on free ports; retried if one is taken."""
    error: Exception | None = None
    for _ in range(attempts):  # another process may take a "free" port meanwhile
        server = make(*free_ports(2))
        try:
            server.start()
        except RuntimeError as err:
            error = err
            server.stop()
        else:
            return server
    raise RuntimeError(f"Asterisk did not start: {error}")


def _say(config: pytest.Config, text: str) -> None:
    """Print a line on the terminal even while output is captured."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(text)


def ensure_asterisk(config: pytest.Config) -> None:
    """``scripts/asterisk ensure``; skip only where it cannot work (exit 3)."""
    ensure = subprocess.run(
        [str(ASTERISK), "ensure"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if ensure.returncode == 3:  # scripts/asterisk: cannot run here
        reason = "no real Asterisk here: " + (
            ensure.stderr.strip().splitlines() or ["scripts/asterisk ensure exit 3"]
        )[-1].removeprefix("scripts/asterisk: ")
        _say(config, f"\ne2e tests skipped: {reason}")
        pytest.skip(reason)
    if ensure.returncode != 0:
        pytest.fail(
            f"scripts/asterisk ensure failed ({ensure.returncode}):\n"
            f"{ensure.stderr[-3000:]}"
        )
    if shutil.which("sipp") is None:
        pytest.fail("sipp is missing (apt-get install sip-tester)")


@pytest.fixture(scope="session")
def pbx(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[Pbx]:
    """A real Asterisk for the whole session (skipped only where impossible)."""
    ensure_asterisk(pytestconfig)
    run_dir = tmp_path_factory.mktemp("asterisk")
    # Asterisk runs as its own user: it must be able to enter the run folder
    # (pytest makes temporary folders 0700).
    run_dir.chmod(0o755)
    error: Exception | None = None
    for _ in range(3):  # another process may take a "free" port meanwhile
        ami_port, sip_port = free_ports(2)
        server = Pbx(run_dir, ami_port=ami_port, sip_port=sip_port)
        try:
            server.start()
            break
        except RuntimeError as err:
            error = err
            server.stop()
    else:
        pytest.fail(f"Asterisk did not start: {error}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def clean_pbx(pbx: Pbx) -> Iterator[Pbx]:
    """The session's Asterisk, running, with no channels and no hotdesk tree."""
    if not pbx.running:  # a test that restarts it failed half-way
        pbx.stop()
        pbx.start()
    pbx.hangup_all()
    pbx.cli("database deltree hotdesk")
    yield pbx
    if pbx.running:
        pbx.hangup_all()


@pytest.fixture
def phones(clean_pbx: Pbx, tmp_path: Path) -> Iterator[dict[str, SipPhone]]:
    """Desk phones desk1..desk4, registered, ringing (180) on every INVITE."""
    started: dict[str, SipPhone] = {}
    try:
        for name in DESKS:
            phone = SipPhone(
                name, clean_pbx.sip_port, mode="ring", work_dir=tmp_path / name
            )
            started[name] = phone.start()
        yield started
    finally:
        for phone in started.values():
            phone.stop(unregister=clean_pbx.running)


def e2e_subentries() -> list[dict[str, Any]]:
    """Four desks with a scanner each; Alice 101 (desks 1+2), Carol 102 (desk 4)."""
    desks = [
        {
            "subentry_id": DESK_IDS[name],
            "subentry_type": "desk",
            "title": f"Desk {index}",
            "unique_id": None,
            "data": {
                CONF_NAME: f"Desk {index}",
                CONF_DIAL_STRING: f"PJSIP/{name}",
                CONF_SCANNERS: [f"scanner-{index}"],
            },
        }
        for index, name in enumerate(DESKS, 1)
    ]
    accounts = [
        (ALICE, "Alice", "101", [D1, D2], ["tag-alice"]),
        (CAROL, "Carol", "102", [D4], ["tag-carol"]),
    ]
    return [
        *desks,
        *(
            {
                "subentry_id": account_id,
                "subentry_type": "account",
                "title": name,
                "unique_id": None,
                "data": {
                    CONF_NAME: name,
                    CONF_EXTENSION: extension,
                    CONF_HOME_DESKS: home,
                    CONF_TAGS: tags,
                    # Who may act for it (test_real_pbx makes these persons).
                    CONF_PEOPLE: [f"person.{name.lower()}"],
                },
            }
            for account_id, name, extension, home, tags in accounts
        ),
    ]


@pytest.fixture
def pbx_entry(clean_pbx: Pbx) -> MockConfigEntry:
    """The integration's entry, pointing at the real Asterisk."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Asterisk {clean_pbx.host}",
        unique_id=f"{clean_pbx.host}:{clean_pbx.ami_port}",
        data={
            CONF_HOST: clean_pbx.host,
            CONF_PORT: clean_pbx.ami_port,
            CONF_USERNAME: clean_pbx.ha_username,
            CONF_PASSWORD: clean_pbx.secret,
        },
        subentries_data=e2e_subentries(),  # type: ignore[arg-type]
        entry_id=ENTRY_ID,
    )


@dataclass
class EventLog:
    """Every hotdesk_phone_* event on HA's bus, in order, with its time."""

    events: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)

    def types(self) -> list[str]:
        """Event types without the domain prefix, in order."""
        return [kind for _, kind, _ in self.events]

    def of(self, kind: str) -> list[dict[str, Any]]:
        """The data of every event of one type."""
        return [data for _, k, data in self.events if k == kind]

    def time_of(self, kind: str, index: int = 0) -> float:
        """Epoch time of an event of one type."""
        return [at for at, k, _ in self.events if k == kind][index]

    async def wait(
        self, kind: str, count: int = 1, timeout: float = 5.0
    ) -> dict[str, Any]:
        """Wait for count events of one type; the count-th one's data."""
        await until(
            lambda: len(self.of(kind)) >= count,
            timeout,
            f"{count} x {kind} (got {self.types()})",
        )
        return self.of(kind)[count - 1]


@pytest.fixture
async def hotdesk_events(hass: HomeAssistant) -> AsyncIterator[EventLog]:
    """Record the integration's events."""
    log = EventLog()

    @callback
    def record(event: Event) -> None:
        if event.event_type.startswith(EVENT_PREFIX):
            kind = event.event_type.removeprefix(EVENT_PREFIX)
            log.events.append((time.time(), kind, dict(event.data)))

    unsub = hass.bus.async_listen(MATCH_ALL, record)
    yield log
    unsub()


@pytest.fixture
async def hub(
    hass: HomeAssistant,
    pbx_entry: MockConfigEntry,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> HotdeskHub:
    """The integration set up against the real Asterisk, phones registered."""
    pbx_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(pbx_entry.entry_id)
    await hass.async_block_till_done()
    hub: HotdeskHub = pbx_entry.runtime_data.hub
    assert hub.connected
    # Tests restart the PBX: come back within a fraction of a second.
    hub.client.reconnect_min_delay = 0.05
    hub.client.reconnect_max_delay = 0.2
    return hub


@pytest.fixture
async def ami(clean_pbx: Pbx) -> AsyncIterator[AmiClient]:
    """A separate AMI connection that plays the outside world (Originate, Hangup)."""
    client = AmiClient(
        host=clean_pbx.host,
        port=clean_pbx.ami_port,
        username=clean_pbx.username,
        secret=clean_pbx.secret,
        reconnect_min_delay=0.05,
        reconnect_max_delay=0.2,
    )
    await client.connect()
    yield client
    await client.close()


async def until(
    predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition"
) -> float:
    """Poll predicate every 5 ms; the seconds it took (TimeoutError otherwise)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not predicate():
        if loop.time() - started > timeout:
            raise TimeoutError(f"no {what} within {timeout} s")
        await asyncio.sleep(0.005)
    return loop.time() - started


async def until_in_thread(
    hass: HomeAssistant,
    predicate: Callable[[], bool],
    timeout: float = 5.0,
    what: str = "condition",
) -> float:
    """``until`` for a blocking predicate (a CLI call): each poll runs in an
    executor thread, so the event loop is never held; the seconds it took."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not await hass.async_add_executor_job(predicate):
        if loop.time() - started > timeout:
            raise TimeoutError(f"no {what} within {timeout} s")
        await asyncio.sleep(0.01)
    return loop.time() - started


async def wait_sip(
    hass: HomeAssistant,
    phone: SipPhone,
    method: str,
    count: int = 1,
    timeout: float = 5.0,
) -> SipMessage:
    """phone.wait_for in an executor thread (it polls with time.sleep)."""
    return await hass.async_add_executor_job(phone.wait_for, method, count, timeout)


async def in_thread(hass: HomeAssistant, func: Callable[..., Any], *args: Any) -> Any:
    """Run a blocking helper (subprocess, SIPp) off the event loop."""
    return await hass.async_add_executor_job(func, *args)


async def call_extension(
    ami: AmiClient,
    extension: str,
    number: str = "5550100",
    name: str = "Bob Caller",
) -> float:
    """An outside call to an extension (AMI Originate); epoch time it was sent."""
    sent = time.time()
    await ami.originate(
        "Local/s@test-caller",
        CONTEXT_INBOUND,
        extension,
        caller_id=f'"{name}" <{number}>',
    )
    return sent


async def callers(ami: AmiClient) -> list[ActiveChannel]:
    """The outside callers of ``call_extension`` on a PBX: the ;1 halves of
    Local/s@test-caller, the channels a claim redirects."""
    return [
        c
        for c in await ami.active_channels()
        if c.channel.startswith("Local/s@test-caller") and c.channel.endswith(";1")
    ]


async def new_caller(
    ami: AmiClient, known: set[str] | None = None, timeout: float = 5.0
) -> str:
    """Wait for a caller channel not in known; its name (for a Redirect)."""
    known = known or set()
    loop = asyncio.get_running_loop()
    started = loop.time()
    while True:
        found = [c.channel for c in await callers(ami) if c.channel not in known]
        if found:
            return found[0]
        if loop.time() - started > timeout:
            raise TimeoutError(f"no new caller channel within {timeout} s")
        await asyncio.sleep(0.005)


# ---------------------------------------------------------------- two sites
#
# Two Asterisks on loopback joined by a PJSIP trunk (tests/e2e/test_cross_site.py).
# Each runs the usual test configuration (desk1..desk4, caller, test-caller,
# AMI users hotdesk and hotdesk-ha, the shipped dialplan) plus
# tests/e2e/site_conf/pjsip_site.conf: on site A the trunk endpoint ``site-b``,
# on site B ``site-a``, each with context hotdesk-site. Site A reaches a desk of
# site B as ``PJSIP/<desk id>@site-b`` (TRUNK_DIAL_A_TO_B), and the other way.

SITE_CONF = Path(__file__).parent / "site_conf"
SITE_A = "site-a"
SITE_B = "site-b"
TRUNK_TO_B = SITE_B  # the endpoint on site A whose calls go to site B
TRUNK_TO_A = SITE_A  # the endpoint on site B whose calls go to site A
TRUNK_DIAL_A_TO_B = f"PJSIP/{{desk}}@{TRUNK_TO_B}"
TRUNK_DIAL_B_TO_A = f"PJSIP/{{desk}}@{TRUNK_TO_A}"


@dataclass
class TwoSites:
    """Site A's and site B's Asterisk, each with its trunk to the other."""

    a: OverlayPbx
    b: OverlayPbx

    def site(self, name: str) -> OverlayPbx:
        """``"a"`` or ``"b"``."""
        return {"a": self.a, "b": self.b}[name]

    @property
    def both(self) -> tuple[OverlayPbx, OverlayPbx]:
        return (self.a, self.b)

    def stop(self) -> None:
        """Stop both (safe to call twice)."""
        for server in self.both:
            server.stop()


def _site_pbx(
    run_dir: Path, ami_port: int, sip_port: int, me: str, peer: str, peer_sip: int
) -> OverlayPbx:
    return OverlayPbx(
        run_dir,
        ami_port=ami_port,
        sip_port=sip_port,
        overlay=SITE_CONF,
        ready=("pjsip show endpoints", peer),
        placeholders={"PEER": peer, "SELF": me, "PEER_SIP_PORT": str(peer_sip)},
    )


def start_two_sites(run_a: Path, run_b: Path, attempts: int = 3) -> TwoSites:
    """Start site A and site B on four free loopback ports, trunks up."""
    error: Exception | None = None
    for _ in range(attempts):  # another process may take a "free" port meanwhile
        ami_a, sip_a, ami_b, sip_b = free_ports(4)
        sites = TwoSites(
            a=_site_pbx(run_a, ami_a, sip_a, SITE_A, TRUNK_TO_B, sip_b),
            b=_site_pbx(run_b, ami_b, sip_b, SITE_B, TRUNK_TO_A, sip_a),
        )
        try:
            sites.a.start()
            sites.b.start()
        except RuntimeError as err:
            error = err
            sites.stop()
        else:
            return sites
    raise RuntimeError(f"two sites did not start: {error}")


@pytest.fixture(scope="module")
def two_sites(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[TwoSites]:
    """Two Asterisks joined by a trunk, for a test module; stopped at its end."""
    ensure_asterisk(pytestconfig)
    run_a = tmp_path_factory.mktemp("site-a")
    run_b = tmp_path_factory.mktemp("site-b")
    for run_dir in (run_a, run_b):
        run_dir.chmod(0o755)  # Asterisk's own user must enter it
    sites = start_two_sites(run_a, run_b)
    try:
        yield sites
    finally:
        sites.stop()


@pytest.fixture
def clean_sites(two_sites: TwoSites) -> Iterator[TwoSites]:
    """Both sites running (a killed one is started again), no channels, no
    hotdesk AstDB tree."""
    for server in two_sites.both:
        if not server.running:
            server.stop()
            server.start()
        server.hangup_all()
        server.cli("database deltree hotdesk")
    yield two_sites
    for server in two_sites.both:
        if server.running:
            server.hangup_all()


class SitePhones:
    """SIPp desk phones registered at either site; all stopped at teardown.

    ``site_phones.start("b", "desk1", mode="answer", answer_after_ms=300)``
    registers a phone as endpoint desk1 of site B; in an async test use
    ``await site_phones.async_start(hass, "b", "desk1", ...)``.
    """

    def __init__(self, sites: TwoSites, work_dir: Path) -> None:
        self.sites = sites
        self.work_dir = work_dir
        self.started: list[tuple[OverlayPbx, SipPhone]] = []

    def start(self, site: str, name: str, **kwargs: Any) -> SipPhone:
        """A phone registered at site (``"a"``/``"b"``) as endpoint name."""
        server = self.sites.site(site)
        kwargs.setdefault("mode", "ring")
        phone = SipPhone(
            name,
            server.sip_port,
            work_dir=self.work_dir / f"{site}-{name}-{len(self.started)}",
            **kwargs,
        )
        self.started.append((server, phone))
        return phone.start()

    async def async_start(
        self, hass: HomeAssistant, site: str, name: str, **kwargs: Any
    ) -> SipPhone:
        """``start`` in an executor thread (SIPp's start and REGISTER block)."""
        phone: SipPhone = await hass.async_add_executor_job(
            lambda: self.start(site, name, **kwargs)
        )
        return phone

    def stop_all(self) -> None:
        for server, phone in self.started:
            phone.stop(unregister=server.running)


@pytest.fixture
def site_phones(clean_sites: TwoSites, tmp_path: Path) -> Iterator[SitePhones]:
    """Start phones at either site: ``site_phones.start("a", "desk1")``."""
    phones = SitePhones(clean_sites, tmp_path)
    try:
        yield phones
    finally:
        phones.stop_all()


@pytest.fixture
async def site_ami(clean_sites: TwoSites) -> AsyncIterator[dict[str, AmiClient]]:
    """The outside world's AMI connection (user hotdesk) to each site:
    ``site_ami["a"]``, ``site_ami["b"]``."""
    clients: dict[str, AmiClient] = {}
    try:
        for name in ("a", "b"):
            server = clean_sites.site(name)
            client = AmiClient(
                host=server.host,
                port=server.ami_port,
                username=server.username,
                secret=server.secret,
                reconnect_min_delay=0.05,
                reconnect_max_delay=0.2,
            )
            await client.connect()
            clients[name] = client
        yield clients
    finally:
        for client in clients.values():
            await client.close()


def site_entry(
    server: Pbx,
    entry_id: str,
    subentries: list[dict[str, Any]],
    title: str | None = None,
) -> MockConfigEntry:
    """An entry of the integration for one site's Asterisk (its HA AMI user)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title or f"Asterisk {server.host}:{server.ami_port}",
        unique_id=f"{server.host}:{server.ami_port}",
        data={
            CONF_HOST: server.host,
            CONF_PORT: server.ami_port,
            CONF_USERNAME: server.ha_username,
            CONF_PASSWORD: server.secret,
        },
        subentries_data=subentries,  # type: ignore[arg-type]
        entry_id=entry_id,
    )


def ms(seconds: float) -> str:
    """Seconds as milliseconds for the timing lines."""
    return f"{seconds * 1000:.1f} ms"


def report(text: str) -> None:
    """A timing line (shown with ``pytest -s``)."""
    print(f"[e2e timing] {text}")


def entity_state(hass: HomeAssistant, unique_id: str, domain: str = "sensor") -> Any:
    """The state of one of the integration's entities, by unique id."""
    entity_id = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    assert entity_id is not None, unique_id
    return hass.states.get(entity_id)
