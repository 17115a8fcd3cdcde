"""Lambdas for the run-level stages: prepare (idempotent per run), aggregate, gate, promote."""

from rehearsal.pipeline.events import AggregateRequest, GateRequest, PrepareRequest, PromoteRequest
from rehearsal.pipeline.stages import aggregate_run, gate_run, prepare_run, promote_bundle
from rehearsal.service.lambdas import stage_handler

# A run started twice (a retried Lambda, a double click) is prepared once.
prepare_handler = stage_handler("prepare", PrepareRequest, prepare_run, idempotency_key="run_id")
aggregate_handler = stage_handler("aggregate", AggregateRequest, aggregate_run)
gate_handler = stage_handler("gate", GateRequest, gate_run)
promote_handler = stage_handler("promote", PromoteRequest, promote_bundle)
