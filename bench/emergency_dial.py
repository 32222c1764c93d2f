"""Emergency dial latency on a real Asterisk 22 with SIPp phones.

One run: Asterisk (scripts/asterisk, AMI_PORT 16438 / SIP_PORT 16460 unless
set) with the shipped dialplan and geolocation profile, and a SIPp standing
in for the emergency carrier (endpoint ``carrier``, answers at once). The
AstDB keys are what the integration writes (desk 1 with its ELIN and civic
address, Alice's 101 logged in there, 911 an emergency number, the route
``PJSIP/{number}@carrier``). Each iteration places one call from a SIPp desk
phone and measures, from the SIPp traces' time stamps, the time from the
INVITE the desk sent to the INVITE the carrier received. Iterations rotate
over three kinds:

- ``emergency``: desk 1 dials 911 through ``hotdesk-outbound`` ->
  ``hotdesk-emergency`` (the AstDB look-ups, caller ID, GEOLOC_PROFILE, the
  callback record) -> the carrier, with the PIDF-LO built into the INVITE;
- ``emergency_no_location``: the same from desk 3, which has no location
  at all (no PIDF-LO): what the location itself costs;
- ``floor``: a desk endpoint (``floor1``, the same template as the desks,
  added by this script to the run's ``pjsip_site.conf``) whose context is
  ``test-emergency-floor``: a bare ``Dial(PJSIP/911@carrier)``.

Every emergency INVITE must carry the ELIN and a ``Geolocation`` header (the
run fails otherwise); the floor's and the no-location ones none.

Home Assistant runs in this process with the integration's entry on the same
PBX (its emergency options: 911, the route, the ELIN, one emergency contact);
the contact is a notify action of the benchmark's that notes when it is
called. For each emergency call, ``push`` is the time from the desk's INVITE
to that call: the PBX dialling out, its AMI ``DialBegin``, the alarm. The
floor of both is the bare Dial's INVITE at the carrier.

    bench/emergency_dial.py            # 30 of each kind
    bench/emergency_dial.py --runs 10  # shorter
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
from pathlib import Path
import shutil
import subprocess
import sys
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    OUT,
    SOURCE_CPU,
    asterisk,
    loadavg,
    percentile,
    record,
    start_pbx,
    summary,
    versions,
)

KINDS = ("emergency", "floor", "emergency_no_location")
ELIN = "+13125550100"
LOCATION = (
    'country=US,A1=IL,A3=Chicago,A6="Main Street",HNO=100,PC=60601,'
    "BLD=HQ,FLR=3,ROOM=301"
)
# The floor's endpoint, laid over the test configuration (pjsip.conf
# includes pjsip_site.conf when it exists).
FLOOR_ENDPOINT = """
[floor1](phone-endpoint)
context = test-emergency-floor
"""
WARMUP = 2  # calls of each kind before the measured ones


async def run(args: argparse.Namespace, pbx: dict[str, str]) -> dict[str, Any]:
    from homeassistant.core import ServiceCall  # noqa: PLC0415

    from bench.hass_env import (  # noqa: PLC0415
        account_id,
        bench_hass,
        desk_id,
        make_entry,
        setup_entry,
    )
    from custom_components.hotdesk_phone.const import CONF_EMERGENCY  # noqa: PLC0415

    async with bench_hass() as hass:
        pushes: list[float] = []

        async def front_desk(call: ServiceCall) -> None:
            pushes.append(time.time())

        hass.services.async_register("notify", "bench_front_desk", front_desk)
        entry = make_entry(
            int(pbx["AMI_PORT"]),
            4,
            2,
            pbx["AMI_SECRET"],
            options={
                CONF_EMERGENCY: {
                    "numbers": ["911"],
                    "dial_template": "PJSIP/{number}@carrier",
                    "elin": ELIN,
                    "contacts": ["bench_front_desk"],
                }
            },
            username=pbx["AMI_USERNAME"],
        )
        await setup_entry(hass, entry)
        await entry.runtime_data.hub.async_login(account_id(1), desk_id(1))
        return await _calls(args, pbx, pushes)


async def _calls(
    args: argparse.Namespace, pbx: dict[str, str], pushes: list[float]
) -> dict[str, Any]:
    from custom_components.hotdesk_phone.ami import AmiClient  # noqa: PLC0415
    from tests.e2e.sip_phone import SipPhone, place_call  # noqa: PLC0415

    sip_port = int(pbx["SIP_PORT"])
    ami = AmiClient(
        host=pbx["AMI_HOST"],
        port=int(pbx["AMI_PORT"]),
        username=pbx["AMI_USERNAME"],
        secret=pbx["AMI_SECRET"],
    )
    await ami.connect()
    # Home Assistant wrote the rest (desks, the login, ELINs, 911, the
    # route); desk 1's location is set here so desk 3 stays without one.
    await ami.db_put("hotdesk", "eloc/D00001", LOCATION)
    work = OUT / "emergency-dial"
    shutil.rmtree(work, ignore_errors=True)
    carrier = SipPhone(
        "carrier", sip_port, mode="answer", answer_after_ms=1, work_dir=work / "carrier"
    ).start()
    subprocess.run(  # noqa: ASYNC221 (before anything is measured)
        ["taskset", "-cp", str(SOURCE_CPU), str(carrier.pid)],
        capture_output=True,
        check=False,
    )
    endpoint = {
        "emergency": "desk1",
        "emergency_no_location": "desk3",
        "floor": "floor1",
    }
    samples: dict[str, list[float]] = {kind: [] for kind in (*KINDS, "push")}
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    try:
        total = (args.runs + WARMUP) * len(KINDS)
        for index in range(total):
            kind = KINDS[index % len(KINDS)]
            before = carrier.invite_count
            pushed = len(pushes)
            call = place_call(
                endpoint[kind],
                "911",
                sip_port,
                caller_id_number=f"55{index:05d}",
                hold_ms=20,
                work_dir=work / f"call-{index}",
            )
            received = await loop.run_in_executor(
                None, carrier.wait_for, "INVITE", before + 1, 5.0
            )
            await loop.run_in_executor(None, call.wait, 10)
            call.stop()
            sent = [m for m in call.messages() if m.direction == "sent"]
            if not sent or sent[0].method != "INVITE" or call.final_status != 200:
                raise RuntimeError(f"{kind} call {index}: {call.final_status}")
            located = received.header("Geolocation") is not None
            if kind == "floor":
                ok = not located and received.from_user == f"55{index:05d}"
            else:
                ok = received.from_user == ELIN and located == (kind == "emergency")
            if not ok:
                raise RuntimeError(
                    f"{kind} call {index}: From {received.from_user}, "
                    f"Geolocation {received.header('Geolocation')}"
                )
            if kind != "floor":
                for _ in range(500):  # the alarm is sent within 5 s, or never
                    if len(pushes) > pushed:
                        break
                    await asyncio.sleep(0.01)
                else:
                    raise RuntimeError(f"{kind} call {index}: no push")
            if index >= WARMUP * len(KINDS):
                samples[kind].append((received.time - sent[0].time) * 1000)
                if kind == "emergency":
                    samples["push"].append((pushes[pushed] - sent[0].time) * 1000)
            await asyncio.sleep(args.settle)
    finally:
        carrier.stop()
        await ami.close()
    return {"samples": samples, "duration_s": round(time.monotonic() - started, 1)}


def add_floor_endpoint(run_dir: Path, env: dict[str, str]) -> None:
    """The floor's endpoint in the run's configuration, loaded."""
    etc = run_dir / "etc"
    target = etc / "pjsip_site.conf"
    target.write_text(FLOOR_ENDPOINT, encoding="utf-8")
    owner = etc.stat()
    os.chown(target, owner.st_uid, owner.st_gid)
    asterisk("cli", str(run_dir), "module reload res_pjsip.so", env=env)
    deadline = time.monotonic() + 10
    while (
        "floor1"
        not in asterisk("cli", str(run_dir), "pjsip show endpoints", env=env).stdout
    ):
        if time.monotonic() > deadline:
            raise SystemExit("the floor endpoint did not load")
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description="emergency dial latency")
    parser.add_argument("--runs", type=int, default=30, help="calls of each kind")
    parser.add_argument(
        "--settle", type=float, default=0.05, help="seconds of quiet between calls"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    env = {
        "AMI_PORT": os.environ.get("AMI_PORT", "16438"),
        "SIP_PORT": os.environ.get("SIP_PORT", "16460"),
    }
    run_dir = OUT / "emergency-asterisk"
    pbx = start_pbx(run_dir, env)
    try:
        add_floor_endpoint(run_dir, env)
        version = asterisk(
            "cli", str(run_dir), "core show version", env=env
        ).stdout.strip()
        load = loadavg()
        result = asyncio.run(run(args, pbx))
    finally:
        asterisk("stop", str(run_dir), env=env)
    samples = result["samples"]
    figures = {
        kind: {**summary(values, 3), "p95": round(percentile(values, 95), 3)}
        for kind, values in samples.items()
    }
    ours, floor = figures["emergency"], figures["floor"]
    ratios = {
        "p50": round(ours["p50"] / floor["p50"], 2),
        "p95": round(ours["p95"] / floor["p95"], 2),
    }
    payload = {
        "what": "INVITE sent by a desk for 911 -> INVITE at the carrier (SIPp trace time stamps): the shipped hotdesk-emergency (ELIN, PIDF-LO, callback record), vs a bare Dial to the same carrier in the same run; push: the same INVITE -> Home Assistant calling the emergency contact's notify action",
        "unit": "ms",
        "figures": figures,
        "summary": {
            "emergency_p50_ms": ours["p50"],
            "emergency_p95_ms": ours["p95"],
            "floor_p50_ms": floor["p50"],
            "floor_p95_ms": floor["p95"],
            "no_location_p50_ms": figures["emergency_no_location"]["p50"],
            "push_p50_ms": figures["push"]["p50"],
            "push_p95_ms": figures["push"]["p95"],
            "push_ratios_to_floor": {
                "p50": round(figures["push"]["p50"] / floor["p50"], 2),
                "p95": round(figures["push"]["p95"] / floor["p95"], 2),
            },
            "overhead_p50_ms": round(ours["p50"] - floor["p50"], 3),
            "ratios_to_floor": ratios,
        },
        "parameters": {
            "runs": args.runs,
            "warmup": WARMUP,
            "settle_s": args.settle,
            "order": ", ".join(KINDS) + ", repeated",
            "ami_port": env["AMI_PORT"],
            "sip_port": env["SIP_PORT"],
            "duration_s": result["duration_s"],
        },
        "versions": {
            **versions(),
            "asterisk": version,
            "sipp": subprocess.run(
                ["sipp", "-v"], capture_output=True, text=True, check=False
            )
            .stdout.strip()
            .splitlines()[0:1],
        },
        "loadavg_before": load,
        "loadavg": loadavg(),
    }
    record("emergency_dial", payload)
    for kind, fig in figures.items():
        print(
            f"{kind:22s} p50 {fig['p50']:.3f} ms  p95 {fig['p95']:.3f} ms"
            f"  (min {fig['min']:.3f}, max {fig['max']:.3f}, n {fig['n']})"
        )
    print("ratios to the floor:", ratios, "load", loadavg())


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
