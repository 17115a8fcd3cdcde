"""The SearchIndex contract, run against the local index and the OpenSearch adapter (fake cluster)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from rehearsal.storage.ports import NotFound, SearchDocument, SearchIndex


def _doc(id_: str, text: str = "", vector: list[float] | None = None, **fields: Any) -> SearchDocument:
    return SearchDocument(id=id_, text=text, vector=vector, fields=fields)


@pytest.fixture
def faq(search_index: SearchIndex) -> SearchIndex:
    """A small index of customer questions with 3-d vectors and filterable fields."""
    search_index.ensure_index("faq", dimensions=3)
    search_index.upsert(
        "faq",
        [
            _doc("card-lost", "I lost my card, please block it", [1.0, 0.0, 0.0], topic="cards", lang="en"),
            _doc(
                "card-declined", "My card was declined at the shop", [0.9, 0.1, 0.0], topic="cards", lang="en"
            ),
            _doc(
                "refund",
                "Where is my refund for the returned shoes?",
                [0.0, 1.0, 0.0],
                topic="refunds",
                lang="en",
            ),
            _doc("refunds-late", "Refunds are late again", [0.1, 0.9, 0.1], topic="refunds", lang="de"),
            _doc("transfer", "How do I transfer money abroad", [0.0, 0.0, 1.0], topic="transfers", lang="en"),
            _doc("no-vector", "card question without a vector", None, topic="cards", lang="en"),
        ],
    )
    return search_index


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / (math.hypot(*a) * math.hypot(*b))


# -- lifecycle ---------------------------------------------------------------------------------------


def test_a_new_index_is_empty(search_index: SearchIndex) -> None:
    # Given
    search_index.ensure_index("fresh", dimensions=4)

    # When / Then
    assert search_index.count("fresh") == 0


def test_ensure_index_twice_keeps_the_documents(faq: SearchIndex) -> None:
    # When
    faq.ensure_index("faq", dimensions=3)
    faq.ensure_index("faq")

    # Then
    assert faq.count("faq") == 6


def test_ensure_index_with_other_dimensions_is_refused(faq: SearchIndex) -> None:
    # When / Then
    with pytest.raises(ValueError, match="3 dimensions"):
        faq.ensure_index("faq", dimensions=5)


def test_upsert_replaces_a_document_with_the_same_id(faq: SearchIndex) -> None:
    # When
    faq.upsert("faq", [_doc("refund", "refund replaced", [0.0, 0.0, 1.0], topic="other")])

    # Then
    assert faq.count("faq") == 6
    [document] = faq.get("faq", ["refund"])
    assert (document.text, document.fields) == ("refund replaced", {"topic": "other"})
    assert document.vector == pytest.approx([0.0, 0.0, 1.0])


def test_get_returns_found_documents_in_the_order_asked(faq: SearchIndex) -> None:
    # When
    documents = faq.get("faq", ["transfer", "missing", "card-lost", "no-vector"])

    # Then
    assert [document.id for document in documents] == ["transfer", "card-lost", "no-vector"]
    assert documents[0].vector == pytest.approx([0.0, 0.0, 1.0])
    assert documents[2].vector is None
    assert documents[1].fields == {"topic": "cards", "lang": "en"}


def test_documents_given_and_returned_share_nothing_with_the_index(search_index: SearchIndex) -> None:
    # Given
    search_index.ensure_index("tags")
    tags = ["vip"]
    search_index.upsert("tags", [_doc("a", "card", None, tags=tags)])
    tags.append("changed by the caller")

    # When
    search_index.get("tags", ["a"])[0].fields["tags"].append("changed via get")
    search_index.search("tags", text="card")[0].fields["tags"].append("changed via a hit")

    # Then
    assert search_index.get("tags", ["a"])[0].fields == {"tags": ["vip"]}


def test_delete_index_removes_it_and_tolerates_a_missing_one(faq: SearchIndex) -> None:
    # When
    faq.delete_index("faq")
    faq.delete_index("never-created")

    # Then
    with pytest.raises(NotFound):
        faq.count("faq")


@pytest.mark.parametrize(
    "call",
    [
        lambda index: index.count("nope"),
        lambda index: index.search("nope", text="card"),
        lambda index: index.get("nope", ["a"]),
        lambda index: index.upsert("nope", [_doc("a", "x")]),
    ],
    ids=["count", "search", "get", "upsert"],
)
def test_a_missing_index_raises_not_found(search_index: SearchIndex, call: Any) -> None:
    # When / Then
    with pytest.raises(NotFound, match="nope"):
        call(search_index)


def test_the_first_vector_fixes_the_dimensions_of_an_index_created_without_them(
    search_index: SearchIndex,
) -> None:
    # Given
    search_index.ensure_index("loose")
    search_index.upsert("loose", [_doc("a", "text only")])

    # When
    search_index.upsert("loose", [_doc("b", "with vector", [0.0, 1.0])])

    # Then
    assert [hit.id for hit in search_index.search("loose", vector=[0.0, 1.0])] == ["b"]
    with pytest.raises(ValueError, match="2"):
        search_index.upsert("loose", [_doc("c", "", [1.0, 0.0, 0.0])])


# -- text (BM25) -------------------------------------------------------------------------------------


def test_text_search_returns_only_matching_documents(faq: SearchIndex) -> None:
    # When
    hits = faq.search("faq", text="transfer abroad")

    # Then
    assert [hit.id for hit in hits] == ["transfer"]
    assert hits[0].text == "How do I transfer money abroad"
    assert hits[0].fields == {"topic": "transfers", "lang": "en"}


def test_text_search_folds_plurals_and_case(faq: SearchIndex) -> None:
    # When
    hits = faq.search("faq", text="REFUND")

    # Then
    assert {hit.id for hit in hits} == {"refund", "refunds-late"}


def test_text_search_ranks_documents_with_more_of_the_rare_terms_first(faq: SearchIndex) -> None:
    # When
    hits = faq.search("faq", text="card declined")

    # Then
    assert hits[0].id == "card-declined"
    assert {hit.id for hit in hits} == {"card-declined", "card-lost", "no-vector"}
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_a_query_of_stop_words_only_matches_nothing(faq: SearchIndex) -> None:
    # When / Then
    assert faq.search("faq", text="the and of") == []


def test_k_limits_the_hits(faq: SearchIndex) -> None:
    # When
    hits = faq.search("faq", text="card refund transfer", k=2)

    # Then
    assert len(hits) == 2


# -- vectors (cosine k-NN) ---------------------------------------------------------------------------


def test_vector_search_scores_by_cosine_similarity(faq: SearchIndex) -> None:
    # Given
    query = [1.0, 0.2, 0.0]

    # When
    hits = faq.search("faq", vector=query, k=3)

    # Then
    assert [hit.id for hit in hits] == ["card-declined", "card-lost", "refunds-late"]
    assert hits[0].score == pytest.approx(_cosine(query, [0.9, 0.1, 0.0]), abs=1e-5)
    assert hits[1].score == pytest.approx(_cosine(query, [1.0, 0.0, 0.0]), abs=1e-5)


def test_vector_search_skips_documents_without_a_vector(faq: SearchIndex) -> None:
    # When
    hits = faq.search("faq", vector=[1.0, 0.0, 0.0], k=10)

    # Then
    assert len(hits) == 5
    assert "no-vector" not in {hit.id for hit in hits}


def test_a_query_vector_of_the_wrong_size_is_refused(faq: SearchIndex) -> None:
    # When / Then
    with pytest.raises(ValueError, match="dimensions"):
        faq.search("faq", vector=[1.0, 0.0])


# -- filters -----------------------------------------------------------------------------------------


def test_a_filter_value_keeps_equal_documents(faq: SearchIndex) -> None:
    # When
    hits = faq.search("faq", vector=[1.0, 0.0, 0.0], filters={"topic": "refunds"})

    # Then
    assert {hit.id for hit in hits} == {"refund", "refunds-late"}


def test_a_filter_list_keeps_documents_equal_to_any_value(faq: SearchIndex) -> None:
    # When
    hits = faq.search("faq", text="card refund transfer", filters={"topic": ["transfers", "refunds"]})

    # Then
    assert {hit.id for hit in hits} == {"refund", "refunds-late", "transfer"}


def test_filters_on_several_fields_must_all_hold(faq: SearchIndex) -> None:
    # When
    hits = faq.search("faq", text="refund", filters={"topic": "refunds", "lang": "de"})

    # Then
    assert [hit.id for hit in hits] == ["refunds-late"]


def test_a_list_valued_field_matches_when_any_element_does(search_index: SearchIndex) -> None:
    # Given
    search_index.ensure_index("tags", dimensions=2)
    search_index.upsert(
        "tags", [_doc("a", "card", [1.0, 0.0], tags=["vip", "new"]), _doc("b", "card", [0.0, 1.0])]
    )

    # When
    hits = search_index.search("tags", text="card", filters={"tags": "vip"})

    # Then
    assert [hit.id for hit in hits] == ["a"]


def test_filters_keep_integers_and_booleans_apart(search_index: SearchIndex) -> None:
    # Given
    search_index.ensure_index("typed")
    search_index.upsert("typed", [_doc("one", "card", None, flag=1), _doc("true", "card", None, flag=True)])

    # When
    hits = search_index.search("typed", text="card", filters={"flag": True})

    # Then
    assert [hit.id for hit in hits] == ["true"]


# -- hybrid ------------------------------------------------------------------------------------------


def test_hybrid_mixes_min_max_normalised_scores_by_text_weight(faq: SearchIndex) -> None:
    # Given: the two sides alone
    text_hits = {hit.id: hit.score for hit in faq.search("faq", text="refund shoes", k=50)}
    vector_hits = {hit.id: hit.score for hit in faq.search("faq", vector=[0.2, 1.0, 0.0], k=50)}

    def normalised(scores: dict[str, float]) -> dict[str, float]:
        low, high = min(scores.values()), max(scores.values())
        return {id_: (score - low) / (high - low) for id_, score in scores.items()}

    text_norm, vector_norm = normalised(text_hits), normalised(vector_hits)
    expected = {
        id_: 0.3 * text_norm.get(id_, 0.0) + 0.7 * vector_norm.get(id_, 0.0)
        for id_ in {*text_hits, *vector_hits}
    }

    # When
    hits = faq.search("faq", text="refund shoes", vector=[0.2, 1.0, 0.0], text_weight=0.3, k=3)

    # Then
    best = sorted(expected.items(), key=lambda item: (-item[1], item[0]))[:3]
    assert [(hit.id, round(hit.score, 5)) for hit in hits] == [(id_, round(score, 5)) for id_, score in best]


@pytest.mark.parametrize(("weight", "first"), [(1.0, "card-declined"), (0.0, "transfer")])
def test_hybrid_weight_at_an_end_follows_one_side(faq: SearchIndex, weight: float, first: str) -> None:
    # When
    hits = faq.search("faq", text="card declined", vector=[0.0, 0.0, 1.0], text_weight=weight)

    # Then
    assert hits[0].id == first
    assert hits[0].score == pytest.approx(1.0)


def test_hybrid_honours_filters_on_both_sides(faq: SearchIndex) -> None:
    # When
    hits = faq.search("faq", text="card", vector=[1.0, 0.0, 0.0], filters={"lang": "de"})

    # Then
    assert [hit.id for hit in hits] == ["refunds-late"]


# -- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "text, a vector, or both"),
        ({"text": "card", "k": 0}, "k must be"),
        ({"text": "card", "text_weight": 1.5}, "text_weight"),
        ({"vector": [0.0, 0.0, 0.0]}, "zero vector"),
        ({"vector": [math.nan, 0.0, 1.0]}, "NaN"),
        ({"text": "card", "filters": {"topic": []}}, "filter 'topic'"),
        ({"text": "card", "filters": {"topic": {"nested": 1}}}, "filter 'topic'"),
        ({"text": "card", "filters": {"a.b": "x"}}, "field name"),
    ],
)
def test_bad_queries_are_refused_with_the_reason(
    faq: SearchIndex, arguments: dict[str, Any], message: str
) -> None:
    # When / Then
    with pytest.raises(ValueError, match=message):
        faq.search("faq", **arguments)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_doc("zero", "x", [0.0, 0.0, 0.0]), "'zero'.*not all zeros"),
        (_doc("short", "x", [1.0, 0.0]), "'short'.*2 dimensions"),
        (_doc("inf", "x", [math.inf, 0.0, 1.0]), "'inf'.*finite"),
        (_doc("dotted", "x", None, **{"a.b": 1}), "'dotted'.*field name"),
    ],
)
def test_bad_documents_are_refused_naming_the_document(
    faq: SearchIndex, document: SearchDocument, message: str
) -> None:
    # When / Then
    with pytest.raises(ValueError, match=message):
        faq.upsert("faq", [_doc("fine", "ok", [1.0, 0.0, 0.0]), document])
    assert faq.get("faq", ["fine"]) == []


@pytest.mark.parametrize("name", ["Upper", "_hidden", "has space", "a/b", ""])
def test_bad_index_names_are_refused(search_index: SearchIndex, name: str) -> None:
    # When / Then
    with pytest.raises(ValueError, match="index name"):
        search_index.ensure_index(name)
