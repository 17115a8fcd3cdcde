"""Turn-level tests: a fixed conversation prefix sent through the runtime, then assertions on the agent's
reply to its last message. Each test becomes an item result, so it aggregates, gates and reports like one."""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Sequence
from typing import Any

from rehearsal.evaluate.results import CheckKind, CheckResult, Evidence, ItemResult, Verdict
from rehearsal.runtime.events import Handoff
from rehearsal.runtime.state import AgentReply
from rehearsal.simulate.driver import RuntimeLike, SessionLike
from rehearsal.simulate.sandbox import merge_world
from rehearsal.simulate.specs.suite import TurnAssertion, TurnTest

SCENARIO_PREFIX = "turn_test:"


def run_turn_tests(
    tests: Sequence[TurnTest], runtime: RuntimeLike, *, world: dict[str, Any] | None = None
) -> list[ItemResult]:
    return [run_turn_test(test, runtime, world=world) for test in tests]


def run_turn_test(test: TurnTest, runtime: RuntimeLike, *, world: dict[str, Any] | None = None) -> ItemResult:
    """``world`` is the suite's base world; the test's own patch goes over a copy of it."""
    requirement_id = f"{SCENARIO_PREFIX}{test.id}"
    base = {"item_id": requirement_id, "scenario_id": requirement_id}
    started = time.perf_counter()
    try:
        session = runtime.start(requirement_id, world=merge_world(world or {}, test.world))
        replayed = _replay(session, test.prefix)
    except Exception:
        return ItemResult(
            **base,
            verdict=Verdict.ERRORED,
            rationale="errored while replaying the prefix",
            error=traceback.format_exc(),
        )
    state = session.state
    latency_ms = (time.perf_counter() - started) * 1000
    if replayed is None:
        problems = [f"the conversation ended before the last of the {len(test.prefix)} prefix messages"]
        evidence = []
    else:
        reply, first_turn, calls = replayed
        problems = _problems(test.expect, reply, calls)
        evidence = [Evidence(turn=first_turn, quote=" ".join(reply.messages))]
    check = CheckResult(
        requirement_id=requirement_id,
        kind=CheckKind.TURN_TEST,
        criticality=test.criticality,
        passed=not problems,
        evidence=evidence,
        rationale="; ".join(problems) or "the reply met every assertion",
    )
    return ItemResult(
        **base,
        bundle_name=state.bundle_name,
        bundle_version=state.bundle_version,
        verdict=Verdict.PASS if not problems else Verdict.FAIL,
        checks=[check],
        turns=len(state.turns),
        latency_ms=latency_ms,
        rationale=check.rationale,
    )


def _replay(session: SessionLike, prefix: Sequence[str]) -> tuple[AgentReply, int, list[str]] | None:
    """The reply to the last message, the index of its first turn and the tools called while replying;
    None when the conversation ended before the last message could be sent."""
    for text in prefix[:-1]:
        session.respond(text)
        if session.state.ended is not None:
            return None
    state = session.state
    calls_before = len(state.tool_calls)
    first_turn = len(state.turns) + 1  # after the customer's message
    reply = session.respond(prefix[-1])
    return reply, first_turn, [call.tool for call in state.tool_calls[calls_before:]]


def _problems(expect: TurnAssertion, reply: AgentReply, calls: list[str]) -> list[str]:
    said = " ".join(reply.messages)
    lowered = said.casefold()
    problems = [f"does not say {text!r}" for text in expect.says if text.casefold() not in lowered]
    problems += [f"says {text!r}" for text in expect.not_says if text.casefold() in lowered]
    problems += [f"does not match /{p}/" for p in expect.matches if not re.search(p, said, re.IGNORECASE)]
    problems += [f"does not call {tool}" for tool in expect.calls_tool if tool not in calls]
    problems += [f"calls {tool}" for tool in expect.not_calls_tool if tool in calls]
    if expect.ends is not None and reply.ended is not expect.ends:
        problems.append(
            f"ends {reply.ended.value if reply.ended else 'not at all'}, expected {expect.ends.value}"
        )
    if expect.hands_off_to is not None:
        targets = [event.to_agent for event in reply.events if isinstance(event, Handoff)]
        if expect.hands_off_to not in targets:
            problems.append(f"hands off to {', '.join(targets) or 'nobody'}, expected {expect.hands_off_to}")
    if problems:
        problems[0] = f"reply {said!r}: {problems[0]}"
    return problems
