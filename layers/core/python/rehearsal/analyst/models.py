"""Contracts of the analyst: the turns it indexes and cites, and the cited answer it returns.

A citation names one turn as ``conversation_id#turn`` (the turn's position in its conversation) and quotes
it verbatim, so a reader can check every claim against the transcript.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

CITATION = re.compile(r"\[([^\[\]\s]+#\d+)\]")
"""A citation marker in answer text: ``[conversation_id#turn]``."""


class AnalystError(Exception):
    """The question or what it refers to (corpus, run, topics) is unusable: a message for people."""


class Source(StrEnum):
    HISTORICAL = "historical"
    SIMULATED = "simulated"


class AnswerKind(StrEnum):
    AGGREGATE = "aggregate"
    EVIDENTIAL = "evidential"


class Composer(StrEnum):
    FIGURES = "figures"
    EXTRACTIVE = "extractive"
    LLM = "llm"


def turn_id(conversation_id: str, turn: int) -> str:
    return f"{conversation_id}#{turn}"


class TurnRecord(BaseModel):
    """One conversation turn as the analyst indexes, retrieves and cites it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    conversation_id: str = Field(min_length=1)
    turn: int = Field(ge=0, description="Position of the turn in its conversation.")
    speaker: str
    text: str
    source: Source = Source.HISTORICAL
    outcome: str = "unknown"
    channel: str = "chat"
    topic: int | None = None
    topic_label: str | None = None
    run_id: str | None = None
    scenario_id: str | None = None

    @property
    def id(self) -> str:
        return turn_id(self.conversation_id, self.turn)


class Citation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(description="``conversation_id#turn``, as cited in the answer text.")]
    conversation_id: str
    turn: int = Field(ge=0)
    speaker: str
    quote: Annotated[str, Field(description="The cited turn's text, verbatim.")]
    outcome: str
    source: Source


class Claim(BaseModel):
    """One statement of the answer and the turns that support it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    citations: list[str] = Field(default_factory=list)
    supported: bool = Field(True, description="False when none of its citations survived validation.")


class Figure(BaseModel):
    """One computed number of an aggregate answer: ``count`` of ``total`` conversations in ``group``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: str
    count: int = Field(ge=0)
    total: int = Field(ge=0)
    rate: float | None = Field(None, ge=0, le=1, description="count / total, when total > 0.")
    value: float | None = Field(None, description="A mean or median, for satisfaction and handle time.")


class CitedAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str
    kind: AnswerKind
    composer: Composer
    answer: str = Field(description="The answer text, each claim followed by its ``[id]`` citations.")
    claims: list[Claim] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    conversations: int = Field(0, ge=0, description="Conversations the answer draws on.")
    low_evidence: bool = False
    rejected_citations: list[str] = Field(
        default_factory=list, description="Ids the model cited that were not among its evidence."
    )
    notes: list[str] = Field(default_factory=list)
