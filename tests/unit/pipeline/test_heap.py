from __future__ import annotations

import gc

from rehearsal.pipeline.heap import steady_heap


def test_a_run_freezes_the_heap_and_collects_less_often_then_restores_both() -> None:
    # Given the interpreter's own settings
    before = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    # When a run holds the pacing
    with steady_heap(young_threshold=12_345):
        inside = gc.get_threshold()
        frozen_inside = gc.get_freeze_count()
    # Then what existed was frozen, young collections came less often, and both are undone
    assert inside == (12_345, *before[1:])
    assert frozen_inside > frozen_before
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_nested_runs_share_one_freeze_undone_by_the_outermost() -> None:
    before = gc.get_threshold()
    with steady_heap(young_threshold=20_000):
        with steady_heap(young_threshold=30_000):
            pass
        # the inner end leaves the outer run paced
        assert gc.get_threshold()[0] == 20_000
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_threshold_already_higher_is_kept() -> None:
    before = gc.get_threshold()
    gc.set_threshold(100_000, *before[1:])
    try:
        with steady_heap(young_threshold=5_000):
            assert gc.get_threshold()[0] == 100_000
    finally:
        gc.set_threshold(*before)
