"""Scale: N accounts and N desks against the test AMI server.

For each N (default 100, 500, 2000), in a fresh process pinned to one core,
with the test AMI server (bench/ami_source.py = tests/ami_server.py) in its
own process on the other core:

- setup: ``async_setup`` of the config entry until HA is idle (connect,
  the PBX's AstDB tree read and compared, 9N+3 entities and 2N+1 devices
  registered), against a PBX that already holds the office's tree, as at
  every start of HA after the first;
- memory added by the entry: RSS delta (and, in a second process, the
  Python allocations traced by tracemalloc);
- resync after a blip: the server drops the link; the hub reconnects and
  resynchronises (CoreSettings, the tree read and only the difference
  written, DeviceStateList, CoreShowChannels), as timed by the hub itself
  (``last_resync_seconds``), the phase lasting until the entities' update
  after it is done; also the AstDB rewrite alone;
- resync after an outage: the same with the entities' grace at 0 s, so
  every entity goes unavailable and back (``outage_to_all_written_s``);
- one config change: one account subentry changed -> applied live (no
  reload, the AMI link kept) -> AstDB diff (until HA is idle and the server
  holds the new route);
- one login (and one logout) -> incremental AstDB update;
- setup and memory again, against the floor again, in ``SETUP_PAIRS`` pairs
  in all (each pair: the integration's setup alone, then the floor): this
  machine's speed drifts by a third between runs, so a ratio to the floor is
  the median of the pairs' ratios, not one pair's;
- the first setup of all, on an empty PBX (the whole tree written), with a
  floor of its own: the entity floor plus the rewrite floor.

    bench/scale.py                   # 100, 500, 2000; writes bench/results.json
    bench/scale.py --sizes 2000      # one size
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
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
    REPO,
    SOURCE_CPU,
    Phases,
    emit,
    loadavg,
    pin,
    record,
    versions,
)
from bench.control import Control
from bench.floor_like import entity_kinds
from bench.intake import free_port

REPEATS = 5


# Measured with this script before the AstDB rewrite kept a bounded number of
# DBPuts in flight (it had all 6,000 in flight at once); same machine.
BEFORE_FIX = {"2000": {"resync_s": 0.685, "astdb_rewrite_s": 0.586}}
RESYNC_REPEATS = 3
OUTAGE_REPEATS = 2
# Setups of the integration and of the floor, each pair run back to back.
SETUP_PAIRS = 3
TRANSLATIONS = REPO / "custom_components" / "hotdesk_phone" / "translations" / "en.json"


def rss_bytes() -> int:
    """Resident set size of this process."""
    with Path("/proc/self/statm").open(encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def wait_until(predicate: Any, limit: float = 60.0) -> None:
    """Poll (every millisecond) until predicate() is true."""
    async with asyncio.timeout(limit):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.001)


def office_tree(size: int) -> dict[str, str]:
    """The AstDB tree (below ``hotdesk/``) of the benchmark's office."""
    from types import MappingProxyType  # noqa: PLC0415

    from homeassistant.config_entries import ConfigSubentry  # noqa: PLC0415

    from bench.hass_env import subentries  # noqa: PLC0415
    from custom_components.hotdesk_phone.directory import (  # noqa: PLC0415
        Directory,
    )
    from custom_components.hotdesk_phone.login_index import (  # noqa: PLC0415
        LoginIndex,
    )
    from custom_components.hotdesk_phone.subentries import (  # noqa: PLC0415
        directory_parts,
    )

    subs = [
        ConfigSubentry(
            data=MappingProxyType(item["data"]),
            subentry_id=item["subentry_id"],
            subentry_type=item["subentry_type"],
            title=item["title"],
            unique_id=None,
        )
        for item in subentries(size, size)
    ]
    accounts, desks, _ = directory_parts(subs)
    return Directory.build(accounts, desks).astdb(LoginIndex())


