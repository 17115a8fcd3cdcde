"""What every report renders: one run's aggregate, items and gate decision, and optionally its comparison."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from rehearsal.evaluate.aggregate import RunAggregate
from rehearsal.evaluate.compare import RunComparison
from rehearsal.evaluate.gates import GateDecision
from rehearsal.evaluate.results import ItemResult, Verdict
from rehearsal.runtime.state import utcnow


class RunReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_id: str
    bundle_name: str
    bundle_version: str
    suite_name: str
    suite_hash: str = ""
    created_at: AwareDatetime = Field(default_factory=utcnow)
    aggregate: RunAggregate
    items: list[ItemResult] = Field(default_factory=list)
    gate: GateDecision | None = None
    baseline_run_id: str | None = Field(None, description="The bundle's last green run, compared against.")
    comparison: RunComparison | None = None

    @property
    def short_version(self) -> str:
        return self.bundle_version[:12]


def headline(aggregate: RunAggregate) -> dict[str, Any]:
    """The figures a person looks at first; also what a run record keeps as its summary."""
    rate = aggregate.pass_rate
    return {
        "items": aggregate.items,
        "passed": aggregate.count(Verdict.PASS),
        "failed": aggregate.count(Verdict.FAIL),
        "inconclusive": aggregate.count(Verdict.INCONCLUSIVE_SIMULATOR),
        "errored": aggregate.count(Verdict.ERRORED),
        "pass_rate": rate.rate,
        "pass_rate_ci": [rate.low, rate.high],
        "pass_hat_k": {str(k): v for k, v in aggregate.pass_hat_k.items()},
        "critical_failures": aggregate.critical_failures,
        "tool_accuracy": aggregate.tool_accuracy.accuracy,
        "tool_precision": aggregate.tool_accuracy.precision,
        "tool_recall": aggregate.tool_accuracy.recall,
        "turns_mean": aggregate.turns.mean,
        "latency_ms_p95": aggregate.latency_ms.p95,
        "agent_turn_latency_ms_p95": aggregate.agent_turn_latency_ms.p95,
        "cost_usd_total": aggregate.cost_usd.total,
        "agent_cost_usd_mean": aggregate.agent_cost_usd.mean,
    }
