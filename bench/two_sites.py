"""Two linked offices: N desks + N accounts each, one site link each way.

One Home Assistant (bench_hass) in a process pinned to core 0 runs two
entries, A and B, each against its own test AMI server (bench/ami_source.py,
tests/ami_server.py in its own process on core 1, its own loopback port).
A's link dials B's desks as ``PJSIP/<desk id>@site-b``, B's link A's as
``PJSIP/<desk id>@site-a``; ids, extensions, tags, scanners and dial strings
differ between the sites. Measured:

- setup of both entries (the integration sets up every entry it has) until
  HA is idle;
- one change at A (an account's home desk, applied live) until A's server
  holds the new route, and what it touched at B: AstDB (any) actions B's
  server received, writes of B's entities' states, B's live applies; the
  same change also with B at 100 seats (a second client), so work
  proportional to B's size shows as a difference;
- a scan at the other site's desk: the tag of an A account at a B desk's
  scanner -> A's route rings the desk through the trunk and B's
  ``login/<desk>`` holds the visitor's extension, both as the control ports
  report; and the same login at A's own desk (same run) beside it;
- a resync of B (B's server drops its link): B's ``last_resync_seconds``,
  and the actions A's server received and A's entity writes meanwhile.

Floors in the same run: the one-site scale benchmark (bench/scale.py's
``run_size``) at the same N for setup, change and resync, and HA's own
floors (bench/floor.py) at 2N desks + 2N accounts for the setup of both:
plain sensors, and like-for-like (``--like``: one site's kinds of entities).
HA's delayed saves of its registries are written before each phase and
timed apart (``Phases.write_ha_saves``).

    bench/two_sites.py                  # N = 10,000; writes bench/results.json
    bench/two_sites.py --size 1000
    bench/two_sites.py --size 1000 --profile DIR   # cProfile per phase, no record
"""

from __future__ import annotations

import argparse
import asyncio
import json
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
    emit,
    loadavg,
    pin,
    record,
    versions,
)
from bench.control import Control
from bench.intake import free_port
from bench.scale import run_floor, run_size, wait_until

REPEATS = 5
RESYNC_REPEATS = 3
SMALL_OTHER = 100  # B's size in the second client: the change at A beside it
ENTRY_A, ENTRY_B = "01BENCHSITEA", "01BENCHSITEB"
LINK_A, LINK_B = "01LINKTOB", "01LINKTOA"


def b_extension(index: int) -> str:
    """B's extensions: 20001... (A's are 101, 102, 10003... up to 20000)."""
    return str(20000 + index)


def site_b_subentries(size: int) -> list[dict[str, Any]]:
    """B's desks and accounts: A's shape, with B's own ids, tags, dial strings."""
    from bench.hass_env import subentries  # noqa: PLC0415
    from custom_components.hotdesk_phone.const import (  # noqa: PLC0415
        CONF_DIAL_STRING,
        CONF_EXTENSION,
        CONF_HOME_DESKS,
        CONF_SCANNERS,
        CONF_TAGS,
    )

    items = []
    for item in subentries(size, size):
        data = dict(item["data"])
        data["name"] = f"B {data['name']}"
        if item["subentry_type"] == "desk":
            data[CONF_DIAL_STRING] = data[CONF_DIAL_STRING].replace("/desk", "/bdesk")
            data[CONF_SCANNERS] = [f"b-{s}" for s in data[CONF_SCANNERS]]
        else:
            data[CONF_EXTENSION] = b_extension(int(item["subentry_id"][1:]))
            data[CONF_HOME_DESKS] = [f"B{d}" for d in data[CONF_HOME_DESKS]]
            data[CONF_TAGS] = [f"b-{t}" for t in data[CONF_TAGS]]
        items.append(
            {
                **item,
                "subentry_id": f"B{item['subentry_id']}",
                "title": f"B {item['title']}",
                "data": data,
            }
        )
    return items


def link(subentry_id: str, site: str, trunk: str) -> dict[str, Any]:
    """A site subentry: the other entry, its trunk, claims and logins allowed."""
    from custom_components.hotdesk_phone.const import (  # noqa: PLC0415
        CONF_ALLOW_CLAIMS,
        CONF_ALLOW_LOGINS,
        CONF_DIAL_TEMPLATE,
        CONF_SITE_ENTRY,
    )

    return {
        "subentry_id": subentry_id,
        "subentry_type": "site",
        "title": f"Site {site[-1]}",
        "unique_id": None,
        "data": {
            CONF_SITE_ENTRY: site,
            CONF_DIAL_TEMPLATE: f"PJSIP/{{desk}}@{trunk}",
            CONF_ALLOW_CLAIMS: True,
            CONF_ALLOW_LOGINS: True,
        },
    }