async def rewrite_floor(port: int, size: int) -> float:
    """The resync's floor: the same AstDB rewrite by a bare AmiClient.

    Same tree, same server, same window of DBPuts in flight, but in this
    process before Home Assistant starts (no HA heap, no entities): what the
    protocol and the PBX side cost. Median of 3.
    """
    from bench.hass_env import USERNAME  # noqa: PLC0415
    from custom_components.hotdesk_phone.ami import AmiClient  # noqa: PLC0415
    from custom_components.hotdesk_phone.astdb import (  # noqa: PLC0415
        ASTDB_WINDOW,
    )
    from custom_components.hotdesk_phone.const import (  # noqa: PLC0415
        ASTDB_FAMILY,
        ASTDB_SUBFAMILIES,
    )

    tree = office_tree(size)
    ami = AmiClient(host="127.0.0.1", port=port, username=USERNAME, secret="s3cret")  # noqa: S106
    await ami.connect()
    runs = []
    try:
        for _ in range(3):
            started = time.perf_counter()
            await asyncio.gather(
                *(ami.db_del_tree(f"{ASTDB_FAMILY}/{f}") for f in ASTDB_SUBFAMILIES)
            )
            pending = iter(tree.items())

            async def worker(items: Any = pending) -> None:
                for key, value in items:
                    family, _, name = key.partition("/")
                    await ami.db_put(f"{ASTDB_FAMILY}/{family}", name, value)

            await asyncio.gather(*(worker() for _ in range(ASTDB_WINDOW)))
            runs.append(time.perf_counter() - started)
    finally:
        await ami.close()
    return round(statistics.median(runs), 3)


