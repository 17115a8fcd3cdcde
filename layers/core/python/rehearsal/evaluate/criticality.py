"""How much a requirement matters. Shared by scenario specs (simulate) and results (evaluate)."""

from __future__ import annotations

from enum import StrEnum


class Criticality(StrEnum):
    CRITICAL = "critical"  # any failure blocks a release
    MAJOR = "major"  # fails the item
    MINOR = "minor"  # reported, does not fail the item

    @property
    def fails_item(self) -> bool:
        return self is not Criticality.MINOR

    @property
    def rank(self) -> int:
        """0 for the most severe; sorts failures worst first."""
        return _RANK[self]


_RANK = {Criticality.CRITICAL: 0, Criticality.MAJOR: 1, Criticality.MINOR: 2}
