"""Synthesize the CDK app once per session (jsii start-up and Chalice packaging take seconds)."""

from __future__ import annotations

import json

import pytest

from .synthesis import Synthesized


@pytest.fixture(scope="session")
def synthesized() -> Synthesized:
    from infra.synth import synthesized_once

    template = synthesized_once()
    return Synthesized(outdir=template.parent, template=json.loads(template.read_text()))