def make_site(entry_id: str, port: int, items: list[dict[str, Any]]) -> Any:
    """An entry for the AMI server on 127.0.0.1:port with these subentries."""
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        MockConfigEntry,
    )

    from bench.hass_env import USERNAME  # noqa: PLC0415
    from custom_components.hotdesk_phone.config_flow import (  # noqa: PLC0415
        HotdeskConfigFlow,
    )
    from custom_components.hotdesk_phone.const import (  # noqa: PLC0415
        CONF_SCAN_DEBOUNCE_SECONDS,
        DOMAIN,
    )

    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Site {entry_id[-1]}",
        unique_id=f"127.0.0.1:{port}",
        data={
            "host": "127.0.0.1",
            "port": port,
            "username": USERNAME,
            "password": "s3cret",
        },
        # Every scan is a new tap (no double-tap window).
        options={CONF_SCAN_DEBOUNCE_SECONDS: 0},
        subentries_data=items,
        entry_id=entry_id,
        # Made by this version: a start, not an upgrade's first start.
        minor_version=HotdeskConfigFlow.MINOR_VERSION,
    )


class Writes:
    """State writes of the entities, per config entry (counted, not changed)."""

    def __init__(self) -> None:
        from homeassistant.helpers.entity import Entity  # noqa: PLC0415

        self.by_entry: dict[str | None, int] = {}
        original = Entity._async_write_ha_state
        counts = self.by_entry

        def counted(entity: Entity) -> None:
            entry = entity.registry_entry
            key = entry.config_entry_id if entry is not None else None
            counts[key] = counts.get(key, 0) + 1
            original(entity)

        Entity._async_write_ha_state = counted  # type: ignore[method-assign]

    def of(self, entry_id: str) -> int:
        return self.by_entry.get(entry_id, 0)


class Applies:
    """How many live applies (passes over the whole entry) an entry ran."""

    def __init__(self, entry: Any) -> None:
        self.count = 0
        live = entry.runtime_data.live
        original = live._apply_once

        async def counted() -> None:
            self.count += 1
            await original()

        live._apply_once = counted


def actions(control: Control) -> dict[str, int]:
    """Actions the server received so far: all, and the keep-alive's pings."""
    return {
        "all": int(control.ask("ACTIONS")),
        "ping": int(control.ask("ACTIONS", "Ping")),
    }


def actions_since(control: Control, before: dict[str, int]) -> int:
    """Actions other than pings since ``before``."""
    now = actions(control)
    return (now["all"] - before["all"]) - (now["ping"] - before["ping"])


