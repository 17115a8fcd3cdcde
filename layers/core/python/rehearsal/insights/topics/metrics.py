"""Per-topic metrics, an explained automation-readiness score, and the ranked opportunity table.

Readiness is a weighted mean of the factors the data supports, each in 0–1 with its reason:

* ``consistency`` — members phrase the request alike (mean similarity to the centre): intents are learnable.
* ``distinctness`` — the topic is far from its nearest neighbour: it will not be confused with another.
* ``resolution`` — human agents resolved it without escalating (only when outcomes are known).
* ``brevity`` — short conversations (median turns): few steps to automate (only when turns are known).
* ``satisfaction`` — customers left satisfied (only when known).

Estimated containment = readiness × (1 − escalation rate) when escalations are known, else readiness × 0.8
(a conservative allowance for the hand-offs every topic has).
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean, median

from rehearsal.insights.conversation import Outcome
from rehearsal.insights.topics.models import Opportunity, Readiness, ReadinessFactor, TopicItem, TopicStats

_UNKNOWN_ESCALATION_ALLOWANCE = 0.8


def _rate(outcomes: Sequence[Outcome], wanted: Outcome) -> float | None:
    return round(sum(outcome is wanted for outcome in outcomes) / len(outcomes), 4) if outcomes else None


def topic_stats(members: Sequence[TopicItem], total: int) -> TopicStats:
    outcomes = [item.outcome for item in members if item.outcome not in (None, Outcome.UNKNOWN)]
    known: list[Outcome] = [outcome for outcome in outcomes if outcome is not None]
    handle = [item.handle_time_seconds for item in members if item.handle_time_seconds is not None]
    csat = [item.satisfaction for item in members if item.satisfaction is not None]
    turns = [item.turns for item in members if item.turns is not None]
    tools = [item.tool_calls for item in members if item.tool_calls is not None]
    return TopicStats(
        volume=len(members),
        share=round(len(members) / total, 4) if total else 0.0,
        resolution_rate=_rate(known, Outcome.RESOLVED),
        escalation_rate=_rate(known, Outcome.ESCALATED),
        abandonment_rate=_rate(known, Outcome.ABANDONED),
        median_handle_time_seconds=float(median(handle)) if handle else None,
        mean_satisfaction=round(fmean(csat), 4) if csat else None,
        median_turns=float(median(turns)) if turns else None,
        tool_use_rate=round(sum(count > 0 for count in tools) / len(tools), 4) if tools else None,
    )


def readiness(stats: TopicStats, *, cohesion: float, nearest_similarity: float) -> Readiness:
    # Cosine similarities of sentence embeddings live roughly in 0.2–0.9; map that band onto 0–1.
    consistency = min(1.0, max(0.0, (cohesion - 0.3) / 0.5))
    distinctness = min(1.0, max(0.0, (0.95 - nearest_similarity) / 0.5))
    factors = [
        ReadinessFactor(
            name="consistency",
            value=round(consistency, 3),
            weight=1.0,
            reason=f"members sit at mean similarity {cohesion:.2f} to the topic centre",
        ),
        ReadinessFactor(
            name="distinctness",
            value=round(distinctness, 3),
            weight=1.0,
            reason=f"the nearest other topic is at similarity {nearest_similarity:.2f}",
        ),
    ]
    if stats.resolution_rate is not None:
        factors.append(
            ReadinessFactor(
                name="resolution",
                value=stats.resolution_rate,
                weight=2.0,
                reason=f"{stats.resolution_rate:.0%} resolved by agents historically",
            )
        )
    if stats.median_turns is not None:
        brevity = 1 / (1 + max(0.0, stats.median_turns - 4) / 12)
        factors.append(
            ReadinessFactor(
                name="brevity",
                value=round(brevity, 3),
                weight=1.0,
                reason=f"median {stats.median_turns:g} turns per conversation",
            )
        )
    if stats.mean_satisfaction is not None:
        factors.append(
            ReadinessFactor(
                name="satisfaction",
                value=stats.mean_satisfaction,
                weight=0.5,
                reason=f"mean satisfaction {stats.mean_satisfaction:.2f}",
            )
        )
    score = sum(f.value * f.weight for f in factors) / sum(f.weight for f in factors)
    return Readiness(score=round(score, 4), factors=factors)


def estimated_containment(stats: TopicStats, score: float) -> float:
    if stats.escalation_rate is None:
        return round(score * _UNKNOWN_ESCALATION_ALLOWANCE, 4)
    return round(score * (1 - stats.escalation_rate), 4)


def rank_opportunities(rows: Sequence[tuple[int, str, TopicStats, Readiness]]) -> list[Opportunity]:
    """Topics ordered by the conversations an agent could close (volume × estimated containment)."""
    entries = []
    for topic, label, stats, ready in rows:
        containment = estimated_containment(stats, ready.score)
        entries.append((stats.volume * containment, topic, label, stats, ready.score, containment))
    entries.sort(key=lambda entry: (-entry[0], entry[1]))
    return [
        Opportunity(
            rank=rank,
            topic=topic,
            label=label,
            volume=stats.volume,
            share=stats.share,
            readiness=score,
            estimated_containment=containment,
            contained_volume=round(contained, 2),
        )
        for rank, (contained, topic, label, stats, score, containment) in enumerate(entries, start=1)
    ]
