"""Time buckets: a conversation's time, and the UTC day or ISO week (starting Monday) it falls in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from rehearsal.evaluate.behaviours.spec import AgentKind
from rehearsal.insights.conversation import Conversation, Speaker


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"

    @property
    def length(self) -> timedelta:
        return timedelta(days=1 if self is Period.DAY else 7)


def conversation_time(conversation: Conversation) -> datetime | None:
    """When it started: ``started_at``, else the earliest turn time; None when the data has no time."""
    if conversation.started_at is not None:
        return conversation.started_at
    times = [turn.time for turn in conversation.turns if turn.time is not None]
    return min(times) if times else None


def bucket_start(moment: datetime, period: Period) -> date:
    """The first UTC day of the period ``moment`` falls in."""
    day = moment.astimezone(UTC).date()
    return day if period is Period.DAY else day - timedelta(days=day.weekday())


def bucket_range(first: date, last: date, period: Period) -> Iterator[date]:
    """Every bucket from ``first`` to ``last`` (both bucket starts), empty ones included, so gaps show."""
    current = first
    while current <= last:
        yield current
        current += period.length


AGENT_SPEAKERS: dict[Speaker, AgentKind] = {Speaker.HUMAN_AGENT: "human", Speaker.AI_AGENT: "ai"}


def agent_kinds(conversation: Conversation) -> list[AgentKind]:
    """Who served the customer: "human", "ai", or both after a handoff (in the order they first spoke)."""
    kinds: list[AgentKind] = []
    for turn in conversation.turns:
        kind = AGENT_SPEAKERS.get(turn.speaker)
        if kind is not None and kind not in kinds:
            kinds.append(kind)
    return kinds
