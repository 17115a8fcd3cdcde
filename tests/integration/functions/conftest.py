"""moto behind the handlers, with the environment a deployed stage function gets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rehearsal.settings import Settings

from .support import deployed_environment


@pytest.fixture
def aws_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    with deployed_environment(monkeypatch) as settings:
        yield settings
