"""Garbage-collector pacing for an event loop that keeps hundreds of conversations in flight.

CPython's cyclic collector runs a young collection every 700 net container allocations and, every so many
of those, a full one that walks every object in the process: modules, compiled bundles, tool schemas and
recognizers. With 256 conversations on one loop each collection stalls all of them: at 200 ms of model
latency the harness spent 0.6 s of a 7 s run collecting, the full passes up to 80 ms each
(``benchmarks/simulation_throughput.py``).

So while a run lasts, what setup built is frozen (``gc.freeze``: it lives as long as the run anyway, so no
collection needs to walk it again) and young collections come every ``YOUNG_THRESHOLD`` allocations. Cycles
are still collected, in larger batches; on exit the previous thresholds come back and the frozen objects
become collectable again.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 50_000
"""Allocations between young collections while a run lasts (CPython's default: 700). A few MB of garbage
cycles may wait that long; on the LLM harness the collections' share of CPU fell from ~10 % to under 1 %."""


class _Pacing:
    """The process's one pacing state: nested and concurrent runs share a single freeze."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.saved = gc.get_threshold()

    def enter(self, young_threshold: int) -> None:
        with self.lock:
            self.depth += 1
            if self.depth == 1:
                self.saved = gc.get_threshold()
                gc.collect()  # what is garbage now must not be frozen with the rest
                gc.freeze()
                gc.set_threshold(max(young_threshold, self.saved[0]), *self.saved[1:])

    def leave(self) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth == 0:
                gc.set_threshold(*self.saved)
                gc.unfreeze()


_pacing = _Pacing()


@contextmanager
def steady_heap(young_threshold: int = YOUNG_THRESHOLD) -> Iterator[None]:
    """Freeze what exists now and collect the young generation less often, until the block ends.

    Re-entrant: nested and concurrent blocks share one freeze, undone when the outermost ends.
    """
    _pacing.enter(young_threshold)
    try:
        yield
    finally:
        _pacing.leave()
