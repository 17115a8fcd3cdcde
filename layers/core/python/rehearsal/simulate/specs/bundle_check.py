"""Checks a suite against the bundle it will run on, before any conversation starts.

A scenario naming a tool, a tool argument, a sub-agent, an intent or a world field that does not exist is
a mistake in the suite; each is reported with its file, line and path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rehearsal.bundles.schema import HUMAN, AgentBundle
from rehearsal.simulate.sandbox import MISSING, merge_world, resolve_path
from rehearsal.simulate.specs.errors import PathPart, SpecProblem, SpecValidationError
from rehearsal.simulate.specs.expectations import ForbiddenToolCall, RequiredToolCall
from rehearsal.simulate.specs.loading import LoadedSuite, Origin
from rehearsal.simulate.specs.scenario import Scenario

_CREATES = {"exists", "missing"}  # ops whose leaf may not exist at the start


def validate_suite_against_bundle(loaded: LoadedSuite, bundle: AgentBundle | Any) -> None:
    """Raise ``SpecValidationError`` listing every reference the bundle cannot satisfy."""
    problems = suite_problems_against_bundle(loaded, bundle)
    if problems:
        raise SpecValidationError(problems)


def suite_problems_against_bundle(loaded: LoadedSuite, bundle: AgentBundle | Any) -> list[SpecProblem]:
    bundle = bundle if isinstance(bundle, AgentBundle) else bundle.bundle  # a LoadedBundle
    tools = {tool.name: tool for tool in bundle.tools}
    agents = {agent.name for agent in bundle.agents}
    intents = {intent.name for agent in bundle.agents for intent in agent.intents}
    problems: list[SpecProblem] = []
    root = Origin(str(loaded.path), (), None)
    for position, tool in enumerate(loaded.suite.faults.tools):
        if tool not in tools:
            problems.append(root.problem(f"unknown tool {tool!r}", "faults", "tools", position))
    for scenario in loaded.scenarios:
        origin = loaded.origins.get(scenario.id, root)
        for position, tool in enumerate(scenario.faults.tools if scenario.faults else []):
            if tool not in tools:
                problems.append(origin.problem(f"unknown tool {tool!r}", "faults", "tools", position))
        for message, *where in _scenario_problems(scenario, loaded, tools, agents, intents):
            problems.append(origin.problem(message, *where))
    for test in loaded.turn_tests:
        for key in ("calls_tool", "not_calls_tool"):
            for position, tool in enumerate(getattr(test.expect, key)):
                if tool not in tools:
                    problems.append(
                        root.problem(f"turn test {test.id}: unknown tool {tool!r}", key, position)
                    )
        target = test.expect.hands_off_to
        if target is not None and target != HUMAN and target not in agents:
            problems.append(root.problem(f"turn test {test.id}: unknown agent {target!r}", "hands_off_to"))
    return problems


def _scenario_problems(
    scenario: Scenario, loaded: LoadedSuite, tools: dict[str, Any], agents: set[str], intents: set[str]
) -> Iterator[tuple[Any, ...]]:
    expect = scenario.expect
    calls: list[tuple[str, list[RequiredToolCall] | list[ForbiddenToolCall]]] = [
        ("tool_calls", expect.tool_calls),
        ("forbidden_tool_calls", expect.forbidden_tool_calls),
    ]
    for key, group in calls:
        for position, call in enumerate(group):
            where: tuple[PathPart, ...] = ("expect", key, position)
            if call.tool not in tools:
                yield (
                    f"unknown tool {call.tool!r} (the bundle has: {', '.join(sorted(tools))})",
                    *where,
                    "tool",
                )
                continue
            declared = tools[call.tool].input_schema.get("properties") or {}
            for argument in call.args:
                if declared and argument not in declared:
                    yield (f"tool {call.tool!r} has no argument {argument!r}", *where, "args", argument)
    for position, route in enumerate(expect.routes):
        if route.agent is not None and route.agent not in agents:
            yield (f"unknown agent {route.agent!r}", "expect", "routes", position, "agent")
        if route.intent is not None and route.intent not in intents:
            yield (f"unknown intent {route.intent!r}", "expect", "routes", position, "intent")
    base = loaded.base_world(scenario)
    for key in scenario.world.patch:
        if base and key not in base:
            yield (f"the world has no {key!r} (it has: {', '.join(sorted(base))})", "world", "patch", key)
    world = merge_world(base, scenario.world.patch)
    for position, assertion in enumerate(expect.end_state):
        path = assertion.path
        parent, _, _ = path.rpartition(".")
        exists = resolve_path(world, path) is not MISSING
        parent_exists = not parent or resolve_path(world, parent) is not MISSING
        if not exists and not (assertion.op in _CREATES and parent_exists):
            yield (f"the world has no field {path!r}", "expect", "end_state", position, "path")
