"""The floor of setup and memory: Home Assistant's own cost of the entities.

A trivial custom integration, generated into a temporary config folder,
makes the same config entry shape as the scale benchmark's office (the same
desk and account subentries, one device each, and per owner the same number
of entities enabled and disabled by default), with plain sensors whose state
never changes and no connection to anything. Its setup time and the memory
it adds are what Home Assistant itself needs for that many entities and
devices: the floor for the integration's figures (bench/scale.py runs it in
the same run, on the same core, right after the integration).

    python bench/floor.py --size 10000 --shape '{"desk": [2, 1], ...}'

(its own process: the generated ``custom_components`` package must be the
one Python imports, so nothing of the real integration is loaded here).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
from pathlib import Path
import sys
import tempfile
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CLIENT_CPU, Phases, emit, pin
from bench.floor_like import write_like

DOMAIN = "hotdesk_floor"

MANIFEST = {
    "domain": DOMAIN,
    "name": "Entity floor (benchmark)",
    "codeowners": [],
    "config_flow": True,
    "dependencies": [],
    "documentation": "https://example.invalid",
    "iot_class": "local_push",
    "requirements": [],
    "version": "0.0.1",
}

INIT = '''"""Set up the trivial entities (on the platforms the entry names)."""


async def async_setup_entry(hass, entry):
    await hass.config_entries.async_forward_entry_setups(
        entry, entry.data["platforms"]
    )
    return True


async def async_unload_entry(hass, entry):
    return await hass.config_entries.async_unload_platforms(
        entry, entry.data["platforms"]
    )
'''

FLOW = '''"""Entries come from the benchmark (a subentry type per kind)."""
from homeassistant.config_entries import ConfigFlow, ConfigSubentryFlow


class _Kind(ConfigSubentryFlow):
    pass


class FloorFlow(ConfigFlow, domain="hotdesk_floor"):
    @classmethod
    def async_get_supported_subentry_types(cls, config_entry):
        return {"desk": _Kind, "account": _Kind}
'''

SENSOR = '''"""Plain sensors: a fixed state, pushed never."""
from homeassistant.components.sensor import SensorEntity
from homeassistant.helpers.device_registry import DeviceInfo

DOMAIN = "hotdesk_floor"


class Plain(SensorEntity):
    _attr_should_poll = False
    _attr_has_entity_name = True
    _attr_native_value = "idle"

    def __init__(self, owner, title, index, enabled):
        self._attr_unique_id = f"{owner}_{index}"
        self._attr_name = f"e{index}"
        self._attr_entity_registry_enabled_default = enabled
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, owner)}, name=title)


def _entities(owner, title, shape):
    on, off = shape
    return [Plain(owner, title, i, i < on) for i in range(on + off)]


async def async_setup_entry(hass, entry, async_add_entities):
    shape = entry.data["shape"]
    async_add_entities(_entities(entry.entry_id, "PBX", shape.get("hub", [0, 0])))
    # One call per subentry, as entities of a subentry must be added.
    for subentry_id, sub in entry.subentries.items():
        async_add_entities(
            _entities(subentry_id, sub.title, shape[sub.subentry_type]),
            config_subentry_id=subentry_id,
        )
'''


def rss_bytes() -> int:
    """Resident set size of this process."""
    with Path("/proc/self/statm").open(encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def write_integration(
    folder: Path, like: dict[str, list[dict[str, Any]]] | None = None
) -> list[str]:
    """The trivial integration, as ``<folder>/custom_components/hotdesk_floor``.

    Plain sensors, or with ``like`` the office's own kinds of entities
    (``floor_like.py``). Returns the platforms it has.
    """
    package = folder / "custom_components"
    component = package / DOMAIN
    component.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (component / "manifest.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    (component / "__init__.py").write_text(INIT, encoding="utf-8")
    (component / "config_flow.py").write_text(FLOW, encoding="utf-8")
    if like is not None:
        return write_like(component, like)
    (component / "sensor.py").write_text(SENSOR, encoding="utf-8")
    return ["sensor"]


def subentries(size: int) -> list[dict[str, Any]]:
    """``size`` desks and ``size`` accounts, ids and titles as in the office."""
    return [
        {
            "subentry_id": f"{prefix}{i:05d}",
            "subentry_type": kind,
            "title": f"{title} {i}",
            "unique_id": None,
            "data": {},
        }
        for prefix, kind, title in (("D", "desk", "Desk"), ("A", "account", "Person"))
        for i in range(1, size + 1)
    ]


async def measure(
    folder: Path,
    size: int,
    shape: dict[str, list[int]],
    platforms: list[str],
    *,
    like: dict[str, list[dict[str, Any]]] | None = None,
    profile: str | None = None,
) -> dict[str, Any]:
    """Set the trivial entry up in a fresh HA; its time and memory."""
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        MockConfigEntry,
        async_test_home_assistant,
    )

    from homeassistant import loader  # noqa: PLC0415
    from homeassistant.helpers import entity_registry as er  # noqa: PLC0415

    out: dict[str, Any] = {"size": size, "shape": shape}
    async with async_test_home_assistant(config_dir=str(folder)) as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="Floor",
            data={"shape": shape, "platforms": platforms, "like": like},
            subentries_data=subentries(size),  # type: ignore[arg-type]
            entry_id="01FLOORENTRY",
        )
        entry.add_to_hass(hass)
        gc.collect()
        # The stalls of Home Assistant's own work, as the scale bench
        # watches the integration's (its floor for them).
        phases = Phases(profile)
        watcher = asyncio.get_running_loop().create_task(phases.watch_loop())
        before = rss_bytes()
        await phases.settle()
        started = time.perf_counter()
        phases.start("setup")
        if not await hass.config_entries.async_setup(entry.entry_id):
            raise RuntimeError(f"floor entry did not load: {entry.state}")
        await hass.async_block_till_done()
        phases.stop()
        out["setup_s"] = round(time.perf_counter() - started, 3)
        out["gc_s"] = round(phases.gc_s.get("setup", 0.0), 3)
        out["longest_loop_stall_s"] = round(phases.stall_s.get("setup", 0.0), 3)
        out["longest_loop_stall_outside_gc_s"] = round(
            phases.stall_outside_gc_s.get("setup", 0.0), 3
        )
        out["longest_gc_pause_s"] = round(phases.gc_pause_s.get("setup", 0.0), 3)
        gc.collect()
        out["rss_added_mb"] = round((rss_bytes() - before) / 2**20, 1)
        out["entities"] = len(
            er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        )
        out["states"] = len(hass.states.async_entity_ids())
        # HA's own saves of the registries this setup filled, which the
        # office's benchmark times as a phase of their own (after the memory
        # is read, as there).
        out["ha_saves_written"] = await phases.write_ha_saves(hass)
        out["ha_saves_longest_loop_stall_outside_gc_s"] = round(
            phases.stall_outside_gc_s.get("ha_saves", 0.0), 3
        )
        watcher.cancel()
        await hass.async_stop(force=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="entity floor for the scale bench")
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--shape", required=True, help="JSON: kind -> [on, off]")
    parser.add_argument(
        "--profile",
        help="cProfile the setup into this folder (setup.pstats), to set "
        "beside bench/scale.py --profile",
    )
    parser.add_argument(
        "--like",
        help="JSON: kind -> the office's entities of one owner "
        "(floor_like.entity_kinds); without it, plain sensors",
    )
    args = parser.parse_args()
    pin(CLIENT_CPU)
    logging.basicConfig(level=logging.WARNING)
    like = json.loads(args.like) if args.like else None
    with tempfile.TemporaryDirectory(prefix="hotdesk-floor-") as folder:
        platforms = write_integration(Path(folder), like)
        # The generated package, not the repository's custom_components.
        sys.path.insert(0, folder)
        emit(
            asyncio.run(
                measure(
                    Path(folder),
                    args.size,
                    json.loads(args.shape),
                    platforms,
                    like=like,
                    profile=args.profile,
                )
            )
        )


if __name__ == "__main__":
    main()
