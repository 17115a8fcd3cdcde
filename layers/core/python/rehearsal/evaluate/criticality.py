"""How much a requirement matters. Defined once, with the scenario specs that declare it; evaluation adds
how a failure weighs."""

from __future__ import annotations

from rehearsal.simulate.specs.common import Criticality

__all__ = ["Criticality", "fails_item", "severity_rank"]

_RANK = {Criticality.CRITICAL: 0, Criticality.MAJOR: 1, Criticality.MINOR: 2}


def fails_item(criticality: Criticality) -> bool:
    """Critical and major failures fail the item; minor ones are reported only."""
    return criticality is not Criticality.MINOR


def severity_rank(criticality: Criticality) -> int:
    """0 for the most severe; sorts failures worst first."""
    return _RANK[criticality]
