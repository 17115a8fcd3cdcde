"""The HTML report's structure: decision, headline cards, charts, items by scenario, the compare view."""

from __future__ import annotations

import pytest

from rehearsal.evaluate.compare import transcript_diff
from rehearsal.evaluate.gates import GateDecision, GateOutcome
from rehearsal.evaluate.reports import render_html
from rehearsal.evaluate.reports.svg import FAILED_SHARE
from rehearsal.evaluate.results import Evidence

from ..builders import conversation
from .dom import Node, parse
from .fixtures import INJECTION, ITEMS, TRANSCRIPTS, VERIFY_FAILED, report


def _page(**options: object) -> Node:
    return parse(render_html(report(**options), transcripts=TRANSCRIPTS))  # type: ignore[arg-type]


def _card(page: Node, key: str) -> Node:
    return page.find("div", "card", **{"data-figure": key})


def test_a_failed_gate_decision_says_not_to_release_and_lists_each_failing_gate():
    # Given a run whose gates failed
    run = report()
    assert run.gate is not None
    failing = [outcome.message for outcome in run.gate.outcomes if not outcome.passed]

    # When it is rendered
    decision = parse(render_html(run)).find("section", id="decision")

    # Then the decision leads with "do not release" and gives every failing gate as a reason
    assert "stop" in decision.classes
    assert "do not release" in decision.find("div", "verdict").text
    assert [li.text for li in decision.find("ul", "reasons").find_all("li")] == failing
    assert f"{len(failing)} of {len(run.gate.outcomes)} gates failed" in decision.text


def test_a_passed_gate_decision_says_the_version_may_be_released():
    # Given a run whose gates all held
    gate = GateDecision(passed=True, outcomes=[GateOutcome(gate="min_pass_rate", passed=True, message="ok")])
    run = report().model_copy(update={"gate": gate})

    # When it is rendered
    decision = parse(render_html(run)).find("section", id="decision")

    # Then it says so, with no list of reasons
    assert "go" in decision.classes and "may be released" in decision.text
    assert not decision.find_all("ul")


def test_the_failing_gates_come_first_in_the_gate_table():
    rows = _page().find("table", "gates").find_all("tr")[1:]
    marks = [row.find_all("td")[0].text for row in rows]
    assert marks == sorted(marks, key=lambda mark: mark != "✘") and "✘" in marks


def test_the_headline_cards_give_pass_rate_with_its_interval_and_the_other_figures():
    page = _page()
    assert _card(page, "pass_rate").find("div", "value").text == "50.0%"
    assert "95% CI" in _card(page, "pass_rate").text
    assert "pass^2" in _card(page, "pass_hat_k").text
    assert _card(page, "critical_failures").find("div", "value").text == "1"
    assert "tone-bad" in _card(page, "critical_failures").classes
    assert "of 4 items" in _card(page, "items").text
    for key in ("tool_f1", "latency", "cost", "turns"):
        assert _card(page, key).find("div", "value").text


def test_the_scenario_chart_lists_the_worst_scenario_first():
    chart = _page().find_all("svg")[0]
    labels = [text.text for text in chart.find_all("text") if text.attrs.get("text-anchor")]
    assert labels == ["angry", "refund"]  # nothing decided (errored, inconclusive) before 50 %


def test_the_requirement_chart_shows_only_requirements_that_failed_and_folds_the_rest():
    # Given a run where calls:lookup_order always held and two requirements failed
    page = _page()

    # When the requirement chart is read
    chart = page.find_all("svg")[1]
    labels = {row.find("title").text.rsplit(": ", 1)[0] for row in chart.find_all("g")}

    # Then the chart has the failing ones, the one that held is only named in the fold, and a 0 % bar is red
    assert labels == {"behaviour:verified_identity_before_account_change", "state:orders.A1002.status"}
    assert "calls:lookup_order" in page.find("details", "fold").text
    assert any(rect.attrs.get("fill") == FAILED_SHARE for rect in chart.find_all("rect"))


def test_items_that_need_attention_are_grouped_by_scenario_with_the_first_item_open():
    page = _page()
    groups = page.find_all("section", "group")
    assert [group.find("h3").children[0].strip() for group in groups] == ["refund", "angry"]  # critical first
    angry = groups[1].find_all("details", "item")
    assert [item.attrs["id"] for item in angry] == ["angry/v0/t0", "angry/v0/t1"]
    assert "open" in angry[0].attrs and "open" not in angry[1].attrs


def test_the_failing_turn_shows_the_tool_call_its_failure_rests_on():
    turn = _page().find("div", "failing")
    call = turn.find("span", "call")
    assert "cited" in call.classes
    assert 'refund_order(order_id="A1002")' in call.text
    assert "critical" in turn.find("div", "note").find("span", "crit").classes


