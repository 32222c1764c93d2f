"""The newest Home Assistant as a real process: the driver of its CI step.

``scripts/test-newest-ha-process`` runs these commands (read it first):

``prepare CONFIG_DIR --port N`` (in the root, the newest HA's venv)
    A fresh HA configuration: configuration.yaml (HTTP on 127.0.0.1:N only,
    recorder, logbook, diagnostics), the integration *copied* into
    ``custom_components/`` as a manual install does, and onboarding's location
    and analytics steps marked done (``scripts/demo.py``'s
    ``skip_core_config_step``), so only the user step is left.

``phones RUN_DIR --sip-port N`` (on the host: SIPp is there)
    SIPp desk phones registered at the e2e Asterisk (``tests/e2e/sip_phone.py``):
    desk1 and desk2 ring until the call ends, desk3 answers after 1 s. Writes
    ``RUN_DIR/phones/pids`` once all are registered; stops them on SIGTERM.

``drive URL RUN_DIR --ami-port N --ami-secret S [--ha-pid P]`` (in the root)
    Against the running HA and Asterisk, each step checked before the next:
    onboard a user through the onboarding REST API (``scripts/demo.py``'s
    ``onboard``) and make a long-lived token on the websocket API; add the PBX
    with the REST config flow (``hotdesk_phone``, the plain loopback link, the
    README's limited AMI user); add three desks (desk3 with a bridge card
    reader) and an account (101, home desks 1 + 2, tag ``tag-alice``) with the
    REST subentry flows; place a call to 101 (AMI Originate of
    ``Local/s@test-caller`` into ``hotdesk-inbound``); wait until desk1 and
    desk2 ring (SIP INVITEs at the phones, channels ringing in Asterisk); post
    the scan as the bridge does (``POST /api/hotdesk_phone/scan`` with the
    long-lived token, reader of desk3, tag-alice); check that
    ``hotdesk_phone_call_claimed`` (desk3, via bridge, our user) arrives on
    the websocket, that desk3 gets the INVITE and that Asterisk bridges the
    caller with desk3 (``call_answered`` there); hang up and wait for
    ``hotdesk_phone_call_ended``; fetch the entry's diagnostics. Writes
    ``RUN_DIR/report.json``.

``check-log LOG...`` (anywhere)
    Exit 1 when a log names this integration (its name, logger or files) in
    an ERROR or CRITICAL record, in any record with a traceback, or in a
    WARNING or stray stderr line about a deprecation (``deprecat``, ``will
    stop working``, ``Detected ...``, Python's DeprecationWarning and
    friends). Prints every WARNING and ERROR record for the report.

``check-listen PID`` (on the host)
    Exit 1 unless the process's TCP listeners are all on loopback, and its
    UDP sockets too unless its network namespace has no interface but lo.

``loopback-up``
    Bring ``lo`` up in a new network namespace where iproute2 is missing.

Everything talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
import contextlib
import json
import os
from pathlib import Path
import re
import secrets
import shutil
import signal
import sys
import threading
import time
import traceback
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = "hotdesk_phone"
AMI_HA_USER = "hotdesk-ha"  # the README's AMI user: only the rights it needs
AMI_WORLD_USER = "hotdesk"  # the outside world: Originate, Hangup
PHONES = {"desk1": ("ring", 0), "desk2": ("ring", 0), "desk3": ("answer", 1000)}
READER = "ci-reader-desk3"
TAG = "tag-alice"
EXTENSION = "101"
CALLER = ("Bob Caller", "5550100")
STEP_TIMEOUT = 30.0


# ------------------------------------------------------------------ prepare

CONFIGURATION = """\
# Written by scripts/ha_process.py prepare: HA 2026.11's real process for CI.
homeassistant:
  name: Hot-desk CI
  time_zone: UTC
  unit_system: metric
  country: DE
  currency: EUR
  language: en

http:
  server_host: 127.0.0.1
  server_port: {port}

recorder:
  commit_interval: 1