def entity_shape(entries: Any) -> dict[str, list[int]]:
    """Entities per owner kind: [enabled, disabled by default] per owner."""
    counts: dict[str, list[int]] = {}
    owners: dict[str, set[str]] = {}
    for entry in entries:
        owner = entry.unique_id.partition("_")[0]
        kind = {"D": "desk", "A": "account"}.get(owner[0], "hub")
        owners.setdefault(kind, set()).add(owner)
        pair = counts.setdefault(kind, [0, 0])
        pair[0 if entry.disabled_by is None else 1] += 1
    return {
        kind: [pair[0] // len(owners[kind]), pair[1] // len(owners[kind])]
        for kind, pair in counts.items()
    }


async def client(
    port: int,
    control_port: int,
    size: int,
    traced: bool,
    profile: str | None = None,
    *,
    setup_only: bool = False,
    empty_pbx: bool = False,
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
    from custom_components.hotdesk_phone.hub import (  # noqa: PLC0415
        UNAVAILABLE_AFTER,
    )

    control = Control(control_port)
    phases = Phases(profile)
    out: dict[str, Any] = {"size": size}
    if not traced and not empty_pbx:
        # Also leaves the office's tree in the PBX, as after any earlier run
        # of the integration: HA starts against a PBX that holds its routing.
        out["rewrite_floor_s"] = await rewrite_floor(port, size)
    watcher = asyncio.get_running_loop().create_task(phases.watch_loop())
    async with bench_hass() as hass:
        entry = make_entry(port, size, size)
        gc.collect()
        if traced:
            tracemalloc.start()
            before_traced = tracemalloc.get_traced_memory()[0]
        before = rss_bytes()
        await phases.settle(hass)
        started = time.perf_counter()
        phases.start("setup")
        await setup_entry(hass, entry)
        phases.stop()
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
        if setup_only:
            watcher.cancel()
            return out
        registered = er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        out["entities"] = len(registered)
        out["devices"] = len(
            dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
        )
        out["states"] = len(hass.states.async_entity_ids())
        out["shape"] = entity_shape(registered)
        out["entity_kinds"] = entity_kinds(
            hass,
            registered,
            json.loads(TRANSLATIONS.read_text(encoding="utf-8"))["entity"],
        )
        out["astdb_keys"] = int(control.ask("COUNT", "hotdesk/"))
        hub = entry.runtime_data.hub

        async def drop_link(
            phase: str, down: Callable[[], bool]
        ) -> tuple[float, float]:
            """The server drops the link; until resynced, and until HA is idle.

            Both less the reconnect delay; the phase lasts until HA is idle,
            as the entities' update after the resync is what a scan waits on
            too.
            """
            previous = hub.last_resync_seconds
            await phases.settle(hass)
            dropped = time.perf_counter()
            phases.start(phase)
            control.ask("DROP")
            out["planned_link_drops"] = out.get("planned_link_drops", 0) + 1
            await wait_until(down)
            await wait_until(
                lambda p=previous: hub.connected and hub.last_resync_seconds != p
            )
            resynced = time.perf_counter() - dropped - hub.client.reconnect_min_delay
            await hass.async_block_till_done()
            phases.stop()
            idle = time.perf_counter() - dropped - hub.client.reconnect_min_delay
            return resynced, idle

        # Resync after the PBX dropped the link.
        resync, wall = [], []
        for _ in range(RESYNC_REPEATS):
            logins = int(control.ask("LOGINS"))
            wall.append((await drop_link("resync", lambda: not hub.connected))[0])
            resync.append(hub.last_resync_seconds)
            assert int(control.ask("LOGINS")) == logins + 1
        out["resync_s"] = round(statistics.median(resync), 3)
        out["resync_runs_s"] = [round(x, 3) for x in resync]
        out["reconnect_to_resynced_s"] = round(statistics.median(wall), 3)

        # An outage: the link stays down past the entities' grace (here no
        # grace at all), so every entity goes unavailable and comes back.
        hub.unavailable_after = 0.0
        outage = [
            (await drop_link("outage", lambda: not hub.entities_available))[1]
            for _ in range(OUTAGE_REPEATS)
        ]
        hub.unavailable_after = UNAVAILABLE_AFTER
        out["outage_to_all_written_s"] = round(statistics.median(outage), 3)
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
            await phases.settle(hass)
            started = time.perf_counter()
            phases.start("change")
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
            phases.stop()
            change.append(time.perf_counter() - started)
            applied.append(live.last_apply_seconds)
        out["config_change_s"] = round(statistics.median(change), 4)
        out["config_change_runs_s"] = [round(x, 4) for x in change]
        out["live_apply_s"] = round(statistics.median(applied), 4)
        out["ami_link_kept"] = int(control.ask("LOGINS")) == logins_before
        out["entry_loaded"] = entry.state is ConfigEntryState.LOADED
        out["domain"] = DOMAIN

        # The same resync and change with the heap frozen (gc.freeze): what
        # Python's collector costs them in a process holding this office.
        gc.collect()
        gc.freeze()
        frozen_resync, frozen_change = [], []
        for i in range(2):
            previous = hub.last_resync_seconds
            control.ask("DROP")
            out["planned_link_drops"] = out.get("planned_link_drops", 0) + 1
            await wait_until(lambda: not hub.connected)
            await wait_until(
                lambda p=previous: hub.connected and hub.last_resync_seconds != p
            )
            frozen_resync.append(hub.last_resync_seconds)
            # The entities' update after the reconnect runs on in slices:
            # let it finish, or the change's wait for an idle HA times it.
            await hass.async_block_till_done()
            index = 3 + REPEATS + i
            subentry = entry.subentries[account_id(index)]
            target = desk_id((index + 7) % size + 1)
            started = time.perf_counter()
            hass.config_entries.async_update_subentry(
                entry, subentry, data={**subentry.data, CONF_HOME_DESKS: [target]}
            )
            await hass.async_block_till_done()
            await wait_until(
                lambda t=target, x=index: (
                    control.ask("GET", f"hotdesk/route/{extension(x)}")
                    == f"PJSIP/desk{int(t[1:])}"
                )
            )
            frozen_change.append(time.perf_counter() - started)
        gc.unfreeze()
        out["gc_frozen"] = {
            "resync_s": round(statistics.median(frozen_resync), 3),
            "config_change_s": round(statistics.median(frozen_change), 4),
        }
        out["gc_s"] = {k: round(v, 3) for k, v in phases.gc_s.items()}
        out["longest_loop_stall_s"] = {
            k: round(v, 3) for k, v in phases.stall_s.items()
        }
        out["longest_loop_stall_outside_gc_s"] = {
            k: round(max(v, 0.0), 3) for k, v in phases.stall_outside_gc_s.items()
        }
        out["longest_gc_pause_s"] = {
            k: round(v, 3) for k, v in phases.gc_pause_s.items()
        }
    watcher.cancel()
    control.close()
    return out


def office_csv(size: int) -> str:
    """The office as a CSV file for a first import: no ids (all rows new)."""
    import csv  # noqa: PLC0415
    import io  # noqa: PLC0415

    from bench.hass_env import subentries  # noqa: PLC0415
    from custom_components.hotdesk_phone.bulk import (  # noqa: PLC0415
        Existing,
        export_csv,
    )

    text = export_csv(
        Existing(s["subentry_id"], s["subentry_type"], s["title"], s["data"])
        for s in subentries(size, size)
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "id": ""})
    return out.getvalue()


async def import_client(port: int, control_port: int, size: int) -> dict[str, Any]:
    """Bulk import of the office into an entry with no accounts or desks."""
    from bench.hass_env import bench_hass, make_entry, setup_entry  # noqa: PLC0415
    from custom_components.hotdesk_phone.const import DOMAIN  # noqa: PLC0415

    control = Control(control_port)
    text = office_csv(size)
    out: dict[str, Any] = {"size": size, "rows": 2 * size, "csv_bytes": len(text)}

    async def call(**data: Any) -> Any:
        return await hass.services.async_call(
            DOMAIN,
            "import_directory",
            {"csv": text, **data},
            blocking=True,
            return_response=True,
        )

    phases = Phases(None)
    async with bench_hass() as hass:
        entry = make_entry(port, 0, 0)
        await setup_entry(hass, entry)
        watcher = asyncio.get_running_loop().create_task(phases.watch_loop())
        started = time.perf_counter()
        planned = await call(dry_run=True)
        out["plan_s"] = round(time.perf_counter() - started, 3)
        assert planned["created"] == 2 * size, planned
        await phases.settle(hass)
        started = time.perf_counter()
        phases.start("import")
        await call()
        await hass.async_block_till_done()
        # Three keys per seat (route, desk, deskof) and the entry-wide ones.
        await wait_until(lambda: int(control.ask("COUNT", "hotdesk/")) >= 3 * size)
        phases.stop()
        out["import_s"] = round(time.perf_counter() - started, 3)
        # HA's saves of the registries the import filled: timed apart, as
        # after a setup (``Phases.write_ha_saves``).
        await phases.write_ha_saves(hass)
        out["entities"] = len(hass.states.async_entity_ids())
        again = []
        for _ in range(3):
            started = time.perf_counter()
            result = await call()
            await hass.async_block_till_done()
            again.append(time.perf_counter() - started)
            assert result["unchanged"] == 2 * size, result
        out["reimport_s"] = round(statistics.median(again), 3)
        out["reimport_runs_s"] = [round(x, 3) for x in again]
        watcher.cancel()
    out["longest_loop_stall_s"] = round(phases.stall_s.get("import", 0.0), 3)
    out["longest_loop_stall_outside_gc_s"] = round(
        max(phases.stall_outside_gc_s.get("import", 0.0), 0.0), 3
    )
    out["longest_gc_pause_s"] = round(phases.gc_pause_s.get("import", 0.0), 3)
    out["ha_saves_longest_loop_stall_outside_gc_s"] = round(
        phases.stall_outside_gc_s.get("ha_saves", 0.0), 3
    )
    control.close()
    return out


def run_floor(
    size: int,
    shape: dict[str, list[int]],
    like: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """bench/floor.py in its own process: plain sensors, or ``like`` ours."""
    done = subprocess.run(
        [
            str(MAIN_PYTHON),
            str(BENCH / "floor.py"),
            "--size",
            str(size),
            "--shape",
            json.dumps(shape),
            *(["--like", json.dumps(like)] if like is not None else []),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    lines = [x for x in done.stdout.splitlines() if x.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"floor failed: {done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def run_size(
    size: int,
    traced: bool = False,
    profile: str | None = None,
    spy: str | None = None,
    mode: str = "",
) -> dict[str, Any]:
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
        ] + (["--traced"] if traced else []) + (
            ["--profile", profile] if profile else []
        ) + (["--import-run"] if mode == "import" else []) + (
            ["--setup-only"] if mode in {"setup", "first"} else []
        ) + (["--empty-pbx"] if mode == "first" else [])  # fmt: skip
        if spy:  # py-spy's collapsed stacks of the whole client (GC included)
            command = [
                str(MAIN_PYTHON.parent / "py-spy"), "record", "--format", "raw",
                "--gil", "--rate", "200", "--output", spy, "--", *command,
            ]  # fmt: skip
        load = loadavg()
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=1800, check=False
        )
        lines = [x for x in done.stdout.splitlines() if x.startswith("{")]
        if done.returncode != 0 or not lines:
            raise RuntimeError(f"scale client failed: {done.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(lines[-1])
        result["loadavg_before"] = load
        # Links the integration saw drop that the benchmark did not drop
        # (each DROP logs one): a keep-alive lost in a stalled loop.
        result["link_lost_logged"] = done.stderr.count("Lost the connection")
        result["unplanned_link_drops"] = result["link_lost_logged"] - result.pop(
            "planned_link_drops", 0
        )
        return result
    finally:
        source.terminate()
        source.wait(10)


def first_setup(size: int, result: dict[str, Any]) -> dict[str, Any]:
    """The first setup of all, on a PBX that holds nothing yet, with its floor.

    It writes the whole tree too, so the floor of its work is the entity
    floor (run right after it) plus the main run's rewrite floor.
    """
    ours = run_size(size, mode="first")
    floor = run_floor(size, result["shape"])
    like = run_floor(size, result["shape"], result["entity_kinds"])
    work_floor = floor["setup_s"] + result["rewrite_floor_s"]
    like_work_floor = like["setup_s"] + result["rewrite_floor_s"]
    return {
        "setup_s": ours["setup_s"],
        "floor_setup_s": floor["setup_s"],
        "like_floor_setup_s": like["setup_s"],
        "rewrite_floor_s": result["rewrite_floor_s"],
        "ratio_to_floor": round(ours["setup_s"] / floor["setup_s"], 2),
        "ratio_to_floor_with_rewrite": round(ours["setup_s"] / work_floor, 2),
        "ratio_to_like_floor_with_rewrite": round(ours["setup_s"] / like_work_floor, 2),
    }


def setup_pairs(size: int, result: dict[str, Any]) -> dict[str, Any]:
    """The main run's setup and memory with its floors, and more such runs.

    Each further run is the integration's setup alone (``--setup-only``),
    then the floor, then the like-for-like floor (``floor_like.py``: Home
    Assistant with the office's own kinds of entities and nothing else),
    back to back; the ratios are per run, so a drift of the machine's speed
    between runs does not enter them.
    """
    kinds = result["entity_kinds"]
    runs = [
        (
            result["setup_s"],
            result["rss_added_mb"],
            result["floor"],
            run_floor(size, result["shape"], kinds),
        )
    ]
    for _ in range(SETUP_PAIRS - 1):
        ours = run_size(size, mode="setup")
        runs.append(
            (
                ours["setup_s"],
                ours["rss_added_mb"],
                run_floor(size, result["shape"]),
                run_floor(size, result["shape"], kinds),
            )
        )
    for _, _, floor, like in runs:
        for figure in ("entities", "states"):
            if floor[figure] != result[figure] or like[figure] != result[figure]:
                raise RuntimeError(f"a floor's {figure} differ from the office's")
    setup_ratios = [round(s / f["setup_s"], 2) for s, _, f, _ in runs]
    rss_ratios = [round(m / f["rss_added_mb"], 2) for _, m, f, _ in runs]
    like_ratios = [round(s / like["setup_s"], 2) for s, _, _, like in runs]
    like_rss_ratios = [round(m / like["rss_added_mb"], 2) for _, m, _, like in runs]
    like_over_plain = [
        round(like["setup_s"] / f["setup_s"], 2) for _, _, f, like in runs
    ]
    return {
        "setup_s": [s for s, _, _, _ in runs],
        "floor_setup_s": [f["setup_s"] for _, _, f, _ in runs],
        "like_floor_setup_s": [like["setup_s"] for _, _, _, like in runs],
        "rss_added_mb": [m for _, m, _, _ in runs],
        "floor_rss_added_mb": [f["rss_added_mb"] for _, _, f, _ in runs],
        "like_floor_rss_added_mb": [like["rss_added_mb"] for _, _, _, like in runs],
        "like_floor_gc_s": [like["gc_s"] for _, _, _, like in runs],
        # HA's own saves after each floor's setup (``Phases.write_ha_saves``):
        # the floors of the office's ``ha_saves`` stretch.
        "floor_ha_saves_stall_s": [
            f["ha_saves_longest_loop_stall_outside_gc_s"] for _, _, f, _ in runs
        ],
        "like_floor_ha_saves_stall_s": [
            like["ha_saves_longest_loop_stall_outside_gc_s"] for _, _, _, like in runs
        ],
        "setup_ratio_runs": setup_ratios,
        "rss_ratio_runs": rss_ratios,
        "setup_ratio_median": statistics.median(setup_ratios),
        "rss_ratio_median": statistics.median(rss_ratios),
        # The integration's own share: over HA with the same entities.
        "setup_ratio_to_like_floor_runs": like_ratios,
        "setup_ratio_to_like_floor_median": statistics.median(like_ratios),
        "rss_ratio_to_like_floor_median": statistics.median(like_rss_ratios),
        # What the office's kinds of entities cost HA over plain sensors.
        "like_floor_over_floor_runs": like_over_plain,
        "like_floor_over_floor_median": statistics.median(like_over_plain),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="scale benchmark")
    parser.add_argument("--sizes", default="100,1000,5000,10000")
    parser.add_argument("--client", action="store_true")
    parser.add_argument("--traced", action="store_true")
    parser.add_argument("--import-run", action="store_true")
    parser.add_argument("--setup-only", action="store_true")
    parser.add_argument("--empty-pbx", action="store_true")
    parser.add_argument(
        "--profile",
        help="cProfile each phase (setup, resync, change) into this folder "
        "(<size>/<phase>.pstats); prints the figures, records nothing",
    )
    parser.add_argument(
        "--spy",
        help="py-spy collapsed stacks of the client to this folder "
        "(<size>.txt; py-spy in .venv); prints the figures, records nothing",
    )
    parser.add_argument("--port", type=int)
    parser.add_argument("--control-port", type=int)
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    if args.client and args.import_run:
        pin(CLIENT_CPU)
        logging.basicConfig(level=logging.WARNING)
        emit(asyncio.run(import_client(args.port, args.control_port, sizes[0])))
        return
    if args.client:
        pin(CLIENT_CPU)
        logging.basicConfig(level=logging.WARNING)
        emit(
            asyncio.run(
                client(
                    args.port,
                    args.control_port,
                    sizes[0],
                    args.traced,
                    args.profile,
                    setup_only=args.setup_only,
                    empty_pbx=args.empty_pbx,
                )
            )
        )
        return
    if args.profile or args.spy:
        for size in sizes:
            folder = (
                str(Path(args.profile).resolve() / str(size)) if args.profile else None
            )
            spy = None
            if args.spy:
                Path(args.spy).mkdir(parents=True, exist_ok=True)
                spy = str(Path(args.spy).resolve() / f"{size}.txt")
            print(json.dumps(run_size(size, profile=folder, spy=spy)), flush=True)
        return
    curve: dict[str, Any] = {}
    for size in sizes:
        result = run_size(size)
        result["tracemalloc_added_mb"] = run_size(size, traced=True)[
            "tracemalloc_added_mb"
        ]
        result["floor"] = run_floor(size, result["shape"])
        result["import"] = run_size(size, mode="import")
        result["setup_pairs"] = setup_pairs(size, result)
        result["first_setup"] = first_setup(size, result)
        curve[str(size)] = result
        floor, bulk = result["floor"], result["import"]
        print(
            f"{size:5d} desks+accounts: setup {result['setup_s']} s "
            f"(floor {floor['setup_s']} s), +{result['rss_added_mb']} MB RSS "
            f"(floor {floor['rss_added_mb']}; {result['tracemalloc_added_mb']} MB "
            f"traced), resync {result['resync_s']} s (floor "
            f"{result['rewrite_floor_s']} s; rewrite {result['astdb_rewrite_s']} s, "
            f"{result['astdb_keys']} keys; heap frozen "
            f"{result['gc_frozen']['resync_s']} s), change "
            f"{result['config_change_s'] * 1000:.1f} ms (frozen "
            f"{result['gc_frozen']['config_change_s'] * 1000:.1f} ms, link kept "
            f"{result['ami_link_kept']}), login {result['login_s'] * 1000:.1f} ms, "
            f"import {bulk['import_s']} s, re-import {bulk['reimport_s']} s, "
            f"gc {result['gc_s']}, setup/floor per pair "
            f"{result['setup_pairs']['setup_ratio_runs']}, memory/floor per pair "
            f"{result['setup_pairs']['rss_ratio_runs']}, setup/like floor "
            f"{result['setup_pairs']['setup_ratio_to_like_floor_runs']}, "
            f"first setup/(floor + "
            f"rewrite floor) {result['first_setup']['ratio_to_floor_with_rewrite']}  "
            f"(load {result['loadavg_before']})",
            flush=True,
        )
    largest = curve[str(max(sizes))]
    floor, bulk = largest["floor"], largest["import"]

    def worst(figure: str) -> float:
        """A per-phase figure's largest value at the largest size, import included."""
        phases = largest[figure]
        return max(
            *(phases.get(p, 0.0) for p in ("setup", "resync", "outage", "change")),
            bulk[figure],
        )

    targets = {
        # figure -> its value at the largest size and the target (issue 13)
        "setup_s": (largest["setup_s"], 10.0),
        "rss_added_mb": (largest["rss_added_mb"], 250.0),
        "resync_s": (largest["resync_s"], 1.0),
        "config_change_s": (largest["config_change_s"], 0.05),
        "login_s": (largest["login_s"], 0.01),
        "import_s": (bulk["import_s"], 30.0),
        "reimport_s": (bulk["reimport_s"], 5.0),
        # Issue 24: no stretch of the integration's own work over 100 ms in
        # setup, resync, a change or the import (the collector's pauses are
        # reported apart: longest_gc_pause_s), and no link lost unplanned.
        "longest_loop_stall_outside_gc_s": (
            worst("longest_loop_stall_outside_gc_s"),
            0.1,
        ),
        # The same with the collector's pauses in: what a scan waiting in
        # that stretch sees. Its floor: Home Assistant's own setup of the
        # same entities (bench/floor.py) watched the same way.
        "longest_loop_stall_s": (worst("longest_loop_stall_s"), 0.1),
        "longest_gc_pause_s": (worst("longest_gc_pause_s"), 0.1),
        "unplanned_link_drops": (
            largest["unplanned_link_drops"] + bulk["unplanned_link_drops"],
            0,
        ),
        # Issue 24: setup and memory within 1.15x of Home Assistant's floor
        # (the median of the pairs' ratios: setup_pairs).
        "setup_ratio_to_floor": (largest["setup_pairs"]["setup_ratio_median"], 1.15),
        # The first setup of all (an empty PBX) also writes the whole AstDB
        # tree: the floor of its work is HA's entities plus that rewrite.
        "first_setup_ratio_to_floor_with_rewrite": (
            largest["first_setup"]["ratio_to_floor_with_rewrite"],
            1.15,
        ),
        "rss_ratio_to_floor": (largest["setup_pairs"]["rss_ratio_median"], 1.15),
        # HA's own delayed saves of its registries after the setup and the
        # import, timed apart from them (``Phases.write_ha_saves``); the floor
        # is the same saves after HA's setup of plain sensors.
        "ha_saves_longest_loop_stall_outside_gc_s": (
            max(
                largest["longest_loop_stall_outside_gc_s"].get("ha_saves", 0.0),
                bulk["ha_saves_longest_loop_stall_outside_gc_s"],
            ),
            0.1,
        ),
    }
    floors = {
        "setup_s": floor["setup_s"],
        "rss_added_mb": floor["rss_added_mb"],
        "resync_s": largest["rewrite_floor_s"],
        "longest_loop_stall_s": floor["longest_loop_stall_s"],
        "longest_gc_pause_s": floor["longest_gc_pause_s"],
        "ha_saves_longest_loop_stall_outside_gc_s": floor[
            "ha_saves_longest_loop_stall_outside_gc_s"
        ],
    }
    payload = {
        "what": "N accounts + N desks: entry setup, memory, resync after "
        "reconnect, one change applied live, login, bulk import; each size "
        "with its floors measured in the same run",
        "unit": "seconds (memory: MiB)",
        "figures": curve,
        "summary": {
            "largest": max(sizes),
            "targets": {
                name: {
                    "value": value,
                    "target": target,
                    "met": value <= target,
                    **(
                        {
                            "floor": floors[name],
                            "ratio_to_floor": round(value / floors[name], 2)
                            if floors[name]
                            else None,
                        }
                        if name in floors
                        else {}
                    ),
                }
                for name, (value, target) in targets.items()
            },
            "floors": {
                "setup_s/rss_added_mb": "bench/floor.py: a trivial custom "
                "integration with the same subentries, devices and entities "
                "(enabled / disabled by default per owner) as plain sensors",
                "like_floor": "bench/floor.py --like: the same, with the "
                "office's own kinds of entities (platforms, translation keys, "
                "states and attributes of one sample owner per kind), written "
                "once and nothing else",
                "resync_s": "rewrite_floor_s: the same AstDB tree written by a "
                "bare AmiClient (same server, same DBPut window) before HA starts",
            },
            "like_for_like": {
                # Not a target: what bounds the setup ratio. The office's
                # setup over HA with its own kinds of entities and nothing
                # else, and that floor over the plain one (medians of the
                # setup runs at the largest size).
                "setup_ratio_to_like_floor": largest["setup_pairs"][
                    "setup_ratio_to_like_floor_median"
                ],
                "rss_ratio_to_like_floor": largest["setup_pairs"][
                    "rss_ratio_to_like_floor_median"
                ],
                "like_floor_over_floor": largest["setup_pairs"][
                    "like_floor_over_floor_median"
                ],
                "first_setup_ratio_to_like_floor_with_rewrite": largest["first_setup"][
                    "ratio_to_like_floor_with_rewrite"
                ],
            },
            "before_fix": BEFORE_FIX,
        },
        "parameters": {
            "sizes": sizes,
            "repeats": {
                "login": REPEATS,
                "rewrite": REPEATS,
                "resync": RESYNC_REPEATS,
                "config_change": REPEATS,
                "setup_pairs": SETUP_PAIRS,
                "reimport": 3,
                "gc_frozen": 2,
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
