from __future__ import annotations

from rehearsal.simulate.records import VisitorTurnLog
from rehearsal.simulate.selfcheck import check_visitor

KNOWN = {"order_id": {"A1001"}, "email": {"jane@example.com"}}
GOALS = frozenset({"refund"})


def kinds(*entries: VisitorTurnLog) -> list[str]:
    return [issue.kind for issue in check_visitor(entries, KNOWN, GOALS)]


def test_truthful_turns_raise_nothing() -> None:
    text = "Refund A1001, email jane@example.com"
    entry = VisitorTurnLog(
        turn=0, text=text, disclosed={"order_id": "A1001", "email": "jane@example.com"}, goal="refund"
    )
    assert kinds(entry) == []


def test_a_disclosed_fact_that_is_not_known_is_invented() -> None:
    entry = VisitorTurnLog(turn=0, text="my zip is near", disclosed={"zip_code": "near"})
    assert kinds(entry) == ["invented_fact"]


def test_a_wrong_value_contradicts_the_known_fact() -> None:
    entry = VisitorTurnLog(turn=0, text="it's B", disclosed={"order_id": "B"})
    assert kinds(entry) == ["contradicted_fact"]


def test_fact_like_tokens_outside_the_known_facts_are_invented() -> None:
    entry = VisitorTurnLog(turn=2, text="Try order A2002 or call 555-0100-22, or bob@example.org")
    assert kinds(entry) == ["invented_fact"] * 3


def test_pursuing_another_goal_is_leaving_the_goal() -> None:
    assert kinds(VisitorTurnLog(turn=0, text="Book me a flight", goal="flights")) == ["left_goal"]


def test_a_fact_may_have_one_value_per_goal() -> None:
    # Given a visitor whose two goals each bring an order number
    known = {"order_id": {"A1001", "A1002"}}
    entries = [
        VisitorTurnLog(turn=0, text="A1001", disclosed={"order_id": "A1001"}),
        VisitorTurnLog(turn=2, text="A1002", disclosed={"order_id": "A1002"}),
    ]
    # Then stating either is truthful
    assert check_visitor(entries, known, GOALS) == []


def test_repeating_what_the_agent_said_is_not_inventing() -> None:
    # Given a visitor repeating an amount the agent quoted before (and one saying it first)
    entry = VisitorTurnLog(turn=2, text="So 49.99 goes back to my card?")
    agent = [(1, "I'll refund 49.99 USD.")]
    # Then only the visitor that had not heard it invented it
    assert check_visitor([entry], KNOWN, GOALS, agent) == []
    assert [issue.kind for issue in check_visitor([entry], KNOWN, GOALS, [(3, "49.99")])] == ["invented_fact"]
