"""Behaviour adherence per period, agent kind and behaviour: the same definitions judge human and AI agents.

A cell counts the conversations a behaviour applied to (its trigger fired) and how many adhered; verdicts the
judge is unsure of (below the behaviour's ``review_below``, the ones it would put to a person) are counted
apart and left out of the rate. Each cell keeps a few non-adhering conversations with the turn and the quote
the verdict rests on, so an analyst can cite them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, computed_field

from rehearsal.evaluate.behaviours import CompiledBehaviours, Transcript
from rehearsal.evaluate.behaviours.spec import AgentKind
from rehearsal.evaluate.criticality import Criticality
from rehearsal.evaluate.results import CheckResult
from rehearsal.insights.conversation import Conversation, Speaker
from rehearsal.monitor.base import WithDerived
from rehearsal.monitor.periods import AGENT_SPEAKERS, Period, agent_kinds, bucket_start, conversation_time

EXAMPLES_PER_CELL = 5
"""Non-adhering conversations kept per cell with their turn and quote; the rest are only counted."""


class NonAdherence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    conversation_id: str
    turn: int | None = Field(None, description="Index into the conversation's turns (system turns included).")
    quote: str = ""
    rationale: str = ""


class AdherenceCell(WithDerived):
    start: date | None = Field(description="The period; None for the totals over every period.")
    agent: AgentKind
    behaviour_id: str
    applied: int = Field(0, ge=0, description="Conversations where the behaviour's trigger fired.")
    adhered: int = Field(0, ge=0)
    violated: int = Field(0, ge=0)
    inconclusive: int = Field(0, ge=0, description="Verdicts too unsure to count either way.")
    examples: list[NonAdherence] = Field(default_factory=list)

    @property
    def judged(self) -> int:
        return self.adhered + self.violated

    @computed_field  # type: ignore[prop-decorator]
    @property
    def adherence_rate(self) -> float | None:
        return self.adhered / self.judged if self.judged else None

    def add(self, result: CheckResult, conversation: Conversation) -> None:
        self.applied += 1
        if result.passed is None or result.review is not None:
            self.inconclusive += 1
        elif result.passed:
            self.adhered += 1
        else:
            self.violated += 1
            if len(self.examples) < EXAMPLES_PER_CELL:
                self.examples.append(_non_adherence(result, conversation))


class BehaviourInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    description: str
    criticality: Criticality
    avoid: bool
    applies_to: list[AgentKind]


class AdherenceReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Period
    behaviours: list[BehaviourInfo]
    cells: list[AdherenceCell] = Field(description="One per period, agent kind and applied behaviour.")
    totals: list[AdherenceCell] = Field(description="One per agent kind and behaviour, over every period.")
    failed: dict[str, str] = Field(
        default_factory=dict, description="Conversation id → why it could not be judged."
    )

    def cells_of(self, behaviour_id: str, agent: AgentKind) -> list[AdherenceCell]:
        return [c for c in self.cells if c.behaviour_id == behaviour_id and c.agent == agent]


def measure_adherence(
    conversations: Iterable[Conversation], behaviours: CompiledBehaviours, period: Period
) -> AdherenceReport:
    """Judge every behaviour for every agent kind that spoke in each dated conversation. A conversation handed
    from the AI agent to a person is judged for both, each verdict counting for the agent whose turn it rests
    on; a conversation that cannot be judged is listed in ``failed`` and the run goes on."""
    cells: dict[tuple[date | None, AgentKind, str], AdherenceCell] = {}
    failed: dict[str, str] = {}
    for conversation in conversations:
        moment = conversation_time(conversation)
        if moment is None:
            continue  # undated conversations are reported by the series
        start = bucket_start(moment, period)
        try:
            judged = _judge(conversation, behaviours)
        except Exception as error:  # one bad conversation must not sink the report
            failed[conversation.id] = f"{error.__class__.__name__}: {error}"
            continue
        for agent, result in judged:
            behaviour_id = result.requirement_id.removeprefix("behaviour:")
            for key in (
                (start, agent, behaviour_id),
                (None, agent, behaviour_id),
            ):  # the period, and the total
                cell = cells.get(key)
                if cell is None:
                    cell = cells[key] = AdherenceCell(start=key[0], agent=agent, behaviour_id=behaviour_id)
                cell.add(result, conversation)
    return AdherenceReport(
        period=period,
        behaviours=[
            BehaviourInfo.model_validate(b.model_dump(include=set(BehaviourInfo.model_fields)))
            for b in behaviours.behaviours.behaviours
        ],
        cells=sorted(
            (c for c in cells.values() if c.start is not None),
            key=lambda c: (c.start, c.agent, c.behaviour_id),
        ),
        totals=sorted(
            (c for c in cells.values() if c.start is None), key=lambda c: (c.agent, c.behaviour_id)
        ),
        failed=failed,
    )


def _judge(conversation: Conversation, behaviours: CompiledBehaviours) -> list[tuple[AgentKind, CheckResult]]:
    transcript = Transcript.from_historical(conversation)
    # Who spoke each transcript turn (system turns are not in the transcript): after a handoff, a verdict that
    # rests on one agent's turn is that agent's, not the other's.
    speakers = [AGENT_SPEAKERS.get(t.speaker) for t in conversation.turns if t.speaker is not Speaker.SYSTEM]
    return [
        (agent, result)
        for agent in agent_kinds(conversation)
        for result in behaviours.judge_all(transcript, agent=agent)
        if result.applicable and _rests_on(result, speakers) in (None, agent)
    ]


def _rests_on(result: CheckResult, speakers: list[AgentKind | None]) -> AgentKind | None:
    """The agent kind whose turn the verdict rests on (its last evidence); None for a customer's or none."""
    turn = result.evidence[-1].turn if result.evidence else None
    return speakers[turn] if turn is not None and 0 <= turn < len(speakers) else None


def _non_adherence(result: CheckResult, conversation: Conversation) -> NonAdherence:
    """The last evidence is the turn the verdict rests on (the earlier one, if any, is the trigger)."""
    evidence = result.evidence[-1] if result.evidence else None
    turn = _conversation_turn(conversation, evidence.turn) if evidence and evidence.turn is not None else None
    return NonAdherence(
        conversation_id=conversation.id,
        turn=turn,
        quote=evidence.quote if evidence else "",
        rationale=result.rationale,
    )


def _conversation_turn(conversation: Conversation, transcript_turn: int) -> int | None:
    """Transcripts drop system turns; evidence is cited by the conversation's own turn index."""
    kept = [i for i, turn in enumerate(conversation.turns) if turn.speaker is not Speaker.SYSTEM]
    return kept[transcript_turn] if 0 <= transcript_turn < len(kept) else None
