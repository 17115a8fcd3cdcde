"""Live conversations over the API: each message is one turn of the runtime against the live bundle.

A conversation is pinned to the version chosen at its first message (the A/B split is sticky per
conversation id) and its state is kept in the run store at ``(conversation#<id>, state)``; a message that
races another one on the same conversation loses with ``Conflict`` instead of overwriting it."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from rehearsal.bundles.schema import EndReason
from rehearsal.bundles.store import BundleStore
from rehearsal.runtime.agent import AgentRuntime
from rehearsal.runtime.session import Session
from rehearsal.runtime.state import ConversationState
from rehearsal.storage.factory import Stores
from rehearsal.storage.ports import Conflict, NotFound

STATE_KEY = "state"
ConversationId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MessageIn(_Model):
    bundle: Annotated[str, Field(min_length=1, max_length=128)] = Field(
        description="The agent (bundle name)."
    )
    text: Annotated[str, Field(min_length=1, max_length=4000)]
    world: dict[str, Any] | None = Field(
        None, description="Sandbox records the agent's tools act on; only read on the first message."
    )


class ChannelMessage(MessageIn):
    """A message from a channel (the ``runtime`` Lambda's event): the conversation id travels along."""

    conversation_id: ConversationId


class MessageOut(_Model):
    conversation_id: str
    bundle_name: str
    bundle_version: str
    messages: list[str]
    ended: EndReason | None = None
    turns: int


class StoredConversation(_Model):
    state: ConversationState
    world: dict[str, Any] = Field(default_factory=dict)


def conversation_partition(conversation_id: str) -> str:
    return f"conversation#{conversation_id}"


class RuntimeCache:
    """One compiled runtime per bundle version and process: compiling a bundle is the costly part."""

    def __init__(self, bundles: BundleStore, *, search_paths: Sequence[Path] = (), size: int = 32) -> None:
        self.bundles = bundles
        self.search_paths = list(search_paths)
        self.size = size
        self._runtimes: dict[tuple[str, str], AgentRuntime] = {}

    def get(self, name: str, version: str) -> AgentRuntime:
        key = (name, version)
        runtime = self._runtimes.get(key)
        if runtime is None:
            if len(self._runtimes) >= self.size:
                self._runtimes.pop(next(iter(self._runtimes)))
            loaded = self.bundles.get(name, version)
            runtime = self._runtimes[key] = AgentRuntime(loaded, search_paths=self.search_paths)
        return runtime


def send_message(
    conversation_id: str,
    message: MessageIn,
    stores: Stores,
    runtimes: RuntimeCache,
) -> MessageOut:
    partition = conversation_partition(conversation_id)
    try:
        stored = stores.runs.get(partition, STATE_KEY)
    except NotFound:
        stored = None
    if stored is None:
        version = runtimes.bundles.choose_version(message.bundle, conversation_id)
        runtime = runtimes.get(message.bundle, version)
        session = runtime.start(conversation_id, world=dict(message.world or {}))
        revision = None
    else:
        conversation = StoredConversation.model_validate(stored.doc)
        if conversation.state.bundle_name != message.bundle:
            raise Conflict(
                f"conversation {conversation_id!r} talks to {conversation.state.bundle_name!r}, "
                f"not {message.bundle!r}"
            )
        runtime = runtimes.get(message.bundle, conversation.state.bundle_version)
        session = Session(runtime, conversation.state, conversation.world)
        revision = stored.revision
    reply = session.respond(message.text)
    stores.runs.put(
        partition,
        STATE_KEY,
        StoredConversation(state=session.state, world=session.world).model_dump(mode="json"),
        index={"bundle_conversation": message.bundle},
        if_absent=revision is None,
        expected_revision=revision,
    )
    return MessageOut(
        conversation_id=conversation_id,
        bundle_name=session.state.bundle_name,
        bundle_version=session.state.bundle_version,
        messages=reply.messages,
        ended=reply.ended,
        turns=len(session.state.turns),
    )


def get_conversation(conversation_id: str, stores: Stores) -> StoredConversation:
    return StoredConversation.model_validate(
        stores.runs.get(conversation_partition(conversation_id), STATE_KEY).doc
    )


@cache
def runtimes_for(stores: Stores) -> RuntimeCache:
    """The runtime cache of a process's stores (a warm Lambda keeps its compiled bundles)."""
    return RuntimeCache(BundleStore(stores.blobs, stores.runs))


def reply_to_channel(message: ChannelMessage, stores: Stores) -> MessageOut:
    body = MessageIn.model_validate(message.model_dump(exclude={"conversation_id"}))
    return send_message(message.conversation_id, body, stores, runtimes_for(stores))
