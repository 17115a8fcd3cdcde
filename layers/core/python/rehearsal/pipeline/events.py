"""Stage contracts: the events each stage takes and returns.

They carry references (run and item ids, blob keys), never transcripts: Step Functions passes at most 256 KiB
between states, and the same models drive the local orchestrator.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

RunId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$", description="A run identifier.")]
ItemId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,255}$", description="A run item id.")]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunOptions(_Event):
    trials: Annotated[int | None, Field(ge=1, le=1000, description="None: the suite's own.")] = None
    seed: int | None = Field(None, description="Overrides the suite's seed.")
    agent_engine: Literal["flow", "llm"] | None = Field(None, description="None: the bundle's own setting.")
    visitor_engine: Literal["agenda", "llm"] = "agenda"
    max_concurrency: Annotated[int, Field(ge=1, le=10_000)] = 64
    ramp_up_s: float = Field(
        0.0,
        ge=0,
        le=3600,
        description="LLM engines: the first max_concurrency conversations start spread over this many "
        "seconds (about one model latency keeps them from moving in lock-step); later ones as slots free up.",
    )
    tolerated_failure_percentage: Annotated[float, Field(ge=0, le=100)] = 10.0
    promote_on_pass: bool = False
    tool_search_paths: list[str] = Field(
        default_factory=list, description="Folders where python tool modules are found (the bundle's folder)."
    )


class PrepareRequest(_Event):
    """Start of a run: the bundle is already pushed; the suite snapshot is already a blob."""

    run_id: RunId
    bundle_name: str
    bundle_version: str
    suite_key: str = Field(
        description="Blob key of the suite snapshot (JSON) taken when the run was started."
    )
    gates_key: str | None = Field(None, description="Blob key of the gate policy (JSON), if any.")
    options: RunOptions = Field(default_factory=RunOptions)


class PrepareResult(_Event):
    run_id: RunId
    manifest_key: str = Field(description="Blob key of the JSON array of ItemRef the Map state reads.")
    bucket: str | None = Field(
        None, description="Set on AWS so the Distributed Map's ItemReader can read it."
    )
    item_count: int
    max_concurrency: int
    tolerated_failure_percentage: float


class ItemRef(_Event):
    """One manifest entry: the Map state's item and the input of simulate."""

    run_id: RunId
    item_id: ItemId


class SimulateRequest(ItemRef):
    pass


class SimulateResult(_Event):
    run_id: RunId
    item_id: ItemId
    status: Literal["simulated", "errored", "skipped"]
    simulation_key: str | None = None
    error: str | None = None


class EvaluateRequest(_Event):
    run_id: RunId
    item_id: ItemId
    simulation_key: str | None = None
    status: Literal["simulated", "errored", "skipped"] = "simulated"
    error: str | None = None


class EvaluateResult(_Event):
    run_id: RunId
    item_id: ItemId
    verdict: Literal["pass", "fail", "inconclusive_simulator", "errored"]
    result_key: str
    cost_usd: float = Field(0.0, ge=0, description="LLM cost of the conversation and its judging.")


class ItemFailure(_Event):
    """What the Map state's Catch records when an item's Lambda failed outright."""

    run_id: RunId
    item_id: ItemId
    error: str = ""
    cause: str = ""


class AggregateRequest(_Event):
    run_id: RunId


class AggregateResult(_Event):
    run_id: RunId
    aggregate_key: str
    items: int
    passed: int
    failed: int
    errored: int
    inconclusive: int
    pass_rate: float


class GateRequest(_Event):
    run_id: RunId


class GateResult(_Event):
    run_id: RunId
    passed: bool
    reasons: list[str] = Field(default_factory=list)
    promote: bool = Field(False, description="True when the run asked to promote and the gates passed.")
    baseline_run_id: str | None = None


class PromoteRequest(_Event):
    run_id: RunId


class PromoteResult(_Event):
    run_id: RunId
    bundle_name: str
    bundle_version: str
    promoted: bool
