"""Content-addressed versions: a version is the sha256 of the bundle's canonical JSON.

Canonical means every field with its default, keys sorted, no whitespace: formatting, key order and YAML vs
JSON do not change the version; any change of meaning does.
"""

from __future__ import annotations

import hashlib
import json

from rehearsal.bundles.schema import AgentBundle

SHORT_VERSION = 12


def canonical_json(bundle: AgentBundle) -> str:
    return json.dumps(
        bundle.model_dump(mode="json"),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def bundle_version(bundle: AgentBundle) -> str:
    return hashlib.sha256(canonical_json(bundle).encode("utf-8")).hexdigest()


def short(version: str) -> str:
    return version[:SHORT_VERSION]