logbook:
diagnostics:

logger:
  default: warning
  logs:
    custom_components.{domain}: debug
    homeassistant.setup: info
    homeassistant.loader: info
"""


def cmd_prepare(args: argparse.Namespace) -> None:
    import demo  # noqa: PLC0415  # scripts/demo.py, beside this file

    config = Path(args.config_dir)
    config.mkdir(parents=True, exist_ok=True)
    (config / "configuration.yaml").write_text(
        CONFIGURATION.format(port=args.port, domain=DOMAIN)
    )
    target = config / "custom_components" / DOMAIN
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(
        ROOT / "custom_components" / DOMAIN,
        target,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    demo.skip_core_config_step(config)
    print(f"ha_process: prepared {config} (port {args.port})", file=sys.stderr)


# ------------------------------------------------------------------ phones


def cmd_phones(args: argparse.Namespace) -> None:
    """Run the desk phones until SIGTERM/SIGINT."""
    sys.path.insert(0, str(ROOT))
    from tests.e2e.sip_phone import SipPhone  # noqa: PLC0415

    run = Path(args.run_dir)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    phones = []
    try:
        for name, (mode, after) in PHONES.items():
            phone = SipPhone(
                name,
                args.sip_port,
                mode=mode,
                answer_after_ms=after or 1000,
                work_dir=run / "phones" / name,
            )
            phones.append(phone.start())
        pids = [str(p.pid) for p in phones if p.pid is not None]
        ready = run / "phones" / "pids"
        ready.with_suffix(".tmp").write_text("\n".join(pids) + "\n")
        ready.with_suffix(".tmp").replace(ready)
        print(
            "ha_process: desk phones registered (desk1, desk2 ring; desk3 answers)",
            file=sys.stderr,
            flush=True,
        )
        stop.wait()
    finally:
        for phone in phones:
            phone.stop()


# ------------------------------------------------------------------ drive


class StepError(Exception):
    """A step of the scenario failed: what was expected, what was seen."""


def phone_invites(run: Path, desk: str) -> list[Any]:
    """INVITEs the desk's SIPp phone received so far (its message traces)."""
    sys.path.insert(0, str(ROOT))
    from tests.e2e.sip_phone import parse_trace  # noqa: PLC0415

    found = []
    for trace in sorted((run / "phones" / desk).glob("*.msg")):
        found += [
            m
            for m in parse_trace(trace)
            if m.direction == "received" and m.method == "INVITE"
        ]
    return found


