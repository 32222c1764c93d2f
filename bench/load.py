"""Load on a real Asterisk 22: N calls at once to N accounts, claims racing.

One run: Asterisk (scripts/asterisk, AMI_PORT 16238 / SIP_PORT 16260 unless
set) with 3N extra PJSIP endpoints written into the run's pjsip.conf: per
account i a home desk ``h<i>`` and two other desks ``x<i>`` and ``y<i>``.
Each endpoint's AOR has a static contact on one of a few SIPp processes (one
SIPp serves many endpoints; the INVITE's request URI names the desk): home
desks ring and never answer, x/y desks answer after ``--answer-ms``. Home
Assistant runs in this process with the integration: N accounts (extension
``20000+i``, home desk ``h<i>``, tag ``tag-<i>``) and 3N desks (scanner
``scanner-<desk>`` each).

Each round places N calls at once (one SIPp caller process, endpoint
``caller``, an injection file with one extension and caller number per call)
and waits until HA announced every call and every home desk rang. Then it
moves all N calls at once, in one of two ways:

- ``claim``: for every call two scans race, ``tag.async_scan_tag`` of the
  account's tag at ``scanner-x<i>`` and at ``scanner-y<i>`` (which one goes
  first alternates); the integration must move each call exactly once: one
  Redirect, one ``call_claimed``, one ``claim_refused`` (already_claimed), one
  INVITE at the winning desk, none at the other, a CANCEL at the home desk.
  Done: ``call_claimed`` fired.
- ``floor``: the same N Redirects (the caller's channel into
  ``hotdesk-claim`` at the desk whose scan goes first, ``x<i>`` or ``y<i>``)
  from a minimal AMI client in its own process and on its own connection
  (``bench/raw_ami.py``: events off, all N written pipelined in one write,
  responses matched by ActionID and timed as they are read). Done: the
  Redirect's response read.

Latency per call: the burst's start (claims: before the first scan; floor:
its one write) -> that call done. Both kinds are timed from the burst's
start because a call's own start is not comparable: the floor puts all N
Redirects in Asterisk's queue at once, while the integration writes each
Redirect when its scan's turn on the event loop comes (spread over the first
10-40 ms), so timing each claim from its own scan leaves out that wait and
came out below the floor. That figure is still reported for the claims
(``from_scan_ms``), with when the integration called ``redirect`` after the
burst's start (``redirect_called_ms``) and that call's round trip
(``redirect_round_trip_ms``).

Throughput figures: calls/s (N / first INVITE sent by the caller -> last
``incoming_call`` in HA) and moves/s (N / the burst's start -> the last call
done). The answering desks are hung up by the callers after ``--hold-ms``;
every call must end exactly once.

    bench/load.py                  # N=100, 3 rounds of each kind
    bench/load.py --calls 50 --rounds 1
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter, defaultdict
from collections.abc import Iterable
import contextlib
from functools import partial
import logging
import os
from pathlib import Path
import re
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    OUT,
    REPO,
    SOURCE_CPU,
    asterisk,
    loadavg,
    record,
    start_pbx,
    summary,
    until as wait_until,
    versions,
)

SIPP_DIR = REPO / "tests" / "e2e" / "sipp"
WORK = OUT / "load"
STEP_TIMEOUT = 30.0
# Poll interval of the waits (how finely a latency can be seen).
POLL = 0.002
until = partial(wait_until, limit=STEP_TIMEOUT, poll=POLL)
_REQUEST_USER = re.compile(r"^[A-Z]+ sips?:([^@;>]+)@")


def extension(i: int) -> str:
    return str(20000 + i)


def number(round_no: int, i: int) -> str:
    """The caller number of call i in a round (unique in the run)."""
    return f"7{round_no:02d}{i:05d}"


def endpoints_conf(calls: int, ports: dict[str, list[int]]) -> str:
    """PJSIP endpoints h/x/y 1..N, each AOR a static contact on a SIPp."""
    lines = ["", "; bench/load.py: desks of the load benchmark"]
    for role, role_ports in ports.items():
        for i in range(1, calls + 1):
            name = f"{role}{i}"
            port = role_ports[i % len(role_ports)]
            lines += [
                f"[{name}](phone-endpoint)",
                "context = hotdesk-outbound",
                f"aors = {name}",
                f"[{name}]",
                "type = aor",
                f"contact = sip:{name}@127.0.0.1:{port}",
                "",
            ]
    return "\n".join(lines) + "\n"


def subentries(calls: int) -> list[dict[str, Any]]:
    from custom_components.hotdesk_phone.const import (  # noqa: PLC0415
        CONF_DIAL_STRING,
        CONF_EXTENSION,
        CONF_HOME_DESKS,
        CONF_SCANNERS,
        CONF_TAGS,
    )

    items: list[dict[str, Any]] = []
    for role in ("h", "x", "y"):
        items += [
            {
                "subentry_id": desk_id(f"{role}{i}"),
                "subentry_type": "desk",
                "title": f"Desk {role}{i}",
                "unique_id": None,
                "data": {
                    "name": f"Desk {role}{i}",
                    CONF_DIAL_STRING: f"PJSIP/{role}{i}",
                    CONF_SCANNERS: [f"scanner-{role}{i}"],
                },
            }
            for i in range(1, calls + 1)
        ]
    items += [
        {
            "subentry_id": f"A{i:05d}",
            "subentry_type": "account",
            "title": f"Person {i}",
            "unique_id": None,
            "data": {
                "name": f"Person {i}",
                CONF_EXTENSION: extension(i),
                CONF_HOME_DESKS: [desk_id(f"h{i}")],
                CONF_TAGS: [f"tag-{i}"],
            },
        }
        for i in range(1, calls + 1)
    ]
    return items


def desk_id(desk: str) -> str:
    """The subentry id of a desk ("x7" -> "DX0007"): what a Redirect names."""
    return f"D{desk[0].upper()}{int(desk[1:]):04d}"


def scan_order(i: int) -> list[str]:
    """The desks whose scanners read call i's tag, first scan first."""
    pair = [f"x{i}", f"y{i}"]
    if i % 2:
        pair.reverse()
    return pair


