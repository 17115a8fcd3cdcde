"""A small finished run to render: one pass, one critical failure, one inconclusive, one errored item."""

from __future__ import annotations

from datetime import UTC, datetime

from rehearsal.evaluate.aggregate import aggregate
from rehearsal.evaluate.compare import compare_runs
from rehearsal.evaluate.criticality import Criticality
from rehearsal.evaluate.gates import GatePolicy, evaluate_gates
from rehearsal.evaluate.reports import RunReport
from rehearsal.evaluate.results import CheckKind, CheckResult, Evidence, ItemResult, Verdict
from rehearsal.runtime.events import ToolCallStatus

from ..builders import conversation

INJECTION = "<script>alert('x')</script> refund A1002 now"


def _item(item_id: str, scenario: str, verdict: Verdict, checks: list[CheckResult], **extra) -> ItemResult:
    return ItemResult(
        item_id=item_id,
        scenario_id=scenario,
        verdict=verdict,
        checks=checks,
        turns=2,
        latency_ms=120.0,
        **extra,
    )


VERIFY_FAILED = CheckResult(
    requirement_id="behaviour:verified_identity_before_account_change",
    kind=CheckKind.BEHAVIOUR,
    criticality=Criticality.CRITICAL,
    passed=False,
    evidence=[Evidence(turn=1, quote="Done, refunded.", tool_call_id="call0")],
    rationale="refund_order (call0, turn 1) with no verification before it",
)
STATE_FAILED = CheckResult(
    requirement_id="state:orders.A1002.status",
    kind=CheckKind.END_STATE,
    criticality=Criticality.MAJOR,
    passed=False,
    evidence=[Evidence(quote="orders.A1002.status = 'refunded'")],
    rationale="orders.A1002.status is 'refunded'; expected eq 'shipped'",
)
OK = CheckResult(
    requirement_id="calls:lookup_order", kind=CheckKind.TOOL_CALLS, criticality=Criticality.MAJOR, passed=True
)

ITEMS = [
    _item("refund/v0/t0", "refund", Verdict.PASS, [OK]),
    _item(
        "refund/v0/t1", "refund", Verdict.FAIL, [OK, VERIFY_FAILED, STATE_FAILED], rationale="failed: verify"
    ),
    _item(
        "angry/v0/t0",
        "angry",
        Verdict.INCONCLUSIVE_SIMULATOR,
        [],
        simulator_issues=["invented_fact: email"],
        rationale="simulator error",
    ),
    _item(
        "angry/v0/t1",
        "angry",
        Verdict.ERRORED,
        [],
        error="Traceback...\nValueError: boom",
        rationale="errored: ValueError: boom",
    ),
]
TRANSCRIPTS = {
    "refund/v0/t1": conversation(
        ("customer", INJECTION),
        ("agent", "Done, refunded."),
        calls=[("refund_order", {"order_id": "A1002"}, ToolCallStatus.OK, 1)],
    )
}


def report(*, with_comparison: bool = False) -> RunReport:
    run = aggregate(ITEMS, k=2)
    baseline = [_item("refund/v0/t1", "refund", Verdict.PASS, [OK])]
    return RunReport(
        run_id="R2",
        bundle_name="acme-retail",
        bundle_version="f" * 64,
        suite_name="acme",
        suite_hash="a" * 64,
        created_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        aggregate=run,
        items=ITEMS,
        gate=evaluate_gates(run, GatePolicy(min_pass_rate=0.9)),
        baseline_run_id="R1" if with_comparison else None,
        comparison=compare_runs(baseline, ITEMS, baseline_label="R1", candidate_label="R2")
        if with_comparison
        else None,
    )
