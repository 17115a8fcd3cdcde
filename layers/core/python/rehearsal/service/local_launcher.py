"""The embedded launcher: runs start on the local orchestrator in a background thread of the API process.

Executions are documents ``(executions, <name>)`` in the run store, written with ``if_absent`` under the
name derived from the idempotency key (as on Step Functions), so a run started twice starts once — also
across processes sharing the same home folder."""

from __future__ import annotations

import json
import threading
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from rehearsal.pipeline.events import PrepareRequest
from rehearsal.pipeline.launcher import ExecutionStatus, Launch, execution_name
from rehearsal.pipeline.orchestrator import run_local
from rehearsal.runtime.state import utcnow
from rehearsal.settings import Settings
from rehearsal.storage.factory import Stores
from rehearsal.storage.ports import Conflict, NotFound

PARTITION = "executions"


class LocalLauncher:
    def __init__(
        self, settings: Settings, stores: Stores, *, background: bool = True, workers: int = 1
    ) -> None:
        """``background=False`` runs each execution to its end inside ``start`` (tests, scripts)."""
        self.settings = settings
        self.stores = stores
        self.background = background
        self.workers = workers
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rehearsal-run")
        self._running: dict[str, Future[None]] = {}
        self._lock = threading.Lock()

    def start(self, run_request_json: dict[str, Any], *, idempotency_key: str) -> Launch:
        request = PrepareRequest.model_validate(run_request_json)
        name = execution_name(idempotency_key)
        document = {
            "state": "RUNNING",
            "input": request.model_dump(mode="json"),
            "started_at": utcnow().isoformat(),
        }
        try:
            self.stores.runs.put(PARTITION, name, document, if_absent=True)
        except Conflict:
            existing = self.stores.runs.get(PARTITION, name).doc
            if existing["input"] != document["input"]:
                raise Conflict(
                    f"idempotency key {idempotency_key!r} already started a run with a different request"
                ) from None
            return Launch(execution_id=name, already_started=True)
        if self.background:
            with self._lock:
                self._running[name] = self._pool.submit(self._execute, name, request)
        else:
            self._execute(name, request)
        return Launch(execution_id=name, already_started=False)

    def _execute(self, name: str, request: PrepareRequest) -> None:
        try:
            outcome = run_local(request, self.settings, workers=self.workers)
            output = {
                "run_id": request.run_id,
                "aggregate": outcome.aggregate.model_dump(mode="json"),
                "gate": outcome.gate.model_dump(mode="json"),
                "promoted": outcome.promoted,
            }
            self._finish(name, state="SUCCEEDED", output=json.dumps(output))
        except Exception as error:  # the execution fails, the API process carries on
            self._finish(name, state="FAILED", error=type(error).__name__, cause=traceback.format_exc())

    def _finish(self, name: str, *, state: str, **fields: str) -> None:
        stored = self.stores.runs.get(PARTITION, name)
        document = {**stored.doc, "state": state, "stopped_at": utcnow().isoformat(), **fields}
        self.stores.runs.put(PARTITION, name, document, expected_revision=stored.revision)

    def wait(self, execution_id: str, timeout: float | None = None) -> None:
        """Block until a background execution of this process has finished."""
        with self._lock:
            future = self._running.get(execution_id)
        if future is not None:
            future.result(timeout=timeout)

    def status(self, execution_id: str) -> ExecutionStatus:
        try:
            document = self.stores.runs.get(PARTITION, execution_id).doc
        except NotFound:
            raise NotFound(f"execution {execution_id!r} not found") from None
        return ExecutionStatus(
            execution_id=execution_id,
            state=document["state"],
            started_at=document["started_at"],
            stopped_at=document.get("stopped_at"),
            output=json.loads(document["output"]) if document.get("output") else None,
            error=document.get("error"),
            cause=document.get("cause"),
        )
