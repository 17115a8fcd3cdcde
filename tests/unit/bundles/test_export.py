from __future__ import annotations

from typing import Any, Literal

import pytest

from rehearsal.bundles import bundle_from_data, parse_bundle
from rehearsal.bundles.export import export_data, export_text


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_exported_text_reads_back_as_the_same_version(
    valid_data: dict[str, Any], fmt: Literal["yaml", "json"]
) -> None:
    # Given
    loaded = bundle_from_data(valid_data)
    # When
    text = export_text(loaded.bundle, fmt)
    # Then
    assert parse_bundle(text, filename=f"copy.{fmt}").version == loaded.version


def test_defaults_are_left_out_but_kinds_kept(valid_data: dict[str, Any]) -> None:
    # Given
    loaded = bundle_from_data(valid_data)
    # When
    data = export_data(loaded.bundle)
    # Then
    step = data["agents"][1]["flows"][0]["stages"][1]["steps"][1]
    assert step == {"kind": "end"}
    assert "nlu" not in data and "max_attempts" not in data["agents"][0]["flows"][0]["stages"][0]["steps"][0]
