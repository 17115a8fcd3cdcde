"""Judge one behaviour on one transcript → a ``CheckResult`` with confidence, evidence and, when unsure, the
turn a person should confirm."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from rehearsal.evaluate.behaviours.classifier import Detection, TextClassifier, normalise
from rehearsal.evaluate.behaviours.occurrences import Occurrence, find_occurrences
from rehearsal.evaluate.behaviours.spec import (
    AgentSaysDetector,
    Behaviour,
    CustomerSaysTrigger,
    VerifiedBeforeDetector,
)
from rehearsal.evaluate.behaviours.transcript import (
    Transcript,
    TranscriptCall,
    TranscriptFact,
    TranscriptTurn,
)
from rehearsal.evaluate.criticality import Criticality
from rehearsal.evaluate.results import CheckKind, CheckResult, Evidence, ReviewTarget


class SecondOpinion(Protocol):
    """Asked about a turn the classifier is unsure of (an LLM judge); None when it cannot say."""

    def __call__(self, behaviour: Behaviour, turn: TranscriptTurn, context: str) -> Detection | None: ...


def fingerprint(behaviour_id: str, text: str) -> str:
    """The identity of a review question: the same behaviour about the same words is one question."""
    return hashlib.sha256(f"{behaviour_id}\x1f{normalise(text)}".encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class _Judged:
    """One occurrence's outcome: whether the behaviour showed, how sure, and the turn it rests on."""

    shown: bool
    confidence: float
    turn: TranscriptTurn | None
    detection: Detection | None
    rationale: str


class BehaviourJudge:
    """A behaviour with its classifiers compiled once; reused for every conversation of a run."""

    def __init__(
        self,
        behaviour: Behaviour,
        labels: Mapping[str, bool] | None = None,
        second_opinion: SecondOpinion | None = None,
    ) -> None:
        self.behaviour = behaviour
        self._second_opinion = second_opinion
        trigger = behaviour.trigger
        self._trigger_classifier = (
            TextClassifier(trigger.classifier) if isinstance(trigger, CustomerSaysTrigger) else None
        )
        detector = behaviour.detector
        self._detector_classifier = (
            TextClassifier(detector.classifier, labels) if isinstance(detector, AgentSaysDetector) else None
        )

    def judge(
        self,
        transcript: Transcript,
        *,
        requirement_id: str | None = None,
        criticality: Criticality | None = None,
        forbidden: bool = False,
    ) -> CheckResult:
        """Required: shown at each trigger (once, unless ``every_time``). Forbidden: never shown."""
        requirement_id = requirement_id or f"behaviour:{self.behaviour.id}"
        criticality = criticality or self.behaviour.criticality
        occurrences = find_occurrences(self.behaviour.trigger, transcript, self._trigger_classifier)
        judged: list[tuple[Occurrence, _Judged]] = []
        for occurrence in occurrences:
            outcome = self._judge(occurrence, transcript)
            if outcome is not None:
                judged.append((occurrence, outcome))
        if not judged:
            return CheckResult.not_applicable(
                requirement_id, CheckKind.BEHAVIOUR, criticality, f"{self.behaviour.id}: never triggered"
            )
        passed, decisive = _decide(judged, forbidden=forbidden, every_time=self.behaviour.every_time)
        occurrence, outcome = decisive
        return CheckResult(
            requirement_id=requirement_id,
            kind=CheckKind.BEHAVIOUR,
            criticality=criticality,
            passed=passed,
            confidence=outcome.confidence,
            evidence=_evidence(occurrence, outcome),
            rationale=f"{'forbidden ' if forbidden else ''}{self.behaviour.id}: {outcome.rationale}",
            review=self._review(outcome),
        )

    def _judge(self, occurrence: Occurrence, transcript: Transcript) -> _Judged | None:
        detector = self.behaviour.detector
        if isinstance(detector, VerifiedBeforeDetector):
            return _verified_before(detector, occurrence, transcript)
        if not occurrence.scope:
            return None  # the conversation ended before the agent could answer
        return self._agent_says(occurrence, transcript)

    def _agent_says(self, occurrence: Occurrence, transcript: Transcript) -> _Judged:
        assert self._detector_classifier is not None
        best: tuple[TranscriptTurn, Detection] | None = None
        for turn in occurrence.scope:
            detection = self._detect(turn, transcript)
            if detection.positive:
                return _Judged(
                    True,
                    detection.confidence,
                    turn,
                    detection,
                    f"shown in turn {turn.index} ({detection.source})",
                )
            if best is None or detection.probability > best[1].probability:
                best = (turn, detection)
        assert best is not None
        turn, detection = best
        where = ", ".join(str(t.index) for t in occurrence.scope)
        return _Judged(False, detection.confidence, turn, detection, f"not shown in turn(s) {where}")

    def _detect(self, turn: TranscriptTurn, transcript: Transcript) -> Detection:
        assert self._detector_classifier is not None
        detection = self._detector_classifier.detect(turn.text)
        if self._second_opinion is None or detection.confidence >= self.behaviour.review_below:
            return detection
        return self._second_opinion(self.behaviour, turn, _context(transcript, turn)) or detection

    def _review(self, outcome: _Judged) -> ReviewTarget | None:
        detection, turn = outcome.detection, outcome.turn
        if detection is None or turn is None or outcome.confidence >= self.behaviour.review_below:
            return None
        return ReviewTarget(
            fingerprint=fingerprint(self.behaviour.id, turn.text),
            behaviour_id=self.behaviour.id,
            turn=turn.index,
            text=turn.text,
            question=self.behaviour.review_question,
            detected=detection.positive,
        )


