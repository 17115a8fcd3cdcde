"""A/B traffic splits between bundle versions, sticky per conversation.

A conversation id hashes to a point in [0, 1); versions own consecutive slices of that interval in
proportion to their weights, in a fixed (sorted) order. The same id always lands on the same version while
the weights stay the same, on any machine, with no state to share.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

_SCALE = float(2**64)


class Split(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    weights: dict[str, Annotated[float, Field(gt=0)]] = Field(min_length=1, description="Version → weight.")

    @field_validator("weights")
    @classmethod
    def _finite_total(cls, weights: dict[str, float]) -> dict[str, float]:
        if sum(weights.values()) == float("inf"):
            raise ValueError("weights must be finite")
        return weights

    def shares(self) -> dict[str, float]:
        total = sum(self.weights.values())
        return {version: self.weights[version] / total for version in sorted(self.weights)}

    def choose(self, conversation_id: str, *, salt: str = "") -> str:
        return choose_weighted(self.weights, conversation_id, salt=salt)


def bucket(conversation_id: str, *, salt: str = "") -> float:
    """A uniform, stable point in [0, 1) for ``conversation_id``."""
    digest = hashlib.sha256(f"{salt}\x00{conversation_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def choose_weighted(weights: Mapping[str, float], conversation_id: str, *, salt: str = "") -> str:
    if not weights:
        raise ValueError("a split needs at least one version")
    versions = sorted(weights)
    total = sum(weights[version] for version in versions)
    point = bucket(conversation_id, salt=salt) * total
    cumulative = 0.0
    for version in versions:
        cumulative += weights[version]
        if point < cumulative:
            return version
    return versions[-1]  # rounding at the very top of the interval
