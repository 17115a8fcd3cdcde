from __future__ import annotations

import multiprocessing
from typing import Any

import pytest

from rehearsal.bundles.schema import Pricing
from rehearsal.llm import AsyncChatModel, ChatCompletion, ChatModel
from rehearsal.llm.ports import Messages, ToolSchemas, cost_of


class Echo(AsyncChatModel):
    """An offline model: answers with the last message."""

    async def acomplete(
        self,
        messages: Messages,
        *,
        tools: ToolSchemas | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> ChatCompletion:
        return ChatCompletion(content=str(messages[-1]["content"]), model="echo")


def test_an_async_model_gets_a_blocking_complete() -> None:
    # Given
    model = Echo()
    # When
    completion = model.complete([{"role": "user", "content": "ping"}])
    # Then
    assert (completion.content, completion.model) == ("ping", "echo")
    assert isinstance(model, ChatModel)


@pytest.mark.parametrize(
    ("input_tokens", "output_tokens", "expected"), [(0, 0, 0.0), (1000, 0, 0.5), (2000, 500, 1.0 + 0.75)]
)
def test_cost_follows_the_pricing_per_thousand_tokens(
    input_tokens: int, output_tokens: int, expected: float
) -> None:
    # Given
    pricing = Pricing(input_per_1k_tokens=0.5, output_per_1k_tokens=1.5)
    # When / Then
    assert cost_of(pricing, input_tokens, output_tokens) == pytest.approx(expected)


def _complete_in_child(model: Echo, answers: Any) -> None:
    answers.put(model.complete([{"role": "user", "content": "from the child"}]).content)


def test_a_forked_child_gets_its_own_background_loop() -> None:
    # Given a parent whose blocking calls already run on the background loop
    model = Echo()
    assert model.complete([{"role": "user", "content": "ping"}]).content == "ping"
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    # When a forked child makes a blocking call
    child = context.Process(target=_complete_in_child, args=(model, answers))
    child.start()
    child.join(timeout=20)
    # Then it is answered, rather than waiting on a loop no thread runs
    if child.is_alive():
        child.kill()
    assert child.exitcode == 0
    assert answers.get(timeout=1) == "from the child"
