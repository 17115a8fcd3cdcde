"""Compare two runs of a suite: scenarios improved, regressed and flaky, requirement deltas, and a
side-by-side transcript diff for any item."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.evaluate.aggregate import RunAggregate, aggregate
from rehearsal.evaluate.criticality import Criticality, severity_rank
from rehearsal.evaluate.results import ItemResult
from rehearsal.runtime.state import ConversationState


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Change(StrEnum):
    IMPROVED = "improved"
    REGRESSED = "regressed"
    UNCHANGED = "unchanged"
    NEW = "new"
    REMOVED = "removed"


class ScenarioChange(_Model):
    scenario_id: str
    change: Change
    before: float | None = Field(None, description="Pass rate in the baseline run.")
    after: float | None = Field(None, description="Pass rate in the candidate run.")
    flaky: bool = Field(False, description="Trials disagreed in either run.")


class RequirementDelta(_Model):
    requirement_id: str
    criticality: Criticality
    before: float | None = None
    after: float | None = None

    @property
    def delta(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before


class RunComparison(_Model):
    baseline: str = Field(description="Label of the baseline run (its id).")
    candidate: str
    pass_rate_before: float | None = None
    pass_rate_after: float | None = None
    scenarios: list[ScenarioChange] = Field(default_factory=list)
    requirements: list[RequirementDelta] = Field(default_factory=list, description="Biggest drops first.")

    def _ids(self, change: Change) -> list[str]:
        return [s.scenario_id for s in self.scenarios if s.change is change]

    @property
    def improved(self) -> list[str]:
        return self._ids(Change.IMPROVED)

    @property
    def regressed(self) -> list[str]:
        return self._ids(Change.REGRESSED)

    @property
    def flaky(self) -> list[str]:
        return [s.scenario_id for s in self.scenarios if s.flaky]


def compare_runs(
    baseline: Sequence[ItemResult],
    candidate: Sequence[ItemResult],
    *,
    baseline_label: str = "baseline",
    candidate_label: str = "candidate",
) -> RunComparison:
    before, after = aggregate(baseline, k=1), aggregate(candidate, k=1)
    return RunComparison(
        baseline=baseline_label,
        candidate=candidate_label,
        pass_rate_before=before.pass_rate.rate,
        pass_rate_after=after.pass_rate.rate,
        scenarios=_scenarios(before, after),
        requirements=_requirements(before, after),
    )


def _scenarios(before: RunAggregate, after: RunAggregate) -> list[ScenarioChange]:
    changes = []
    for scenario_id in sorted(set(before.by_scenario) | set(after.by_scenario)):
        old, new = before.by_scenario.get(scenario_id), after.by_scenario.get(scenario_id)
        old_rate = old.rate.rate if old else None
        new_rate = new.rate.rate if new else None
        if old is None:
            change = Change.NEW
        elif new is None:
            change = Change.REMOVED
        elif old_rate is None or new_rate is None or old_rate == new_rate:
            change = Change.UNCHANGED
        else:
            change = Change.IMPROVED if new_rate > old_rate else Change.REGRESSED
        flaky = bool((old and old.flaky) or (new and new.flaky))
        changes.append(
            ScenarioChange(
                scenario_id=scenario_id, change=change, before=old_rate, after=new_rate, flaky=flaky
            )
        )
    return changes


def _requirements(before: RunAggregate, after: RunAggregate) -> list[RequirementDelta]:
    deltas = []
    for requirement_id in set(before.by_requirement) | set(after.by_requirement):
        old, new = before.by_requirement.get(requirement_id), after.by_requirement.get(requirement_id)
        stat = new or old
        assert stat is not None
        deltas.append(
            RequirementDelta(
                requirement_id=requirement_id,
                criticality=stat.criticality,
                before=old.rate.rate if old else None,
                after=new.rate.rate if new else None,
            )
        )
    return sorted(
        deltas,
        key=lambda d: (
            d.delta if d.delta is not None else 0.0,
            severity_rank(d.criticality),
            d.requirement_id,
        ),
    )


def changed_items(baseline: Sequence[ItemResult], candidate: Sequence[ItemResult]) -> list[str]:
    """Items of both runs whose verdict changed, regressions first: the transcripts worth diffing."""
    before = {item.item_id: item.verdict for item in baseline}
    changed = [item for item in candidate if item.item_id in before and before[item.item_id] != item.verdict]
    return [item.item_id for item in sorted(changed, key=lambda item: (item.verdict != "fail", item.item_id))]


# --- transcripts ---------------------------------------------------------------------------------------


class DiffTurn(_Model):
    index: int
    role: str
    text: str


class DiffRow(_Model):
    tag: Literal["equal", "changed", "only_before", "only_after"]
    before: DiffTurn | None = None
    after: DiffTurn | None = None


def transcript_diff(before: ConversationState | None, after: ConversationState | None) -> list[DiffRow]:
    """Side-by-side rows of two conversations of the same item, aligned on identical turns."""
    left = [DiffTurn(index=t.index, role=t.role, text=t.text) for t in (before.turns if before else [])]
    right = [DiffTurn(index=t.index, role=t.role, text=t.text) for t in (after.turns if after else [])]
    matcher = difflib.SequenceMatcher(
        a=[(t.role, t.text) for t in left], b=[(t.role, t.text) for t in right], autojunk=False
    )
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [
                DiffRow(tag="equal", before=a, after=b)
                for a, b in zip(left[i1:i2], right[j1:j2], strict=True)
            ]
            continue
        olds, news = left[i1:i2], right[j1:j2]
        for offset in range(max(len(olds), len(news))):
            a = olds[offset] if offset < len(olds) else None
            b = news[offset] if offset < len(news) else None
            kind: Literal["changed", "only_before", "only_after"] = (
                "changed" if a and b else ("only_before" if a else "only_after")
            )
            rows.append(DiffRow(tag=kind, before=a, after=b))
    return rows
