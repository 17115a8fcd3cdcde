"""Flow discovery as a pipeline stage: after `cluster` in the insights discovery state machine.

Reads the stored corpus (and the topic assignments when grouping by topic) from the BlobStore, writes one
graph JSON per group and `flows.json` under `insights/<corpus>/flows/`, and returns their keys, never
transcripts.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rehearsal.insights.corpus import iter_corpus
from rehearsal.insights.flows.discover import (
    FLOWS_FILE,
    FlowDiscoveryError,
    FlowSettings,
    discover_flows,
    flow_files,
)
from rehearsal.insights.flows.graph import GraphLimits
from rehearsal.insights.flows.labelling import Labelling
from rehearsal.insights.flows.tools import slug
from rehearsal.insights.topics.models import Assignment, TopicModel
from rehearsal.insights.topics.output import ASSIGNMENTS_FILE, TOPICS_FILE
from rehearsal.storage.factory import Stores

UNASSIGNED = "unassigned"


class FlowsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: Literal["flows"] = "flows"
    corpus: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    group_by: str | None = Field(None, description="A metadata field (e.g. `task`).")
    by_topic: bool = Field(False, description="Group by the topics the cluster stage assigned.")
    labelling: Labelling = Labelling.AUTO
    max_nodes: int = Field(40, ge=3)

    @model_validator(mode="after")
    def _one_grouping(self) -> FlowsRequest:
        if self.group_by and self.by_topic:
            raise ValueError("group by a metadata field or by topic, not both")
        return self


class FlowsStageResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    corpus: str
    flows_key: str
    graph_keys: list[str]
    groups: int
    skipped: list[str]


def topic_groups(assignments: str, model: TopicModel, *, source: str = "assignments") -> dict[str, str]:
    """Conversation id → `t<id>_<label>` from a topics run's assignments; pending ones `unassigned`."""
    names = {topic.id: f"t{topic.id}_{slug(topic.label, 40)}" for topic in model.topics}
    groups: dict[str, str] = {}
    for number, line in enumerate(assignments.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            assignment = Assignment.model_validate_json(line)
        except ValueError:
            raise FlowDiscoveryError(f"{source}:{number}: not a topic assignment") from None
        groups[assignment.id] = names.get(assignment.topic, UNASSIGNED)
    return groups


def _topics(stores: Stores, corpus: str) -> dict[str, str]:
    prefix = f"insights/{corpus}"
    model = TopicModel.model_validate_json(stores.blobs.get(f"{prefix}/{TOPICS_FILE}"))
    key = f"{prefix}/{ASSIGNMENTS_FILE}"
    return topic_groups(stores.blobs.get(key).decode("utf-8"), model, source=key)


def flows_stage(request: FlowsRequest, stores: Stores) -> FlowsStageResult:
    conversations = list(iter_corpus(stores.blobs, request.corpus))
    grouping = _topics(stores, request.corpus) if request.by_topic else request.group_by
    settings = FlowSettings(labelling=request.labelling, limits=GraphLimits(max_nodes=request.max_nodes))
    discovery = discover_flows(conversations, group_by=grouping, settings=settings)
    prefix = f"insights/{request.corpus}/flows"
    keys = []
    for name, content in flow_files(discovery).items():
        stores.blobs.put(f"{prefix}/{name}", content, content_type="application/json")
        keys.append(f"{prefix}/{name}")
    return FlowsStageResult(
        corpus=request.corpus,
        flows_key=f"{prefix}/{FLOWS_FILE}",
        graph_keys=[key for key in keys if not key.endswith(f"/{FLOWS_FILE}")],
        groups=len(discovery.groups),
        skipped=discovery.skipped,
    )
