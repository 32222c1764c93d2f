"""Shared helpers for the benchmarks: environment facts, statistics, results.json.

Standard library only, so both the main venv and the bench venv can import it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
import contextlib
import datetime as dt
import fcntl
import gc
import importlib.metadata
import json
import os
from pathlib import Path
import platform
import statistics
import subprocess
import sys
import time
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
# bench/run_all --quick writes elsewhere (BENCH_RESULTS) to keep the real figures.
RESULTS = Path(os.environ.get("BENCH_RESULTS", BENCH / "results.json"))
OUT = BENCH / "out"
TRANSCRIPTS = REPO / "tests" / "fixtures" / "ami"  # scripts/record-fixtures
ASTERISK = REPO / "scripts" / "asterisk"
MAIN_PYTHON = REPO / ".venv" / "bin" / "python"
BENCH_PYTHON = REPO / ".cache" / "bench-venv" / "bin" / "python"

# The cores of this 2-core machine: the measured client runs on one, the
# event source (or the PBX) on the other.
CLIENT_CPU = 0
SOURCE_CPU = 1


def pin(cpu: int | None) -> None:
    """Keep this process (and threads it starts later) on one core."""
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {cpu % (os.cpu_count() or 1)})


def loadavg() -> list[float]:
    """The 1, 5 and 15 minute load averages, rounded."""
    return [round(x, 2) for x in os.getloadavg()]


def versions(*packages: str) -> dict[str, str]:
    """Installed versions of some distributions (and Python's)."""
    found = {"python": platform.python_version()}
    for name in packages:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="ascii").splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    osname = ""
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                osname = line.partition("=")[2].strip('"')
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "os": osname,
        "kernel": platform.release(),
    }


