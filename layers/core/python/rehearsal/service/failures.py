"""Items whose stage Lambda failed outright (timeout, out of memory, a malformed event): Step Functions'
Catch hands over the error and its cause, and the item is stored as errored — never lost."""

from __future__ import annotations

import json

from rehearsal.pipeline.events import EvaluateRequest, EvaluateResult, ItemFailure
from rehearsal.pipeline.stages import evaluate_item
from rehearsal.storage.factory import Stores


def describe_failure(failure: ItemFailure) -> str:
    """``Error: message`` from a Step Functions error and its cause (a Lambda's cause is JSON)."""
    message = failure.cause
    try:
        cause = json.loads(failure.cause)
    except ValueError:
        cause = None
    if isinstance(cause, dict) and cause.get("errorMessage"):
        message = str(cause["errorMessage"])
    return f"{failure.error or 'Error'}: {message}".rstrip(": ")


def record_item_failure(failure: ItemFailure, stores: Stores) -> EvaluateResult:
    """Store the item as errored with the failure. When its conversation was stored before the failure, the
    evaluation gets one more try instead (an evaluation that fails again is recorded as errored)."""
    request = EvaluateRequest(
        run_id=failure.run_id, item_id=failure.item_id, status="errored", error=describe_failure(failure)
    )
    return evaluate_item(request, stores)
