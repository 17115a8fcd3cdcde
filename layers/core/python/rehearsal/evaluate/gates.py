"""Release gates: a YAML policy applied to a run aggregate (and the bundle's last green run) → pass/fail with
one reason per gate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.bundles.source import SourceDocument
from rehearsal.evaluate.aggregate import RunAggregate
from rehearsal.evaluate.results import Verdict
from rehearsal.evaluate.specfiles import read_spec_document, validate_spec

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class RegressionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    tolerance: Fraction = Field(0.05, description="Allowed drop of the pass rate against the baseline.")
    scenarios: bool = Field(
        True, description="Also fail when a scenario fully green in the baseline now fails."
    )


class GatePolicy(BaseModel):
    """Each threshold left out (None) is not gated."""

    model_config = ConfigDict(extra="forbid")

    min_pass_rate: Fraction | None = 0.9
    max_critical_failures: Annotated[int, Field(ge=0)] | None = 0
    min_tool_accuracy: Fraction | None = None
    min_pass_hat_k: dict[Annotated[int, Field(ge=1)], Fraction] = Field(
        default_factory=dict, description="k → minimum pass^k."
    )
    min_requirement_rates: dict[str, Fraction] = Field(
        default_factory=dict, description="requirement id → minimum pass rate."
    )
    max_errored: Annotated[int, Field(ge=0)] | None = 0
    max_inconclusive_rate: Fraction | None = None
    max_agent_turn_latency_p95_ms: Annotated[float, Field(gt=0)] | None = Field(
        None, description="The agent's 95th-percentile time per turn, runtime and model calls."
    )
    max_agent_cost_usd: Annotated[float, Field(ge=0)] | None = Field(
        None, description="The agent's mean model cost per conversation (the visitor's is not counted)."
    )
    no_regression: RegressionPolicy = Field(default_factory=RegressionPolicy)

    @classmethod
    def load(cls, path: str | Path) -> GatePolicy:
        """Raises ``SpecValidationError`` naming the file, line and path of every problem."""
        document = read_spec_document(path)
        return cls.parse(document.data, source=document.file, document=document)

    @classmethod
    def parse(
        cls, data: object, *, source: str = "<gates>", document: SourceDocument | None = None
    ) -> GatePolicy:
        """Accepts the policy itself or a file whose top-level key is ``gates``."""
        if isinstance(data, dict) and set(data) == {"gates"}:
            return validate_spec(_GatesFile, data, source, document).gates
        return validate_spec(cls, data or {}, source, document)


class _GatesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gates: GatePolicy


class GateOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gate: str
    passed: bool
    observed: float | None = None
    threshold: float | None = None
    message: str


class GateDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passed: bool
    outcomes: list[GateOutcome] = Field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """Why it failed (the failing gates), or why it passed when everything held."""
        failing = [o.message for o in self.outcomes if not o.passed]
        return failing or [o.message for o in self.outcomes]


def evaluate_gates(
    aggregate: RunAggregate, policy: GatePolicy, baseline: RunAggregate | None = None
) -> GateDecision:
    outcomes = [
        *_pass_rate(aggregate, policy),
        *_criticals(aggregate, policy),
        *_tool_accuracy(aggregate, policy),
        *_pass_hat_k(aggregate, policy),
        *_requirements(aggregate, policy),
        *_errored(aggregate, policy),
        *_inconclusive(aggregate, policy),
        *_agent_budget(aggregate, policy),
        *_regression(aggregate, policy, baseline),
    ]
    return GateDecision(passed=all(o.passed for o in outcomes), outcomes=outcomes)


def _no_data(gate: str, label: str, threshold: float) -> GateOutcome:
    """A gate with nothing to judge fails: silence must not pass a release."""
    return GateOutcome(gate=gate, passed=False, threshold=threshold, message=f"{label}: no data to judge")


def _minimum(gate: str, label: str, observed: float | None, threshold: float) -> GateOutcome:
    if observed is None:
        return _no_data(gate, label, threshold)
    ok = observed >= threshold
    sign = ">=" if ok else "<"
    return GateOutcome(
        gate=gate,
        passed=ok,
        observed=observed,
        threshold=threshold,
        message=f"{label} {observed:.1%} {sign} {threshold:.1%}",
    )


def _maximum(
    gate: str, label: str, observed: float, threshold: float, shown: str, detail: str = ""
) -> GateOutcome:
    """``shown`` formats observed and threshold alike (``d`` for counts, ``.1%`` for rates)."""
    ok = observed <= threshold
    sign = "<=" if ok else ">"
    return GateOutcome(
        gate=gate,
        passed=ok,
        observed=observed,
        threshold=threshold,
        message=f"{label} {observed:{shown}} {sign} {threshold:{shown}}{detail}",
    )


def _pass_rate(aggregate: RunAggregate, policy: GatePolicy) -> list[GateOutcome]:
    if policy.min_pass_rate is None:
        return []
    return [_minimum("min_pass_rate", "pass rate", aggregate.pass_rate.rate, policy.min_pass_rate)]


def _criticals(aggregate: RunAggregate, policy: GatePolicy) -> list[GateOutcome]:
    if policy.max_critical_failures is None:
        return []
    failing = sorted(
        stat.requirement_id
        for stat in aggregate.by_requirement.values()
        if stat.criticality == "critical" and stat.rate.passed < stat.rate.total
    )
    detail = f" ({', '.join(failing)})" if failing else ""
    return [
        _maximum(
            "max_critical_failures",
            "critical failures",
            aggregate.critical_failures,
            policy.max_critical_failures,
            "d",
            detail,
        )
    ]


def _tool_accuracy(aggregate: RunAggregate, policy: GatePolicy) -> list[GateOutcome]:
    if policy.min_tool_accuracy is None:
        return []
    observed = aggregate.tool_accuracy.accuracy
    return [_minimum("min_tool_accuracy", "tool-call accuracy (F1)", observed, policy.min_tool_accuracy)]


def _pass_hat_k(aggregate: RunAggregate, policy: GatePolicy) -> list[GateOutcome]:
    return [
        _minimum(f"min_pass_hat_k[{k}]", f"pass^{k}", aggregate.pass_hat_k.get(k), threshold)
        for k, threshold in sorted(policy.min_pass_hat_k.items())
    ]


def _requirements(aggregate: RunAggregate, policy: GatePolicy) -> list[GateOutcome]:
    outcomes = []
    for requirement_id, threshold in sorted(policy.min_requirement_rates.items()):
        stat = aggregate.by_requirement.get(requirement_id)
        observed = stat.rate.rate if stat else None
        outcomes.append(
            _minimum(f"min_requirement_rates[{requirement_id}]", requirement_id, observed, threshold)
        )
    return outcomes


def _errored(aggregate: RunAggregate, policy: GatePolicy) -> list[GateOutcome]:
    if policy.max_errored is None:
        return []
    count = aggregate.count(Verdict.ERRORED)
    return [_maximum("max_errored", "errored items", count, policy.max_errored, "d")]


def _inconclusive(aggregate: RunAggregate, policy: GatePolicy) -> list[GateOutcome]:
    if policy.max_inconclusive_rate is None:
        return []
    observed = aggregate.count(Verdict.INCONCLUSIVE_SIMULATOR) / aggregate.items if aggregate.items else 0.0
    label = "inconclusive (simulator)"
    return [_maximum("max_inconclusive_rate", label, observed, policy.max_inconclusive_rate, ".1%")]


def _agent_budget(aggregate: RunAggregate, policy: GatePolicy) -> list[GateOutcome]:
    """Latency and cost budgets of the agent itself: a release can be right and still too slow or dear."""
    latency, cost = aggregate.agent_turn_latency_ms, aggregate.agent_cost_usd
    budgets = [
        # gate, label, threshold, data points, observed, format
        (
            "max_agent_turn_latency_p95_ms",
            "agent turn latency p95 (ms)",
            policy.max_agent_turn_latency_p95_ms,
            latency.count,
            latency.p95,
            ",.0f",
        ),
        (
            "max_agent_cost_usd",
            "agent cost per conversation (USD)",
            policy.max_agent_cost_usd,
            cost.count,
            cost.mean,
            ".4f",
        ),
    ]
    return [
        _maximum(gate, label, observed, threshold, shown) if count else _no_data(gate, label, threshold)
        for gate, label, threshold, count, observed, shown in budgets
        if threshold is not None
    ]


def _regression(
    aggregate: RunAggregate, policy: GatePolicy, baseline: RunAggregate | None
) -> list[GateOutcome]:
    rule = policy.no_regression
    if not rule.enabled:
        return []
    if baseline is None:
        return [
            GateOutcome(gate="no_regression", passed=True, message="no regression: no green baseline yet")
        ]
    now, before = aggregate.pass_rate.rate, baseline.pass_rate.rate
    outcomes = []
    if now is not None and before is not None:
        ok = now >= before - rule.tolerance
        outcomes.append(
            GateOutcome(
                gate="no_regression",
                passed=ok,
                observed=now,
                threshold=before - rule.tolerance,
                message=f"pass rate {now:.1%} against last green {before:.1%} "
                f"({'within' if ok else 'beyond'} the {rule.tolerance:.0%} tolerance)",
            )
        )
    if rule.scenarios:
        regressed = sorted(
            scenario_id
            for scenario_id, old in baseline.by_scenario.items()
            if old.rate.total
            and old.rate.passed == old.rate.total
            and (new := aggregate.by_scenario.get(scenario_id)) is not None
            and new.rate.total
            and new.rate.passed == 0
        )
        outcomes.append(
            GateOutcome(
                gate="no_regression.scenarios",
                passed=not regressed,
                observed=len(regressed),
                threshold=0,
                message=f"scenarios green in the last green run now failing: {', '.join(regressed)}"
                if regressed
                else "no scenario regressed against the last green run",
            )
        )
    return outcomes
