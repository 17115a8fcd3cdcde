"""The Acme Retail example: both bundle versions, the seed world, and runtimes over them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from rehearsal.bundles.loader import LoadedBundle, load_bundle

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "acme_retail"


@pytest.fixture(scope="session")
def acme_bundles() -> dict[str, LoadedBundle]:
    return {version: load_bundle(EXAMPLE / f"bundle.{version}.yaml") for version in ("v1", "v2")}


@pytest.fixture(scope="session")
def seed_world() -> dict[str, Any]:
    return yaml.safe_load((EXAMPLE / "world.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def world(seed_world: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(seed_world)
