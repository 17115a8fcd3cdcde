"""Lambda: simulate one rehearsal item (one conversation) and store it."""

from rehearsal.pipeline.events import SimulateRequest
from rehearsal.pipeline.stages import simulate_item
from rehearsal.service.lambdas import stage_handler

lambda_handler = stage_handler(
    "simulate", SimulateRequest, simulate_item, failed=lambda result: result.status == "errored"
)
