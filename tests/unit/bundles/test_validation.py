from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from rehearsal.bundles import BundleValidationError, Problem, bundle_from_data, parse_bundle

Mutation = Callable[[dict[str, Any]], None]
STATUS = ("agents", 0, "flows", 0, "stages")
REFUND = ("agents", 1, "flows", 0, "stages")


def at(data: Any, *path: str | int) -> Any:
    for part in path:
        data = data[part]
    return data


def problems_of(data: dict[str, Any]) -> list[Problem]:
    with pytest.raises(BundleValidationError) as raised:
        bundle_from_data(data, filename="shop.yaml")
    return raised.value.problems


def set_value(*path: str | int, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        at(data, *path[:-1])[path[-1]] = value

    return mutate


def append(*path: str | int, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        at(data, *path).append(value)

    return mutate


def delete(*path: str | int) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        del at(data, *path[:-1])[path[-1]]

    return mutate


CASES: list[tuple[str, Mutation, str, str]] = [
    # (id, mutation, expected path, expected message fragment)
    (
        "call names an unknown tool",
        set_value(*STATUS, 0, "steps", 1, "tool", value="lookup_parcel"),
        "agents[0].flows[0].stages[0].steps[1].tool",
        "unknown tool 'lookup_parcel'",
    ),
    (
        "call to a tool outside the agent's tools",
        set_value(*REFUND, 1, "steps", 0, "tool", value="lookup_order"),
        "agents[1].flows[0].stages[1].steps[0].tool",
        "may not call 'lookup_order'",
    ),
    (
        "agent lists an unknown tool",
        set_value("agents", 0, "tools", value=["lookup_order", "track"]),
        "agents[0].tools[1]",
        "unknown tool 'track'",
    ),
    (
        "ask names an unknown slot",
        set_value(*STATUS, 0, "steps", 0, "slot", value="order_number"),
        "agents[0].flows[0].stages[0].steps[0].slot",
        "unknown slot 'order_number'",
    ),
    (
        "goto names an unknown stage",
        set_value(*STATUS, 0, "steps", 1, "on_error", value="missing"),
        "agents[0].flows[0].stages[0].steps[1].on_error",
        "unknown stage 'missing'",
    ),
    (
        "branch names an unknown stage",
        set_value(*REFUND, 0, "steps", 2, "cases", 0, "goto", value="payout"),
        "agents[1].flows[0].stages[0].steps[2].cases[0].goto",
        "unknown stage 'payout'",
    ),
    (
        "handoff to a missing agent",
        set_value(*STATUS, 1, "steps", 0, "to", value="billing"),
        "agents[0].flows[0].stages[1].steps[0].to",
        "handoff to unknown agent 'billing'",
    ),
    (
        "handoff to itself",
        set_value(*STATUS, 1, "steps", 0, "to", value="orders"),
        "agents[0].flows[0].stages[1].steps[0].to",
        "hands off to itself",
    ),
    (
        "intent names a missing flow",
        set_value("agents", 0, "intents", 0, "flow", value="tracking"),
        "agents[0].intents[0].flow",
        "starts unknown flow 'tracking'",
    ),
    (
        "unreachable stage",
        delete(*STATUS, 0, "steps", 1, "on_error"),
        "agents[0].flows[0].stages[1].name",
        "stage 'not_found' is unreachable",
    ),
    (
        "step after an end never runs",
        set_value(*REFUND, 1, "steps", value=[{"kind": "end"}, {"kind": "respond", "text": "bye"}]),
        "agents[1].flows[0].stages[1].steps[1]",
        "never runs",
    ),
    (
        "duplicate agent names",
        set_value("agents", 1, "name", value="orders"),
        "agents[1].name",
        "duplicate agent 'orders'",
    ),
    (
        "duplicate tool names",
        set_value("tools", 2, "name", value="lookup_order"),
        "tools[2].name",
        "duplicate tool 'lookup_order'",
    ),
    (
        "duplicate stage names",
        set_value(*STATUS, 1, "name", value="ask_order"),
        "agents[0].flows[0].stages[1].name",
        "duplicate stage 'ask_order'",
    ),
    (
        "example shared by two intents",
        append("agents", 0, "intents", value={"name": "tracking", "examples": ["Where is  my ORDER"]}),
        "agents[0].intents[1].examples[0]",
        "also an example of intent 'order_status'",
    ),
    (
        "router rule to a missing agent",
        set_value("router", "rules", 0, "to", value="billing"),
        "router.rules[0].to",
        "unknown agent 'billing'",
    ),
    (
        "router rule names a missing intent",
        set_value("router", "rules", 0, "intents", value=["cancel"]),
        "router.rules[0].intents[0]",
        "unknown intent 'cancel'",
    ),
    (
        "router entry agent is missing",
        set_value("router", "entry_agent", value="front_desk"),
        "router.entry_agent",
        "unknown entry agent 'front_desk'",
    ),
    (
        "several agents and no router",
        delete("router"),
        "agents",
        "2 agents but no router",
    ),
    (
        "guardrail names an unknown tool",
        set_value("guardrails", "tool_preconditions", 0, "tool", value="refund"),
        "guardrails.tool_preconditions[0].tool",
        "unknown tool 'refund'",
    ),
    (
        "precondition on a fact no tool grants",
        set_value("guardrails", "tool_preconditions", 0, "requires", value=["address_verified"]),
        "guardrails.tool_preconditions[0].requires[0]",
        "no tool grants fact 'address_verified'",
    ),
    (
        "invalid slot regex",
        set_value("agents", 0, "slots", 0, "pattern", value="A-(\\d"),
        "agents[0].slots[0].pattern",
        "invalid regular expression",
    ),
    (
        "invalid guardrail regex",
        set_value("guardrails", "forbidden_content", 0, "patterns", value=["([a-z"]),
        "guardrails.forbidden_content[0].patterns[0]",
        "invalid regular expression",
    ),
    (
        "invalid regex in a branch condition",
        set_value(
            *REFUND,
            0,
            "steps",
            2,
            "cases",
            0,
            "when",
            value=[{"path": "slots.email", "op": "matches", "value": "(["}],
        ),
        "agents[1].flows[0].stages[0].steps[2].cases[0].when[0].value",
        "invalid regular expression",
    ),
    (
        "condition 'in' without a list",
        set_value(
            *REFUND,
            0,
            "steps",
            2,
            "cases",
            0,
            "when",
            value=[{"path": "slots.email", "op": "in", "value": "a"}],
        ),
        "agents[1].flows[0].stages[0].steps[2].cases[0].when[0].value",
        "needs a list",
    ),
    (
        "escalation trigger that can never fire",
        set_value("guardrails", "escalation_triggers", 0, "phrases", value=[]),
        "guardrails.escalation_triggers[0]",
        "can never fire",
    ),
    (
        "placeholder names an unknown slot",
        set_value(*STATUS, 0, "steps", 2, "text", value="Order {{ slots.order_number }}."),
        "agents[0].flows[0].stages[0].steps[2].text",
        "unknown slot 'order_number'",
    ),
    (
        "placeholder names an unknown tool result",
        set_value(*STATUS, 0, "steps", 2, "text", value="It is {{ results.track.status }}."),
        "agents[0].flows[0].stages[0].steps[2].text",
        "unknown tool result 'track'",
    ),
    (
        "placeholder with an unknown root",
        set_value(*STATUS, 0, "steps", 2, "text", value="Order {{ slot.order_id }}."),
        "agents[0].flows[0].stages[0].steps[2].text",
        "starts with unknown 'slot'",
    ),
    (
        "placeholder with a filter",
        set_value(*STATUS, 0, "steps", 2, "text", value="Order {{ slots.order_id | upper }}."),
        "agents[0].flows[0].stages[0].steps[2].text",
        "is not a plain path",
    ),
    (
        "call argument the tool does not declare",
        set_value(*STATUS, 0, "steps", 1, "args", value={"order_id": "x", "zip": "1"}),
        "agents[0].flows[0].stages[0].steps[1].args.zip",
        "has no argument 'zip'",
    ),
    (
        "call misses a required argument",
        set_value(*STATUS, 0, "steps", 1, "args", value={}),
        "agents[0].flows[0].stages[0].steps[1].args",
        "missing required argument(s) of 'lookup_order': order_id",
    ),
    (
        "enum slot without choices",
        set_value("agents", 1, "slots", 0, "type", value="enum"),
        "agents[1].slots[0].choices",
        "an enum slot needs choices",
    ),
    (
        "grant condition not on the result",
        set_value("tools", 1, "grants", 0, "when", 0, "path", value="slots.email"),
        "tools[1].grants[0].when[0].path",
        "reads the tool's result",
    ),
    (
        "schema: unknown field",
        set_value("agents", 0, "persona", value="friendly"),
        "agents[0].persona",
        "unknown field 'persona'",
    ),
    (
        "schema: missing required field",
        delete("tools", 0, "description"),
        "tools[0].description",
        "missing required field 'description'",
    ),
    (
        "schema: unknown step kind",
        set_value(*STATUS, 0, "steps", 3, "kind", value="finish"),
        "agents[0].flows[0].stages[0].steps[3].kind",
        "unknown kind 'finish': expected one of 'ask'",
    ),
    (
        "schema: bad value type",
        set_value("model", "temperature", value="warm"),
        "model.temperature",
        "valid number",
    ),
    (
        "number that is not finite",
        set_value(*REFUND, 0, "steps", 2, "cases", 0, "when", 0, "value", value=float("nan")),
        "agents[1].flows[0].stages[0].steps[2].cases[0].when[0].value",
        "not a finite number",
    ),
    (
        "secret: AWS access key",
        set_value("metadata", "description", value="uses AKIAIOSFODNN7EXAMPLE"),
        "metadata.description",
        "looks like an AWS access key id",
    ),
    (
        "secret: API key in instructions",
        set_value("agents", 0, "instructions", value="key sk-proj-abcdefghijklmnopqrstuvwx"),
        "agents[0].instructions",
        "looks like an API key",
    ),
    (
        "secret: bearer token in a header",
        set_value("tools", 1, "binding", "headers", "Authorization", value="Bearer abcdef0123456789xyz"),
        "tools[1].binding.headers.Authorization",
        "looks like a bearer token",
    ),
    (
        "secret: password in a URL",
        set_value("tools", 1, "binding", "url", value="https://shop:s3cret@example.com/verify"),
        "tools[1].binding.url",
        "looks like a URL with a password",
    ),
    (
        "secret: literal value under a secret-sounding key",
        set_value("tools", 1, "binding", "headers", value={"X-Api-Key": "hunter2hunter2"}),
        "tools[1].binding.headers.X-Api-Key",
        "holds a literal value",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "path", "message"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_each_kind_of_problem_is_reported_with_its_path(
    valid_data: dict[str, Any], mutation: Mutation, path: str, message: str
) -> None:
    # Given
    mutation(valid_data)
    # When
    problems = problems_of(valid_data)
    # Then
    assert any(problem.path == path and message in problem.message for problem in problems), problems


def test_the_valid_bundle_passes(valid_data: dict[str, Any]) -> None:
    # Given / When
    loaded = bundle_from_data(valid_data)
    # Then
    assert [agent.name for agent in loaded.bundle.agents] == ["orders", "refunds"]


def test_every_problem_is_reported_at_once(valid_data: dict[str, Any]) -> None:
    # Given: a schema error in one agent and cross-reference errors elsewhere
    at(valid_data, *STATUS, 0, "steps", 3)["kind"] = "finish"
    at(valid_data, *REFUND, 1, "steps", 0)["tool"] = "pay_out"
    valid_data["router"]["rules"][0]["to"] = "billing"
    # When
    paths = {problem.path for problem in problems_of(valid_data)}
    # Then
    assert {
        "agents[0].flows[0].stages[0].steps[3].kind",
        "agents[1].flows[0].stages[1].steps[0].tool",
        "router.rules[0].to",
    } <= paths


def test_references_to_an_invalid_part_are_not_reported_twice(valid_data: dict[str, Any]) -> None:
    # Given: lookup_order fails the schema; agents still reference it
    del valid_data["tools"][0]["description"]
    # When
    problems = problems_of(valid_data)
    # Then
    assert [problem.path for problem in problems] == ["tools[0].description"]


def test_paths_after_a_set_aside_element_keep_the_file_indexes(valid_data: dict[str, Any]) -> None:
    # Given: tools[0] is invalid, and agents[1] calls a tool that really is unknown
    del valid_data["tools"][0]["binding"]
    valid_data["tools"][2]["grants"] = [{"fact": "x", "when": [{"path": "slots.a"}]}]
    # When
    paths = [problem.path for problem in problems_of(valid_data)]
    # Then: the grant is reported at tools[2], not at its index among the valid tools
    assert "tools[2].grants[0].when[0].path" in paths


@pytest.mark.parametrize("data", [None, [], "shop"], ids=["empty", "list", "scalar"])
def test_a_document_that_is_not_a_mapping(data: Any) -> None:
    # Given / When
    with pytest.raises(BundleValidationError) as raised:
        bundle_from_data(data, filename="shop.yaml")
    # Then
    assert "a bundle is a mapping" in str(raised.value)


def test_error_text_lists_file_line_path_and_message(valid_yaml: str) -> None:
    # Given
    text = valid_yaml.replace("tool: lookup_order", "tool: lookup_parcel")
    line = text.splitlines().index("                tool: lookup_parcel") + 1
    # When
    with pytest.raises(BundleValidationError) as raised:
        parse_bundle(text, filename="shop.yaml")
    # Then
    assert (
        f"shop.yaml:{line}: agents[0].flows[0].stages[0].steps[1].tool: unknown tool 'lookup_parcel'"
        in str(raised.value)
    )


def test_json_problems_carry_lines(valid_data: dict[str, Any]) -> None:
    # Given
    valid_data["router"]["rules"][0]["to"] = "billing"
    text = json.dumps(valid_data, indent=2)
    line = text.splitlines().index('        "to": "billing"') + 1
    # When
    with pytest.raises(BundleValidationError) as raised:
        parse_bundle(text, filename="shop.json")
    # Then
    [problem] = raised.value.problems
    assert (problem.file, problem.line, problem.path) == ("shop.json", line, "router.rules[0].to")