async def client(
    ports: dict[str, int], size_a: int, size_b: int, profile: str | None
) -> dict[str, Any]:
    from homeassistant.components.tag import async_scan_tag  # noqa: PLC0415
    from homeassistant.config_entries import ConfigEntryState  # noqa: PLC0415
    from homeassistant.helpers import entity_registry as er  # noqa: PLC0415
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    from bench.hass_env import (  # noqa: PLC0415
        account_id,
        bench_hass,
        desk_id,
        extension,
        subentries,
    )
    from custom_components.hotdesk_phone.const import (  # noqa: PLC0415
        CONF_HOME_DESKS,
    )

    control_a, control_b = Control(ports["control_a"]), Control(ports["control_b"])
    phases = Phases(profile)
    writes = Writes()
    out: dict[str, Any] = {"size_a": size_a, "size_b": size_b}
    watcher = asyncio.get_running_loop().create_task(phases.watch_loop())
    async with bench_hass() as hass:
        assert await async_setup_component(hass, "tag", {})
        entry_a = make_site(
            ENTRY_A,
            ports["a"],
            [*subentries(size_a, size_a), link(LINK_A, ENTRY_B, "site-b")],
        )
        entry_b = make_site(
            ENTRY_B,
            ports["b"],
            [*site_b_subentries(size_b), link(LINK_B, ENTRY_A, "site-a")],
        )
        entry_a.add_to_hass(hass)
        entry_b.add_to_hass(hass)

        # Setup of both: the integration sets up every entry it has.
        await phases.settle(hass)
        started = time.perf_counter()
        phases.start("setup")
        if not await hass.config_entries.async_setup(ENTRY_A):
            raise RuntimeError(f"entry A did not load: {entry_a.state}")
        await hass.async_block_till_done()
        phases.stop()
        out["setup_both_s"] = round(time.perf_counter() - started, 3)
        assert entry_a.state is ConfigEntryState.LOADED, entry_a.state
        assert entry_b.state is ConfigEntryState.LOADED, entry_b.state
        hub_a, hub_b = entry_a.runtime_data.hub, entry_b.runtime_data.hub
        registry = er.async_get(hass)
        out["entities"] = {
            site: len(er.async_entries_for_config_entry(registry, e.entry_id))
            for site, e in (("a", entry_a), ("b", entry_b))
        }
        out["astdb_keys"] = {
            "a": int(control_a.ask("COUNT", "hotdesk/")),
            "b": int(control_b.ask("COUNT", "hotdesk/")),
        }
        # Each PBX dials the other's desks through its trunk.
        assert control_a.ask("GET", "hotdesk/desk/BD00001") == "PJSIP/BD00001@site-b"
        assert control_b.ask("GET", "hotdesk/desk/D00001") == "PJSIP/D00001@site-a"
        assert control_b.ask("GET", "hotdesk/route/20003") == "PJSIP/bdesk3"
        applies_a, applies_b = Applies(entry_a), Applies(entry_b)

        # One change at A: an account's home desk, applied live.
        logins_a = int(control_a.ask("LOGINS"))
        logins_b = int(control_b.ask("LOGINS"))
        change, applied, at_b, at_a = [], [], [], []
        for i in range(REPEATS):
            index = 3 + i
            subentry = entry_a.subentries[account_id(index)]
            target = desk_id((index + 7) % size_a + 1)
            await hass.async_block_till_done()
            before_a, before_b = actions(control_a), actions(control_b)
            writes_a, writes_b = writes.of(ENTRY_A), writes.of(ENTRY_B)
            live_a, live_b = applies_a.count, applies_b.count
            await phases.settle(hass)
            started = time.perf_counter()
            phases.start("change")
            hass.config_entries.async_update_subentry(
                entry_a, subentry, data={**subentry.data, CONF_HOME_DESKS: [target]}
            )
            await hass.async_block_till_done()
            await wait_until(
                lambda t=target, x=index: (
                    control_a.ask("GET", f"hotdesk/route/{extension(x)}")
                    == f"PJSIP/desk{int(t[1:])}"
                )
            )
            phases.stop()
            change.append(time.perf_counter() - started)
            applied.append(hub_a_live_seconds(entry_a))
            # Anything B sent is in its server once a round trip on B's link
            # has come back (the link is one ordered stream).
            await hub_b.client.ping()
            await hub_a.client.ping()
            at_b.append(
                {
                    "astdb_and_other_actions": actions_since(control_b, before_b),
                    "entity_writes": writes.of(ENTRY_B) - writes_b,
                    "live_applies": applies_b.count - live_b,
                }
            )
            at_a.append(
                {
                    "astdb_and_other_actions": actions_since(control_a, before_a),
                    "entity_writes": writes.of(ENTRY_A) - writes_a,
                    "live_applies": applies_a.count - live_a,
                }
            )
        out["change_a_s"] = round(statistics.median(change), 4)
        out["change_a_runs_s"] = [round(x, 4) for x in change]
        out["change_a_live_apply_s"] = round(statistics.median(applied), 4)
        out["change_a_touched_b"] = at_b
        out["change_a_touched_a"] = at_a
        out["links_kept"] = (
            int(control_a.ask("LOGINS")) == logins_a
            and int(control_b.ask("LOGINS")) == logins_b
        )

        # A scan at the other site's desk: A's account, B's desk's scanner.
        # Beside it the same login at one of A's own desks (its floor here).
        visit_in, visit_a, visit_b, visit_out, own_in = [], [], [], [], []
        for i in range(REPEATS):
            index = size_a - i
            ext, tag = extension(index), f"tag-{index}"
            b_desk = f"B{desk_id(size_b - i)}"
            trunk = f"PJSIP/{b_desk}@site-b"
            await phases.settle(hass)
            started = time.perf_counter()
            phases.start("scan")
            await async_scan_tag(hass, tag, f"b-scanner-{size_b - i}")
            seen = await keys_seen(
                started,
                lambda e=ext, t=trunk: (
                    t in control_a.ask("GET", f"hotdesk/route/{e}").split("&")
                ),
                lambda e=ext, d=b_desk: control_b.ask("GET", f"hotdesk/login/{d}") == e,
            )
            phases.stop()
            visit_in.append(max(seen))
            visit_a.append(seen[0])
            visit_b.append(seen[1])
            await hass.async_block_till_done()
            # The same tag there again logs out: the keys go on both.
            started = time.perf_counter()
            await async_scan_tag(hass, tag, f"b-scanner-{size_b - i}")
            await wait_until(
                lambda e=ext, t=trunk, d=b_desk: (
                    t not in control_a.ask("GET", f"hotdesk/route/{e}").split("&")
                    and control_b.ask("GET", f"hotdesk/login/{d}") == "-"
                )
            )
            visit_out.append(time.perf_counter() - started)
            await hass.async_block_till_done()
            # At one of A's own desks (not the account's home desk), with
            # another account's tag, also scanned for the first time (the
            # tag component adds a tag's entity on its first scan).
            mine = size_a - REPEATS - i
            own_ext, own_tag = extension(mine), f"tag-{mine}"
            own = (mine + size_a // 2) % size_a + 1
            started = time.perf_counter()
            await async_scan_tag(hass, own_tag, f"scanner-{own}")
            await wait_until(
                lambda e=own_ext, d=own: (
                    control_a.ask("GET", f"hotdesk/login/{desk_id(d)}") == e
                )
            )
            own_in.append(time.perf_counter() - started)
            await hass.async_block_till_done()
            await async_scan_tag(hass, own_tag, f"scanner-{own}")
            await wait_until(
                lambda d=own: control_a.ask("GET", f"hotdesk/login/{desk_id(d)}") == "-"
            )
            await hass.async_block_till_done()
        out["scan_other_site_s"] = round(statistics.median(visit_in), 4)
        out["scan_other_site_runs_s"] = [round(x, 4) for x in visit_in]
        out["scan_other_site_key_at_a_s"] = round(statistics.median(visit_a), 4)
        out["scan_other_site_key_at_b_s"] = round(statistics.median(visit_b), 4)
        out["scan_other_site_logout_s"] = round(statistics.median(visit_out), 4)
        out["scan_own_site_s"] = round(statistics.median(own_in), 4)
        out["scan_own_site_runs_s"] = [round(x, 4) for x in own_in]

        # A resync of B: B's server drops the link.
        resync, wall, a_actions, a_writes = [], [], [], []
        for _ in range(RESYNC_REPEATS):
            await hass.async_block_till_done()
            previous = hub_b.last_resync_seconds
            before_a, writes_a = actions(control_a), writes.of(ENTRY_A)
            await phases.settle(hass)
            dropped = time.perf_counter()
            phases.start("resync")
            control_b.ask("DROP")
            out["planned_link_drops"] = out.get("planned_link_drops", 0) + 1
            await wait_until(lambda: not hub_b.connected)
            await wait_until(
                lambda p=previous: hub_b.connected and hub_b.last_resync_seconds != p
            )
            phases.stop()
            wall.append(
                time.perf_counter() - dropped - hub_b.client.reconnect_min_delay
            )
            resync.append(hub_b.last_resync_seconds)
            await hass.async_block_till_done()
            await hub_a.client.ping()
            a_actions.append(actions_since(control_a, before_a))
            a_writes.append(writes.of(ENTRY_A) - writes_a)
        out["resync_b_s"] = round(statistics.median(resync), 3)
        out["resync_b_runs_s"] = [round(x, 3) for x in resync]
        out["resync_b_reconnect_to_resynced_s"] = round(statistics.median(wall), 3)
        out["resync_b_actions_at_a"] = a_actions
        out["resync_b_entity_writes_at_a"] = a_writes
        out["link_a_kept_during_b_resync"] = int(control_a.ask("LOGINS")) == logins_a
        out["entries_loaded"] = all(
            e.state is ConfigEntryState.LOADED for e in (entry_a, entry_b)
        )
        out["longest_loop_stall_s"] = {
            k: round(v, 3) for k, v in phases.stall_s.items()
        }
        out["longest_loop_stall_outside_gc_s"] = {
            k: round(max(v, 0.0), 3) for k, v in phases.stall_outside_gc_s.items()
        }
        out["longest_gc_pause_s"] = {
            k: round(v, 3) for k, v in phases.gc_pause_s.items()
        }
        out["gc_s"] = {k: round(v, 3) for k, v in phases.gc_s.items()}
    watcher.cancel()
    control_a.close()
    control_b.close()
    return out


async def keys_seen(started: float, *present: Any) -> list[float]:
    """Seconds from ``started`` until each predicate first held (polled)."""
    seen: list[float | None] = [None] * len(present)
    async with asyncio.timeout(60):
        while None in seen:
            for i, predicate in enumerate(present):
                if seen[i] is None and predicate():
                    seen[i] = time.perf_counter() - started
            await asyncio.sleep(0.001)
    return [x for x in seen if x is not None]


def hub_a_live_seconds(entry: Any) -> float:
    """The change's own time as the entry's live changes measured it."""
    return float(entry.runtime_data.live.last_apply_seconds or 0.0)


def start_source(size: int, prefix: str) -> tuple[subprocess.Popen[str], int, int]:
    """One site's AMI test server on 127.0.0.1, pinned to the load's core."""
    port, control_port = free_port(), free_port()
    source = subprocess.Popen(
        [
            str(MAIN_PYTHON), str(BENCH / "ami_source.py"),
            "--port", str(port), "--control-port", str(control_port),
            "--desks", str(size), "--endpoint-prefix", prefix,
            "--cpu", str(SOURCE_CPU),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert source.stdout is not None
    if not source.stdout.readline().startswith("LISTENING"):
        source.terminate()
        raise RuntimeError("source did not start")
    return source, port, control_port


def run_pair(size_a: int, size_b: int, profile: str | None = None) -> dict[str, Any]:
    """Both servers and the client (its own process, core 0) for one pair."""
    sources: list[subprocess.Popen[str]] = []
    try:
        source_a, port_a, control_a = start_source(size_a, "desk")
        sources.append(source_a)
        source_b, port_b, control_b = start_source(size_b, "bdesk")
        sources.append(source_b)
        command = [
            str(MAIN_PYTHON), str(BENCH / "two_sites.py"), "--client",
            "--ports", f"{port_a},{control_a},{port_b},{control_b}",
            "--size", str(size_a), "--size-b", str(size_b),
        ] + (["--profile", profile] if profile else [])  # fmt: skip
        load = loadavg()
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=3600, check=False
        )
        lines = [x for x in done.stdout.splitlines() if x.startswith("{")]
        if done.returncode != 0 or not lines:
            raise RuntimeError(f"two-site client failed: {done.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(lines[-1])
        result["loadavg_before"] = load
        result["link_lost_logged"] = done.stderr.count("Lost the connection")
        result["unplanned_link_drops"] = result["link_lost_logged"] - result.pop(
            "planned_link_drops", 0
        )
        return result
    finally:
        for source in sources:
            source.terminate()
            source.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--size-b", type=int, help="(client) B's size")
    parser.add_argument("--client", action="store_true")
    parser.add_argument("--ports", help="(client) A, A control, B, B control")
    parser.add_argument(
        "--profile",
        help="cProfile each phase of the client (setup, change, scan, resync) "
        "into this folder; prints the figures, records nothing",
    )
    args = parser.parse_args()
    if args.client:
        pin(CLIENT_CPU)
        logging.basicConfig(level=logging.WARNING)
        a, ca, b, cb = (int(x) for x in args.ports.split(","))
        ports = {"a": a, "control_a": ca, "b": b, "control_b": cb}
        size_b = args.size_b if args.size_b is not None else args.size
        emit(asyncio.run(client(ports, args.size, size_b, args.profile)))
        return
    size = args.size
    if args.profile:
        folder = Path(args.profile).resolve()
        for size_b in (size, SMALL_OTHER):
            print(
                json.dumps(run_pair(size, size_b, str(folder / f"b{size_b}"))),
                flush=True,
            )
        return
    both = run_pair(size, size)
    small = run_pair(size, SMALL_OTHER)
    one_site = run_size(size)
    setup_floor = run_floor(2 * size, one_site["shape"])
    # The same at 2N with one site's own kinds of entities (floor_like.py).
    like_floor = run_floor(2 * size, one_site["shape"], one_site["entity_kinds"])
    touched_b = both["change_a_touched_b"]
    payload = {
        "what": "two linked sites of N desks + N accounts each (two entries, "
        "each on its own AMI test server, one site link each way): setup of "
        "both, one change at A and what it touched at B, a scan of A's tag at "
        "B's desk until both servers hold the login, a resync of B",
        "unit": "seconds",
        "figures": {
            "both_at_n": both,
            "b_at_100": small,
            "one_site_at_n": {
                k: one_site[k]
                for k in (
                    "setup_s",
                    "config_change_s",
                    "live_apply_s",
                    "resync_s",
                    "rewrite_floor_s",
                    "login_s",
                    "longest_loop_stall_s",
                    "longest_loop_stall_outside_gc_s",
                    "unplanned_link_drops",
                    "loadavg_before",
                )
            },
            "ha_floor_at_2n": setup_floor,
            "ha_like_floor_at_2n": like_floor,
        },
        "summary": {
            "setup_both_s": {
                "value": both["setup_both_s"],
                "floor": setup_floor["setup_s"],
                "floor_is": "bench/floor.py at 2N + 2N (HA alone, as many "
                "subentries, devices and entities)",
                "ratio_to_floor": round(
                    both["setup_both_s"] / setup_floor["setup_s"], 2
                ),
                "one_site_at_n_s": one_site["setup_s"],
                "like_floor": like_floor["setup_s"],
                "like_floor_is": "bench/floor.py --like at 2N + 2N (HA alone, "
                "with one site's kinds of entities: platforms, names, "
                "attributes, restored states)",
                "ratio_to_like_floor": round(
                    both["setup_both_s"] / like_floor["setup_s"], 2
                ),
            },
            "change_at_a_s": {
                "value": both["change_a_s"],
                "with_b_at_100_s": small["change_a_s"],
                "ratio_to_b_at_100": round(both["change_a_s"] / small["change_a_s"], 2),
                "floor": one_site["config_change_s"],
                "floor_is": "bench/scale.py's one change at N, one site, same run",
                "ratio_to_floor": round(
                    both["change_a_s"] / one_site["config_change_s"], 2
                ),
                "live_apply_s": both["change_a_live_apply_s"],
                "live_apply_with_b_at_100_s": small["change_a_live_apply_s"],
            },
            "change_at_a_touched_b": {
                "actions_at_b_server": max(
                    x["astdb_and_other_actions"] for x in touched_b
                ),
                "b_entity_writes": max(x["entity_writes"] for x in touched_b),
                "b_live_applies": max(x["live_applies"] for x in touched_b),
                "at_a_for_comparison": both["change_a_touched_a"][0],
            },
            "scan_other_site_s": {
                "value": both["scan_other_site_s"],
                "key_at_a_s": both["scan_other_site_key_at_a_s"],
                "key_at_b_s": both["scan_other_site_key_at_b_s"],
                "floor": both["scan_own_site_s"],
                "floor_is": "the same tag's login at one of A's own desks, same run",
                "ratio_to_floor": round(
                    both["scan_other_site_s"] / both["scan_own_site_s"], 2
                ),
            },
            "resync_b_s": {
                "value": both["resync_b_s"],
                "floor": one_site["rewrite_floor_s"],
                "floor_is": "the AstDB tree of one site at N rewritten by a bare "
                "AmiClient (bench/scale.py, same run)",
                "ratio_to_floor": round(
                    both["resync_b_s"] / one_site["rewrite_floor_s"], 2
                ),
                "one_site_resync_s": one_site["resync_s"],
                "actions_at_a_server": max(both["resync_b_actions_at_a"]),
                "a_entity_writes": max(both["resync_b_entity_writes_at_a"]),
            },
            "longest_loop_stall_s": both["longest_loop_stall_s"],
            "longest_loop_stall_outside_gc_s": both["longest_loop_stall_outside_gc_s"],
            "unplanned_link_drops": both["unplanned_link_drops"]
            + small["unplanned_link_drops"],
        },
        "parameters": {
            "size": size,
            "small_other": SMALL_OTHER,
            "repeats": {"change": REPEATS, "scan": REPEATS, "resync": RESYNC_REPEATS},
            "servers": "two tests/ami_server.py processes (bench/ami_source.py), "
            "each on its own 127.0.0.1 port",
            "client_cpu": CLIENT_CPU,
            "source_cpu": SOURCE_CPU,
            "statistic": "median",
        },
        "versions": versions("homeassistant", "panoramisk"),
        "loadavg": loadavg(),
    }
    record("two_sites", payload)
    print(json.dumps(payload["summary"], indent=2))


if __name__ == "__main__":
    main()
