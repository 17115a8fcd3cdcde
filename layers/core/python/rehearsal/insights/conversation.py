"""The historical-conversation model that every importer produces and every insight reads."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

_WORD = re.compile(r"[a-z']+")
_GREETING = frozenset(
    [
        "hi",
        "hello",
        "hey",
        "hiya",
        "good",
        "morning",
        "afternoon",
        "evening",
        "there",
        "yes",
        "yeah",
        "yep",
        "ok",
        "okay",
        "thanks",
        "thank",
        "you",
        "please",
        "um",
        "uh",
        "so",
        "well",
        "i'm",
        "im",
    ]
)
_CONTENT_WORDS = 4
_MAX_MESSAGES = 3


class Speaker(StrEnum):
    CUSTOMER = "customer"
    HUMAN_AGENT = "human_agent"
    AI_AGENT = "ai_agent"
    SYSTEM = "system"


class Outcome(StrEnum):
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    ABANDONED = "abandoned"
    UNRESOLVED = "unresolved"
    UNKNOWN = "unknown"


class ToolCallRecord(BaseModel):
    """A backend call or agent action seen in a transcript (STAR's API queries, CRM actions, …)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    result: Any = None
    error: str | None = None


class HistoricalTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    speaker: Speaker
    text: str = ""
    time: AwareDatetime | None = None
    action: Annotated[
        str | None, Field(description="A step label for agent turns when the data has one (STAR).")
    ] = None
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)


class Participant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Speaker
    id: str | None = None


class Conversation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    channel: str = "chat"
    started_at: AwareDatetime | None = None
    participants: list[Participant] = Field(default_factory=list)
    turns: list[HistoricalTurn] = Field(min_length=1)
    outcome: Outcome = Outcome.UNKNOWN
    satisfaction: Annotated[float | None, Field(ge=0, le=1, description="Normalised CSAT, when known.")] = (
        None
    )
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def opening_request(self) -> str:
        """The customer's first substantive message: the contact reason topics cluster on."""
        for turn in self.turns:
            if turn.speaker is Speaker.CUSTOMER and turn.text.strip():
                return turn.text
        return ""

    @property
    def contact_reason(self) -> str:
        """The customer's opening request with greetings skipped: their first messages joined until they
        carry a few content words ("Hi" then "I lost my card" gives "I lost my card")."""
        parts: list[str] = []
        content = 0
        for turn in self.turns:
            if turn.speaker is not Speaker.CUSTOMER or not turn.text.strip():
                continue
            words = [w for w in _WORD.findall(turn.text.lower()) if w not in _GREETING]
            if not words and not parts:
                continue  # a greeting on its own says nothing about why they came
            parts.append(turn.text.strip())
            content += len(words)
            if content >= _CONTENT_WORDS or len(parts) == _MAX_MESSAGES:
                break
        return " ".join(parts) or self.opening_request

    @property
    def handle_time_seconds(self) -> float | None:
        times: list[datetime] = [turn.time for turn in self.turns if turn.time is not None]
        if len(times) < 2:
            return None
        return (max(times) - min(times)).total_seconds()
