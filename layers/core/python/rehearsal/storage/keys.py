"""Key rules every blob store enforces, so a key valid on one adapter is valid on all."""

from __future__ import annotations


def check_blob_key(key: str) -> str:
    """Return ``key`` when it is a relative ``/``-separated path; raise ``ValueError`` otherwise."""
    if not key or key.startswith("/") or ".." in key.split("/"):
        raise ValueError(f"invalid blob key {key!r}: use a relative '/'-separated path without '..'")
    return key
