"""The embedded search index: exact cosine k-NN in numpy, Lucene-style BM25 over sparse term counts.

Each index is a folder of append-only segments (``<n>.json`` documents + ``<n>.npy`` vectors) listed by
``manifest.json``; an upsert writes one segment, so its cost is the batch's, not the index's, and
segments merge logarithmically (see ``_Index.settle``). A process reloads an index whose
manifest another process has replaced; writers take a file lock.
"""

from __future__ import annotations

import copy
import fcntl
import json
import os
import shutil
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from rehearsal.storage import search_contract as rules
from rehearsal.storage.analysis import analyze
from rehearsal.storage.ports import NotFound, SearchDocument, SearchHit, StorageError

_LOAD_ATTEMPTS = 20


class _SegmentGoneError(Exception):
    """A segment named by the manifest we read was merged away meanwhile."""


# id, text, fields, has a vector: a document as a segment stores it (its vector sits in the .npy file).
_Entry = tuple[str, str, dict[str, Any], bool]
# Lucene's BM25 defaults (OpenSearch's default similarity).
_K1 = 1.2
_B = 0.75


class _Bm25:
    """Term statistics of one index snapshot, column-major for fast per-term scoring."""

    def __init__(self, rows: Sequence[tuple[np.ndarray, np.ndarray]], vocabulary: int) -> None:
        lengths = np.fromiter((len(terms) for terms, _ in rows), dtype=np.int64, count=len(rows))
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        terms = np.concatenate([terms for terms, _ in rows]) if rows else np.zeros(0, np.int32)
        counts = np.concatenate([counts for _, counts in rows]) if rows else np.zeros(0, np.float32)
        matrix = sparse.csr_matrix((counts, terms, indptr), shape=(len(rows), max(vocabulary, 1)))
        self.by_term = matrix.tocsc()
        self.doc_length = np.asarray(matrix.sum(axis=1)).ravel().astype(np.float32)
        self.with_text = int(np.count_nonzero(self.doc_length))
        average = float(self.doc_length.sum()) / max(self.with_text, 1)
        self.length_norm = _K1 * (1.0 - _B + _B * self.doc_length / max(average, 1e-9))

    def scores(self, query_terms: Mapping[int, int]) -> np.ndarray:
        scores = np.zeros(self.by_term.shape[0], dtype=np.float32)
        indptr, indices, data = self.by_term.indptr, self.by_term.indices, self.by_term.data
        for term, repeats in query_terms.items():
            start, end = indptr[term], indptr[term + 1]
            if start == end:
                continue
            rows, tf = indices[start:end], data[start:end]
            idf = np.log1p((self.with_text - (end - start) + 0.5) / ((end - start) + 0.5))
            scores[rows] += repeats * idf * tf / (tf + self.length_norm[rows])
        return scores


