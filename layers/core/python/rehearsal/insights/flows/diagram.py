"""A flow graph drawn as an SVG diagram: steps in layers from START, transitions as arrows sized by count.

Layers are breadth-first distances from START (END last); within a layer, steps sit near the mean height of
their predecessors so that arrows cross less. Transitions going back (loops, retries) bend below the layers.
"""

from __future__ import annotations

from collections import deque
from html import escape

from rehearsal.insights.flows.models import END, START, FlowGraph, StepKind

_WIDTH, _HEIGHT = 190, 46
_GAP_X, _GAP_Y = 90, 26
_MARGIN = 20
_FILL = {StepKind.SAY: "#e8f1fb", StepKind.CALL: "#fdf0dc", StepKind.BOUNDARY: "#e9e9e9"}


def layers(graph: FlowGraph) -> dict[str, int]:
    """Longest-path layers from START over the graph without its back edges (loops, retries); END last.

    Back edges are those a depth-first walk from START (busiest transitions first) finds pointing at a step
    still on its path; what remains is acyclic, so the procedure reads left to right in the order it runs.
    """
    successors: dict[str, list[str]] = {}
    for edge in sorted(graph.edges, key=lambda e: (-e.count, e.to)):
        if edge.to not in (edge.from_, END):
            successors.setdefault(edge.from_, []).append(edge.to)
    forward: dict[str, list[str]] = {}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[tuple[str, int]] = [(START, 0)]
    state[START] = 1
    while stack:
        current, index = stack.pop()
        targets = successors.get(current, [])
        if index < len(targets):
            stack.append((current, index + 1))
            target = targets[index]
            if state.get(target) != 1:
                forward.setdefault(current, []).append(target)
            if target not in state:
                state[target] = 1
                stack.append((target, 0))
        else:
            state[current] = 2
    depth = {START: 0}
    for step in _topological(forward):
        for target in forward.get(step, []):
            depth[target] = max(depth.get(target, 0), depth[step] + 1)
    for node in graph.nodes:
        depth.setdefault(node.id, 1)
    depth[END] = max((d for n, d in depth.items() if n != END), default=0) + 1
    return depth


def _topological(forward: dict[str, list[str]]) -> list[str]:
    indegree: dict[str, int] = {}
    for source, targets in forward.items():
        indegree.setdefault(source, 0)
        for target in targets:
            indegree[target] = indegree.get(target, 0) + 1
    ready = deque(sorted(n for n, d in indegree.items() if d == 0))
    order = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for target in forward.get(node, []):
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return order


def _positions(graph: FlowGraph) -> dict[str, tuple[float, float]]:
    depth = layers(graph)
    predecessors: dict[str, list[str]] = {}
    for edge in graph.edges:
        predecessors.setdefault(edge.to, []).append(edge.from_)
    counts = {node.id: node.count for node in graph.nodes}
    placed: dict[str, tuple[float, float]] = {}
    for layer in range(max(depth.values()) + 1):
        members = [n.id for n in graph.nodes if depth[n.id] == layer]

        def barycentre(step: str) -> tuple[float, int]:
            ys = [placed[p][1] for p in predecessors.get(step, []) if p in placed]
            return (sum(ys) / len(ys) if ys else 0.0, -counts.get(step, 0))

        for index, step in enumerate(sorted(members, key=barycentre)):
            x = _MARGIN + layer * (_WIDTH + _GAP_X)
            placed[step] = (x, _MARGIN + index * (_HEIGHT + _GAP_Y))
    return placed


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_svg(graph: FlowGraph) -> str:
    placed = _positions(graph)
    width = max(x for x, _ in placed.values()) + _WIDTH + _MARGIN
    height = max(y for _, y in placed.values()) + _HEIGHT + 3 * _MARGIN
    strongest = max((edge.count for edge in graph.edges), default=1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flow" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="Flow graph of {escape(graph.group)}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
        'markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#7a8794"/></marker></defs>',
    ]
    for edge in graph.edges:
        if edge.from_ not in placed or edge.to not in placed:
            continue
        (x1, y1), (x2, y2) = placed[edge.from_], placed[edge.to]
        stroke = 1 + 6 * edge.count / strongest
        if x2 > x1:
            sx, sy, tx, ty = x1 + _WIDTH, y1 + _HEIGHT / 2, x2, y2 + _HEIGHT / 2
            path = f"M{sx:.0f},{sy:.0f} C{sx + 45:.0f},{sy:.0f} {tx - 45:.0f},{ty:.0f} {tx:.0f},{ty:.0f}"
        else:  # a step going back (or to itself) bends below the diagram's boxes
            sx, sy, tx, ty = x1 + _WIDTH / 2, y1 + _HEIGHT, x2 + _WIDTH / 2, y2 + _HEIGHT
            low = max(sy, ty) + _MARGIN + 10
            path = f"M{sx:.0f},{sy:.0f} C{sx:.0f},{low:.0f} {tx:.0f},{low:.0f} {tx:.0f},{ty:.0f}"
        parts.append(
            f'<path d="{path}" fill="none" stroke="#7a8794" stroke-opacity="0.7" stroke-width="{stroke:.1f}" '
            f'marker-end="url(#arrow)"><title>{escape(edge.from_)} → {escape(edge.to)}: {edge.count}</title>'
            "</path>"
        )
    for node in graph.nodes:
        x, y = placed[node.id]
        title = "start" if node.id == START else "end" if node.id == END else node.id
        caption = node.label if node.kind is not StepKind.BOUNDARY else ""
        parts.append(
            f'<g class="step"><title>{escape(node.id)}: {escape(node.label)} ({node.count})</title>'
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{_WIDTH}" height="{_HEIGHT}" rx="8" '
            f'fill="{_FILL[node.kind]}" stroke="#5b6b7a"/>'
            f'<text x="{x + 8:.0f}" y="{y + 18:.0f}" font-size="12" font-weight="bold">'
            f"{escape(_clip(title, 26))}</text>"
            f'<text x="{x + 8:.0f}" y="{y + 35:.0f}" font-size="11" fill="#44515e">'
            f"{escape(_clip(caption, 24))} ×{node.count}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
