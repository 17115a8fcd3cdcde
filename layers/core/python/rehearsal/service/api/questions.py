"""Human-alignment questions: pending yes/no questions on low-confidence verdicts, and their answers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.evaluate.alignment import AlignmentQueue, Question
from rehearsal.service.api.context import parse_body, stores
from rehearsal.service.api.routing import ApiBlueprint

questions = ApiBlueprint(__name__)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: bool = Field(description="Does the turn show the behaviour?")
    by: str | None = Field(None, max_length=200)


@questions.route("/questions", methods=["GET"])
def pending() -> list[Question]:
    return AlignmentQueue(stores().runs).pending()


@questions.route("/questions/{fingerprint}", methods=["GET"])
def get_question(fingerprint: str) -> Question:
    return AlignmentQueue(stores().runs).get(fingerprint)


@questions.route("/questions/{fingerprint}/answer", methods=["POST"], body=AnswerIn)
def answer(fingerprint: str) -> Question:
    """The answer becomes a labelled example of the behaviour's detector; a later answer corrects it."""
    body = parse_body(questions.current_request, AnswerIn)
    return AlignmentQueue(stores().runs).answer(fingerprint, body.answer, by=body.by)