class _Index:
    """One index held in memory, mirrored to its folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest_path = folder / "manifest.json"
        self.dimensions: int | None = None
        self.segments: list[str] = []
        self.segment_ids: dict[str, list[str]] = {}  # the ids each segment holds, to merge from memory
        self.obsolete: list[str] = []  # merged-away segments whose files go once the manifest moves on
        self.next_segment = 1
        self.stamp: tuple[int, int] = (-1, -1)
        self.ids: list[str] = []
        self.row: dict[str, int] = {}
        self.texts: list[str] = []
        self.fields: list[dict[str, Any]] = []
        self.vectors = np.zeros((0, 0), dtype=np.float32)
        self.norms = np.zeros(0, dtype=np.float32)
        self.terms: list[tuple[np.ndarray, np.ndarray] | None] = []
        self.vocabulary: dict[str, int] = {}
        self._bm25: _Bm25 | None = None
        self._postings: dict[str, dict[tuple[bool, Any], list[int]]] = {}

    # -- memory -------------------------------------------------------------------------------------

    def apply(self, entries: Sequence[_Entry], vectors: np.ndarray | None) -> None:
        """Insert or replace documents; ``vectors`` holds the rows of those with a vector, in order."""
        if vectors is not None and self.dimensions is None:
            self.dimensions = vectors.shape[1]
        self._grow(len(self.ids) + len(entries))
        rows = np.empty(len(entries), dtype=np.int64)
        has = np.empty(len(entries), dtype=bool)
        for position, (id_, text, fields, has_vector) in enumerate(entries):
            row = self.row.get(id_)
            if row is None:
                row = len(self.ids)
                self.row[id_] = row
                self.ids.append(id_)
                self.texts.append(text)
                self.fields.append(fields)
                self.terms.append(None)
            else:
                self.texts[row] = text
                self.fields[row] = fields
                self.terms[row] = None
            rows[position], has[position] = row, has_vector
        # Later duplicates of an id win, as the loop above did for text and fields.
        last = {int(row): position for position, row in enumerate(rows)}
        keep = np.fromiter(last.values(), dtype=np.int64, count=len(last))
        self.norms[rows[keep]] = 0.0
        with_vector = keep[has[keep]]
        if vectors is not None and len(with_vector):
            source = (np.cumsum(has) - 1)[with_vector]  # position of each document's row in ``vectors``
            self.vectors[rows[with_vector]] = vectors[source]
            self.norms[rows[with_vector]] = np.linalg.norm(vectors[source], axis=1)
        self._bm25 = None
        self._postings = {}

    def _grow(self, size: int) -> None:
        width = self.dimensions or 0
        if size <= len(self.norms) and self.vectors.shape[1] == width:
            return
        capacity = max(size, 2 * len(self.norms), 64)
        vectors = np.zeros((capacity, width), dtype=np.float32)
        if self.vectors.shape[1] == width:
            vectors[: len(self.ids)] = self.vectors[: len(self.ids)]
        norms = np.zeros(capacity, dtype=np.float32)
        norms[: len(self.ids)] = self.norms[: len(self.ids)]
        self.vectors, self.norms = vectors, norms

    def bm25(self) -> _Bm25:
        if self._bm25 is None:
            for row, cached in enumerate(self.terms):
                if cached is None:
                    self.terms[row] = self._analyse(self.texts[row])
            rows = [cached for cached in self.terms if cached is not None]
            self._bm25 = _Bm25(rows, len(self.vocabulary))
        return self._bm25

    def _analyse(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for term in analyze(text):
            number = self.vocabulary.setdefault(term, len(self.vocabulary))
            counts[number] = counts.get(number, 0) + 1
        return (
            np.fromiter(counts.keys(), dtype=np.int32, count=len(counts)),
            np.fromiter(counts.values(), dtype=np.float32, count=len(counts)),
        )

    def mask(self, filters: Mapping[str, Any] | None) -> np.ndarray | None:
        """Rows passing every filter, from per-field postings (value → rows) built on first use."""
        if not filters:
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        for name, wanted in filters.items():
            postings = self._postings_of(name)
            passing = np.zeros(len(self.ids), dtype=bool)
            for key in rules.filter_keys(rules.filter_values(wanted)):
                passing[postings.get(key, [])] = True
            keep &= passing
        return keep

    def _postings_of(self, name: str) -> dict[tuple[bool, Any], list[int]]:
        postings = self._postings.get(name)
        if postings is None:
            postings = {}
            for row, fields in enumerate(self.fields):
                for key in rules.filter_keys(fields.get(name)):
                    postings.setdefault(key, []).append(row)
            self._postings[name] = postings
        return postings

    def hits(self, scores: np.ndarray, limit: int) -> list[SearchHit]:
        """The best ``limit`` rows with a finite score, as hits (ties broken by id)."""
        candidates = np.flatnonzero(np.isfinite(scores))
        if len(candidates) > limit:
            # Keep every row tied with the cut-off so the id tie-break sees all of them.
            cutoff = np.partition(scores[candidates], len(candidates) - limit)[len(candidates) - limit]
            candidates = candidates[scores[candidates] >= cutoff]
        return rules.ranked(
            (
                SearchHit(
                    id=self.ids[row],
                    score=float(scores[row]),
                    text=self.texts[row],
                    fields=_detached(self.fields[row]),
                )
                for row in candidates
            ),
            limit,
        )

    def text_hits(self, text: str, limit: int, mask: np.ndarray | None) -> list[SearchHit]:
        bm25 = self.bm25()  # analyses pending documents, so the vocabulary is complete
        query: dict[int, int] = {}
        for term in analyze(text):
            number = self.vocabulary.get(term)
            if number is not None:
                query[number] = query.get(number, 0) + 1
        if not query or not self.ids:
            return []
        scores = bm25.scores(query).astype(np.float64)
        scores[scores <= 0] = -np.inf
        if mask is not None:
            scores[~mask] = -np.inf
        return self.hits(scores, limit)

    def vector_hits(self, vector: Sequence[float], limit: int, mask: np.ndarray | None) -> list[SearchHit]:
        if self.dimensions is None or not self.ids:
            return []
        rules.check_vector(vector, self.dimensions, "query")
        query = np.asarray(vector, dtype=np.float32)
        size = len(self.ids)
        norms = self.norms[:size]
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = (self.vectors[:size] @ query).astype(np.float64) / (norms * np.linalg.norm(query))
        scores[norms == 0] = -np.inf
        if mask is not None:
            scores[~mask] = -np.inf
        return self.hits(scores, limit)

    def document(self, row: int) -> SearchDocument:
        vector = self.vectors[row].tolist() if self.norms[row] > 0 else None
        return SearchDocument(
            id=self.ids[row], text=self.texts[row], vector=vector, fields=_detached(self.fields[row])
        )

    # -- disk ---------------------------------------------------------------------------------------

    def _stamp(self) -> tuple[int, int]:
        # os.replace gives the manifest a new inode, so this changes on every write, even within a tick.
        status = self.manifest_path.stat()
        return status.st_ino, status.st_mtime_ns

    def stale(self) -> bool:
        try:
            return self._stamp() != self.stamp
        except FileNotFoundError:
            return True

    def load(self) -> None:
        """(Re)read the folder into memory.

        Readers take no lock: a writer may merge away a segment between our reading the manifest and
        the segment, in which case the manifest has moved on and reading again finds its successor.
        """
        for _ in range(_LOAD_ATTEMPTS):
            try:
                fresh = self._read()
            except _SegmentGoneError:
                continue
            self.__dict__.update(fresh.__dict__)
            return
        raise StorageError(f"search index {self.folder.name!r} kept changing while being read")

    def _read(self) -> _Index:
        try:
            stamp = self._stamp()  # before the read: a newer manifest then only causes one more reload
            manifest = json.loads(self.manifest_path.read_text())
        except FileNotFoundError:
            raise NotFound(f"search index {self.folder.name!r} does not exist") from None
        fresh = _Index(self.folder)
        fresh.stamp = stamp
        fresh.segments = list(manifest["segments"])
        fresh.next_segment = int(manifest["next_segment"])
        dimensions = manifest["dimensions"]
        fresh.dimensions = int(dimensions) if dimensions is not None else None
        for segment in fresh.segments:
            try:
                entries, vectors = self._read_segment(segment)
            except FileNotFoundError:
                raise _SegmentGoneError(segment) from None
            fresh.segment_ids[segment] = [entry[0] for entry in entries]
            fresh.apply(entries, vectors)
        return fresh

    def _read_segment(self, segment: str) -> tuple[list[_Entry], np.ndarray | None]:
        entries = [
            tuple(entry)
            for entry in json.loads((self.folder / f"{segment}.json").read_text(encoding="utf-8"))
        ]
        vector_file = self.folder / f"{segment}.npy"
        return entries, np.load(vector_file) if vector_file.exists() else None

    def write_manifest(self) -> None:
        """Point the manifest at the current segments, then drop the files no segment uses any more
        (in that order, so a crash leaves at worst unused files, never a manifest naming missing ones)."""
        manifest = {
            "dimensions": self.dimensions,
            "segments": self.segments,
            "next_segment": self.next_segment,
        }
        temporary = self.folder / "manifest.json.tmp"
        temporary.write_text(json.dumps(manifest))
        os.replace(temporary, self.manifest_path)
        self.stamp = self._stamp()
        for segment in self.obsolete:
            for suffix in (".json", ".npy"):
                (self.folder / f"{segment}{suffix}").unlink(missing_ok=True)
        self.obsolete = []

    def write_segment(self, entries: Sequence[_Entry], vectors: np.ndarray | None) -> str:
        segment = f"{self.next_segment:06d}"
        self.next_segment += 1
        if vectors is not None:
            np.save(self.folder / f"{segment}.npy", vectors)
        # One JSON array per segment: a single encoder call is several times faster than one per line.
        (self.folder / f"{segment}.json").write_text(
            json.dumps(entries, ensure_ascii=False), encoding="utf-8"
        )
        self.segment_ids[segment] = [entry[0] for entry in entries]
        return segment

    def settle(self) -> None:
        """Merge segments so there are O(log n) of them and each document is rewritten O(log n) times.

        Like a binary counter: the newest segment merges into the one before while it is at least half
        its size; once the segments hold twice as many entries as there are documents (replaced ones
        linger in older segments), everything is merged.
        """
        while len(self.segments) >= 2 and 2 * self._entries(-1) >= self._entries(-2):
            self._merge(len(self.segments) - 2)
        if len(self.segments) >= 2 and sum(map(len, self.segment_ids.values())) > 2 * len(self.ids):
            self._merge(0)

    def _entries(self, position: int) -> int:
        return len(self.segment_ids[self.segments[position]])

    def _merge(self, start: int) -> None:
        """Replace ``segments[start:]`` with one segment of their documents as they are now.

        The merged segments are the newest, so memory holds exactly their latest versions.
        """
        merged = self.segments[start:]
        ids = dict.fromkeys(id_ for segment in merged for id_ in self.segment_ids[segment])
        rows = np.fromiter((self.row[id_] for id_ in ids), dtype=np.int64, count=len(ids))
        with_vector = self.norms[rows] > 0
        entries = [
            (self.ids[row], self.texts[row], self.fields[row], bool(has))
            for row, has in zip(rows.tolist(), with_vector.tolist(), strict=True)
        ]
        segment = self.write_segment(entries, self.vectors[rows[with_vector]] if with_vector.any() else None)
        self.segments = [*self.segments[:start], segment]
        for old in merged:
            del self.segment_ids[old]
        self.obsolete += merged


def _detached(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A copy sharing nothing mutable with ``fields``, so callers and the index cannot change each other."""
    if all(isinstance(value, rules.Scalar | None) for value in fields.values()):
        return dict(fields)
    return copy.deepcopy(dict(fields))


