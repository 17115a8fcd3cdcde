"""Fault specs: tool errors, added latency and malformed results to inject, for a suite or one scenario."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from rehearsal.simulate.specs.common import Spec

Probability = Annotated[float, Field(ge=0, le=1)]


class FaultSpec(Spec):
    """Faults injected into tool calls to test recovery; seeded per item."""

    tools: list[str] = Field(default_factory=list, description="Tools affected; empty means all.")
    error_rate: Probability = 0.0
    latency_ms: Annotated[float, Field(ge=0, le=60_000)] = 0.0
    malformed_rate: Probability = Field(0.0, description="Chance a result is replaced by a malformed one.")

    @property
    def active(self) -> bool:
        return self.error_rate > 0 or self.latency_ms > 0 or self.malformed_rate > 0
