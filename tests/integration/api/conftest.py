"""The API on the embedded backend in a temporary home, driven through ``chalice.test.Client``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

from rehearsal.pipeline.snapshot import SuiteSnapshot
from rehearsal.service.api import context, create_app
from rehearsal.simulate.specs.loading import load_suite

from .support import EXAMPLE, configure


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    configure(tmp_path / "home")
    with Client(create_app()) as test_client:
        yield test_client
    context.configure()


@pytest.fixture(scope="session")
def suite_snapshot() -> dict[str, Any]:
    """The example suite cut to three scenarios, as the JSON a client posts."""
    snapshot = SuiteSnapshot.of(load_suite(EXAMPLE / "suite.yaml"))
    keep = snapshot.scenarios[:3]
    return json.loads(snapshot.model_copy(update={"scenarios": keep}).model_dump_json())
