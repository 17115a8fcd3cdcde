from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from rehearsal.bundles import bundle_from_data
from rehearsal.bundles.diff import BundleDiff, diff_bundles


def diff_after(data: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> BundleDiff:
    changed = json.loads(json.dumps(data))
    change(changed)
    return diff_bundles(bundle_from_data(data).bundle, bundle_from_data(changed).bundle)


def test_identical_bundles_have_no_changes(valid_data: dict[str, Any]) -> None:
    # Given / When
    diff = diff_after(valid_data, lambda data: None)
    # Then
    assert diff.identical and not diff.text_diffs


def test_list_elements_are_named_by_their_name(valid_data: dict[str, Any]) -> None:
    # Given
    def change(data: dict[str, Any]) -> None:
        data["agents"][1]["flows"][0]["stages"][0]["steps"][0]["prompt"] = "Your email?"
        data["agents"][1]["tools"].append("lookup_order")

    # When
    diff = diff_after(valid_data, change)
    # Then
    assert diff.paths() == [
        "agents[name=refunds].flows[name=refund].stages[name=verify].steps[0].prompt",
        "agents[name=refunds].tools[2]",
    ]
    assert diff.paths("added") == ["agents[name=refunds].tools[2]"]


def test_reordering_named_elements_is_no_change(valid_data: dict[str, Any]) -> None:
    # Given / When
    diff = diff_after(valid_data, lambda data: data["tools"].reverse())
    # Then
    assert diff.identical


def test_inserted_step_is_one_addition(valid_data: dict[str, Any]) -> None:
    # Given
    def change(data: dict[str, Any]) -> None:
        data["agents"][0]["flows"][0]["stages"][0]["steps"].insert(0, {"kind": "respond", "text": "Sure."})

    # When
    diff = diff_after(valid_data, change)
    # Then
    assert [(change.op, change.path) for change in diff.changes] == [
        ("added", "agents[name=orders].flows[name=status].stages[name=ask_order].steps[0]")
    ]


def test_guardrail_changes_are_keyed_by_tool(valid_data: dict[str, Any]) -> None:
    # Given
    def change(data: dict[str, Any]) -> None:
        data["guardrails"]["tool_preconditions"].append(
            {"tool": "lookup_order", "requires": ["identity_verified"]}
        )
        del data["guardrails"]["escalation_triggers"][0]

    # When
    diff = diff_after(valid_data, change)
    # Then
    assert {(change.op, change.path) for change in diff.changes} == {
        ("added", "guardrails.tool_preconditions[tool=lookup_order]"),
        ("removed", "guardrails.escalation_triggers[name=angry]"),
    }


def test_changed_instructions_get_a_line_diff(valid_data: dict[str, Any]) -> None:
    # Given
    valid_data["agents"][0]["instructions"] = "Help with orders.\nBe brief.\nNever promise dates."

    def change(data: dict[str, Any]) -> None:
        data["agents"][0]["instructions"] = "Help with orders.\nBe brief and kind.\nNever promise dates."

    # When
    diff = diff_after(valid_data, change)
    # Then
    [text] = diff.text_diffs
    assert text.path == "agents[name=orders].instructions"
    assert "-Be brief.\n+Be brief and kind." in text.unified


@pytest.mark.parametrize("value", ["short", "a longer text " * 3])
def test_short_one_line_texts_get_no_line_diff(valid_data: dict[str, Any], value: str) -> None:
    # Given / When
    diff = diff_after(valid_data, lambda data: data["metadata"].update(description=value))
    # Then
    assert diff.paths() == ["metadata.description"] and not diff.text_diffs


def test_a_long_one_line_text_gets_a_word_diff(valid_data: dict[str, Any]) -> None:
    # Given
    valid_data["agents"][1]["instructions"] = (
        "Handle refunds for orders placed online, in full, to the original card, within five days."
    )

    def change(data: dict[str, Any]) -> None:
        data["agents"][1]["instructions"] = (
            "Verify first. Handle refunds for orders placed online, to the original card, within five days."
        )

    # When
    [text] = diff_after(valid_data, change).text_diffs
    # Then
    assert text.words.startswith(
        "{+Verify first.+} Handle refunds for orders placed online, [-in full,-] to the"
    )
