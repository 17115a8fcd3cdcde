"""``rehearsal chat``: talk to an agent in the terminal and watch its tool calls, guardrails and handoffs."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
import yaml
from rich.markup import escape

from rehearsal.bundles.loader import LoadedBundle
from rehearsal.cli import UserError, console
from rehearsal.cli.bundle import bundle_store
from rehearsal.cli.errors import user_errors
from rehearsal.runtime import AgentRuntime, Session
from rehearsal.runtime.events import (
    ConversationEnded,
    FactGranted,
    GuardrailTriggered,
    Handoff,
    IntentRecognized,
    ModelUsage,
    RuntimeError_,
    RuntimeEvent,
    SchemaMismatch,
    ToolCalled,
)
from rehearsal.runtime.tools import BindingError, ToolRegistry
from rehearsal.settings import Settings

QUIT = frozenset({"/quit", "/exit", "quit", "exit"})


def _tool_line(event: ToolCalled) -> str:
    call = event.call
    arguments = escape(json.dumps(call.arguments, ensure_ascii=False))
    ok = call.status == "ok"
    outcome = escape(json.dumps(call.result, ensure_ascii=False) if ok else call.error or "")
    colour = "green" if ok else "red"
    return f"[cyan]tool[/] {call.tool}({arguments}) → [{colour}]{call.status.value}[/] {outcome}"


_LINES: dict[type, Callable[[Any], str]] = {
    ToolCalled: _tool_line,
    GuardrailTriggered: lambda e: (
        f"[magenta]guardrail[/] {escape(e.guardrail)} {e.action}: {escape(e.detail)}"
    ),
    Handoff: lambda e: f"[yellow]handoff[/] {e.from_agent} → {e.to_agent} ({escape(e.reason)})",
    FactGranted: lambda e: f"[green]fact[/] {e.fact} (by {e.tool})",
    RuntimeError_: lambda e: f"[red]error[/] {e.code.value}: {escape(e.message)}",
    SchemaMismatch: lambda e: f"[red]schema mismatch[/] {e.tool}: {escape('; '.join(e.errors))}",
    IntentRecognized: lambda e: f"[dim]intent {e.intent or '(out of scope)'} {e.confidence:.2f}[/]",
    ModelUsage: lambda e: f"[dim]model {e.input_tokens}+{e.output_tokens} tokens, ${e.cost_usd:.5f}[/]",
    ConversationEnded: lambda e: f"[bold]ended[/] {e.reason.value}",
}


def describe(event: RuntimeEvent) -> str | None:
    """One line (rich markup) for the events a person wants to see while chatting; None hides the event."""
    line = _LINES.get(type(event))
    return line(event) if line else None


def _world(path: Path | None, loaded: LoadedBundle) -> dict[str, Any]:
    """The given world file, else ``world.yaml`` next to the bundle, else an empty world."""
    if path is None and loaded.source_dir is not None and (loaded.source_dir / "world.yaml").is_file():
        path = loaded.source_dir / "world.yaml"
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise UserError(f"cannot read the world file {path}: {error}") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: a world is a mapping (customers, orders, …), not {type(data).__name__}")
    return data


def _runtime(loaded: LoadedBundle, engine: Literal["flow", "llm"] | None) -> AgentRuntime:
    chosen = engine or loaded.bundle.model.engine
    chat_model = None
    if chosen == "llm":
        settings = Settings()
        if not settings.llm_configured:
            raise UserError(
                "the llm engine needs an endpoint: set REHEARSAL_LLM_BASE_URL and REHEARSAL_LLM_API_KEY"
            )
        from rehearsal.llm.openai_provider import OpenAIChatModel

        model = loaded.bundle.model
        chat_model = OpenAIChatModel(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
            model=settings.llm_model or model.model,
            timeout_s=model.timeout_s,
            max_retries=model.max_retries,
            pricing=model.pricing,
        )
    try:
        # HTTP tool headers name secrets as ${VARIABLE}: an entry point is where the environment is read.
        paths = [loaded.source_dir] if loaded.source_dir else []
        tools = ToolRegistry.from_bundle(loaded.bundle, search_paths=paths, env=dict(os.environ))
        return AgentRuntime(loaded, tools=tools, engine=chosen, chat_model=chat_model)
    except BindingError as error:
        raise UserError(f"cannot bind the bundle's tools: {error}") from None


def _show(messages: list[str], events: list[RuntimeEvent], agent: str, *, verbose: bool) -> None:
    for event in events:
        line = describe(event)
        if line is not None and (verbose or not line.startswith("[dim]")):
            console.print(f"    {line}", soft_wrap=True)
    for message in messages:
        console.print(f"[bold blue]{agent}>[/] {escape(message)}", soft_wrap=True)


def _turn(session: Session, text: str | None, *, verbose: bool) -> bool:
    """Run one turn (the opening when ``text`` is None) and print it; False once the conversation ended."""
    reply = session.open() if text is None else session.respond(text)
    _show(reply.messages, reply.events, session.state.active_agent, verbose=verbose)
    return reply.ended is None


def chat(
    bundle: Annotated[
        str, typer.Argument(help="A bundle file, or name[@version|@label|@live] in the store.")
    ],
    engine: Annotated[
        str | None, typer.Option("--engine", help="flow or llm (default: the bundle's model.engine).")
    ] = None,
    world: Annotated[
        Path | None,
        typer.Option("--world", help="World state (YAML/JSON); default world.yaml beside the bundle."),
    ] = None,
    say: Annotated[
        list[str] | None,
        typer.Option("--say", help="Customer messages to send instead of reading the terminal."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also show intents and model usage.")
    ] = False,
    conversation_id: Annotated[str, typer.Option("--id", help="Conversation id.")] = "chat",
) -> None:
    """Talk to an agent in the terminal, seeing its tool calls, guardrail events and handoffs."""
    if engine not in (None, "flow", "llm"):
        raise UserError(f"--engine must be flow or llm, not {engine!r}")
    with user_errors():
        loaded = bundle_store().resolve(bundle)
    runtime = _runtime(loaded, "llm" if engine == "llm" else "flow" if engine == "flow" else None)
    session = runtime.start(conversation_id, world=_world(world, loaded))
    console.print(
        f"[dim]{loaded.name} {loaded.version[:12]} · {runtime.engine.name} engine · /quit to leave[/]"
    )
    going = _turn(session, None, verbose=verbose)
    scripted = list(say or [])
    while going:
        if say is not None:
            if not scripted:
                break
            text = scripted.pop(0)
            console.print(f"[bold]you>[/] {escape(text)}")
        else:
            try:
                text = console.input("[bold]you>[/] ")
            except (EOFError, KeyboardInterrupt):
                break
        if text.strip().lower() in QUIT:
            break
        going = _turn(session, text, verbose=verbose)