class Driver:
    """One scenario against the running HA (REST + websocket) and Asterisk (AMI)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.base = args.url.rstrip("/")
        self.run = Path(args.run_dir)
        self.ami_port = args.ami_port
        self.ami_secret = args.ami_secret
        self.ha_pid = args.ha_pid
        self.token = ""
        self.events: list[dict[str, Any]] = []
        self.timings: dict[str, float] = {}
        self.report: dict[str, Any] = {"steps": []}
        self._started = time.monotonic()
        self._ws: Any = None
        self._ws_id = 0
        self._ws_replies: dict[int, asyncio.Future[Any]] = {}
        self._session: Any = None
        self._reader: asyncio.Task[None] | None = None
        self.bridge_token = ""  # long-lived, as a desk-side bridge has

    # -- bookkeeping

    def step(self, text: str) -> None:
        elapsed = time.monotonic() - self._started
        self.report["steps"].append({"at_s": round(elapsed, 2), "step": text})
        print(f"ha_process: [{elapsed:6.1f} s] {text}", file=sys.stderr, flush=True)

    async def until(
        self, what: str, probe: Any, limit: float = STEP_TIMEOUT, poll: float = 0.1
    ) -> Any:
        """Await ``probe()`` until it returns something truthy; that value."""
        deadline = time.monotonic() + limit
        last: Any = None
        while True:
            last = await probe()
            if last:
                return last
            if time.monotonic() > deadline:
                raise StepError(f"no {what} within {limit:.0f} s (last: {last!r})")
            await asyncio.sleep(poll)

    # -- REST

    async def rest(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> Any:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        async with self._session.request(
            method, f"{self.base}{path}", json=body, headers=headers
        ) as response:
            text = await response.text()
            if response.status >= 300:  # noqa: PLR2004
                raise StepError(f"{method} {path} -> {response.status}: {text[:500]}")
            return json.loads(text) if text else None

    # -- websocket

    async def ws_connect(self) -> None:
        self._ws = await self._session.ws_connect(f"{self.base}/api/websocket")
        hello = await self._ws.receive_json()
        if hello.get("type") != "auth_required":
            raise StepError(f"websocket: {hello}")
        await self._ws.send_json({"type": "auth", "access_token": self.token})
        answer = await self._ws.receive_json()
        if answer.get("type") != "auth_ok":
            raise StepError(f"websocket auth: {answer}")
        self.report["ha_version"] = answer.get("ha_version")
        self._reader = asyncio.get_running_loop().create_task(self._ws_reader())

    async def _ws_reader(self) -> None:
        async for message in self._ws:
            data = json.loads(message.data)
            if data.get("type") == "event":
                event = data["event"]
                if event.get("event_type", "").startswith(f"{DOMAIN}_"):
                    self.events.append(event)
                continue
            future = self._ws_replies.pop(data.get("id"), None)
            if future is not None and not future.done():
                future.set_result(data)

    async def ws(self, message: dict[str, Any]) -> Any:
        self._ws_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._ws_replies[self._ws_id] = future
        await self._ws.send_json({"id": self._ws_id, **message})
        reply = await asyncio.wait_for(future, STEP_TIMEOUT)
        if not reply.get("success"):
            raise StepError(f"websocket {message['type']}: {reply.get('error')}")
        return reply.get("result")

    def events_of(self, kind: str) -> list[dict[str, Any]]:
        return [e["data"] for e in self.events if e["event_type"] == f"{DOMAIN}_{kind}"]

    async def event(self, kind: str, limit: float = STEP_TIMEOUT) -> dict[str, Any]:
        async def probe() -> Any:
            found = self.events_of(kind)
            return found[0] if found else None

        data: dict[str, Any] = await self.until(f"{DOMAIN}_{kind} event", probe, limit)
        return data

    # -- flows

    async def flow(
        self, base: str, start: dict[str, Any], forms: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Start a flow, answer its forms in order; the last result."""
        result: dict[str, Any] = await self.rest("POST", base, start)
        for form in forms:
            if result.get("type") != "form":
                raise StepError(f"{base}: expected a form, got {result}")
            if result.get("errors"):
                raise StepError(f"{base}: form errors {result['errors']}")
            result = await self.rest("POST", f"{base}/{result['flow_id']}", form)
        if result.get("type") == "form" and result.get("errors"):
            raise StepError(f"{base} step {result.get('step_id')}: {result['errors']}")
        return result

    async def add_subentry(
        self, entry_id: str, kind: str, form: dict[str, Any]
    ) -> dict[str, Any]:
        base = "/api/config/config_entries/subentries/flow"
        result = await self.flow(base, {"handler": [entry_id, kind]}, [form])
        if result.get("type") == "form" and result.get("step_id") == (
            "unknown_dial_string"
        ):
            raise StepError(f"the PBX does not list {form.get('dial_string')}")
        if result.get("type") != "create_entry":
            raise StepError(f"{kind} subentry flow ended with {result}")
        subentries = await self.ws(
            {"type": "config_entries/subentries/list", "entry_id": entry_id}
        )
        for sub in subentries:
            if sub["subentry_type"] == kind and sub["title"] == result["title"]:
                return dict(sub)
        raise StepError(f"{kind} {result['title']!r} not in {subentries}")

    async def entry_state(self, entry_id: str) -> str:
        entries = await self.rest(
            "GET", f"/api/config/config_entries/entry?domain={DOMAIN}"
        )
        states = [e for e in entries if e["entry_id"] == entry_id]
        return str(states[0]["state"]) if states else "missing"

    # -- the scenario

    async def scenario(self) -> None:  # noqa: PLR0915
        import aiohttp  # noqa: PLC0415
        import demo  # noqa: PLC0415

        from custom_components.hotdesk_phone.ami import AmiClient  # noqa: PLC0415

        self.step("waiting for Home Assistant's HTTP server")
        steps = await asyncio.to_thread(demo.wait_for_ha, self.base, 600.0, self.ha_pid)
        async with aiohttp.ClientSession() as self._session:
            self.token = await asyncio.to_thread(demo.onboard, self.base, steps)
            self.step(f"onboarded: user {demo.DEMO_USER!r} created, access token")
            await self.ws_connect()
            user = await self.ws({"type": "auth/current_user"})
            self.report["user_id"] = user["id"]
            self.bridge_token = await self.ws(
                {
                    "type": "auth/long_lived_access_token",
                    "client_name": "hotdesk CI bridge",
                    "lifespan": 1,
                }
            )
            self.step(f"Home Assistant {self.report['ha_version']}: long-lived token")

            async def running() -> bool:
                core = await self.rest("GET", "/api/config")
                return core.get("state") == "RUNNING"

            await self.until("HA core state RUNNING", running, 600, 0.5)
            self.step("Home Assistant is RUNNING")
            await self.ws({"type": "subscribe_events"})

            # The PBX: the config flow's user step (plain loopback link).
            result = await self.flow(
                "/api/config/config_entries/flow",
                {"handler": DOMAIN, "show_advanced_options": False},
                [
                    {
                        "host": "127.0.0.1",
                        "port": self.ami_port,
                        "username": AMI_HA_USER,
                        "password": self.ami_secret,
                        "tls": False,
                    }
                ],
            )
            if result.get("type") != "create_entry":
                raise StepError(f"PBX config flow ended with {result}")
            entry_id = result["result"]["entry_id"]
            self.report["entry_title"] = result["title"]

            async def loaded() -> Any:
                state = await self.entry_state(entry_id)
                if state in {"setup_error", "setup_retry", "migration_error"}:
                    raise StepError(f"entry state {state}")
                return state == "loaded"

            await self.until("loaded PBX entry", loaded)
            self.step(f"PBX entry {result['title']!r} loaded ({entry_id})")

            desks = {}
            for index, name in enumerate(PHONES, 1):
                form: dict[str, Any] = {
                    "name": f"Desk {index}",
                    "dial_string": f"PJSIP/{name}",
                }
                if name == "desk3":
                    form["readers"] = [READER]
                desks[name] = await self.add_subentry(entry_id, "desk", form)
            self.step(
                "desks added: "
                + ", ".join(
                    f"{d['title']} ({d['subentry_id']})" for d in desks.values()
                )
            )
            account = await self.add_subentry(
                entry_id,
                "account",
                {
                    "name": "Alice",
                    "extension": EXTENSION,
                    "home_desks": [
                        desks["desk1"]["subentry_id"],
                        desks["desk2"]["subentry_id"],
                    ],
                    "tags": [TAG],
                },
            )
            self.step(f"account added: {account['title']} ({account['subentry_id']})")
            if await self.entry_state(entry_id) != "loaded":
                raise StepError("the entry is not loaded after the subentries")

            world = AmiClient(
                host="127.0.0.1",
                port=self.ami_port,
                username=AMI_WORLD_USER,
                secret=self.ami_secret,
            )
            await world.connect()
            try:
                await self.call_and_claim(world, desks)
            finally:
                await world.close()

            diagnostics = await self.rest(
                "GET", f"/api/diagnostics/config_entry/{entry_id}"
            )
            if not isinstance(diagnostics, dict) or "data" not in diagnostics:
                raise StepError(f"diagnostics: {str(diagnostics)[:300]}")
            self.step("the entry's diagnostics download")
            await self._ws.close()

    async def call_and_claim(self, world: Any, desks: dict[str, Any]) -> None:
        async def routed() -> Any:
            route = await world.db_get("hotdesk", f"route/{EXTENSION}")
            return route if route and "desk1" in route and "desk2" in route else None

        route = await self.until(f"AstDB hotdesk/route/{EXTENSION}", routed)
        self.step(f"Asterisk routes {EXTENSION}: {route}")

        name, number = CALLER
        started = time.monotonic()
        await world.originate(
            "Local/s@test-caller",
            "hotdesk-inbound",
            EXTENSION,
            caller_id=f'"{name}" <{number}>',
        )
        self.step(f"AMI Originate: {name} <{number}> calls {EXTENSION}")

        async def ringing() -> Any:
            channels = await world.active_channels()
            ring = {
                c.channel.split("/", 1)[1].split("-", 1)[0]
                for c in channels
                if c.channel.startswith("PJSIP/desk") and c.state == "Ringing"
            }
            invited = {d for d in ("desk1", "desk2") if phone_invites(self.run, d)}
            if {"desk1", "desk2"} <= ring and invited == {"desk1", "desk2"}:
                return sorted(ring)
            return None

        ring = await self.until("desk1 and desk2 ringing", ringing)
        incoming = await self.event("incoming_call")
        self.timings["ringing_s"] = round(time.monotonic() - started, 3)
        self.step(
            f"desks ringing in Asterisk: {', '.join(ring)}; SIP INVITEs at desk1 and "
            f"desk2; incoming_call event for {incoming.get('account')}"
        )
        invite = phone_invites(self.run, "desk1")[0]
        if invite.caller_id_number != number:
            raise StepError(f"desk1's INVITE is from {invite.caller_id_number}")

        scanned = time.monotonic()
        answer = await self.rest(
            "POST",
            f"/api/{DOMAIN}/scan",
            {"reader": READER, "uid": TAG, "scan_id": secrets.token_hex(8)},
            token=self.bridge_token,
        )
        self.step(f"bridge scan posted at {READER}: {answer}")
        claimed = await self.event("call_claimed", 10)
        self.timings["scan_to_claimed_event_s"] = round(time.monotonic() - scanned, 3)
        desk3 = desks["desk3"]["subentry_id"]
        if claimed.get("desk_id") != desk3 or claimed.get("via") != "bridge":
            raise StepError(f"call_claimed: {claimed}")
        if claimed.get("user_id") != self.report["user_id"]:
            raise StepError(f"call_claimed by {claimed.get('user_id')}: {claimed}")
        self.report["call_claimed"] = claimed
        self.step(
            f"call_claimed event: {claimed['desk']} from "
            f"{', '.join(claimed.get('from_desks', []))} via {claimed['via']}"
        )

        async def at_desk3() -> Any:
            channels = await world.active_channels()
            callers = [
                c
                for c in channels
                if c.channel.startswith("Local/s@test-caller") and c.bridge_id
            ]
            desk = [
                c
                for c in channels
                if c.channel.startswith("PJSIP/desk3-") and c.bridge_id
            ]
            others = [
                c.channel
                for c in channels
                if c.channel.startswith(("PJSIP/desk1-", "PJSIP/desk2-"))
            ]
            bridged = [
                (c.channel, d.channel)
                for c in callers
                for d in desk
                if c.bridge_id == d.bridge_id
            ]
            if bridged and not others and phone_invites(self.run, "desk3"):
                return bridged[0]
            return None

        bridged = await self.until("the caller bridged with desk3", at_desk3, 15)
        answered = await self.event("call_answered", 10)
        if answered.get("desk_id") != desk3:
            raise StepError(f"call_answered: {answered}")
        self.step(
            f"Asterisk bridges {bridged[0]} with {bridged[1]}; desk1 and desk2 "
            "stopped ringing; call_answered at Desk 3"
        )
        await world.send({"Action": "Hangup", "Channel": bridged[0]})
        ended = await self.event("call_ended", 15)
        self.step(f"hung up: call_ended ({ended.get('outcome')})")

    async def main(self) -> int:
        try:
            await self.scenario()
        except (StepError, TimeoutError, OSError, SystemExit) as err:
            self.report["error"] = f"{type(err).__name__}: {err}"
            self.step(f"FAILED: {self.report['error']}")
            return 1
        except Exception as err:  # noqa: BLE001  # unexpected: say where it came from
            self.report["error"] = f"{type(err).__name__}: {err}"
            self.step(f"FAILED: {self.report['error']}")
            traceback.print_exc()
            return 1
        finally:
            self.report["events"] = [e["event_type"] for e in self.events]
            self.report["timings"] = self.timings
            (self.run / "report.json").write_text(json.dumps(self.report, indent=2))
        return 0


