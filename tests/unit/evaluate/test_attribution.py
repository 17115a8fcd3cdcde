from __future__ import annotations

from rehearsal.evaluate.attribution import attribute
from rehearsal.evaluate.criticality import Criticality
from rehearsal.evaluate.results import CheckKind, CheckResult, Evidence, Verdict
from rehearsal.simulate.records import SimulatorIssue

INVENTED = SimulatorIssue(kind="invented_fact", turn=4, detail="stated email not among its known facts")


def _failure(*turns: int | None, criticality: Criticality = Criticality.MAJOR) -> CheckResult:
    return CheckResult(
        requirement_id="calls:refund_order",
        kind=CheckKind.TOOL_CALLS,
        criticality=criticality,
        passed=False,
        evidence=[Evidence(turn=turn) for turn in turns],
    )


def test_a_simulator_error_makes_an_agent_failure_inconclusive():
    verdict, reason = attribute([_failure(5)], [INVENTED])
    assert verdict is Verdict.INCONCLUSIVE_SIMULATOR
    assert "invented_fact" in reason


def test_a_simulator_error_makes_a_pass_inconclusive_too():
    verdict, _ = attribute([], [INVENTED])
    assert verdict is Verdict.INCONCLUSIVE_SIMULATOR


def test_an_agent_failure_before_the_simulator_went_wrong_still_fails():
    verdict, reason = attribute([_failure(1, 3)], [INVENTED])
    assert verdict is Verdict.FAIL
    assert "before the simulator went wrong at turn 4" in reason


def test_a_failure_without_a_turn_cannot_be_placed_before_the_simulator_error():
    verdict, _ = attribute([_failure(None)], [INVENTED])
    assert verdict is Verdict.INCONCLUSIVE_SIMULATOR


def test_without_simulator_issues_a_minor_failure_passes_and_a_major_one_fails():
    assert attribute([_failure(1, criticality=Criticality.MINOR)], [])[0] is Verdict.PASS
    assert attribute([_failure(1)], [])[0] is Verdict.FAIL
