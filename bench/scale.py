"""Scale: N accounts and N desks against the test AMI server.

For each N (default 100, 500, 2000), in a fresh process pinned to one core,
with the test AMI server (bench/ami_source.py = tests/ami_server.py) in its
own process on the other core:

- setup: ``async_setup`` of the config entry until HA is idle (connect, AstDB
  rewrite, resync, 4N+2 entities and 2N+1 devices registered);
- memory added by the entry: RSS delta (and, in a second process, the
  Python allocations traced by tracemalloc);
- resync after a reconnect: the server drops the link; the hub reconnects
  and resynchronises (CoreSettings, the whole AstDB tree rewritten,
  pipelined, DeviceStateList, CoreShowChannels), as timed by the hub itself
  (``last_resync_seconds``); also the AstDB rewrite alone;
- one config change: one account subentry changed -> applied live (no
  reload, the AMI link kept) -> AstDB diff (until HA is idle and the server
  holds the new route);
- one login (and one logout) -> incremental AstDB update.

    bench/scale.py                   # 100, 500, 2000; writes bench/results.json
    bench/scale.py --sizes 2000      # one size
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
from pathlib import Path
import statistics
import subprocess
import sys
import time
import tracemalloc
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    BENCH,
    CLIENT_CPU,
    MAIN_PYTHON,
    SOURCE_CPU,
    emit,
    loadavg,
    pin,
    record,
    versions,
)
from bench.control import Control
from bench.intake import free_port

REPEATS = 5
# Measured with this script before the AstDB rewrite kept a bounded number of
# DBPuts in flight (it had all 6,000 in flight at once); same machine.
BEFORE_FIX = {"2000": {"resync_s": 0.685, "astdb_rewrite_s": 0.586}}
RESYNC_REPEATS = 3


def rss_bytes() -> int:
    """Resident set size of this process."""
    with Path("/proc/self/statm").open(encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def wait_until(predicate: Any, limit: float = 60.0) -> None:
    """Poll (every millisecond) until predicate() is true."""
    async with asyncio.timeout(limit):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.001)


async def client(
    port: int, control_port: int, size: int, traced: bool
) -> dict[str, Any]:
    from homeassistant.config_entries import ConfigEntryState  # noqa: PLC0415
    from homeassistant.helpers import (  # noqa: PLC0415
        device_registry as dr,
        entity_registry as er,
    )

    from bench.hass_env import (  # noqa: PLC0415
        account_id,
        bench_hass,
        desk_id,
        extension,
        make_entry,
        setup_entry,
    )
    from custom_components.hotdesk_phone.const import (  # noqa: PLC0415
        CONF_HOME_DESKS,
        DOMAIN,
    )

    control = Control(control_port)
    out: dict[str, Any] = {"size": size}
    async with bench_hass() as hass:
        entry = make_entry(port, size, size)
        gc.collect()
        if traced:
            tracemalloc.start()
            before_traced = tracemalloc.get_traced_memory()[0]
        before = rss_bytes()
        started = time.perf_counter()
        await setup_entry(hass, entry)
        setup_s = time.perf_counter() - started
        gc.collect()
        if traced:
            out["tracemalloc_added_mb"] = round(
                (tracemalloc.get_traced_memory()[0] - before_traced) / 2**20, 1
            )
            tracemalloc.stop()
            return out
        out["setup_s"] = round(setup_s, 3)
        out["rss_added_mb"] = round((rss_bytes() - before) / 2**20, 1)
        out["entities"] = len(
            er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        )
        out["devices"] = len(
            dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
        )
        out["states"] = len(hass.states.async_entity_ids())
        out["astdb_keys"] = int(control.ask("COUNT", "hotdesk/"))
        hub = entry.runtime_data.hub

        # Resync after the PBX dropped the link.
        resync, wall = [], []
        for _ in range(RESYNC_REPEATS):
            previous = hub.last_resync_seconds
            logins = int(control.ask("LOGINS"))
            dropped = time.perf_counter()
            control.ask("DROP")
            await wait_until(lambda: not hub.connected)
            await wait_until(
                lambda p=previous: hub.connected and hub.last_resync_seconds != p
            )
            wall.append(time.perf_counter() - dropped - hub.client.reconnect_min_delay)
            resync.append(hub.last_resync_seconds)
            assert int(control.ask("LOGINS")) == logins + 1
        out["resync_s"] = round(statistics.median(resync), 3)
        out["resync_runs_s"] = [round(x, 3) for x in resync]
        out["reconnect_to_resynced_s"] = round(statistics.median(wall), 3)
        rewrite = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            await hub.astdb.async_rewrite()
            rewrite.append(time.perf_counter() - started)
        out["astdb_rewrite_s"] = round(statistics.median(rewrite), 3)
        assert int(control.ask("COUNT", "hotdesk/")) == out["astdb_keys"]

        # One login, one logout: incremental AstDB updates.
        login, logout = [], []
        for i in range(REPEATS):
            desk, account = desk_id(size - i), account_id(size - i)
            started = time.perf_counter()
            await hub.async_login(account, desk)
            login.append(time.perf_counter() - started)
            assert control.ask("GET", f"hotdesk/login/{desk}") == extension(size - i)
            started = time.perf_counter()
            await hub.async_logout(desk)
            logout.append(time.perf_counter() - started)
            assert control.ask("GET", f"hotdesk/login/{desk}") == "-"
        await hass.async_block_till_done()
        out["login_s"] = round(statistics.median(login), 4)
        out["logout_s"] = round(statistics.median(logout), 4)

        # One subentry changed -> applied live (no reload) -> AstDB diff.
        change, applied = [], []
        logins_before = int(control.ask("LOGINS"))
        live = entry.runtime_data.live
        for i in range(REPEATS):
            index = 3 + i
            subentry = entry.subentries[account_id(index)]
            target = desk_id((index + 7) % size + 1)
            started = time.perf_counter()
            hass.config_entries.async_update_subentry(
                entry, subentry, data={**subentry.data, CONF_HOME_DESKS: [target]}
            )
            await hass.async_block_till_done()
            await wait_until(
                lambda t=target, x=index: (
                    entry.state is ConfigEntryState.LOADED
                    and control.ask("GET", f"hotdesk/route/{extension(x)}")
                    == f"PJSIP/desk{int(t[1:])}"
                )
            )
            change.append(time.perf_counter() - started)
            applied.append(live.last_apply_seconds)
        out["config_change_s"] = round(statistics.median(change), 4)
        out["config_change_runs_s"] = [round(x, 4) for x in change]
        out["live_apply_s"] = round(statistics.median(applied), 4)
        out["ami_link_kept"] = int(control.ask("LOGINS")) == logins_before
        out["entry_loaded"] = entry.state is ConfigEntryState.LOADED
        out["domain"] = DOMAIN
    control.close()
    return out


def run_size(size: int, traced: bool = False) -> dict[str, Any]:
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
            str(size),
            "--cpu",
            str(SOURCE_CPU),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert source.stdout is not None
        if not source.stdout.readline().startswith("LISTENING"):
            raise RuntimeError("source did not start")
        command = [
            str(MAIN_PYTHON), str(BENCH / "scale.py"),
            "--client", "--port", str(port), "--control-port", str(control_port),
            "--sizes", str(size),
        ] + (["--traced"] if traced else [])  # fmt: skip
        load = loadavg()
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=1800, check=False
        )
        lines = [x for x in done.stdout.splitlines() if x.startswith("{")]
        if done.returncode != 0 or not lines:
            raise RuntimeError(f"scale client failed: {done.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(lines[-1])
        result["loadavg_before"] = load
        return result
    finally:
        source.terminate()
        source.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description="scale benchmark")
    parser.add_argument("--sizes", default="100,1000,5000,10000")
    parser.add_argument("--client", action="store_true")
    parser.add_argument("--traced", action="store_true")
    parser.add_argument("--port", type=int)
    parser.add_argument("--control-port", type=int)
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    if args.client:
        pin(CLIENT_CPU)
        logging.basicConfig(level=logging.WARNING)
        emit(asyncio.run(client(args.port, args.control_port, sizes[0], args.traced)))
        return
    curve: dict[str, Any] = {}
    for size in sizes:
        result = run_size(size)
        result["tracemalloc_added_mb"] = run_size(size, traced=True)[
            "tracemalloc_added_mb"
        ]
        curve[str(size)] = result
        print(
            f"{size:5d} desks+accounts: setup {result['setup_s']} s, "
            f"+{result['rss_added_mb']} MB RSS ({result['tracemalloc_added_mb']} MB traced), "
            f"resync {result['resync_s']} s (AstDB rewrite {result['astdb_rewrite_s']} s, "
            f"{result['astdb_keys']} keys), config change {result['config_change_s'] * 1000:.1f} ms (link kept {result['ami_link_kept']}), "
            f"login {result['login_s'] * 1000:.1f} ms, logout {result['logout_s'] * 1000:.1f} ms"
            f"  (load {result['loadavg_before']})",
            flush=True,
        )
    largest = curve[str(max(sizes))]
    payload = {
        "what": "N accounts + N desks: entry setup, memory, resync after reconnect, config change, login",
        "unit": "seconds (memory: MiB)",
        "figures": curve,
        "summary": {
            "largest": max(sizes),
            "setup_s": largest["setup_s"],
            "setup_target_s": 15,
            "setup_ratio_to_target": round(largest["setup_s"] / 15, 3),
            "resync_s": largest["resync_s"],
            "resync_target_s": 2,
            "resync_ratio_to_target": round(largest["resync_s"] / 2, 3),
            "target_met": largest["setup_s"] < 15 and largest["resync_s"] < 2,
            "floor": "no floor: the targets (setup < 15 s, resync < 2 s)",
            "before_fix": BEFORE_FIX,
        },
        "parameters": {
            "sizes": sizes,
            "repeats": {
                "login": REPEATS,
                "rewrite": REPEATS,
                "resync": RESYNC_REPEATS,
                "config_change": 3,
            },
            "server": "tests/ami_server.py in its own process (bench/ami_source.py)",
            "client_cpu": CLIENT_CPU,
            "source_cpu": SOURCE_CPU,
            "statistic": "median",
        },
        "versions": versions("homeassistant", "panoramisk"),
        "loadavg": loadavg(),
    }
    record("scale", payload)
    print(json.dumps(payload["summary"], indent=2))


if __name__ == "__main__":
    main()
