"""An LLM judge: the second opinion on a turn the trained detector is unsure of, when a chat model is
configured. Its answer is parsed into a strict model; anything else leaves the detector's verdict standing."""

from __future__ import annotations

import json
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rehearsal.evaluate.behaviours.classifier import Detection, normalise
from rehearsal.evaluate.behaviours.spec import Behaviour
from rehearsal.evaluate.behaviours.transcript import TranscriptTurn
from rehearsal.llm.ports import ChatModel, LLMError

SYSTEM = (
    "You review one reply of a customer-service agent. Answer the question about that reply only, "
    'as JSON: {"answer": "yes" or "no", "confidence": a number from 0.5 to 1, "rationale": one sentence}.'
)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class JudgeAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: Literal["yes", "no"]
    confidence: Annotated[float, Field(ge=0.0, le=1.0)]
    rationale: str = ""


class LLMJudge:
    """Callable as a ``SecondOpinion``; one model call per behaviour and distinct turn text."""

    def __init__(self, model: ChatModel, *, max_tokens: int = 200) -> None:
        self._model = model
        self._max_tokens = max_tokens
        self._cache: dict[tuple[str, str], Detection | None] = {}

    def __call__(self, behaviour: Behaviour, turn: TranscriptTurn, context: str) -> Detection | None:
        key = (behaviour.id, normalise(turn.text))
        if key not in self._cache:
            self._cache[key] = self._ask(behaviour, turn, context)
        return self._cache[key]

    def _ask(self, behaviour: Behaviour, turn: TranscriptTurn, context: str) -> Detection | None:
        prompt = (
            f"Behaviour: {behaviour.description}\nQuestion: {behaviour.review_question}\n\n"
            f"Conversation so far:\n{context or '(nothing)'}\n\nThe reply to judge:\nagent: {turn.text}"
        )
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]
        try:
            completion = self._model.complete(messages, temperature=0.0, max_tokens=self._max_tokens)
            answer = JudgeAnswer.model_validate_json(_FENCE.sub("", (completion.content or "").strip()))
        except (LLMError, ValidationError, json.JSONDecodeError):
            return None  # the trained detector's verdict stands, flagged for a person
        yes = answer.answer == "yes"
        confidence = max(0.5, answer.confidence)
        return Detection(yes, confidence, confidence if yes else 1.0 - confidence, "llm")
