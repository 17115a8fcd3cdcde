"""The simulation driver: a visitor talks with a runtime session until one side stops → ``SimulationRecord``.

``Simulator`` builds the runtime once per bundle (tool binding, recognizer training) and runs many items on
it; ``simulate`` / ``asimulate`` are the one-item conveniences of the contract. A crash inside an item is
caught and recorded with its traceback: a failed item never sinks a run.
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path
from typing import Any, Literal, Protocol, TypedDict, Unpack

from rehearsal.llm.ports import ChatModel
from rehearsal.runtime.events import ModelUsage
from rehearsal.runtime.state import AgentReply, ConversationState, utcnow
from rehearsal.simulate.faults import FaultInjector
from rehearsal.simulate.items import RunItem
from rehearsal.simulate.records import SimulationRecord, SimulatorIssue, VisitorTermination, VisitorTurnLog
from rehearsal.simulate.sandbox import Sandbox
from rehearsal.simulate.selfcheck import check_visitor
from rehearsal.simulate.specs.scenario import Start
from rehearsal.simulate.visitors.agenda import AgendaVisitor
from rehearsal.simulate.visitors.base import Visitor, VisitorTurn

VisitorEngine = Literal["agenda", "llm"]
AgentEngine = Literal["flow", "llm"]


class SessionLike(Protocol):
    state: ConversationState
    world: dict[str, Any]

    def open(self) -> AgentReply: ...

    async def aopen(self) -> AgentReply: ...

    def respond(self, text: str) -> AgentReply: ...

    async def arespond(self, text: str) -> AgentReply: ...


class RuntimeLike(Protocol):
    def start(self, conversation_id: str, *, world: dict[str, Any] | None = None) -> SessionLike: ...


class Simulator:
    """Runs items against one runtime whose tool registry carries the fault injector."""

    def __init__(
        self,
        runtime: RuntimeLike,
        *,
        faults: FaultInjector,
        bundle_name: str,
        bundle_version: str,
        agent_engine: AgentEngine = "flow",
        visitor_model: ChatModel | None = None,
    ) -> None:
        self.runtime = runtime
        self.faults = faults
        self.bundle_name = bundle_name
        self.bundle_version = bundle_version
        self.agent_engine: AgentEngine = agent_engine
        self.visitor_model = visitor_model

    @classmethod
    def for_bundle(
        cls,
        loaded_bundle: Any,
        *,
        agent_engine: AgentEngine | None = None,
        agent_model: ChatModel | None = None,
        visitor_model: ChatModel | None = None,
        search_paths: list[Path] | None = None,
        tool_isolation: Literal["inline", "thread"] | None = None,
    ) -> Simulator:
        """The real runtime for a ``LoadedBundle``, its python tools found next to the bundle file.

        Tools run ``inline`` with the flow engine: simulated tools act on an in-memory world, and a thread
        hop per call would cost more than the call. With the llm engine (run under the async driver) they run
        on threads, so that a slow tool or injected latency never blocks the event loop.
        """
        from rehearsal.runtime import AgentRuntime
        from rehearsal.runtime.tools import ToolRegistry

        bundle = loaded_bundle.bundle
        paths = [*(search_paths or []), *([loaded_bundle.source_dir] if loaded_bundle.source_dir else [])]
        faults = FaultInjector()
        engine = agent_engine or bundle.model.engine
        isolation = tool_isolation or ("thread" if engine == "llm" else "inline")
        tools = ToolRegistry.from_bundle(bundle, search_paths=paths, isolation=isolation).wrap(faults)
        runtime = AgentRuntime(loaded_bundle, tools=tools, engine=engine, chat_model=agent_model)
        return cls(
            runtime,
            faults=faults,
            bundle_name=bundle.metadata.name,
            bundle_version=loaded_bundle.version,
            agent_engine=engine,
            visitor_model=visitor_model,
        )

    def visitor_for(self, item: RunItem, engine: VisitorEngine | None = None) -> Visitor:
        if (engine or item.visitor) == "llm":
            if self.visitor_model is None:
                raise ValueError(
                    "the llm visitor needs a chat model (configure an OpenAI-compatible endpoint)"
                )
            from rehearsal.simulate.visitors.llm import LLMVisitor

            return LLMVisitor(item.scenario, self.visitor_model, seed=item.seed)
        return AgendaVisitor(item.scenario, seed=item.seed, random_phrasing=item.variation.random_phrasing)

    def run(self, item: RunItem, *, visitor_engine: VisitorEngine | None = None) -> SimulationRecord:
        conversation = _Conversation(self, item, visitor_engine)
        try:
            session, visitor = conversation.begin()
            if item.scenario.start is Start.OUTBOUND:
                conversation.replied(session.open())
                turn = visitor.reply(conversation.last_messages, agent_ended=conversation.agent_ended)
            else:
                turn = visitor.opening()
            while (text := conversation.next_text(turn)) is not None:
                if conversation.replied(session.respond(text)):
                    break
                turn = visitor.reply(conversation.last_messages, agent_ended=conversation.agent_ended)
        except Exception:
            conversation.crashed(traceback.format_exc())
        return conversation.record()

    async def arun(self, item: RunItem, *, visitor_engine: VisitorEngine | None = None) -> SimulationRecord:
        conversation = _Conversation(self, item, visitor_engine)
        try:
            session, visitor = conversation.begin()
            if item.scenario.start is Start.OUTBOUND:
                conversation.replied(await session.aopen())
                turn = await visitor.areply(conversation.last_messages, agent_ended=conversation.agent_ended)
            else:
                turn = await visitor.aopening()
            while (text := conversation.next_text(turn)) is not None:
                if conversation.replied(await session.arespond(text)):
                    break
                turn = await visitor.areply(conversation.last_messages, agent_ended=conversation.agent_ended)
        except Exception:
            conversation.crashed(traceback.format_exc())
        return conversation.record()


class _Conversation:
    """The bookkeeping of one conversation, shared by the sync and async loops."""

    def __init__(self, simulator: Simulator, item: RunItem, visitor_engine: VisitorEngine | None) -> None:
        self.simulator = simulator
        self.item = item
        self.visitor_engine: VisitorEngine = visitor_engine or item.visitor
        self.sandbox = Sandbox(item.world)
        self.session: SessionLike | None = None
        self.visitor: Visitor | None = None
        self.log: list[VisitorTurnLog] = []
        self.issues: list[SimulatorIssue] = []
        self.last_messages: list[str] = []
        self.agent_ended = False
        self.termination: VisitorTermination | None = None
        self.visitor_turns = 0
        self.visitor_cost = 0.0
        self.error: str | None = None
        self.faults_begun = False  # only then are the faults under this item id ours to collect
        self.started_at = utcnow()
        self.clock = time.perf_counter()

    def begin(self) -> tuple[SessionLike, Visitor]:
        self.visitor = self.simulator.visitor_for(self.item, self.visitor_engine)
        self.simulator.faults.begin(self.item.item_id, self.item.faults, self.item.seed)
        self.faults_begun = True
        self.session = self.simulator.runtime.start(self.item.item_id, world=self.sandbox.world)
        return self.session, self.visitor

    def next_text(self, turn: VisitorTurn) -> str | None:
        """Log the visitor's turn; the text to send to the agent, or None when the conversation is over."""
        self.visitor_cost += turn.cost_usd
        self.issues.extend(turn.issues)
        if self.agent_ended:
            self.termination = turn.termination or VisitorTermination.AGENT_ENDED
            return None
        if not turn.text:
            if turn.termination is None:
                self.issues.append(
                    SimulatorIssue(kind="protocol", detail="the visitor said nothing and did not stop")
                )
            self.termination = turn.termination or VisitorTermination.GAVE_UP
            return None
        if self.visitor_turns >= self.item.max_visitor_turns:
            self.termination = VisitorTermination.MAX_TURNS
            return None
        assert self.session is not None
        self.log.append(
            VisitorTurnLog(
                turn=len(self.session.state.turns),
                text=turn.text,
                acts=turn.acts,
                disclosed=turn.disclosed,
                mood=turn.mood,
                goal=turn.goal,
            )
        )
        self.visitor_turns += 1
        self.termination = turn.termination  # a last word (thanks, bye) is still sent
        return turn.text

    def replied(self, reply: AgentReply) -> bool:
        """Note the agent's reply; True when the visitor had already decided to stop."""
        self.last_messages = reply.messages
        self.agent_ended = self.agent_ended or reply.ended is not None
        return self.termination is not None

    def crashed(self, trace: str) -> None:
        self.error = trace
        self.termination = VisitorTermination.ERROR

    def record(self) -> SimulationRecord:
        faults = self.simulator.faults.end(self.item.item_id) if self.faults_begun else []
        state = self.session.state if self.session is not None else None
        agent_cost = (
            sum(event.cost_usd for event in state.events if isinstance(event, ModelUsage)) if state else 0.0
        )
        issues = list(self.issues)
        scenario = self.item.scenario
        agent_turns = (
            [(turn.index, turn.text) for turn in state.turns if turn.role == "agent"] if state else []
        )
        goals = {goal.intent for goal in scenario.goals()}
        issues += check_visitor(self.log, scenario.fact_values(), goals, agent_turns)
        # The session's world belongs to this conversation alone: it is handed over, not copied.
        world_after = self.session.world if self.session is not None else self.sandbox.world
        return SimulationRecord(
            item_id=self.item.item_id,
            scenario_id=self.item.scenario_id,
            variation=self.item.variation.index,
            trial=self.item.trial,
            seed=self.item.seed,
            bundle_name=self.simulator.bundle_name,
            bundle_version=self.simulator.bundle_version,
            visitor_engine=self.visitor_engine,
            agent_engine=self.simulator.agent_engine,
            conversation=state,
            world_before=self.sandbox.before,
            world_after=world_after,
            visitor_termination=self.termination or VisitorTermination.ERROR,
            visitor_log=self.log,
            simulator_issues=issues,
            faults=faults,
            latency_ms=(time.perf_counter() - self.clock) * 1000.0,
            cost_usd=agent_cost + self.visitor_cost,
            visitor_cost_usd=self.visitor_cost,
            started_at=self.started_at,
            finished_at=utcnow(),
            error=self.error,
        )


class SimulateOptions(TypedDict, total=False):
    visitor_engine: VisitorEngine | None
    chat_model: ChatModel | None  # drives an llm visitor
    agent_engine: AgentEngine | None
    agent_model: ChatModel | None  # drives the agent's llm engine


def simulate(item: RunItem, loaded_bundle: Any, **options: Unpack[SimulateOptions]) -> SimulationRecord:
    """One item against a ``LoadedBundle`` (to run many, build one ``Simulator`` and reuse it)."""
    return _one_off(loaded_bundle, options).run(item, visitor_engine=options.get("visitor_engine"))


async def asimulate(
    item: RunItem, loaded_bundle: Any, **options: Unpack[SimulateOptions]
) -> SimulationRecord:
    return await _one_off(loaded_bundle, options).arun(item, visitor_engine=options.get("visitor_engine"))


def _one_off(loaded_bundle: Any, options: SimulateOptions) -> Simulator:
    return Simulator.for_bundle(
        loaded_bundle,
        agent_engine=options.get("agent_engine"),
        agent_model=options.get("agent_model"),
        visitor_model=options.get("chat_model"),
    )
