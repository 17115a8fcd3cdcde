"""Low-cardinality fields that tell records apart: a tool's operation argument, a result's status field."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any


def find_discriminator(
    records: Sequence[Mapping[str, Any]],
    *,
    name_pattern: re.Pattern[str] | None = None,
    max_values: int = 6,
    min_presence: float = 0.8,
    min_records: int = 3,
) -> str | None:
    """The string field present in most records whose values come from a small set, if any.

    With several candidates the one with the most balanced values wins: `RequestType` in {Check, Book} beats a
    field that is nearly constant. `name_pattern` restricts the candidates by field name.
    """
    if len(records) < min_records:
        return None
    values: dict[str, Counter[str]] = {}
    for record in records:
        for key, value in record.items():
            if isinstance(value, str) and value.strip():
                values.setdefault(key, Counter())[value.strip()] += 1
    best: tuple[float, str] | None = None
    for key, counter in values.items():
        if name_pattern is not None and not name_pattern.search(key):
            continue
        present = sum(counter.values())
        if present < min_presence * len(records) or not 2 <= len(counter) <= max_values:
            continue
        # Free text repeats little; an operation or status field repeats a lot.
        if present / len(counter) < 2:
            continue
        balance = 1.0 - max(counter.values()) / present
        if best is None or (balance, key) > best:
            best = (balance, key)
    return best[1] if best else None


def discriminator_value(record: Mapping[str, Any], field: str | None) -> str | None:
    if field is None:
        return None
    value = record.get(field)
    return value.strip() if isinstance(value, str) and value.strip() else None


def flatten(record: Mapping[str, Any], depth: int = 2, prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted keys (`item.Message`), so a status wrapped in an envelope is still found."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and depth > 1:
            flat.update(flatten(value, depth - 1, f"{path}."))
        else:
            flat[path] = value
    return flat
