"""The run store in SQLite: one table of JSON documents with revisions, safe across processes."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rehearsal.storage.ports import Conflict, NotFound, StoredDocument

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    partition TEXT NOT NULL,
    key TEXT NOT NULL,
    revision INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (partition, key)
);
CREATE TABLE IF NOT EXISTS document_index (
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    partition TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (name, value, partition, key)
);
CREATE INDEX IF NOT EXISTS document_index_by_doc ON document_index (partition, key);
"""


class SqliteRunStore:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connect() as connection:
            connection.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
        return connection

    def put(
        self,
        partition: str,
        key: str,
        doc: Mapping[str, Any],
        *,
        index: Mapping[str, str] | None = None,
        if_absent: bool = False,
        expected_revision: int | None = None,
    ) -> StoredDocument:
        body = json.dumps(doc, sort_keys=True, default=str)
        connection = self._connect()
        connection.execute("BEGIN IMMEDIATE")
        try:
            row = connection.execute(
                "SELECT revision FROM documents WHERE partition = ? AND key = ?", (partition, key)
            ).fetchone()
            current = row[0] if row else None
            if if_absent and current is not None:
                raise Conflict(f"document {partition}/{key} exists")
            if expected_revision is not None and current != expected_revision:
                raise Conflict(
                    f"document {partition}/{key} is at revision {current}, expected {expected_revision}"
                )
            revision = (current or 0) + 1
            connection.execute(
                "INSERT INTO documents (partition, key, revision, doc) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (partition, key) DO UPDATE SET revision = excluded.revision, doc = excluded.doc",
                (partition, key, revision, body),
            )
            if index is not None:
                connection.execute(
                    "DELETE FROM document_index WHERE partition = ? AND key = ?", (partition, key)
                )
                connection.executemany(
                    "INSERT INTO document_index (name, value, partition, key) VALUES (?, ?, ?, ?)",
                    [(name, value, partition, key) for name, value in index.items()],
                )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return StoredDocument(partition=partition, key=key, revision=revision, doc=json.loads(body))

    def get(self, partition: str, key: str) -> StoredDocument:
        row = (
            self._connect()
            .execute("SELECT revision, doc FROM documents WHERE partition = ? AND key = ?", (partition, key))
            .fetchone()
        )
        if row is None:
            raise NotFound(f"document {partition}/{key} not found")
        return StoredDocument(partition=partition, key=key, revision=row[0], doc=json.loads(row[1]))

    def query(self, partition: str, *, key_prefix: str = "") -> list[StoredDocument]:
        rows = (
            self._connect()
            .execute(
                "SELECT key, revision, doc FROM documents WHERE partition = ? AND key >= ? AND key < ? "
                "ORDER BY key",
                (partition, key_prefix, key_prefix + "\U0010ffff"),
            )
            .fetchall()
        )
        return [
            StoredDocument(partition=partition, key=key, revision=revision, doc=json.loads(doc))
            for key, revision, doc in rows
        ]

    def query_index(self, name: str, value: str) -> list[StoredDocument]:
        rows = (
            self._connect()
            .execute(
                "SELECT d.partition, d.key, d.revision, d.doc FROM document_index i "
                "JOIN documents d ON d.partition = i.partition AND d.key = i.key "
                "WHERE i.name = ? AND i.value = ? ORDER BY d.partition, d.key",
                (name, value),
            )
            .fetchall()
        )
        return [
            StoredDocument(partition=partition, key=key, revision=revision, doc=json.loads(doc))
            for partition, key, revision, doc in rows
        ]

    def delete(self, partition: str, key: str) -> None:
        connection = self._connect()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("DELETE FROM documents WHERE partition = ? AND key = ?", (partition, key))
        connection.execute("DELETE FROM document_index WHERE partition = ? AND key = ?", (partition, key))
        connection.execute("COMMIT")
