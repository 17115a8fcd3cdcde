"""A small valid two-agent bundle, in YAML, that the bundle tests mutate."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

VALID_YAML = """\
metadata:
  name: shop
  description: A small shop.
model:
  engine: flow
agents:
  - name: orders
    instructions: Help with orders.
    greeting: Hi, I can help with your order.
    slots:
      - name: order_id
        type: id
        pattern: "A-\\\\d{4}"
    tools: [lookup_order]
    intents:
      - name: order_status
        examples: [where is my order, track my parcel]
        flow: status
    flows:
      - name: status
        stages:
          - name: ask_order
            steps:
              - kind: ask
                slot: order_id
                prompt: What is your order number?
              - kind: call
                tool: lookup_order
                args: {order_id: "{{ slots.order_id }}"}
                on_error: not_found
              - kind: respond
                text: "Order {{ slots.order_id }} is {{ results.lookup_order.status }}."
              - kind: end
                reason: resolved
          - name: not_found
            steps:
              - kind: handoff
                to: refunds
  - name: refunds
    instructions: Handle refunds.
    slots:
      - name: email
        type: email
    tools: [verify_identity, refund_order]
    intents:
      - name: refund
        examples: [I want my money back, refund please]
        flow: refund
    flows:
      - name: refund
        stages:
          - name: verify
            steps:
              - kind: ask
                slot: email
                prompt: What is your email?
              - kind: call
                tool: verify_identity
                args: {email: "{{ slots.email }}"}
              - kind: branch
                cases:
                  - when: [{path: facts.identity_verified, op: truthy}]
                    goto: pay
                default: escalate
          - name: pay
            steps:
              - kind: call
                tool: refund_order
                args: {email: "{{ slots.email }}"}
              - kind: end
          - name: escalate
            steps:
              - kind: handoff
                to: human
tools:
  - name: lookup_order
    description: Look up an order.
    input_schema:
      type: object
      properties: {order_id: {type: string}}
      required: [order_id]
    binding: {kind: python, target: "shop_tools:lookup_order"}
  - name: verify_identity
    description: Verify the customer.
    input_schema: {type: object, properties: {email: {type: string}}}
    binding: {kind: http, url: "https://example.com/verify", headers: {Authorization: "Bearer ${SHOP_TOKEN}"}}
    grants:
      - fact: identity_verified
        when: [{path: result.verified, op: truthy}]
  - name: refund_order
    description: Refund an order.
    input_schema: {type: object, properties: {email: {type: string}}}
    binding: {kind: lambda, function_arn: "arn:aws:lambda:eu-west-1:123456789012:function:refund"}
    side_effects: true
guardrails:
  tool_preconditions:
    - tool: refund_order
      requires: [identity_verified]
  forbidden_content:
    - name: promises
      phrases: [guaranteed]
      patterns: ["free\\\\s+forever"]
  escalation_triggers:
    - name: angry
      phrases: [speak to a manager]
router:
  entry_agent: orders
  rules:
    - intents: [refund]
      to: refunds
"""


@pytest.fixture
def valid_yaml() -> str:
    return VALID_YAML


@pytest.fixture
def valid_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(VALID_YAML)
    return data
