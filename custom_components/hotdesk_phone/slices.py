"""Long work in turns: every part of every entry shares one time slice.

Home Assistant runs the platforms of an entry at the same time, a resync or
a bulk import may run beside them, and linked sites are entries of their
own. If each yielded after its own slice, the event loop would still be held
for the sum of them. ``LoopSlices`` keeps one clock (the hub keeps one for
all entries): whoever finds the shared slice used up gives the loop a turn,
and the first to run after that starts the next slice. Work that finds no
slice begun in its turn gives the loop a turn first: what ran before it in
that turn is in no slice, and must not be followed by a whole one.
"""

from __future__ import annotations

import asyncio

# How long an entry's work runs before the event loop gets a turn.
SLICE_SECONDS = 0.02


class LoopSlices:
    """The entries' shared slice of event-loop time."""

    def __init__(self, seconds: float = SLICE_SECONDS) -> None:
        """Slices of ``seconds``."""
        self.seconds = seconds
        self._started: float | None = None
        self.turns = 0  # how often the loop was given a turn (diagnostics)

    async def pause(self) -> None:
        """Give the loop a turn if the shared slice is used up or not begun.

        Not begun: whatever ran in this turn before (the caller's own work
        up to its first pause, a reply just parsed, others' callbacks) was
        counted in no slice, so the turn ends there instead of running a
        whole slice on top of it.
        """
        loop = asyncio.get_running_loop()
        if self._started is not None and loop.time() - self._started < self.seconds:
            return
        self.turns += 1
        await asyncio.sleep(0)
        if self._between_slices():
            # The first back after the turn starts the next slice.
            self._start(loop)

    def _between_slices(self) -> bool:
        return self._started is None

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        """A slice starts now and ends with this turn of the loop.

        The marker runs once the work of this turn has given the loop back,
        so work that comes later (a change after a quiet minute) starts a
        slice of its own instead of yielding at once in an old one.
        """
        self._started = loop.time()
        loop.call_soon(self._turn_over)

    def _turn_over(self) -> None:
        self._started = None
