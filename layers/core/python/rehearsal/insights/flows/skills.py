"""Suggested sub-agents (micro-skills): communities of steps that mostly hand over to each other.

Steps are joined across groups by id, so a segment several groups share (identity checks used by both
"balance" and "fraud report") comes out as one skill that serves them all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import networkx as nx

from rehearsal.insights.flows.models import END, START, FlowGraph, SkillSuggestion, StepKind
from rehearsal.insights.flows.tools import CALL_PREFIX

_GENERIC = frozenset({"ask", "inform", "call", "provide", "the", "a", "to", "query"})


def suggest_skills(
    graphs: Sequence[FlowGraph], *, resolution: float = 1.0, seed: int = 0, min_steps: int = 2
) -> list[SkillSuggestion]:
    union = nx.Graph()
    visits: Counter[str] = Counter()
    used_by: dict[str, set[str]] = {}
    kinds: dict[str, StepKind] = {}
    for graph in graphs:
        for node in graph.nodes:
            if node.id in (START, END):
                continue
            union.add_node(node.id)
            visits[node.id] += node.count
            used_by.setdefault(node.id, set()).add(graph.group)
            kinds[node.id] = node.kind
        for edge in graph.edges:
            if START in (edge.from_, edge.to) or END in (edge.from_, edge.to) or edge.from_ == edge.to:
                continue
            weight = union.get_edge_data(edge.from_, edge.to, {"weight": 0})["weight"] + edge.count
            union.add_edge(edge.from_, edge.to, weight=weight)
    if union.number_of_nodes() == 0:
        return []
    communities = nx.community.louvain_communities(union, weight="weight", resolution=resolution, seed=seed)
    skills: list[SkillSuggestion] = []
    for members in communities:
        if len(members) < min_steps:
            continue
        steps = sorted(members, key=lambda s: (-visits[s], s))
        edges = list(union.edges(members, data=True))
        inside = sum(d["weight"] for u, v, d in edges if u in members and v in members)
        touching = sum(d["weight"] for _, _, d in edges)
        groups = sorted(set().union(*(used_by[s] for s in steps)))
        tools = sorted({s[len(CALL_PREFIX) :].split(":")[0] for s in steps if kinds[s] is StepKind.CALL})
        cohesion = inside / touching if touching else 1.0
        skills.append(
            SkillSuggestion(
                name=_name(steps, [skill.name for skill in skills]),
                steps=steps,
                tools=tools,
                groups=groups,
                traffic=sum(visits[s] for s in steps),
                cohesion=cohesion,
                rationale=(
                    f"{len(steps)} steps used by {len(groups)} group(s); {cohesion:.0%} of their "
                    "transitions stay inside" + (f"; calls {', '.join(tools)}" if tools else "")
                ),
            )
        )
    return sorted(skills, key=lambda s: (-s.traffic, s.name))


def _name(steps: Sequence[str], taken: Sequence[str]) -> str:
    words: Counter[str] = Counter()
    for step in steps:
        words.update({w for w in step.replace(CALL_PREFIX, "").replace(":", "_").split("_") if w} - _GENERIC)
    top = [word for word, _ in sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:2]]
    name = "_".join(top) or "skill"
    return name if name not in taken else f"{name}_{len(taken)}"
