"""The search index on OpenSearch (a managed domain, service ``es``, or Serverless, ``aoss``).

A domain takes our ids as document ``_id`` (an upsert overwrites in place), refreshes on write, and uses
the Lucene HNSW engine. A Serverless vector collection refuses custom ``_id`` and the ``refresh``
parameter and prefers Faiss: there an upsert indexes new copies and deletes the copies found for those
ids, documents are found by their ``id`` keyword, and a copy that is briefly duplicated (the collection
is eventually consistent) is returned once.

Each index maps ``text`` with the analyzer of ``rehearsal.storage.analysis`` (BM25), ``vector`` as a
``knn_vector`` (HNSW, cosine) and the filterable ``fields`` object, whose strings are keywords so filters
match whole values. k-NN and BM25 are separate queries; hybrid search mixes their results here, by the
rules of ``rehearsal.storage.search_contract``, exactly as the local index does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar

from opensearchpy import AWSV4SignerAuth, OpenSearch, RequestsHttpConnection
from opensearchpy.exceptions import AuthorizationException, NotFoundError, RequestError, TransportError

from rehearsal.settings import Settings
from rehearsal.storage import search_contract as rules
from rehearsal.storage.analysis import ANALYZER_NAME, OPENSEARCH_ANALYSIS
from rehearsal.storage.aws.clients import session
from rehearsal.storage.ports import NotFound, SearchDocument, SearchHit, StorageError

VECTOR_FIELD = "vector"
_BULK_CHUNK = 500
_MAX_RESULT_WINDOW = 10_000  # OpenSearch's default index.max_result_window
_NO_VECTOR = 0  # cached dimensions of an index mapped without a vector field


def vector_mapping(dimensions: int, engine: str) -> dict[str, Any]:
    return {
        "type": "knn_vector",
        "dimension": dimensions,
        "method": {"name": "hnsw", "space_type": "cosinesimil", "engine": engine},
    }


def index_body(dimensions: int | None, engine: str) -> dict[str, Any]:
    """Settings and mappings of a new index (``index.knn`` is static, so it is always on).

    The vector field is there when the dimensions are known; otherwise the first vector adds it.
    """
    properties: dict[str, Any] = {
        "id": {"type": "keyword"},
        "text": {"type": "text", "analyzer": ANALYZER_NAME},
        "fields": {"type": "object", "dynamic": True},
    }
    if dimensions is not None:
        properties[VECTOR_FIELD] = vector_mapping(dimensions, engine)
    return {
        "settings": {"index": {"knn": True}, "analysis": OPENSEARCH_ANALYSIS},
        "mappings": {
            "dynamic_templates": [
                {
                    "field_strings_as_keywords": {
                        "path_match": "fields.*",
                        "match_mapping_type": "string",
                        "mapping": {"type": "keyword"},
                    }
                }
            ],
            "properties": properties,
        },
    }


def index_template(prefix: str, engine: str) -> dict[str, Any]:
    """A composable index template giving every index under ``prefix`` the same settings and mappings,
    so indexes created outside this adapter (by hand, by a pipeline) still analyse and filter alike.
    The vector field is left to each index: its dimensions depend on the embedding model."""
    return {"index_patterns": [f"{prefix}*"], "priority": 100, "template": index_body(None, engine)}


def filter_clauses(filters: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    for name, wanted in (filters or {}).items():
        values = rules.filter_values(wanted)
        if isinstance(wanted, list | tuple):
            clauses.append({"terms": {f"fields.{name}": values}})
        else:
            clauses.append({"term": {f"fields.{name}": wanted}})
    return clauses


def match_query(text: str, size: int, filters: Mapping[str, Any] | None) -> dict[str, Any]:
    return {
        "size": size,
        "query": {
            "bool": {"must": [{"match": {"text": {"query": text}}}], "filter": filter_clauses(filters)}
        },
        "_source": {"excludes": [VECTOR_FIELD]},
    }


def knn_query(vector: Sequence[float], size: int, filters: Mapping[str, Any] | None) -> dict[str, Any]:
    knn: dict[str, Any] = {"vector": [float(value) for value in vector], "k": size}
    clauses = filter_clauses(filters)
    if clauses:
        knn["filter"] = {"bool": {"filter": clauses}}
    return {"size": size, "query": {"knn": {VECTOR_FIELD: knn}}, "_source": {"excludes": [VECTOR_FIELD]}}


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _speaks_storage_errors(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn what the cluster or the network says into ``StorageError`` with a hint, not a client trace."""

    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except AuthorizationException as error:
            raise StorageError(
                f"OpenSearch refused the request ({error.status_code}): the role needs this collection's "
                "data access policy (aoss) or domain access policy (es)"
            ) from error
        except TransportError as error:
            raise StorageError(f"OpenSearch request failed ({error.status_code}): {error.error}") from error

    return wrapper


