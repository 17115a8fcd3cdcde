"""A conversation with an agent: the engine's effects are carried out here, with the guardrails around them.

``respond`` and ``arespond`` run the same driver: the engine is a generator of effects (tool calls, model
calls); the synchronous API hands them to blocking handlers and runs the driver with ``sync.run_now``.
Nothing a tool, a model or a bundle does at run time raises out of here: failures become typed events, and an
internal failure ends the conversation with ``EndReason.ERROR``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from rehearsal.bundles.schema import EndReason
from rehearsal.runtime.conditions import all_hold
from rehearsal.runtime.events import (
    ConversationEnded,
    ErrorCode,
    FactGranted,
    SchemaMismatch,
    ToolCall,
    ToolCalled,
    ToolCallStatus,
    TurnCompleted,
)
from rehearsal.runtime.state import AgentReply, ConversationState
from rehearsal.runtime.sync import run_now
from rehearsal.runtime.tools import ToolContext, ToolOutcome
from rehearsal.runtime.turn import AskModel, CallTool, Effect, EngineRun, TurnContext

if TYPE_CHECKING:
    from rehearsal.runtime.agent import AgentRuntime

SORRY = "I'm sorry, something went wrong on our side. Let me get someone to help you."
_ERROR_EVENTS = {
    ToolCallStatus.UNKNOWN_TOOL: ErrorCode.UNKNOWN_TOOL,
    ToolCallStatus.TIMEOUT: ErrorCode.TOOL_TIMEOUT,
}


class Session:
    def __init__(self, runtime: AgentRuntime, state: ConversationState, world: dict[str, Any]) -> None:
        self.runtime = runtime
        self.state = state
        self.world = world

    # --- public interface ---------------------------------------------------------------------------------

    def open(self) -> AgentReply:
        """The agent's opening (greeting or outbound message)."""
        return run_now(self._run(None, blocking=True))

    async def aopen(self) -> AgentReply:
        return await self._run(None, blocking=False)

    def respond(self, text: str) -> AgentReply:
        """The agent's reply to one customer message."""
        return run_now(self._run(text, blocking=True))

    async def arespond(self, text: str) -> AgentReply:
        return await self._run(text, blocking=False)

    # --- turn frame ---------------------------------------------------------------------------------------

    def _begin(self, text: str | None) -> TurnContext:
        runtime, state = self.runtime, self.state
        if text is not None and state.ended is None:
            state.add_turn("customer", text)
        return TurnContext(state, agents=runtime.compiled.agent_names, today=runtime.today())

    def _engine_run(self, ctx: TurnContext, text: str | None) -> EngineRun | None:
        """The engine's work for this turn; None when the conversation is over or a guardrail answered."""
        runtime = self.runtime
        if ctx.ended:
            return None
        if text is None:
            return runtime.engine.open(ctx)
        if runtime.compiled.guardrails.screen_customer(ctx, text):
            return None
        return runtime.engine.turn(ctx, text)

    def _finish(self, ctx: TurnContext, started: float, *, was_over: bool) -> AgentReply:
        state = self.state
        if not was_over:
            guardrails = self.runtime.compiled.guardrails
            guardrails.after_engine(ctx)
            guardrails.screen_replies(ctx)
            if ctx.messages:
                state.add_turn("agent", "\n".join(ctx.messages), agent=state.active_agent)
            latency_ms = (time.perf_counter() - started) * 1000.0
            engine = self.runtime.engine.name
            ctx.emit(
                TurnCompleted(turn=ctx.turn, agent=state.active_agent, latency_ms=latency_ms, engine=engine)
            )
            if state.ended is not None:
                ctx.emit(ConversationEnded(turn=ctx.turn, reason=state.ended, detail=ctx.end_detail))
        latency_ms = (time.perf_counter() - started) * 1000.0
        return AgentReply(messages=ctx.messages, events=ctx.events, ended=state.ended, latency_ms=latency_ms)

    def _crashed(self, ctx: TurnContext, error: Exception) -> None:
        ctx.error(ErrorCode.INTERNAL, f"{type(error).__name__}: {error}")
        ctx.say(SORRY)
        ctx.end(EndReason.ERROR, "internal error")

    # --- driver -----------------------------------------------------------------------------------------

    async def _run(self, text: str | None, *, blocking: bool) -> AgentReply:
        """Feed the engine's effects to their handlers; ``blocking`` handlers never suspend (see ``sync``)."""
        started = time.perf_counter()
        was_over = self.state.ended is not None
        ctx = self._begin(text)
        try:
            run = self._engine_run(ctx, text)
            outcome: Any = None
            failure: Exception | None = None
            while run is not None:
                try:
                    effect = run.throw(failure) if failure is not None else run.send(outcome)
                except StopIteration:
                    break
                outcome, failure = None, None
                try:
                    outcome = await self._handle(ctx, effect, blocking=blocking)
                except Exception as error:
                    failure = error
        except Exception as error:
            self._crashed(ctx, error)
        return self._finish(ctx, started, was_over=was_over)

    # --- effects ------------------------------------------------------------------------------------------

    async def _handle(self, ctx: TurnContext, effect: Effect, *, blocking: bool) -> Any:
        if isinstance(effect, CallTool):
            refused = self._refuse(ctx, effect)
            if refused is not None:
                return self._record(ctx, effect, refused)
            tools, tool_ctx = self.runtime.tools, self._tool_context()
            if blocking:
                outcome = tools.call(effect.tool, effect.arguments, tool_ctx)
            else:
                outcome = await tools.acall(effect.tool, effect.arguments, tool_ctx)
            return self._record(ctx, effect, outcome)
        assert isinstance(effect, AskModel)
        model = self.runtime.require_model()
        options: dict[str, Any] = {
            "tools": effect.tools,
            "temperature": effect.temperature,
            "max_tokens": effect.max_tokens,
        }
        if blocking:
            return model.complete(effect.messages, **options)
        return await model.acomplete(effect.messages, **options)

    def _tool_context(self) -> ToolContext:
        return ToolContext(
            world=self.world, conversation_id=self.state.conversation_id, agent=self.state.active_agent
        )

    def _refuse(self, ctx: TurnContext, effect: CallTool) -> ToolOutcome | None:
        """The outcome of a call that must not run: unknown, not this agent's, or its precondition unmet."""
        tools = self.runtime.tools
        if effect.tool not in tools:
            return ToolOutcome(
                ToolCallStatus.UNKNOWN_TOOL, error=f"no tool named {effect.tool!r}", error_code="unknown_tool"
            )
        allowed = self.runtime.compiled.agents[ctx.state.active_agent].agent.tools
        if allowed and effect.tool not in allowed:
            message = f"agent {ctx.state.active_agent!r} may not call {effect.tool!r}"
            return ToolOutcome(ToolCallStatus.UNKNOWN_TOOL, error=message, error_code="tool_not_allowed")
        blocked = self.runtime.compiled.guardrails.check_precondition(ctx, effect.tool)
        if blocked is not None:
            return ToolOutcome(ToolCallStatus.BLOCKED, error=blocked, error_code="precondition_unmet")
        return None

    def _record(self, ctx: TurnContext, effect: CallTool, outcome: ToolOutcome) -> ToolCall:
        state = self.state
        call = ToolCall(
            id=effect.call_id or f"call_{len(state.tool_calls) + 1}",
            tool=effect.tool,
            arguments=effect.arguments if isinstance(effect.arguments, dict) else {},
            status=outcome.status,
            result=outcome.result,
            error=outcome.error,
            error_code=outcome.error_code,
            latency_ms=outcome.latency_ms,
            agent=state.active_agent,
            turn=ctx.turn,
        )
        state.tool_calls.append(call)
        ctx.emit(ToolCalled(turn=ctx.turn, call=call))
        if outcome.ok:
            state.results[effect.save_as or effect.tool] = outcome.result
            state.last_result, state.last_error = outcome.result, None
            self._grant(ctx, effect.tool, outcome.result)
            return call
        state.last_error = {
            "status": outcome.status.value,
            "code": outcome.error_code,
            "message": outcome.error,
        }
        if outcome.status is ToolCallStatus.SCHEMA_MISMATCH:
            ctx.emit(SchemaMismatch(turn=ctx.turn, tool=effect.tool, errors=outcome.schema_errors))
        elif outcome.status in _ERROR_EVENTS:
            ctx.error(_ERROR_EVENTS[outcome.status], outcome.error or "")
        elif outcome.error_code == "tool_raised":
            ctx.error(ErrorCode.TOOL_RAISED, f"{effect.tool}: {outcome.error}")
        return call

    def _grant(self, ctx: TurnContext, tool: str, result: Any) -> None:
        for grant in self.runtime.compiled.grants.get(tool, ()):
            if grant.fact not in self.state.facts and all_hold(grant.when, {"result": result}):
                self.state.facts[grant.fact] = tool
                ctx.emit(FactGranted(turn=ctx.turn, fact=grant.fact, tool=tool))
