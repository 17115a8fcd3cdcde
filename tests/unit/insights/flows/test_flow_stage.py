from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from refund_corpus import refund_corpus

from rehearsal.insights.corpus import save_corpus
from rehearsal.insights.flows import FlowDiscoveryError
from rehearsal.insights.flows.stage import FlowsRequest, FlowsStageResult, flows_stage, topic_groups
from rehearsal.insights.ingest import IngestResult
from rehearsal.insights.stages import InsightsRequest, run_insights_stage
from rehearsal.insights.topics.models import Readiness, Topic, TopicModel, TopicStats
from rehearsal.settings import Settings
from rehearsal.storage.factory import Stores, build_stores


@pytest.fixture
def stores(tmp_settings: Settings) -> Stores:
    stores = build_stores(tmp_settings)
    save_corpus(
        stores.blobs, "refunds", IngestResult(source="test", format="jsonl", conversations=refund_corpus())
    )
    return stores


def _topic(topic_id: int, label: str) -> Topic:
    return Topic(
        id=topic_id,
        label=label,
        keywords=[label],
        representatives=[label],
        size=10,
        cohesion=0.9,
        stats=TopicStats(volume=10, share=0.5),
        readiness=Readiness(score=0.5, factors=[]),
    )


def _model() -> TopicModel:
    return TopicModel(
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        embedder="lexical",
        embedder_family="lexical",
        params={},
        novelty_threshold=0.3,
        topics=[_topic(0, "refund order"), _topic(1, "late refund")],
        centroids=[[1.0], [0.0]],
        total_items=20,
    )


def test_the_stage_writes_graphs_to_the_blob_store_and_returns_their_keys(stores: Stores) -> None:
    # Given a stored corpus
    # When the flows stage runs grouped by task
    result = flows_stage(FlowsRequest(corpus="refunds", group_by="task"), stores)
    # Then each group's graph and the summary are blobs, and only their keys travel on
    assert result.graph_keys == ["insights/refunds/flows/refund.json"]
    graph = json.loads(stores.blobs.get(result.graph_keys[0]))["graph"]
    assert {"from": "__start__", "to": "ask_order", "count": 20} in graph["edges"]
    assert json.loads(stores.blobs.get(result.flows_key))["grouped_by"] == "metadata.task"


def test_the_stage_groups_by_the_topics_the_cluster_stage_assigned(stores: Stores) -> None:
    # Given topics and assignments where they are stored by the cluster stage
    lines = "".join(
        json.dumps({"id": f"c{i}", "topic": 0 if i < 12 else 1, "similarity": 0.9}) + "\n" for i in range(20)
    )
    stores.blobs.put("insights/refunds/topics.json", _model().model_dump_json().encode())
    stores.blobs.put("insights/refunds/assignments.jsonl", lines.encode())
    # When the flows stage runs by topic
    result = flows_stage(FlowsRequest(corpus="refunds", by_topic=True), stores)
    # Then there is one graph per topic, named by its label
    assert result.graph_keys == [
        "insights/refunds/flows/t0_refund_order.json",
        "insights/refunds/flows/t1_late_refund.json",
    ]


def test_a_bad_assignment_line_is_named() -> None:
    with pytest.raises(FlowDiscoveryError, match=r"assignments\.jsonl:2: not a topic assignment"):
        topic_groups(
            '{"id": "a", "topic": 0, "similarity": 1}\n{oops\n', _model(), source="assignments.jsonl"
        )


def test_one_grouping_at_a_time() -> None:
    with pytest.raises(ValidationError, match="not both"):
        FlowsRequest(corpus="refunds", group_by="task", by_topic=True)


def test_the_insights_lambda_event_reaches_the_flows_stage(stores: Stores) -> None:
    # Given the event the insights_discovery state machine sends after clustering (here grouped by task)
    event = InsightsRequest.model_validate({"stage": "flows", "corpus": "refunds", "group_by": "task"})
    # When the insights stage dispatcher runs it
    result = run_insights_stage(event, stores)
    # Then the flows stage answered
    assert isinstance(result, FlowsStageResult)
    assert result.groups == 1
