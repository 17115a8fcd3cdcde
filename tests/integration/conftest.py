"""A small copy of the example suite (a few scenarios) so pipeline tests run in seconds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "acme_retail"
BUNDLE_V1 = EXAMPLE / "bundle.v1.yaml"
BUNDLE_V2 = EXAMPLE / "bundle.v2.yaml"

SmallSuite = Callable[..., Path]


@pytest.fixture
def small_suite(tmp_path: Path) -> SmallSuite:
    def write(
        scenarios: tuple[str, ...] = ("order_status", "refund_damaged", "angry_late_delivery"),
        *,
        trials: int = 2,
        turn_tests: bool = False,
        faults: dict[str, object] | None = None,
    ) -> Path:
        base = yaml.safe_load((EXAMPLE / "suite.yaml").read_text())
        base.update(
            bundle=str(BUNDLE_V2),
            world=str(EXAMPLE / "world.yaml"),
            behaviours=str(EXAMPLE / "behaviours.yaml"),
            gates=str(EXAMPLE / "gates.yaml"),
            personas=[str(EXAMPLE / "personas" / "*.yaml")],
            scenarios=[str(EXAMPLE / "scenarios" / f"{name}.yaml") for name in scenarios],
            turn_tests=[str(EXAMPLE / "turn_tests" / "*.yaml")] if turn_tests else [],
            trials=trials,
        )
        if faults is not None:
            base["faults"] = faults
        path = tmp_path / "suite.yaml"
        path.write_text(yaml.safe_dump(base, sort_keys=False))
        return path

    return write
