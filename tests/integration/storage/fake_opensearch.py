"""An in-process stand-in for an OpenSearch cluster, plugged in as opensearch-py's connection class.

It records every request, checks each body against the request shapes OpenSearch documents (index
creation with ``index.knn`` and ``knn_vector`` mappings, bulk NDJSON, ``_mget``, ``match`` and ``knn``
queries with ``term``/``terms`` filters) and answers with responses computed by the local engine, so the
adapter's hit parsing, score conversion, filters and hybrid mixing run for real. A request outside those
shapes fails with the 400 a cluster would send.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from typing import Any

from opensearchpy import Connection, OpenSearch

from rehearsal.storage.local import LocalSearchIndex
from rehearsal.storage.ports import SearchDocument


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, Any]
    body: Any  # parsed JSON; a list of parsed lines for NDJSON


class BadRequestError(Exception):
    def __init__(self, reason: str, kind: str = "parsing_exception", status: int = 400) -> None:
        super().__init__(reason)
        self.kind, self.status = kind, status


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise BadRequestError(reason)


@dataclass
class FakeOpenSearch:
    requests: list[Request] = field(default_factory=list)
    mappings: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    serverless: bool = False  # behave as a Serverless vector collection: no custom _id, no refresh
    refuse: int | None = None  # answer every request with this error status (403, 500…)
    sources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # index → copy id → _source
    deleted: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="fake-opensearch-")
        self.engine = LocalSearchIndex(self._folder.name)

    def client(self) -> OpenSearch:
        server = self

        class Bound(_FakeConnection):
            fake = server

        return OpenSearch(hosts=[{"host": "search.example", "port": 443}], connection_class=Bound)

    def bodies(self, method: str, suffix: str) -> list[Any]:
        return [r.body for r in self.requests if r.method == method and r.path.endswith(suffix)]

    # -- routing ------------------------------------------------------------------------------------

    def handle(self, method: str, path: str, params: dict[str, Any], raw: str | None) -> tuple[int, Any]:
        body: Any = None
        if raw:
            body = (
                [json.loads(line) for line in raw.splitlines() if line.strip()]
                if path.endswith("/_bulk")
                else json.loads(raw)
            )
        self.requests.append(Request(method, path, dict(params), body))
        if self.refuse is not None:
            raise BadRequestError("refused", "security_exception", self.refuse)
        if self.serverless and "refresh" in params:
            raise BadRequestError(
                "refresh is not supported by Serverless collections", "illegal_argument_exception"
            )
        parts = [part for part in path.split("/") if part]
        index = parts[0] if parts and not parts[0].startswith("_") else None
        action = parts[1] if len(parts) > 1 else None
        if action == "_bulk" or (index is None and parts == ["_bulk"]):
            return 200, self._bulk(body)
        if parts[:1] == ["_index_template"] and method == "PUT":
            return self._put_template(parts[1], body)
        if index is None:
            raise BadRequestError(f"no route for {method} {path}", "illegal_argument_exception")
        if action is None:
            return {"HEAD": self._exists, "PUT": self._create, "DELETE": self._delete}[method](index, body)
        self._known(index)
        routes = {
            ("GET", "_mapping"): self._get_mapping,
            ("PUT", "_mapping"): self._put_mapping,
            ("POST", "_mget"): self._mget,
            ("GET", "_mget"): self._mget,
            ("POST", "_search"): self._search,
            ("GET", "_search"): self._search,
            ("GET", "_count"): self._count,
            ("POST", "_count"): self._count,
        }
        return routes[(method, action)](index, body)

    def _put_template(self, name: str, body: dict[str, Any]) -> tuple[int, Any]:
        _require(
            set(body) <= {"index_patterns", "template", "priority", "composed_of", "version", "_meta"},
            "unknown key in a composable index template",
        )
        _require(
            isinstance(body.get("index_patterns"), list) and bool(body["index_patterns"]), "index_patterns"
        )
        _require(
            set(body["template"]) <= {"settings", "mappings", "aliases"}, "template holds settings/mappings"
        )
        self.templates[name] = body
        return 200, {"acknowledged": True}

    def _known(self, index: str) -> None:
        if index not in self.mappings:
            raise BadRequestError(f"no such index [{index}]", "index_not_found_exception", 404)

    def _exists(self, index: str, body: Any) -> tuple[int, Any]:
        return (200 if index in self.mappings else 404), None

    def _create(self, index: str, body: Any) -> tuple[int, Any]:
        if index in self.mappings:
            raise BadRequestError(f"index [{index}] already exists", "resource_already_exists_exception")
        _require(set(body) <= {"settings", "mappings"}, "unknown top-level key in index creation")
        settings = body.get("settings", {})
        _require(
            settings.get("index", {}).get("knn") is True, "k-NN needs the static setting index.knn: true"
        )
        analyzers = settings.get("analysis", {}).get("analyzer", {})
        properties = body["mappings"]["properties"]
        for name, mapping in properties.items():
            if mapping.get("type") == "text" and "analyzer" in mapping:
                _require(
                    mapping["analyzer"] in analyzers,
                    f"analyzer [{mapping['analyzer']}] not found for [{name}]",
                )
        dimensions = self._vector_dimensions(properties)
        self.settings[index], self.mappings[index] = settings, body["mappings"]
        self.sources[index], self.deleted[index] = {}, set()
        self.engine.ensure_index(index, dimensions=dimensions)
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": index}

    def _vector_dimensions(self, properties: dict[str, Any]) -> int | None:
        vector = properties.get("vector")
        if vector is None:
            return None
        _require(vector.get("type") == "knn_vector", "the vector field must be a knn_vector")
        _require(isinstance(vector.get("dimension"), int), "knn_vector needs an integer dimension")
        method = vector.get("method", {})
        _require(method.get("name") == "hnsw", "method.name must be hnsw")
        _require(method.get("space_type") == "cosinesimil", "space_type must be cosinesimil")
        _require(method.get("engine") in {"lucene", "faiss", "nmslib"}, "unknown k-NN engine")
        _require(not self.serverless or method["engine"] == "faiss", "vector collections take Faiss HNSW")
        return int(vector["dimension"])

    def _get_mapping(self, index: str, body: Any) -> tuple[int, Any]:
        return 200, {index: {"mappings": self.mappings[index]}}

    def _put_mapping(self, index: str, body: Any) -> tuple[int, Any]:
        _require(set(body) == {"properties"}, "a mapping update carries properties only")
        dimensions = self._vector_dimensions(body["properties"])
        _require("vector" not in self.mappings[index]["properties"], "mapper [vector] cannot be changed")
        self.mappings[index]["properties"].update(body["properties"])
        self.engine.ensure_index(index, dimensions=dimensions)
        return 200, {"acknowledged": True}

    def _delete(self, index: str, body: Any) -> tuple[int, Any]:
        self._known(index)
        del self.mappings[index], self.sources[index], self.deleted[index]
        self.engine.delete_index(index)
        return 200, {"acknowledged": True}

    def _bulk(self, lines: list[dict[str, Any]]) -> dict[str, Any]:
        items: list[dict[str, Any]] = []
        batches: dict[str, list[SearchDocument]] = {}
        position = 0
        while position < len(lines):
            action = lines[position]
            _require(
                len(action) == 1 and next(iter(action)) in {"index", "delete"}, "index or delete actions"
            )
            [(kind, meta)] = action.items()
            index = meta.get("_index")
            if kind == "delete":
                _require(set(meta) == {"_index", "_id"}, "delete action needs _index and _id")
                items.append({"delete": self._delete_copy(index, meta["_id"])})
                position += 1
                continue
            _require(position + 1 < len(lines), "an index action is followed by its source line")
            source = lines[position + 1]
            position += 2
            _require(set(meta) <= {"_index", "_id"} and "_index" in meta, "index action needs _index")
            error = self._source_error(index, meta, source)
            if error is not None:
                result = {"_index": index, "_id": meta.get("_id"), "status": error[0]}
                items.append({"index": {**result, "error": {"type": error[1], "reason": error[2]}}})
                continue
            copy_id = (
                meta.get("_id")
                or f"auto-{len(self.sources.get(index, {})) + len(self.deleted.get(index, ()))}"
            )
            self.sources[index][copy_id] = source
            self.deleted[index].discard(copy_id)
            batches.setdefault(index, []).append(
                SearchDocument(
                    id=copy_id, text=source["text"], vector=source.get("vector"), fields=source["fields"]
                )
            )
            items.append({"index": {"_index": index, "_id": copy_id, "status": 201, "result": "created"}})
        for index, documents in batches.items():
            self.engine.upsert(index, documents)
        return {
            "took": 1,
            "errors": any("error" in result for item in items for result in item.values()),
            "items": items,
        }

    def _delete_copy(self, index: str, copy_id: str) -> dict[str, Any]:
        if copy_id not in self.sources.get(index, {}) or copy_id in self.deleted[index]:
            return {"_index": index, "_id": copy_id, "status": 404, "result": "not_found"}
        self.deleted[index].add(copy_id)
        return {"_index": index, "_id": copy_id, "status": 200, "result": "deleted"}

    def _source_error(
        self, index: str, meta: dict[str, Any], source: dict[str, Any]
    ) -> tuple[int, str, str] | None:
        if index not in self.mappings:
            return 404, "index_not_found_exception", f"no such index [{index}]"
        if self.serverless and "_id" in meta:
            return (
                400,
                "illegal_argument_exception",
                "Document ID is not supported in create/index operation request",
            )
        if not set(source) <= {"id", "text", "fields", "vector"}:
            return 400, "strict_dynamic_mapping_exception", f"unexpected source keys {sorted(source)}"
        vector = source.get("vector")
        expected = self.mappings[index]["properties"].get("vector", {}).get("dimension")
        if vector is not None and len(vector) != expected:
            return 400, "mapper_parsing_exception", f"Vector dimension mismatch. Expected: {expected}"
        return None

    def _live(self, index: str) -> dict[str, dict[str, Any]]:
        return {
            copy_id: source
            for copy_id, source in self.sources[index].items()
            if copy_id not in self.deleted[index]
        }

    def _mget(self, index: str, body: Any) -> tuple[int, Any]:
        _require(set(body) == {"ids"}, "_mget body must be {ids: [...]}")
        live = self._live(index)
        docs = []
        for copy_id in body["ids"]:
            entry: dict[str, Any] = {"_index": index, "_id": copy_id, "found": copy_id in live}
            if copy_id in live:
                entry["_source"] = live[copy_id]
            docs.append(entry)
        return 200, {"docs": docs}

    def _count(self, index: str, body: Any) -> tuple[int, Any]:
        return 200, {"count": len(self._live(index))}

    def _search(self, index: str, body: dict[str, Any]) -> tuple[int, Any]:
        _require(set(body) <= {"size", "query", "_source"}, f"unexpected search keys {sorted(body)}")
        size = body.get("size", 10)
        query = body["query"]
        _require(len(query) == 1, "one query clause at the top")
        # The engine does not forget deleted copies: ask for enough to drop them and still fill the page.
        room = size + len(self.deleted[index])
        if "terms" in query:
            [(path, wanted)] = query["terms"].items()
            _require(path == "id" and isinstance(wanted, list), "documents are looked up by their id keyword")
            scored = [
                (copy_id, 1.0) for copy_id, source in self.sources[index].items() if source["id"] in wanted
            ]
        elif "knn" in query:
            knn = query["knn"]
            _require(list(knn) == ["vector"], "knn targets the vector field")
            clause = knn["vector"]
            _require(set(clause) <= {"vector", "k", "filter"}, f"unexpected knn keys {sorted(clause)}")
            filters = self._filters(clause.get("filter", {"bool": {"filter": []}})["bool"]["filter"])
            hits = self.engine.search(
                index, vector=clause["vector"], k=min(clause["k"], size) + room - size, filters=filters
            )
            scored = [(hit.id, (1.0 + hit.score) / 2.0) for hit in hits]  # cosinesimil's documented score
        else:
            boolean = query["bool"]
            _require(set(boolean) <= {"must", "filter"}, "bool query with must and filter")
            [must] = boolean["must"]
            match = must["match"]["text"]
            _require(set(match) == {"query"}, "match on text takes a query")
            filters = self._filters(boolean.get("filter", []))
            hits = self.engine.search(index, text=match["query"], k=room, filters=filters)
            scored = [(hit.id, hit.score) for hit in hits]
        live = self._live(index)
        selected = [(copy_id, score) for copy_id, score in scored if copy_id in live][:size]
        hits_out = [
            {
                "_index": index,
                "_id": copy_id,
                "_score": score,
                "_source": self._project(live[copy_id], body.get("_source")),
            }
            for copy_id, score in selected
        ]
        total = {"value": len(hits_out), "relation": "eq"}
        return 200, {"took": 1, "timed_out": False, "hits": {"total": total, "hits": hits_out}}

    @staticmethod
    def _project(source: dict[str, Any], wanted: Any) -> dict[str, Any]:
        if wanted is None:
            return dict(source)
        if isinstance(wanted, list):
            return {key: value for key, value in source.items() if key in wanted}
        _require(set(wanted) == {"excludes"}, "_source takes a list of fields or excludes")
        return {key: value for key, value in source.items() if key not in wanted["excludes"]}

    @staticmethod
    def _filters(clauses: list[dict[str, Any]]) -> dict[str, Any] | None:
        filters: dict[str, Any] = {}
        for clause in clauses:
            [(kind, target)] = clause.items()
            _require(kind in {"term", "terms"}, f"unexpected filter clause {kind}")
            [(path, value)] = target.items()
            _require(path.startswith("fields."), "filters target fields.*")
            _require((kind == "terms") == isinstance(value, list), "terms takes a list, term a value")
            filters[path.removeprefix("fields.")] = value
        return filters or None


class _FakeConnection(Connection):
    fake: FakeOpenSearch

    def perform_request(
        self,
        method: str,
        url: str,
        params: Any = None,
        body: bytes | str | None = None,
        timeout: Any = None,
        ignore: Any = (),
        headers: Any = None,
    ) -> tuple[int, dict[str, str], str]:
        raw = body.decode() if isinstance(body, bytes) else body
        try:
            status, payload = self.fake.handle(method, url.split("?", maxsplit=1)[0], dict(params or {}), raw)
        except BadRequestError as error:
            payload = {"error": {"type": error.kind, "reason": str(error)}, "status": error.status}
            self._raise_error(error.status, json.dumps(payload), "application/json")
        if status >= 300 and status not in ignore and method != "HEAD":
            self._raise_error(status, json.dumps(payload), "application/json")
        return (
            status,
            {"content-type": "application/json"},
            json.dumps(payload) if payload is not None else "",
        )