class LocalSearchIndex:
    """``SearchIndex`` over folders under ``root``, one per index."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._indexes: dict[str, _Index] = {}
        self._lock = threading.RLock()

    def _folder(self, index: str) -> Path:
        return self.root / rules.check_index_name(index)

    def _open(self, index: str) -> _Index:
        """The index, reloaded when another process changed it. Call with the lock held."""
        loaded = self._indexes.get(index)
        if loaded is None:
            loaded = _Index(self._folder(index))
        if loaded.stale():
            try:
                loaded.load()
            except NotFound:
                self._indexes.pop(index, None)
                raise
        self._indexes[index] = loaded
        return loaded

    @contextmanager
    def _folder_lock(self, folder: Path) -> Iterator[None]:
        """This thread's and, through a lock file, every other process's exclusive hold on ``folder``."""
        with self._lock, (folder / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def _writing(self, index: str) -> Iterator[_Index]:
        folder = self._folder(index)
        if not (folder / "manifest.json").exists():
            raise NotFound(f"search index {index!r} does not exist; call ensure_index first")
        with self._folder_lock(folder):
            yield self._open(index)

    def ensure_index(self, index: str, *, dimensions: int | None = None) -> None:
        rules.check_dimensions(dimensions)
        folder = self._folder(index)
        folder.mkdir(parents=True, exist_ok=True)
        with self._folder_lock(folder):
            if not (folder / "manifest.json").exists():  # checked under the lock: one creator wins
                fresh = _Index(folder)
                fresh.dimensions = dimensions
                fresh.write_manifest()
                self._indexes[index] = fresh
                return
            loaded = self._open(index)  # the folder lock is held already: flock does not nest
            if dimensions is None or loaded.dimensions == dimensions:
                return
            if loaded.dimensions is not None:
                raise ValueError(
                    f"index {index!r} has {loaded.dimensions} dimensions, asked for {dimensions}"
                )
            loaded.dimensions = dimensions
            loaded.write_manifest()

    def upsert(self, index: str, documents: Sequence[SearchDocument]) -> None:
        if not documents:
            return
        with self._writing(index) as loaded:
            vectors = rules.document_vectors(documents, loaded.dimensions)
            entries = [
                (document.id, document.text, _detached(document.fields), document.vector is not None)
                for document in documents
            ]
            loaded.segments.append(loaded.write_segment(entries, vectors))
            loaded.apply(entries, vectors)
            loaded.settle()
            loaded.write_manifest()

    def get(self, index: str, ids: Sequence[str]) -> list[SearchDocument]:
        with self._lock:
            loaded = self._open(index)
            return [loaded.document(loaded.row[id_]) for id_ in ids if id_ in loaded.row]

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
        with self._lock:
            loaded = self._open(index)
            mask = loaded.mask(filters)
            if vector is None:
                return loaded.text_hits(text or "", k, mask)
            if text is None:
                return loaded.vector_hits(vector, k, mask)
            pool = rules.hybrid_pool(k)
            return rules.fuse(
                loaded.text_hits(text, pool, mask),
                loaded.vector_hits(vector, pool, mask),
                text_weight=text_weight,
                k=k,
            )

    def count(self, index: str) -> int:
        with self._lock:
            return len(self._open(index).ids)

    def delete_index(self, index: str) -> None:
        folder = self._folder(index)
        with self._lock:
            self._indexes.pop(index, None)
            shutil.rmtree(folder, ignore_errors=True)
