from __future__ import annotations

import pytest

from rehearsal.runtime.templates import render, render_value

SCOPE = {"slots": {"order_id": "A1001", "amount": 12.5, "items": ["a", "b"]}, "results": {"t": {"ok": True}}}


def test_render_fills_placeholders_from_the_scope() -> None:
    # Given a template with two placeholders
    # When it is rendered
    rendered = render("Order {{ slots.order_id }} costs {{slots.amount}}.", SCOPE)
    # Then both are filled and nothing is missing
    assert rendered.text == "Order A1001 costs 12.50."
    assert rendered.missing == []


def test_render_lists_unresolved_paths_and_leaves_them_empty() -> None:
    rendered = render("Hi {{ slots.name }}!", SCOPE)
    assert rendered.text == "Hi !"
    assert rendered.missing == ["slots.name"]


@pytest.mark.parametrize("text", ["{{ __import__('os') }}", "{{ slots.order_id | upper }}", "{{ 1 + 1 }}"])
def test_render_never_evaluates_expressions(text: str) -> None:
    # Given text that is not a plain path placeholder
    # When rendered
    # Then it is left as literal text
    assert render(text, SCOPE).text == text


def test_render_value_keeps_the_type_of_a_lone_placeholder() -> None:
    value, missing = render_value({"amount": "{{ slots.amount }}", "list": ["{{ slots.items }}"]}, SCOPE)
    assert value == {"amount": 12.5, "list": [["a", "b"]]}
    assert missing == []


def test_render_formats_booleans_and_lists_for_people() -> None:
    assert render("{{ results.t.ok }} / {{ slots.items }}", SCOPE).text == "yes / a, b"
