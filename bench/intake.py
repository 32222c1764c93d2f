"""Event intake: AMI events per second absorbed on one core.

The source (bench/ami_source.py, pinned to the other core) replays the real
Asterisk 22 events of tests/fixtures/ami/*.ami (most of them events we do
not track) over TCP on 127.0.0.1 as fast as the client reads them. Clients,
each in its own process pinned to one core:

- ``integration``: the whole integration in a Home Assistant instance (config
  entry with N desks and N accounts; AmiClient -> hub -> tracker -> HA events,
  entity state writes). Done when the sentinel desk's sensor changed state.
- ``amiclient``: our AmiClient alone, counting the tracked events it hands on.
- ``panoramisk``: raw ``panoramisk.Manager`` with one callback for ``'*'``.
- ``asterisk-ami`` / ``asterisk-ami-ha`` (bench/intake_asterisk_ami.py, in the
  bench venv): the library of the most used HA Asterisk integration, with one
  listener, or with that integration's four filtered listeners per endpoint.

    bench/intake.py                 # everything; writes bench/results.json
    bench/intake.py --quick         # fewer sizes and repeats
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
import json
import logging
import os
from pathlib import Path
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    BENCH,
    BENCH_PYTHON,
    CLIENT_CPU,
    MAIN_PYTHON,
    SOURCE_CPU,
    emit,
    loadavg,
    pin,
    record,
    versions,
)
from bench.control import Control, measure

SECRET = "s3cret"  # noqa: S105

# The integration measured with this script before the fix of the hub's
# entity updates (every tracked event updated every entity of the entry;
# now only those of the desk/account it concerns). Same machine, 3 repeats.
BEFORE_FIX = {
    "integration_events_per_s": {"10": 29758, "100": 2418, "1000": 194, "2000": 116},
    "git": "aa5626f + work tree of 2026-11-23",
}
USERNAME = "hotdesk"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------- clients


def run_async_client(
    make: Callable[[], Any], control_port: int, mode: str, repeats: int
) -> dict[str, Any]:
    """Run an asyncio client in this thread and the measuring loop in another.

    ``make(ready, box, stop)`` is the client coroutine: it connects, puts an
    ``async blast(control, run, events) -> seconds`` into ``box``, sets
    ``ready`` and keeps running until ``stop`` is set.
    """
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    box: dict[str, Any] = {}
    stop = asyncio.Event()
    result: dict[str, Any] = {}

    def driver() -> None:
        try:
            ready.wait(RUN_SETUP_TIMEOUT)
            control = Control(control_port)

            def blast(run: int, events: int) -> float:
                future = asyncio.run_coroutine_threadsafe(
                    box["blast"](control, run, events), loop
                )
                return future.result(timeout=RUN_TIMEOUT)

            result.update(measure(control, mode, blast, repeats))
            control.close()
        except Exception as err:  # noqa: BLE001
            result["error"] = repr(err)
        finally:
            loop.call_soon_threadsafe(stop.set)

    thread = threading.Thread(target=driver, daemon=True)
    thread.start()
    loop.run_until_complete(make(ready, box, stop))
    thread.join()
    loop.close()
    if "ha_events" in box:
        result["ha_events_total"] = box["ha_events"]
    if "setup_s" in box:
        result["entry_setup_s"] = box["setup_s"]
    return result


RUN_SETUP_TIMEOUT = 300.0
RUN_TIMEOUT = 600.0


def integration_client(port: int, desks: int) -> Callable[..., Any]:
    async def client(
        ready: threading.Event, box: dict[str, Any], stop: asyncio.Event
    ) -> None:
        from homeassistant.core import Event, callback  # noqa: PLC0415
        from homeassistant.helpers.event import (  # noqa: PLC0415
            async_track_state_change_event,
        )

        from bench.hass_env import (  # noqa: PLC0415
            bench_hass,
            desk_id,
            entity_id,
            make_entry,
            setup_entry,
        )

        async with bench_hass() as hass:
            entry = make_entry(port, desks, desks, SECRET)
            started = time.perf_counter()
            await setup_entry(hass, entry)
            box["setup_s"] = round(time.perf_counter() - started, 3)
            # Measure a connected hub (a link lost during setup reconnects).
            hub = entry.runtime_data.hub
            async with asyncio.timeout(120):
                while not hub.connected:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
            sentinel = entity_id(hass, f"{desk_id(desks)}_desk_call_state")
            waiting: dict[str, Any] = {}

            @callback
            def changed(event: Event) -> None:
                new = event.data["new_state"]
                if new is not None and new.state == waiting.get("state"):
                    waiting["future"].set_result(time.perf_counter())

            unsub = async_track_state_change_event(hass, [sentinel], changed)
            # Evidence of the real work: calls seen and ended (HA bus events).
            work = {"incoming_call": 0, "call_ended": 0, "call_missed": 0}

            @callback
            def count_call_event(event: Event) -> None:
                work[event.event_type.removeprefix("hotdesk_phone_")] += 1

            unsubs = [
                hass.bus.async_listen(f"hotdesk_phone_{name}", count_call_event)
                for name in work
            ]
            box["ha_events"] = work

            async def blast(control: Control, run: int, events: int) -> float:
                waiting["state"] = "in_call" if run % 2 == 0 else "idle"
                waiting["future"] = asyncio.get_running_loop().create_future()
                started = time.perf_counter()
                control.go()
                finished = await waiting["future"]
                return finished - started

            box["blast"] = blast
            ready.set()
            await stop.wait()
            unsub()
            for remove in unsubs:
                remove()

    return client


def counting_client(
    port: int, kind: str, expect: Callable[[int], int] = lambda n: n
) -> Callable[..., Any]:
    async def client(
        ready: threading.Event, box: dict[str, Any], stop: asyncio.Event
    ) -> None:
        state: dict[str, Any] = {"count": 0, "expected": -1, "future": None}

        def count(*_: Any) -> None:
            state["count"] += 1
            if state["count"] == state["expected"]:
                state["future"].set_result(time.perf_counter())

        if kind == "panoramisk":
            from panoramisk import Manager  # noqa: PLC0415

            manager = Manager(
                host="127.0.0.1",
                port=port,
                username=USERNAME,
                secret=SECRET,
                ping_delay=3600,
                loop=asyncio.get_running_loop(),
            )
            manager.register_event("*", count)
            await manager.connect()
            login = await manager.authenticated_future
            if not login.success:
                raise RuntimeError("login failed")
            close: Callable[[], Any] = manager.close
        else:  # our AmiClient, without the hub
            from custom_components.hotdesk_phone.ami import AmiClient  # noqa: PLC0415

            ami = AmiClient(
                host="127.0.0.1",
                port=port,
                username=USERNAME,
                secret=SECRET,
                on_event=count,
                ping_interval=3600,
            )
            await ami.connect()
            close = ami.close

        async def blast(control: Control, run: int, events: int) -> float:
            await asyncio.sleep(0.05)  # let the login's FullyBooted through
            state["count"] = 0
            state["expected"] = expect(events)
            state["future"] = asyncio.get_running_loop().create_future()
            started = time.perf_counter()
            control.go()
            finished = await state["future"]
            return finished - started

        box["blast"] = blast
        ready.set()
        await stop.wait()
        result = close()
        if asyncio.iscoroutine(result):
            await result

    return client


def client_main(args: argparse.Namespace) -> None:
    pin(CLIENT_CPU)
    logging.basicConfig(level=logging.WARNING)
    if args.client == "integration":
        make = integration_client(args.port, args.desks)
    elif args.client == "amiclient":
        make = amiclient_factory(args)
    else:
        make = counting_client(args.port, args.client)
    started = time.perf_counter()
    result = run_async_client(make, args.control_port, args.mode, args.repeats)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    emit(result)


def amiclient_factory(args: argparse.Namespace) -> Callable[..., Any]:
    """Our AmiClient alone: it hands on tracked events only, so count those."""
    from bench.ami_source import cycle_events  # noqa: PLC0415

    per_cycle = len(cycle_events(args.mode))
    tracked_per_cycle = sum(
        1 for e in cycle_events(args.mode) if e["Event"] in _tracked()
    )
    return counting_client(
        args.port,
        "amiclient",
        lambda events: (events - 1) // per_cycle * tracked_per_cycle + 1,
    )


def _tracked() -> frozenset[str]:
    from custom_components.hotdesk_phone.ami_wire import TRACKED_EVENTS  # noqa: PLC0415

    return TRACKED_EVENTS


# ------------------------------------------------------------ orchestrator


def run_one(
    client: str,
    desks: int,
    mode: str = "full",
    repeats: int = 5,
    profile: str | None = None,
) -> dict[str, Any]:
    """Start a source and one client process; return the client's figures."""
    port, control_port = free_port(), free_port()
    source = subprocess.Popen(
        [
            str(MAIN_PYTHON),
            str(BENCH / "ami_source.py"),
            "--port",
            str(port),
            "--control-port",
            str(control_port),
            "--desks",
            str(max(desks, 4)),
            "--cpu",
            str(SOURCE_CPU),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert source.stdout is not None
        line = source.stdout.readline()
        if not line.startswith("LISTENING"):
            raise RuntimeError(f"source did not start: {line!r}")
        if client.startswith("asterisk-ami"):
            command = [str(BENCH_PYTHON), str(BENCH / "intake_asterisk_ami.py")]
        else:
            command = [str(MAIN_PYTHON), str(BENCH / "intake.py")]
        command += [
            "--client", client,
            "--port", str(port),
            "--control-port", str(control_port),
            "--desks", str(desks),
            "--mode", mode,
            "--repeats", str(repeats),
        ]  # fmt: skip
        if profile:  # py-spy's collapsed stacks (flamegraph.pl / speedscope)
            spy = BENCH_PYTHON.parent / "py-spy"
            command = [
                str(spy),
                "record",
                "--nonblocking",
                "-r",
                "250",
                "-f",
                "raw",
                "-o",
                profile,
                "--",
                *command,
            ]
        load_before = loadavg()
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=1800, check=False
        )
        lines = [x for x in done.stdout.splitlines() if x.startswith("{")]
        if done.returncode != 0 or not lines:
            raise RuntimeError(
                f"{client} failed ({done.returncode}): {done.stderr[-2000:]}"
            )
        result: dict[str, Any] = json.loads(lines[-1])
        result["loadavg_before"] = load_before
        # The bench never drops the link here: any loss is the client's own.
        result["link_lost_logged"] = done.stderr.count("Lost the connection")
        result["loadavg_after"] = loadavg()
        return result
    finally:
        source.terminate()
        source.wait(10)


def merge(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One figure from several client processes: the median of all their runs."""
    rates = [rate for run in runs for rate in run["runs_events_per_s"]]
    median = statistics.median(rates)
    return {
        "events_per_s": round(median),
        "us_per_event": round(1e6 / median, 3),
        "runs_events_per_s": rates,
        "events_per_cycle": runs[0]["events_per_cycle"],
        "events_per_run": [run["events_per_run"] for run in runs],
        "loadavg_before": [run["loadavg_before"] for run in runs],
        "link_lost_logged": [run.get("link_lost_logged", 0) for run in runs],
        **{
            k: runs[-1][k]
            for k in ("ha_events_total", "entry_setup_s")
            if k in runs[-1]
        },
    }


def orchestrate(args: argparse.Namespace) -> None:
    """Rounds of every client, so that a change of load hits them all."""
    sizes = [10, 2000] if args.quick else [10, 100, 1000, 2000]
    rounds = 1 if args.quick else 2
    repeats = 5
    raw: dict[str, list[dict[str, Any]]] = {}

    def one(key: str, client: str, desks: int, mode: str = "full") -> None:
        result = run_one(client, desks, mode, repeats)
        raw.setdefault(key, []).append(result)
        print(
            f"{key:34s} {result['events_per_s']:>8} ev/s  runs {result['runs_events_per_s']}"
            f"  load {result['loadavg_before']}",
            flush=True,
        )

    for number in range(rounds):
        print(f"round {number + 1} of {rounds}", flush=True)
        one("raw_panoramisk", "panoramisk", 10)
        one("asterisk_ami", "asterisk-ami", 10)
        one("amiclient_only", "amiclient", 10)
        for desks in sizes:
            one(f"integration_{desks}", "integration", desks)
        one("integration_100_eventfilter", "integration", 100, "tracked")
        if 100 not in sizes:
            one("integration_100", "integration", 100)
    for endpoints in (10, 2000):
        one(f"asterisk_ami_ha_pattern_{endpoints}", "asterisk-ami-ha", endpoints)
    merged = {key: merge(runs) for key, runs in raw.items()}
    figures: dict[str, Any] = {
        "raw_panoramisk": merged["raw_panoramisk"],
        "asterisk_ami": merged["asterisk_ami"],
        "amiclient_only": merged["amiclient_only"],
        "integration": {str(d): merged[f"integration_{d}"] for d in sizes},
        "asterisk_ami_ha_pattern": {
            str(e): merged[f"asterisk_ami_ha_pattern_{e}"] for e in (10, 2000)
        },
    }
    full, tracked = merged["integration_100"], merged["integration_100_eventfilter"]
    figures["eventfilter"] = {
        "desks": 100,
        "full_stream": full,
        "tracked_only": tracked,
        "calls_per_s_full": round(3 * full["events_per_s"] / full["events_per_cycle"]),
        "calls_per_s_tracked": round(
            3 * tracked["events_per_s"] / tracked["events_per_cycle"]
        ),
        "note": "a cycle replays 3 recorded calls; calls/s = PBX traffic absorbed",
    }
    integration = figures["integration"]
    floor = max(
        figures["raw_panoramisk"]["events_per_s"],
        figures["asterisk_ami"]["events_per_s"],
    )
    per_size = {k: v["events_per_s"] for k, v in integration.items()}
    us = {k: v["us_per_event"] for k, v in integration.items()}
    worst = min(per_size.values())
    payload = {
        "what": "AMI events/s absorbed on one core from a local replay of real Asterisk 22 events",
        "unit": "events/s",
        "figures": figures,
        "summary": {
            "integration_events_per_s": per_size,
            "integration_us_per_event": us,
            "floor_events_per_s": floor,
            "floor_is": "the faster of raw panoramisk and asterisk-ami",
            "ratio_to_floor": {k: round(v / floor, 2) for k, v in per_size.items()},
            "ratio_worst_integration_to_floor": round(worst / floor, 2),
            "eventfilter_calls_per_s": {
                "full_stream": figures["eventfilter"]["calls_per_s_full"],
                "tracked_only": figures["eventfilter"]["calls_per_s_tracked"],
            },
            "before_fix": BEFORE_FIX,
            "target": "integration >= floor at every size; cost per event flat in desks",
            "target_met": worst >= floor,
            "cost_growth_2000_vs_10": round(us["2000"] / us["10"], 2)
            if "2000" in us and "10" in us
            else None,
            "reference_elsewhere": {
                "raw_panoramisk": 70000,
                "asterisk_ami": 130000,
                "asterisk_ami_ha_pattern_10": 34000,
                "asterisk_ami_ha_pattern_2000": 250,
            },
        },
        "parameters": {
            "sizes": sizes,
            "repeats": repeats,
            "rounds": rounds,
            "events_per_cycle": figures["raw_panoramisk"]["events_per_cycle"],
            "client_cpu": CLIENT_CPU,
            "source_cpu": SOURCE_CPU,
            "statistic": "median of all runs (repeats x rounds)",
        },
        "versions": {
            **versions("homeassistant", "panoramisk"),
            "asterisk-ami": subprocess.run(
                [
                    str(BENCH_PYTHON),
                    "-c",
                    "import importlib.metadata as m;print(m.version('asterisk-ami'))",
                ],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip(),
        },
        "loadavg": loadavg(),
    }
    record("event_intake", payload)
    print(json.dumps(payload["summary"], indent=2))


def flatness(sizes: list[int], rounds: int = 2, repeats: int = 5) -> None:
    """The integration alone at a small and a large office: cost per event.

    Rounds alternate the sizes (a change of machine load hits both); each
    figure is the median of every run of every round. Target (issue 13): the
    cost per event at the largest size at most 1.2x the smallest's.
    """
    raw: dict[int, list[dict[str, Any]]] = {}
    for number in range(rounds):
        for desks in sizes:
            result = run_one("integration", desks, "full", repeats)
            raw.setdefault(desks, []).append(result)
            print(
                f"round {number + 1}: integration {desks:6d} desks "
                f"{result['events_per_s']:>8} ev/s  link lost "
                f"{result['link_lost_logged']}  load {result['loadavg_before']}",
                flush=True,
            )
    merged = {str(d): merge(runs) for d, runs in raw.items()}
    small, large = str(min(sizes)), str(max(sizes))
    growth = round(merged[large]["us_per_event"] / merged[small]["us_per_event"], 2)
    payload = {
        "what": "cost per AMI event of the integration (AmiClient + hub + tracker "
        "in HA) at a small and a large office, same replay",
        "unit": "us/event (events/s)",
        "figures": merged,
        "summary": {
            "us_per_event": {k: v["us_per_event"] for k, v in merged.items()},
            "events_per_s": {k: v["events_per_s"] for k, v in merged.items()},
            "cost_growth": growth,
            "cost_growth_of": f"{large} vs {small} desks",
            "target": "cost per event at the largest size <= 1.2x the smallest's",
            "target_met": growth <= 1.2,
            "floor": f"the integration itself at {small} desks (same run)",
        },
        "parameters": {
            "sizes": sizes,
            "rounds": rounds,
            "repeats": repeats,
            "client_cpu": CLIENT_CPU,
            "source_cpu": SOURCE_CPU,
            "statistic": "median of all runs (repeats x rounds)",
        },
        "versions": versions("homeassistant", "panoramisk"),
        "loadavg": loadavg(),
    }
    record("event_intake_flatness", payload)
    print(json.dumps(payload["summary"], indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description="AMI event intake benchmark")
    parser.add_argument("--client")
    parser.add_argument("--port", type=int)
    parser.add_argument("--control-port", type=int)
    parser.add_argument("--desks", type=int, default=10)
    parser.add_argument("--mode", default="full")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--only", help="run one client kind and size, e.g. integration:2000"
    )
    parser.add_argument(
        "--profile", help="with --only: py-spy collapsed stacks to this file"
    )
    parser.add_argument(
        "--flatness",
        help="the integration alone at these sizes, e.g. 10,10000 (cost per "
        "event; records event_intake_flatness)",
    )
    args = parser.parse_args()
    if args.flatness:
        flatness([int(x) for x in args.flatness.split(",")])
    elif args.client:
        client_main(args)
    elif args.only:
        kind, _, size = args.only.partition(":")
        result = run_one(kind, int(size or 10), args.mode, args.repeats, args.profile)
        print(json.dumps(result, indent=2))
    else:
        orchestrate(args)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
