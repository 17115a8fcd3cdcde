"""Automation discovery: steps, transition graphs, paths, decision and derail points, tools and skills."""

from rehearsal.insights.flows.discover import (
    FlowDiscoveryError,
    FlowSettings,
    discover_flows,
    grouping,
    write_flows,
)
from rehearsal.insights.flows.graph import GraphLimits, build_graph
from rehearsal.insights.flows.labelling import Labelling, label_conversations
from rehearsal.insights.flows.models import (
    END,
    START,
    FlowDiscovery,
    FlowGraph,
    GroupFlows,
    LabelledConversation,
    SkillSuggestion,
    StepEdge,
    StepNode,
    ToolSpec,
)

__all__ = [
    "END",
    "START",
    "FlowDiscovery",
    "FlowDiscoveryError",
    "FlowGraph",
    "FlowSettings",
    "GraphLimits",
    "GroupFlows",
    "LabelledConversation",
    "Labelling",
    "SkillSuggestion",
    "StepEdge",
    "StepNode",
    "ToolSpec",
    "build_graph",
    "discover_flows",
    "grouping",
    "label_conversations",
    "write_flows",
]