def _decide(
    judged: list[tuple[Occurrence, _Judged]], *, forbidden: bool, every_time: bool
) -> tuple[bool, tuple[Occurrence, _Judged]]:
    """The verdict and the occurrence it rests on: the first offending one, else the least certain one."""
    shown = [pair for pair in judged if pair[1].shown]
    missing = [pair for pair in judged if not pair[1].shown]
    if forbidden:
        bad, good = shown, missing
    elif every_time:
        bad, good = missing, shown
    else:
        bad, good = ([], shown) if shown else (missing, [])
    if bad:
        return False, bad[0]
    return True, min(good, key=lambda pair: pair[1].confidence)


def _verified_before(
    detector: VerifiedBeforeDetector, occurrence: Occurrence, transcript: Transcript
) -> _Judged:
    call = occurrence.call
    assert call is not None
    tools, facts = set(detector.tools), set(detector.facts)
    for event in transcript.events:
        if event is call:
            break
        if (isinstance(event, TranscriptCall) and event.ok and event.tool in tools) or (
            isinstance(event, TranscriptFact) and event.fact in facts
        ):
            what = event.tool if isinstance(event, TranscriptCall) else f"fact {event.fact}"
            return _Judged(
                True, 1.0, None, None, f"{what} (turn {event.turn}) before {call.tool} ({call.id})"
            )
    return _Judged(
        False, 1.0, None, None, f"{call.tool} ({call.id}, turn {call.turn}) with no verification before it"
    )


def _evidence(occurrence: Occurrence, outcome: _Judged) -> list[Evidence]:
    evidence = []
    if occurrence.trigger_turn is not None and (
        outcome.turn is None or occurrence.trigger_turn != outcome.turn.index
    ):
        evidence.append(
            Evidence(
                turn=occurrence.trigger_turn,
                quote=occurrence.trigger_quote,
                tool_call_id=occurrence.call.id if occurrence.call else None,
            )
        )
    if outcome.turn is not None:
        evidence.append(Evidence(turn=outcome.turn.index, quote=outcome.turn.text))
    return evidence


def _context(transcript: Transcript, turn: TranscriptTurn, before: int = 3) -> str:
    start = max(0, turn.index - before)
    return "\n".join(f"{t.role}: {t.text}" for t in transcript.turns[start : turn.index])
