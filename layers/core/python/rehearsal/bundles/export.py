"""Write a bundle back out as YAML or JSON, without the values that are defaults.

Discriminator fields (``kind``) are kept although they have defaults: without them a step or a binding
would not read back as the same kind. Reading the output gives the same version.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import yaml

from rehearsal.bundles.schema import AgentBundle

_DISCRIMINATORS = ("kind",)


def export_data(bundle: AgentBundle) -> dict[str, Any]:
    full = bundle.model_dump(mode="json")
    minimal = bundle.model_dump(mode="json", exclude_defaults=True)
    _keep_discriminators(full, minimal)
    return minimal


def export_text(bundle: AgentBundle, fmt: Literal["yaml", "json"] = "yaml") -> str:
    data = export_data(bundle)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _keep_discriminators(full: Any, minimal: Any) -> None:
    """``minimal`` is ``full`` minus defaults; put the discriminators back, at every depth."""
    if isinstance(full, dict) and isinstance(minimal, dict):
        for key in _DISCRIMINATORS:
            if key in full and key not in minimal:
                minimal[key] = full[key]
        for key, value in minimal.items():
            _keep_discriminators(full.get(key), value)
    elif isinstance(full, list) and isinstance(minimal, list):
        for full_item, minimal_item in zip(full, minimal, strict=False):
            _keep_discriminators(full_item, minimal_item)
