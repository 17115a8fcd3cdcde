"""Bounded, paced conversation starts for LLM engines.

A run keeps ``concurrency`` conversations in flight. Started in the same instant, they stay in lock-step for
the whole run: a model that answers in about the same time returns each wave of calls together, and every
call of a wave waits behind the processing of the ones before it — half a wave's CPU time on average, tens of
milliseconds per call at 256 in flight (``benchmarks/simulation_throughput.py``). Spreading the first wave
over ``ramp_up_s`` (about one model latency) breaks the lock-step for good: later conversations start in the
slots the earlier ones free, which are spread already. It is also what a rate-limited endpoint wants — no
burst of ``concurrency`` requests in one millisecond — as the spawn rate of load-testing tools is.
"""

from __future__ import annotations

import asyncio
from types import TracebackType


class StartGate:
    """``async with gate:`` around one conversation: at most ``concurrency`` inside, and starts at least
    ``ramp_up_s / concurrency`` seconds apart (so the first ``concurrency`` spread over ``ramp_up_s``)."""

    def __init__(self, concurrency: int, ramp_up_s: float = 0.0) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        if ramp_up_s < 0:
            raise ValueError(f"ramp_up_s must not be negative, got {ramp_up_s}")
        self._slots = asyncio.Semaphore(concurrency)
        self._interval_s = ramp_up_s / concurrency
        self._next_start = float("-inf")  # event-loop time of the earliest next start

    async def __aenter__(self) -> None:
        await self._slots.acquire()
        if self._interval_s == 0:
            return
        try:
            now = asyncio.get_running_loop().time()
            # Booked before sleeping, so that the starts waiting together queue one interval apart.
            start = max(self._next_start, now)
            self._next_start = start + self._interval_s
            if start > now:
                await asyncio.sleep(start - now)
        except BaseException:
            self._slots.release()
            raise

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._slots.release()
