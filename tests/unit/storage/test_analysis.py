"""Text analysis: the local twin of the OpenSearch analyzer."""

from __future__ import annotations

import pytest

from rehearsal.storage.analysis import ANALYZER_NAME, OPENSEARCH_ANALYSIS, analyze, minimal_english_stem


def test_words_are_lower_cased_and_stop_words_dropped() -> None:
    # When / Then
    assert analyze("The Card is NOT working") == ["card", "working"]


def test_possessives_are_stripped() -> None:
    # When / Then
    assert analyze("my daughter's card, John’s account") == ["my", "daughter", "card", "john", "account"]


def test_inner_apostrophes_keep_a_word_whole() -> None:
    # When / Then
    assert analyze("can't login") == ["can't", "login"]


def test_repeats_are_kept_for_term_frequency() -> None:
    # When / Then
    assert analyze("refund refund refunds") == ["refund", "refund", "refund"]


def test_numbers_and_non_latin_words_are_tokens() -> None:
    # When / Then
    assert analyze("PIN 1234 für Überweisung") == ["pin", "1234", "für", "überweisung"]


def test_compatibility_characters_are_normalised() -> None:
    # When / Then: full-width letters fold to ASCII
    assert analyze("ＣＡＲＤ") == ["card"]


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("refunds", "refund"),
        ("queries", "query"),
        ("charges", "charge"),
        ("status", "status"),
        ("class", "class"),
        ("shoes", "shoes"),
        ("does", "does"),
        ("policies", "policy"),
        ("keys", "key"),
        ("is", "is"),
        ("card", "card"),
    ],
)
def test_the_minimal_english_stemmer_folds_plurals_only(word: str, stem: str) -> None:
    # When / Then
    assert minimal_english_stem(word) == stem


def test_the_opensearch_analyzer_chains_the_same_steps() -> None:
    # Given
    analysis = OPENSEARCH_ANALYSIS
    analyzer = analysis["analyzer"][ANALYZER_NAME]

    # When
    filters = [analysis["filter"].get(name, {"type": name}) for name in analyzer["filter"]]

    # Then
    assert analyzer["tokenizer"] == "standard"
    assert [(f["type"], f.get("language") or f.get("stopwords")) for f in filters] == [
        ("stemmer", "possessive_english"),
        ("lowercase", None),
        ("stop", "_english_"),
        ("stemmer", "minimal_english"),
    ]
