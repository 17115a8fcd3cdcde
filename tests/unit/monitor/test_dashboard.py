from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rehearsal.evaluate.behaviours import compile_behaviours, parse_behaviours
from rehearsal.monitor.dashboard import format_value, write_dashboard
from rehearsal.monitor.periods import Period
from rehearsal.monitor.report import MonitorReport, build_monitor_report

from .builders import conversation

GREETS = parse_behaviours(
    [
        {
            "id": "greets",
            "description": "Greets the customer",
            "trigger": {"kind": "conversation_start"},
            "detector": {"kind": "agent_says", "classifier": {"patterns": [r"^\W*hello\b"]}},
        }
    ]
)


@pytest.fixture
def report() -> MonitorReport:
    """Twenty days of 30 resolved conversations, then a day where 20 of 30 escalate; some never greet."""
    items = [
        conversation(
            f"d{day}-{i}",
            day,
            agent="human_agent" if i % 2 else "ai_agent",
            outcome="escalated" if day == 20 and i < 20 else "resolved",
            satisfaction=0.8,
            texts=[
                ("human_agent" if i % 2 else "ai_agent", "Hello" if i % 7 else "Order?"),
                ("customer", "A1"),
            ],
        )
        for day in range(21)
        for i in range(30)
    ]
    items.append(conversation("undated", None))
    return build_monitor_report(
        items,
        period=Period.DAY,
        source="synthetic",
        behaviours=compile_behaviours(GREETS),
        skipped_records=["f.jsonl:3: turns: too short"],
        now=datetime(2026, 4, 1, tzinfo=UTC),
    )


def test_the_dashboard_and_its_json_are_written(report: MonitorReport, tmp_path: Path) -> None:
    # Given the report / When written
    html_path, json_path = write_dashboard(report, tmp_path / "out")
    # Then the JSON reads back as the same report, and the page shows anomalies with their evidence
    text = json_path.read_text()
    assert MonitorReport.model_validate_json(text).model_dump_json(indent=2) == text
    assert MonitorReport.model_validate_json(text).anomalies == report.anomalies
    html = html_path.read_text()
    escalation = next(a for a in report.anomalies if a.metric == "escalation_rate" and a.segment == "overall")
    assert escalation.evidence[0] in html and "escalation_rate" in html
    assert "greets" in html and "f.jsonl:3: turns: too short" in html and "undated" in html


def test_the_page_is_self_contained(report: MonitorReport, tmp_path: Path) -> None:
    # Given / When
    html = write_dashboard(report, tmp_path)[0].read_text()
    # Then no script and nothing fetched from elsewhere (the only URL is the SVG namespace)
    assert "<script" not in html and not re.search(r"(src|href)=", html)
    assert set(re.findall(r"https?://[^\"' ]+", html)) == {"http://www.w3.org/2000/svg"}
    assert html.count("<svg") == 3 * 6 + 1  # six metrics for overall, ai, human; one adherence chart


@pytest.mark.parametrize(
    ("metric", "value", "shown"),
    [
        ("escalation_rate", 0.1234, "12.3%"),
        ("adherence:greets", 0.5, "50.0%"),
        ("mean_csat", 0.756, "0.76"),
        ("median_handle_time_seconds", 93.4, "93 s"),
        ("volume", 12.0, "12"),
        ("volume", None, "—"),
    ],
)
def test_values_are_shown_in_their_unit(metric: str, value: float | None, shown: str) -> None:
    # Given / When / Then
    assert format_value(metric, value) == shown
