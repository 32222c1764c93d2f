"""Client side of ami_source.py's control port, and the measuring loop.

Standard library only (also imported by the asterisk-ami client, which runs
in the bench venv).
"""

from __future__ import annotations

from collections.abc import Callable
import json
import socket
import statistics
from typing import Any

# Each measured run streams about this many seconds of events.
TARGET_SECONDS = 2.0
MAX_CYCLES = 3000
RUN_TIMEOUT = 120.0


class Control:
    """A blocking line-protocol client of the source's control port."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.sock = socket.create_connection((host, port), timeout=RUN_TIMEOUT)
        self.file = self.sock.makefile("rwb")

    def send(self, *words: object) -> None:
        self.file.write((" ".join(map(str, words)) + "\n").encode())
        self.file.flush()

    def read(self) -> str:
        return self.file.readline().decode().strip()

    def ask(self, *words: object) -> str:
        self.send(*words)
        return self.read()

    def go(self) -> None:
        """Start the stream; its reply (SENT) is read by ``measure`` later."""
        self.send("GO")

    def info(self) -> dict[str, int]:
        return json.loads(self.ask("INFO"))

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def sentinel_state(run: int) -> str:
    """The sentinel desk alternates between in use and idle from run to run."""
    return "INUSE" if run % 2 == 0 else "NOT_INUSE"


def measure(
    control: Control,
    mode: str,
    blast: Callable[[int, int], float],
    repeats: int = 5,
) -> dict[str, Any]:
    """Warm up, calibrate, then time ``repeats`` runs; rates in events/s.

    ``blast(run, events)`` calls ``control.go()`` (after PREP) and returns
    the seconds until the client had handled the last of ``events`` events.
    """
    per_cycle = control.info()[mode]
    run = 0

    def one(cycles: int) -> tuple[int, float]:
        nonlocal run
        reply = control.ask("PREP", cycles, mode, sentinel_state(run))
        events = int(reply.split()[1])
        seconds = blast(run, events)
        if (sent := control.read()) != "SENT":
            raise RuntimeError(f"source said {sent!r}")
        run += 1
        return events, seconds

    one(1)  # warm-up: first-time code paths, caches
    events, seconds = one(3)
    rate = events / seconds
    cycles = max(1, min(MAX_CYCLES, round(TARGET_SECONDS * rate / per_cycle)))
    rates = []
    for _ in range(repeats):
        events, seconds = one(cycles)
        rates.append(events / seconds)
    return {
        "events_per_s": round(statistics.median(rates)),
        "runs_events_per_s": [round(r) for r in rates],
        "events_per_run": events,
        "cycles_per_run": cycles,
        "events_per_cycle": per_cycle,
        "us_per_event": round(1e6 / statistics.median(rates), 3),
    }
