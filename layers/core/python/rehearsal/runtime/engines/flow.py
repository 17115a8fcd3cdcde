"""The flow engine: deterministic execution of a bundle's flows.

Per customer message: answer a pending ask (typed slot), or recognize an intent, route it to the sub-agent
that owns it, pre-fill the slots the message already gives, and run the intent's flow step by step until the
flow asks for something, ends, or completes. A confident new intent while an ask is pending switches flows
(a digression).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Literal

from rehearsal.bundles.schema import (
    HUMAN,
    AskStep,
    BranchStep,
    CallStep,
    EndReason,
    EndStep,
    GotoStep,
    HandoffStep,
    RespondStep,
    SetStep,
)
from rehearsal.runtime.compiled import CompiledAgent, CompiledBundle
from rehearsal.runtime.conditions import all_hold
from rehearsal.runtime.events import ErrorCode, IntentRecognized, SlotFilled, ToolCall, ToolCallStatus
from rehearsal.runtime.nlu import IntentMatch
from rehearsal.runtime.state import FlowPosition
from rehearsal.runtime.templates import render_value
from rehearsal.runtime.turn import CallTool, Effect, EngineRun, TurnContext

MAX_STEPS_PER_TURN = 200


class FlowEngine:
    name: Literal["flow", "llm"] = "flow"

    def __init__(self, compiled: CompiledBundle) -> None:
        self.compiled = compiled

    # --- interface ----------------------------------------------------------------------------------------

    def open(self, ctx: TurnContext) -> EngineRun:
        greeting = self._agent(ctx).agent.greeting
        if greeting:
            ctx.say(ctx.render(greeting))
        yield from ()

    def turn(self, ctx: TurnContext, text: str) -> EngineRun:
        position = ctx.state.position
        if position is not None and position.awaiting_slot is not None:
            if self._answer(ctx, position, text):
                yield from self._run(ctx)
                return
            match = self._recognize(ctx, text)
            if match.in_scope and self._flow_for(match, text) not in (None, position.flow):
                yield from self._start(ctx, match, text)
            else:
                self._reprompt(ctx, position)
            return
        match = self._recognize(ctx, text)
        if match.in_scope or self.compiled.router.target(match, text) is not None:
            ctx.state.consecutive_fallbacks = 0
            yield from self._start(ctx, match, text)
            return
        ctx.state.consecutive_fallbacks += 1
        ctx.say(ctx.render(self._agent(ctx).agent.fallback))

    # --- understanding ------------------------------------------------------------------------------------

    def _agent(self, ctx: TurnContext) -> CompiledAgent:
        return self.compiled.agents[ctx.state.active_agent]

    def _recognize(self, ctx: TurnContext, text: str) -> IntentMatch:
        match = self.compiled.recognizer.recognize(text, prefer_agent=ctx.state.active_agent)
        ctx.emit(
            IntentRecognized(
                turn=ctx.turn,
                intent=match.intent,
                confidence=round(match.confidence, 4),
                agent=ctx.state.active_agent,
            )
        )
        return match

    def _flow_for(self, match: IntentMatch, text: str) -> str | None:
        owner = self.compiled.router.target(match, text) or match.agent
        agent = self.compiled.agents.get(owner) if owner else None
        intent = agent.intents.get(match.intent) if agent and match.intent else None
        return intent.flow if intent else None

    def _fill(self, ctx: TurnContext, slot: str, value: object) -> None:
        ctx.state.slots[slot] = value
        ctx.emit(SlotFilled(turn=ctx.turn, slot=slot, value=value))

    def _prefill(self, ctx: TurnContext, agent: CompiledAgent, text: str, *, skip: str | None = None) -> None:
        for extractor in agent.prefill:
            name = extractor.slot.name
            if name == skip:
                continue
            value = extractor.extract(text, today=ctx.today, strict=True)
            if value is not None and ctx.state.slots.get(name) != value:
                self._fill(ctx, name, value)

    def _answer(self, ctx: TurnContext, position: FlowPosition, text: str) -> bool:
        slot = position.awaiting_slot
        agent = self._agent(ctx)
        extractor = agent.extractors.get(slot) if slot else None
        if slot is None or extractor is None:
            return False
        value = extractor.extract(text, today=ctx.today)
        if value is None:
            return False
        self._fill(ctx, slot, value)
        self._prefill(ctx, agent, text, skip=slot)
        position.awaiting_slot = None
        position.attempts = 0
        position.step += 1
        return True

    def _reprompt(self, ctx: TurnContext, position: FlowPosition) -> None:
        step = self._step(ctx, position)
        if not isinstance(step, AskStep):
            position.awaiting_slot = None
            return
        position.attempts += 1
        if position.attempts < step.max_attempts:
            ctx.say(ctx.render(step.reprompt or step.prompt))
            return
        detail = f"no valid {step.slot} after {step.max_attempts} attempts"
        if step.on_failure == "handoff_human":
            ctx.hand_off(HUMAN, detail)
        else:
            ctx.end(EndReason.UNRESOLVED, detail)

    # --- flows --------------------------------------------------------------------------------------------

    def _start(self, ctx: TurnContext, match: IntentMatch, text: str) -> EngineRun:
        state = ctx.state
        target = self.compiled.router.target(match, text)
        if (
            target is not None
            and target != state.active_agent
            and not ctx.hand_off(target, f"intent {match.intent}" if match.intent else "router pattern")
        ):
            target = state.active_agent
        if ctx.ended:
            return
        agent = self._agent(ctx)
        intent = agent.intents.get(match.intent) if match.intent else None
        if intent is None or intent.flow is None or intent.flow not in agent.flows:
            # Routed here without a flow of its own for it: the agent introduces itself or asks again.
            ctx.say(ctx.render(agent.agent.greeting or agent.agent.fallback))
            return
        flow = agent.flows[intent.flow]
        for slot in flow.per_flow_slots:
            state.slots.pop(slot, None)
        self._prefill(ctx, agent, text)
        state.position = FlowPosition(flow=intent.flow, stage=flow.entry)
        yield from self._run(ctx)

    def _step(self, ctx: TurnContext, position: FlowPosition) -> object:
        flow = self._agent(ctx).flows.get(position.flow)
        stage = flow.stages.get(position.stage) if flow else None
        if stage is None or position.step >= len(stage.steps):
            return None
        return stage.steps[position.step]

    def _goto(self, ctx: TurnContext, stage: str) -> None:
        position = ctx.state.position
        assert position is not None
        flow = self._agent(ctx).flows[position.flow]
        if stage not in flow.stages:
            ctx.error(ErrorCode.INTERNAL, f"flow {position.flow!r} has no stage {stage!r}")
            ctx.state.position = None
            return
        position.stage = stage
        position.step = 0

    def _run(self, ctx: TurnContext) -> EngineRun:
        state = ctx.state
        for _ in range(MAX_STEPS_PER_TURN):
            position = state.position
            if position is None or ctx.ended:
                return
            flow = self._agent(ctx).flows.get(position.flow)
            stage = flow.stages.get(position.stage) if flow else None
            if stage is None:
                ctx.error(
                    ErrorCode.INTERNAL, f"no stage {position.flow}.{position.stage} in {state.active_agent}"
                )
                state.position = None
                return
            if position.step >= len(stage.steps):
                if stage.next:
                    self._goto(ctx, stage.next)
                else:
                    state.position = None
                continue
            step = stage.steps[position.step]
            if isinstance(step, AskStep):
                if step.slot in state.slots:
                    position.step += 1
                    continue
                ctx.say(ctx.render(step.prompt))
                position.awaiting_slot = step.slot
                position.attempts = 0
                return
            if isinstance(step, CallStep):
                call = yield from self._call(ctx, step)
                if call.status is not ToolCallStatus.OK and step.on_error:
                    self._goto(ctx, step.on_error)
                else:
                    position.step += 1
            elif isinstance(step, BranchStep):
                self._branch(ctx, step, position)
            elif isinstance(step, RespondStep):
                ctx.say(ctx.render(step.text))
                position.step += 1
            elif isinstance(step, SetStep):
                state.variables[step.var] = render_value(step.value, ctx.scope())[0]
                position.step += 1
            elif isinstance(step, HandoffStep):
                if step.message:
                    ctx.say(ctx.render(step.message))
                if not ctx.hand_off(step.to, step.reason):
                    position.step += 1
            elif isinstance(step, EndStep):
                if step.message:
                    ctx.say(ctx.render(step.message))
                ctx.end(step.reason, f"flow {position.flow}")
                state.position = None
            elif isinstance(step, GotoStep):
                self._goto(ctx, step.stage)
        ctx.error(ErrorCode.INTERNAL, f"flow did not settle after {MAX_STEPS_PER_TURN} steps (a goto loop?)")
        state.position = None

    def _call(self, ctx: TurnContext, step: CallStep) -> Generator[Effect, Any, ToolCall]:
        arguments, missing = render_value(step.args, ctx.scope())
        if missing:
            ctx.error(ErrorCode.TEMPLATE, f"unresolved {missing} in the arguments of {step.tool}")
        call: ToolCall = yield CallTool(step.tool, arguments, save_as=step.save_as)
        if call.status is ToolCallStatus.BLOCKED and call.error:
            ctx.say(call.error)
        return call

    def _branch(self, ctx: TurnContext, step: BranchStep, position: FlowPosition) -> None:
        scope = ctx.scope()
        for case in step.cases:
            if all_hold(case.when, scope):
                self._goto(ctx, case.goto)
                return
        if step.default:
            self._goto(ctx, step.default)
        else:
            position.step += 1