class OpenSearchIndex:
    """``SearchIndex`` on an OpenSearch client (SigV4-signed in AWS; any client in tests)."""

    def __init__(
        self, client: OpenSearch, *, serverless: bool = False, engine: str | None = None, prefix: str = ""
    ) -> None:
        self._client = client
        self._serverless = serverless
        self._refresh: dict[str, str] = {} if serverless else {"refresh": "wait_for"}
        self._engine = engine or ("faiss" if serverless else "lucene")
        self._prefix = prefix
        self._dimensions: dict[str, int] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenSearchIndex:
        if not settings.opensearch_endpoint:
            raise ValueError("the aws backend needs REHEARSAL_OPENSEARCH_ENDPOINT for search")
        aws = session(settings)
        credentials = aws.get_credentials()
        if credentials is None:
            raise StorageError("no AWS credentials found to sign OpenSearch requests")
        region = settings.aws_region or aws.region_name
        auth = AWSV4SignerAuth(credentials, region, settings.opensearch_service)
        client = OpenSearch(
            hosts=[settings.opensearch_endpoint],
            http_auth=auth,
            use_ssl=True,
            verify_certs=True,
            connection_class=RequestsHttpConnection,
            timeout=30,
        )
        return cls(client, serverless=settings.opensearch_service == "aoss")

    @_speaks_storage_errors
    def put_template(self, name: str = "rehearsal") -> None:
        """Install (or update) the index template for this adapter's prefix."""
        self._client.indices.put_index_template(name=name, body=index_template(self._prefix, self._engine))

    def _name(self, index: str) -> str:
        return self._prefix + rules.check_index_name(index)

    def _known_dimensions(self, index: str) -> int:
        """Dimensions of the index's vector field (``_NO_VECTOR`` if none); ``NotFound`` if no index."""
        if index not in self._dimensions:
            try:
                response = self._client.indices.get_mapping(index=self._name(index))
            except NotFoundError:
                raise NotFound(f"search index {index!r} does not exist; call ensure_index first") from None
            [mapping] = response.values()
            vector = mapping["mappings"].get("properties", {}).get(VECTOR_FIELD, {})
            self._dimensions[index] = int(vector.get("dimension", _NO_VECTOR))
        return self._dimensions[index]

    def _add_vector_field(self, index: str, dimensions: int) -> None:
        self._client.indices.put_mapping(
            index=self._name(index),
            body={"properties": {VECTOR_FIELD: vector_mapping(dimensions, self._engine)}},
        )
        self._dimensions[index] = dimensions

    @_speaks_storage_errors
    def ensure_index(self, index: str, *, dimensions: int | None = None) -> None:
        rules.check_dimensions(dimensions)
        name = self._name(index)
        if not self._client.indices.exists(index=name):
            try:
                self._client.indices.create(index=name, body=index_body(dimensions, self._engine))
                self._dimensions[index] = dimensions or _NO_VECTOR
                return
            except RequestError as error:
                if error.error != "resource_already_exists_exception":
                    raise StorageError(f"cannot create search index {index!r}: {error.info}") from error
        existing = self._known_dimensions(index)
        if dimensions is None or existing == dimensions:
            return
        if existing != _NO_VECTOR:
            raise ValueError(f"index {index!r} has {existing} dimensions, asked for {dimensions}")
        self._add_vector_field(index, dimensions)

    @_speaks_storage_errors
    def upsert(self, index: str, documents: Sequence[SearchDocument]) -> None:
        if not documents:
            return
        existing = self._known_dimensions(index)
        vectors = rules.document_vectors(documents, existing or None)
        if vectors is not None and existing == _NO_VECTOR:
            self._add_vector_field(index, vectors.shape[1])
        rows = iter(vectors.tolist() if vectors is not None else [])
        latest: dict[str, dict[str, Any]] = {}  # a later duplicate id in the batch wins
        for document in documents:
            source: dict[str, Any] = {"id": document.id, "text": document.text, "fields": document.fields}
            if document.vector is not None:
                source[VECTOR_FIELD] = next(rows)
            latest.pop(document.id, None)
            latest[document.id] = source
        sources = list(latest.values())
        for start in range(0, len(sources), _BULK_CHUNK):
            self._bulk(index, sources[start : start + _BULK_CHUNK])

    def _bulk(self, index: str, sources: list[dict[str, Any]]) -> None:
        name = self._name(index)
        actions: list[dict[str, Any]] = []
        if self._serverless:
            stale = self._copies(index, [source["id"] for source in sources], fields=["id"])
            for source in sources:
                actions += [{"index": {"_index": name}}, source]
            actions += [{"delete": {"_index": name, "_id": hit["_id"]}} for hit in stale]
        else:
            for source in sources:
                actions += [{"index": {"_index": name, "_id": source["id"]}}, source]
        response = self._client.bulk(body=actions, params=self._refresh)
        if response.get("errors"):
            failed = [
                f"{result.get('_id')}: {result.get('error', {}).get('reason', result.get('error'))}"
                for item in response["items"]
                for result in item.values()
                if result.get("error")
            ]
            raise StorageError(f"search index {index!r}: {len(failed)} operations failed: {failed[:5]}")

    def _copies(
        self, index: str, ids: Sequence[str], *, fields: list[str] | None = None
    ) -> list[dict[str, Any]]:
        """The stored copies (hits) of documents whose ``id`` is among ``ids``."""
        body: dict[str, Any] = {
            "size": min(_MAX_RESULT_WINDOW, 2 * len(ids)),  # room for transient duplicates
            "query": {"terms": {"id": list(ids)}},
        }
        if fields is not None:
            body["_source"] = fields
        response = self._client.search(index=self._name(index), body=body)
        hits: list[dict[str, Any]] = response["hits"]["hits"]
        return hits

    @_speaks_storage_errors
    def get(self, index: str, ids: Sequence[str]) -> list[SearchDocument]:
        self._known_dimensions(index)
        if not ids:
            return []
        if self._serverless:
            copies = self._copies(index, ids)
        else:
            response = self._client.mget(index=self._name(index), body={"ids": list(ids)})
            copies = [doc for doc in response["docs"] if doc.get("found")]
        found: dict[str, dict[str, Any]] = {}
        for copy in copies:
            found.setdefault(copy["_source"].get("id", copy["_id"]), copy["_source"])
        return [
            SearchDocument(
                id=id_,
                text=found[id_].get("text", ""),
                vector=found[id_].get(VECTOR_FIELD),
                fields=found[id_].get("fields", {}),
            )
            for id_ in ids
            if id_ in found
        ]

    @_speaks_storage_errors
    def search(
        self,
        index: str,
        *,
        text: str | None = None,
        vector: Sequence[float] | None = None,
        k: int = 10,
        filters: Mapping[str, Any] | None = None,
        text_weight: float = 0.5,
    ) -> list[SearchHit]:
        rules.check_query(text, vector, k, filters, text_weight)
        dimensions = self._known_dimensions(index)
        if vector is not None and dimensions != _NO_VECTOR:
            rules.check_vector(vector, dimensions, "query")
        size = k if text is None or vector is None else rules.hybrid_pool(k)
        text_hits = self._hits(index, match_query(text, size, filters)) if text is not None else []
        vector_hits = (
            [
                # OpenSearch scores cosinesimil as (1 + cos) / 2; the port speaks cosine.
                hit.model_copy(update={"score": 2.0 * hit.score - 1.0})
                for hit in self._hits(index, knn_query(vector, size, filters))
            ]
            if vector is not None and dimensions != _NO_VECTOR
            else []
        )
        if vector is None:
            return rules.ranked(text_hits, k)
        if text is None:
            return rules.ranked(vector_hits, k)
        return rules.fuse(text_hits, vector_hits, text_weight=text_weight, k=k)

    def _hits(self, index: str, body: dict[str, Any]) -> list[SearchHit]:
        response = self._client.search(index=self._name(index), body=body)
        hits: dict[str, SearchHit] = {}
        for hit in response["hits"]["hits"]:
            source = hit.get("_source", {})
            id_ = source.get("id", hit["_id"])
            if id_ not in hits:  # hits come best first: a transient duplicate copy keeps its best score
                hits[id_] = SearchHit(
                    id=id_,
                    score=float(hit["_score"]),
                    text=source.get("text", ""),
                    fields=source.get("fields", {}),
                )
        return list(hits.values())

    @_speaks_storage_errors
    def count(self, index: str) -> int:
        try:
            return int(self._client.count(index=self._name(index))["count"])
        except NotFoundError:
            raise NotFound(f"search index {index!r} does not exist") from None

    @_speaks_storage_errors
    def delete_index(self, index: str) -> None:
        self._dimensions.pop(index, None)
        try:
            self._client.indices.delete(index=self._name(index))
        except NotFoundError:
            return
