from __future__ import annotations

from refund_corpus import Script, conversation

from rehearsal.insights.flows import label_conversations
from rehearsal.insights.flows.predict import (
    NextStepModel,
    first_order_accuracy,
    predictability,
    split_train_test,
)


def _labelled(n: int):
    scripts = [Script(accepts=i % 2 == 0, eligible=i % 3 != 0) for i in range(n)]
    return label_conversations(
        [conversation(i, s) for i, s in enumerate(scripts)], lambda _: "g"
    ).conversations


def test_context_beats_first_order_transitions_when_customer_words_decide() -> None:
    # Given conversations where what follows "shall I go ahead?" depends on the customer's yes or no,
    # and what follows the check depends on its result
    train, test = split_train_test(_labelled(60), train_share=0.7, seed=0)
    # When the model and the baseline predict each next agent step
    model = NextStepModel().fit(train)
    # Then the model is right every time and the baseline is not
    assert model.accuracy(test) == 1.0
    assert first_order_accuracy(train, test) < 0.9


def test_split_is_seeded_and_complete() -> None:
    items = list(range(10))
    assert split_train_test(items, train_share=0.7, seed=1) == split_train_test(
        items, train_share=0.7, seed=1
    )
    train, test = split_train_test(items, train_share=0.7, seed=1)
    assert sorted(train + test) == items
    assert len(train) == 7


def test_predictability_is_measured_on_held_out_conversations_of_large_enough_groups() -> None:
    # Given a group that always follows one script, one that branches, and one of five conversations
    same = [conversation(i, Script()) for i in range(30)]
    scripted = label_conversations(same, lambda _: "g").conversations
    # Then the script is fully predictable, branching lowers it, and the tiny group is not measured
    assert predictability(scripted) == 1.0
    assert predictability(_labelled(60)) < 1.0
    assert predictability(_labelled(5)) is None
