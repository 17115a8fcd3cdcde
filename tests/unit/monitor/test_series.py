from __future__ import annotations

from datetime import timedelta

import pytest

from rehearsal.monitor.periods import Period
from rehearsal.monitor.series import OVERALL, Metric, Segment, SegmentKind, build_series

from .builders import DAY0, conversation


def test_rates_are_over_known_outcomes_only() -> None:
    # Given one day: resolved, escalated, abandoned, and one with an unknown outcome
    items = [
        conversation("a", 0, outcome="resolved"),
        conversation("b", 0, outcome="escalated"),
        conversation("c", 0, outcome="abandoned"),
        conversation("d", 0, outcome="unknown"),
    ]
    # When
    point = build_series(items, Period.DAY).segment(OVERALL).points[0]
    # Then
    assert point.conversations == 4 and point.known_outcome == 3
    assert point.value(Metric.RESOLUTION_RATE) == pytest.approx(1 / 3)
    assert point.value(Metric.ESCALATION_RATE) == pytest.approx(1 / 3)
    assert point.evidence_for(Metric.ESCALATION_RATE, "up") == ["b"]
    assert point.evidence_for(Metric.ESCALATION_RATE, "down") == ["a", "c"]


def test_mean_csat_and_median_handle_time() -> None:
    # Given three conversations of 60, 120 and 600 s, two of them rated
    items = [
        conversation("a", 0, satisfaction=0.2, seconds=60),
        conversation("b", 0, satisfaction=0.8, seconds=120),
        conversation("c", 0, seconds=600),
    ]
    # When
    point = build_series(items, Period.DAY).segment(OVERALL).points[0]
    # Then
    assert point.rated == 2 and point.value(Metric.MEAN_CSAT) == pytest.approx(0.5)
    assert point.timed == 3 and point.value(Metric.MEDIAN_HANDLE_TIME) == 120
    assert point.evidence_for(Metric.MEDIAN_HANDLE_TIME, "up")[0] == "c"


def test_empty_periods_are_filled_and_undated_conversations_counted_apart() -> None:
    # Given traffic on day 0 and day 3, and one conversation with no time
    items = [conversation("a", 0), conversation("b", 3), conversation("u", None)]
    # When
    series = build_series(items, Period.DAY)
    # Then
    assert series.periods == [DAY0 + timedelta(days=d) for d in range(4)]
    assert [p.conversations for p in series.segment(OVERALL).points] == [1, 0, 0, 1]
    assert series.segment(OVERALL).points[1].value(Metric.ESCALATION_RATE) is None
    assert (series.conversations, series.undated, series.undated_ids) == (2, 1, ["u"])


def test_weeks_group_the_days_of_an_iso_week() -> None:
    # Given Monday, Sunday and the next Monday
    items = [conversation("a", 0), conversation("b", 6), conversation("c", 7)]
    # When
    series = build_series(items, Period.WEEK)
    # Then
    assert [p.conversations for p in series.segment(OVERALL).points] == [2, 1]


def test_segments_by_agent_kind_and_topic() -> None:
    # Given a human, an AI and a handed-over conversation, two of them with a topic
    items = [
        conversation("h", 0, agent="human_agent"),
        conversation("a", 0, agent="ai_agent"),
        conversation("x", 0, texts=[("ai_agent", "Hi"), ("customer", "agent!"), ("human_agent", "Hello")]),
    ]
    # When
    series = build_series(items, Period.DAY, topics={"h": "t0_refund", "a": "t0_refund"})

    # Then
    def volume(kind: SegmentKind, value: str) -> int:
        return series.segment(Segment(kind=kind, value=value)).points[0].conversations

    assert [str(s.segment) for s in series.segments] == [
        "overall",
        "agent:ai",
        "agent:human",
        "topic:t0_refund",
        "topic:unassigned",
    ]
    assert volume(SegmentKind.AGENT, "ai") == 2 and volume(SegmentKind.AGENT, "human") == 2
    assert volume(SegmentKind.TOPIC, "t0_refund") == 2 and volume(SegmentKind.TOPIC, "unassigned") == 1


def test_evidence_stays_out_of_the_json() -> None:
    # Given / When
    dumped = build_series([conversation("a", 0, outcome="escalated")], Period.DAY).model_dump(mode="json")
    # Then rates are in, per-period ids are not
    point = dumped["segments"][0]["points"][0]
    assert point["escalation_rate"] == 1.0 and "evidence" not in point
