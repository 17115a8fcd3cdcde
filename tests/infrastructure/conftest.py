"""Synthesize the CDK app once per session (jsii start-up and Chalice packaging take seconds)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .synthesis import Synthesized


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesized]:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    import aws_cdk as cdk

    from infra.app import build_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    workdir = tmp_path_factory.mktemp("chalice")
    previous_cwd = Path.cwd()
    # Chalice packaging loads the app with the stage's environment variables set in os.environ; synthesis
    # must not leak them (REHEARSAL_BACKEND=aws, unresolved tokens) into the rest of the session.
    previous_environ = dict(os.environ)
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"  # chalice.cdk needs a region; nothing calls AWS
    os.chdir(workdir)  # chalice.cdk writes its packages under the working directory
    try:
        # Bundling skipped: the dependencies layer would download wheels (tested on its own).
        app = cdk.App(outdir=str(outdir), context={"aws:cdk:bundling-stacks": []})
        assembly = build_app(app).synth()
        template = assembly.get_stack_by_name("Rehearsal").template
    finally:
        os.chdir(previous_cwd)
        os.environ.clear()
        os.environ.update(previous_environ)
    yield Synthesized(outdir=outdir, template=template)
