"""Long work in turns: every part of an entry shares one time slice.

Home Assistant runs the platforms of an entry at the same time, and a resync
or a bulk import may run beside them. If each yielded after its own slice,
the event loop would still be held for the sum of them. ``LoopSlices`` keeps
one clock per entry: whoever finds the shared slice used up gives the loop a
turn, and the first to run after that starts the next slice.
"""

from __future__ import annotations

import asyncio

# How long an entry's work runs before the event loop gets a turn.
SLICE_SECONDS = 0.02


class LoopSlices:
    """One entry's shared slice of event-loop time."""

    def __init__(self, seconds: float = SLICE_SECONDS) -> None:
        """Slices of ``seconds``."""
        self.seconds = seconds
        self._started: float | None = None
        self.turns = 0  # how often the loop was given a turn (diagnostics)

    async def pause(self) -> None:
        """Give the loop a turn if the shared slice is used up."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._started is None or now - self._started > self.seconds * 4:
            # Nothing ran for a while: this is the start of a new slice.
            self._started = now
            return
        if now - self._started < self.seconds:
            return
        started = self._started
        self.turns += 1
        await asyncio.sleep(0)
        if self._started == started:
            # The first back after the turn starts the next slice.
            self._started = loop.time()
