from __future__ import annotations

from rehearsal.insights.conversation import Conversation, HistoricalTurn, Speaker, ToolCallRecord
from rehearsal.insights.flows import discover_flows


def _conversation(index: int, balance: int, said: int) -> Conversation:
    call = ToolCallRecord(name="balance", arguments={"account": "x"}, result={"item": {"Balance": balance}})
    return Conversation(
        id=f"b{index}",
        turns=[
            HistoricalTurn(speaker=Speaker.CUSTOMER, text="What is my balance?"),
            HistoricalTurn(speaker=Speaker.SYSTEM, tool_calls=[call]),
            HistoricalTurn(
                speaker=Speaker.HUMAN_AGENT, text=f"Your balance is {said} dollars.", action="inform"
            ),
        ],
    )


def test_values_repeated_from_the_tool_result_become_placeholders() -> None:
    # Given agents who read the looked-up balance back to the customer
    corpus = [_conversation(i, 100 + i, 100 + i) for i in range(4)]
    # When flows are discovered
    group = discover_flows(corpus).groups[0]
    # Then the reply is a template over the result's field
    assert group.templates == {"inform": "Your balance is {{ results.balance.item.Balance }} dollars."}


def test_a_value_matching_once_by_chance_is_not_a_field() -> None:
    # Given one conversation where the said number happens to equal the result, and three where it does not
    corpus = [_conversation(0, 100, 100)] + [_conversation(i, 100 + i, 7) for i in range(1, 4)]
    # Then no template is made
    assert discover_flows(corpus).groups[0].templates == {}
