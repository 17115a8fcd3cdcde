from __future__ import annotations

import re

from refund_corpus import refund_corpus

from rehearsal.insights.flows import END, START, discover_flows
from rehearsal.insights.flows.diagram import layers, render_svg
from rehearsal.insights.flows.report import render_flows_section, render_page


def _discovery():
    return discover_flows(refund_corpus(), group_by="task")


def test_layers_run_from_start_to_end() -> None:
    graph = _discovery().groups[0].graph
    depth = layers(graph)
    assert depth[START] == 0
    assert depth["ask_order"] == 1
    assert depth[END] == max(depth.values())


def test_diagram_draws_every_step_and_every_transition_with_its_count() -> None:
    # Given the refund graph
    graph = _discovery().groups[0].graph
    # When it is drawn
    svg = render_svg(graph)
    # Then each step is a box and each transition an arrow titled with its count
    assert svg.count("<rect") == len(graph.nodes)
    assert svg.count("marker-end=") == len(graph.edges)
    assert "<title>call:orders:check → confirm_refund: 13</title>" in svg


def test_report_escapes_transcript_text() -> None:
    # Given a step whose representative utterance holds markup
    discovery = _discovery()
    node = discovery.groups[0].graph.node("ask_order")
    node.label = "<script>alert(1)</script>"
    # When the report is rendered
    page = render_page("Insights", [render_flows_section(discovery)])
    # Then the markup is shown as text, never run
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert re.search(r"<h3>refund</h3>", page)


def test_a_procedure_reads_left_to_right_and_loops_do_not_stretch_it() -> None:
    # Given the refund procedure, where a denial can also follow the order question directly
    depth = layers(_discovery().groups[0].graph)
    # Then each step sits right of the steps before it on the main path
    path = ["ask_order", "call:orders:check", "confirm_refund", "call:orders:refund", "refund_done"]
    assert [depth[step] for step in path] == [1, 2, 3, 4, 5]
