"""The llm engine: an OpenAI-compatible chat model drives the conversation with the bundle's instructions,
the active agent's procedures and its tools as function schemas.

The runtime stays in charge: every tool call the model asks for goes through the flow engine's path (unknown
tool, schema validation and guardrail preconditions before anything runs), arguments that are not JSON are a
typed error handed back to the model, and sub-agent handoffs and the end of the conversation are two built-in
functions. Each model call records a ``ModelUsage`` event (tokens, cost, latency, retries).
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any, Literal

from rehearsal.bundles.schema import (
    HUMAN,
    Agent,
    AskStep,
    BranchStep,
    CallStep,
    Condition,
    EndReason,
    EndStep,
    Flow,
    GotoStep,
    HandoffStep,
    ModelSettings,
    RespondStep,
    Step,
)
from rehearsal.llm.ports import ChatCompletion, ModelOutputError, ModelUnavailable, RequestedToolCall
from rehearsal.runtime.compiled import CompiledBundle
from rehearsal.runtime.events import ErrorCode, IntentRecognized, ModelUsage, ToolCall, ToolCallStatus
from rehearsal.runtime.state import FlowPosition
from rehearsal.runtime.tools import ToolRegistry
from rehearsal.runtime.turn import AskModel, CallTool, Effect, EngineRun, TurnContext

TRANSFER = "transfer_to_agent"
END = "end_conversation"
MAX_MODEL_CALLS_PER_TURN = 6
UNAVAILABLE_MESSAGE = "I'm sorry, I'm having technical trouble right now. Please try again in a little while."


def _function(name: str, description: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {"name": name, "description": description, "parameters": parameters},
    }


def _outline(flow: Flow) -> str:
    stages = " → ".join(stage.name for stage in flow.stages)
    return f"- {flow.name}: {flow.description or 'stages'} ({stages})"


def _condition_text(condition: Condition) -> str:
    unary = condition.op in ("exists", "missing", "truthy", "falsy")
    return f"{condition.path} {condition.op}" + ("" if unary else f" {condition.value!r}")


def _step_text(step: Step) -> str:
    if isinstance(step, AskStep):
        return f"ask for {step.slot}"
    if isinstance(step, CallStep):
        return f"call {step.tool}" + (f" (on failure: {step.on_error})" if step.on_error else "")
    if isinstance(step, BranchStep):
        cases = "; ".join(
            " and ".join(map(_condition_text, case.when)) + f" → {case.goto}" for case in step.cases
        )
        return f"if {cases}" + (f"; otherwise → {step.default}" if step.default else "")
    if isinstance(step, RespondStep):
        return f"say something like: {step.text!r}"
    if isinstance(step, HandoffStep):
        return f"hand off to {step.to}"
    if isinstance(step, EndStep):
        return f"end the conversation ({step.reason.value})"
    if isinstance(step, GotoStep):
        return f"go to {step.stage}"
    return f"set {step.var}"


def _procedure(flow: Flow) -> str:
    """A flow spelled out stage by stage, for the model to follow."""
    lines = [f"Procedure {flow.name}:"]
    for stage in flow.stages:
        steps = "; ".join(_step_text(step) for step in stage.steps)
        lines.append(f"  {stage.name}: {steps}" + (f"; then {stage.next}" if stage.next else ""))
    return "\n".join(lines)


class LlmEngine:
    name: Literal["flow", "llm"] = "llm"

    def __init__(self, compiled: CompiledBundle, settings: ModelSettings, tools: ToolRegistry) -> None:
        self.compiled = compiled
        self.settings = settings
        self.tools = tools
        self._schemas: dict[str, list[dict[str, Any]]] = {
            name: self._tool_schemas(agent.agent) for name, agent in compiled.agents.items()
        }
        # The prompt's fixed parts, spelled out once: the bundle does not change under a running engine.
        self._prompt_parts = {name: self._fixed_prompt(name) for name in compiled.agents}
        self._procedures: dict[tuple[str, str], str | None] = {}

    # --- prompt and tools ---------------------------------------------------------------------------------

    def _tool_schemas(self, agent: Agent) -> list[dict[str, Any]]:
        allowed = agent.tools or self.tools.names
        schemas = []
        for name in allowed:
            if name in self.tools:
                declaration = self.tools.declaration(name)
                schemas.append(_function(name, declaration.description, declaration.input_schema))
        others = sorted(self.compiled.agent_names - {agent.name})
        schemas.append(
            _function(
                TRANSFER,
                "Hand the conversation to another team, or to a human colleague.",
                {
                    "type": "object",
                    "properties": {"agent": {"enum": [*others, HUMAN]}, "reason": {"type": "string"}},
                    "required": ["agent"],
                    "additionalProperties": False,
                },
            )
        )
        schemas.append(
            _function(
                END,
                "End the conversation once the customer has nothing else to ask.",
                {
                    "type": "object",
                    "properties": {"outcome": {"enum": ["resolved", "unresolved"]}},
                    "required": ["outcome"],
                    "additionalProperties": False,
                },
            )
        )
        return schemas

    def _follow(self, ctx: TurnContext, text: str) -> None:
        """Recognize what the message asks for (the flow engine's recognizer) and remember its procedure as
        the conversation's current one, which the system prompt spells out."""
        state = ctx.state
        match = self.compiled.recognizer.recognize(text, prefer_agent=state.active_agent)
        ctx.emit(
            IntentRecognized(
                turn=ctx.turn,
                intent=match.intent,
                confidence=round(match.confidence, 4),
                agent=state.active_agent,
            )
        )
        owner = self.compiled.router.target(match, text) or match.agent
        agent = self.compiled.agents.get(owner) if owner else None
        intent = agent.intents.get(match.intent) if agent and match.intent else None
        if agent is not None and intent is not None and intent.flow in agent.flows:
            state.position = FlowPosition(flow=intent.flow, stage=agent.flows[intent.flow].entry)

    def _current_procedure(self, ctx: TurnContext) -> str | None:
        position = ctx.state.position
        if position is None:
            return None
        key = (ctx.state.active_agent, position.flow)
        if key not in self._procedures:
            self._procedures[key] = self._procedure_for(*key)
        return self._procedures[key]

    def _procedure_for(self, active_agent: str, flow_name: str) -> str | None:
        active = self.compiled.agents[active_agent]
        owners = [active, *(a for name, a in self.compiled.agents.items() if name != active.agent.name)]
        for owner in owners:
            flow = next((f for f in owner.agent.flows if f.name == flow_name), None)
            if flow is not None:
                note = "" if owner is active else f" (the {owner.agent.name} team handles it: transfer first)"
                return f"Current request: {flow_name}{note}.\n{_procedure(flow)}"
        return None

    def _fixed_prompt(self, agent_name: str) -> tuple[list[str], list[str]]:
        """(the lines before the current procedure, the lines after it) that never change for an agent."""
        agent = self.compiled.agents[agent_name].agent
        head = [
            agent.instructions or f"You are the {agent.name} agent of {self.compiled.bundle.metadata.name}.",
            f"You are the {agent.name!r} agent: {agent.description}".rstrip(": "),
        ]
        if agent.flows:
            head.append("Procedures you follow:")
            head.extend(_outline(flow) for flow in agent.flows)
        others = [a.agent for name, a in self.compiled.agents.items() if name != agent.name]
        teams = "; ".join(f"{a.name}: {a.description}" for a in others)
        return head, [f"Other teams (use transfer_to_agent): {teams}"] if others else []

    def _system_prompt(self, ctx: TurnContext) -> str:
        state = ctx.state
        head, teams = self._prompt_parts[state.active_agent]
        lines = list(head)
        procedure = self._current_procedure(ctx)
        if procedure:
            lines.append(procedure)
        lines.extend(teams)
        lines.append("Verified facts: " + (", ".join(sorted(state.facts)) or "none"))
        if state.slots:
            lines.append("Known details: " + json.dumps(state.slots, sort_keys=True))
        lines.append("Only state what tool results show. Some actions need verified facts; tools say so.")
        return "\n".join(lines)

    # --- interface ----------------------------------------------------------------------------------------

    def open(self, ctx: TurnContext) -> EngineRun:
        greeting = self.compiled.agents[ctx.state.active_agent].agent.greeting
        if greeting:
            text = ctx.render(greeting)
            ctx.say(text)
            ctx.state.llm_messages.append({"role": "assistant", "content": text})
        yield from ()

    def turn(self, ctx: TurnContext, text: str) -> EngineRun:
        state = ctx.state
        state.llm_messages.append({"role": "user", "content": text})
        self._follow(ctx, text)
        for _ in range(MAX_MODEL_CALLS_PER_TURN):
            completion = yield from self._ask(ctx)
            if completion is None:
                return
            if completion.content:
                ctx.say(completion.content)
            state.llm_messages.append(self._assistant_message(completion))
            if not completion.tool_calls:
                if not completion.content:
                    ctx.say(ctx.render(self.compiled.agents[state.active_agent].agent.fallback))
                return
            for requested in completion.tool_calls:
                payload = yield from self._tool(ctx, requested)
                state.llm_messages.append(
                    {
                        "role": "tool",
                        "tool_call_id": requested.id,
                        "content": json.dumps(payload, default=str),
                    }
                )
            if ctx.ended:
                return
        ctx.error(ErrorCode.MALFORMED_MODEL_OUTPUT, f"no reply after {MAX_MODEL_CALLS_PER_TURN} model calls")
        ctx.say(ctx.render(self.compiled.agents[state.active_agent].agent.fallback))

    # --- steps --------------------------------------------------------------------------------------------

    def _ask(self, ctx: TurnContext) -> Generator[Effect, Any, ChatCompletion | None]:
        state = ctx.state
        messages = [{"role": "system", "content": self._system_prompt(ctx)}, *state.llm_messages]
        request = AskModel(
            messages,
            tools=self._schemas[state.active_agent],
            temperature=self.settings.temperature,
            max_tokens=self.settings.max_tokens,
        )
        try:
            completion: ChatCompletion = yield request
        except ModelUnavailable as error:
            ctx.error(ErrorCode.MODEL_UNAVAILABLE, str(error))
            ctx.say(UNAVAILABLE_MESSAGE)
            ctx.end(EndReason.ERROR, "model unavailable")
            return None
        except ModelOutputError as error:
            ctx.error(ErrorCode.MALFORMED_MODEL_OUTPUT, str(error))
            ctx.say(ctx.render(self.compiled.agents[state.active_agent].agent.fallback))
            return None
        ctx.emit(
            ModelUsage(
                turn=ctx.turn,
                model=completion.model or self.settings.model,
                input_tokens=completion.input_tokens,
                output_tokens=completion.output_tokens,
                cost_usd=completion.cost_usd,
                latency_ms=completion.latency_ms,
                retries=completion.retries,
            )
        )
        return completion

    @staticmethod
    def _assistant_message(completion: ChatCompletion) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": completion.content}
        if completion.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
                for call in completion.tool_calls
            ]
        return message

    def _tool(self, ctx: TurnContext, requested: RequestedToolCall) -> Generator[Effect, Any, dict[str, Any]]:
        try:
            arguments: Any = json.loads(requested.arguments or "{}")
        except ValueError as error:
            ctx.error(
                ErrorCode.MALFORMED_MODEL_OUTPUT,
                f"arguments of {requested.name} are not JSON: {error}: {requested.arguments[:200]!r}",
            )
            arguments = requested.arguments
        if requested.name == TRANSFER and isinstance(arguments, dict):
            return self._transfer(ctx, arguments)
        if requested.name == END and isinstance(arguments, dict):
            outcome = arguments.get("outcome")
            ctx.end(EndReason.UNRESOLVED if outcome == "unresolved" else EndReason.RESOLVED, "model ended it")
            return {"ok": True}
        call: ToolCall = yield CallTool(requested.name, arguments, call_id=requested.id)
        if call.status is ToolCallStatus.OK:
            return {"ok": True, "result": call.result}
        return {"ok": False, "status": call.status.value, "error": call.error_code, "message": call.error}

    @staticmethod
    def _transfer(ctx: TurnContext, arguments: dict[str, Any]) -> dict[str, Any]:
        target = str(arguments.get("agent", ""))
        if ctx.hand_off(target, str(arguments.get("reason", ""))):
            return {"ok": True, "agent": target}
        return {"ok": False, "error": "unknown_agent", "message": f"no agent named {target!r}"}
