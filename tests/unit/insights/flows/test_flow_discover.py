from __future__ import annotations

import json
from pathlib import Path

import pytest
from refund_corpus import refund_corpus

from rehearsal.insights.flows import FlowDiscoveryError, discover_flows, write_flows


def test_one_graph_file_per_group_with_nodes_and_counted_edges(tmp_path: Path) -> None:
    # Given two groups of conversations
    corpus = refund_corpus(task="refund") + [
        c.model_copy(update={"id": f"x{c.id}", "metadata": {"task": "returns"}}) for c in refund_corpus()
    ]
    # When flows are discovered and written
    written = write_flows(discover_flows(corpus, group_by="task"), tmp_path)
    # Then each group has its graph JSON with step ids, labels and from/to/count edges
    assert sorted(p.name for p in written) == ["flows.json", "refund.json", "returns.json"]
    graph = json.loads((tmp_path / "refund.json").read_text())["graph"]
    assert {"id": "ask_order", "label": "Could you tell me your order number, please?"}.items() <= graph[
        "nodes"
    ][1].items()
    assert {"from": "__start__", "to": "ask_order", "count": 20} in graph["edges"]


def test_groups_can_come_from_topic_assignments() -> None:
    corpus = refund_corpus()
    topics = {c.id: ("t1" if i < 10 else "t2") for i, c in enumerate(corpus)}
    discovery = discover_flows(corpus, group_by=topics)
    assert discovery.grouped_by == "topic"
    assert [g.group for g in discovery.groups] == ["t1", "t2"]


@pytest.mark.parametrize(
    ("conversations", "group_by", "message"),
    [
        ([], None, "corpus is empty"),
        (refund_corpus()[:3], "channel_name", "no conversation has the metadata field 'channel_name'"),
        (refund_corpus()[:1], "task", "too few"),
    ],
)
def test_unusable_input_gets_a_clear_message(conversations, group_by, message) -> None:
    with pytest.raises(FlowDiscoveryError, match=message):
        discover_flows(conversations, group_by=group_by)


def test_skills_shared_by_groups_name_every_group() -> None:
    corpus = refund_corpus(task="a") + [
        c.model_copy(update={"id": f"b{c.id}", "metadata": {"task": "b"}}) for c in refund_corpus()
    ]
    skills = discover_flows(corpus, group_by="task").skills
    assert skills
    assert all(skill.groups == ["a", "b"] for skill in skills)
    assert {step for skill in skills for step in skill.steps} >= {"ask_order", "call:orders:check"}
