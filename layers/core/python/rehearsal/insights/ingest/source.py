"""Opening input files: plain or gzip-compressed text, with a readable error when it cannot be read."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO


class IngestError(Exception):
    """The input as a whole cannot be read (missing file, unknown format, no header): a message for people."""


def open_text(path: Path) -> TextIO:
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    try:
        if path.suffix == ".gz":
            return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="")
        return path.open("r", encoding="utf-8", errors="replace", newline="")
    except OSError as error:
        raise IngestError(f"{path}: cannot be read ({error.strerror or error})") from error


def parse_time(value: str | float | int) -> datetime:
    """ISO 8601 with a timezone, or Unix seconds (UTC). Raises ``ValueError`` with a readable message."""
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().lstrip("-").isdigit()):
        return datetime.fromtimestamp(float(value), tz=UTC)
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 time or Unix seconds") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no timezone (add Z or an offset such as +01:00)")
    return parsed
