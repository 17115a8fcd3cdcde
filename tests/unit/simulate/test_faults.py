from __future__ import annotations

import time
from typing import Any

import pytest

from rehearsal.runtime import ToolContext, ToolRegistry, tool
from rehearsal.runtime.events import ToolCallStatus
from rehearsal.simulate.faults import MALFORMED_RESULT, FaultInjector
from rehearsal.simulate.records import FaultKind
from rehearsal.simulate.specs import FaultSpec


@tool
def lookup(order_id: str, *, ctx: ToolContext) -> dict[str, Any]:
    """Look up an order.

    Args:
        order_id: The order.
    """
    return {"order_id": order_id, "status": ctx.world["orders"][order_id]}


def registry(injector: FaultInjector) -> ToolRegistry:
    return ToolRegistry.from_functions([lookup], isolation="inline").wrap(injector)


def calls(spec: FaultSpec, *, seed: int = 5, count: int = 200) -> tuple[list[Any], list[Any]]:
    injector = FaultInjector()
    tools = registry(injector)
    injector.begin("c1", spec, seed)
    ctx = ToolContext(world={"orders": {"A1": "shipped"}}, conversation_id="c1")
    outcomes = [tools.call("lookup", {"order_id": "A1"}, ctx) for _ in range(count)]
    return outcomes, injector.end("c1")


def test_no_faults_pass_calls_through() -> None:
    outcomes, injected = calls(FaultSpec(), count=3)
    assert [o.status for o in outcomes] == [ToolCallStatus.OK] * 3
    assert injected == []


def test_error_rate_fails_about_that_share_of_calls() -> None:
    # Given a 30% error rate over 200 calls
    outcomes, injected = calls(FaultSpec(error_rate=0.3))
    failed = sum(o.status is not ToolCallStatus.OK for o in outcomes)
    # Then roughly 30% fail, each recorded as an injected error
    assert 40 <= failed <= 80
    assert failed == sum(f.kind is FaultKind.ERROR for f in injected)


def test_malformed_results_replace_the_real_one() -> None:
    outcomes, injected = calls(FaultSpec(malformed_rate=1.0), count=2)
    assert all(o.result == MALFORMED_RESULT for o in outcomes)
    assert [f.kind for f in injected] == [FaultKind.MALFORMED] * 2


def test_latency_is_added_to_each_call() -> None:
    started = time.perf_counter()
    _, injected = calls(FaultSpec(latency_ms=20), count=3)
    assert time.perf_counter() - started >= 0.06
    assert [f.kind for f in injected] == [FaultKind.LATENCY] * 3


def test_faults_are_reproducible_per_seed() -> None:
    spec = FaultSpec(error_rate=0.5)
    first, second, other = calls(spec, seed=1)[1], calls(spec, seed=1)[1], calls(spec, seed=2)[1]
    assert first == second
    assert first != other


@pytest.mark.parametrize("tools", [["other_tool"], []])
def test_faults_only_hit_the_named_tools(tools: list[str]) -> None:
    outcomes, _ = calls(FaultSpec(error_rate=1.0, tools=tools), count=3)
    failed = [o.status is not ToolCallStatus.OK for o in outcomes]
    assert failed == ([False] * 3 if tools else [True] * 3)


def test_the_same_conversation_cannot_run_twice_at_once() -> None:
    injector = FaultInjector()
    injector.begin("c1", FaultSpec(error_rate=0.5), 1)
    with pytest.raises(ValueError, match="already running"):
        injector.begin("c1", FaultSpec(error_rate=0.5), 1)
