"""``AgentRuntime``: one bundle version made runnable (compiled once), from which conversations start."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from rehearsal.bundles.schema import AgentBundle
from rehearsal.runtime.compiled import CompiledBundle, compile_bundle
from rehearsal.runtime.engines import Engine
from rehearsal.runtime.engines.flow import FlowEngine
from rehearsal.runtime.session import Session
from rehearsal.runtime.state import ConversationState, utcnow
from rehearsal.runtime.tools import ToolRegistry

if TYPE_CHECKING:
    from rehearsal.llm.ports import ChatModel


class BundleLike(Protocol):
    """What the runtime needs of a loaded bundle (``rehearsal.bundles.loader.LoadedBundle``)."""

    @property
    def bundle(self) -> AgentBundle: ...

    @property
    def version(self) -> str: ...


class EngineUnavailableError(ValueError):
    """The llm engine was asked for without a chat model."""


def _version_of(bundle: AgentBundle) -> str:
    try:
        from rehearsal.bundles.versioning import bundle_version
    except ImportError:  # the versioning module is optional for an in-memory bundle
        return hashlib.sha256(bundle.model_dump_json().encode()).hexdigest()
    return bundle_version(bundle)


class AgentRuntime:
    def __init__(
        self,
        loaded: BundleLike | AgentBundle,
        *,
        tools: ToolRegistry | None = None,
        engine: Literal["flow", "llm"] | None = None,
        chat_model: ChatModel | None = None,
        clock: Callable[[], datetime] = utcnow,
        search_paths: list[Path] | None = None,
    ) -> None:
        """``tools`` defaults to the bundle's own bindings, Python modules looked up next to the bundle file
        (``source_dir``) and in ``search_paths``; ``engine`` defaults to the bundle's ``model.engine``."""
        if isinstance(loaded, AgentBundle):
            self.bundle, self.version = loaded, _version_of(loaded)
            source_dir = None
        else:
            self.bundle, self.version = loaded.bundle, loaded.version
            source_dir = getattr(loaded, "source_dir", None)
        self.compiled: CompiledBundle = compile_bundle(self.bundle, self.version)
        if tools is None:
            paths = [*(search_paths or []), *([Path(source_dir)] if source_dir else [])]
            tools = ToolRegistry.from_bundle(self.bundle, search_paths=paths)
        self.tools = tools
        self.chat_model = chat_model
        self._clock = clock
        self.engine: Engine = self._engine(engine or self.bundle.model.engine)

    def _engine(self, name: Literal["flow", "llm"]) -> Engine:
        if name == "flow":
            return FlowEngine(self.compiled)
        if self.chat_model is None:
            raise EngineUnavailableError("the llm engine needs a chat model (an OpenAI-compatible endpoint)")
        from rehearsal.runtime.engines.llm import LlmEngine

        return LlmEngine(self.compiled, self.bundle.model, self.tools)

    def require_model(self) -> ChatModel:
        if self.chat_model is None:
            raise EngineUnavailableError("no chat model configured")
        return self.chat_model

    def today(self) -> date:
        return self._clock().date()

    def start(self, conversation_id: str, *, world: dict[str, Any] | None = None) -> Session:
        """A new conversation; ``world`` is used as given (the caller copies it if it must stay untouched)."""
        state = ConversationState(
            conversation_id=conversation_id,
            bundle_name=self.bundle.metadata.name,
            bundle_version=self.version,
            engine=self.engine.name,
            active_agent=self.bundle.entry_agent,
        )
        return Session(self, state, world if world is not None else {})
