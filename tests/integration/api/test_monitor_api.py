"""Monitoring routes: the stored checks of a corpus and its latest report."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice.test import Client

from rehearsal.insights.conversation import Conversation
from rehearsal.insights.corpus import save_corpus
from rehearsal.insights.ingest import IngestResult
from rehearsal.monitor.report import MonitorReport
from rehearsal.monitor.stage import MonitorRequest, monitor_stage
from rehearsal.service.api import context

from .support import body


def _stored_checks(*moments: datetime) -> None:
    """A corpus of two days, checked at each of ``moments``."""
    conversations = [
        Conversation.model_validate(
            {
                "id": f"c{day}-{n}",
                "started_at": f"2026-03-0{day + 1}T09:0{n}:00+00:00",
                "outcome": "escalated" if n == 0 else "resolved",
                "turns": [{"speaker": "ai_agent", "text": "Hello!"}, {"speaker": "customer", "text": "Hi"}],
            }
        )
        for day in range(2)
        for n in range(3)
    ]
    stores = context.stores()
    save_corpus(stores.blobs, "chats", IngestResult(source="t", format="jsonl", conversations=conversations))
    for moment in moments:
        monitor_stage(MonitorRequest(corpus="chats"), stores, now=moment)


def test_the_checks_of_a_corpus_are_listed_newest_first(client: Client) -> None:
    # Given two scheduled checks
    _stored_checks(datetime(2026, 3, 3, 6, tzinfo=UTC), datetime(2026, 3, 4, 6, tzinfo=UTC))
    # When
    checks = body(client.http.get("/monitor/chats"))
    # Then
    assert [check["generated_at"][:10] for check in checks] == ["2026-03-04", "2026-03-03"]
    assert checks[0]["html_key"].endswith("/monitor.html")


def test_the_latest_report_is_the_newest_check(client: Client) -> None:
    _stored_checks(datetime(2026, 3, 3, 6, tzinfo=UTC), datetime(2026, 3, 4, 6, tzinfo=UTC))
    report = MonitorReport.model_validate(body(client.http.get("/monitor/chats/latest")))
    assert report.generated_at == datetime(2026, 3, 4, 6, tzinfo=UTC)
    assert report.series.conversations == 6


def test_a_corpus_never_checked_is_a_404(client: Client) -> None:
    response = client.http.get("/monitor/chats/latest")
    assert response.status_code == 404
    assert body(client.http.get("/monitor/chats")) == []


def test_a_bad_period_is_a_400_naming_the_query_field(client: Client) -> None:
    response = client.http.get("/monitor/chats?period=hour")
    assert response.status_code == 400
    assert "query.period" in response.body.decode()
