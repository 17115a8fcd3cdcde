"""Lambdas: evaluate one simulated item; record an item whose stage failed outright as errored."""

from rehearsal.pipeline.events import EvaluateRequest, ItemFailure
from rehearsal.pipeline.stages import evaluate_item
from rehearsal.service.failures import record_item_failure
from rehearsal.service.lambdas import stage_handler

lambda_handler = stage_handler(
    "evaluate",
    EvaluateRequest,
    evaluate_item,
    failed=lambda result: result.verdict == "errored",
    item_errored=lambda result: result.verdict == "errored",
    cost_usd=lambda result: result.cost_usd,
)

record_failure_handler = stage_handler(
    "record_failure", ItemFailure, record_item_failure, item_errored=lambda result: True
)
