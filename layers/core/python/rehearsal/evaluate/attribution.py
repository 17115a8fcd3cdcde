"""Simulator-error attribution: when the simulated visitor went wrong (invented a fact, left its goal), the
item says nothing about the agent — unless the agent had already failed before the visitor went wrong."""

from __future__ import annotations

from collections.abc import Sequence

from rehearsal.evaluate.criticality import fails_item
from rehearsal.evaluate.results import CheckResult, Verdict
from rehearsal.simulate.records import SimulatorIssue


def attribute(checks: Sequence[CheckResult], issues: Sequence[SimulatorIssue]) -> tuple[Verdict, str]:
    """The item's verdict from its checks and the simulator's issues, with the reason in one line."""
    failures = [check for check in checks if check.failed and fails_item(check.criticality)]
    if not issues:
        if failures:
            return Verdict.FAIL, "failed: " + ", ".join(check.requirement_id for check in failures)
        return Verdict.PASS, "every requirement met"
    first_issue = min((issue.turn for issue in issues if issue.turn is not None), default=None)
    earlier = [check for check in failures if _before(check, first_issue)]
    if earlier:
        return Verdict.FAIL, (
            "failed before the simulator went wrong at turn "
            f"{first_issue}: " + ", ".join(check.requirement_id for check in earlier)
        )
    details = "; ".join(f"{issue.kind}: {issue.detail}" for issue in issues)
    return Verdict.INCONCLUSIVE_SIMULATOR, f"simulator error, not the agent's: {details}"


def _before(check: CheckResult, turn: int | None) -> bool:
    """Every piece of the failure's evidence lies strictly before ``turn`` (and there is some)."""
    turns = [evidence.turn for evidence in check.evidence]
    return turn is not None and bool(turns) and all(t is not None and t < turn for t in turns)
