"""Conversation routes: each message is a turn of the runtime on the live bundle, honouring the A/B split."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
import yaml
from chalice.test import Client

from rehearsal.service.api import context

from .support import EXAMPLE, body, post, push

WORLD: dict[str, Any] = yaml.safe_load((EXAMPLE / "world.yaml").read_text())


@pytest.fixture
def live(client: Client) -> dict[str, dict[str, Any]]:
    """v1 and v2 pushed, v2 live."""
    versions = {name: push(client, name) for name in ("v1", "v2")}
    post(client, "/bundles/acme-retail/promote", {"version": versions["v2"]["version"][:12]})
    return versions


def _say(client: Client, conversation: str, text: str, **extra: Any) -> Any:
    return post(
        client, f"/conversations/{conversation}/messages", {"bundle": "acme-retail", "text": text, **extra}
    )


def test_message_is_answered_by_the_live_version(client: Client, live: dict[str, dict[str, Any]]) -> None:
    # When a visitor writes
    response = _say(client, "c-1", "Where is my order A1001?", world=WORLD)

    # Then the live version answers
    assert response.status_code == 200
    reply = body(response)
    assert reply["bundle_version"] == live["v2"]["version"]
    assert reply["messages"] and reply["turns"] >= 2


def test_conversation_continues_from_its_stored_state(
    client: Client, live: dict[str, dict[str, Any]]
) -> None:
    # Given a first message
    first = body(_say(client, "c-2", "I want to check my order status", world=WORLD))

    # When the visitor answers the agent
    second = body(_say(client, "c-2", "A1001"))

    # Then the conversation goes on rather than starting over
    assert second["turns"] > first["turns"]
    stored = body(client.http.get("/conversations/c-2"))
    assert [turn["role"] for turn in stored["state"]["turns"]][:2] == ["customer", "agent"]
    assert stored["state"]["turns"][0]["text"] == "I want to check my order status"


def test_split_routes_new_conversations_and_keeps_each_on_its_version(
    client: Client, live: dict[str, dict[str, Any]]
) -> None:
    # Given a conversation on v2, then all traffic split to v1
    before = body(_say(client, "c-before", "hello"))
    client.http.put(
        "/bundles/acme-retail/split",
        body=json.dumps({"weights": {live["v1"]["version"][:12]: 1}}).encode(),
        headers={"content-type": "application/json"},
    )

    # When a new conversation starts and the old one goes on
    new = body(_say(client, "c-after", "hello"))
    old = body(_say(client, "c-before", "thanks"))

    # Then the new one is on v1 and the old one stays on v2
    assert before["bundle_version"] == live["v2"]["version"]
    assert new["bundle_version"] == live["v1"]["version"]
    assert old["bundle_version"] == live["v2"]["version"]


def test_message_to_an_agent_without_a_live_version_is_a_404(client: Client) -> None:
    push(client)

    response = _say(client, "c-3", "hello")

    assert response.status_code == 404


def test_message_naming_another_agent_than_the_conversations_is_a_409(
    client: Client, live: dict[str, dict[str, Any]]
) -> None:
    _say(client, "c-4", "hello")

    response = post(client, "/conversations/c-4/messages", {"bundle": "someone-else", "text": "hi"})

    assert response.status_code == 409


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"bundle": "acme-retail"}, "body.text"),
        ({"bundle": "acme-retail", "text": ""}, "body.text"),
        ({"text": "hi"}, "body.bundle"),
        ({"bundle": "acme-retail", "text": "hi", "channel": "sms"}, "body.channel"),
    ],
)
def test_bad_message_is_a_400_naming_the_field(
    client: Client, live: dict[str, dict[str, Any]], payload: dict[str, Any], path: str
) -> None:
    response = post(client, "/conversations/c-5/messages", payload)

    assert response.status_code == 400
    assert path in [detail["path"] for detail in body(response)["error"]["details"]]


def test_bad_conversation_id_is_a_400_naming_the_path(
    client: Client, live: dict[str, dict[str, Any]]
) -> None:
    response = _say(client, "-bad-", "hello")

    assert response.status_code == 400
    assert body(response)["error"]["details"][0]["path"] == "path.conversation_id"


def test_unknown_conversation_is_a_404(client: Client) -> None:
    response = client.http.get("/conversations/never")

    assert response.status_code == 404


def test_bundle_whose_tools_cannot_be_bound_here_is_a_409(
    client: Client, live: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a server that was not told where the bundle's Python tools live (and has not loaded them before)
    context.configure(settings=context.settings(), tool_search_paths=[])
    monkeypatch.delitem(sys.modules, "acme_retail_tools", raising=False)

    # When a visitor writes
    response = _say(client, "c-6", "hello")

    # Then the conversation is refused with the reason
    assert response.status_code == 409
    assert body(response)["error"]["code"] == "tools_unavailable"
    assert "acme_retail_tools" in body(response)["error"]["message"]
