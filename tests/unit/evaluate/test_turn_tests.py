from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from rehearsal.bundles.loader import load_bundle
from rehearsal.bundles.schema import EndReason
from rehearsal.evaluate.results import Verdict
from rehearsal.evaluate.turn_tests import run_turn_test, run_turn_tests
from rehearsal.runtime import AgentRuntime
from rehearsal.runtime.state import AgentReply, ConversationState
from rehearsal.simulate.specs.suite import TurnTest

EXAMPLE = Path(__file__).parents[3] / "examples" / "acme_retail"


@pytest.fixture(scope="module")
def runtime() -> AgentRuntime:
    return AgentRuntime(load_bundle(EXAMPLE / "bundle.v2.yaml"))


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    return yaml.safe_load((EXAMPLE / "world.yaml").read_text())


def _test(expect: dict[str, Any], prefix: list[str] | None = None) -> TurnTest:
    return TurnTest.model_validate(
        {"id": "refund_unshipped", "prefix": prefix or ["I want a refund for order A1002"], "expect": expect}
    )


def test_a_reply_meeting_its_assertions_passes_with_the_reply_as_evidence(runtime, world):
    # Given
    test = _test(
        {"says": ["hasn't shipped"], "calls_tool": ["lookup_order"], "not_calls_tool": ["refund_order"]}
    )

    # When
    result = run_turn_test(test, runtime, world=world)

    # Then
    assert result.verdict is Verdict.PASS
    assert result.item_id == "turn_test:refund_unshipped"
    [check] = result.checks
    assert check.evidence[0].turn == 1 and "hasn't shipped" in check.evidence[0].quote


def test_a_reply_breaking_its_assertions_fails_naming_each_one(runtime, world):
    test = _test(
        {"not_calls_tool": ["lookup_order"], "matches": ["refund (issued|on its way)"], "ends": "resolved"}
    )
    result = run_turn_test(test, runtime, world=world)
    assert result.verdict is Verdict.FAIL
    rationale = result.checks[0].rationale
    assert "calls lookup_order" in rationale
    assert "does not match /refund (issued|on its way)/" in rationale
    assert "ends not at all, expected resolved" in rationale


def test_the_world_is_copied_so_tests_do_not_leak_into_each_other(runtime, world):
    before = yaml.safe_dump(world)
    run_turn_tests([_test({}), _test({})], runtime, world=world)
    assert yaml.safe_dump(world) == before


class _CrashingRuntime:
    def start(self, conversation_id: str, *, world: dict[str, Any] | None = None) -> Any:
        raise RuntimeError("tools unavailable")


def test_a_crash_while_replaying_gives_an_errored_item_with_its_traceback():
    result = run_turn_test(_test({}), _CrashingRuntime())
    assert result.verdict is Verdict.ERRORED
    assert "RuntimeError: tools unavailable" in (result.error or "")


class _EndingSession:
    """Ends the conversation at the first message, whatever it is."""

    def __init__(self) -> None:
        self.state = ConversationState(
            conversation_id="c", bundle_name="b", bundle_version="v", active_agent="a"
        )
        self.world: dict[str, Any] = {}

    def respond(self, text: str) -> Any:
        self.state.add_turn("customer", text)
        self.state.add_turn("agent", "Goodbye.")
        self.state.ended = EndReason.RESOLVED
        return AgentReply(messages=["Goodbye."], ended=EndReason.RESOLVED)


class _EndingRuntime:
    def start(self, conversation_id: str, *, world: dict[str, Any] | None = None) -> Any:
        return _EndingSession()


def test_a_conversation_that_ends_before_the_prefix_is_done_fails():
    result = run_turn_test(_test({}, prefix=["hi", "refund A1002"]), _EndingRuntime())
    assert result.verdict is Verdict.FAIL
    assert "ended before the last of the 2 prefix messages" in result.checks[0].rationale
