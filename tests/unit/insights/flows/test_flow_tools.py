from __future__ import annotations

import pytest
from refund_corpus import refund_corpus

from rehearsal.insights.conversation import ToolCallRecord
from rehearsal.insights.flows import discover_flows
from rehearsal.insights.flows.models import ToolSpec
from rehearsal.insights.flows.schema_infer import infer_schema
from rehearsal.insights.flows.tools import CallProfile, build_tool_catalog, side_effect_operations


def test_catalog_infers_argument_schema_operations_and_outcomes() -> None:
    # Given the refund corpus's calls
    tool = discover_flows(refund_corpus(), group_by="task").tools[0]
    # Then the tool's operation argument, argument schema and outcomes are read from the calls
    assert tool.name == "orders"
    assert tool.mode_argument == "RequestType"
    assert tool.input_schema["properties"]["RequestType"]["enum"] == ["Check", "Refund"]
    assert tool.input_schema["required"] == ["RequestType", "order_id"]
    assert {o.signature: o.count for o in tool.outcomes} == {
        "status=eligible": 13,
        "status=ineligible": 5,
        "status=refunded": 10,
    }


def test_errors_are_catalogued_with_their_shapes() -> None:
    # Given calls of which one failed
    calls = [ToolCallRecord(name="pay", arguments={"amount": 5}, result={"ok": True})] * 3 + [
        ToolCallRecord(name="pay", arguments={"amount": 5}, error="Card declined")
    ]
    profile = CallProfile.from_calls(calls)
    # When catalogued
    spec = build_tool_catalog([("g", call) for call in calls], profile)[0]
    # Then the error keeps its code and an example
    assert [(e.signature, e.count, e.example) for e in spec.errors] == [
        ("error:card_declined", 1, "Card declined")
    ]


def test_a_categorical_search_parameter_is_not_an_operation() -> None:
    # Given a search tool whose `location` takes few values
    calls = [ToolCallRecord(name="search", arguments={"location": loc}) for loc in ["north", "south"] * 5]
    # Then no operation argument splits the tool
    assert CallProfile.from_calls(calls).mode_argument["search"] is None


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 2, 3], {"type": "integer", "minimum": 1, "maximum": 3}),
        ([1, 2.5], {"type": "number", "minimum": 1, "maximum": 2.5}),
        (["2024-01-02", "2024-03-04"], {"type": "string", "format": "date"}),
        (["a", "a", "b", "b"], {"type": "string", "enum": ["a", "b"]}),
        ([True, None], {"anyOf": [{"type": "boolean"}, {"type": "null"}]}),
        ([[1], [2, 3]], {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 3}}),
    ],
)
def test_schema_inference_fits_the_observed_values(values: list[object], expected: dict[str, object]) -> None:
    assert infer_schema(values) == expected


def test_object_schema_requires_only_keys_seen_every_time() -> None:
    schema = infer_schema([{"a": 1, "b": "x"}, {"a": 2}])
    assert schema["required"] == ["a"]
    assert set(schema["properties"]) == {"a", "b"}


@pytest.mark.parametrize(
    ("name", "operations", "expected"),
    [
        ("orders", ["Check", "Refund"], ["Refund"]),
        ("hotel_book", ["Book", "Check"], ["Book"]),
        ("transfer_funds", [], [None]),
        ("lookup_order", [], []),
    ],
)
def test_world_changing_operations_are_told_by_their_names(
    name: str, operations: list[str], expected: list[str | None]
) -> None:
    schema: dict = {"type": "object", "properties": {"op": {"type": "string", "enum": operations}}}
    spec = ToolSpec(name=name, calls=3, mode_argument="op" if operations else None, input_schema=schema)
    assert side_effect_operations(spec) == expected
