from __future__ import annotations

import asyncio

import pytest

from rehearsal.pipeline.pacing import StartGate


async def _starts(gate: StartGate, count: int, hold_s: float = 0.0) -> tuple[list[float], int]:
    """(each conversation's start time, the most inside the gate at once)."""
    loop = asyncio.get_running_loop()
    started: list[float] = []
    inside = peak = 0

    async def one() -> None:
        nonlocal inside, peak
        async with gate:
            started.append(loop.time())
            inside += 1
            peak = max(peak, inside)
            await asyncio.sleep(hold_s)
            inside -= 1

    await asyncio.gather(*(one() for _ in range(count)))
    return sorted(started), peak


def test_the_first_wave_is_spread_over_the_ramp_up() -> None:
    # Given 8 conversations at a time, ramped over 80 ms
    gate = StartGate(8, ramp_up_s=0.08)
    # When 8 start together
    started, _ = asyncio.run(_starts(gate, 8))
    # Then none starts before its booked time, 10 ms after the one before (the k-th earliest start is at
    # least k × 10 ms after the first), and the last starts about 70 ms after the first
    for k, start in enumerate(started):
        assert start - started[0] >= k * 0.01 - 1e-6
    assert started[-1] - started[0] < 0.5


def test_without_a_ramp_up_every_slot_starts_at_once() -> None:
    started, _ = asyncio.run(_starts(StartGate(8), 8))
    assert started[-1] - started[0] < 0.005


def test_no_more_than_the_concurrency_are_inside() -> None:
    started, peak = asyncio.run(_starts(StartGate(3, ramp_up_s=0.003), 10, hold_s=0.01))
    assert peak == 3
    assert len(started) == 10


def test_a_conversation_cancelled_while_it_waits_to_start_gives_its_slot_back() -> None:
    async def scenario() -> int:
        gate = StartGate(1, ramp_up_s=10.0)
        async with gate:  # the first start books the next one 10 s later
            pass
        waiting = asyncio.create_task(gate.__aenter__())
        await asyncio.sleep(0.01)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        # Then the slot is free again: a gate without a ramp would admit at once
        return gate._slots._value

    assert asyncio.run(scenario()) == 1


@pytest.mark.parametrize(("concurrency", "ramp_up_s"), [(0, 0.0), (4, -1.0)])
def test_a_bad_setting_is_refused(concurrency: int, ramp_up_s: float) -> None:
    with pytest.raises(ValueError, match=r"concurrency|ramp_up_s"):
        StartGate(concurrency, ramp_up_s)