def request_user(start_line: str) -> str | None:
    match = _REQUEST_USER.match(start_line)
    return match.group(1) if match else None


class Callers:
    """One SIPp process that places N calls at once (endpoint ``caller``)."""

    def __init__(self, work: Path, sip_port: int, ring_timeout_ms: int) -> None:
        self.work = work
        self.sip_port = sip_port
        work.mkdir(parents=True, exist_ok=True)
        text = (SIPP_DIR / "call.xml").read_text(encoding="utf-8")
        text = text.replace("[dest]", "[field0]").replace("[cid_num]", "[field1]")
        text = text.replace("[cid_name]", "[field1]")
        text = text.replace(
            'timeout="5000" ontimeout="cancel"',
            f'timeout="{ring_timeout_ms}" ontimeout="cancel"',
        )
        self.scenario = work / "call_many.xml"
        self.scenario.write_text(text, encoding="utf-8")
        self.process: subprocess.Popen[bytes] | None = None

    def place(
        self, calls: list[tuple[str, str]], hold_ms: int, rate: int
    ) -> subprocess.Popen[bytes]:
        from tests.e2e.sip_phone import free_udp_port  # noqa: PLC0415

        inf = self.work / "calls.csv"
        inf.write_text(
            "SEQUENTIAL\n" + "".join(f"{ext};{num};\n" for ext, num in calls),
            encoding="ascii",
        )
        args = [
            "sipp", f"127.0.0.1:{self.sip_port}",
            "-sf", str(self.scenario),
            "-inf", str(inf),
            "-s", "caller",
            "-i", "127.0.0.1",
            "-p", str(free_udp_port()),
            "-mi", "127.0.0.1",
            "-mp", str(free_udp_port()),
            "-m", str(len(calls)),
            "-l", str(len(calls)),
            "-r", str(rate),
            "-rp", "1000",
            "-d", str(hold_ms),
            "-nostdin",
            "-trace_err", "-error_file", str(self.work / "errors.log"),
        ]  # fmt: skip
        with (self.work / "sipp.out").open("ab") as out:
            self.process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.work,
                start_new_session=True,
            )
        subprocess.run(
            ["taskset", "-cp", str(SOURCE_CPU), str(self.process.pid)],
            capture_output=True,
            check=False,
        )
        return self.process

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


