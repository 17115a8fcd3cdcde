"""The run archive: run records and item states in the RunStore, artefacts in the BlobStore.

Layout (blob keys):
  runs/<run_id>/suite.json               the suite snapshot the run used (its hash is in the record)
  runs/<run_id>/gates.json               the gate policy, when given
  runs/<run_id>/manifest.json            JSON array of ItemRef — what the Map state fans out over
  runs/<run_id>/items/<item_id>/simulation.json, .../result.json
  runs/<run_id>/aggregate.json, report.html, report.json, junit.xml

Artefacts are written once (``put_if_absent``) so a finished run cannot change under a reader; item states are
documents ``(run#<id>, item#<item_id>)`` so resuming a run completes exactly the missing items.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from rehearsal.pipeline.events import RunOptions
from rehearsal.runtime.state import utcnow
from rehearsal.storage.factory import Stores
from rehearsal.storage.ports import Conflict, NotFound


class RunStatus(StrEnum):
    PREPARED = "prepared"
    AGGREGATED = "aggregated"
    GATED = "gated"


class GateOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passed: bool
    reasons: list[str] = Field(default_factory=list)
    baseline_run_id: str | None = None


class RunRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_id: str
    bundle_name: str
    bundle_version: str
    suite_name: str
    suite_hash: str
    options: RunOptions
    has_gates: bool = False
    item_count: int = 0
    status: RunStatus = RunStatus.PREPARED
    created_at: AwareDatetime = Field(default_factory=utcnow)
    finished_at: AwareDatetime | None = None
    summary: dict[str, Any] = Field(default_factory=dict, description="Headline aggregate figures.")
    gate: GateOutcome | None = None
    promoted: bool = False


class ItemState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: str
    scenario_id: str = ""
    status: str = Field(description="simulated | errored | evaluated")
    verdict: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)


def run_partition(run_id: str) -> str:
    return f"run#{run_id}"


class RunArchive:
    def __init__(self, stores: Stores) -> None:
        self.blobs = stores.blobs
        self.docs = stores.runs

    # --- keys --------------------------------------------------------------------------------------------
    @staticmethod
    def run_prefix(run_id: str) -> str:
        return f"runs/{run_id}/"

    def suite_key(self, run_id: str) -> str:
        return f"runs/{run_id}/suite.json"

    def gates_key(self, run_id: str) -> str:
        return f"runs/{run_id}/gates.json"

    def manifest_key(self, run_id: str) -> str:
        return f"runs/{run_id}/manifest.json"

    def simulation_key(self, run_id: str, item_id: str) -> str:
        return f"runs/{run_id}/items/{item_id}/simulation.json"

    def result_key(self, run_id: str, item_id: str) -> str:
        return f"runs/{run_id}/items/{item_id}/result.json"

    def artefact_key(self, run_id: str, name: str) -> str:
        return f"runs/{run_id}/{name}"

    # --- run records -------------------------------------------------------------------------------------
    def create_run(self, record: RunRecord) -> RunRecord:
        """Create the record; an existing run with the same id is returned as it is (resume)."""
        try:
            self.docs.put(
                run_partition(record.run_id),
                "run",
                record.model_dump(mode="json"),
                index={
                    "runs_of_bundle": record.bundle_name,
                    "runs_of_version": f"{record.bundle_name}@{record.bundle_version}",
                },
                if_absent=True,
            )
        except Conflict:
            return self.get_run(record.run_id)
        return record

    def get_run(self, run_id: str) -> RunRecord:
        return RunRecord.model_validate(self.docs.get(run_partition(run_id), "run").doc)

    def update_run(self, run_id: str, change: Callable[[RunRecord], RunRecord]) -> RunRecord:
        """Read-modify-write with optimistic concurrency: concurrent updates are retried, never lost."""
        for _ in range(50):
            stored = self.docs.get(run_partition(run_id), "run")
            updated = change(RunRecord.model_validate(stored.doc))
            try:
                self.docs.put(
                    run_partition(run_id),
                    "run",
                    updated.model_dump(mode="json"),
                    expected_revision=stored.revision,
                )
                return updated
            except Conflict:
                continue
        raise Conflict(f"run {run_id} is being updated too often to apply a change")

    def list_runs(self, bundle_name: str) -> list[RunRecord]:
        runs = [
            RunRecord.model_validate(doc.doc) for doc in self.docs.query_index("runs_of_bundle", bundle_name)
        ]
        return sorted(runs, key=lambda run: run.created_at)

    # --- items -------------------------------------------------------------------------------------------
    def put_item_state(self, run_id: str, state: ItemState) -> None:
        self.docs.put(run_partition(run_id), f"item#{state.item_id}", state.model_dump(mode="json"))

    def item_states(self, run_id: str) -> dict[str, ItemState]:
        docs = self.docs.query(run_partition(run_id), key_prefix="item#")
        return {doc.key.removeprefix("item#"): ItemState.model_validate(doc.doc) for doc in docs}

    # --- blobs -------------------------------------------------------------------------------------------
    def write_once(self, key: str, data: bytes, content_type: str = "application/json") -> None:
        self.blobs.put_if_absent(key, data, content_type=content_type)

    def read(self, key: str) -> bytes:
        return self.blobs.get(key)

    def exists(self, key: str) -> bool:
        return self.blobs.exists(key)

    # --- last green ----------------------------------------------------------------------------------------
    def last_green(self, bundle_name: str, suite_name: str) -> str | None:
        try:
            doc = self.docs.get(f"bundle#{bundle_name}", f"last_green#{suite_name}")
        except NotFound:
            return None
        return str(doc.doc["run_id"])

    def set_last_green(self, bundle_name: str, suite_name: str, run_id: str) -> None:
        self.docs.put(
            f"bundle#{bundle_name}",
            f"last_green#{suite_name}",
            {"run_id": run_id, "at": utcnow().isoformat()},
        )
