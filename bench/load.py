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
  Latency per call: first scan started -> ``call_claimed`` fired.
- ``floor``: N bare Redirects (raw ``panoramisk.Manager`` on its own AMI
  connection) to ``x<i>``, all at once. Latency: Redirect sent -> response.

Throughput figures: calls/s (N / first INVITE sent by the caller -> last
``incoming_call`` in HA) and claims/s (N / burst start -> last call_claimed,
or last Redirect response for the floor). The answering desks are hung up by
the callers after ``--hold-ms``; every call must end exactly once.

    bench/load.py                  # N=100, 3 rounds of each kind
    bench/load.py --calls 50 --rounds 1
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter, defaultdict
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
    CLIENT_CPU,
    OUT,
    REPO,
    SOURCE_CPU,
    asterisk,
    loadavg,
    pin,
    record,
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
                "subentry_id": f"D{role.upper()}{i:04d}",
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
                CONF_HOME_DESKS: [f"DH{i:04d}"],
                CONF_TAGS: [f"tag-{i}"],
            },
        }
        for i in range(1, calls + 1)
    ]
    return items


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
    from panoramisk import Manager  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        MockConfigEntry,
    )

    from homeassistant.components.tag import async_scan_tag  # noqa: PLC0415
    from homeassistant.core import Event, callback  # noqa: PLC0415
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    from bench.hass_env import bench_hass, setup_entry  # noqa: PLC0415
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
            original_redirect = hub.client.redirect

            async def counting_redirect(channel: str, *a: Any, **kw: Any) -> None:
                redirects[channel] += 1
                await original_redirect(channel, *a, **kw)

            hub.client.redirect = counting_redirect

            manager = Manager(
                host=host,
                port=port,
                username=user,
                secret=secret,
                ping_delay=3600,
                loop=asyncio.get_running_loop(),
            )
            await manager.connect()
            if not (await manager.authenticated_future).success:
                raise RuntimeError("panoramisk login failed")
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
                latency: list[float] = []
                started: dict[str, float] = {}
                burst = time.perf_counter()
                if kind == "claim":
                    done_at: dict[str, float] = {}

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
                        pair = [f"scanner-x{i}", f"scanner-y{i}"]
                        if i % 2:
                            pair.reverse()
                        jobs += [scan(num, f"tag-{i}", s) for s in pair]
                    await asyncio.gather(*jobs)
                    await until(
                        lambda w=wanted: len(of("call_claimed", w)) == n,
                        f"{n} call_claimed",
                    )
                    for at, data in of("call_claimed", wanted):
                        done_at[data["caller_id_number"]] = at
                    latency = [(done_at[num] - started[num]) * 1000 for num in numbers]
                    burst_end = max(done_at.values())
                else:

                    async def bare(
                        num: str,
                        channel: str,
                        desk: str,
                        started: dict[str, float] = started,
                    ) -> float:
                        t0 = time.perf_counter()
                        started[num] = t0
                        reply = await manager.send_action(
                            {
                                "Action": "Redirect",
                                "Channel": channel,
                                "Context": CONTEXT_CLAIM,
                                "Exten": desk,
                                "Priority": "1",
                            }
                        )
                        t1 = time.perf_counter()
                        if not reply.success:
                            raise RuntimeError(f"floor Redirect failed: {reply}")
                        return t1 - t0

                    took = await asyncio.gather(
                        *(
                            bare(num, by_number[num].caller_channel, f"DX{i:04d}")
                            for num, i in numbers.items()
                        )
                    )
                    latency = [t * 1000 for t in took]
                    burst_end = max(
                        started[num] + t for num, t in zip(numbers, took, strict=True)
                    )
                claims_per_s = n / (burst_end - burst)
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
                    "burst_ms": round((burst_end - burst) * 1000, 1),
                    "latency_ms": summary(latency, 2),
                    "problems": len(checks),
                }
                if round_no:
                    rounds.append(row)
                print(
                    f"  round {round_no} {kind:5s}: {row['calls_per_s']} calls/s, "
                    f"{row['moves_per_s']} moves/s, latency p50 "
                    f"{row['latency_ms']['p50']} ms p99 {row['latency_ms']['p99']} ms,"
                    f" problems {len(checks)}",
                    flush=True,
                )
                await until(lambda: not hub.tracker.calls, "no calls left", limit=10)
                await asyncio.sleep(args.settle)
            manager.close()
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
    ensure = asterisk("ensure", env=env)
    if ensure.returncode != 0:
        raise SystemExit(f"scripts/asterisk ensure failed: {ensure.stderr[-2000:]}")
    run_dir = OUT / "load-asterisk"
    asterisk("stop", str(run_dir), env=env)
    started = asterisk("start", str(run_dir), env=env)
    if started.returncode != 0:
        raise SystemExit(f"scripts/asterisk start failed: {started.stderr[-2000:]}")
    pbx = dict(
        line.split("=", 1) for line in started.stdout.splitlines() if "=" in line
    )
    pbx["RUN_DIR"] = str(run_dir)
    subprocess.run(
        ["taskset", "-a", "-cp", str(SOURCE_CPU), pbx["ASTERISK_PID"]],
        capture_output=True,
        check=False,
    )
    pin(CLIENT_CPU)
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
        all_latency = [r["latency_ms"] for r in rows]
        figures[kind] = {
            "calls_per_s_median": sorted(r["calls_per_s"] for r in rows)[
                len(rows) // 2
            ],
            "moves_per_s_median": sorted(r["moves_per_s"] for r in rows)[
                len(rows) // 2
            ],
            "latency_p50_ms_median": sorted(x["p50"] for x in all_latency)[
                len(rows) // 2
            ],
            "latency_p99_ms_median": sorted(x["p99"] for x in all_latency)[
                len(rows) // 2
            ],
        }
    claim, floor = figures["claim"], figures["floor"]
    payload = {
        "what": (
            f"{args.calls} calls at once to {args.calls} accounts on a real Asterisk, "
            "each claimed by two racing scans (tag.async_scan_tag at two desks), "
            "vs the same burst moved by bare panoramisk Redirects (floor)"
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
