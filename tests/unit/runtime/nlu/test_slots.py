from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from rehearsal.bundles.schema import SlotDef
from rehearsal.runtime.nlu import SlotExtractor

TODAY = date(2026, 11, 26)


def extract(slot: dict[str, Any], text: str, *, strict: bool = False) -> Any:
    return SlotExtractor(SlotDef.model_validate({"name": "s", **slot})).extract(
        text, today=TODAY, strict=strict
    )


@pytest.mark.parametrize(
    ("slot", "text", "expected"),
    [
        ({"type": "id", "pattern": "^A[0-9]{4}$"}, "it's order a1001 thanks", "A1001"),
        ({"type": "id"}, "ticket ab-12345", "AB-12345"),
        ({"type": "email"}, "mail me at Jane.Doe@Example.com", "jane.doe@example.com"),
        ({"type": "phone"}, "call +1 (555) 010-0001", "+15550100001"),
        ({"type": "date"}, "deliver it tomorrow", "2026-11-27"),
        ({"type": "number"}, "about 3.5 of them", 3.5),
        ({"type": "integer"}, "two please", 2),
        ({"type": "amount"}, "refund $42.50", 42.5),
        ({"type": "amount"}, "it was 30 dollars", 30.0),
        ({"type": "yes_no"}, "Yes please do", True),
        ({"type": "yes_no"}, "nope, leave it", False),
        (
            {"type": "enum", "choices": ["damaged", "other"], "synonyms": {"damaged": ["broken"]}},
            "It's BROKEN",
            "damaged",
        ),
        ({"type": "name"}, "my name is jane doe", "Jane Doe"),
        ({"type": "name"}, "Omar Haddad", "Omar Haddad"),
        (
            {"type": "address"},
            "send it to 12 Market Street, San Francisco",
            "12 Market Street, San Francisco",
        ),
        ({"type": "text"}, "  anything at all ", "anything at all"),
    ],
)
def test_extracts_typed_values(slot: dict[str, Any], text: str, expected: Any) -> None:
    assert extract(slot, text) == expected


@pytest.mark.parametrize(
    ("slot", "text"),
    [
        ({"type": "id", "pattern": "^A[0-9]{4}$"}, "order B1001"),
        ({"type": "email"}, "jane at example"),
        ({"type": "phone"}, "call 123"),
        ({"type": "amount", "maximum": 100}, "$250"),
        ({"type": "number", "minimum": 1}, "0 items"),
        ({"type": "yes_no"}, "maybe later"),
        ({"type": "enum", "choices": ["damaged"]}, "it is fine"),
        ({"type": "name"}, "yes"),
    ],
)
def test_no_value_when_the_text_has_none(slot: dict[str, Any], text: str) -> None:
    assert extract(slot, text) is None


@pytest.mark.parametrize(
    ("slot", "text"),
    [({"type": "yes_no"}, "yes cancel it"), ({"type": "text"}, "cancel it"), ({"type": "name"}, "Jane Doe")],
)
def test_strict_mode_does_not_read_loose_values(slot: dict[str, Any], text: str) -> None:
    # Given a message about something else
    # When slots are picked out of it strictly
    # Then confirmations, free text and bare names do not fill themselves
    assert extract(slot, text, strict=True) is None
