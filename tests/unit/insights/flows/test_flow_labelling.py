from __future__ import annotations

from refund_corpus import ASK_ORDER, refund_corpus
from sklearn.metrics import normalized_mutual_info_score

from rehearsal.insights.flows import Labelling, label_conversations
from rehearsal.insights.flows.clustering import StepClusterer, normalise
from rehearsal.insights.flows.models import StepKind


def _task(_: object) -> str:
    return "refund"


def test_given_labels_are_used_when_most_agent_turns_carry_one() -> None:
    # Given conversations whose agent turns carry action labels
    corpus = refund_corpus()
    # When they are labelled automatically
    result = label_conversations(corpus, _task)
    # Then the steps are the given labels, and calls get `call:TOOL:MODE` steps
    assert result.labelling is Labelling.GIVEN
    assert result.conversations[0].steps[:3] == ["ask_order", "call:orders:check", "confirm_refund"]
    assert result.labels["ask_order"] == ASK_ORDER


def test_agent_utterances_are_clustered_into_steps_when_labels_are_missing() -> None:
    # Given the same conversations without labels
    labelled = label_conversations(refund_corpus(), _task)
    hidden = label_conversations(refund_corpus(labelled=False), _task)
    # When the clustered steps are compared with the hidden labels
    truth = [e.step for c in labelled.conversations for e in c.events if e.kind is StepKind.SAY]
    found = [e.step for c in hidden.conversations for e in c.events if e.kind is StepKind.SAY]
    # Then every template is its own step
    assert hidden.labelling is Labelling.CLUSTERED
    assert normalized_mutual_info_score(truth, found) == 1.0


def test_clusterer_treats_one_template_with_different_values_as_one_step() -> None:
    # Given one template filled with different values, and another sentence
    texts = ["Your order A1001 ships in 3 days.", "Your order B2002 ships in 5 days.", "Goodbye and thanks!"]
    # When clustered
    result = StepClusterer(min_size=1).fit(texts)
    # Then the two filled templates share a step and the goodbye does not
    assert result.assignments[0] == result.assignments[1] != result.assignments[2]


def test_normalise_masks_numbers_quotes_and_placeholders() -> None:
    assert (
        normalise("Hi [PERSON_1], ride to 'Main St' in 12 minutes")
        == "hi person ride to value in num minutes"
    )


def test_a_step_is_named_by_the_words_its_utterances_share() -> None:
    # Given a template asked many times and one odd utterance that joins its cluster
    texts = ["May I have your name, please?"] * 8 + ["May I have your name? The pills will help."]
    # When clustered
    result = StepClusterer().fit(texts)
    # Then the step is named after the shared word, not the odd one's
    assert set(result.assignments) == {"name"}