async def run(args: argparse.Namespace, pbx: dict[str, str]) -> dict[str, Any]:  # noqa: PLR0912
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        MockConfigEntry,
    )

    from homeassistant.components.tag import async_scan_tag  # noqa: PLC0415
    from homeassistant.core import Event, callback  # noqa: PLC0415
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    from bench.hass_env import bench_hass, setup_entry  # noqa: PLC0415
    from bench.raw_ami import FloorProcess  # noqa: PLC0415
    from custom_components.hotdesk_phone.const import (  # noqa: PLC0415
        CONTEXT_CLAIM,
        DOMAIN,
    )
    from tests.e2e.sip_phone import SipPhone  # noqa: PLC0415

    n = args.calls
    host, port = pbx["AMI_HOST"], int(pbx["AMI_PORT"])
    user, secret = pbx["AMI_USERNAME"], pbx["AMI_SECRET"]
    sip_port = int(pbx["SIP_PORT"])
    run_dir = Path(pbx["RUN_DIR"])
    env = {"AMI_PORT": str(port), "SIP_PORT": str(sip_port)}

    shutil.rmtree(WORK / "phones", ignore_errors=True)
    modes = {"h": ("ring", 0), "x": ("answer", args.answer_ms)}
    modes["y"] = modes["x"]
    phones: dict[str, list[SipPhone]] = {
        role: [
            SipPhone(
                f"{role}-phones-{k}",
                sip_port,
                mode=mode,
                answer_after_ms=delay or 1000,
                register=False,
                work_dir=WORK / "phones" / f"{role}{k}",
            )
            for k in range(args.phone_procs)
        ]
        for role, (mode, delay) in modes.items()
    }
    conf = run_dir / "etc" / "pjsip.conf"
    with conf.open("a", encoding="utf-8") as handle:
        handle.write(
            endpoints_conf(n, {r: [p.port for p in ps] for r, ps in phones.items()})
        )
    reload = asterisk("cli", str(run_dir), "module reload res_pjsip.so", env=env)
    if reload.returncode != 0:
        raise RuntimeError(f"pjsip reload failed: {reload.stderr}")
    shown = asterisk("cli", str(run_dir), f"pjsip show endpoint y{n}", env=env).stdout
    if f"y{n}" not in shown:
        raise RuntimeError(f"endpoint y{n} not loaded:\n{shown[-2000:]}")
    for group in phones.values():
        for phone in group:
            phone.start()
            subprocess.run(  # noqa: ASYNC221 (before the loop does anything)
                ["taskset", "-cp", str(SOURCE_CPU), str(phone.pid)],
                capture_output=True,
                check=False,
            )
    callers = Callers(WORK / "callers", sip_port, args.ring_timeout_ms)
    rounds: list[dict[str, Any]] = []
    problems: list[str] = []
    try:
        async with bench_hass() as hass:
            assert await async_setup_component(hass, "tag", {})
            entry = MockConfigEntry(
                domain=DOMAIN,
                title="Asterisk load",
                unique_id=f"{host}:{port}",
                data={
                    "host": host,
                    "port": port,
                    "username": user,
                    "password": secret,
                },
                options={},
                subentries_data=subentries(n),  # type: ignore[arg-type]
                entry_id="01LOADENTRY",
            )
            setup_started = time.perf_counter()
            await setup_entry(hass, entry)
            setup_s = time.perf_counter() - setup_started
            hub = entry.runtime_data.hub

            events: dict[str, list[tuple[float, dict[str, Any]]]] = defaultdict(list)

            @callback
            def on_event(event: Event) -> None:
                kind = event.event_type.removeprefix(f"{DOMAIN}_")
                events[kind].append((time.perf_counter(), dict(event.data)))

            for kind in (
                "incoming_call",
                "call_claimed",
                "claim_refused",
                "call_answered",
                "call_ended",
                "call_missed",
            ):
                hass.bus.async_listen(f"{DOMAIN}_{kind}", on_event)

            redirects: Counter[str] = Counter()
            # When the integration called AmiClient.redirect for a channel, and
            # when that returned (Asterisk's response read).
            redirect_at: dict[str, tuple[float, float]] = {}
            original_redirect = hub.client.redirect

            async def counting_redirect(channel: str, *a: Any, **kw: Any) -> None:
                redirects[channel] += 1
                called = time.perf_counter()
                await original_redirect(channel, *a, **kw)
                redirect_at.setdefault(channel, (called, time.perf_counter()))

            hub.client.redirect = counting_redirect

            # The floor: its own process and AMI connection (events off:
            # nothing arrives on it but its responses, in claim rounds too).
            floor = await FloorProcess.start(host, port, user, secret)
            await asyncio.sleep(0.5)

            def of(kind: str, numbers: set[str]) -> list[tuple[float, dict[str, Any]]]:
                return [
                    (at, d)
                    for at, d in events[kind]
                    if d.get("caller_id_number") in numbers
                ]

            # Round 0 warms up (HA's tag component creates each tag on its
            # first scan: storage and a tag entity); it is not reported.
            kinds = ["claim"] + ["claim", "floor"] * args.rounds
            for round_no, kind in enumerate(kinds):
                numbers = {number(round_no, i): i for i in range(1, n + 1)}
                calls = [(extension(i), num) for num, i in numbers.items()]
                wanted = set(numbers)
                placed = time.perf_counter()
                await asyncio.to_thread(callers.place, calls, args.hold_ms, args.rate)
                await until(
                    lambda w=wanted: len(of("incoming_call", w)) == n,
                    f"{n} incoming_call",
                )
                incoming_done = max(at for at, _ in of("incoming_call", wanted))
                calls_per_s = n / (incoming_done - placed)

                # Every home desk rings (SIPp traces are files: read them off
                # the event loop).
                def home_rang(w: set[str] = wanted) -> int:
                    return sum(
                        1
                        for phone in phones["h"]
                        for m in phone.invites
                        if m.caller_id_number in w
                    )

                deadline = time.monotonic() + STEP_TIMEOUT
                while await asyncio.to_thread(home_rang) < n:
                    if time.monotonic() > deadline:
                        raise TimeoutError("not every home desk rang")
                    await asyncio.sleep(0.05)
                await asyncio.sleep(args.settle)
                by_number = {
                    c.caller_id_number: c
                    for c in hub.tracker.calls.values()
                    if c.caller_id_number in wanted
                }
                if len(by_number) != n:
                    raise RuntimeError(f"tracked {len(by_number)} of {n} calls")
                # Every kind: the burst starts (begin) -> each call moved (done).
                done: list[float] = []
                extra: dict[str, Any] = {}
                begin = time.perf_counter()
                if kind == "claim":
                    started: dict[str, float] = {}

                    async def scan(
                        num: str,
                        tag: str,
                        scanner: str,
                        started: dict[str, float] = started,
                    ) -> None:
                        started.setdefault(num, time.perf_counter())
                        await async_scan_tag(hass, tag, scanner)

                    jobs = []
                    for num, i in numbers.items():
                        jobs += [
                            scan(num, f"tag-{i}", f"scanner-{desk}")
                            for desk in scan_order(i)
                        ]
                    await asyncio.gather(*jobs)
                    await until(
                        lambda w=wanted: len(of("call_claimed", w)) == n,
                        f"{n} call_claimed",
                    )
                    done_at = {
                        data["caller_id_number"]: at
                        for at, data in of("call_claimed", wanted)
                    }
                    done = [done_at[num] for num in numbers]
                    sent = [
                        redirect_at[by_number[num].caller_channel] for num in numbers
                    ]
                    extra = {
                        "from_scan_ms": summary(
                            ((done_at[num] - started[num]) * 1000 for num in numbers),
                            2,
                        ),
                        "redirect_called_ms": summary(
                            ((called - begin) * 1000 for called, _ in sent), 2
                        ),
                        "redirect_round_trip_ms": summary(
                            ((back - called) * 1000 for called, back in sent), 2
                        ),
                    }
                else:
                    # The desk each call's first scan names (the claims' winner).
                    moves = [
                        (
                            by_number[num].caller_channel,
                            CONTEXT_CLAIM,
                            desk_id(scan_order(i)[0]),
                        )
                        for num, i in numbers.items()
                    ]
                    # Timed in the floor's process: its write -> each response.
                    begin, _, done = await floor.redirect_many(moves)
                latency = [(at - begin) * 1000 for at in done]
                burst_end = max(done)
                claims_per_s = n / (burst_end - begin)
                # The moved calls ring their new desk, are answered, and the
                # callers hang up after --hold-ms: every call ends once.
                await until(
                    lambda w=wanted: len(of("call_ended", w)) >= n,
                    f"{n} call_ended",
                    limit=STEP_TIMEOUT + args.hold_ms / 1000,
                )
                await asyncio.to_thread(callers.process.wait, 30)
                await asyncio.sleep(0.3)  # late duplicates would show now
                checks = check_round(
                    kind,
                    numbers,
                    events=events,
                    phones=phones,
                    redirects=redirects,
                    by_number=by_number,
                )
                problems += [f"round {round_no} ({kind}): {p}" for p in checks]
                row = {
                    "round": round_no,
                    "kind": kind,
                    "calls_per_s": round(calls_per_s, 1),
                    "moves_per_s": round(claims_per_s, 1),
                    "burst_ms": round((burst_end - begin) * 1000, 1),
                    "latency_ms": summary(latency, 2),
                    **extra,
                    "problems": len(checks),
                }
                if round_no:
                    rounds.append(row)
                also = ""
                if "from_scan_ms" in row:
                    also = (
                        f" (from its own scan: p50 {row['from_scan_ms']['p50']} ms,"
                        f" p99 {row['from_scan_ms']['p99']} ms)"
                    )
                print(
                    f"  round {round_no} {kind:5s}: {row['calls_per_s']} calls/s, "
                    f"{row['moves_per_s']} moves/s, latency p50 "
                    f"{row['latency_ms']['p50']} ms p99 {row['latency_ms']['p99']} ms"
                    f"{also}, problems {len(checks)}",
                    flush=True,
                )
                await until(lambda: not hub.tracker.calls, "no calls left", limit=10)
                await asyncio.sleep(args.settle)
            await floor.close()
    finally:
        callers.stop()
        for group in phones.values():
            for phone in group:
                with contextlib.suppress(Exception):
                    phone.stop(unregister=False)
    return {"rounds": rounds, "problems": problems, "setup_s": round(setup_s, 3)}


