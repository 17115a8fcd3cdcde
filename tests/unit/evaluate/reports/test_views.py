"""What the HTML report builds before rendering: word marks, compare tables, item views and headline cards."""

from __future__ import annotations

import pytest

from rehearsal.evaluate.aggregate import aggregate
from rehearsal.evaluate.compare import (
    Change,
    RequirementDelta,
    RunComparison,
    ScenarioChange,
    transcript_diff,
)
from rehearsal.evaluate.criticality import Criticality
from rehearsal.evaluate.reports.figures import count, duration, headline_cards, money
from rehearsal.evaluate.reports.views import compare_tables, diff_views, item_view, word_marks
from rehearsal.runtime.events import ToolCallStatus

from ..builders import conversation
from .fixtures import ITEMS


def test_word_marks_wrap_only_the_words_that_changed() -> None:
    old, new = word_marks("I will refund 49.99 USD today.", "I will refund 44 USD today.")
    assert old == "I will refund <del>49.99 </del>USD today."
    assert new == "I will refund <ins>44 </ins>USD today."


def test_word_marks_escape_both_sides() -> None:
    old, new = word_marks("say <b>hi</b> now", "say <i>hi</i> now")
    assert "<b>" not in old and "<i>" not in new
    assert "&lt;i&gt;hi&lt;/i&gt;" in new


def test_word_marks_leave_sentences_with_little_in_common_unmarked() -> None:
    old, new = word_marks("Sorry, I did not get that.", "Please give the email on your account.")
    assert (old, new) == ("Sorry, I did not get that.", "Please give the email on your account.")


def _delta(requirement_id: str, before: float | None, after: float | None) -> RequirementDelta:
    return RequirementDelta(
        requirement_id=requirement_id, criticality=Criticality.MAJOR, before=before, after=after
    )


def test_compare_tables_put_drops_first_then_new_requirements_then_gains_biggest_first() -> None:
    # Given a comparison with a drop, a gain, a bigger gain, a new requirement and an unchanged one
    comparison = RunComparison(
        baseline="R1",
        candidate="R2",
        scenarios=[
            ScenarioChange(scenario_id="a", change=Change.IMPROVED, before=0.5, after=1.0),
            ScenarioChange(scenario_id="b", change=Change.UNCHANGED, before=1.0, after=1.0),
            ScenarioChange(scenario_id="c", change=Change.REGRESSED, before=1.0, after=0.5),
        ],
        requirements=[
            _delta("small_gain", 0.8, 0.9),
            _delta("steady", 1.0, 1.0),
            _delta("big_gain", 0.0, 1.0),
            _delta("new", None, 1.0),
            _delta("drop", 1.0, 0.5),
        ],
    )

    # When the tables are built
    tables = compare_tables(comparison)

    # Then what moved is ordered worst news first and what did not is set apart
    assert [s.scenario_id for s in tables.scenarios] == ["c", "a"]
    assert [s.scenario_id for s in tables.steady_scenarios] == ["b"]
    assert [r.requirement_id for r in tables.requirements] == ["drop", "new", "big_gain", "small_gain"]
    assert [r.requirement_id for r in tables.steady_requirements] == ["steady"]


def test_an_item_view_puts_tool_calls_on_the_agent_turn_that_made_them() -> None:
    # Given a conversation with a call in the agent's turn 1 and one in a turn that has no text
    calls = [
        ("lookup_order", {"order_id": "A1"}, ToolCallStatus.OK, 1),
        ("refund_order", {"order_id": "A1"}, ToolCallStatus.BLOCKED, 3),
    ]
    state = conversation(("customer", "refund A1"), ("agent", "Done."), calls=calls)

    # When the view of the failing item is built
    view = item_view(ITEMS[1], state)

    # Then the first call sits on turn 1, cited by the failing check, and the other is kept apart, not lost
    assert [call.call.tool for call in view.turns[1].calls] == ["lookup_order"]
    assert view.turns[1].calls[0].cited
    assert [call.call.tool for call in view.stray_calls] == ["refund_order"]
    assert view.turns[0].calls == []


def test_a_long_argument_list_is_shortened_in_the_call_signature() -> None:
    state = conversation(
        ("customer", "x"), ("agent", "y"), calls=[("note", {"text": "z" * 500}, ToolCallStatus.OK, 1)]
    )
    signature = item_view(ITEMS[1], state).turns[1].calls[0].signature
    assert signature.startswith('note(text="zzz') and signature.endswith("…)") and len(signature) < 200


@pytest.mark.parametrize(
    "amount, shown",
    [(0.0, "$0.00"), (0.00042, "$0.0004"), (0.25, "$0.250"), (12.5, "$12.50"), (1234.0, "$1,234.00")],
)
def test_money_keeps_the_digits_that_matter(amount: float, shown: str) -> None:
    assert money(amount) == shown


@pytest.mark.parametrize("ms, shown", [(3.4, "3 ms"), (1500.0, "1.5 s"), (42_000.0, "42 s")])
def test_duration_picks_its_unit(ms: float, shown: str) -> None:
    assert duration(ms) == shown


@pytest.mark.parametrize("number, shown", [(0, "0 items"), (1, "1 item"), (2, "2 items")])
def test_count_says_one_item_and_many_items(number: int, shown: str) -> None:
    assert count(number, "item") == shown


def test_the_pass_hat_k_card_is_left_out_when_each_scenario_ran_once() -> None:
    keys = [card.key for card in headline_cards(aggregate(ITEMS, k=1), ITEMS)]
    assert "pass_hat_k" not in keys and "pass_rate" in keys


def test_the_pass_hat_k_card_leads_with_the_largest_k() -> None:
    cards = {card.key: card for card in headline_cards(aggregate(ITEMS, k=3), ITEMS)}
    assert cards["pass_hat_k"].label == "pass^3"
    assert "^2" in cards["pass_hat_k"].detail


def test_a_diff_marks_the_tool_calls_only_one_run_made_wherever_they_were_made() -> None:
    # Given two runs of an item: both look the order up (in different turns), only the second verifies
    lookup = ("lookup_order", {"order_id": "A1"}, ToolCallStatus.OK)
    verify = ("verify_identity", {"email": "a@b.c"}, ToolCallStatus.OK)
    before = conversation(("customer", "refund A1"), ("agent", "Done."), calls=[(*lookup, 1)])
    after = conversation(
        ("customer", "refund A1"),
        ("agent", "Your email?"),
        ("customer", "a@b.c"),
        ("agent", "Done."),
        calls=[(*lookup, 3), (*verify, 3)],
    )
    rows = transcript_diff(before, after)

    # When the diff view is built with both runs' calls
    (view,) = diff_views({"r/t0": rows}, None, {"r/t0": "r"}, {"r/t0": (before.tool_calls, after.tool_calls)})

    # Then only the verification is marked, on the turn that made it
    marked = [
        (side.index, call.call.tool)
        for row in view.rows
        for side in (row.before, row.after)
        if side
        for call in side.calls
        if call.changed
    ]
    assert marked == [(3, "verify_identity")]


def test_a_diff_without_transcripts_is_left_out() -> None:
    assert diff_views({"turn_test:x": [], "r/t0": transcript_diff(None, None)}, None, {}) == []
