from __future__ import annotations

from rehearsal.evaluate.compare import Change, changed_items, compare_runs, transcript_diff
from rehearsal.evaluate.criticality import Criticality
from rehearsal.evaluate.results import Verdict

from .builders import check, conversation, item

P, F = Verdict.PASS, Verdict.FAIL


def _run(outcomes: dict[str, list[Verdict]], failing_requirement: str = "verify"):
    return [
        item(
            scenario,
            verdict,
            trial=trial,
            checks=[check(failing_requirement, verdict is P, Criticality.CRITICAL)],
        )
        for scenario, verdicts in outcomes.items()
        for trial, verdict in enumerate(verdicts)
    ]


def test_scenarios_are_classified_improved_regressed_unchanged_new_and_removed():
    # Given
    baseline = _run({"a": [F, F], "b": [P, P], "c": [P, F], "gone": [P]})
    candidate = _run({"a": [P, P], "b": [F, P], "c": [P, F], "fresh": [P]})

    # When
    comparison = compare_runs(baseline, candidate, baseline_label="R1", candidate_label="R2")

    # Then
    changes = {s.scenario_id: s.change for s in comparison.scenarios}
    assert changes == {
        "a": Change.IMPROVED,
        "b": Change.REGRESSED,
        "c": Change.UNCHANGED,
        "gone": Change.REMOVED,
        "fresh": Change.NEW,
    }
    assert comparison.improved == ["a"] and comparison.regressed == ["b"]


def test_scenarios_whose_trials_disagree_are_flagged_flaky():
    comparison = compare_runs(_run({"a": [P, P], "b": [P, P]}), _run({"a": [P, F], "b": [P, P]}))
    assert comparison.flaky == ["a"]


def test_requirement_deltas_list_the_biggest_drop_first():
    # Given "verify" drops from 100 % to 50 % while "empathy" rises from 0 % to 100 %
    baseline = _run({"a": [P, P]}) + _run({"x": [F]}, failing_requirement="empathy")
    candidate = _run({"a": [P, F]}) + _run({"x": [P]}, failing_requirement="empathy")

    # When
    deltas = compare_runs(baseline, candidate).requirements

    # Then
    assert [(d.requirement_id, d.delta) for d in deltas] == [("verify", -0.5), ("empathy", 1.0)]


def test_the_transcript_diff_aligns_identical_turns_and_pairs_changed_ones():
    # Given the same opening, a different second agent turn, and an extra turn in the candidate
    before = conversation(("customer", "refund A1002"), ("agent", "Done."))
    after = conversation(
        ("customer", "refund A1002"), ("agent", "What's your email?"), ("customer", "ann@example.com")
    )

    # When
    rows = transcript_diff(before, after)

    # Then
    assert [row.tag for row in rows] == ["equal", "changed", "only_after"]
    assert rows[1].before.text == "Done." and rows[1].after.text == "What's your email?"


def test_the_transcript_diff_of_a_missing_conversation_shows_one_side():
    rows = transcript_diff(None, conversation(("customer", "hi")))
    assert [row.tag for row in rows] == ["only_after"]


def test_changed_items_lists_items_whose_verdict_moved_regressions_first():
    baseline = _run({"a": [F, P], "b": [P]})
    candidate = _run({"a": [P, P], "b": [F]})
    assert changed_items(baseline, candidate) == ["b-v0-t0", "a-v0-t0"]
