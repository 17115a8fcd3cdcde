"""Where the deployable sources live, relative to the repository root (the CDK app runs from anywhere)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CORE_LAYER_DIR = REPO_ROOT / "layers" / "core"
FUNCTIONS_DIR = REPO_ROOT / "functions"
STATEMACHINES_DIR = REPO_ROOT / "statemachines"
DEPENDENCIES_DIR = Path(__file__).resolve().parent / "layers" / "dependencies"
DEPENDENCIES_CACHE_DIR = REPO_ROOT / "build" / "dependencies-layer"
