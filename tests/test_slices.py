"""The shared slice of loop time: when work gives the event loop a turn.

Order, not time: each test queues a callback and sees whether it ran, so a
slow or busy machine cannot change the outcome.
"""

from __future__ import annotations

import asyncio

from custom_components.hotdesk_phone.slices import LoopSlices

# A slice that never runs out in a test: only the start of new work yields.
LONG = 3600.0


async def test_new_work_starts_its_slice_on_a_turn_of_its_own() -> None:
    """What ran before the first pause in this turn ends the turn.

    A resync turned the PBX's 30,000 keys into a map and then started its
    first slice in the same turn: the two ran as one 68 ms stretch. Work
    before the first pause is not counted in any slice, so it must not be
    followed by a whole slice before the loop gets a turn.
    """
    slices = LoopSlices(LONG)
    ran: list[str] = []
    loop = asyncio.get_running_loop()
    loop.call_soon(ran.append, "waiting")
    await slices.pause()
    assert ran == ["waiting"]
    assert slices.turns == 1
    # Within the slice now started: no turn until it is used up.
    loop.call_soon(ran.append, "later")
    await slices.pause()
    await slices.pause()
    assert ran == ["waiting"]
    assert slices.turns == 1


async def test_a_used_up_slice_gives_the_loop_a_turn() -> None:
    slices = LoopSlices(0.0)
    ran: list[str] = []
    loop = asyncio.get_running_loop()
    await slices.pause()
    loop.call_soon(ran.append, "waiting")
    await slices.pause()
    assert ran == ["waiting"]
    assert slices.turns == 2


async def test_work_side_by_side_shares_one_slice() -> None:
    """Two tasks in the same slice: the one that finds it used up yields."""
    slices = LoopSlices(LONG)
    order: list[str] = []

    async def part(name: str) -> None:
        await slices.pause()
        order.append(f"{name} in")
        await slices.pause()
        order.append(f"{name} on")

    await asyncio.gather(part("a"), part("b"))
    # Both first paused before any slice ran (each yielded once); the first
    # back started the slice, which both then ran in without a turn.
    assert order == ["a in", "a on", "b in", "b on"]
    assert slices.turns == 2


async def test_a_slice_ends_with_its_turn() -> None:
    """Work that comes in a later turn starts a slice of its own."""
    slices = LoopSlices(LONG)
    await slices.pause()
    await asyncio.sleep(0)  # the loop turns: the slice is over
    ran: list[str] = []
    asyncio.get_running_loop().call_soon(ran.append, "waiting")
    await slices.pause()
    assert ran == ["waiting"]
    assert slices.turns == 2
