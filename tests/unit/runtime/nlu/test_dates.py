from __future__ import annotations

from datetime import date

import pytest

from rehearsal.runtime.nlu.dates import parse_date

TODAY = date(2026, 11, 26)  # a Thursday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on 2026-03-03 please", date(2026, 3, 3)),
        ("it was March 3", date(2026, 3, 3)),
        ("3rd of March 2025", date(2025, 3, 3)),
        ("Dec 24th", date(2026, 12, 24)),
        ("today", TODAY),
        ("tomorrow works", date(2026, 11, 27)),
        ("the day after tomorrow", date(2026, 11, 28)),
        ("yesterday", date(2026, 11, 25)),
        ("in 10 days", date(2026, 12, 6)),
        ("3 days ago", date(2026, 11, 23)),
        ("next thursday", date(2026, 12, 3)),
        ("on friday", date(2026, 11, 27)),
        ("last monday", date(2026, 11, 23)),
    ],
)
def test_parse_date_reads_iso_relative_and_written_dates(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["no date here", "February 30", "2026-13-01"])
def test_parse_date_returns_none_without_a_valid_date(text: str) -> None:
    assert parse_date(text, today=TODAY) is None