def now() -> str:
    """UTC time stamp, ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def percentile(values: Iterable[float], pct: float) -> float:
    """The pct-th percentile (linear interpolation between closest ranks)."""
    data = sorted(values)
    if not data:
        return float("nan")
    if len(data) == 1:
        return data[0]
    rank = (len(data) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (rank - low)


def summary(values: Iterable[float], digits: int = 3) -> dict[str, float]:
    """n, min, p50, p90, p99, max and mean."""
    data = list(values)
    if not data:
        return {"n": 0}
    return {
        "n": len(data),
        "min": round(min(data), digits),
        "p50": round(percentile(data, 50), digits),
        "p90": round(percentile(data, 90), digits),
        "p99": round(percentile(data, 99), digits),
        "max": round(max(data), digits),
        "mean": round(statistics.fmean(data), digits),
    }


def git_revision() -> str:
    """The commit the work tree is on (+ '-dirty' when it has changes)."""
    try:
        rev = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + ("-dirty" if dirty else "")


def record(name: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Put one benchmark's result into bench/results.json (others are kept)."""
    entry = {
        "date": now(),
        "git": git_revision(),
        "machine": machine(),
        **payload,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "results.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            data = json.loads(RESULTS.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        data.setdefault("benchmarks", {})[name] = entry
        data["updated"] = entry["date"]
        RESULTS.write_text(
            json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8"
        )
    return entry


def emit(obj: Any) -> None:
    """One JSON line on stdout (how child processes report)."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def asterisk(*args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """Run scripts/asterisk with extra environment (ports, secret)."""
    return subprocess.run(
        [str(ASTERISK), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def start_pbx(run_dir: Path, env: Mapping[str, str]) -> dict[str, str]:
    """A fresh Asterisk run (scripts/asterisk), pinned: it to the load's core,
    this process to the client's. Its ``KEY=value`` lines (AMI_PORT,
    AMI_USERNAME, ASTERISK_PID, ...) as a dict; the caller stops it with
    ``asterisk("stop", str(run_dir), env=env)``.
    """
    ensure = asterisk("ensure", env=env)
    if ensure.returncode != 0:
        raise SystemExit(f"scripts/asterisk ensure failed: {ensure.stderr[-2000:]}")
    asterisk("stop", str(run_dir), env=env)  # a run left over from before
    started = asterisk("start", str(run_dir), env=env)
    if started.returncode != 0:
        raise SystemExit(f"scripts/asterisk start failed: {started.stderr[-2000:]}")
    pbx = dict(
        line.split("=", 1) for line in started.stdout.splitlines() if "=" in line
    )
    subprocess.run(
        ["taskset", "-a", "-cp", str(SOURCE_CPU), pbx["ASTERISK_PID"]],
        capture_output=True,
        check=False,
    )
    pin(CLIENT_CPU)
    return pbx


async def until(
    predicate: Callable[[], object], what: str, *, limit: float, poll: float
) -> None:
    """Poll every ``poll`` seconds until ``predicate`` holds, for ``limit`` s."""
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {limit} s")
        await asyncio.sleep(poll)


class Phases:
    """Per phase: time spent in Python's garbage collector, and (with a
    folder) a cProfile of the phase written to ``<folder>/<phase>.pstats``."""

    def __init__(self, folder: str | None) -> None:
        self.folder = Path(folder) if folder else None
        self.gc_s: dict[str, float] = {}
        self.stall_s: dict[str, float] = {}
        # The same without the collector's pauses in it, and the longest pause.
        self.stall_outside_gc_s: dict[str, float] = {}
        self.gc_pause_s: dict[str, float] = {}
        self._gc_since_tick = 0.0
        self._tick_started = 0.0
        self._phase: str | None = None
        self._gc_started = 0.0
        self._gc_running = False
        self._profile: Any = None
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, stage: str, _info: dict[str, Any]) -> None:
        now = time.perf_counter()
        if stage == "start":
            self._gc_started = now
            self._gc_running = True
            return
        self._gc_running = False
        spent = now - self._gc_started
        # Only its part inside the current tick (a tick that ended first
        # counted the rest: ``_gc_in_tick``).
        self._gc_since_tick += now - max(self._gc_started, self._tick_started)
        if self._phase is None:
            return
        self.gc_s[self._phase] = self.gc_s.get(self._phase, 0.0) + spent
        if spent > self.gc_pause_s.get(self._phase, 0.0):
            self.gc_pause_s[self._phase] = spent

    def _gc_in_tick(self) -> float:
        """The collector's time in the tick that ends now.

        A collection in another thread (HA's executor) can end, and the loop
        run on, before that thread calls the collector's ``stop`` callback:
        a collection still open at the tick's end counts up to now.
        """
        spent = self._gc_since_tick
        if self._gc_running:
            spent += time.perf_counter() - max(self._gc_started, self._tick_started)
        return spent

    async def watch_loop(self) -> None:
        """The longest the event loop was blocked, per phase (a 50 ms tick)."""
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            self._tick_started = time.perf_counter()
            self._gc_since_tick = 0.0
            await asyncio.sleep(0.05)
            stall = loop.time() - before - 0.05
            phase = self._phase or "other"
            if stall > self.stall_s.get(phase, 0.0):
                self.stall_s[phase] = stall
            outside = stall - self._gc_in_tick()
            if outside > self.stall_outside_gc_s.get(phase, 0.0):
                self.stall_outside_gc_s[phase] = outside

    async def settle(self, hass: Any = None) -> None:
        """Let the watcher's tick close before a phase starts.

        Otherwise a tick that spans the benchmark's own work just before the
        phase (building the entry, a full ``gc.collect()``) counts as the
        phase's stall. With ``hass``, Home Assistant's own delayed saves are
        written first, as a phase of their own (``write_ha_saves``).
        """
        if hass is not None:
            await self.write_ha_saves(hass)
        await asyncio.sleep(0.06)

    async def write_ha_saves(self, hass: Any) -> int:
        """Write HA's pending saves of its registries now, as phase ``ha_saves``.

        Home Assistant writes its entity and device registries and its config
        entries some seconds after the last change, serialising them in an
        executor thread that holds the interpreter lock for most of it. At
        10,000 seats that is a stall of its own, as long in the floor as in
        the office, which would otherwise land in whichever phase runs then.
        Returns how many stores had a save pending.
        """
        from homeassistant.helpers import (  # noqa: PLC0415
            device_registry as dr,
            entity_registry as er,
        )

        stores = [
            er.async_get(hass)._store,
            dr.async_get(hass)._store,
            hass.config_entries._store,
        ]
        pending = [store for store in stores if store._data is not None]
        if not pending:
            return 0
        await asyncio.sleep(0.06)  # the tick before belongs to no phase
        self.start("ha_saves")
        for store in pending:
            await store._async_handle_write_data()
        await asyncio.sleep(0.06)  # a tick that ends within the phase
        self.stop()
        return len(pending)

    def start(self, phase: str) -> None:
        self._phase = phase
        if self.folder is not None:
            import cProfile  # noqa: PLC0415

            self._profile = cProfile.Profile()
            self._profile.enable()

    def stop(self) -> None:
        if self._profile is not None and self.folder is not None:
            self._profile.disable()
            self.folder.mkdir(parents=True, exist_ok=True)
            self._profile.dump_stats(self.folder / f"{self._phase}.pstats")
            self._profile = None
        self._phase = None
