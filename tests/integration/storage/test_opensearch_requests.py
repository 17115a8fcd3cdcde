"""The requests the OpenSearch adapter sends, checked as data against OpenSearch's documented shapes."""

from __future__ import annotations

from typing import Any

import pytest
from fake_opensearch import FakeOpenSearch

from rehearsal.storage.analysis import ANALYZER_NAME
from rehearsal.storage.aws.search import OpenSearchIndex
from rehearsal.storage.ports import SearchDocument, StorageError


@pytest.fixture
def index(fake_opensearch: FakeOpenSearch) -> OpenSearchIndex:
    return OpenSearchIndex(fake_opensearch.client())


def _last(fake: FakeOpenSearch, method: str, suffix: str) -> Any:
    return fake.bodies(method, suffix)[-1]


def test_index_creation_turns_knn_on_and_maps_a_cosine_knn_vector(
    index: OpenSearchIndex, fake_opensearch: FakeOpenSearch
) -> None:
    # When
    index.ensure_index("faq", dimensions=384)

    # Then
    body = _last(fake_opensearch, "PUT", "/faq")
    assert body["settings"]["index"]["knn"] is True
    assert body["mappings"]["properties"]["vector"] == {
        "type": "knn_vector",
        "dimension": 384,
        "method": {"name": "hnsw", "space_type": "cosinesimil", "engine": "lucene"},
    }


def test_index_creation_analyses_text_with_the_declared_analyzer(
    index: OpenSearchIndex, fake_opensearch: FakeOpenSearch
) -> None:
    # When
    index.ensure_index("faq")

    # Then
    body = _last(fake_opensearch, "PUT", "/faq")
    assert body["mappings"]["properties"]["text"] == {"type": "text", "analyzer": ANALYZER_NAME}
    assert ANALYZER_NAME in body["settings"]["analysis"]["analyzer"]
    assert "vector" not in body["mappings"]["properties"]


def test_filterable_strings_are_mapped_as_keywords(
    index: OpenSearchIndex, fake_opensearch: FakeOpenSearch
) -> None:
    # When
    index.ensure_index("faq")

    # Then
    [template] = _last(fake_opensearch, "PUT", "/faq")["mappings"]["dynamic_templates"]
    [(_, rule)] = template.items()
    assert rule == {"path_match": "fields.*", "match_mapping_type": "string", "mapping": {"type": "keyword"}}


def test_ensure_index_on_an_index_another_client_created_reads_its_mapping(
    index: OpenSearchIndex, fake_opensearch: FakeOpenSearch
) -> None:
    # Given
    OpenSearchIndex(fake_opensearch.client()).ensure_index("faq", dimensions=8)

    # When / Then
    with pytest.raises(ValueError, match="8 dimensions"):
        index.ensure_index("faq", dimensions=16)
    assert fake_opensearch.bodies("GET", "/faq/_mapping") == [None]


def test_upsert_sends_bulk_ndjson_action_and_source_pairs(
    index: OpenSearchIndex, fake_opensearch: FakeOpenSearch
) -> None:
    # Given
    index.ensure_index("faq", dimensions=2)

    # When
    index.upsert(
        "faq",
        [
            SearchDocument(id="a", text="lost card", vector=[1.0, 0.0], fields={"topic": "cards"}),
            SearchDocument(id="b", text="no vector"),
        ],
    )

    # Then
    [request] = [r for r in fake_opensearch.requests if r.path.endswith("/_bulk")]
    assert request.body == [
        {"index": {"_index": "faq", "_id": "a"}},
        {"id": "a", "text": "lost card", "fields": {"topic": "cards"}, "vector": [1.0, 0.0]},
        {"index": {"_index": "faq", "_id": "b"}},
        {"id": "b", "text": "no vector", "fields": {}},
    ]
    assert request.params == {"refresh": "wait_for"}


def test_serverless_collections_get_no_refresh_parameter(fake_opensearch: FakeOpenSearch) -> None:
    # Given
    index = OpenSearchIndex(fake_opensearch.client(), serverless=True)
    index.ensure_index("faq")

    # When
    index.upsert("faq", [SearchDocument(id="a", text="x")])

    # Then
    [request] = [r for r in fake_opensearch.requests if r.path.endswith("/_bulk")]
    assert request.params == {}


