"""Checking a model's answer: citations of turns it was not given are removed, reported and flagged."""

from __future__ import annotations

from rehearsal.analyst.compose import validate_reply

ALLOWED = {"r1#1", "r2#0"}


def test_an_invented_citation_is_removed_and_reported() -> None:
    # Given a reply citing one given turn and one it was never shown
    reply = "Broken items drive refunds [r1#1]. Customers hate the policy [x9#4]."

    # When it is validated
    composed = validate_reply(reply, ALLOWED)

    # Then the invented id is gone from the text and listed, the valid one stays
    assert composed.rejected == ["x9#4"]
    assert "[x9#4]" not in composed.text and "[r1#1]" in composed.text
    assert composed.text == "Broken items drive refunds [r1#1]. Customers hate the policy."


def test_a_claim_left_without_a_valid_citation_is_flagged_unsupported() -> None:
    # Given a reply whose second claim rests only on an invented turn
    composed = validate_reply("Broken items drive refunds [r1#1]. Customers hate the policy [x9#4].", ALLOWED)

    # Then the first claim is supported by r1#1 and the second is flagged
    first, second = composed.claims
    assert (first.citations, first.supported) == (["r1#1"], True)
    assert (second.citations, second.supported) == ([], False)


def test_a_fully_cited_reply_passes_unchanged() -> None:
    # Given a reply citing only given turns / When validated / Then nothing is removed
    reply = "Refunds are slow [r2#0] and items arrive broken [r1#1]."
    composed = validate_reply(reply, ALLOWED)
    assert composed.text == reply and composed.rejected == []
    assert composed.claims[0].citations == ["r2#0", "r1#1"]