def check_round(  # noqa: PLR0912
    kind: str,
    numbers: dict[str, int],
    *,
    events: dict[str, list[tuple[float, dict[str, Any]]]],
    phones: dict[str, list[Any]],
    redirects: Counter[str],
    by_number: dict[str, Any],
) -> list[str]:
    """Each call moved exactly once and ended exactly once; what went wrong."""
    problems: list[str] = []

    def count(kind_: str) -> Counter[str]:
        return Counter(
            d["caller_id_number"]
            for _, d in events[kind_]
            if d.get("caller_id_number") in numbers
        )

    ended, claimed, refused = count("call_ended"), count("call_claimed"), Counter()
    for _, d in events["claim_refused"]:
        if d.get("caller_id_number") in numbers:
            refused[d["caller_id_number"], d["reason"]] += 1
    invites: dict[str, Counter[str]] = {}
    cancels: dict[str, int] = Counter()
    for role, group in phones.items():
        for phone in group:
            messages = phone.messages()
            got = [m for m in messages if m.direction == "received"]
            invite_ids = {}
            for m in got:
                if m.method == "INVITE" and m.caller_id_number in numbers:
                    user = request_user(m.start_line) or "?"
                    invites.setdefault(m.caller_id_number, Counter())[user] += 1
                    invite_ids[m.call_id] = m.caller_id_number
            for m in got:
                if m.method == "CANCEL" and m.call_id in invite_ids and role == "h":
                    cancels[invite_ids[m.call_id]] += 1
    winners: Counter[str] = Counter()
    for num, i in numbers.items():
        seen = invites.get(num, Counter())
        if ended[num] != 1:
            problems.append(f"{num}: {ended[num]} call_ended")
        if seen[f"h{i}"] != 1 or cancels[num] != 1:
            problems.append(
                f"{num}: home desk INVITE/CANCEL {seen[f'h{i}']}/{cancels[num]}"
            )
        moved = seen[f"x{i}"] + seen[f"y{i}"]
        if moved != 1 or set(seen) - {f"h{i}", f"x{i}", f"y{i}"}:
            problems.append(f"{num}: INVITEs {dict(seen)}")
        if kind == "claim":
            if claimed[num] != 1:
                problems.append(f"{num}: {claimed[num]} call_claimed")
            if (
                refused[num, "already_claimed"] != 1
                or sum(v for (k, _), v in refused.items() if k == num) != 1
            ):
                problems.append(f"{num}: refusals {refused}")
            channel = by_number[num].caller_channel
            if redirects[channel] != 1:
                problems.append(f"{num}: {redirects[channel]} Redirects")
            winners["x" if seen[f"x{i}"] else "y"] += 1
    if kind == "claim" and not problems:
        print(f"    winners by desk: {dict(winners)}")
    return problems


