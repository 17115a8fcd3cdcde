from __future__ import annotations

from refund_corpus import refund_corpus

from rehearsal.insights.flows import END, START, GraphLimits, build_graph, label_conversations


def _labelled():
    return label_conversations(refund_corpus(), lambda _: "refund")


def test_edges_count_every_observed_transition() -> None:
    # Given the labelled refund corpus
    corpus = _labelled()
    # When the graph is built without pruning
    graph = build_graph(
        "refund", corpus.conversations, labels=corpus.labels, limits=GraphLimits(None, 1, 0.0)
    )
    # Then each edge counts its transitions, START and END included
    counts = {(e.from_, e.to): e.count for e in graph.edges}
    assert counts[(START, "ask_order")] == 20
    assert counts[("call:orders:check", "confirm_refund")] == 13
    assert counts[("call:orders:check", "deny_refund")] == 5
    assert counts[("deny_refund", END)] == 2


def test_node_budget_keeps_the_busiest_steps_and_bridges_over_the_others() -> None:
    # Given a budget of START, END and three steps
    corpus = _labelled()
    # When the graph is built
    graph = build_graph("refund", corpus.conversations, labels=corpus.labels, limits=GraphLimits(5, 1, 0.0))
    # Then only the three busiest steps stay, and transitions bridge over the dropped ones
    assert len(graph.nodes) == 5
    assert {n.id for n in graph.nodes} == {START, END, "ask_order", "call:orders:check", "anything_else"}
    assert ("call:orders:check", "anything_else") in graph.edge_set()


def test_rare_transitions_are_pruned() -> None:
    # Given a minimum edge count of 3
    corpus = _labelled()
    # When the graph is built
    graph = build_graph(
        "refund", corpus.conversations, labels=corpus.labels, limits=GraphLimits(None, 3, 0.0)
    )
    # Then the two-conversation transition is gone and the common ones stay
    assert ("ask_order", "deny_refund") not in graph.edge_set()
    assert ("ask_order", "call:orders:check") in graph.edge_set()
