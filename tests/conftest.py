"""Shared fixtures: keep this file small; area fixtures live next to their tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from rehearsal.settings import Settings


@pytest.fixture
def tmp_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for the embedded backend with a fresh home folder; the CLI sees the same home."""
    home = tmp_path / "rehearsal-home"
    monkeypatch.setenv("REHEARSAL_BACKEND", "local")
    monkeypatch.setenv("REHEARSAL_HOME", str(home))
    return Settings(backend="local", home=home)