def test_large_upserts_are_sent_in_chunks(index: OpenSearchIndex, fake_opensearch: FakeOpenSearch) -> None:
    # Given
    index.ensure_index("faq")

    # When
    index.upsert("faq", [SearchDocument(id=str(number), text="x") for number in range(1_200)])

    # Then
    sizes = [len(body) // 2 for body in fake_opensearch.bodies("POST", "/_bulk")]
    assert sizes == [500, 500, 200]
    assert index.count("faq") == 1_200


def test_the_first_vector_adds_the_knn_field_to_a_text_only_index(
    index: OpenSearchIndex, fake_opensearch: FakeOpenSearch
) -> None:
    # Given
    index.ensure_index("faq")

    # When
    index.upsert("faq", [SearchDocument(id="a", text="x", vector=[0.5, 0.5, 0.0])])

    # Then
    assert _last(fake_opensearch, "PUT", "/faq/_mapping") == {
        "properties": {
            "vector": {
                "type": "knn_vector",
                "dimension": 3,
                "method": {"name": "hnsw", "space_type": "cosinesimil", "engine": "lucene"},
            }
        }
    }


def test_a_bulk_item_failure_is_reported_with_the_document_id(fake_opensearch: FakeOpenSearch) -> None:
    # Given: the cluster's mapping says 2 dimensions, this client's cache says 3
    OpenSearchIndex(fake_opensearch.client()).ensure_index("faq", dimensions=2)
    stale = OpenSearchIndex(fake_opensearch.client())
    stale._dimensions["faq"] = 3

    # When / Then
    with pytest.raises(StorageError, match=r"odd-one.*dimension mismatch"):
        stale.upsert("faq", [SearchDocument(id="odd-one", text="x", vector=[1.0, 0.0, 0.0])])


def test_vector_search_sends_a_knn_query_with_an_efficient_filter(
    index: OpenSearchIndex, fake_opensearch: FakeOpenSearch
) -> None:
    # Given
    index.ensure_index("faq", dimensions=2)

    # When
    index.search("faq", vector=[0.6, 0.8], k=7, filters={"topic": "cards", "lang": ["en", "de"]})

    # Then
    assert _last(fake_opensearch, "POST", "/faq/_search") == {
        "size": 7,
        "query": {
            "knn": {
                "vector": {
                    "vector": [0.6, 0.8],
                    "k": 7,
                    "filter": {
                        "bool": {
                            "filter": [
                                {"term": {"fields.topic": "cards"}},
                                {"terms": {"fields.lang": ["en", "de"]}},
                            ]
                        }
                    },
                }
            }
        },
        "_source": {"excludes": ["vector"]},
    }


def test_vector_search_without_filters_sends_no_filter(
    index: OpenSearchIndex, fake_opensearch: FakeOpenSearch
) -> None:
    # Given
    index.ensure_index("faq", dimensions=2)

    # When
    index.search("faq", vector=[0.6, 0.8], k=3)

    # Then
    assert "filter" not in _last(fake_opensearch, "POST", "/faq/_search")["query"]["knn"]["vector"]


def test_text_search_sends_a_match_query_in_a_filtered_bool(
    index: OpenSearchIndex, fake_opensearch: FakeOpenSearch
) -> None:
    # Given
    index.ensure_index("faq")

    # When
    index.search("faq", text="card declined", k=4, filters={"topic": "cards"})

    # Then
    assert _last(fake_opensearch, "POST", "/faq/_search") == {
        "size": 4,
        "query": {
            "bool": {
                "must": [{"match": {"text": {"query": "card declined"}}}],
                "filter": [{"term": {"fields.topic": "cards"}}],
            }
        },
        "_source": {"excludes": ["vector"]},
    }


def test_hybrid_search_asks_each_side_for_the_hybrid_pool(
    index: OpenSearchIndex, fake_opensearch: FakeOpenSearch
) -> None:
    # Given
    index.ensure_index("faq", dimensions=2)

    # When
    index.search("faq", text="card", vector=[1.0, 0.0], k=20)

    # Then
    text_body, vector_body = fake_opensearch.bodies("POST", "/faq/_search")
    assert text_body["size"] == 80
    assert (vector_body["size"], vector_body["query"]["knn"]["vector"]["k"]) == (80, 80)


def test_get_uses_mget_with_ids(index: OpenSearchIndex, fake_opensearch: FakeOpenSearch) -> None:
    # Given
    index.ensure_index("faq")

    # When
    index.get("faq", ["a", "b"])

    # Then
    assert _last(fake_opensearch, "POST", "/faq/_mget") == {"ids": ["a", "b"]}


def test_an_index_prefix_namespaces_every_request(fake_opensearch: FakeOpenSearch) -> None:
    # Given
    index = OpenSearchIndex(fake_opensearch.client(), prefix="tenant-a-")

    # When
    index.ensure_index("faq")
    index.upsert("faq", [SearchDocument(id="a", text="card")])
    index.search("faq", text="card")

    # Then
    assert {request.path.split("/")[1] for request in fake_opensearch.requests} == {"tenant-a-faq", "_bulk"}


def test_the_index_template_covers_the_prefix_with_the_same_settings_and_mappings(
    fake_opensearch: FakeOpenSearch,
) -> None:
    # Given
    index = OpenSearchIndex(fake_opensearch.client(), prefix="rehearsal-")

    # When
    index.put_template()

    # Then
    template = fake_opensearch.templates["rehearsal"]
    assert template["index_patterns"] == ["rehearsal-*"]
    assert template["template"]["settings"]["index"]["knn"] is True
    assert template["template"]["mappings"]["properties"]["text"]["analyzer"] == ANALYZER_NAME
    assert "vector" not in template["template"]["mappings"]["properties"]


# -- Serverless vector collections ---------------------------------------------------------------------


@pytest.fixture
def serverless() -> FakeOpenSearch:
    return FakeOpenSearch(serverless=True)


@pytest.fixture
def collection(serverless: FakeOpenSearch) -> OpenSearchIndex:
    index = OpenSearchIndex(serverless.client(), serverless=True)
    index.ensure_index("faq", dimensions=2)
    return index


def test_serverless_indexes_use_faiss_hnsw(collection: OpenSearchIndex, serverless: FakeOpenSearch) -> None:
    # When
    body = _last(serverless, "PUT", "/faq")

    # Then
    assert body["mappings"]["properties"]["vector"]["method"]["engine"] == "faiss"


def test_serverless_upserts_send_no_document_ids(
    collection: OpenSearchIndex, serverless: FakeOpenSearch
) -> None:
    # When
    collection.upsert("faq", [SearchDocument(id="a", text="card", vector=[1.0, 0.0])])

    # Then
    actions = _last(serverless, "POST", "/_bulk")[::2]
    assert actions == [{"index": {"_index": "faq"}}]


def test_a_serverless_upsert_replaces_copies_found_by_id(
    collection: OpenSearchIndex, serverless: FakeOpenSearch
) -> None:
    # Given
    collection.upsert("faq", [SearchDocument(id="a", text="old")])

    # When
    collection.upsert("faq", [SearchDocument(id="a", text="new")])

    # Then
    lookup = _last(serverless, "POST", "/faq/_search")
    assert lookup == {"size": 2, "query": {"terms": {"id": ["a"]}}, "_source": ["id"]}
    bulk = _last(serverless, "POST", "/_bulk")
    assert bulk[-1] == {"delete": {"_index": "faq", "_id": "auto-0"}}
    assert [document.text for document in collection.get("faq", ["a"])] == ["new"]


def test_serverless_gets_look_documents_up_by_their_id_keyword(
    collection: OpenSearchIndex, serverless: FakeOpenSearch
) -> None:
    # When
    collection.get("faq", ["a", "b"])

    # Then
    assert _last(serverless, "POST", "/faq/_search") == {"size": 4, "query": {"terms": {"id": ["a", "b"]}}}
    assert serverless.bodies("POST", "/faq/_mget") == []


def test_a_transiently_duplicated_document_is_returned_once(
    collection: OpenSearchIndex, serverless: FakeOpenSearch
) -> None:
    # Given: two live copies of "a", as an eventually consistent collection can briefly hold
    collection.upsert("faq", [SearchDocument(id="a", text="card lost", vector=[1.0, 0.0])])
    serverless.handle(
        "POST",
        "/_bulk",
        {},
        '{"index": {"_index": "faq"}}\n'
        '{"id": "a", "text": "card lost", "fields": {}, "vector": [1.0, 0.1]}\n',
    )

    # When
    text_hits = collection.search("faq", text="card")
    vector_hits = collection.search("faq", vector=[1.0, 0.0])

    # Then
    assert [hit.id for hit in text_hits] == ["a"]
    assert [hit.id for hit in vector_hits] == ["a"]
    assert vector_hits[0].score == pytest.approx(1.0)
    assert len(collection.get("faq", ["a"])) == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [(403, "data access policy"), (500, r"request failed \(500\)"), (400, r"request failed \(400\)")],
)
def test_cluster_errors_become_storage_errors_with_a_hint(status: int, message: str) -> None:
    # Given
    index = OpenSearchIndex(FakeOpenSearch(refuse=status).client())

    # When / Then
    with pytest.raises(StorageError, match=message):
        index.search("faq", text="card")