def cmd_drive(args: argparse.Namespace) -> None:
    os.environ.setdefault("HOTDESK_DEMO_USER", "ci")
    os.environ.setdefault("HOTDESK_DEMO_PASSWORD", secrets.token_urlsafe(16))
    sys.path.insert(1, str(ROOT))
    driver = Driver(args)
    raise SystemExit(asyncio.run(driver.main()))


# ------------------------------------------------------------------ check-log

_RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)? "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) "
)
_DEPRECATION = re.compile(
    r"deprecat|will stop working|stop working in|no longer (?:be )?supported"
    r"|Detected (?:code|that|blocking|integration)|DeprecationWarning"
    r"|PendingDeprecationWarning|FutureWarning",
    re.IGNORECASE,
)


# A Python warning printed on stderr (before HA's logging takes them over).
_PY_WARNING = re.compile(r"^\S.*\.py:\d+: \w*Warning: ")


def log_records(text: str) -> list[tuple[str, str]]:
    """(level, record) pairs; lines of no log record are level ``STDERR``.

    A record's continuation lines (a traceback) stay with it; a Python
    warning line starts a record of its own wherever it is.
    """
    records: list[tuple[str, str]] = []
    for line in text.splitlines():
        match = _RECORD.match(line)
        if match:
            records.append((match.group("level"), line))
        elif _PY_WARNING.match(line):
            records.append(("STDERR", line))
        elif records and (line.startswith((" ", "\t")) or records[-1][0] != "STDERR"):
            level, record = records[-1]
            records[-1] = (level, f"{record}\n{line}")
        elif line.strip():
            records.append(("STDERR", line))
    return records


