"""Trends: per period and per segment (overall, each topic, each agent kind), the volume, the resolution,
escalation and abandonment rates (over conversations with a known outcome), mean CSAT and median handle time.

Every period from the first to the last one seen is present, empty ones included, so a day with no traffic
shows as a drop rather than vanishing. Conversations with no time at all are counted apart.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field

from rehearsal.insights.conversation import Conversation, Outcome
from rehearsal.insights.flows.stage import UNASSIGNED
from rehearsal.monitor.base import WithDerived
from rehearsal.monitor.periods import Period, agent_kinds, bucket_range, bucket_start, conversation_time
from rehearsal.monitor.stats import mean_standard_error, median_standard_error

EVIDENCE_IDS = 10
"""Conversation ids kept per period, metric and direction: enough to read, few enough for a small JSON."""


class Metric(StrEnum):
    VOLUME = "volume"
    RESOLUTION_RATE = "resolution_rate"
    ESCALATION_RATE = "escalation_rate"
    ABANDONMENT_RATE = "abandonment_rate"
    MEAN_CSAT = "mean_csat"
    MEDIAN_HANDLE_TIME = "median_handle_time_seconds"


class MetricKind(StrEnum):
    COUNT = "count"
    RATE = "rate"
    CONTINUOUS = "continuous"


METRIC_KINDS: dict[Metric, MetricKind] = {
    Metric.VOLUME: MetricKind.COUNT,
    Metric.RESOLUTION_RATE: MetricKind.RATE,
    Metric.ESCALATION_RATE: MetricKind.RATE,
    Metric.ABANDONMENT_RATE: MetricKind.RATE,
    Metric.MEAN_CSAT: MetricKind.CONTINUOUS,
    Metric.MEDIAN_HANDLE_TIME: MetricKind.CONTINUOUS,
}
RATE_OUTCOMES: dict[Metric, Outcome] = {
    Metric.RESOLUTION_RATE: Outcome.RESOLVED,
    Metric.ESCALATION_RATE: Outcome.ESCALATED,
    Metric.ABANDONMENT_RATE: Outcome.ABANDONED,
}


class SegmentKind(StrEnum):
    OVERALL = "overall"
    AGENT = "agent"
    TOPIC = "topic"


class Segment(BaseModel):
    """A slice of the traffic: everything, one agent kind (human / ai) or one topic."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: SegmentKind
    value: str = ""

    def __str__(self) -> str:
        return self.kind.value if self.kind is SegmentKind.OVERALL else f"{self.kind.value}:{self.value}"


OVERALL = Segment(kind=SegmentKind.OVERALL)


class PeriodStats(WithDerived):
    """One period of one segment. Rates are over conversations with a known outcome (None when none is)."""

    model_config = ConfigDict(extra="forbid")

    start: date
    conversations: int = Field(ge=0)
    known_outcome: int = Field(0, ge=0)
    outcomes: dict[Outcome, int] = Field(default_factory=dict, description="Known outcomes only.")
    rated: int = Field(0, ge=0, description="Conversations with a CSAT score.")
    mean_csat: float | None = None
    timed: int = Field(0, ge=0, description="Conversations with a handle time (two timed turns or more).")
    median_handle_time_seconds: float | None = None
    standard_errors: dict[Metric, float] = Field(
        default_factory=dict,
        description="The sampling error of mean CSAT and median handle time within the period.",
    )
    evidence: dict[str, list[str]] = Field(
        default_factory=dict,
        exclude=True,  # only anomalies carry their evidence out: ids for every period would swell the JSON
        description="`<metric>:up` / `<metric>:down` → ids that push the metric that way (escalated ones …).",
    )

    def _rate(self, outcome: Outcome) -> float | None:
        return self.outcomes.get(outcome, 0) / self.known_outcome if self.known_outcome else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def resolution_rate(self) -> float | None:
        return self._rate(Outcome.RESOLVED)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def escalation_rate(self) -> float | None:
        return self._rate(Outcome.ESCALATED)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def abandonment_rate(self) -> float | None:
        return self._rate(Outcome.ABANDONED)

    def value(self, metric: Metric) -> float | None:
        if metric is Metric.VOLUME:
            return float(self.conversations)
        if metric in RATE_OUTCOMES:
            return self._rate(RATE_OUTCOMES[metric])
        return self.mean_csat if metric is Metric.MEAN_CSAT else self.median_handle_time_seconds

    def sample_size(self, metric: Metric) -> int:
        """How many conversations the metric's value rests on."""
        if metric in RATE_OUTCOMES:
            return self.known_outcome
        if metric is Metric.MEAN_CSAT:
            return self.rated
        return self.timed if metric is Metric.MEDIAN_HANDLE_TIME else self.conversations

    def successes(self, metric: Metric) -> int:
        """For a rate metric: the conversations with its outcome."""
        return self.outcomes.get(RATE_OUTCOMES[metric], 0)

    def evidence_for(self, metric: Metric, direction: str) -> list[str]:
        return self.evidence.get(f"{metric.value}:{direction}", [])


