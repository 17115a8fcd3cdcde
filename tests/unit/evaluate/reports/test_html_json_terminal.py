from __future__ import annotations

import json
import re

from rich.console import Console

from rehearsal.evaluate.compare import transcript_diff
from rehearsal.evaluate.reports import print_summary, render_html, render_json

from ..builders import conversation
from .dom import parse
from .fixtures import INJECTION, TRANSCRIPTS, report


def test_the_html_report_is_self_contained_with_inline_svg_charts():
    html = render_html(report(), transcripts=TRANSCRIPTS)
    assert html.count("<svg") == 2
    assert not re.search(r"<(script|link)\b", html)
    assert 'src="http' not in html


def test_the_html_report_highlights_failing_turns_with_their_evidence():
    html = render_html(report(), transcripts=TRANSCRIPTS)
    failing_turn = html.split('class="turn agent failing"')[1].split("</div>\n  </div>")[0]
    assert "Done, refunded." in failing_turn
    assert "behaviour:verified_identity_before_account_change" in failing_turn
    assert "orders.A1002.status is &#39;refunded&#39;" in html  # a failure without a turn is listed too


def test_the_html_report_escapes_what_visitors_said():
    html = render_html(report(), transcripts=TRANSCRIPTS)
    assert INJECTION not in html
    assert "&lt;script&gt;alert(" in html


def test_the_html_report_shows_the_compare_view_with_a_transcript_diff():
    diff = transcript_diff(conversation(("customer", "hi"), ("agent", "Done.")), TRANSCRIPTS["refund/v0/t1"])
    html = render_html(report(with_comparison=True), transcripts=TRANSCRIPTS, diffs={"refund/v0/t1": diff})
    page = parse(html)
    assert "What changed since run R1" in page.find("h2", id="changes").text
    assert [chip.text for chip in page.find("p", "regressed").find_all("span", "chip")] == ["refund"]
    assert page.find("table", "diff").find_all("tr", "changed")


def test_the_json_report_carries_the_headline_and_every_item():
    payload = json.loads(render_json(report()))
    assert payload["summary"]["items"] == 4 and payload["summary"]["critical_failures"] == 1
    assert [item["verdict"] for item in payload["items"]] == [
        "pass",
        "fail",
        "inconclusive_simulator",
        "errored",
    ]
    assert payload["gate"]["passed"] is False


def test_the_terminal_summary_says_what_is_red_and_why():
    console = Console(record=True, width=200)
    print_summary(report(with_comparison=True), console)
    text = console.export_text()
    assert "What is red, and why" in text
    assert "behaviour:verified_identity_before_account_change" in text and "critical" in text
    assert "GATES FAILED" in text
    assert "regressed" in text
