"""Human alignment: a low-confidence behaviour verdict becomes a yes/no question about one exact turn.

Questions live in the run store, keyed by their fingerprint (behaviour + normalised turn text), so the same
question is never asked twice, across items and across runs. An answer is a labelled example for that
behaviour's detector: compiling the behaviours with ``labels()`` makes the answer decide that turn from then
on, which changes the verdict of every item that rested on it when it is evaluated again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from rehearsal.evaluate.behaviours.library import Labels
from rehearsal.evaluate.results import ItemResult
from rehearsal.runtime.state import ConversationState, utcnow
from rehearsal.storage.ports import Conflict, NotFound, RunStore

PARTITION = "questions"
STATUS_INDEX = "question_status"
CONTEXT_TURNS = 4


class ContextTurn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    index: int
    role: str
    text: str


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fingerprint: str
    behaviour_id: str
    question: str
    turn: int = Field(description="The turn asked about, in the item's conversation.")
    text: str = Field(description="The exact words of that turn.")
    context: list[ContextTurn] = Field(default_factory=list, description="The turns just before it.")
    rationale: str
    detected: bool = Field(description="What the detector said: the reviewer confirms or corrects it.")
    confidence: float
    requirement_id: str
    item_id: str
    run_id: str | None = None
    asked_at: AwareDatetime = Field(default_factory=utcnow)
    answer: bool | None = None
    answered_by: str | None = None
    answered_at: AwareDatetime | None = None

    @property
    def pending(self) -> bool:
        return self.answer is None


class UnknownQuestionError(KeyError):
    def __str__(self) -> str:
        return f"no question {self.args[0]!r}"


class AlignmentQueue:
    """Questions and answers through the ``RunStore`` port (SQLite locally, DynamoDB on AWS)."""

    def __init__(self, runs: RunStore) -> None:
        self._runs = runs

    def ask(
        self, item: ItemResult, conversation: ConversationState | None, *, run_id: str | None = None
    ) -> list[Question]:
        """A question for each low-confidence verdict of ``item``; returns those asked for the first time."""
        asked = []
        for check in item.checks:
            target = check.review
            if target is None:
                continue
            question = Question(
                fingerprint=target.fingerprint,
                behaviour_id=target.behaviour_id,
                question=target.question,
                turn=target.turn,
                text=target.text,
                context=_context(conversation, target.turn),
                rationale=check.rationale,
                detected=target.detected,
                confidence=check.confidence,
                requirement_id=check.requirement_id,
                item_id=item.item_id,
                run_id=run_id,
            )
            try:
                self._runs.put(
                    PARTITION,
                    question.fingerprint,
                    question.model_dump(mode="json"),
                    index={STATUS_INDEX: "pending"},
                    if_absent=True,
                )
            except Conflict:
                continue  # asked before: never twice
            asked.append(question)
        return asked

    def pending(self) -> list[Question]:
        docs = self._runs.query_index(STATUS_INDEX, "pending")
        return sorted(
            (Question.model_validate(d.doc) for d in docs), key=lambda q: (q.asked_at, q.fingerprint)
        )

    def get(self, fingerprint: str) -> Question:
        try:
            return Question.model_validate(self._runs.get(PARTITION, fingerprint).doc)
        except NotFound:
            raise UnknownQuestionError(fingerprint) from None

    def answer(
        self, fingerprint: str, yes: bool, *, by: str | None = None, at: datetime | None = None
    ) -> Question:
        """Record the answer (a later answer corrects an earlier one)."""
        try:
            stored = self._runs.get(PARTITION, fingerprint)
        except NotFound:
            raise UnknownQuestionError(fingerprint) from None
        question = Question.model_validate(stored.doc)
        question.answer, question.answered_by, question.answered_at = yes, by, at or utcnow()
        self._runs.put(
            PARTITION,
            fingerprint,
            question.model_dump(mode="json"),
            index={STATUS_INDEX: "answered", "behaviour": question.behaviour_id},
            expected_revision=stored.revision,
        )
        return question

    def labels(self) -> Labels:
        """Every answer as a labelled example: behaviour id → turn text → shows the behaviour."""
        labels: dict[str, dict[str, bool]] = defaultdict(dict)
        for doc in self._runs.query_index(STATUS_INDEX, "answered"):
            question = Question.model_validate(doc.doc)
            if question.answer is not None:
                labels[question.behaviour_id][question.text] = question.answer
        return dict(labels)


def affected_items(items: Iterable[ItemResult], fingerprints: Iterable[str]) -> list[str]:
    """Items whose verdict rested on one of the answered turns: those to evaluate again."""
    wanted = set(fingerprints)
    return [
        item.item_id
        for item in items
        if any(check.review is not None and check.review.fingerprint in wanted for check in item.checks)
    ]


def _context(conversation: ConversationState | None, turn: int) -> list[ContextTurn]:
    if conversation is None:
        return []
    start = max(0, turn - CONTEXT_TURNS)
    return [ContextTurn(index=t.index, role=t.role, text=t.text) for t in conversation.turns[start:turn]]
