"""Planning a run: push the bundle, validate the suite against it, snapshot both, and name the run.

Everything a user can get wrong (a bundle that does not validate, a suite naming a tool the bundle lacks, a
bad gate file) fails here, before a single conversation is simulated.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from rehearsal.bundles.loader import LoadedBundle
from rehearsal.bundles.store import BundleStore
from rehearsal.evaluate.gates import GatePolicy
from rehearsal.pipeline.archive import RunArchive
from rehearsal.pipeline.events import PrepareRequest, RunOptions
from rehearsal.pipeline.snapshot import SuiteSnapshot
from rehearsal.runtime.state import utcnow
from rehearsal.simulate.specs.bundle_check import validate_suite_against_bundle
from rehearsal.simulate.specs.loading import LoadedSuite
from rehearsal.storage.factory import Stores
from rehearsal.storage.ports import NotFound


@dataclass(frozen=True)
class PlannedRun:
    request: PrepareRequest
    bundle: LoadedBundle
    snapshot: SuiteSnapshot
    resumed: bool


def new_run_id(bundle: LoadedBundle) -> str:
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return f"{bundle.name}-{stamp}-{bundle.version[:8]}-{secrets.token_hex(2)}"


def default_tool_paths(bundle: LoadedBundle, suite: LoadedSuite) -> list[str]:
    """Where python tools are imported from: the bundle file's folder, then the suite's. A bundle taken from
    the store has no folder of its own, and a suite usually lives beside the tools it exercises."""
    folders = [bundle.source_dir, suite.source_dir]
    return list(dict.fromkeys(str(Path(folder).resolve()) for folder in folders if folder is not None))


def plan_run(
    bundle: LoadedBundle,
    suite: LoadedSuite,
    stores: Stores,
    *,
    options: RunOptions,
    gates: GatePolicy | None = None,
    run_id: str | None = None,
    label: str | None = None,
) -> PlannedRun:
    """Raises the suite's ``SpecValidationError`` when it does not fit the bundle. With the ``run_id`` of an
    existing run, the run resumes: its own snapshot and options are kept so nothing already done changes."""
    archive = RunArchive(stores)
    if run_id is not None:
        try:
            existing = archive.get_run(run_id)
        except NotFound:
            existing = None
        if existing is not None:
            snapshot = SuiteSnapshot.model_validate_json(archive.read(archive.suite_key(run_id)))
            stored = BundleStore(stores.blobs, stores.runs).get(existing.bundle_name, existing.bundle_version)
            request = PrepareRequest(
                run_id=run_id,
                bundle_name=existing.bundle_name,
                bundle_version=existing.bundle_version,
                suite_key=archive.suite_key(run_id),
                gates_key=archive.gates_key(run_id) if archive.exists(archive.gates_key(run_id)) else None,
                options=existing.options,
            )
            return PlannedRun(request=request, bundle=stored, snapshot=snapshot, resumed=True)
    validate_suite_against_bundle(suite, bundle.bundle)
    BundleStore(stores.blobs, stores.runs).push(bundle, label=label)
    run_id = run_id or new_run_id(bundle)
    snapshot = SuiteSnapshot.of(suite, gates=gates)
    if options.seed is not None and options.seed != snapshot.suite.seed:
        snapshot = snapshot.model_copy(
            update={"suite": snapshot.suite.model_copy(update={"seed": options.seed})}
        )
    if not options.tool_search_paths:
        options = options.model_copy(update={"tool_search_paths": default_tool_paths(bundle, suite)})
    archive.write_once(archive.suite_key(run_id), snapshot.model_dump_json().encode())
    gates_key = None
    if snapshot.gates is not None:
        gates_key = archive.gates_key(run_id)
        archive.write_once(gates_key, snapshot.gates.model_dump_json().encode())
    request = PrepareRequest(
        run_id=run_id,
        bundle_name=bundle.name,
        bundle_version=bundle.version,
        suite_key=archive.suite_key(run_id),
        gates_key=gates_key,
        options=options,
    )
    return PlannedRun(request=request, bundle=bundle, snapshot=snapshot, resumed=False)