def offending(level: str, record: str) -> bool:
    """Whether a record fails the step: an error, a deprecation or a traceback
    that names this integration (its logger, its name or its files)."""
    if DOMAIN not in record:
        return False
    if level in {"ERROR", "CRITICAL"} or "Traceback (most recent call last)" in record:
        return True
    if level in {"WARNING", "STDERR"}:
        return bool(_DEPRECATION.search(record)) or (
            level == "STDERR" and "Error" in record
        )
    return False


def cmd_check_log(args: argparse.Namespace) -> None:
    failed: list[str] = []
    seen: set[str] = set()  # the log file and the console hold the same records
    read = 0
    for name in args.logs:
        path = Path(name)
        try:
            text = path.read_text(errors="replace")
        except FileNotFoundError:
            print(f"ha_process: {path.name}: missing")
            continue
        read += 1
        records = [(lv, r) for lv, r in log_records(text) if r not in seen]
        seen.update(r for _, r in records)
        loud = [
            (lv, r)
            for lv, r in records
            if lv in {"WARNING", "ERROR", "CRITICAL"} or offending(lv, r)
        ]
        counts = Counter(lv for lv, _ in records)
        print(
            f"ha_process: {path.name}: {len(records)} records not seen before "
            f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})"
        )
        for level, record in loud:
            mark = "FAIL" if offending(level, record) else "seen"
            first = record.splitlines()[0]
            print(f"  [{mark}] {first[:400]}")
        failed += [r for lv, r in records if offending(lv, r)]
    if not read:
        print("ha_process: no log to check")
        raise SystemExit(1)
    if failed:
        print(
            f"ha_process: {len(failed)} log record(s) name {DOMAIN} with an error "
            "or a deprecation:"
        )
        for record in failed:
            print("---")
            print(record[:4000])
        raise SystemExit(1)
    print(f"ha_process: no error and no deprecation warning names {DOMAIN}")


