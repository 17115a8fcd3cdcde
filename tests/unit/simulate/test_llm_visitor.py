"""The llm visitor against a local OpenAI-compatible server: the persona prompt, the stop protocol, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from rehearsal.bundles.schema import Pricing
from rehearsal.llm.openai_provider import OpenAIChatModel
from rehearsal.llm.stub_server import StubOpenAIServer, StubReply
from rehearsal.simulate.driver import Simulator
from rehearsal.simulate.faults import FaultInjector
from rehearsal.simulate.records import VisitorTermination
from rehearsal.simulate.visitors.llm import persona_prompt

from .builders import item, scenario
from .fakes import DeskRuntime


@pytest.fixture
def server() -> Iterator[StubOpenAIServer]:
    with StubOpenAIServer() as stub:
        yield stub


def model(server: StubOpenAIServer) -> OpenAIChatModel:
    pricing = Pricing(input_per_1k_tokens=1.0, output_per_1k_tokens=1.0)
    return OpenAIChatModel(
        server.base_url, "test-key", "stub-model", max_retries=0, timeout_s=5, pricing=pricing
    )


def simulator(server: StubOpenAIServer) -> Simulator:
    return Simulator(
        DeskRuntime(),
        faults=FaultInjector(),
        bundle_name="desk",
        bundle_version="v0",
        visitor_model=model(server),
    )


def test_the_prompt_carries_persona_goal_facts_and_the_stop_protocol() -> None:
    # Given a scenario with a known and an unknown fact and a push-back policy
    prompt = persona_prompt(scenario(policies={"push_back_once": True}))
    # Then the prompt tells all of it
    assert "Jane Doe" in prompt
    assert "order number: A1001" in prompt
    assert "do NOT know" in prompt and "zip code" in prompt
    assert "push back once" in prompt
    assert "###STOP:goal_met###" in prompt


def test_a_scripted_llm_visitor_reaches_its_goal(server: StubOpenAIServer) -> None:
    # Given a model that plays a customer through the desk's questions and stops when refunded
    server.script(
        StubReply.say("Hi, I'd like a refund for order A1001."),
        StubReply.say("It's jane@example.com."),
        StubReply.say("Yes please."),
        StubReply.say("Thanks a lot! ###STOP:goal_met###"),
    )
    # When it is simulated
    record = simulator(server).run(item(), visitor_engine="llm")
    # Then the goal is met, the stop token never reaches the agent, and the model's cost is counted
    assert record.error is None
    assert record.visitor_termination is VisitorTermination.GOAL_MET
    assert record.conversation is not None
    assert all("###" not in turn.text for turn in record.conversation.turns)
    assert record.visitor_log[1].disclosed == {"email": "jane@example.com"}
    assert record.visitor_cost_usd > 0
    assert record.simulator_issues == []


def test_the_model_sees_the_agent_as_the_user(server: StubOpenAIServer) -> None:
    # Given a visitor that gives up after the desk's first question
    server.script(
        StubReply.say("Refund order A1001 please."), StubReply.say("Never mind. ###STOP:gave_up###")
    )
    # When it is simulated
    record = simulator(server).run(item(), visitor_engine="llm")
    # Then the model saw its prompt, its own words as assistant and the agent's as user
    last = server.requests[-1].body["messages"]
    assert [m["role"] for m in last] == ["system", "user", "assistant", "user"]
    assert "email" in last[-1]["content"]
    assert record.visitor_termination is VisitorTermination.GAVE_UP


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        ("Thanks! ###STOP:goal_met###", "false_goal_claim"),
        ("Bye ###STOP:teleported###", "protocol"),
        ("My other order is A7777.", "invented_fact"),
    ],
)
def test_simulator_mistakes_are_flagged(server: StubOpenAIServer, reply: str, kind: str) -> None:
    # Given a model that makes one mistake right after its opening, then gives up
    server.script(
        StubReply.say("Refund order A1001."), StubReply.say(reply), StubReply.say("###STOP:gave_up###")
    )
    # When it is simulated / Then the self-check flags it
    record = simulator(server).run(item(), visitor_engine="llm")
    assert kind in [issue.kind for issue in record.simulator_issues]


def test_an_unavailable_model_errors_the_item(server: StubOpenAIServer) -> None:
    # Given a model endpoint that fails
    server.script(StubReply.error(500))
    # When simulated / Then the item is errored with a traceback, not raised
    record = simulator(server).run(item(), visitor_engine="llm")
    assert record.visitor_termination is VisitorTermination.ERROR
    assert record.error is not None


def test_the_async_path_uses_the_same_protocol(server: StubOpenAIServer) -> None:
    # Given a short scripted conversation
    server.script(StubReply.say("Refund order A1001."), StubReply.say("###STOP:gave_up###"))
    # When simulated with the async driver
    record = asyncio.run(simulator(server).arun(item(), visitor_engine="llm"))
    # Then it ends the same way
    assert record.visitor_termination is VisitorTermination.GAVE_UP


def test_the_llm_visitor_needs_a_model() -> None:
    # Given a simulator without a visitor model / When an llm item runs / Then the item errors clearly
    record = Simulator(DeskRuntime(), faults=FaultInjector(), bundle_name="d", bundle_version="v").run(
        item(), visitor_engine="llm"
    )
    assert record.error is not None and "needs a chat model" in record.error


def test_a_stop_token_without_hashes_still_stops(server: StubOpenAIServer) -> None:
    # Given a model that forgets the hashes around its stop token
    server.script(StubReply.say("Refund order A1001."), StubReply.say("Forget it. STOP:gave_up"))
    # When simulated / Then it still stops, and the token is not sent to the agent
    record = simulator(server).run(item(), visitor_engine="llm")
    assert record.visitor_termination is VisitorTermination.GAVE_UP
    assert record.conversation is not None
    assert all("STOP" not in turn.text for turn in record.conversation.turns)
