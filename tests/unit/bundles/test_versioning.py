from __future__ import annotations

import json
from typing import Any

import yaml

from rehearsal.bundles import bundle_from_data, canonical_json, parse_bundle


def reorder(value: Any) -> Any:
    """Reverse the key order of every mapping."""
    if isinstance(value, dict):
        return {key: reorder(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reorder(item) for item in value]
    return value


def test_yaml_and_json_of_the_same_bundle_have_one_version(valid_yaml: str) -> None:
    # Given
    as_json = json.dumps(yaml.safe_load(valid_yaml), indent=4)
    # When / Then
    assert (
        parse_bundle(valid_yaml, filename="a.yaml").version
        == parse_bundle(as_json, filename="a.json").version
    )


def test_key_order_and_layout_do_not_change_the_version(valid_yaml: str, valid_data: dict[str, Any]) -> None:
    # Given
    reformatted = yaml.safe_dump(reorder(valid_data), default_flow_style=True, width=60)
    # When / Then
    assert (
        parse_bundle(reformatted, filename="b.yaml").version
        == parse_bundle(valid_yaml, filename="a.yaml").version
    )


def test_spelling_out_a_default_does_not_change_the_version(valid_data: dict[str, Any]) -> None:
    # Given
    explicit = json.loads(json.dumps(valid_data))
    explicit["model"]["temperature"] = 0.2
    explicit["schema_version"] = 1
    # When / Then
    assert bundle_from_data(explicit).version == bundle_from_data(valid_data).version


def test_a_change_of_meaning_changes_the_version(valid_data: dict[str, Any]) -> None:
    # Given
    changed = json.loads(json.dumps(valid_data))
    changed["agents"][0]["greeting"] = "Hello!"
    # When / Then
    assert bundle_from_data(changed).version != bundle_from_data(valid_data).version


def test_canonical_json_is_compact_and_sorted(valid_data: dict[str, Any]) -> None:
    # Given
    text = canonical_json(bundle_from_data(valid_data).bundle)
    # When
    data = json.loads(text)
    # Then
    assert text == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