# ------------------------------------------------------------------ check-listen


def _address(hex_address: str) -> str:
    """/proc/net's hex "0100007F:1F90" as "127.0.0.1:8080" (IPv6 too)."""
    import ipaddress  # noqa: PLC0415

    host, port = hex_address.split(":")
    raw = bytes.fromhex(host)
    # The kernel writes each 32-bit word in host (little-endian) order.
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return f"{ipaddress.ip_address(words)}:{int(port, 16)}"


def listening(pid: int) -> list[str]:
    """The TCP listeners and bound UDP sockets of a process: "tcp 127.0.0.1:N"."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = str(fd.readlink())
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                if fields[9] not in inodes:
                    continue
                if table.startswith("tcp") and fields[3] != "0A":  # not LISTEN
                    continue
                found.append(f"{table[:3]} {_address(fields[1])}")
    return sorted(found)


def interfaces(pid: int) -> list[str]:
    """The network interfaces of a process's network namespace."""
    lines = Path(f"/proc/{pid}/net/dev").read_text().splitlines()[2:]
    return sorted(line.split(":", 1)[0].strip() for line in lines)


def cmd_check_listen(args: argparse.Namespace) -> None:
    """TCP listeners on loopback; UDP on loopback, or anywhere in a lo-only netns."""
    sockets = listening(args.pid)
    links = interfaces(args.pid)
    print(
        f"ha_process: Home Assistant (pid {args.pid}) listens on {sockets}; "
        f"its network namespace has {links}"
    )
    loopback = ("127.", "::1:")
    outside = [
        s
        for s in sockets
        if not s.split()[1].startswith(loopback)
        and (s.startswith("tcp") or links != ["lo"])
    ]
    if outside or not any(s.startswith("tcp") for s in sockets):
        print(f"ha_process: not loopback only: {outside or 'no TCP listener'}")
        raise SystemExit(1)


