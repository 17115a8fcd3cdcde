"""Read a free question: does it ask for numbers (aggregate) or for what people said (evidential), and
which metric, grouping, ordering and filters it names. Rules, not a model: predictable and explainable.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.insights.conversation import Outcome


class Metric(StrEnum):
    VOLUME = "volume"
    ESCALATION = "escalation"
    RESOLUTION = "resolution"
    ABANDONMENT = "abandonment"
    SATISFACTION = "satisfaction"
    HANDLE_TIME = "handle_time"


class GroupBy(StrEnum):
    NONE = "none"
    TOPIC = "topic"
    CHANNEL = "channel"
    OUTCOME = "outcome"


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    aggregate: bool
    metric: Metric = Metric.VOLUME
    group_by: GroupBy = GroupBy.NONE
    descending: bool | None = Field(None, description="Highest first (True), lowest first, or no order.")
    outcome: Outcome | None = Field(None, description="Outcome the question is about, used as a filter.")
    speaker: str | None = Field(None, description="customer or agent, when the question says whose words.")
    subject: list[str] = Field(default_factory=list, description="Content words left once the rest is read.")
    keywords: list[str] = Field(
        default_factory=list, description="The subject and the metric's words: what evidence must touch."
    )
    changes: bool = Field(False, description="The question asks what changed: the monitor's anomalies.")


_METRICS: list[tuple[Metric, re.Pattern[str]]] = [
    (Metric.ESCALATION, re.compile(r"\bescalat\w*|\bhand(?:ed)?[- ]?offs?\b|\btransferr?\w*")),
    (Metric.RESOLUTION, re.compile(r"\bresol\w*|\bsolved\b|\bcontain\w*")),
    (Metric.ABANDONMENT, re.compile(r"\babandon\w*|\bdrop(?:ped)? off\b|\bgave up\b|\bhung up\b")),
    (Metric.SATISFACTION, re.compile(r"\bcsat\b|\bsatisf\w*|\bhappy\b|\bunhappy\b")),
    (Metric.HANDLE_TIME, re.compile(r"\bhandle time\b|\bhandling time\b|\bduration\b|\bhow long\b")),
]
_METRIC_OUTCOME = {
    Metric.ESCALATION: Outcome.ESCALATED,
    Metric.RESOLUTION: Outcome.RESOLVED,
    Metric.ABANDONMENT: Outcome.ABANDONED,
}
_NUMERIC = re.compile(
    r"\bhow (?:many|much|often|long)\b|\bwhat (?:share|percent\w*|proportion|fraction|ratio|number)\b"
    r"|\b(?:share|percent\w*|proportion|fraction|ratio|rates?|average|mean|median|number of|count)\b|%"
)
_RANKING = re.compile(r"\b(?:which|what) (?:topics?|channels?|reasons?|outcomes?)\b")
_COMMONEST = re.compile(r"\b(?:most|least) (?:common|frequent|usual)\b")
_DESCENDING = re.compile(r"\b(?:highest|most|top|largest|biggest|greatest|maximum|worst)\b")
_ASCENDING = re.compile(r"\b(?:lowest|least|fewest|smallest|minimum|best)\b")
_GROUPS: list[tuple[GroupBy, re.Pattern[str]]] = [
    (GroupBy.TOPIC, re.compile(r"\b(?:topics?|reasons?|intents?|issues?|categor(?:y|ies))\b")),
    (GroupBy.CHANNEL, re.compile(r"\bchannels?\b")),
    (GroupBy.OUTCOME, re.compile(r"\boutcomes?\b")),
]
_CHANGES = re.compile(
    r"\bwhat(?:'s| has| have)? changed\b|\bany(?:thing)? (?:unusual|different|new)\b|\banomal\w*"
    r"|\bunusual\b|\bspik(?:e|es|ed)\b|\bsurg(?:e|es|ed)\b|\bjump(?:s|ed)?\b|\bsudden\w*"
)
_CUSTOMER = re.compile(r"\b(?:customers?|callers?|visitors?|users?|clients?)\b")
_AGENT = re.compile(r"\bagents?\b(?! escalat)|\bthe bot\b|\bassistants?\b")
_SAYS = re.compile(r"\b(?:say|said|says|ask|asks|asked|complain\w*|mention\w*|tell|told|write|wrote)\b")
_WORD = re.compile(r"[a-z][a-z'-]*")
# Words that frame a question rather than name its subject.
_FRAME = frozenset(
    """a about all an and any are as at be by can conversations conversation chats chat calls call contacts
    contact customer customers caller callers client clients user users visitor visitors do does did for
    from get got give have has how i in is it its me most of on or our per say said says share should show
    tell that the their them there these they this those to us was we were what when where which who why
    will with would you your rate rates percent percentage proportion many much number count often highest
    lowest least top topic topics reason reasons outcome outcomes channel channels ask asked asks about
    mention mentions complain complaining complaints complaint write wrote agent agents compared than more
    less fewer average mean median happen happens happened usually typically ended end ending been being
    went total overall each every common frequent usual people person touch reach out""".split()  # noqa: SIM905 - a word list reads better as text
)


def _metric(text: str) -> Metric:
    for metric, pattern in _METRICS:
        if pattern.search(text):
            return metric
    return Metric.VOLUME


def _content_words(text: str) -> list[str]:
    words = [word.strip("'-") for word in _WORD.findall(text)]
    return [word for word in words if len(word) > 2 and word not in _FRAME]


def _subject(text: str) -> list[str]:
    stripped = text
    for _, pattern in _METRICS:
        stripped = pattern.sub(" ", stripped)
    return _content_words(stripped)


def classify(question: str) -> Plan:
    text = question.lower()
    metric = _metric(text)
    group_by = next((group for group, pattern in _GROUPS if pattern.search(text)), GroupBy.NONE)
    descending = True if _DESCENDING.search(text) else False if _ASCENDING.search(text) else None
    ranking = bool(_RANKING.search(text)) and descending is not None
    if _COMMONEST.search(text):  # "the most common reasons": volume by topic unless grouped otherwise
        ranking = True
        group_by = GroupBy.TOPIC if group_by is GroupBy.NONE else group_by
    speaker = "customer" if _CUSTOMER.search(text) and _SAYS.search(text) else None
    if speaker is None and _AGENT.search(text) and _SAYS.search(text):
        speaker = "agent"
    return Plan(
        changes=bool(_CHANGES.search(text)),
        aggregate=bool(_NUMERIC.search(text)) or ranking,
        metric=metric,
        group_by=group_by,
        descending=descending,
        outcome=_METRIC_OUTCOME.get(metric),
        speaker=speaker,
        subject=_subject(text),
        keywords=_content_words(text),
    )
