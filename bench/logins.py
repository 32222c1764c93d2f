"""Logins at scale: every entity's state written with half the office logged in.

An office of N desks and N accounts is set up against the test AMI server
(its own process, on the other core). Then every entity's state is written
the way a reconnect writes them (``hub.updates.async_update()``, in the entry's
slices of loop time), first with nobody logged in (the floor: the same
writes, no login to look up), then again after half the accounts logged in
at half the desks through the hub (AstDB written as for a scan). An
account's sensor and busy lamp ask where it is logged in: the figure shows
whether that costs anything that grows with the number of logins. The
same two states also time working out every account's route in the AstDB
writer's chunks (``route_values``), as an import of every account does.

    python bench/logins.py --size 10000     # records "logins" in results.json
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path
import statistics
import subprocess
import sys
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    BENCH,
    CLIENT_CPU,
    MAIN_PYTHON,
    SOURCE_CPU,
    Phases,
    loadavg,
    pin,
    record,
    versions,
)
from bench.intake import free_port
from custom_components.hotdesk_phone.astdb import SPLIT_CHUNK
from custom_components.hotdesk_phone.routing import astdb_values

REPEATS = 3

# Measured with this script on the code before the login book kept its index
# by account (commit 95acce1, same machine, same day): each account's sensor
# and busy lamp read every login.
BEFORE_FIX = {
    "10000": {
        "write_all_no_logins_s": 0.842,
        "write_all_half_logged_in_s": 4.363,
        "ratio_to_floor": 5.18,
        "log_in_half_s": 19.2,
    }
}

# Measured with this script (``--no-record``) on the directory of commit
# 7c943e8 (same machine, same day): each route's value read every login.
BEFORE_ROUTE_FIX = {
    "10000": {
        "route_values_no_logins_s": 0.0219,
        "route_values_half_logged_in_s": 1.3385,
        "route_values_ratio_to_floor": 61.12,
        "log_in_half_s": 12.264,
    }
}


async def write_all(hub: Any, phases: Phases, run: str) -> tuple[float, float]:
    """Seconds to write every entity's state, as after a reconnect, and the
    collector's seconds in them (a full collection may fall in any run)."""
    phases.start(run)
    started = time.perf_counter()
    hub.updates.async_update()  # the hub's own "update all"
    await hub.updates.async_written()
    elapsed = time.perf_counter() - started
    phases.stop()
    return elapsed, phases.gc_s.get(run, 0.0)


def route_values(hub: Any) -> float:
    """Seconds to work out every account's route, as an import of all does.

    The AstDB writer asks the values (``routing.astdb_values``) in chunks of
    ``SPLIT_CHUNK`` keys; a route joins the account's home desks and the
    desks it is logged in at.
    """
    keys = [f"route/{a.extension}" for a in hub.directory.accounts.values()]
    started = time.perf_counter()
    for start in range(0, len(keys), SPLIT_CHUNK):
        astdb_values(hub, keys[start : start + SPLIT_CHUNK])
    return time.perf_counter() - started


def ring_sets(hub: Any) -> float:
    """Seconds to work out every account's ring set, once each.

    Each incoming call asks its account's (the tracker, the push to the
    person's phone); so does presence, and the check before a login.
    """
    accounts = list(hub.directory.accounts)
    started = time.perf_counter()
    for account in accounts:
        hub.directory.ring_set(account, hub.logins)
    return time.perf_counter() - started


