from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from rehearsal.insights.corpus import CorpusError, save_corpus
from rehearsal.insights.ingest import IngestResult
from rehearsal.monitor.report import MonitorReport
from rehearsal.monitor.stage import MonitorRequest, monitor_stage
from rehearsal.settings import Settings
from rehearsal.storage.factory import Stores, build_stores

from .builders import conversation

BEHAVIOURS = b"""
behaviours:
  - id: greets
    description: Greets the customer
    trigger: {kind: conversation_start}
    detector: {kind: agent_says, classifier: {patterns: ['^hello']}}
"""
NOW = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def stores(tmp_settings: Settings) -> Stores:
    stores = build_stores(tmp_settings)
    items = [conversation(f"c{d}-{i}", d) for d in range(3) for i in range(4)]
    save_corpus(stores.blobs, "live", IngestResult(source="test", format="jsonl", conversations=items))
    stores.blobs.put("config/behaviours.yaml", BEHAVIOURS)
    return stores


def test_the_stage_stores_the_dashboard_and_returns_keys(stores: Stores) -> None:
    # Given a stored corpus and behaviours in the BlobStore
    request = MonitorRequest(corpus="live", behaviours_key="config/behaviours.yaml")
    # When
    result = monitor_stage(request, stores, now=NOW)
    # Then
    assert result.json_key == "monitor/live/day/20260401T060000Z/monitor.json"
    assert (result.conversations, result.undated, result.anomalies) == (12, 0, 0)
    report = MonitorReport.model_validate_json(stores.blobs.get(result.json_key))
    assert report.adherence is not None and report.adherence.totals[0].adhered == 12
    assert b"<svg" in stores.blobs.get(result.html_key)


def test_an_unknown_corpus_is_an_error_naming_it(stores: Stores) -> None:
    # Given / When / Then
    with pytest.raises(CorpusError, match="no corpus named 'gone'"):
        monitor_stage(MonitorRequest(corpus="gone"), stores, now=NOW)


@pytest.mark.parametrize(
    "event", [{"corpus": "../etc"}, {"corpus": "live", "period": "month"}, {"corpus": "x", "y": 1}]
)
def test_a_bad_event_is_rejected(event: dict[str, object]) -> None:
    # Given / When / Then
    with pytest.raises(ValidationError):
        MonitorRequest.model_validate(event)
