from __future__ import annotations

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from rehearsal.evaluate.behaviours.classifier import LinearTextModel, TextClassifier
from rehearsal.evaluate.behaviours.spec import ClassifierSpec

POSITIVE = ["I'm so sorry to hear that", "I understand how frustrating this is", "sorry about the trouble"]
NEGATIVE = ["Your order number please", "The refund has been issued", "What is your email address?"]


def test_the_compiled_model_scores_exactly_like_scikit_learn():
    # Given the same training as the compiled model
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)
    features = vectorizer.fit_transform(POSITIVE + NEGATIVE)
    reference = LogisticRegression(
        C=10.0, class_weight="balanced", solver="liblinear", max_iter=2000, random_state=0
    )
    reference.fit(features, [1, 1, 1, 0, 0, 0])
    compiled = LinearTextModel.fit(POSITIVE, NEGATIVE)
    texts = [
        "I'm sorry, that is frustrating",
        "please give me the order number",
        "unrelated words",
        "sorry sorry",
    ]

    # When
    expected = reference.predict_proba(vectorizer.transform(texts))[:, 1]

    # Then
    assert [compiled.probability(text) for text in texts] == pytest.approx(list(expected), abs=1e-9)


def test_a_pattern_match_is_a_confident_yes():
    classifier = TextClassifier(ClassifierSpec(patterns=[r"\bapolog"], positive=POSITIVE, negative=NEGATIVE))
    detection = classifier.detect("We apologise for the delay")
    assert (detection.positive, detection.confidence, detection.source) == (True, 1.0, "pattern")


def test_the_model_generalises_beyond_its_examples_with_a_confidence():
    classifier = TextClassifier(ClassifierSpec(positive=POSITIVE, negative=NEGATIVE))
    yes, no = classifier.detect("So sorry, I understand"), classifier.detect("What is your order number?")
    assert yes.positive and not no.positive
    assert yes.source == no.source == "model"
    assert 0.5 <= yes.confidence <= 1.0


def test_a_human_label_overrides_the_model_for_that_exact_text():
    # Given a text the model calls positive
    text = "Sorry, what is your order number?"
    before = TextClassifier(ClassifierSpec(positive=POSITIVE, negative=NEGATIVE)).detect(text)

    # When a reviewer labels it negative
    after = TextClassifier(ClassifierSpec(positive=POSITIVE, negative=NEGATIVE), {text: not before.positive})

    # Then
    detection = after.detect(text.upper())
    assert (detection.positive, detection.source) == (not before.positive, "label")


def test_patterns_only_answer_no_confidently_when_nothing_matches():
    detection = TextClassifier(ClassifierSpec(patterns=["hello"])).detect("good morning")
    assert (detection.positive, detection.confidence) == (False, 1.0)


@pytest.mark.parametrize(
    "spec",
    [{}, {"positive": ["yes"]}, {"patterns": ["(unclosed"]}, {"patterns": ["x"], "threshold": 1.5}],
)
def test_a_classifier_spec_needs_patterns_or_both_kinds_of_examples(spec):
    with pytest.raises(ValueError):
        ClassifierSpec.model_validate(spec)
