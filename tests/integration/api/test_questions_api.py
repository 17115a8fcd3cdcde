"""Question routes (pending yes/no questions and answers), bearer-token auth and the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from chalice.test import Client

from rehearsal.evaluate.alignment import AlignmentQueue
from rehearsal.evaluate.results import CheckKind, CheckResult, ItemResult, ReviewTarget, Verdict
from rehearsal.service.api import context, create_app

from .support import body, configure, post


def _ask(fingerprint: str = "empathy:abc") -> str:
    """An uncertain behaviour verdict, put as a question the way evaluation does."""
    review = ReviewTarget(
        fingerprint=fingerprint,
        behaviour_id="empathy_when_upset",
        turn=2,
        text="Let me see what happened with it.",
        question="Does this reply acknowledge the customer's feelings?",
        detected=False,
    )
    check = CheckResult(
        requirement_id="empathy",
        kind=CheckKind.BEHAVIOUR,
        criticality="major",
        passed=None,
        confidence=0.55,
        review=review,
    )
    item = ItemResult(item_id="s1/v000/t00", scenario_id="s1", verdict=Verdict.FAIL, checks=[check])
    AlignmentQueue(context.stores().runs).ask(item, None, run_id="R1")
    return fingerprint


def test_pending_questions_are_listed(client: Client) -> None:
    fingerprint = _ask()

    response = client.http.get("/questions")

    assert response.status_code == 200
    assert [question["fingerprint"] for question in body(response)] == [fingerprint]


def test_answer_records_it_and_the_question_leaves_the_pending_list(client: Client) -> None:
    # Given a pending question
    fingerprint = _ask()

    # When answering it
    response = post(client, f"/questions/{fingerprint}/answer", {"answer": True, "by": "reviewer@acme"})

    # Then it is answered and no longer pending
    assert response.status_code == 200
    assert body(response)["answer"] is True and body(response)["answered_by"] == "reviewer@acme"
    assert body(client.http.get("/questions")) == []
    assert body(client.http.get(f"/questions/{fingerprint}"))["answer"] is True


def test_answer_to_an_unknown_question_is_a_404(client: Client) -> None:
    response = post(client, "/questions/nope/answer", {"answer": False})

    assert response.status_code == 404


@pytest.mark.parametrize(("payload", "path"), [({}, "body.answer"), ({"answer": "maybe"}, "body.answer")])
def test_bad_answer_is_a_400_naming_the_field(client: Client, payload: dict[str, object], path: str) -> None:
    fingerprint = _ask()

    response = post(client, f"/questions/{fingerprint}/answer", payload)

    assert response.status_code == 400
    assert body(response)["error"]["details"][0]["path"] == path


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[Client]:
    configure(tmp_path / "home", api_token="s3cret")
    with Client(create_app()) as test_client:
        yield test_client
    context.configure()


@pytest.mark.parametrize("header", [None, "Bearer wrong", "s3cret", "Bearer s3cret "])
def test_without_the_right_bearer_token_every_route_is_a_401(guarded: Client, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}

    response = guarded.http.get("/bundles", headers=headers)

    assert response.status_code == 401
    assert body(response)["error"]["code"] == "unauthorized"


def test_with_the_right_bearer_token_the_route_answers(guarded: Client) -> None:
    response = guarded.http.get("/bundles", headers={"Authorization": "Bearer s3cret"})

    assert response.status_code == 200


def test_openapi_documents_every_route_with_its_contracts(client: Client) -> None:
    # Given the app's routes
    app = create_app()
    routes = {(path, method.lower()) for path, methods in app.routes.items() for method in methods}

    # When reading the document
    document = body(client.http.get("/openapi.json"))
    documented = {(path, method) for path, item in document["paths"].items() for method in item}

    # Then every route but the document itself is described, with bodies and error shapes
    assert documented == routes - {("/openapi.json", "get")}
    start = document["paths"]["/runs"]["post"]
    assert start["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StartRun"
    }
    assert start["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "ErrorEnvelope"
    )
    assert "SuiteSnapshot" in document["components"]["schemas"]
