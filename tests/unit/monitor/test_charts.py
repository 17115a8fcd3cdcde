from __future__ import annotations

from datetime import date, timedelta

from rehearsal.monitor.charts import ANOMALY, Chart, Line, Mark, line_chart

PERIODS = [date(2026, 3, 2) + timedelta(days=d) for d in range(5)]


def test_a_missing_value_breaks_the_line_instead_of_drawing_zero() -> None:
    # Given values with a gap in the middle
    svg = line_chart(Chart("escalation", PERIODS, [Line("overall", [0.1, 0.2, None, 0.2, 0.1])]))
    # When / Then two polylines of two points each
    assert svg.count("<polyline") == 2


def test_anomalies_are_marked_with_their_note() -> None:
    # Given one mark
    svg = line_chart(
        Chart("volume", PERIODS, [Line("overall", [1, 2, 9, 2, 1])], [Mark(2, 9, "up, z = +5.0")])
    )
    # When / Then
    assert f'fill="{ANOMALY}"' in svg and "2026-03-04: up, z = +5.0" in svg


def test_several_lines_get_a_legend_and_text_is_escaped() -> None:
    # Given two lines, one label with markup
    svg = line_chart(Chart("a<b", PERIODS, [Line("ai", [1] * 5), Line("<human>", [2] * 5)]))
    # When / Then
    assert "&lt;human&gt;" in svg and "<human>" not in svg and "a&lt;b" in svg


def test_no_data_says_so() -> None:
    # Given / When / Then
    assert "no data" in line_chart(Chart("csat", PERIODS, [Line("overall", [None] * 5)]))