class SegmentSeries(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segment: Segment
    points: list[PeriodStats]


class MonitorSeries(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Period
    periods: list[date] = Field(description="Every period start from the first to the last, in order.")
    segments: list[SegmentSeries] = Field(description="Overall first, then agent kinds, then topics.")
    conversations: int = Field(ge=0, description="Dated conversations counted.")
    undated: int = Field(0, ge=0, description="Conversations with no start or turn time: not in any period.")
    undated_ids: list[str] = Field(default_factory=list, description="A few of them, to look at.")

    def segment(self, segment: Segment) -> SegmentSeries:
        for series in self.segments:
            if series.segment == segment:
                return series
        raise KeyError(str(segment))


def segments_of(conversation: Conversation, topics: Mapping[str, str] | None) -> list[Segment]:
    found = [OVERALL, *(Segment(kind=SegmentKind.AGENT, value=kind) for kind in agent_kinds(conversation))]
    if topics is not None:
        found.append(Segment(kind=SegmentKind.TOPIC, value=topics.get(conversation.id, UNASSIGNED)))
    return found


def build_series(
    conversations: Iterable[Conversation], period: Period, topics: Mapping[str, str] | None = None
) -> MonitorSeries:
    """``topics`` maps conversation id → topic (conversations missing from it are "unassigned"). A
    conversation handed from the AI agent to a person counts in both agent segments."""
    buckets: dict[Segment, dict[date, list[Conversation]]] = defaultdict(lambda: defaultdict(list))
    undated: list[str] = []
    dated = 0
    for conversation in conversations:
        moment = conversation_time(conversation)
        if moment is None:
            undated.append(conversation.id)
            continue
        dated += 1
        start = bucket_start(moment, period)
        for segment in segments_of(conversation, topics):
            buckets[segment][start].append(conversation)
    starts = sorted({start for by_start in buckets.values() for start in by_start})
    periods = list(bucket_range(starts[0], starts[-1], period)) if starts else []
    ordered = sorted(buckets, key=lambda s: (list(SegmentKind).index(s.kind), s.value))
    return MonitorSeries(
        period=period,
        periods=periods,
        segments=[
            SegmentSeries(
                segment=segment,
                points=[period_stats(start, buckets[segment].get(start, [])) for start in periods],
            )
            for segment in ordered
        ],
        conversations=dated,
        undated=len(undated),
        undated_ids=undated[:EVIDENCE_IDS],
    )


def period_stats(start: date, conversations: Sequence[Conversation]) -> PeriodStats:
    known = [c for c in conversations if c.outcome is not Outcome.UNKNOWN]
    outcomes: dict[Outcome, int] = defaultdict(int)
    for conversation in known:
        outcomes[conversation.outcome] += 1
    evidence: dict[str, list[str]] = {
        f"{Metric.VOLUME.value}:{direction}": [c.id for c in conversations[:EVIDENCE_IDS]]
        for direction in ("up", "down")
    }
    for metric, outcome in RATE_OUTCOMES.items():
        evidence[f"{metric.value}:up"] = [c.id for c in known if c.outcome is outcome][:EVIDENCE_IDS]
        evidence[f"{metric.value}:down"] = [c.id for c in known if c.outcome is not outcome][:EVIDENCE_IDS]
    rated = [(c.satisfaction, c.id) for c in conversations if c.satisfaction is not None]
    timed = [(t, c.id) for c in conversations if (t := c.handle_time_seconds) is not None]
    evidence.update(_extremes(Metric.MEAN_CSAT, rated))
    evidence.update(_extremes(Metric.MEDIAN_HANDLE_TIME, timed))
    return PeriodStats(
        start=start,
        conversations=len(conversations),
        known_outcome=len(known),
        outcomes=dict(outcomes),
        rated=len(rated),
        mean_csat=statistics.fmean(v for v, _ in rated) if rated else None,
        timed=len(timed),
        median_handle_time_seconds=statistics.median(v for v, _ in timed) if timed else None,
        standard_errors={
            Metric.MEAN_CSAT: mean_standard_error([v for v, _ in rated]),
            Metric.MEDIAN_HANDLE_TIME: median_standard_error([v for v, _ in timed]),
        },
        evidence=evidence,
    )


def _extremes(metric: Metric, values: Sequence[tuple[float, str]]) -> dict[str, list[str]]:
    """The conversations that pull a mean or median up (the highest values) and down (the lowest)."""
    ordered = sorted(values)
    return {
        f"{metric.value}:up": [i for _, i in reversed(ordered[-EVIDENCE_IDS:])],
        f"{metric.value}:down": [i for _, i in ordered[:EVIDENCE_IDS]],
    }
