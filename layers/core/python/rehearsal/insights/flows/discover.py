"""Flow discovery over a corpus: group conversations, label steps, and read each group's graph."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rehearsal.insights.conversation import Conversation
from rehearsal.insights.flows.answers import ask_slots
from rehearsal.insights.flows.clustering import StepClusterer
from rehearsal.insights.flows.decisions import decision_points, derail_points
from rehearsal.insights.flows.graph import GraphLimits, build_graph
from rehearsal.insights.flows.labelling import LabelledCorpus, Labelling, label_conversations
from rehearsal.insights.flows.models import FlowDiscovery, GroupFlows, ToolSpec
from rehearsal.insights.flows.paths import dominant_paths, main_path
from rehearsal.insights.flows.predict import predictability
from rehearsal.insights.flows.skills import suggest_skills
from rehearsal.insights.flows.templates import reply_templates
from rehearsal.insights.flows.tools import build_tool_catalog, slug

ALL = "all"
"""The one group when conversations are not grouped."""


class FlowDiscoveryError(ValueError):
    """The corpus or the grouping cannot yield flows; the message says why and where."""


@dataclass(frozen=True)
class FlowSettings:
    labelling: Labelling = Labelling.AUTO
    limits: GraphLimits = field(default_factory=GraphLimits)
    clusterer: StepClusterer = field(default_factory=StepClusterer)
    top_paths: int = 5
    min_conversations: int = 2
    """Groups with fewer conversations are skipped (and named in `FlowDiscovery.skipped`)."""
    seed: int = 0


def grouping(group_by: str | Mapping[str, str] | None) -> tuple[str, Callable[[Conversation], str]]:
    """A name for the grouping and a function giving each conversation its group.

    `group_by` is a metadata field (e.g. STAR's `task`), a mapping from conversation id to topic id, or None.
    """
    if group_by is None:
        return ALL, lambda _: ALL
    if isinstance(group_by, str):
        name = group_by
        return f"metadata.{name}", lambda c: str(c.metadata.get(name, "unknown"))
    topics = dict(group_by)
    return "topic", lambda c: topics.get(c.id, "unassigned")


def discover_flows(
    conversations: Sequence[Conversation],
    *,
    group_by: str | Mapping[str, str] | None = None,
    settings: FlowSettings | None = None,
) -> FlowDiscovery:
    settings = settings or FlowSettings()
    if not conversations:
        raise FlowDiscoveryError("no conversations to discover flows in: the corpus is empty")
    grouped_by, group_of = grouping(group_by)
    if isinstance(group_by, str) and not any(group_by in c.metadata for c in conversations):
        raise FlowDiscoveryError(f"no conversation has the metadata field {group_by!r} to group by")
    corpus = label_conversations(
        conversations, group_of, labelling=settings.labelling, clusterer=settings.clusterer
    )
    calls = [
        (c.group, call)
        for c, source in zip(corpus.conversations, conversations, strict=True)
        for turn in source.turns
        for call in turn.tool_calls
    ]
    catalog = build_tool_catalog(calls, corpus.profile)
    sizes = Counter(c.group for c in corpus.conversations)
    sources = {c.id: c for c in conversations}
    groups = [
        _group_flows(name, corpus, sources, [t for t in catalog if name in t.groups], settings)
        for name in sorted(sizes)
        if sizes[name] >= settings.min_conversations
    ]
    if not groups:
        raise FlowDiscoveryError(
            f"no group has at least {settings.min_conversations} conversations; "
            f"{len(conversations)} conversation(s) are too few to read a flow from"
        )
    return FlowDiscovery(
        grouped_by=grouped_by,
        groups=groups,
        skipped=sorted(name for name, n in sizes.items() if n < settings.min_conversations),
        skills=suggest_skills([g.graph for g in groups]),
        tools=catalog,
    )


def _group_flows(
    name: str,
    corpus: LabelledCorpus,
    sources: Mapping[str, Conversation],
    tools: list[ToolSpec],
    settings: FlowSettings,
) -> GroupFlows:
    members = [c for c in corpus.conversations if c.group == name]
    graph = build_graph(name, members, labels=corpus.labels, examples=corpus.examples, limits=settings.limits)
    kept = {node.id for node in graph.nodes}
    return GroupFlows(
        group=name,
        labelling=corpus.labelling.value,
        graph=graph,
        paths=dominant_paths(members, top=settings.top_paths, keep=kept),
        main_path=main_path(graph),
        decision_points=decision_points(graph, members),
        derail_points=derail_points(graph, members),
        tools=tools,
        asks=ask_slots(members, corpus.labels),
        templates=reply_templates(members, sources),
        predictability=predictability(members, seed=settings.seed),
    )


FLOWS_FILE = "flows.json"


def flow_files(discovery: FlowDiscovery) -> dict[str, bytes]:
    """File name → JSON: one graph per group (`<group>.json`) and `flows.json` with everything found."""
    files: dict[str, bytes] = {}
    for group in discovery.groups:
        stem = slug(group.group, 80)
        if f"{stem}.json" in files or f"{stem}.json" == FLOWS_FILE:
            stem = f"{stem}_{len(files)}"
        files[f"{stem}.json"] = _json(group.model_dump(mode="json"))
    files[FLOWS_FILE] = _json(discovery.model_dump(mode="json"))
    return files


def _json(data: object) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def write_flows(discovery: FlowDiscovery, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in flow_files(discovery).items():
        path = out_dir / name
        path.write_bytes(content)
        written.append(path)
    return written