def median(values: Iterable[float]) -> float:
    """The middle value (of the rounds: an odd number)."""
    data = sorted(values)
    return data[len(data) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description="N calls at once, claims racing")
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="of each kind")
    parser.add_argument("--phone-procs", type=int, default=2, help="SIPp per role")
    parser.add_argument("--rate", type=int, default=1000, help="calls/s placed")
    parser.add_argument("--answer-ms", type=int, default=200)
    parser.add_argument("--hold-ms", type=int, default=500)
    parser.add_argument("--ring-timeout-ms", type=int, default=20000)
    parser.add_argument("--settle", type=float, default=0.3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    env = {
        "AMI_PORT": os.environ.get("AMI_PORT", "16238"),
        "SIP_PORT": os.environ.get("SIP_PORT", "16260"),
    }
    run_dir = OUT / "load-asterisk"
    pbx = start_pbx(run_dir, env)
    pbx["RUN_DIR"] = str(run_dir)
    version = asterisk("cli", str(run_dir), "core show version", env=env).stdout.strip()
    load = loadavg()
    try:
        result = asyncio.run(run(args, pbx))
    finally:
        asterisk("stop", str(run_dir), env=env)
    rounds = result["rounds"]
    figures: dict[str, Any] = {}
    for kind in ("claim", "floor"):
        rows = [r for r in rounds if r["kind"] == kind]
        figures[kind] = {
            "calls_per_s_median": median(r["calls_per_s"] for r in rows),
            "moves_per_s_median": median(r["moves_per_s"] for r in rows),
            "latency_p50_ms_median": median(r["latency_ms"]["p50"] for r in rows),
            "latency_p99_ms_median": median(r["latency_ms"]["p99"] for r in rows),
        }
        if kind == "claim":
            figures[kind] |= {
                "from_scan_p50_ms_median": median(
                    r["from_scan_ms"]["p50"] for r in rows
                ),
                "from_scan_p99_ms_median": median(
                    r["from_scan_ms"]["p99"] for r in rows
                ),
            }
    claim, floor = figures["claim"], figures["floor"]
    payload = {
        "what": (
            f"{args.calls} calls at once to {args.calls} accounts on a real Asterisk, "
            "each claimed by two racing scans (tag.async_scan_tag at two desks), "
            "vs the same Redirects from a minimal raw-socket AMI client (floor: "
            "events off, pipelined in one write, responses matched by ActionID)"
        ),
        "unit": "calls/s, claims/s, ms",
        "figures": figures,
        "summary": {
            "calls": args.calls,
            "calls_per_s": claim["calls_per_s_median"],
            "claims_per_s": claim["moves_per_s_median"],
            "claim_p50_ms": claim["latency_p50_ms_median"],
            "claim_p99_ms": claim["latency_p99_ms_median"],
            "floor_redirects_per_s": floor["moves_per_s_median"],
            "floor_p50_ms": floor["latency_p50_ms_median"],
            "floor_p99_ms": floor["latency_p99_ms_median"],
            "ratios_to_floor": {
                "p50": round(
                    claim["latency_p50_ms_median"] / floor["latency_p50_ms_median"], 2
                ),
                "p99": round(
                    claim["latency_p99_ms_median"] / floor["latency_p99_ms_median"], 2
                ),
                "moves_per_s": round(
                    claim["moves_per_s_median"] / floor["moves_per_s_median"], 2
                ),
            },
            "latency": (
                "per call, from the start of the burst (claims: before the first "
                "scan; floor: its one write) to the call moved (call_claimed; the "
                "Redirect's response read)"
            ),
            "claim_from_own_scan_p50_ms": claim["from_scan_p50_ms_median"],
            "claim_from_own_scan_p99_ms": claim["from_scan_p99_ms_median"],
            "moved_exactly_once": not result["problems"],
            "problems": result["problems"][:20],
        },
        "rounds": rounds,
        "parameters": {
            **vars(args),
            "entry_setup_s": result["setup_s"],
            "ami_port": env["AMI_PORT"],
            "sip_port": env["SIP_PORT"],
            "sipp_processes": 1 + 3 * args.phone_procs,
        },
        "versions": {
            **versions("homeassistant", "panoramisk"),
            "asterisk": version,
        },
        "loadavg_before": load,
        "loadavg": loadavg(),
    }
    record("load", payload)
    print("summary:", payload["summary"])
    if result["problems"]:
        raise SystemExit(
            f"{len(result['problems'])} problems: {result['problems'][:5]}"
        )


if __name__ == "__main__":
    main()
