"""Typed evaluation results: every verdict carries its evidence (turn, quote, tool call) and a confidence."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.evaluate.criticality import Criticality, severity_rank

Confidence = Annotated[float, Field(ge=0.0, le=1.0, description="How sure the judge is of `passed`.")]


class CheckKind(StrEnum):
    END_STATE = "end_state"
    END_REASON = "end_reason"
    TOOL_CALLS = "tool_calls"
    FORBIDDEN_CALLS = "forbidden_calls"
    GUARDRAILS = "guardrails"
    SCHEMA = "schema"
    ROUTES = "routes"
    TURN_LIMIT = "turn_limit"
    BEHAVIOUR = "behaviour"
    TURN_TEST = "turn_test"


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE_SIMULATOR = "inconclusive_simulator"  # the visitor, not the agent, went wrong
    ERRORED = "errored"  # the item crashed; see ItemResult.error


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    turn: int | None = Field(None, description="Index into the conversation's turns.")
    quote: str = Field("", description="The exact text the verdict rests on.")
    tool_call_id: str | None = None


class ReviewTarget(BaseModel):
    """The one turn a low-confidence text verdict rests on, and the yes/no question to put about it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fingerprint: str = Field(description="Behaviour + normalised turn text: the same question is asked once.")
    behaviour_id: str
    turn: int
    text: str
    question: str
    detected: bool = Field(description="What the detector said about the turn.")


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requirement_id: str
    kind: CheckKind
    criticality: Criticality
    passed: bool | None = Field(description="None: the judge could not decide.")
    confidence: Confidence = 1.0
    applicable: bool = Field(
        True, description="False when the requirement never came into play (no trigger)."
    )
    evidence: list[Evidence] = Field(default_factory=list)
    rationale: str = ""
    review: ReviewTarget | None = Field(None, description="Set when a person should confirm the judged turn.")

    @property
    def failed(self) -> bool:
        return self.applicable and self.passed is False

    @classmethod
    def not_applicable(
        cls, requirement_id: str, kind: CheckKind, criticality: Criticality, rationale: str
    ) -> CheckResult:
        return cls(
            requirement_id=requirement_id,
            kind=kind,
            criticality=criticality,
            passed=None,
            applicable=False,
            rationale=rationale,
        )


class ToolCallScore(BaseModel):
    """Counts behind tool-call precision and recall for one item."""

    model_config = ConfigDict(extra="forbid")

    expected: int = Field(0, ge=0, description="Required calls.")
    matched: int = Field(0, ge=0, description="Required calls matched by an actual call.")
    actual: int = Field(0, ge=0, description="Calls the agent made (tools the scenario has expectations on).")
    correct: int = Field(0, ge=0, description="Actual calls that matched a requirement.")

    @property
    def recall(self) -> float | None:
        return self.matched / self.expected if self.expected else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.actual if self.actual else None


class ItemResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: str
    scenario_id: str
    variation: int = 0
    trial: int = 0
    seed: int | None = None
    bundle_name: str = ""
    bundle_version: str = ""
    verdict: Verdict
    checks: list[CheckResult] = Field(default_factory=list)
    tool_score: ToolCallScore = Field(default_factory=ToolCallScore)
    turns: int = Field(0, ge=0)
    latency_ms: float = Field(0.0, ge=0)
    cost_usd: float = Field(0.0, ge=0)
    agent_turn_latencies_ms: list[float] = Field(
        default_factory=list, description="The agent's own time per turn (runtime and its model calls)."
    )
    agent_cost_usd: float = Field(0.0, ge=0, description="The agent's model cost; the visitor's is apart.")
    simulator_issues: list[str] = Field(default_factory=list)
    rationale: str = Field("", description="Why the verdict, in one line.")
    error: str | None = None

    @property
    def failures(self) -> list[CheckResult]:
        """Failed checks, the most severe first."""
        return sorted((c for c in self.checks if c.failed), key=lambda c: severity_rank(c.criticality))

    @property
    def critical_failures(self) -> list[CheckResult]:
        return [c for c in self.failures if c.criticality is Criticality.CRITICAL]