async def measure(port: int, size: int) -> dict[str, Any]:
    """The office set up; all states written without and with logins."""
    from bench.hass_env import (  # noqa: PLC0415
        account_id,
        bench_hass,
        desk_id,
        make_entry,
        setup_entry,
    )

    out: dict[str, Any] = {"size": size, "logins": size // 2}
    async with bench_hass() as hass:
        entry = make_entry(port, size, size)
        await setup_entry(hass, entry)
        hub = entry.runtime_data.hub
        await hass.async_block_till_done()
        phases = Phases(None)
        # HA's delayed saves of its registries (written seconds after the
        # setup, in an executor thread that holds the interpreter lock for
        # most of it) would otherwise land in some of the timed runs.
        await phases.write_ha_saves(hass)
        none_runs = [await write_all(hub, phases, f"none{i}") for i in range(REPEATS)]
        none = [elapsed for elapsed, _ in none_runs]
        routes_none = [route_values(hub) for _ in range(REPEATS)]
        rings_none = [ring_sets(hub) for _ in range(REPEATS)]
        started = time.perf_counter()
        for i in range(1, size // 2 + 1):
            await hub.async_login(account_id(i), desk_id(size + 1 - i))
        out["log_in_half_s"] = round(time.perf_counter() - started, 3)
        assert len(hub.logins) == size // 2
        await hass.async_block_till_done()
        await phases.write_ha_saves(hass)
        half_runs = [await write_all(hub, phases, f"half{i}") for i in range(REPEATS)]
        half = [elapsed for elapsed, _ in half_runs]
        out["write_all_no_logins_gc_runs_s"] = [round(g, 3) for _, g in none_runs]
        out["write_all_half_logged_in_gc_runs_s"] = [round(g, 3) for _, g in half_runs]
        outside_none = statistics.median(e - g for e, g in none_runs)
        outside_half = statistics.median(e - g for e, g in half_runs)
        out["write_all_no_logins_outside_gc_s"] = round(outside_none, 3)
        out["write_all_half_logged_in_outside_gc_s"] = round(outside_half, 3)
        out["ratio_to_floor_outside_gc"] = round(outside_half / outside_none, 2)
        routes_half = [route_values(hub) for _ in range(REPEATS)]
        rings_half = [ring_sets(hub) for _ in range(REPEATS)]
        # Ratios of the measured times, not of their rounded figures (a small
        # office's ring sets round to 0).
        ring_none, ring_half = map(statistics.median, (rings_none, rings_half))
        out["ring_sets_no_logins_s"] = round(ring_none, 4)
        out["ring_sets_half_logged_in_s"] = round(ring_half, 4)
        out["ring_sets_ratio_to_floor"] = round(ring_half / ring_none, 2)
        route_none, route_half = map(statistics.median, (routes_none, routes_half))
        out["route_values_no_logins_s"] = round(route_none, 4)
        out["route_values_half_logged_in_s"] = round(route_half, 4)
        out["route_values_ratio_to_floor"] = round(route_half / route_none, 2)
        out["write_all_no_logins_s"] = round(statistics.median(none), 3)
        out["write_all_no_logins_runs_s"] = [round(x, 3) for x in none]
        out["write_all_half_logged_in_s"] = round(statistics.median(half), 3)
        out["write_all_half_logged_in_runs_s"] = [round(x, 3) for x in half]
        out["ratio_to_floor"] = round(
            statistics.median(half) / statistics.median(none), 2
        )
        await hass.config_entries.async_unload(entry.entry_id)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="logins at scale")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument(
        "--no-record", action="store_true", help="print only (a before/after probe)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    port, control_port = free_port(), free_port()
    source = subprocess.Popen(
        [
            str(MAIN_PYTHON), str(BENCH / "ami_source.py"),
            "--port", str(port), "--control-port", str(control_port),
            "--desks", str(args.size), "--cpu", str(SOURCE_CPU),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert source.stdout is not None
        if not source.stdout.readline().startswith("LISTENING"):
            raise RuntimeError("source did not start")
        pin(CLIENT_CPU)
        load = loadavg()
        result = asyncio.run(measure(port, args.size))
        result["loadavg_before"] = load
    finally:
        source.terminate()
        source.wait(10)
    print(result, flush=True)
    if args.no_record:
        return
    record(
        "logins",
        {
            "what": "every entity's state written (as after a reconnect) in an "
            "office of N desks + N accounts, with nobody logged in (floor) and "
            "with N/2 accounts logged in at N/2 desks",
            "unit": "seconds",
            "figures": result,
            "before_fix": BEFORE_FIX,
            "before_route_fix": BEFORE_ROUTE_FIX,
            "parameters": {
                "repeats": REPEATS,
                "statistic": "median",
                "server": "tests/ami_server.py in its own process "
                "(bench/ami_source.py)",
                "client_cpu": CLIENT_CPU,
                "source_cpu": SOURCE_CPU,
            },
            "versions": versions("homeassistant", "panoramisk"),
        },
    )


if __name__ == "__main__":
    main()