def cmd_loopback_up(args: argparse.Namespace) -> None:
    """Bring ``lo`` up (a new network namespace has it down), without iproute2."""
    import fcntl  # noqa: PLC0415
    import socket  # noqa: PLC0415
    import struct  # noqa: PLC0415

    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(sock, siocgifflags, request))[1]
        fcntl.ioctl(
            sock, siocsifflags, struct.pack("16sH14s", b"lo", flags | iff_up, b"")
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="scripts/ha_process.py")
    sub = parser.add_subparsers(dest="command", required=True)
    prepare = sub.add_parser("prepare")
    prepare.add_argument("config_dir")
    prepare.add_argument("--port", type=int, required=True)
    prepare.set_defaults(func=cmd_prepare)
    phones = sub.add_parser("phones")
    phones.add_argument("run_dir")
    phones.add_argument("--sip-port", type=int, required=True)
    phones.set_defaults(func=cmd_phones)
    drive = sub.add_parser("drive")
    drive.add_argument("url")
    drive.add_argument("run_dir")
    drive.add_argument("--ami-port", type=int, required=True)
    drive.add_argument("--ami-secret", required=True)
    drive.add_argument("--ha-pid", type=int, help="stop waiting if it exits")
    drive.set_defaults(func=cmd_drive)
    check = sub.add_parser("check-log")
    check.add_argument("logs", nargs="+")
    check.set_defaults(func=cmd_check_log)
    listen = sub.add_parser("check-listen")
    listen.add_argument("pid", type=int)
    listen.set_defaults(func=cmd_check_listen)
    sub.add_parser("loopback-up").set_defaults(func=cmd_loopback_up)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        args.func(args)


if __name__ == "__main__":
    main()
