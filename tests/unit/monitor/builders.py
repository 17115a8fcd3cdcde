"""Small conversations and series for the monitor tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from rehearsal.insights.conversation import Conversation, Outcome
from rehearsal.monitor.periods import Period
from rehearsal.monitor.series import OVERALL, MonitorSeries, PeriodStats, SegmentSeries

DAY0 = date(2026, 3, 2)  # a Monday


def at(day: int, hour: int = 10) -> datetime:
    return datetime.combine(DAY0, datetime.min.time(), tzinfo=UTC) + timedelta(days=day, hours=hour)


def conversation(
    cid: str,
    day: int | None,
    *,
    agent: str = "human_agent",
    outcome: str = "resolved",
    satisfaction: float | None = None,
    texts: Sequence[tuple[str, str]] = (),
    seconds: int = 60,
) -> Conversation:
    """Turns 30 s apart from ``at(day)`` (no times at all when ``day`` is None); ``seconds`` of handling."""
    turns = list(texts) or [(agent, "Hello, how can I help?"), ("customer", "Where is my order?")]
    start = at(day) if day is not None else None
    step = seconds / max(len(turns) - 1, 1)
    return Conversation.model_validate(
        {
            "id": cid,
            "turns": [
                {"speaker": s, "text": t, "time": start + timedelta(seconds=i * step) if start else None}
                for i, (s, t) in enumerate(turns)
            ],
            "outcome": outcome,
            "satisfaction": satisfaction,
        }
    )


def rate_point(day: int, trials: int, escalated: int) -> PeriodStats:
    """A period with ``trials`` known outcomes, ``escalated`` of them escalated and the rest resolved."""
    return PeriodStats(
        start=DAY0 + timedelta(days=day),
        conversations=trials,
        known_outcome=trials,
        outcomes={Outcome.ESCALATED: escalated, Outcome.RESOLVED: trials - escalated},
        evidence={"escalation_rate:up": [f"e{day}-{i}" for i in range(min(escalated, 3))]},
    )


def volume_point(day: int, volume: int) -> PeriodStats:
    return PeriodStats(start=DAY0 + timedelta(days=day), conversations=volume)


def overall_series(points: Sequence[PeriodStats]) -> MonitorSeries:
    return MonitorSeries(
        period=Period.DAY,
        periods=[p.start for p in points],
        segments=[SegmentSeries(segment=OVERALL, points=list(points))],
        conversations=sum(p.conversations for p in points),
    )
