"""Contracts of topic discovery: what ``topics.json`` holds and what each assignment line says."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from rehearsal.insights.conversation import Outcome

TopicId = Annotated[int, Field(ge=-1, description="A topic's id; -1 means novel (no topic yet).")]
NOVEL = -1


class TopicItem(BaseModel):
    """One thing to cluster: a conversation's contact reason or a plain utterance, with what is known."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    text: str
    outcome: Outcome | None = None
    handle_time_seconds: float | None = Field(None, ge=0)
    satisfaction: float | None = Field(None, ge=0, le=1)
    turns: int | None = Field(None, ge=0)
    tool_calls: int | None = Field(None, ge=0)


class TopicStats(BaseModel):
    """Volume and outcomes of one topic; rates are ``None`` where the data says nothing about them."""

    model_config = ConfigDict(extra="forbid")

    volume: int = Field(ge=0)
    share: float = Field(ge=0, le=1)
    resolution_rate: float | None = None
    escalation_rate: float | None = None
    abandonment_rate: float | None = None
    median_handle_time_seconds: float | None = None
    mean_satisfaction: float | None = None
    median_turns: float | None = None
    tool_use_rate: float | None = None


class ReadinessFactor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    value: float = Field(ge=0, le=1)
    weight: float = Field(gt=0)
    reason: str


class Readiness(BaseModel):
    """How ready a topic is for automation, 0–1, with the factors that make up the score."""

    model_config = ConfigDict(extra="forbid")

    score: float = Field(ge=0, le=1)
    factors: list[ReadinessFactor]

    @property
    def explanation(self) -> str:
        return "; ".join(f"{factor.name} {factor.value:.2f}: {factor.reason}" for factor in self.factors)


class Topic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int = Field(ge=0)
    label: str
    name: str | None = Field(None, description="A human name from an LLM, when one is configured.")
    keywords: list[str]
    representatives: list[str] = Field(description="Real phrasings closest to the topic's centre.")
    parent: int | None = None
    size: int = Field(ge=0, description="Members at discovery plus those assigned since.")
    cohesion: float = Field(description="Mean cosine similarity of members to the centroid.")
    stats: TopicStats
    readiness: Readiness


class ParentTopic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int = Field(ge=0)
    label: str
    children: list[int]
    volume: int


class LookAlike(BaseModel):
    """Two topics customers phrase alike: where an intent model will confuse them."""

    model_config = ConfigDict(extra="forbid")

    topics: tuple[int, int]
    similarity: float
    examples: list[tuple[str, str]] = Field(description="(from the first, from the second) near the border.")


class Opportunity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rank: int = Field(ge=1)
    topic: int
    label: str
    volume: int
    share: float
    readiness: float
    estimated_containment: float = Field(ge=0, le=1, description="Share of the topic an agent could close.")
    contained_volume: float = Field(description="volume × estimated containment: conversations saved.")


class PendingItem(BaseModel):
    """A novel item waiting for enough look-alikes to form a new topic."""

    model_config = ConfigDict(extra="forbid")

    id: str
    text: str
    vector: list[float]


class TopicModel(BaseModel):
    """Everything needed to report topics and to assign new data without recomputing them."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = 1
    created_at: AwareDatetime
    updated_at: datetime | None = None
    embedder: str
    embedder_family: str
    params: dict[str, float | int]
    novelty_threshold: float = Field(description="Below this cosine similarity to every centroid: novel.")
    topics: list[Topic]
    parents: list[ParentTopic] = Field(default_factory=list)
    look_alikes: list[LookAlike] = Field(default_factory=list)
    opportunities: list[Opportunity] = Field(default_factory=list)
    centroids: list[list[float]]
    pending: list[PendingItem] = Field(default_factory=list)
    total_items: int


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    topic: TopicId
    similarity: float
