"""Conversation routes: talk to the live bundle of an agent through the runtime, honouring the A/B split."""

from __future__ import annotations

from rehearsal.service.api.context import parse_body, path_param, runtimes, stores
from rehearsal.service.api.routing import ApiBlueprint
from rehearsal.service.conversations import (
    ConversationId,
    MessageIn,
    MessageOut,
    StoredConversation,
    get_conversation,
    send_message,
)

conversations = ApiBlueprint(__name__)


@conversations.route("/conversations/{conversation_id}/messages", methods=["POST"], body=MessageIn)
def post_message(conversation_id: str) -> MessageOut:
    body = parse_body(conversations.current_request, MessageIn)
    return send_message(
        path_param(conversation_id, ConversationId, "conversation_id"), body, stores(), runtimes()
    )


@conversations.route("/conversations/{conversation_id}", methods=["GET"])
def get(conversation_id: str) -> StoredConversation:
    return get_conversation(path_param(conversation_id, ConversationId, "conversation_id"), stores())
