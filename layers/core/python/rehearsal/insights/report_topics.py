"""The topics part of the HTML insights report: sizes and readiness as bar charts (inline SVG, no scripts),
the ranked opportunity table, the hierarchy and the look-alike pairs. Returns a fragment for a page."""

from __future__ import annotations

from jinja2 import Environment
from markupsafe import Markup

from rehearsal.insights.topics.models import TopicModel

_BAR_HEIGHT = 18
_CHART_WIDTH = 640
_LABEL_WIDTH = 260
_SHOWN_TOPICS = 30

_TEMPLATE = """
<section class="topics">
<h2>Topics</h2>
<p class="muted">{{ model.topics|length }} topics from {{ model.total_items }} items, embedded with
{{ model.embedder }}; {{ model.pending|length }} novel item(s) waiting for a topic.</p>
<h3>Volume by topic</h3>
{{ volume_chart }}
<h3>Automation readiness by topic</h3>
{{ readiness_chart }}
<h3>Automation opportunities</h3>
<table>
<thead><tr><th>#</th><th>topic</th><th>volume</th><th>share</th><th>readiness</th>
<th>est. containment</th><th>contained</th><th>why</th></tr></thead>
<tbody>
{% for row in model.opportunities %}{% set topic = topics[row.topic] %}
<tr><td>{{ row.rank }}</td><td>{{ topic.name or row.label }}</td><td>{{ row.volume }}</td>
<td>{{ '%.1f%%' % (100 * row.share) }}</td>
<td>{{ '%.2f' % row.readiness }}</td><td>{{ '%.0f%%' % (100 * row.estimated_containment) }}</td>
<td>{{ '%.0f' % row.contained_volume }}</td><td class="muted">{{ topic.readiness.explanation }}</td></tr>
{% endfor %}
</tbody></table>
<h3>Topics and how customers phrase them</h3>
{% for parent in model.parents %}
<h4>{{ parent.label }} <span class="muted">({{ parent.volume }})</span></h4>
<ul>{% for child in parent.children %}{% set topic = topics[child] %}
<li><b>{{ topic.name or topic.label }}</b> <span class="muted">{{ topic.size }} ·
{% if topic.stats.resolution_rate is not none %}resolved
{{ '%.0f%%' % (100 * topic.stats.resolution_rate) }} ·
{% endif %}{% if topic.stats.escalation_rate is not none %}escalated
{{ '%.0f%%' % (100 * topic.stats.escalation_rate) }} · {% endif %}
{% if topic.stats.median_handle_time_seconds is not none %}median handle
{{ '%.0f' % topic.stats.median_handle_time_seconds }} s{% endif %}</span>
<br><span class="muted">“{{ topic.representatives[:3]|join('” · “') }}”</span></li>
{% endfor %}</ul>
{% endfor %}
<h3>Look-alike topics</h3>
<table>
<thead><tr><th>topics</th><th>similarity</th><th>border examples</th></tr></thead>
<tbody>
{% for pair in model.look_alikes %}
<tr><td>{{ topics[pair.topics[0]].label }} ↔ {{ topics[pair.topics[1]].label }}</td>
<td>{{ '%.2f' % pair.similarity }}</td>
<td>{% for first, second in pair.examples %}“{{ first }}” / “{{ second }}”<br>{% endfor %}</td></tr>
{% endfor %}
</tbody></table>
</section>
"""

_environment = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)


def _bar_chart(rows: list[tuple[str, float, str]]) -> Markup:
    """Horizontal bars: (label, value, caption) scaled to the largest value."""
    if not rows:
        return Markup('<p class="muted">no topics</p>')
    largest = max(value for _, value, _ in rows) or 1.0
    height = _BAR_HEIGHT * len(rows) + 4
    bars = _environment.from_string(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{{ width }}" height="{{ height }}" role="img">'
        "{% for label, value, caption, y, w in bars %}"
        '<text x="{{ label_width - 6 }}" y="{{ y + 13 }}" font-size="12" text-anchor="end">{{ label }}</text>'
        '<rect x="{{ label_width }}" y="{{ y + 2 }}" width="{{ w }}" height="{{ bar - 4 }}" fill="#4a78a8"/>'
        '<text x="{{ label_width + w + 4 }}" y="{{ y + 13 }}" font-size="11" fill="#445">{{ caption }}</text>'
        "{% endfor %}</svg>"
    )
    span = _CHART_WIDTH - _LABEL_WIDTH - 100  # room for the caption after the longest bar
    placed = [
        (label[:40], value, caption, index * _BAR_HEIGHT, max(1, round(span * value / largest)))
        for index, (label, value, caption) in enumerate(rows)
    ]
    svg = bars.render(
        width=_CHART_WIDTH, height=height, label_width=_LABEL_WIDTH, bar=_BAR_HEIGHT, bars=placed
    )
    return Markup(svg)  # rendered with autoescape above, so labels inside are already escaped


def render_topics_section(model: TopicModel) -> str:
    ordered = sorted(model.topics, key=lambda topic: -topic.size)[:_SHOWN_TOPICS]
    volume = _bar_chart([(t.label, float(t.size), f"{t.size} ({t.stats.share:.1%})") for t in ordered])
    ready = sorted(ordered, key=lambda topic: -topic.readiness.score)
    readiness = _bar_chart([(t.label, t.readiness.score, f"{t.readiness.score:.2f}") for t in ready])
    return _environment.from_string(_TEMPLATE).render(
        model=model, topics={t.id: t for t in model.topics}, volume_chart=volume, readiness_chart=readiness
    )
