"""The ``analyst`` Lambda handler on the embedded backend: validate the event, answer, return JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from rehearsal.analyst import CitedAnswer
from rehearsal.service import lambdas
from rehearsal.service.lambdas import EventValidationError
from rehearsal.settings import Settings

from ..functions.support import LambdaContext, load_handler
from .conftest import CORPUS

CONTEXT = LambdaContext()
Handler = Callable[..., dict[str, Any]]


@pytest.fixture
def handler(stored_corpus: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Handler]:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    lambdas.settings.cache_clear()
    lambdas.stores.cache_clear()
    handler: Handler = load_handler("analyst").lambda_handler
    yield handler
    lambdas.settings.cache_clear()
    lambdas.stores.cache_clear()


def test_the_handler_returns_a_cited_answer(handler: Handler) -> None:
    # When the Lambda gets a question about the stored corpus
    event = {"question": "What do customers say about lost cards?", "corpus": CORPUS}
    output = handler(event, CONTEXT)

    # Then it returns the answer as JSON, citations included
    result = CitedAnswer.model_validate(output)
    assert result.citations and all(c.conversation_id.startswith("c") for c in result.citations)


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"corpus": CORPUS}, "question"),
        ({"question": "why?", "corpus": "../etc"}, "corpus"),
        ({"question": "why?", "corpus": CORPUS, "k": 0}, "k"),
        ({"question": "why?", "corpus": CORPUS, "extra": 1}, "extra"),
    ],
)
def test_a_bad_event_names_the_field(handler: Handler, event: dict[str, object], field: str) -> None:
    # When the event breaks the contract / Then the error names the field
    with pytest.raises(EventValidationError, match=field):
        handler(event, CONTEXT)
