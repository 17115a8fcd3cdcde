"""The flows part of the HTML insights report: one diagram per group, with its paths, branches and tools.

`render_flows_section` returns an HTML fragment; `render_page` wraps fragments (flows, topics, …) in one
self-contained page with no scripts and no external assets, so it opens anywhere and can be archived.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from rehearsal.insights.flows.diagram import render_svg
from rehearsal.insights.flows.models import FlowDiscovery, GroupFlows

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2a33}
h1{font-size:1.6rem} h2{margin-top:2.5rem;border-bottom:1px solid #ccd} h3{margin-top:1.5rem}
table{border-collapse:collapse;margin:.5rem 0} td,th{border:1px solid #d5dbe1;padding:.25rem .5rem;
text-align:left;font-size:.9rem;vertical-align:top} th{background:#f2f4f6}
.diagram{overflow-x:auto;border:1px solid #e3e7eb;padding:.5rem;background:#fbfcfd}
.muted{color:#66737f;font-size:.9rem}
"""


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    if not rows:
        return '<p class="muted">none found</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _group(group: GroupFlows) -> str:
    graph = group.graph
    paths = [(f"{p.share:.0%}", p.count, " → ".join(p.steps)) for p in group.paths]
    decisions = [
        (
            p.step,
            p.driver,
            "; ".join(
                f"{b.to} {b.share:.0%}"
                + (f" (says: {', '.join(b.cues)})" if b.cues else "")
                + (f" (result: {max(b.results, key=b.results.__getitem__)})" if b.results else "")
                for b in p.branches
            ),
        )
        for p in group.decision_points
    ]
    derails = [(d.step, d.outcome.value, d.count, f"{d.rate:.0%}") for d in group.derail_points]
    return (
        f"<h3>{escape(group.group)}</h3>"
        f'<p class="muted">{graph.conversations} conversations, {len(graph.nodes) - 2} steps '
        f"({escape(group.labelling)} labels), {len(graph.edges)} transitions"
        + (f"; next step predictable {group.predictability:.0%} of the time" if group.predictability else "")
        + ". Main path: "
        f"{escape(' → '.join(group.main_path) or '—')}</p>"
        f'<div class="diagram">{render_svg(graph)}</div>'
        "<h4>Dominant paths</h4>"
        + _table(("share", "conversations", "steps"), paths)
        + "<h4>Decision points</h4>"
        + _table(("step", "decided by", "branches"), decisions)
        + "<h4>Where conversations derail</h4>"
        + _table(("last step", "outcome", "conversations", "rate"), derails)
    )


def render_flows_section(discovery: FlowDiscovery) -> str:
    tools = [
        (
            t.name,
            t.calls,
            t.mode_argument or "—",
            ", ".join(f"{o.signature} ({o.count})" for o in t.outcomes[:4]),
            ", ".join(e.signature for e in t.errors) or "—",
        )
        for t in discovery.tools
    ]
    skills = [
        (s.name, ", ".join(s.steps), ", ".join(s.groups), f"{s.cohesion:.0%}") for s in discovery.skills
    ]
    return (
        f'<section id="flows"><h2>Flows</h2><p class="muted">Grouped by {escape(discovery.grouped_by)}; '
        f"{len(discovery.groups)} group(s)"
        + (
            f"; skipped (too few conversations): {escape(', '.join(discovery.skipped))}"
            if discovery.skipped
            else ""
        )
        + "</p>"
        + "".join(_group(group) for group in discovery.groups)
        + "<h3>Tool catalog</h3>"
        + _table(("tool", "calls", "operation argument", "outcomes", "errors"), tools)
        + "<h3>Suggested sub-agents</h3>"
        + _table(("skill", "steps", "groups", "cohesion"), skills)
        + "</section>"
    )


def render_page(title: str, sections: Sequence[str]) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>{''.join(sections)}</body></html>\n"
    )
