"""Run aggregates: pass rate with a Wilson interval, pass^k, per-requirement / per-criticality / per-scenario
rates, tool-call accuracy, turns, latency and cost.

Only decided items (pass or fail) count towards rates: an item the simulator spoiled says nothing about the
agent, and an errored item is reported (and gated) on its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.evaluate.criticality import Criticality
from rehearsal.evaluate.results import CheckKind, ItemResult, ToolCallScore, Verdict
from rehearsal.evaluate.stats import pass_hat_k, wilson_interval


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rate(_Model):
    passed: int = Field(0, ge=0)
    total: int = Field(0, ge=0)
    low: float = Field(0.0, description="Wilson 95 % interval, lower bound.")
    high: float = Field(1.0, description="Wilson 95 % interval, upper bound.")

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None

    @classmethod
    def of(cls, passed: int, total: int) -> Rate:
        low, high = wilson_interval(passed, total)
        return cls(passed=passed, total=total, low=low, high=high)


class RequirementStat(_Model):
    requirement_id: str
    kind: CheckKind
    criticality: Criticality
    rate: Rate
    not_applicable: int = Field(
        0, ge=0, description="Decided items where the requirement never came into play."
    )


class ScenarioStat(_Model):
    scenario_id: str
    verdicts: dict[Verdict, int] = Field(default_factory=dict)
    rate: Rate

    @property
    def flaky(self) -> bool:
        """Some trials passed and some failed."""
        return 0 < self.rate.passed < self.rate.total


class Distribution(_Model):
    count: int = 0
    mean: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    max: float = 0.0
    total: float = 0.0

    @classmethod
    def of(cls, values: Sequence[float]) -> Distribution:
        if not values:
            return cls()
        ordered = sorted(values)
        return cls(
            count=len(ordered),
            mean=sum(ordered) / len(ordered),
            p50=_percentile(ordered, 0.50),
            p95=_percentile(ordered, 0.95),
            max=ordered[-1],
            total=sum(ordered),
        )


class ToolAccuracy(_Model):
    score: ToolCallScore = Field(default_factory=ToolCallScore)

    @property
    def precision(self) -> float | None:
        return self.score.precision

    @property
    def recall(self) -> float | None:
        return self.score.recall

    @property
    def accuracy(self) -> float | None:
        """F1 of precision and recall; None when no tool call was expected or made."""
        p, r = self.precision, self.recall
        if p is None and r is None:
            return None
        p, r = p or 0.0, r or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0


class RunAggregate(_Model):
    items: int = Field(ge=0)
    verdicts: dict[Verdict, int] = Field(default_factory=dict)
    pass_rate: Rate
    k: int = Field(ge=1, description="Largest k for which pass^k was computed.")
    pass_hat_k: dict[int, float | None] = Field(default_factory=dict, description="k → mean pass^k.")
    critical_failures: int = Field(0, ge=0, description="Failed critical requirements in decided items.")
    by_criticality: dict[Criticality, Rate] = Field(default_factory=dict)
    by_requirement: dict[str, RequirementStat] = Field(default_factory=dict)
    by_scenario: dict[str, ScenarioStat] = Field(default_factory=dict)
    tool_accuracy: ToolAccuracy = Field(default_factory=ToolAccuracy)
    turns: Distribution = Field(default_factory=Distribution)
    latency_ms: Distribution = Field(default_factory=Distribution)
    cost_usd: Distribution = Field(default_factory=Distribution)
    agent_turn_latency_ms: Distribution = Field(
        default_factory=Distribution, description="Every agent turn of the conversations that ran."
    )
    agent_cost_usd: Distribution = Field(
        default_factory=Distribution, description="The agent's model cost per conversation that ran."
    )

    def count(self, verdict: Verdict) -> int:
        return self.verdicts.get(verdict, 0)


def aggregate(item_results: Iterable[ItemResult], k: int) -> RunAggregate:
    """Aggregate a run's item results; pass^j is reported for every j in 1..k."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    items = list(item_results)
    decided = [item for item in items if item.verdict in (Verdict.PASS, Verdict.FAIL)]
    ran = [item for item in items if item.verdict is not Verdict.ERRORED]
    passed = sum(1 for item in decided if item.verdict is Verdict.PASS)
    scenarios = _by_scenario(items)
    tasks = [(stat.rate.total, stat.rate.passed) for stat in scenarios.values()]
    return RunAggregate(
        items=len(items),
        verdicts=dict(Counter(item.verdict for item in items)),
        pass_rate=Rate.of(passed, len(decided)),
        k=k,
        pass_hat_k={j: pass_hat_k(tasks, j) for j in range(1, k + 1)},
        critical_failures=sum(len(item.critical_failures) for item in decided),
        by_criticality=_by_criticality(decided),
        by_requirement=_by_requirement(decided),
        by_scenario=scenarios,
        tool_accuracy=ToolAccuracy(score=_sum_scores(item.tool_score for item in decided)),
        turns=Distribution.of([float(item.turns) for item in ran]),
        latency_ms=Distribution.of([item.latency_ms for item in items]),
        cost_usd=Distribution.of([item.cost_usd for item in items]),
        agent_turn_latency_ms=Distribution.of([ms for item in ran for ms in item.agent_turn_latencies_ms]),
        agent_cost_usd=Distribution.of([item.agent_cost_usd for item in ran]),
    )


def _by_scenario(items: Sequence[ItemResult]) -> dict[str, ScenarioStat]:
    grouped: dict[str, list[ItemResult]] = defaultdict(list)
    for item in items:
        grouped[item.scenario_id].append(item)
    stats = {}
    for scenario_id in sorted(grouped):
        group = grouped[scenario_id]
        verdicts = Counter(item.verdict for item in group)
        decided = verdicts[Verdict.PASS] + verdicts[Verdict.FAIL]
        stats[scenario_id] = ScenarioStat(
            scenario_id=scenario_id, verdicts=dict(verdicts), rate=Rate.of(verdicts[Verdict.PASS], decided)
        )
    return stats


def _by_requirement(decided: Sequence[ItemResult]) -> dict[str, RequirementStat]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # passed, total, not applicable
    meta: dict[str, tuple[CheckKind, Criticality]] = {}
    for item in decided:
        for check in item.checks:
            meta.setdefault(check.requirement_id, (check.kind, check.criticality))
            row = counts[check.requirement_id]
            if not check.applicable:
                row[2] += 1
            elif check.passed is not None:
                row[0] += int(check.passed)
                row[1] += 1
    return {
        requirement_id: RequirementStat(
            requirement_id=requirement_id,
            kind=meta[requirement_id][0],
            criticality=meta[requirement_id][1],
            rate=Rate.of(row[0], row[1]),
            not_applicable=row[2],
        )
        for requirement_id, row in sorted(counts.items())
    }


def _by_criticality(decided: Sequence[ItemResult]) -> dict[Criticality, Rate]:
    counts: dict[Criticality, list[int]] = {level: [0, 0] for level in Criticality}
    for item in decided:
        for check in item.checks:
            if check.applicable and check.passed is not None:
                counts[check.criticality][0] += int(check.passed)
                counts[check.criticality][1] += 1
    return {level: Rate.of(row[0], row[1]) for level, row in counts.items()}


def _sum_scores(scores: Iterable[ToolCallScore]) -> ToolCallScore:
    total = ToolCallScore()
    for score in scores:
        total = ToolCallScore(
            expected=total.expected + score.expected,
            matched=total.matched + score.matched,
            actual=total.actual + score.actual,
            correct=total.correct + score.correct,
        )
    return total


def _percentile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    position = (len(ordered) - 1) * q
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)
