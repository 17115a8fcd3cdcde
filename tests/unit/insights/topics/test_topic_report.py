"""The topics section of the HTML report."""

from __future__ import annotations

from fakes import INTENTS, KeywordEmbedder, phrasings

from rehearsal.insights.report_topics import render_topics_section
from rehearsal.insights.topics import TopicItem, discover_topics


def model_with(texts: list[str]):
    items = [TopicItem(id=str(n), text=text) for n, text in enumerate(texts)]
    return discover_topics(items, KeywordEmbedder(list(INTENTS))).model


def test_the_section_charts_every_topic_and_ranks_opportunities() -> None:
    # Given topics of three intents
    model = model_with(phrasings("card", 12) + phrasings("pin", 8) + phrasings("refund", 6))
    # When the section is rendered
    html = render_topics_section(model)
    # Then there is one bar per topic in each chart, and each opportunity row with its explanation
    assert html.count("<rect ") == 2 * len(model.topics)
    for row in model.opportunities:
        assert f"<td>{row.rank}</td><td>{row.label}</td>" in html
    assert "consistency" in html


def test_text_from_transcripts_is_escaped() -> None:
    # Given topics whose phrasings carry markup
    model = model_with([f"<script>alert(1)</script> card {n}" for n in range(10)] + phrasings("pin", 10))
    # When rendered / Then the markup is shown as text, never executed
    html = render_topics_section(model)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
