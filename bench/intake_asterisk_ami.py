"""Event intake client for ``asterisk-ami`` (runs in the bench venv).

Kinds (``--client``):

- ``asterisk-ami``: one event listener that takes every event (as raw
  panoramisk's ``'*'`` callback does).
- ``asterisk-ami-ha``: the pattern of the most used HA Asterisk integration
  (TECH7Fox/asterisk-hass-integration, sensor.py ConnectedLineSensor): four
  filtered listeners per endpoint (NewConnectedLine by CallerIDNum, by
  ConnectedLineNum, Hangup and Newchannel by CallerIDNum), here for
  ``--desks`` endpoints; plus one listener that counts.

Started by bench/intake.py; prints one JSON line.
"""

from __future__ import annotations

import argparse
from pathlib import Path
import sys
import threading
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asterisk.ami import AMIClient

from bench.common import CLIENT_CPU, emit, pin
from bench.control import Control, measure


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--client", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--control-port", type=int, required=True)
    parser.add_argument("--desks", type=int, default=10)
    parser.add_argument("--mode", default="full")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    pin(CLIENT_CPU)

    # As the HA integration creates it (default 1 KiB receive buffer).
    client = AMIClient(address="127.0.0.1", port=args.port, timeout=10)
    future = client.login(username="hotdesk", secret="s3cret")  # noqa: S106
    if future.response is None or future.response.is_error():
        raise SystemExit(f"login failed: {future.response}")

    state: dict[str, Any] = {"count": 0, "expected": -1, "done": threading.Event()}
    handled = [0]

    def count(event: Any, **_: Any) -> None:
        state["count"] += 1
        if state["count"] == state["expected"]:
            state["done"].set()

    if args.client == "asterisk-ami-ha":

        def handle(event: Any, **_: Any) -> None:
            # The real handlers set a state and schedule an HA state write.
            handled[0] += 1

        for index in range(1, args.desks + 1):
            extension = f"desk{index}"
            client.add_event_listener(
                handle, white_list=["NewConnectedLine"], CallerIDNum=extension
            )
            client.add_event_listener(
                handle, white_list=["NewConnectedLine"], ConnectedLineNum=extension
            )
            client.add_event_listener(
                handle, white_list=["Hangup"], CallerIDNum=extension
            )
            client.add_event_listener(
                handle, white_list=["Newchannel"], CallerIDNum=extension
            )
    client.add_event_listener(count)

    control = Control(args.control_port)

    def blast(run: int, events: int) -> float:
        time.sleep(0.05)  # let the login's FullyBooted through
        state["count"] = 0
        state["expected"] = events
        state["done"] = threading.Event()
        started = time.perf_counter()
        control.go()
        if not state["done"].wait(600):
            raise TimeoutError(f"{state['count']} of {events} events")
        return time.perf_counter() - started

    started = time.perf_counter()
    result = measure(control, args.mode, blast, args.repeats)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    result["listeners"] = len(client._event_listeners)
    result["handled_by_filtered_listeners"] = handled[0]
    control.close()
    emit(result)
    client.disconnect()


if __name__ == "__main__":
    main()