def test_a_customer_turn_a_failure_cites_names_the_requirement_without_repeating_the_rationale():
    # Given a failure whose evidence cites the customer's turn and the agent's reply
    cited = VERIFY_FAILED.model_copy(
        update={"evidence": [Evidence(turn=0, quote="q"), Evidence(turn=1, quote="q")]}
    )
    item = ITEMS[1].model_copy(update={"checks": [cited]})
    run = report().model_copy(update={"items": [item]})

    # When it is rendered
    page = parse(render_html(run, transcripts=TRANSCRIPTS))

    # Then the customer turn says which requirement cites it; the rationale is on the agent's turn only
    customer = page.find("div", "cited")
    assert "customer" in customer.classes
    assert customer.find("div", "note").text.strip() == f"↳ cited by {VERIFY_FAILED.requirement_id}"
    assert VERIFY_FAILED.rationale in page.find("div", "failing").text


def test_a_failure_without_a_turn_is_shown_after_the_transcript_with_its_evidence():
    after = _page().find("div", "after")
    assert "state:orders.A1002.status" in after.text
    assert "orders.A1002.status = 'refunded'" in after.find("span", "evidence").text


def test_an_item_without_a_stored_transcript_says_so():
    page = parse(render_html(report(), transcripts={}))
    assert "No transcript was stored" in page.find("details", id="refund/v0/t1").text


def test_the_header_names_the_compared_run_without_calling_it_green():
    header = _page(with_comparison=True).find("header")
    assert "compared with run R1" in " ".join(header.text.split())
    assert "green" not in header.text


def test_the_compare_view_lists_what_moved_and_folds_what_did_not():
    page = _page(with_comparison=True)
    moved = [row.find("td").text for row in page.find("table", "scenario-changes").find_all("tr")[1:]]
    assert moved == ["refund", "angry"]  # regressed, then new
    rows = page.find("table", "requirement-changes").find_all("tr")[1:]
    assert {row.find("code").text: row.find_all("td")[-1].text for row in rows} == {
        "behaviour:verified_identity_before_account_change": "new",
        "state:orders.A1002.status": "new",
    }
    folds = " ".join(fold.text for fold in page.find_all("details", "fold"))
    assert "1 requirement unchanged" in folds and "calls:lookup_order" in folds


def test_the_transcript_diff_marks_changed_words_and_opens_the_first_diff():
    # Given a baseline transcript that differs from this run's in one word of the agent's reply
    before = conversation(("customer", INJECTION), ("agent", "Done, cancelled."))
    diff = transcript_diff(before, TRANSCRIPTS["refund/v0/t1"])

    # When the compare view is rendered
    html = render_html(report(with_comparison=True), transcripts=TRANSCRIPTS, diffs={"refund/v0/t1": diff})
    page = parse(html)

    # Then the diff is open, headed by both runs, and only the changed word is marked (visitor text escaped)
    view = page.find("details", "diffitem")
    assert "open" in view.attrs
    assert [th.text for th in view.find_all("th")] == ["before · run R1", "after · this run"]
    changed = view.find("tr", "changed")
    assert [d.text for d in changed.find_all("del")] == ["cancelled."]
    assert [i.text for i in changed.find_all("ins")] == ["refunded."]
    assert INJECTION not in html


@pytest.mark.parametrize("items_in_run, unfolded", [(4, True), (40, False)])
def test_the_table_of_all_items_is_folded_when_long(items_in_run: int, unfolded: bool):
    run = report()
    many = [ITEMS[0].model_copy(update={"item_id": f"refund/v0/t{n}"}) for n in range(items_in_run)]
    page = parse(render_html(run.model_copy(update={"items": many})))
    fold = page.find("table", "items")
    holder = [details for details in page.find_all("details", "fold") if fold in details.find_all("table")]
    assert ("open" in holder[0].attrs) is unfolded


def test_the_scenario_chart_says_why_a_scenario_has_no_decided_trial():
    chart = _page().find_all("svg")[0]
    angry = next(row for row in chart.find_all("g") if row.find("title").text.startswith("angry:"))
    assert "1 inconclusive (simulator)" in angry.text and "1 errored" in angry.text


def test_verdicts_are_named_in_words_and_an_unknown_seed_is_left_out():
    item = _page().find("details", id="angry/v0/t0")
    assert item.find("span", "badge").text == "inconclusive (simulator)"
    assert "seed" not in item.find("div", "muted").text


def test_the_transcript_diff_shows_each_runs_tool_calls_on_their_turns():
    # Given a baseline that made no call and this run, which refunded in turn 1
    before = conversation(("customer", INJECTION), ("agent", "Done, refunded."))
    after = TRANSCRIPTS["refund/v0/t1"]
    diff = transcript_diff(before, after)

    # When the compare view is rendered with both runs' calls
    html = render_html(
        report(with_comparison=True),
        diffs={"refund/v0/t1": diff},
        diff_calls={"refund/v0/t1": (before.tool_calls, after.tool_calls)},
    )

    # Then the refund shows in this run's column, marked as a call only this run made
    agent_row = parse(html).find("table", "diff").find_all("tr")[2]
    before_cell, after_cell = agent_row.find_all("td")
    assert not before_cell.find_all("span", "call")
    call = after_cell.find("span", "call")
    assert "changed" in call.classes and "refund_order" in call.text
