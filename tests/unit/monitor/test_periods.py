from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from rehearsal.monitor.periods import Period, agent_kinds, bucket_range, bucket_start, conversation_time

from .builders import at, conversation


@pytest.mark.parametrize(
    ("moment", "period", "expected"),
    [
        (datetime(2026, 3, 4, 23, 30, tzinfo=UTC), Period.DAY, date(2026, 3, 4)),
        (datetime(2026, 3, 5, 1, 0, tzinfo=timezone(timedelta(hours=3))), Period.DAY, date(2026, 3, 4)),
        (datetime(2026, 3, 8, 12, 0, tzinfo=UTC), Period.WEEK, date(2026, 3, 2)),
        (datetime(2026, 3, 2, 0, 0, tzinfo=UTC), Period.WEEK, date(2026, 3, 2)),
    ],
)
def test_bucket_start_is_the_utc_day_or_the_monday_of_the_iso_week(
    moment: datetime, period: Period, expected: date
) -> None:
    # Given a time / When bucketed / Then
    assert bucket_start(moment, period) == expected


def test_bucket_range_includes_empty_periods() -> None:
    # Given two weeks apart / When ranged / Then the week between is there too
    assert list(bucket_range(date(2026, 3, 2), date(2026, 3, 16), Period.WEEK)) == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
    ]


def test_conversation_time_falls_back_to_the_first_turn_time() -> None:
    # Given a conversation with no started_at but timed turns
    item = conversation("c1", 3)
    # When / Then
    assert item.started_at is None
    assert conversation_time(item) == at(3)


def test_conversation_time_is_none_without_any_time() -> None:
    # Given / When / Then
    assert conversation_time(conversation("c1", None)) is None


def test_agent_kinds_lists_both_after_a_handoff_in_order() -> None:
    # Given an AI agent handing over to a person
    item = conversation(
        "c1", 0, texts=[("ai_agent", "Hi"), ("customer", "a person please"), ("human_agent", "Hello")]
    )
    # When / Then
    assert agent_kinds(item) == ["ai", "human"]
