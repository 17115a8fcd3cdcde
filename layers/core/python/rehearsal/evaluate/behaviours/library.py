"""Load behaviour definitions and compile them once per process (per set of human labels)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from rehearsal.bundles.source import SourceDocument
from rehearsal.evaluate.behaviours.judge import BehaviourJudge, SecondOpinion
from rehearsal.evaluate.behaviours.spec import BehaviourSet
from rehearsal.evaluate.behaviours.transcript import Transcript
from rehearsal.evaluate.results import CheckResult
from rehearsal.evaluate.specfiles import read_spec_document, validate_spec

Labels = Mapping[str, Mapping[str, bool]]
"""Behaviour id → labelled text → whether the text shows the behaviour (answers to review questions)."""

_COMPILED: dict[str, CompiledBehaviours] = {}
_COMPILED_LIMIT = 32


def load_behaviours(path: str | Path) -> BehaviourSet:
    """Raises ``SpecValidationError`` naming the file, line and path of every problem."""
    document = read_spec_document(path)
    return parse_behaviours(document.data, source=document.file, document=document)


def parse_behaviours(
    data: object, *, source: str = "<behaviours>", document: SourceDocument | None = None
) -> BehaviourSet:
    return validate_spec(
        BehaviourSet, {"behaviours": data} if isinstance(data, list) else data or {}, source, document
    )


class CompiledBehaviours:
    """Every behaviour of a set, ready to judge transcripts."""

    def __init__(
        self,
        behaviours: BehaviourSet,
        labels: Labels | None = None,
        second_opinion: SecondOpinion | None = None,
    ) -> None:
        self.behaviours = behaviours
        labels = labels or {}
        self._judges = {
            b.id: BehaviourJudge(b, labels.get(b.id), second_opinion=second_opinion)
            for b in behaviours.behaviours
        }

    def __contains__(self, behaviour_id: object) -> bool:
        return behaviour_id in self._judges

    def judge(self, behaviour_id: str) -> BehaviourJudge:
        try:
            return self._judges[behaviour_id]
        except KeyError:
            known = ", ".join(sorted(self._judges)) or "none"
            raise KeyError(f"unknown behaviour {behaviour_id!r}; defined: {known}") from None

    def judge_all(self, transcript: Transcript, *, agent: Literal["ai", "human"] = "ai") -> list[CheckResult]:
        """Every behaviour for this kind of agent (monitoring): required, or forbidden when to avoid."""
        return [
            judge.judge(transcript, forbidden=judge.behaviour.avoid)
            for judge in self._judges.values()
            if agent in judge.behaviour.applies_to
        ]


def compile_behaviours(
    behaviours: BehaviourSet, labels: Labels | None = None, second_opinion: SecondOpinion | None = None
) -> CompiledBehaviours:
    """Compiled once per (definitions, labels) in a process; a judge with a second opinion is not cached
    because the opinion holds a model client."""
    if second_opinion is not None:
        return CompiledBehaviours(behaviours, labels, second_opinion)
    key = _key(behaviours, labels or {})
    compiled = _COMPILED.get(key)
    if compiled is None:
        if len(_COMPILED) >= _COMPILED_LIMIT:
            _COMPILED.clear()
        compiled = _COMPILED[key] = CompiledBehaviours(behaviours, labels)
    return compiled


def _key(behaviours: BehaviourSet, labels: Labels) -> str:
    payload = json.dumps(
        [behaviours.model_dump(mode="json"), {b: dict(sorted(t.items())) for b, t in sorted(labels.items())}],
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
