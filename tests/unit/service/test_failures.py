"""How a failure Step Functions caught is described on the errored item."""

from __future__ import annotations

import pytest

from rehearsal.pipeline.events import ItemFailure
from rehearsal.service.failures import describe_failure


@pytest.mark.parametrize(
    ("error", "cause", "described"),
    [
        (
            "Sandbox.Timedout",
            '{"errorMessage": "Task timed out after 600.00 seconds", "errorType": "Sandbox.Timedout"}',
            "Sandbox.Timedout: Task timed out after 600.00 seconds",
        ),
        ("EventValidationError", "not json at all", "EventValidationError: not json at all"),
        ("States.Timeout", "", "States.Timeout"),
        ("", "", "Error"),
    ],
)
def test_failure_is_described_by_its_error_and_message(error: str, cause: str, described: str) -> None:
    failure = ItemFailure(run_id="R1", item_id="s/v000/t00", error=error, cause=cause)

    assert describe_failure(failure) == described
